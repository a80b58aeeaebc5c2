//! `git release sync [REMOTE]`: exchange evidence notes with a remote. The
//! remote's notes are fetched into `refs/notes/release-remote/REMOTE/*` and
//! merged into the local ones by line union, in process and in one
//! transaction of the notes refs, so records made at the same time in two
//! clones — or by other commands in this one while `sync` runs — are all
//! kept; then the union is pushed back. When the remote moved meanwhile,
//! the whole exchange is tried again. A sync that fails before the push
//! leaves every ref as it was.

use git2::Oid;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence;
use crate::gate::recording;
use crate::git::identity::Ident;
use crate::git::writer::notes::{self, Incoming};

/// `sync`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The remote
    #[arg(
        default_value = "origin",
        value_name = "REMOTE",
        env = "GIT_RELEASE_REMOTE"
    )]
    pub remote: String,
    /// Only fetch and merge; do not push
    #[arg(long)]
    pub no_push: bool,
}

/// How many times the exchange is tried when the remote moves meanwhile.
const ATTEMPTS: usize = 5;

const KINDS: [(&str, &str); 3] = [
    ("tests", evidence::TESTS_REF),
    ("approvals", evidence::APPROVALS_REF),
    ("deploys", evidence::DEPLOYS_REF),
];

fn git(env: &Env, args: &[&str]) -> Result<std::process::Output, Error> {
    env.repo
        .git_command()
        .args(args)
        .output()
        .map_err(Error::io("running git"))
}

fn failed(output: &std::process::Output, what: &str, hint: &str) -> Error {
    let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        detail.push('\n');
        detail.push_str(stdout.trim());
    }
    Error::Refused {
        message: format!("{what} failed: {detail}"),
        hints: vec![hint.to_owned()],
    }
}

/// The commit a ref points at, if it exists.
fn target(env: &Env, name: &str) -> Option<Oid> {
    env.repo.git().refname_to_id(name).ok()
}

/// Fetches, merges and pushes the evidence notes.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let remote = &args.remote;
    if remote.is_empty() || remote.starts_with('-') || remote.contains(char::is_whitespace) {
        return Err(Error::refused(
            format!("`{remote}` is not a remote name"),
            &["name a remote from `git remote -v`, e.g. `origin`"],
        ));
    }
    let mut ident: Option<Ident> = None;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= ATTEMPTS;
        let merged = match fetch_and_merge(args, env, &mut ident, last)? {
            Some(merged) => merged,
            None => {
                pause(attempt);
                continue;
            }
        };
        if args.no_push {
            return report(env, remote, &merged, false);
        }
        match push(env, remote)? {
            None => return report(env, remote, &merged, true),
            Some(rejected) if last => {
                return Err(failed(
                    &rejected,
                    &format!("`git push {remote}`"),
                    "others keep pushing evidence: run `git release sync` again (what was fetched is merged here already)",
                ));
            }
            Some(_) => pause(attempt),
        }
    }
}

/// A pause before the next attempt, growing and jittered, so that syncs
/// racing each other spread out.
fn pause(attempt: usize) {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let ceiling = 50 * (1 << attempt.min(4)) as u64;
    let millis = 10 + hasher.finish() % ceiling;
    std::thread::sleep(std::time::Duration::from_millis(millis));
}

/// Fetches the remote's notes and merges them into ours; `None` when the
/// fetch raced another one in this clone (and this is not the `last` try).
/// On failure, the remote-tracking notes refs are put back as they were, so
/// nothing changed.
fn fetch_and_merge(
    args: &Args,
    env: &Env,
    ident: &mut Option<Ident>,
    last: bool,
) -> Result<Option<Vec<&'static str>>, Error> {
    let remote = &args.remote;
    let incoming = format!("refs/notes/release-remote/{remote}");
    let tracking: Vec<String> = KINDS
        .iter()
        .map(|(name, _)| format!("{incoming}/{name}"))
        .collect();
    if tracking.iter().any(|r| !git2::Reference::is_valid_name(r)) {
        return Err(Error::refused(
            format!("`{remote}` is not a remote name"),
            &["name a remote from `git remote -v`, e.g. `origin`"],
        ));
    }
    let before: Vec<Option<Oid>> = tracking.iter().map(|r| target(env, r)).collect();
    let fetch = git(
        env,
        &[
            "fetch",
            "--quiet",
            "--atomic",
            "--no-write-fetch-head",
            remote,
            &format!("+refs/notes/release/*:{incoming}/*"),
        ],
    )?;
    if !fetch.status.success() {
        // `--atomic`: a failed fetch changed no ref.
        if !last && String::from_utf8_lossy(&fetch.stderr).contains("cannot lock ref") {
            return Ok(None);
        }
        return Err(failed(
            &fetch,
            &format!("`git fetch {remote}`"),
            "check the remote name and your access: `git remote -v`",
        ));
    }
    let fetched: Vec<Option<Oid>> = tracking.iter().map(|r| target(env, r)).collect();
    let result = merge(env, remote, &tracking, ident);
    if result.is_err() {
        restore(env, &tracking, &before, &fetched);
    }
    result.map(Some)
}

/// Merges each fetched notes ref into ours, all in one transaction.
fn merge(
    env: &Env,
    remote: &str,
    tracking: &[String],
    ident: &mut Option<Ident>,
) -> Result<Vec<&'static str>, Error> {
    let mut names = Vec::new();
    let mut incoming = Vec::new();
    for ((name, ours), theirs) in KINDS.iter().zip(tracking) {
        if let Some(theirs) = target(env, theirs) {
            names.push(*name);
            incoming.push(Incoming {
                notes_ref: ours,
                theirs,
            });
        }
    }
    let message = format!(
        "Notes merged by 'git release sync' from {remote}\n\nThe line union of the remote's refs/notes/release/* and ours.\n"
    );
    let mut who = || -> Result<Ident, Error> {
        if let Some(known) = ident {
            return Ok(known.clone());
        }
        let found = recording::identity(&env.repo)?;
        *ident = Some(found.clone());
        Ok(found)
    };
    notes::merge(&env.repo, &incoming, &message, &mut who)?;
    Ok(names)
}

/// Puts the remote-tracking notes refs back where they were before our
/// fetch (those another sync has moved since are left alone).
fn restore(env: &Env, tracking: &[String], before: &[Option<Oid>], fetched: &[Option<Oid>]) {
    let git = env.repo.git();
    for ((name, old), ours) in tracking.iter().zip(before).zip(fetched) {
        let now = target(env, name);
        if now == *old || now != *ours {
            continue;
        }
        // Best effort: the error being reported matters more.
        let _ = match old {
            Some(old) => git
                .reference(name, *old, true, "git release sync: failed, restored")
                .map(|_| ()),
            None => git.find_reference(name).and_then(|mut r| r.delete()),
        };
    }
}

/// Pushes our notes; `Some(output)` when the remote rejected them because
/// it moved since the fetch.
fn push(env: &Env, remote: &str) -> Result<Option<std::process::Output>, Error> {
    let refs: Vec<String> = KINDS
        .iter()
        .filter(|(_, notes)| target(env, notes).is_some())
        .map(|(_, notes)| format!("{notes}:{notes}"))
        .collect();
    if refs.is_empty() {
        return Ok(None);
    }
    let mut push_args = vec!["push", "--porcelain", "--quiet", "--no-verify", remote];
    push_args.extend(refs.iter().map(String::as_str));
    let output = git(env, &push_args)?;
    if output.status.success() {
        return Ok(None);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let raced = stdout.lines().any(|l| {
        l.starts_with('!')
            && (l.contains("[rejected]") || l.contains("[remote rejected]"))
            && (l.contains("fetch first")
                || l.contains("non-fast-forward")
                || l.contains("lock")
                || l.contains("failed to update ref"))
    });
    if raced {
        return Ok(Some(output));
    }
    Err(failed(
        &output,
        &format!("`git push {remote}`"),
        "check your access to the remote (`git remote -v`); the evidence is merged here and will be pushed by the next `git release sync`",
    ))
}

fn report(env: &Env, remote: &str, merged: &[&str], pushed: bool) -> Result<Outcome, Error> {
    let what = if merged.is_empty() {
        "no evidence on the remote yet".to_owned()
    } else {
        format!("merged {}", merged.join(", "))
    };
    let pushed = if pushed { "; pushed the union" } else { "" };
    env.out
        .line(&format!("synced evidence with {remote}: {what}{pushed}"))?;
    Ok(Outcome::Success)
}
