//! Reading the repository into the dashboard's values: the release history
//! (one pass over history, newest release first), the next release of each
//! package with its gate and risk, and each environment with what waits to
//! be promoted there. Deployment records come in from the caller, read by
//! the same function `status` uses.

use std::collections::HashMap;

use git2::Oid;
use jiff::Timestamp;

use crate::Error;
use crate::config::Config;
use crate::gate::verdict::{self, Candidate};
use crate::git::repo::Repo;
use crate::history::plan::{self, Request};
use crate::ledger::{self, Deploy};
use crate::packages::Package;
use crate::render::describe::Describer;
use crate::render::links::Remote;
use crate::render::tag_record::parse as parse_record;
use crate::site::model::{Environment, Evidence, HistoryRow, Next, Pending, ReleasePage};
use crate::site::risk::{self, Facts, Sensitive};
use crate::site::{Emit, html, page_path};

/// What the dashboard is built from.
pub struct Input<'a> {
    /// The repository.
    pub repo: &'a Repo,
    /// Its configuration.
    pub config: &'a Config,
    /// The packages shown.
    pub packages: &'a [Package],
    /// Every deployment record, oldest first.
    pub records: &'a [Deploy],
    /// The pinned moment, if any ([`crate::clock::pinned`]).
    pub pinned: Option<(Timestamp, &'static str)>,
}

/// The repository's page on its hosting service, when known.
pub fn remote(repo: &Repo, config: &Config) -> Option<Remote> {
    match &config.changelog.remote {
        Some(url) => Remote::from_url(url, config.changelog.host),
        None => repo
            .origin_url()
            .and_then(|url| Remote::from_url(&url, config.changelog.host)),
    }
}

/// The page's title: configured, else the repository's name.
pub fn title(repo: &Repo, config: &Config, remote: Option<&Remote>) -> String {
    if let Some(title) = &config.site.title {
        return title.clone();
    }
    remote
        .and_then(|r| r.url.rsplit('/').next().map(str::to_owned))
        .or_else(|| {
            repo.workdir()
                .and_then(|w| w.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Releases".to_owned())
}

/// The environments' names: configured ones in promotion order, then those
/// only records name (the order `status` uses).
pub fn environment_names(config: &Config, records: &[Deploy]) -> Vec<String> {
    ledger::environment_states(records, config.environments.keys().map(String::as_str))
        .into_iter()
        .map(|s| s.env)
        .collect()
}

/// The bump between two versions, for releases without a release record.
fn bump_between(previous: Option<&str>, version: &str) -> Option<String> {
    let to = semver::Version::parse(version).ok()?;
    let Some(previous) = previous else {
        return Some("first release".to_owned());
    };
    let from = semver::Version::parse(previous).ok()?;
    Some(
        if to.major != from.major {
            "major"
        } else if to.minor != from.minor {
            "minor"
        } else {
            "patch"
        }
        .to_owned(),
    )
}

/// Every final release of every package reachable from HEAD, newest first;
/// each release's page is emitted as it is read, so memory holds rows, not
/// pages.
pub fn history(input: &Input<'_>, emit: Emit<'_>) -> Result<Vec<HistoryRow>, Error> {
    let repo = input.repo;
    let head = repo.candidate(None)?;
    let pin = crate::gate::trust_base::pinned(repo, None)?;
    let mut verifier = crate::gate::verify_tag::Verifier::new(repo, pin)?;
    let mut by_tag: HashMap<&str, Vec<&Deploy>> = HashMap::new();
    for record in input.records {
        by_tag.entry(record.tag.as_str()).or_default().push(record);
    }
    let environments = environment_names(input.config, input.records);
    let title = title(repo, input.config, remote(repo, input.config).as_ref());
    let mut rows = Vec::new();
    for package in input.packages {
        let describer = Describer::new(repo, input.config, package, false)?;
        // Oldest first, so each release's trust chain is already judged
        // when it is reached (newest first, a cold chain of thousands of
        // releases would recurse through all of them at once).
        let mut oldest_first: Vec<_> = describer.index().releases.iter().collect();
        oldest_first.sort_by(|a, b| a.version.cmp(&b.version));
        for tag in oldest_first {
            let _ = verifier.is_verified(&tag.name);
        }
        describer.chain(head, |tag, release| {
            let message = repo.tag_message(&tag.name);
            let record = message.as_deref().map(parse_record);
            let summary = record.as_ref().map(|r| r.evidence()).unwrap_or_default();
            let deploys: &[&Deploy] = by_tag.get(tag.name.as_str()).map_or(&[], Vec::as_slice);
            let deployments = environments
                .iter()
                .filter_map(|env| {
                    let last = deploys.iter().rev().find(|d| d.env == *env)?;
                    Some((env.clone(), last.status, last.at.clone()))
                })
                .collect();
            let row = HistoryRow {
                package: package.name.clone(),
                tag: tag.name.clone(),
                version: tag.version.to_string(),
                date: release.date.clone(),
                timestamp: release.timestamp,
                page: page_path(&tag.name),
                bump: record
                    .as_ref()
                    .and_then(|r| r.bump.clone())
                    .filter(|b| b != "none" || release.previous_version.is_some())
                    .or_else(|| {
                        bump_between(release.previous_version.as_deref(), &release.version)
                    }),
                reason: record.as_ref().and_then(|r| r.reason.clone()),
                commits: record
                    .as_ref()
                    .and_then(|r| r.commits)
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(release.statistics.commits),
                breaking: release.breaking_changes.len(),
                evidence: Evidence {
                    recorded: record.as_ref().is_some_and(|r| r.recorded),
                    tested: summary.tested,
                    approved: summary.approved,
                    signed: summary.signed,
                    // A tag whose chain cannot be read is shown as not verified.
                    trusted: verifier.is_verified(&tag.name).unwrap_or(false),
                },
                deployments,
            };
            let page = html::release_page(&ReleasePage {
                title: &title,
                row: &row,
                release: &release,
                deployments: deploys,
                record: message.as_deref(),
                previous_page: release.previous_tag.as_deref().map(page_path),
            });
            emit(&row.page, &page)?;
            rows.push(row);
            Ok(true)
        })?;
    }
    rows.sort_by(|a, b| {
        b.timestamp
            .cmp(&a.timestamp)
            .then_with(|| {
                let va = semver::Version::parse(&a.version).ok();
                let vb = semver::Version::parse(&b.version).ok();
                vb.cmp(&va)
            })
            .then_with(|| a.tag.cmp(&b.tag))
    });
    Ok(rows)
}

/// The moment the page describes: the pinned one, else the newest event
/// the page shows (HEAD's commit, a release, a deployment), never the
/// wall clock, so the same history gives the same page.
pub fn as_of(input: &Input<'_>, rows: &[HistoryRow]) -> Result<(i64, String), Error> {
    if let Some((at, source)) = input.pinned {
        return Ok((at.as_second(), source.to_owned()));
    }
    let head = input.repo.candidate(None)?;
    let head_time = input.repo.commit(head)?.time().seconds();
    let newest = rows
        .iter()
        .map(|r| r.timestamp)
        .chain(input.records.iter().map(|d| d.time().as_second()))
        .fold(head_time, i64::max);
    Ok((newest, "the newest event in the repository".to_owned()))
}

/// The next release of each package, with its gate (judged at `as_of`)
/// and its risk.
pub fn next(input: &Input<'_>, as_of: i64) -> Result<Vec<Next>, Error> {
    let repo = input.repo;
    let at = Timestamp::from_second(as_of).unwrap_or(Timestamp::UNIX_EPOCH);
    let sensitive = Sensitive::new(&input.config.site.sensitive_paths)
        .map_err(|e| Error::refused(e, &["fix the pattern in `[site] sensitive-paths`"]))?;
    let plans = plan::make_all(repo, input.config, input.packages, &Request::default())?;
    let tagger = repo.identity().ok().map(|(_, email)| email);
    let mut all = Vec::new();
    for (plan, history) in &plans {
        let Some(package) = input.packages.iter().find(|p| p.name == plan.package) else {
            continue;
        };
        let mut next = Next {
            package: plan.package.clone(),
            version: plan.next.as_ref().map(|n| n.version.clone()),
            tag: plan.next.as_ref().map(|n| n.tag.clone()),
            bump: plan.bump.as_str().to_owned(),
            reason: plan.reason.clone(),
            previous: plan.previous.as_ref().map(|p| p.tag.clone()),
            release: None,
            gate_ok: false,
            policy: None,
            requirements: Vec::new(),
            risk: None,
        };
        let Some(planned) = &plan.next else {
            all.push(next);
            continue;
        };
        let describer = Describer::new(repo, input.config, package, false)?;
        let release = describer.unreleased(plan, history, as_of, false);
        let assessed = verdict::bases_of(repo, history.candidate).and_then(|bases| {
            verdict::assess(
                repo,
                &bases,
                &Candidate {
                    commit: history.candidate,
                    tag: planned.tag.clone(),
                    changes: &history.changes,
                    tagger: tagger.clone(),
                    override_window: None,
                    at,
                    environment: None,
                },
            )
        });
        match assessed {
            Ok(assessment) => {
                next.gate_ok = assessment.report.ok;
                next.policy = Some(assessment.report.policy);
                next.requirements = assessment.report.requirements;
            }
            Err(e) => {
                next.requirements = vec![crate::gate::requirements::Requirement {
                    name: "policy".to_owned(),
                    ok: false,
                    detail: e.to_string(),
                    fix: e.hints().into_iter().next(),
                    rejected: Vec::new(),
                }];
            }
        }
        let previous = plan
            .previous
            .as_ref()
            .and_then(|p| Oid::from_str(&p.commit).ok());
        let diff = repo.diff_summary(previous, history.candidate, &package.paths)?;
        if let Some(release) = &release {
            let since_last = plan.previous.as_ref().map(|p| {
                let date = Oid::from_str(&p.commit)
                    .map(|c| repo.tag_date(&p.tag, c))
                    .unwrap_or(as_of);
                ((as_of - date).max(0) / 86_400, p.tag.clone())
            });
            next.risk = Some(risk::assess(
                &Facts {
                    breaking: release
                        .breaking_changes
                        .iter()
                        .map(|b| b.description.lines().next().unwrap_or("").to_owned())
                        .collect(),
                    commits: release.statistics.commits,
                    authors: release.contributors.len(),
                    files: &diff.files,
                    insertions: diff.insertions,
                    deletions: diff.deletions,
                    since_last,
                },
                &sensitive,
            ));
        }
        next.release = release;
        all.push(next);
    }
    Ok(all)
}

/// Every environment as `status` shows it, with the releases waiting to be
/// promoted there and what each waits for (judged at `as_of` by the same
/// rules `deploy` applies).
pub fn environments(
    input: &Input<'_>,
    rows: &[HistoryRow],
    as_of: i64,
) -> Result<Vec<Environment>, Error> {
    let repo = input.repo;
    let records = input.records;
    let at = Timestamp::from_second(as_of).unwrap_or(Timestamp::UNIX_EPOCH);
    let packages = crate::packages::all(input.config)?;
    let page_of = |tag: &str| rows.iter().find(|r| r.tag == tag).map(|r| r.page.clone());
    let states = ledger::environment_states(
        records,
        input.config.environments.keys().map(String::as_str),
    );
    let mut all = Vec::new();
    for state in states {
        let mut pending: Vec<Pending> = Vec::new();
        let requires = input
            .config
            .environments
            .get(&state.env)
            .map(|c| c.requires.clone())
            .unwrap_or_default();
        for required in &requires {
            let Some(there) = ledger::running(records, required) else {
                continue;
            };
            if let Some(p) = pending.iter_mut().find(|p| p.tag == there.tag) {
                p.from.push(required.clone());
                continue;
            }
            // Already tried here (in progress, done, failed): not waiting.
            if records
                .iter()
                .any(|d| d.env == state.env && d.tag == there.tag)
            {
                continue;
            }
            // Older than what runs here already.
            let version = |tag: &str| {
                crate::packages::for_tag(&packages, tag).map(|(p, v)| (p.name.clone(), v))
            };
            if let (Some(running), Some((package, candidate))) =
                (&state.running, version(&there.tag))
            {
                if let Some((p, v)) = version(running) {
                    if p == package && v >= candidate {
                        continue;
                    }
                }
            }
            let waits_for = match Oid::from_str(&there.commit).map_err(|e| e.to_string()) {
                Ok(commit) => {
                    match verdict::assess_deployment_at(
                        repo, &there.tag, commit, &state.env, None, at,
                    ) {
                        Ok(check) => {
                            let mut problems = ledger::promotion_problems(
                                records,
                                &state.env,
                                &check.environment,
                                &there.tag,
                                check.approvals(),
                                at,
                            );
                            for r in check.report.requirements.iter().filter(|r| !r.ok) {
                                for rejected in &r.rejected {
                                    problems
                                        .push(format!("an approval does not count: {rejected}"));
                                }
                            }
                            problems
                        }
                        Err(e) => vec![e.to_string()],
                    }
                }
                Err(e) => vec![e],
            };
            pending.push(Pending {
                tag: there.tag.clone(),
                from: vec![required.clone()],
                waits_for,
            });
        }
        let running_page = state.running.as_deref().and_then(page_of);
        all.push(Environment {
            state,
            pending,
            running_page,
        });
    }
    Ok(all)
}
