//! `git release lint [RANGE | --message-file F]`: Conventional Commits lint.

use std::collections::HashSet;
use std::path::PathBuf;

use git2::Oid;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::hooks::lint::{self, Mode};

/// `lint`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits to lint: `A..B`, or one revision [default: the commits since the last release]
    #[arg(value_name = "RANGE", conflicts_with = "message_file")]
    pub range: Option<String>,
    /// Lint the message in this file (what the commit-msg hook does)
    #[arg(long, value_name = "FILE")]
    pub message_file: Option<PathBuf>,
}

/// The candidate, the last release of each selected package (`None`: no
/// release yet), and which commits to lint (`None`: all).
type Unreleased = (Oid, Vec<Option<Oid>>, Option<HashSet<String>>);

/// What `lint` without a range checks: the commits the selected packages
/// have not released yet (from the candidate back to each one's last
/// release). In a monorepo, of those only the packages' own commits and
/// the commits that touch no package (`None`: all of them).
fn unreleased(env: &Env) -> Result<Unreleased, Error> {
    let repo = &env.repo;
    let mut start = repo.candidate(None)?;
    let mut stops = Vec::new();
    let mut own = HashSet::new();
    let mut untouched: Option<Vec<HashSet<Oid>>> = Some(Vec::new());
    for package in &crate::packages::all(&env.config)? {
        let selected = env.packages.iter().any(|p| p.name == package.name);
        let (_, history) = crate::history::plan::make(
            repo,
            &env.config,
            package,
            &crate::history::plan::Request::default(),
        )?;
        start = history.candidate;
        match (&mut untouched, &history.untouched) {
            (Some(lists), Some(list)) => lists.push(list.iter().copied().collect()),
            _ => untouched = None,
        }
        if selected {
            let stop = history.previous().map(|t| t.commit);
            if !stops.contains(&stop) {
                stops.push(stop);
            }
            own.extend(history.changes.into_iter().map(|c| c.id));
        }
    }
    // Commits touching no package are in every package's untouched list.
    let keep = untouched.and_then(|lists| {
        let (first, others) = lists.split_first()?;
        let loose = first
            .iter()
            .filter(|id| others.iter().all(|l| l.contains(id)))
            .map(Oid::to_string);
        Some(own.into_iter().chain(loose).collect())
    });
    Ok((start, stops, keep))
}

/// Lints and reports; exit 1 when there are problems.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let problems = match (&args.message_file, &args.range) {
        (Some(file), _) => lint::lint_message_file(file, &env.repo, &env.config)?,
        (None, range) => {
            let repo = &env.repo;
            let rules = lint::rules_of(&env.config);
            let mut keep: Option<HashSet<String>> = None;
            let (start, stops) = match range.as_deref() {
                Some(range) => match range.split_once("..") {
                    Some((from, to)) => {
                        let to = if to.is_empty() { "HEAD" } else { to };
                        (repo.resolve(to)?, vec![Some(repo.resolve(from)?)])
                    }
                    None => {
                        let id = repo.resolve(range)?;
                        let parent = repo.commit(id)?.parent_id(0).ok();
                        (id, vec![parent])
                    }
                },
                None => {
                    let (start, stops, only) = unreleased(env)?;
                    keep = only;
                    (start, stops)
                }
            };
            let several = stops.len() > 1;
            let mut seen = HashSet::new();
            let mut commits = Vec::new();
            for stop in stops {
                let walk = match stop {
                    Some(stop) => repo.walk_range(start, stop, false)?,
                    None => repo.walk(start, &std::collections::HashSet::new(), false)?,
                };
                commits.extend(walk.commits.into_iter().filter(|c| {
                    seen.insert(c.id())
                        && keep
                            .as_ref()
                            .is_none_or(|k| k.contains(&c.id().to_string()))
                }));
            }
            if several {
                // Newest first, as each range lists them.
                commits.sort_by_key(|c| std::cmp::Reverse(c.time()));
            }
            let mut problems = Vec::new();
            for commit in &commits {
                if commit.parent_count() > 1 {
                    continue;
                }
                let message = String::from_utf8_lossy(commit.message_bytes());
                let id = commit.id().to_string();
                problems.extend(lint::lint(&message, Some(&id[..7]), &rules, Mode::History));
            }
            problems
        }
    };
    crate::cli::reports::lint_problems(&problems, &env.out)?;
    Ok(if problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::No
    })
}
