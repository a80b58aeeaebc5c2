//! The dashboard and release pages as HTML: semantic, self-contained
//! (inline CSS, and a tiny inline script only for the package filter),
//! responsive, and stable byte for byte for the same values. Everything
//! that comes from the repository is escaped here. Pure.

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::gate::requirements::Requirement;
use crate::ledger::Status;
use crate::render::context::{Commit, Release};
use crate::site::model::{Dashboard, Environment, Evidence, HistoryRow, Next, ReleasePage};
use crate::site::risk::Level;

const STYLE: &str = include_str!("style.css");
const FILTER: &str = include_str!("filter.js");

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A link to a web page, or the text alone when the address is not `http(s)`
/// (a record's `url` may say anything, `javascript:` included).
fn web_link(url: Option<&str>, text: &str) -> String {
    match url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            format!("<a href=\"{}\">{}</a>", esc(url), esc(text))
        }
        _ => esc(text),
    }
}

/// `<time>` for an RFC 3339 moment, shown to the minute in UTC.
fn time(at: &str) -> String {
    match at.parse::<Timestamp>() {
        Ok(t) => format!(
            "<time datetime=\"{}\">{}</time>",
            esc(&t.to_string()),
            t.strftime("%Y-%m-%d %H:%M UTC")
        ),
        Err(_) => esc(at),
    }
}

fn time_of(seconds: i64) -> String {
    time(
        &Timestamp::from_second(seconds)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_string(),
    )
}

/// "3 days ago", relative to the page's moment.
fn ago(at: &str, as_of: i64) -> String {
    let Ok(t) = at.parse::<Timestamp>() else {
        return String::new();
    };
    let seconds = as_of - t.as_second();
    if seconds < 0 {
        return "after this page's time".to_owned();
    }
    let (n, unit) = match seconds {
        s if s < 120 => return "just now".to_owned(),
        s if s < 7_200 => (s / 60, "minute"),
        s if s < 172_800 => (s / 3_600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}s ago")
}

fn status_badge(status: Status) -> String {
    let class = match status {
        Status::Succeeded => "ok",
        Status::Started => "warn",
        Status::Failed | Status::RolledBack => "bad",
    };
    format!("<span class=\"badge {class}\">{}</span>", status.as_str())
}

fn badge(class: &str, text: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", esc(text))
}

fn package_attr(package: Option<&str>) -> String {
    package.map_or_else(String::new, |p| format!(" data-package=\"{}\"", esc(p)))
}

/// A whole document. `root` is the way back to the site's root (`""` or `"../"`).
fn document(title: &str, root: &str, header: &str, body: &str, script: bool) -> String {
    let mut s = String::with_capacity(body.len() + STYLE.len() + 1024);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str("<meta name=\"generator\" content=\"git-release\">\n");
    let _ = writeln!(s, "<title>{}</title>", esc(title));
    let _ = writeln!(s, "<style>\n{STYLE}</style>");
    s.push_str("</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
    s.push_str("<header>\n");
    s.push_str(header);
    s.push_str("</header>\n<main id=\"main\">\n");
    s.push_str(body);
    s.push_str("</main>\n<footer>\n");
    let _ = writeln!(
        s,
        "<p>Made by <code>git release site</code> from the repository alone: tags, release records, evidence and deployment notes. <a href=\"{root}index.html\">Dashboard</a></p>"
    );
    s.push_str("</footer>\n");
    if script {
        let _ = writeln!(s, "<script>\n{FILTER}</script>");
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// The dashboard (`index.html`).
pub fn index(d: &Dashboard) -> String {
    let mut h = String::new();
    let _ = writeln!(h, "<h1>{} releases</h1>", esc(&d.title));
    let _ = write!(
        h,
        "<p class=\"muted\">As of {} ({})",
        time_of(d.as_of),
        esc(&d.as_of_source)
    );
    if let Some(url) = &d.repository {
        let _ = write!(h, " · {}", web_link(Some(url), "repository"));
    }
    h.push_str("</p>\n");
    h.push_str("<nav aria-label=\"Sections\"><ul>");
    h.push_str("<li><a href=\"#environments\">Environments</a></li>");
    h.push_str("<li><a href=\"#next\">Next release</a></li>");
    h.push_str("<li><a href=\"#history\">Release history</a></li>");
    h.push_str("</ul></nav>\n");
    if !d.packages.is_empty() {
        h.push_str("<form id=\"filter\" class=\"filter\" role=\"search\" hidden>");
        h.push_str("<label for=\"package-filter\">Package </label>");
        h.push_str("<select id=\"package-filter\"><option value=\"\">All packages</option>");
        for p in &d.packages {
            let _ = write!(h, "<option value=\"{0}\">{0}</option>", esc(p));
        }
        h.push_str("</select></form>\n");
    }

    let mut b = String::new();
    environments(&mut b, d);
    next_releases(&mut b, d);
    history(&mut b, d);
    document(
        &format!("{} releases", d.title),
        "",
        &h,
        &b,
        !d.packages.is_empty(),
    )
}

fn environments(b: &mut String, d: &Dashboard) {
    b.push_str("<section id=\"environments\" aria-labelledby=\"environments-title\">\n");
    b.push_str("<h2 id=\"environments-title\">Environments</h2>\n");
    if d.environments.is_empty() {
        b.push_str("<p>No environments are configured and nothing was deployed. Configure <code>[environments.NAME]</code> in <code>.release.toml</code> and record deployments with <code>git release deploy</code>.</p>\n</section>\n");
        return;
    }
    b.push_str("<div class=\"table-wrap\">\n<table class=\"stack\">\n<caption>What each environment runs, in promotion order</caption>\n");
    b.push_str("<thead><tr><th scope=\"col\">Environment</th><th scope=\"col\">Runs</th><th scope=\"col\">Since</th><th scope=\"col\">Last deployment</th><th scope=\"col\">Waiting to be promoted</th></tr></thead>\n<tbody>\n");
    for e in &d.environments {
        environment_row(b, e, d.as_of);
    }
    b.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn environment_row(b: &mut String, e: &Environment, as_of: i64) {
    let s = &e.state;
    let _ = writeln!(b, "<tr{}>", if s.alert { " class=\"alert\"" } else { "" });
    let _ = writeln!(
        b,
        "<th scope=\"row\" data-label=\"Environment\">{}</th>",
        esc(&s.env)
    );
    let runs = match (&s.running, &e.running_page) {
        (Some(tag), Some(page)) => format!("<a href=\"{}\">{}</a>", esc(page), esc(tag)),
        (Some(tag), None) => esc(tag),
        (None, _) => "<span class=\"muted\">nothing</span>".to_owned(),
    };
    let _ = writeln!(b, "<td data-label=\"Runs\">{runs}</td>");
    let since = match &s.since {
        Some(at) => format!(
            "{} <span class=\"muted\">({})</span>",
            time(at),
            ago(at, as_of)
        ),
        None => "—".to_owned(),
    };
    let _ = writeln!(b, "<td data-label=\"Since\">{since}</td>");
    let last = match (&s.last_tag, s.last_status, &s.last_at) {
        (Some(tag), Some(status), Some(at)) => {
            let mut last = format!("{} {} at {}", status_badge(status), esc(tag), time(at));
            if s.alert {
                last.push_str(" <strong>needs attention</strong>");
            }
            last
        }
        _ => "<span class=\"muted\">never deployed</span>".to_owned(),
    };
    let _ = writeln!(b, "<td data-label=\"Last deployment\">{last}</td>");
    b.push_str("<td data-label=\"Waiting to be promoted\">");
    if e.pending.is_empty() {
        b.push_str("<span class=\"muted\">nothing</span>");
    } else {
        b.push_str("<ul class=\"bare\">");
        for p in &e.pending {
            let _ = write!(
                b,
                "<li><strong>{}</strong> <span class=\"muted\">(runs in {})</span>: ",
                esc(&p.tag),
                esc(&p.from.join(", "))
            );
            if p.waits_for.is_empty() {
                let _ = write!(
                    b,
                    "{} <code>git release deploy {} --env {} --status started</code>",
                    badge("ok", "ready"),
                    esc(&p.tag),
                    esc(&s.env)
                );
            } else {
                b.push_str(&badge("warn", "waiting"));
                b.push_str("<ul>");
                for w in &p.waits_for {
                    let _ = write!(b, "<li>{}</li>", esc(w));
                }
                b.push_str("</ul>");
            }
            b.push_str("</li>");
        }
        b.push_str("</ul>");
    }
    b.push_str("</td>\n</tr>\n");
}

fn requirement(b: &mut String, r: &Requirement) {
    let _ = write!(
        b,
        "<li>{} <strong>{}</strong>: {}",
        if r.ok {
            badge("ok", "met")
        } else {
            badge("bad", "not met")
        },
        esc(&r.name),
        esc(&r.detail)
    );
    if let Some(fix) = r.fix.as_deref().filter(|_| !r.ok) {
        let _ = write!(
            b,
            "<br><span class=\"muted\">To meet it:</span> <code>{}</code>",
            esc(fix)
        );
    }
    b.push_str("</li>\n");
}

fn next_releases(b: &mut String, d: &Dashboard) {
    b.push_str("<section id=\"next\" aria-labelledby=\"next-title\">\n");
    b.push_str("<h2 id=\"next-title\">Next release</h2>\n");
    for n in &d.next {
        next_release(b, n, !d.packages.is_empty());
    }
    b.push_str("</section>\n");
}

fn next_release(b: &mut String, n: &Next, monorepo: bool) {
    let _ = writeln!(
        b,
        "<article class=\"card\"{}>",
        package_attr(n.package.as_deref())
    );
    let who = match &n.package {
        Some(p) if monorepo => format!("{}: ", esc(p)),
        _ => String::new(),
    };
    let (Some(version), Some(tag)) = (&n.version, &n.tag) else {
        let _ = writeln!(b, "<h3>{who}nothing to release</h3>");
        let _ = writeln!(b, "<p>{}</p>", esc(&n.reason));
        b.push_str("</article>\n");
        return;
    };
    let _ = writeln!(
        b,
        "<h3>{who}{} <span class=\"muted\">(tag {})</span></h3>",
        esc(version),
        esc(tag)
    );
    let _ = writeln!(
        b,
        "<p><span class=\"badge plain\">{}</span> {}</p>",
        esc(&n.bump),
        esc(&n.reason)
    );
    if let Some(risk) = &n.risk {
        let class = match risk.level {
            Level::Low => "ok",
            Level::Medium => "warn",
            Level::High => "bad",
        };
        let _ = writeln!(
            b,
            "<h4>Risk: {}</h4>\n<ul>",
            badge(class, risk.level.as_str())
        );
        for point in &risk.points {
            let _ = writeln!(b, "<li>{}</li>", esc(point));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<h4>Gate</h4>\n");
    let window = n
        .requirements
        .iter()
        .find(|r| r.name.starts_with("release window"));
    if n.requirements.is_empty() {
        b.push_str("<p>No requirements: the policy asks for nothing.</p>\n");
    } else {
        let _ = writeln!(
            b,
            "<p>{} <span class=\"muted\">(policy: {})</span></p>\n<ul class=\"reqs\">",
            if n.gate_ok {
                badge("ok", "met")
            } else {
                badge("bad", "not met")
            },
            esc(n.policy.as_deref().unwrap_or("none"))
        );
        for r in &n.requirements {
            requirement(b, r);
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<h4>Release window</h4>\n");
    match window {
        Some(w) => {
            let _ = writeln!(
                b,
                "<p>{} {}</p>",
                if w.ok {
                    badge("ok", "open")
                } else {
                    badge("bad", "closed")
                },
                esc(&w.detail)
            );
        }
        None => b.push_str("<p>No release window or freeze is configured.</p>\n"),
    }
    if let Some(release) = &n.release {
        b.push_str("<h4>Changes</h4>\n");
        notes(b, release, 5);
    }
    b.push_str("</article>\n");
}

fn commit_item(b: &mut String, c: &Commit) {
    b.push_str("<li>");
    if let Some(scope) = &c.scope {
        let _ = write!(b, "<strong>{}:</strong> ", esc(scope));
    }
    b.push_str(&esc(&c.description));
    let _ = write!(
        b,
        " <span class=\"muted\">({}, {})</span>",
        web_link(c.url.as_deref(), &c.short_id),
        esc(&c.author.name)
    );
    b.push_str("</li>\n");
}

/// A release's commits as the notes group them. `level` is the heading
/// level of the groups.
fn notes(b: &mut String, r: &Release, level: u8) {
    if !r.breaking_changes.is_empty() {
        let _ = writeln!(b, "<h{level}>Breaking changes</h{level}>\n<ul>");
        for c in &r.breaking_changes {
            b.push_str("<li>");
            if let Some(scope) = &c.scope {
                let _ = write!(b, "<strong>{}:</strong> ", esc(scope));
            }
            let _ = writeln!(
                b,
                "{} <span class=\"muted\">({})</span></li>",
                esc(&c.description),
                web_link(c.commit.url.as_deref(), &c.commit.short_id)
            );
        }
        b.push_str("</ul>\n");
    }
    for section in &r.sections {
        let _ = writeln!(b, "<h{level}>{}</h{level}>\n<ul>", esc(&section.title));
        for c in &section.commits {
            commit_item(b, c);
        }
        b.push_str("</ul>\n");
    }
    if r.sections.is_empty() && r.breaking_changes.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"muted\">No changes to show ({} commit(s), none in a changelog section).</p>",
            r.statistics.commits
        );
    }
}

fn evidence_badges(e: &Evidence) -> String {
    let mut s = String::new();
    if !e.recorded {
        s.push_str(&badge("warn", "no release record"));
        s.push(' ');
    }
    if e.tested.is_empty() {
        s.push_str(&badge("plain", "not tested"));
    } else {
        s.push_str(&badge("ok", &format!("tested: {}", e.tested.join(", "))));
    }
    s.push(' ');
    if e.approved.is_empty() {
        s.push_str(&badge("plain", "not approved"));
    } else {
        s.push_str(&badge(
            "ok",
            &format!("approved: {}", e.approved.join(", ")),
        ));
    }
    s.push(' ');
    if e.signed {
        s.push_str(&badge("ok", "signed"));
        s.push(' ');
    }
    s.push_str(&if e.trusted {
        badge("ok", "trusted")
    } else {
        badge("bad", "not verified")
    });
    s
}

fn deployments_cell(row: &HistoryRow) -> String {
    if row.deployments.is_empty() {
        return "<span class=\"muted\">not deployed</span>".to_owned();
    }
    let mut s = String::from("<ul class=\"bare\">");
    for (env, status, at) in &row.deployments {
        let _ = write!(
            s,
            "<li>{} {} <span class=\"muted\">{}</span></li>",
            esc(env),
            status_badge(*status),
            time(at)
        );
    }
    s.push_str("</ul>");
    s
}

fn history(b: &mut String, d: &Dashboard) {
    b.push_str("<section id=\"history\" aria-labelledby=\"history-title\">\n");
    b.push_str("<h2 id=\"history-title\">Release history</h2>\n");
    if d.history.is_empty() {
        b.push_str(
            "<p>No releases yet. <code>git release tag</code> makes the first.</p>\n</section>\n",
        );
        return;
    }
    let _ = writeln!(
        b,
        "<div class=\"table-wrap\">\n<table class=\"stack\">\n<caption>{} release(s), newest first</caption>",
        d.history.len()
    );
    b.push_str("<thead><tr><th scope=\"col\">Release</th><th scope=\"col\">Date</th><th scope=\"col\">Bump and why</th><th scope=\"col\">Evidence</th><th scope=\"col\">Deployments</th></tr></thead>\n<tbody>\n");
    for row in &d.history {
        let _ = writeln!(b, "<tr{}>", package_attr(row.package.as_deref()));
        let _ = writeln!(
            b,
            "<th scope=\"row\" data-label=\"Release\"><a href=\"{}\">{}</a></th>",
            esc(&row.page),
            esc(&row.tag)
        );
        let _ = writeln!(b, "<td data-label=\"Date\">{}</td>", esc(&row.date));
        let mut why = format!(
            "<span class=\"badge plain\">{}</span> {} commit(s)",
            esc(row.bump.as_deref().unwrap_or("?")),
            row.commits
        );
        if row.breaking > 0 {
            let _ = write!(
                why,
                ", {}",
                badge("bad", &format!("{} breaking", row.breaking))
            );
        }
        if let Some(reason) = &row.reason {
            let _ = write!(why, "<br>{}", esc(reason));
        }
        let _ = writeln!(b, "<td data-label=\"Bump and why\">{why}</td>");
        let _ = writeln!(
            b,
            "<td data-label=\"Evidence\">{}</td>",
            evidence_badges(&row.evidence)
        );
        let _ = writeln!(
            b,
            "<td data-label=\"Deployments\">{}</td>\n</tr>",
            deployments_cell(row)
        );
    }
    b.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// One release's page (`releases/<tag>.html`).
pub fn release_page(p: &ReleasePage<'_>) -> String {
    let row = p.row;
    let r = p.release;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<nav aria-label=\"Breadcrumb\"><a href=\"../index.html\">{} releases</a></nav>",
        esc(p.title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&row.tag));
    let _ = writeln!(
        h,
        "<p class=\"muted\">Released {}{}</p>",
        esc(&row.date),
        row.package
            .as_deref()
            .map_or_else(String::new, |p| format!(" · package {}", esc(p)))
    );
    let mut b = String::new();
    b.push_str("<section aria-labelledby=\"facts-title\">\n<h2 id=\"facts-title\">Release</h2>\n<dl class=\"facts\">\n");
    let _ = writeln!(b, "<dt>Version</dt><dd>{}</dd>", esc(&row.version));
    let previous = match (&r.previous_tag, &p.previous_page) {
        (Some(tag), Some(page)) => format!("<a href=\"../{}\">{}</a>", esc(page), esc(tag)),
        (Some(tag), None) => esc(tag),
        (None, _) => "none (the first release)".to_owned(),
    };
    let _ = writeln!(b, "<dt>Previous</dt><dd>{previous}</dd>");
    let _ = writeln!(
        b,
        "<dt>Bump</dt><dd>{}</dd>",
        esc(row.bump.as_deref().unwrap_or("unknown"))
    );
    if let Some(reason) = &row.reason {
        let _ = writeln!(b, "<dt>Why</dt><dd>{}</dd>", esc(reason));
    }
    let _ = writeln!(
        b,
        "<dt>Commits</dt><dd>{} ({} contributor(s))</dd>",
        row.commits,
        r.contributors.len()
    );
    let _ = writeln!(
        b,
        "<dt>Evidence</dt><dd>{}</dd>",
        evidence_badges(&row.evidence)
    );
    let mut links = Vec::new();
    if let Some(url) = &r.links.tag {
        links.push(web_link(Some(url), "tag"));
    }
    if let Some(url) = &r.links.compare {
        links.push(web_link(Some(url), "changes since the previous release"));
    }
    if !links.is_empty() {
        let _ = writeln!(b, "<dt>Links</dt><dd>{}</dd>", links.join(" · "));
    }
    b.push_str("</dl>\n</section>\n");

    b.push_str("<section aria-labelledby=\"deployments-title\">\n<h2 id=\"deployments-title\">Deployments</h2>\n");
    if p.deployments.is_empty() {
        b.push_str("<p>Not deployed.</p>\n");
    } else {
        b.push_str("<div class=\"table-wrap\">\n<table class=\"stack\">\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Environment</th><th scope=\"col\">Status</th><th scope=\"col\">By</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n");
        for d in p.deployments {
            let alert = matches!(d.status, Status::Failed | Status::RolledBack);
            let note = match (&d.note, &d.url) {
                (Some(note), url) => web_link(url.as_deref(), note),
                (None, Some(url)) => web_link(Some(url), url),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                b,
                "<tr{}><td data-label=\"When\">{}</td><td data-label=\"Environment\">{}</td><td data-label=\"Status\">{}</td><td data-label=\"By\">{}</td><td data-label=\"Note\">{note}</td></tr>",
                if alert { " class=\"alert\"" } else { "" },
                time(&d.at),
                esc(&d.env),
                status_badge(d.status),
                esc(&d.by)
            );
        }
        b.push_str("</tbody>\n</table>\n</div>\n");
    }
    b.push_str("</section>\n");

    b.push_str("<section aria-labelledby=\"notes-title\">\n<h2 id=\"notes-title\">Notes</h2>\n");
    notes(&mut b, r, 3);
    if !r.contributors.is_empty() {
        b.push_str("<h3>Contributors</h3>\n<ul>\n");
        for c in &r.contributors {
            let _ = writeln!(b, "<li>{} ({})</li>", esc(&c.name), c.commits);
        }
        b.push_str("</ul>\n");
    }
    for line in &r.notes {
        let _ = writeln!(b, "<p>{}</p>", esc(line));
    }
    b.push_str("</section>\n");
    if let Some(record) = p.record {
        b.push_str("<section aria-labelledby=\"record-title\">\n<h2 id=\"record-title\">Release record</h2>\n");
        let _ = writeln!(b, "<pre>{}</pre>", esc(record.trim_end()));
        b.push_str("</section>\n");
    }
    document(&format!("{} — {}", row.tag, p.title), "../", &h, &b, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_refuses_script_links() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(web_link(Some("javascript:alert(1)"), "x"), "x");
        assert_eq!(
            web_link(Some("https://e.org/?a=1&b=\"2\""), "<x>"),
            "<a href=\"https://e.org/?a=1&amp;b=&quot;2&quot;\">&lt;x&gt;</a>"
        );
        assert_eq!(ago("2023-11-14T10:00:00Z", 1_700_042_400), "24 hours ago");
        assert_eq!(ago("2023-11-10T10:00:00Z", 1_700_042_400), "5 days ago");
    }
}
