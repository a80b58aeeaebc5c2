//! `git release tag`: plan → gate → (changelog, release commit) → annotated
//! tag carrying the release record, and optionally push it with its
//! evidence. Every check runs before anything is written; if a later step
//! fails, what was done is undone, so a failed `tag` leaves the repository
//! exactly as it was.

use serde::Serialize;

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::error::Outcome;
use crate::gate::recording;
use crate::gate::verdict::{self, Candidate};
use crate::history::plan::Plan;
use crate::history::scope::History;
use crate::packages::Package;
use crate::release::{contents, journal, transaction};
use crate::render::context::Release;
use crate::render::describe::{self, Describer};
use crate::render::templates::{Kind, Templates};

/// `tag`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Show everything that would happen, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the tag (and the release commit and evidence notes) atomically
    #[arg(long)]
    pub push: bool,
    /// The remote to push to
    #[arg(
        long,
        default_value = "origin",
        value_name = "REMOTE",
        env = "GIT_RELEASE_REMOTE"
    )]
    pub remote: String,
    /// Make a signed tag (`git tag -s`, with git's signing configuration)
    #[arg(long)]
    pub sign: bool,
    /// Release outside the release window, recording this reason
    #[arg(long, value_name = "REASON")]
    pub override_window: Option<String>,
    /// Do not update the changelog
    #[arg(long)]
    pub no_changelog: bool,
    /// Tag the approved candidate itself: no release commit, so no changelog
    /// or version-file changes (for protected branches; update the
    /// changelog afterwards with `git release changelog`, e.g. in a pull request)
    #[arg(long)]
    pub no_commit: bool,
    /// The release date in the changelog (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH or today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// The tag message's context: the release and its record.
#[derive(Serialize)]
struct TagRecord<'a> {
    #[serde(flatten)]
    release: &'a Release,
    bump: String,
    reason: String,
    candidate: String,
    policy: Option<String>,
    evidence: Vec<String>,
}

fn branch_allowed(patterns: &[String], branch: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| {
            globset::Glob::new(p)
                .map(|g| g.compile_matcher().is_match(branch))
                .unwrap_or(p == branch)
        })
}

/// Finishes or undoes a release an interrupted `tag` left behind (its
/// journal is in `.git/git-release/`). Returns the outcome when the
/// interrupted release turned out to be complete.
fn resume_interrupted(args: &Args, env: &Env) -> Result<Option<Outcome>, Error> {
    let git = env.repo.git();
    if args.dry_run {
        if let Some(journal) = journal::Journal::load(git)? {
            env.out.write(&format!(
                "An interrupted release of {} is recorded in `{}`: `git release tag` would first finish it (if its push reached {}) or undo it.\nDry run: nothing was written.\n",
                journal.tag_names().join(", "),
                journal::location(git).display(),
                journal.remote.as_deref().unwrap_or("the remote"),
            ))?;
            return Ok(Some(Outcome::Success));
        }
        return Ok(None);
    }
    match journal::resume(&env.repo)? {
        None => Ok(None),
        Some(journal::Resumed::Finished { tags, remote }) => {
            env.out.line(&format!(
                "the interrupted release of {} had reached {remote}: it is complete, nothing left to do",
                tags.join(", ")
            ))?;
            Ok(Some(Outcome::Success))
        }
        Some(journal::Resumed::RolledBack { tags }) => {
            env.out.warn(&format!(
                "undid the interrupted release of {}; releasing again",
                tags.join(", ")
            ));
            Ok(None)
        }
    }
}

/// Runs the whole release.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let repo = &env.repo;
    let git = repo.git();
    repo.ensure_complete()?;
    if let Some(outcome) = resume_interrupted(args, env)? {
        return Ok(outcome);
    }
    let head = repo.head()?;
    if let Some(rev) = &args.plan.rev {
        let resolved = match repo.resolve(rev) {
            Ok(resolved) => resolved,
            // `git release tag v1.1.0`: a version, not a revision.
            Err(_) if semver::Version::parse(rev.trim_start_matches('v')).is_ok() => {
                let version = rev.trim_start_matches('v');
                return Err(Error::refused(
                    format!(
                        "`{rev}` is not a revision here, and `tag` takes no version: it releases HEAD at the version the plan gives"
                    ),
                    &[
                        &format!(
                            "to release exactly {version}, run `git release tag --release-as {version}`"
                        ),
                        "to see which version the commits give, run `git release plan`",
                    ],
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if resolved != head {
            return Err(Error::refused(
                format!("`tag` releases HEAD, and `{rev}` is not HEAD"),
                &["check out the commit to release first (`git switch BRANCH`)"],
            ));
        }
    }
    let Some(branch) = repo.branch() else {
        return Err(Error::refused(
            "HEAD is detached, and `tag` needs a branch for the release commit",
            &["switch to the release branch first: `git switch main`"],
        ));
    };
    if !branch_allowed(&env.config.branches, &branch) {
        return Err(Error::refused(
            format!(
                "releases are not made from `{branch}`: `branches` allows {}",
                env.config.branches.join(", ")
            ),
            &["switch to a release branch, or add this one to `branches` in .release.toml"],
        ));
    }
    recording::ensure_clean(repo, "the release would not be what was tested")?;
    let ident = recording::identity(repo)?;
    let tagger = ident.email.clone();

    let plans = env.plans(&args.plan.request())?;
    let mut packages = env.packages.clone();
    crate::packages::read_manifest_names(&mut packages, |path| {
        repo.blob_at(head, path)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    });
    let due: Vec<(&Package, &Plan, &History)> = packages
        .iter()
        .zip(&plans)
        .filter(|(_, (plan, _))| plan.next.is_some())
        .map(|(package, (plan, history))| (package, plan, history))
        .collect();
    for (_, plan, _) in &due {
        for warning in &plan.warnings {
            env.out.warn(warning);
        }
    }
    if due.is_empty() {
        let reasons: Vec<String> = plans.iter().map(|(p, _)| p.reason.clone()).collect();
        env.out
            .say(&format!("nothing to release: {}", reasons.join("; ")));
        return Ok(Outcome::No);
    }
    let tags: Vec<String> = due
        .iter()
        .filter_map(|(_, plan, _)| plan.next.as_ref().map(|n| n.tag.clone()))
        .collect();
    for tag in &tags {
        if git.find_reference(&format!("refs/tags/{tag}")).is_ok() {
            return Err(Error::refused(
                format!("the tag `{tag}` exists already"),
                &[
                    "if it is a mistake, delete it with `git tag -d` (and on the remote); otherwise there is nothing to do",
                ],
            ));
        }
    }

    // Every package's gate, before anything is written.
    let mut assessments = Vec::new();
    let bases = env.bases(head)?;
    for ((_, _, history), tag) in due.iter().zip(&tags) {
        assessments.push(verdict::assess(
            repo,
            &bases,
            &Candidate {
                commit: head,
                tag: tag.clone(),
                changes: &history.changes,
                tagger: Some(tagger.clone()),
                override_window: args.override_window.as_deref(),
                at: crate::clock::now()?,
                environment: None,
            },
        )?);
    }
    if assessments.iter().any(|a| !a.report.ok) {
        for assessment in assessments.iter().filter(|a| !a.report.ok) {
            crate::cli::reports::show_assessment(assessment, &env.out)?;
        }
        env.out.say(&format!(
            "refusing to tag {}: the release policy is not met; nothing was written",
            tags.join(", ")
        ));
        return Ok(Outcome::No);
    }
    for assessment in &assessments {
        for warning in &assessment.warnings {
            env.out.warn(warning);
        }
    }

    // Everything to write, computed before writing anything.
    let files = if args.no_commit {
        contents::Files::default()
    } else {
        contents::compute(
            repo,
            &env.config,
            &due,
            &contents::Options {
                no_changelog: args.no_changelog,
                date: args.date.clone(),
                request: args.plan.request(),
            },
        )?
    };
    let work_tree = crate::git::work_tree::WorkTree::of(repo)?;
    let templates = Templates::new(&describe::sources(&env.config, work_tree.as_ref())?)?;
    let timestamp = crate::clock::timestamp(args.date.as_deref())?;
    let mut messages = Vec::new();
    for (((package, plan, history), assessment), tag) in due.iter().zip(&assessments).zip(&tags) {
        let describer = Describer::new(repo, &env.config, package, args.plan.first_parent)?;
        let Some(release) = describer.unreleased(plan, history, timestamp, true) else {
            return Err(Error::refused("the plan has no next version", &[]));
        };
        let message = templates.render(
            Kind::TagMessage,
            &TagRecord {
                release: &release,
                bump: plan.bump.to_string(),
                reason: plan.reason.clone(),
                candidate: head.to_string(),
                policy: assessment
                    .has_policy
                    .then(|| assessment.report.policy.clone()),
                evidence: assessment.report.evidence.clone(),
            },
        )?;
        messages.push((tag.clone(), message));
    }
    let subject = format!("chore(release): {}", tags.join(", "));

    if args.dry_run {
        let mut s = String::new();
        for (_, plan, _) in &due {
            if let Some(next) = &plan.next {
                s.push_str(&format!(
                    "Would tag {} ({} bump: {})\n",
                    next.tag, plan.bump, plan.reason
                ));
            }
        }
        if args.no_commit {
            s.push_str(&format!(
                "Would tag the candidate {} itself: no release commit (--no-commit)\n",
                &head.to_string()[..7]
            ));
        } else if files.is_empty() {
            s.push_str("Would not change any file\n");
        } else {
            for (_, _, what) in files.iter() {
                s.push_str(&format!("Would update {what}\n"));
            }
            s.push_str(&format!("and commit them as `{subject}`\n"));
        }
        let requirements: usize = assessments
            .iter()
            .map(|a| a.report.requirements.len())
            .sum();
        s.push_str(&format!("Gate: met ({requirements} requirement(s))\n"));
        for (tag, message) in &messages {
            s.push_str(&format!("Tag message of {tag}:\n"));
            for line in message.lines() {
                s.push_str(&format!("    {line}\n"));
            }
        }
        if args.push {
            s.push_str(&format!(
                "Would push to {}: {}\n",
                args.remote,
                transaction::push_refs(git, &branch, &tags, !files.is_empty()).join(" ")
            ));
        }
        s.push_str("Dry run: nothing was written.\n");
        env.out.write(&s)?;
        return Ok(Outcome::Success);
    }

    let result = transaction::write(
        repo,
        &transaction::Release {
            subject: &subject,
            branch: &branch,
            head,
            messages: &messages,
            files: &files,
            sign: args.sign,
            push: args.push.then_some(args.remote.as_str()),
            ident: &ident,
        },
        &|text| env.out.warn(text),
    );
    match result {
        Ok(transaction::Written {
            commit,
            signal_during_push,
        }) => {
            if let Some(signal) = signal_during_push {
                env.out.warn(&format!(
                    "{signal} arrived while pushing, but the push had reached {}: the release stands",
                    args.remote
                ));
            }
            if env.out.json() {
                env.out.json_value(&serde_json::json!({
                    "tags": tags,
                    "commit": commit.to_string(),
                    "candidate": head.to_string(),
                    "release_commit": commit != head,
                    "pushed": args.push.then_some(args.remote.as_str()),
                }))?;
                return Ok(Outcome::Success);
            }
            let made = if commit == head {
                String::new()
            } else {
                format!(" with release commit {}", &commit.to_string()[..7])
            };
            env.out.line(&format!(
                "tagged {} at {}{made}",
                tags.join(", "),
                &commit.to_string()[..7]
            ))?;
            if args.push {
                env.out.line(&format!(
                    "pushed {} and the evidence to {}",
                    tags.join(", "),
                    args.remote
                ))?;
            }
            if args.no_commit {
                env.out.line(
                    "no release commit: update the changelog with `git release changelog` and commit it (through a pull request where the branch is protected)",
                )?;
            }
            Ok(Outcome::Success)
        }
        Err(e) => Err(e),
    }
}
