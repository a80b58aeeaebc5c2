//! Requirements: the release policy evaluated against the evidence for one
//! candidate, one requirement at a time, each with what satisfied it or what
//! is missing and the command that would supply it. Pure.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::gate::evidence::{Claim, Record};
use crate::gate::policy::Policy;
use crate::history::trailer::Trailer;

/// What is being released.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The candidate commit.
    pub commit: String,
    /// Its tree.
    pub tree: String,
    /// The tag it will get.
    pub tag: String,
    /// E-mails of everyone who took part in the commits in scope: authors,
    /// committers and co-authors of every commit, merges included, raw and
    /// as the trusted `.mailmap` maps them.
    pub authors: Vec<String>,
    /// E-mail → the identity the trusted `.mailmap` maps it to, for the
    /// e-mails of participants and of records.
    pub aliases: Vec<(String, String)>,
    /// E-mail of the person tagging (or deploying).
    pub tagger: Option<String>,
    /// For a deployment: the environment approvals must name. `None`: the
    /// release itself.
    pub environment: Option<String>,
    /// Trailers of commits in scope (for `commit-trailers`).
    pub trailers: Vec<(String, Trailer)>,
}

impl Subject {
    /// The identity an e-mail stands for under the trusted `.mailmap`.
    fn canonical<'e>(&'e self, email: &'e str) -> &'e str {
        self.aliases
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(email))
            .map_or(email, |(_, canonical)| canonical.as_str())
    }

    /// Whether this e-mail, or the identity it maps to, took part in the
    /// release.
    pub fn took_part(&self, email: &str) -> bool {
        let canonical = self.canonical(email);
        self.authors.iter().any(|a| {
            a.eq_ignore_ascii_case(email)
                || a.eq_ignore_ascii_case(canonical)
                || self.canonical(a).eq_ignore_ascii_case(canonical)
        })
    }

    /// Whether this e-mail is the tagger's, or maps to the same identity.
    fn is_tagger(&self, email: &str) -> bool {
        self.tagger.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(email)
                || self
                    .canonical(t)
                    .eq_ignore_ascii_case(self.canonical(email))
        })
    }
}

/// One requirement's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// What is required (`tests: unit`, `approvals`, `release window`).
    pub name: String,
    /// Whether it is met.
    pub ok: bool,
    /// What satisfied it, or what is missing.
    pub detail: String,
    /// The command that would supply what is missing.
    pub fix: Option<String>,
    /// Records that did not count, with the reason.
    pub rejected: Vec<String>,
}

/// The gate's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// All requirements met.
    pub ok: bool,
    /// Where the policy came from.
    pub policy: String,
    /// The candidate commit.
    pub commit: String,
    /// The tag.
    pub tag: String,
    /// Each requirement.
    pub requirements: Vec<Requirement>,
    /// Records that satisfied requirements (for the release record).
    pub evidence: Vec<String>,
    /// Malformed records found (never trusted).
    pub malformed: Vec<String>,
}

/// Checks a record's signature: the signing key's fingerprint, or why the
/// record does not count.
pub type Verify<'a> = &'a dyn Fn(&Record) -> Result<String, String>;

/// Whether an e-mail matches a pattern with `*` and `?` (case-insensitive).
pub fn email_matches(pattern: &str, email: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), email.as_bytes())
}

/// The suite a `Tested-by` trailer names: `… (unit)` or `… suite=unit`.
fn trailer_suite(value: &str) -> Option<&str> {
    let value = value.trim();
    if let Some(rest) = value.strip_suffix(')') {
        return rest.rsplit_once('(').map(|(_, s)| s.trim());
    }
    value
        .split_whitespace()
        .find_map(|w| w.strip_prefix("suite="))
}

fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

/// Common checks: binding, age and signature. `Err` says why it does not count.
fn admissible(
    record: &Record,
    subject: &Subject,
    policy: &Policy,
    now: Timestamp,
    verify: Verify<'_>,
) -> Result<Option<String>, String> {
    let who = format!("{} <{}>", record.name, record.email);
    if record.commit != subject.commit {
        return Err(format!(
            "{who}: recorded for commit {}, not {}",
            short(&record.commit),
            short(&subject.commit)
        ));
    }
    if record.tree != subject.tree {
        return Err(format!(
            "{who}: recorded for tree {}, not this commit's tree {}",
            short(&record.tree),
            short(&subject.tree)
        ));
    }
    match record.timestamp() {
        // A clock skew of a few minutes is tolerated; a record from the
        // future would otherwise outrank every later real one.
        Some(at) if at.duration_since(now) > SignedDuration::from_mins(10) => {
            return Err(format!("{who}: recorded in the future ({})", record.at));
        }
        Some(at)
            if policy
                .max_age
                .is_some_and(|max| now.duration_since(at) > max) =>
        {
            return Err(format!(
                "{who}: recorded at {}, older than `max-age`",
                record.at
            ));
        }
        Some(_) => {}
        None => {
            return Err(format!(
                "{who}: the record's time `{}` is not a time",
                record.at
            ));
        }
    }
    if policy.signed {
        if record.signature.is_none() {
            return Err(format!(
                "{who}: not signed, and the policy requires signatures"
            ));
        }
        let key = verify(record).map_err(|e| format!("{who}: signature does not verify: {e}"))?;
        return Ok(Some(key));
    }
    Ok(None)
}

/// Evaluates the policy.
pub fn evaluate(
    policy: &Policy,
    subject: &Subject,
    records: &[Record],
    malformed: Vec<String>,
    now: Timestamp,
    verify: Verify<'_>,
    override_window: Option<&str>,
) -> Report {
    let mut requirements = Vec::new();
    let mut evidence = Vec::new();

    for suite in &policy.tests {
        let mut rejected = Vec::new();
        let mut latest: Option<&Record> = None;
        for record in records {
            let Claim::Test { suite: s, .. } = &record.claim else {
                continue;
            };
            if s != suite {
                continue;
            }
            match admissible(record, subject, policy, now, verify) {
                Ok(_) => {
                    if latest.is_none_or(|l| record.order() >= l.order()) {
                        latest = Some(record);
                    }
                }
                Err(why) => rejected.push(why),
            }
        }
        let fix = Some(format!(
            "git release test --suite {suite} -- <test command>"
        ));
        let requirement = match latest {
            Some(
                record @ Record {
                    claim:
                        Claim::Test {
                            passed: true,
                            command,
                            ..
                        },
                    ..
                },
            ) => {
                let signed = if record.signature.is_some() && verify(record).is_ok() {
                    ", signed"
                } else {
                    ""
                };
                let line = format!(
                    "passed on tree {} at {} by {} <{}>{signed}: `{command}`",
                    short(&subject.tree),
                    record.at,
                    record.name,
                    record.email
                );
                evidence.push(format!(
                    "Tested-by: {} <{}> (suite {suite}, {}){signed}",
                    record.name, record.email, record.at
                ));
                Requirement {
                    name: format!("tests: {suite}"),
                    ok: true,
                    detail: line,
                    fix: None,
                    rejected,
                }
            }
            Some(record) => Requirement {
                name: format!("tests: {suite}"),
                ok: false,
                detail: format!(
                    "the latest run on tree {} failed ({} by {})",
                    short(&subject.tree),
                    record.at,
                    record.email
                ),
                fix,
                rejected,
            },
            None => {
                let trailer = (policy.commit_trailers && !policy.signed).then(|| {
                    subject.trailers.iter().find(|(_, t)| {
                        t.key.eq_ignore_ascii_case("Tested-by")
                            && trailer_suite(&t.value) == Some(suite.as_str())
                    })
                });
                match trailer.flatten() {
                    Some((commit, t)) => {
                        evidence.push(format!(
                            "Tested-by: {} (suite {suite}, trailer in {})",
                            t.value,
                            short(commit)
                        ));
                        Requirement {
                            name: format!("tests: {suite}"),
                            ok: true,
                            detail: format!("`Tested-by: {}` in commit {}", t.value, short(commit)),
                            fix: None,
                            rejected,
                        }
                    }
                    None => Requirement {
                        name: format!("tests: {suite}"),
                        ok: false,
                        detail: format!(
                            "no passing run of `{suite}` is recorded for tree {}",
                            short(&subject.tree)
                        ),
                        fix,
                        rejected,
                    },
                }
            }
        };
        requirements.push(requirement);
    }

    if policy.approvals > 0 {
        let mut rejected = Vec::new();
        let mut approvers: Vec<(String, String)> = Vec::new();
        let mut keys: Vec<(String, String)> = Vec::new();
        let mut consider = |who_name: &str,
                            email: &str,
                            source: String,
                            rejected: &mut Vec<String>| {
            let who = format!("{who_name} <{email}>");
            if !policy.approvers.is_empty()
                && !policy.approvers.iter().any(|p| email_matches(p, email))
            {
                rejected.push(format!(
                    "{who}: not an allowed approver ({})",
                    policy.approvers.join(", ")
                ));
                return;
            }
            if !policy.self_approval {
                if subject.took_part(email) {
                    rejected.push(format!(
                            "{who}: authored or committed a change in this release, and self-approval is off"
                        ));
                    return;
                }
                if subject.is_tagger(email) {
                    rejected.push(format!(
                        "{who}: is the person tagging, and self-approval is off"
                    ));
                    return;
                }
            }
            if approvers.iter().any(|(e, _)| e.eq_ignore_ascii_case(email)) {
                return;
            }
            approvers.push((email.to_owned(), source));
        };
        for record in records {
            // Approvals to deploy somewhere are not approvals to release,
            // nor to deploy somewhere else.
            let Claim::Approval { tag, env } = &record.claim else {
                continue;
            };
            if env.as_deref() != subject.environment.as_deref() {
                continue;
            }
            if *tag != subject.tag {
                rejected.push(format!(
                    "{} <{}>: approves tag `{tag}`, not `{}`",
                    record.name, record.email, subject.tag
                ));
                continue;
            }
            let key = match admissible(record, subject, policy, now, verify) {
                Ok(key) => key,
                Err(why) => {
                    rejected.push(why);
                    continue;
                }
            };
            if let Some(key) = &key {
                // One key is one person, whatever e-mail the record claims.
                if let Some((_, first)) = keys.iter().find(|(k, _)| k == key) {
                    if !first.eq_ignore_ascii_case(&record.email) {
                        rejected.push(format!(
                            "{} <{}>: signed with the same key as {first}; one key counts once",
                            record.name, record.email
                        ));
                    }
                    continue;
                }
                keys.push((key.clone(), record.email.clone()));
            }
            let signed = if key.is_some() || (record.signature.is_some() && verify(record).is_ok())
            {
                ", signed"
            } else {
                ""
            };
            consider(
                &record.name,
                &record.email,
                format!(
                    "Approved-by: {} <{}> ({}{signed})",
                    record.name, record.email, record.at
                ),
                &mut rejected,
            );
        }
        if policy.commit_trailers && !policy.signed {
            for (commit, trailer) in &subject.trailers {
                let key = trailer.key.to_ascii_lowercase();
                if !matches!(key.as_str(), "approved-by" | "reviewed-by" | "acked-by") {
                    continue;
                }
                let value = trailer.value.trim();
                let Some((name, email)) = value.strip_suffix('>').and_then(|v| v.rsplit_once('<'))
                else {
                    continue;
                };
                consider(
                    name.trim(),
                    email.trim(),
                    format!("{}: {value} (trailer in {})", trailer.key, short(commit)),
                    &mut rejected,
                );
            }
        }
        let ok = approvers.len() >= policy.approvals;
        let names: Vec<&str> = approvers.iter().map(|(e, _)| e.as_str()).collect();
        let detail = if ok {
            format!(
                "{} of {} by {}",
                approvers.len(),
                policy.approvals,
                names.join(", ")
            )
        } else if approvers.is_empty() {
            format!(
                "0 of {} approvals for `{}` at {}",
                policy.approvals,
                subject.tag,
                short(&subject.commit)
            )
        } else {
            format!(
                "{} of {} approvals ({})",
                approvers.len(),
                policy.approvals,
                names.join(", ")
            )
        };
        evidence.extend(approvers.iter().map(|(_, s)| s.clone()));
        requirements.push(Requirement {
            name: "approvals".to_owned(),
            ok,
            detail,
            fix: (!ok).then(|| {
                format!(
                    "git release approve {} --tag {}   (by an allowed approver)",
                    short(&subject.commit),
                    subject.tag
                )
            }),
            rejected,
        });
    }

    if let Some(window) = &policy.window {
        let requirement = match (window.check(now), override_window) {
            (Ok(detail), _) => Requirement { name: "release window".to_owned(), ok: true, detail, fix: None, rejected: Vec::new() },
            (Err(why), Some(reason)) => {
                evidence.push(format!("Window-Override: {reason}"));
                Requirement {
                    name: "release window".to_owned(),
                    ok: true,
                    detail: format!("{why}; overridden: {reason}"),
                    fix: None,
                    rejected: Vec::new(),
                }
            }
            (Err(why), None) => Requirement {
                name: "release window".to_owned(),
                ok: false,
                detail: why,
                fix: Some("wait for the window, or pass `--override-window \"REASON\"` (recorded in the release)".to_owned()),
                rejected: Vec::new(),
            },
        };
        requirements.push(requirement);
    }

    Report {
        ok: requirements.iter().all(|r| r.ok),
        policy: policy.source.clone(),
        commit: subject.commit.clone(),
        tag: subject.tag.clone(),
        requirements,
        evidence,
        malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "1111111111111111111111111111111111111111";
    const T: &str = "2222222222222222222222222222222222222222";

    fn policy() -> Policy {
        Policy {
            tests: vec!["unit".into()],
            approvals: 2,
            approvers: vec!["*@example.com".into()],
            self_approval: false,
            signed: false,
            commit_trailers: false,
            max_age: Some(SignedDuration::from_hours(24)),
            window: None,
            source: "test".into(),
        }
    }

    fn subject() -> Subject {
        Subject {
            commit: C.into(),
            tree: T.into(),
            tag: "v1.1.0".into(),
            authors: vec!["dev@example.com".into()],
            aliases: Vec::new(),
            tagger: Some("tagger@example.com".into()),
            environment: None,
            trailers: Vec::new(),
        }
    }

    fn test(email: &str, passed: bool, tree: &str, at: &str) -> Record {
        Record {
            name: "N".into(),
            email: email.into(),
            claim: Claim::Test {
                suite: "unit".into(),
                passed,
                command: "make test".into(),
            },
            commit: C.into(),
            tree: tree.into(),
            at: at.into(),
            seq: None,
            signature: None,
        }
    }

    fn approval(email: &str, tag: &str, commit: &str) -> Record {
        Record {
            name: "N".into(),
            email: email.into(),
            claim: Claim::Approval {
                tag: tag.into(),
                env: None,
            },
            commit: commit.into(),
            tree: T.into(),
            at: "2026-11-27T08:00:00Z".into(),
            seq: None,
            signature: None,
        }
    }

    fn run(records: &[Record]) -> Report {
        let verify: Verify<'_> = &|r| Ok(r.email.clone());
        evaluate(
            &policy(),
            &subject(),
            records,
            Vec::new(),
            "2026-11-27T09:00:00Z".parse().unwrap(),
            verify,
            None,
        )
    }

    #[test]
    fn met() {
        let report = run(&[
            test("ci@example.com", true, T, "2026-11-27T07:00:00Z"),
            approval("a@example.com", "v1.1.0", C),
            approval("b@example.com", "v1.1.0", C),
        ]);
        assert!(report.ok, "{report:#?}");
        assert_eq!(report.evidence.len(), 3);
    }

    #[test]
    fn each_failure_names_its_reason() {
        let report = run(&[
            test(
                "ci@example.com",
                true,
                &"3".repeat(40),
                "2026-11-27T07:00:00Z",
            ),
            approval("a@example.com", "v1.0.0", C),
            approval("b@example.com", "v1.1.0", &"4".repeat(40)),
            approval("dev@example.com", "v1.1.0", C),
            approval("tagger@example.com", "v1.1.0", C),
            approval("x@evil.org", "v1.1.0", C),
            approval("c@example.com", "v1.1.0", C),
            approval("C@example.com", "v1.1.0", C),
        ]);
        assert!(!report.ok);
        let tests = &report.requirements[0];
        assert!(!tests.ok && tests.rejected[0].contains("tree"), "{tests:?}");
        assert!(
            tests
                .fix
                .as_deref()
                .unwrap()
                .starts_with("git release test --suite unit")
        );
        let approvals = &report.requirements[1];
        assert_eq!(
            approvals.detail, "1 of 2 approvals (c@example.com)",
            "duplicates count once"
        );
        let all = approvals.rejected.join("\n");
        for needle in [
            "approves tag `v1.0.0`",
            "for commit 4444444",
            "authored or committed a change",
            "person tagging",
            "not an allowed approver",
        ] {
            assert!(all.contains(needle), "{needle} in {all}");
        }
    }

    #[test]
    fn latest_run_decides_and_old_runs_expire() {
        let report = run(&[
            test("ci@example.com", true, T, "2026-11-27T06:00:00Z"),
            test("ci@example.com", false, T, "2026-11-27T07:00:00Z"),
        ]);
        assert!(report.requirements[0].detail.contains("failed"));
        let report = run(&[test("ci@example.com", true, T, "2026-11-20T06:00:00Z")]);
        assert!(report.requirements[0].rejected[0].contains("max-age"));
    }

    #[test]
    fn latest_run_is_the_last_recorded_not_the_last_second() {
        // Both in one second: the one recorded later decides, wherever it
        // is in the note.
        let at = "2026-11-27T07:00:00Z";
        let seq = crate::gate::record_order::micros(at.parse().unwrap());
        let pass = Record {
            seq: Some(seq + 1),
            ..test("ci@example.com", true, T, at)
        };
        let fail = Record {
            seq: Some(seq),
            ..test("ci@example.com", false, T, at)
        };
        let report = run(&[pass.clone(), fail.clone()]);
        assert!(report.requirements[0].ok, "{:?}", report.requirements[0]);
        let report = run(&[
            Record {
                seq: Some(seq + 2),
                ..fail
            },
            pass,
        ]);
        assert!(report.requirements[0].detail.contains("failed"));
    }

    #[test]
    fn signatures_when_required() {
        let mut p = policy();
        p.signed = true;
        p.tests.clear();
        p.approvals = 1;
        let mut signed = approval("a@example.com", "v1.1.0", C);
        signed.signature = Some("AAAA".into());
        let unsigned = approval("b@example.com", "v1.1.0", C);
        let verify: Verify<'_> = &|r| {
            if r.email == "a@example.com" {
                Err("bad key".into())
            } else {
                Ok(r.email.clone())
            }
        };
        let report = evaluate(
            &p,
            &subject(),
            &[signed, unsigned],
            Vec::new(),
            "2026-11-27T09:00:00Z".parse().unwrap(),
            verify,
            None,
        );
        assert!(!report.ok);
        let all = report.requirements[0].rejected.join("\n");
        assert!(
            all.contains("not signed") && all.contains("bad key"),
            "{all}"
        );
    }

    #[test]
    fn one_key_counts_once() {
        let mut p = policy();
        p.signed = true;
        p.tests.clear();
        p.approvals = 2;
        let mut b = approval("b@example.com", "v1.1.0", C);
        let mut c = approval("c@example.com", "v1.1.0", C);
        b.signature = Some("AAAA".into());
        c.signature = Some("BBBB".into());
        let verify: Verify<'_> = &|_| Ok("SHA256:same".into());
        let report = evaluate(
            &p,
            &subject(),
            &[b, c],
            Vec::new(),
            "2026-11-27T09:00:00Z".parse().unwrap(),
            verify,
            None,
        );
        assert!(!report.ok);
        assert!(
            report.requirements[0].rejected[0].contains("same key"),
            "{report:#?}"
        );
        assert_eq!(trailer_suite("QA <qa@x> (unit)"), Some("unit"));
        assert_eq!(
            trailer_suite("QA <qa@x> suite=unit-slow"),
            Some("unit-slow")
        );
    }

    #[test]
    fn commit_trailers_count_when_allowed() {
        let mut p = policy();
        p.commit_trailers = true;
        p.approvals = 1;
        let mut s = subject();
        s.trailers = vec![
            (
                C.into(),
                Trailer {
                    key: "Reviewed-by".into(),
                    value: "Rev <rev@example.com>".into(),
                },
            ),
            (
                C.into(),
                Trailer {
                    key: "Tested-by".into(),
                    value: "QA <qa@example.com> (unit)".into(),
                },
            ),
        ];
        let verify: Verify<'_> = &|r| Ok(r.email.clone());
        let report = evaluate(
            &p,
            &s,
            &[],
            Vec::new(),
            "2026-11-27T09:00:00Z".parse().unwrap(),
            verify,
            None,
        );
        assert!(report.ok, "{report:#?}");
    }

    #[test]
    fn patterns() {
        assert!(email_matches("*@example.com", "Ada@Example.com"));
        assert!(!email_matches("*@example.com", "ada@example.com.evil"));
        assert!(email_matches("ada@example.com", "ada@example.com"));
    }
}
