//! The release ledger: deployment records (one line each, in
//! `refs/notes/release/deploys` on the released commit), what each
//! environment runs, promotion rules and rollback targets. Pure.
//!
//! ```text
//! Deployed-to: production succeeded; tag=v1.2.0; commit=<hex>; at=2026-11-27T10:00:00Z; seq=1795780800000000; by="Ada <ada@example.com>"; url=https://…; note="canary ok"
//! ```
//!
//! Records are compared in the order they were recorded in (`seq`, see
//! [`crate::gate::record_order`]), never by the second on their clock, so
//! a failure recorded in the same second as a success still comes after it.

pub mod deploy;
pub mod rollback;

use std::fmt::Write as _;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::Error;
use crate::config::EnvironmentConfig;
use crate::gate::evidence::DEPLOYS_REF;
use crate::gate::record_fields;
use crate::gate::record_order;
use crate::git::identity::Ident;
use crate::git::repo::Repo;
use crate::git::writer::notes;

/// A deployment's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Rolling out.
    Started,
    /// Running and healthy.
    Succeeded,
    /// The rollout failed.
    Failed,
    /// Taken back out.
    RolledBack,
}

impl Status {
    /// As written in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Started => "started",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::RolledBack => "rolled-back",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        match s {
            "started" => Some(Status::Started),
            "succeeded" => Some(Status::Succeeded),
            "failed" => Some(Status::Failed),
            "rolled-back" => Some(Status::RolledBack),
            _ => None,
        }
    }
}

/// One deployment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deploy {
    /// The environment.
    pub env: String,
    /// What happened.
    pub status: Status,
    /// The release tag.
    pub tag: String,
    /// The released commit.
    pub commit: String,
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Its place in the order of recording; `None` in records made before
    /// `seq` existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Who recorded it, `Name <email>`.
    pub by: String,
    /// A link (the deployment, a dashboard).
    pub url: Option<String>,
    /// A free-text note.
    pub note: Option<String>,
}

impl Deploy {
    /// The record as one line.
    pub fn to_line(&self) -> String {
        let mut line = format!(
            "Deployed-to: {} {}; tag={}; commit={}; at={}",
            self.env,
            self.status.as_str(),
            record_fields::quote(&self.tag),
            self.commit,
            self.at,
        );
        if let Some(seq) = self.seq {
            let _ = write!(line, "; seq={seq}");
        }
        let _ = write!(line, "; by={}", record_fields::quote(&self.by));
        if let Some(url) = &self.url {
            let _ = write!(line, "; url={}", record_fields::quote(url));
        }
        if let Some(note) = &self.note {
            let _ = write!(line, "; note={}", record_fields::quote(note));
        }
        line
    }

    /// Parses one line.
    pub fn parse(line: &str) -> Result<Deploy, String> {
        let rest = line
            .trim_end_matches(['\r', '\n'])
            .strip_prefix("Deployed-to: ")
            .ok_or("expected `Deployed-to: ENV STATUS; …`")?;
        let (head, rest) = rest.split_once("; ").unwrap_or((rest, ""));
        let (env, status) = head.split_once(' ').ok_or("expected `ENV STATUS`")?;
        let status = Status::parse(status).ok_or_else(|| format!("unknown status `{status}`"))?;
        let fields = record_fields::parse(rest)?;
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let at = get("at").ok_or("missing `at=`")?;
        if at.parse::<Timestamp>().is_err() {
            return Err(format!("`at` must be an RFC 3339 time, found `{at}`"));
        }
        let commit = get("commit").ok_or("missing `commit=`")?;
        if commit.len() != 40 && commit.len() != 64
            || !commit.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(format!(
                "`commit` must be a full object id, found `{commit}`"
            ));
        }
        let seq = match get("seq") {
            Some(v) => Some(crate::gate::record_order::parse_seq(&v)?),
            None => None,
        };
        Ok(Deploy {
            env: env.to_owned(),
            status,
            tag: get("tag").ok_or("missing `tag=`")?,
            commit,
            at,
            seq,
            by: get("by").unwrap_or_default(),
            url: get("url"),
            note: get("note"),
        })
    }

    /// The record's time.
    pub fn time(&self) -> Timestamp {
        self.at.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The record's place in the order of recording: later records have
    /// higher keys.
    pub fn order(&self) -> u64 {
        crate::gate::record_order::key(self.seq, self.at.parse().ok())
    }
}

/// Parses a note, keeping malformed lines aside (never trusted).
pub fn parse_note(text: &str) -> (Vec<Deploy>, Vec<String>) {
    let mut found = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match Deploy::parse(line) {
            Ok(d) => found.push(d),
            Err(e) => bad.push(format!(
                "{e}: `{}`",
                line.chars().take(120).collect::<String>()
            )),
        }
    }
    (found, bad)
}

/// Sorts records into the order they were recorded in. Records without
/// `seq` that share a second keep the order they were read in; ties between
/// records with `seq` (made at once in two clones) are broken by their text.
pub fn chronological(records: &mut [Deploy]) {
    records.sort_by_cached_key(|d| (d.order(), d.seq.map(|_| d.to_line())));
}

/// The last record of an environment (the last recorded, not the last second).
pub fn latest<'a>(records: &'a [Deploy], env: &str) -> Option<&'a Deploy> {
    records
        .iter()
        .filter(|d| d.env == env)
        .max_by_key(|d| d.order())
}

/// Why `started` in `env` for `tag` is not allowed yet, if it is not.
pub fn promotion_problems(
    records: &[Deploy],
    env: &str,
    config: &EnvironmentConfig,
    tag: &str,
    approvals: usize,
    now: Timestamp,
) -> Vec<String> {
    let mut problems = Vec::new();
    for required in &config.requires {
        let success = records
            .iter()
            .filter(|d| d.env == *required && d.tag == tag && d.status == Status::Succeeded)
            .max_by_key(|d| d.order());
        match success {
            None => problems.push(format!("{tag} has not succeeded in `{required}` yet")),
            Some(d) => {
                if let Some(soak) = config
                    .soak
                    .as_deref()
                    .and_then(|s| crate::config::parse_duration(s).ok())
                {
                    let since = now.duration_since(d.time());
                    if since < soak {
                        let left = soak - since;
                        problems.push(format!(
                            "{tag} succeeded in `{required}` at {}, and `{env}` needs it to soak for {} (about {} left)",
                            d.at,
                            config.soak.as_deref().unwrap_or(""),
                            human(left)
                        ));
                    }
                }
                // A later failure or rollback there undoes the success.
                let later_bad = records.iter().any(|x| {
                    x.env == *required
                        && x.tag == tag
                        && matches!(x.status, Status::Failed | Status::RolledBack)
                        && x.order() > d.order()
                });
                if later_bad {
                    problems.push(format!(
                        "{tag} failed or was rolled back in `{required}` after it succeeded"
                    ));
                }
            }
        }
    }
    if config.approvals > approvals {
        problems.push(format!(
            "`{env}` needs {} approval(s) of {tag} for it, and has {approvals}",
            config.approvals
        ));
    }
    problems
}

fn human(d: SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    if minutes >= 120 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// The release `env` runs now: the newest success there that was not
/// rolled back (or failed) afterwards.
pub fn running<'a>(records: &'a [Deploy], env: &str) -> Option<&'a Deploy> {
    records
        .iter()
        .filter(|d| d.env == env && d.status == Status::Succeeded)
        .filter(|d| {
            !records.iter().any(|x| {
                x.env == env
                    && x.tag == d.tag
                    && matches!(x.status, Status::RolledBack)
                    && x.order() >= d.order()
            })
        })
        .max_by_key(|d| d.order())
}

/// What a rollback of `env` backs out: the latest deployment when it is of
/// another release and did not succeed (a failed or unfinished rollout,
/// which may be partly live), else the release running there.
pub fn rollback_from<'a>(records: &'a [Deploy], env: &str) -> Option<&'a Deploy> {
    let latest = latest(records, env);
    match (latest, running(records, env)) {
        (Some(latest), Some(running))
            if latest.order() > running.order()
                && latest.tag != running.tag
                && matches!(latest.status, Status::Failed | Status::Started) =>
        {
            Some(latest)
        }
        (_, Some(running)) => Some(running),
        (latest, None) => latest,
    }
}

/// One environment as `git release status` and the release dashboard show
/// it: what it runs, since when, and how its latest deployment went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentState {
    /// The environment.
    pub env: String,
    /// The release it runs (the last one that succeeded there, after any rollback).
    pub running: Option<String>,
    /// Since when.
    pub since: Option<String>,
    /// The latest deployment's tag.
    pub last_tag: Option<String>,
    /// The latest deployment's status.
    pub last_status: Option<Status>,
    /// When it was recorded.
    pub last_at: Option<String>,
    /// Whether it needs attention (its latest deployment failed or was rolled back).
    pub alert: bool,
}

/// Every environment's state: the configured ones in the order given, then
/// those only the records name, in the order they first appear.
pub fn environment_states<'a>(
    records: &[Deploy],
    configured: impl IntoIterator<Item = &'a str>,
) -> Vec<EnvironmentState> {
    let mut names: Vec<String> = configured.into_iter().map(str::to_owned).collect();
    for r in records {
        if !names.contains(&r.env) {
            names.push(r.env.clone());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let last = latest(records, &name);
            let running = running(records, &name);
            EnvironmentState {
                running: running.map(|d| d.tag.clone()),
                since: running.map(|d| d.at.clone()),
                last_tag: last.map(|d| d.tag.clone()),
                last_status: last.map(|d| d.status),
                last_at: last.map(|d| d.at.clone()),
                alert: last
                    .is_some_and(|d| matches!(d.status, Status::Failed | Status::RolledBack)),
                env: name,
            }
        })
        .collect()
}

/// The release to roll `env` back to from `current` (what runs there): the
/// newest other release that succeeded there before `current` did, and was
/// not failed or rolled back there afterwards.
pub fn rollback_target<'a>(
    records: &'a [Deploy],
    env: &str,
    current: &Deploy,
) -> Option<&'a Deploy> {
    let since = current.order();
    records
        .iter()
        .filter(|d| {
            d.env == env
                && d.tag != current.tag
                && d.status == Status::Succeeded
                && d.order() <= since
        })
        .filter(|d| {
            !records.iter().any(|x| {
                x.env == env
                    && x.tag == d.tag
                    && matches!(x.status, Status::Failed | Status::RolledBack)
                    && x.order() >= d.order()
            })
        })
        .max_by_key(|d| d.order())
}

/// The deployment records in `refs/notes/release/deploys`.
/// Every deployment record, in the order they were recorded in, and the
/// malformed lines.
pub fn read(repo: &Repo) -> Result<(Vec<Deploy>, Vec<String>), Error> {
    let mut all = Vec::new();
    let mut bad = Vec::new();
    for (annotated, text) in repo.all_notes(DEPLOYS_REF)? {
        let (found, malformed) = parse_note(&text);
        bad.extend(malformed);
        // A record speaks only about the commit it is attached to.
        for record in found {
            if record.commit == annotated.to_string() {
                all.push(record);
            } else {
                bad.push(format!(
                    "a record on {} names commit {}",
                    &annotated.to_string()[..7],
                    record.commit
                ));
            }
        }
    }
    chronological(&mut all);
    Ok((all, bad))
}

/// Appends a deployment record — given its `seq` in the order of
/// recording — and returns its line once the notes ref holds it.
pub fn append(
    repo: &Repo,
    deploy: &mut Deploy,
    ident: &Ident,
    command: &str,
) -> Result<String, Error> {
    let commit = git2::Oid::from_str(&deploy.commit)
        .map_err(|e| Error::refused(e.message().to_owned(), &[]))?;
    let now = crate::clock::now()?;
    let update = notes::Append {
        notes_ref: DEPLOYS_REF,
        target: commit,
        ident,
        command,
    };
    let line = notes::append(repo, &update, |snapshot| {
        deploy.seq = Some(record_order::next(
            snapshot.iter().map(|(_, text)| text.as_str()),
            now,
        ));
        Ok(deploy.to_line())
    })?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(env: &str, status: Status, tag: &str, at: &str) -> Deploy {
        Deploy {
            env: env.into(),
            status,
            tag: tag.into(),
            commit: "a".repeat(40),
            at: at.into(),
            seq: None,
            by: "Ada <ada@x>".into(),
            url: None,
            note: None,
        }
    }

    #[test]
    fn a_rollback_after_a_failed_rollout_backs_out_the_failed_release() {
        let at = |s: u32| format!("2026-11-27T10:00:{s:02}Z");
        let mut records = vec![
            d("prod", Status::Succeeded, "v1.0.0", &at(1)),
            d("prod", Status::Succeeded, "v1.1.0", &at(2)),
            d("prod", Status::Started, "v1.2.0", &at(3)),
            d("prod", Status::Failed, "v1.2.0", &at(4)),
        ];
        let from = rollback_from(&records, "prod").unwrap();
        assert_eq!((from.tag.as_str(), from.status), ("v1.2.0", Status::Failed));
        assert_eq!(
            rollback_target(&records, "prod", from).unwrap().tag,
            "v1.1.0"
        );
        // With the last rollout a success, the running release is backed out.
        records.push(d("prod", Status::Succeeded, "v1.2.1", &at(5)));
        let from = rollback_from(&records, "prod").unwrap();
        assert_eq!(from.tag, "v1.2.1");
        assert_eq!(
            rollback_target(&records, "prod", from).unwrap().tag,
            "v1.1.0"
        );
        // A started rollout of the running release itself is not another one.
        let same = vec![
            d("prod", Status::Succeeded, "v1.0.0", &at(1)),
            d("prod", Status::Succeeded, "v1.1.0", &at(2)),
            d("prod", Status::Started, "v1.1.0", &at(3)),
        ];
        assert_eq!(rollback_from(&same, "prod").unwrap().tag, "v1.1.0");
        assert!(rollback_from(&same, "staging").is_none());
    }

    #[test]
    fn round_trip_and_malformed() {
        let mut record = d(
            "production",
            Status::RolledBack,
            "v1.2.0",
            "2026-11-27T10:00:00Z",
        );
        record.note = Some("bad; \"really\"".into());
        record.url = Some("https://x/y?a=b".into());
        assert_eq!(Deploy::parse(&record.to_line()).unwrap(), record);
        for bad in [
            "",
            "Deployed-to: prod",
            "Deployed-to: prod sideways; tag=v1; commit=x; at=2026-01-01T00:00:00Z",
            "Deployed-to: prod failed; tag=v1",
        ] {
            assert!(Deploy::parse(bad).is_err(), "{bad}");
        }
        let (ok, bad) = parse_note(&format!("{}\ngarbage\n", record.to_line()));
        assert_eq!((ok.len(), bad.len()), (1, 1));
    }

    #[test]
    fn promotion_needs_success_soak_and_approvals() {
        let config = EnvironmentConfig {
            requires: vec!["staging".into()],
            soak: Some("24h".into()),
            approvals: 1,
            rollback_command: None,
            ..EnvironmentConfig::default()
        };
        let records = vec![d(
            "staging",
            Status::Succeeded,
            "v2",
            "2026-11-27T10:00:00Z",
        )];
        let now: Timestamp = "2026-11-27T20:00:00Z".parse().unwrap();
        let problems = promotion_problems(&records, "production", &config, "v2", 0, now);
        assert!(
            problems[0].contains("soak") && problems[0].contains("14h"),
            "{problems:?}"
        );
        assert!(problems[1].contains("approval"));
        let later: Timestamp = "2026-11-28T11:00:00Z".parse().unwrap();
        assert!(promotion_problems(&records, "production", &config, "v2", 1, later).is_empty());
        assert!(
            promotion_problems(&records, "production", &config, "v3", 1, later)[0]
                .contains("not succeeded")
        );
    }

    #[test]
    fn same_second_records_follow_recording_order() {
        let second = "2026-11-27T10:00:00Z";
        let base = crate::gate::record_order::micros(second.parse().unwrap());
        let recorded = |status, tag: &str, n: u64| Deploy {
            seq: Some(base + n),
            ..d("prod", status, tag, second)
        };
        // Read in another order than recorded (a merged note is sorted).
        let mut records = vec![
            recorded(Status::Failed, "v1.1.0", 2),
            recorded(Status::Succeeded, "v1.0.0", 0),
            recorded(Status::Started, "v1.1.0", 1),
        ];
        chronological(&mut records);
        let last = latest(&records, "prod").unwrap();
        assert_eq!((last.tag.as_str(), last.status), ("v1.1.0", Status::Failed));
        assert_eq!(running(&records, "prod").unwrap().tag, "v1.0.0");
        let line = records[0].to_line();
        assert!(
            line.contains(&format!("; at={second}; seq={base}; by=")),
            "{line}"
        );
        assert_eq!(Deploy::parse(&line).unwrap(), records[0]);
        // Old records (no seq) come before new ones in the same second.
        records.push(d("prod", Status::Succeeded, "v0.9.0", second));
        chronological(&mut records);
        assert_eq!(records[0].tag, "v0.9.0");
        assert!(Deploy::parse(&line.replace(&format!("seq={base}"), "seq=x")).is_err());
    }

    #[test]
    fn rollback_skips_failed_releases() {
        let records = vec![
            d("prod", Status::Succeeded, "v1", "2026-11-01T00:00:00Z"),
            d("prod", Status::Succeeded, "v2", "2026-11-02T00:00:00Z"),
            d("prod", Status::Failed, "v2", "2026-11-02T01:00:00Z"),
            d("prod", Status::Started, "v3", "2026-11-03T00:00:00Z"),
            d("prod", Status::Succeeded, "v3", "2026-11-03T00:10:00Z"),
        ];
        let current = running(&records, "prod").unwrap();
        assert_eq!(current.tag, "v3");
        assert_eq!(
            rollback_target(&records, "prod", current).unwrap().tag,
            "v1"
        );
        assert_eq!(latest(&records, "prod").unwrap().tag, "v3");
        assert!(rollback_target(&records, "prod", &records[0]).is_none());
        // A release that failed once and later succeeded is current from its success.
        let retried = vec![
            d("prod", Status::Succeeded, "v1", "2026-11-01T00:00:00Z"),
            d("prod", Status::Started, "v3", "2026-11-02T00:00:00Z"),
            d("prod", Status::Failed, "v3", "2026-11-02T00:10:00Z"),
            d("prod", Status::Succeeded, "v2", "2026-11-03T00:00:00Z"),
            d("prod", Status::Succeeded, "v3", "2026-11-04T00:00:00Z"),
        ];
        let current = running(&retried, "prod").unwrap();
        assert_eq!(
            rollback_target(&retried, "prod", current).unwrap().tag,
            "v2"
        );
    }
}
