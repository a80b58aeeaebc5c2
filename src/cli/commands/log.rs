//! `git release log`: every release, newest first, from git alone: version,
//! date, commit count, bump and why (from the release record in the tag),
//! who approved, which suites passed, and where it was deployed.

use serde::Serialize;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::ledger::{Deploy, Status};
use crate::render::tag_record;

/// One release in the log.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// The package, if any.
    pub package: Option<String>,
    /// The version.
    pub version: String,
    /// The tag.
    pub tag: String,
    /// The tag's date, `YYYY-MM-DD`.
    pub date: String,
    /// Commits in the release (from the release record), if known.
    pub commits: Option<u64>,
    /// The bump (from the release record), if known.
    pub bump: Option<String>,
    /// Why (from the release record), if known.
    pub reason: Option<String>,
    /// Who approved it.
    pub approved_by: Vec<String>,
    /// Which suites passed.
    pub tested: Vec<String>,
    /// Each environment it reached, with its latest status there.
    pub environments: Vec<EnvState>,
    /// Whether the tag carries a release record (made by `git release tag`).
    pub recorded: bool,
    /// Whether HEAD's history contains the release (false for tags on other
    /// branches or unrelated histories).
    pub reachable: bool,
}

/// A release's state in one environment.
#[derive(Debug, Serialize)]
pub struct EnvState {
    /// The environment.
    pub env: String,
    /// Its latest status there.
    pub status: Status,
    /// When.
    pub at: String,
}

/// Deployments of one tag, latest per environment.
pub fn environments(records: &[Deploy], tag: &str) -> Vec<EnvState> {
    let mut states: Vec<EnvState> = Vec::new();
    for d in records.iter().filter(|d| d.tag == tag) {
        match states.iter_mut().find(|s| s.env == d.env) {
            Some(state) => {
                state.status = d.status;
                state.at = d.at.clone();
            }
            None => states.push(EnvState {
                env: d.env.clone(),
                status: d.status,
                at: d.at.clone(),
            }),
        }
    }
    states
}

/// The bump that leads from one version to the next, in words.
fn bump_between(previous: &semver::Version, version: &semver::Version) -> String {
    if !version.pre.is_empty() {
        "pre-release"
    } else if version.major != previous.major {
        "major"
    } else if version.minor != previous.minor {
        "minor"
    } else {
        "patch"
    }
    .to_owned()
}

/// Prints the log.
pub fn run(env: &Env) -> Result<Outcome, Error> {
    let (records, _) = crate::ledger::read(&env.repo)?;
    let head = env.repo.head().ok();
    let mut indexes = Vec::new();
    for package in &env.packages {
        indexes.push(crate::history::scope::index(&env.repo, &package.template)?);
    }
    let tagged: std::collections::HashSet<git2::Oid> = indexes
        .iter()
        .flat_map(|index| index.releases.iter().map(|t| t.commit))
        .collect();
    let in_head = match head {
        Some(head) => env.repo.reachable_among(head, &tagged)?,
        None => Default::default(),
    };
    let mut entries = Vec::new();
    for (package, index) in env.packages.iter().zip(&indexes) {
        let mut describer = None;
        for tag in &index.releases {
            let message = env.repo.tag_message(&tag.name).unwrap_or_default();
            let record = tag_record::parse(&message);
            // A release the tool did not tag: its commits and bump counted
            // from history.
            let (mut commits, mut bump) = (record.commits, record.bump.clone());
            if !record.recorded {
                if describer.is_none() {
                    describer = Some(crate::render::describe::Describer::new(
                        &env.repo,
                        &env.config,
                        package,
                        false,
                    )?);
                }
                if let Some(release) = describer.as_ref().and_then(|d| d.tag(&tag.name).ok()) {
                    commits = Some(release.statistics.commits as u64);
                    bump = release
                        .previous_version
                        .as_deref()
                        .and_then(|p| semver::Version::parse(p).ok())
                        .map(|previous| bump_between(&previous, &tag.version))
                        .or_else(|| {
                            release
                                .previous_version
                                .is_none()
                                .then(|| "initial".to_owned())
                        });
                }
            }
            entries.push(Entry {
                package: package.name.clone(),
                version: tag.version.to_string(),
                tag: tag.name.clone(),
                date: crate::render::context::ymd(env.repo.tag_date(&tag.name, tag.commit)),
                commits,
                bump,
                reason: record.reason,
                approved_by: record.approved_by,
                tested: record.tested,
                environments: environments(&records, &tag.name),
                recorded: record.recorded,
                reachable: in_head.contains(&tag.commit),
            });
        }
    }
    entries.sort_by(|a, b| {
        b.date.cmp(&a.date).then_with(|| {
            let va = semver::Version::parse(&a.version).ok();
            let vb = semver::Version::parse(&b.version).ok();
            vb.cmp(&va)
        })
    });
    if env.out.json() {
        env.out.json_value(&entries)?;
        return Ok(Outcome::Success);
    }
    let mut s = String::new();
    for e in &entries {
        let commits = e.commits.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let bump = e.bump.as_deref().unwrap_or("?");
        s.push_str(&format!(
            "{}  {}  {commits} commit(s), {bump}",
            e.date, e.tag
        ));
        if !e.recorded {
            s.push_str("  (no release record: counted from history)");
        }
        if !e.reachable {
            s.push_str("  (not in HEAD's history)");
        }
        s.push('\n');
        if let Some(reason) = &e.reason {
            s.push_str(&format!("    why: {reason}\n"));
        }
        if !e.tested.is_empty() {
            s.push_str(&format!("    tested: {}\n", e.tested.join("; ")));
        }
        if !e.approved_by.is_empty() {
            s.push_str(&format!("    approved: {}\n", e.approved_by.join("; ")));
        }
        if !e.environments.is_empty() {
            let envs: Vec<String> = e
                .environments
                .iter()
                .map(|x| format!("{} {}", x.env, x.status.as_str()))
                .collect();
            s.push_str(&format!("    deployed: {}\n", envs.join(", ")));
        }
    }
    if entries.is_empty() {
        s.push_str("no releases yet\n");
    }
    env.out.write(&s)?;
    Ok(Outcome::Success)
}
