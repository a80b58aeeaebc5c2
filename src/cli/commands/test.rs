//! `git release test [--suite NAME] [--isolated] -- CMD…`: run a test
//! command on the committed tree and record whether it passed, bound to
//! that tree. The tree must be clean before (by content, whatever
//! `--assume-unchanged` or `--skip-worktree` say) and after the command;
//! `--isolated` runs it in a temporary worktree of exactly HEAD instead.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence::{Claim, Record, TESTS_REF};
use crate::gate::recording;
use crate::git::isolated_checkout::TempWorktree;
use crate::git::repo::Repo;
use crate::interrupt::{self, Deferral};

/// `test`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite's name, as `[gate] tests` lists it
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub suite: String,
    /// Sign the record with your SSH key (`user.signingkey`)
    #[arg(long)]
    pub sign: bool,
    /// Run the command in a clean temporary worktree of HEAD (removed
    /// afterwards), so local edits cannot matter
    #[arg(long)]
    pub isolated: bool,
    /// The test command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Runs the command and records the result.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let repo = &env.repo;
    repo.ensure_complete()?;
    if args.suite.is_empty() || args.suite.contains(char::is_whitespace) {
        return Err(Error::refused(
            format!("`--suite {}` must be one word", args.suite),
            &["name suites like `unit`, `integration` or `e2e`"],
        ));
    }
    let commit = repo.head()?;
    if !args.isolated {
        recording::ensure_clean(repo, "the tests would not run on the committed tree")?;
    }
    let ident = recording::identity(repo)?;
    let key = if args.sign || env.config.gate.signed {
        Some(recording::signing_key(repo)?)
    } else {
        None
    };
    let tree = repo.tree_of(commit)?;

    let (program, rest) = args.command.split_first().ok_or_else(|| {
        Error::refused(
            "no test command given",
            &["pass it after `--`: `git release test -- cargo test`"],
        )
    })?;
    let deferral = interrupt::defer()?;
    let (status, changed) = if args.isolated {
        let mut worktree = TempWorktree::add(repo, commit)?;
        env.out.info(&format!(
            "running {} in a temporary worktree of {} ({})",
            args.command.join(" "),
            &commit.to_string()[..7],
            worktree.path().display()
        ));
        let dir = same_folder_in(repo, worktree.path());
        let status = run_command(program, rest, Some(&dir), &deferral)?;
        let changed = Repo::open_at(worktree.path())?.changed_tracked_paths()?;
        worktree.remove()?;
        (status, changed)
    } else {
        env.out.info(&format!("running {}", args.command.join(" ")));
        let status = run_command(program, rest, None, &deferral)?;
        (status, repo.changed_tracked_paths()?)
    };
    if let Some(signal) = deferral.received() {
        return Err(Error::refused(
            format!("interrupted by {signal} while the tests ran: nothing was recorded"),
            &["run `git release test` again"],
        ));
    }
    drop(deferral);
    if !args.isolated && repo.head()? != commit {
        return Err(Error::refused(
            "HEAD moved while the tests ran, so the result describes no single commit; nothing was recorded",
            &["run `git release test` again on the commit to release"],
        ));
    }
    if !changed.is_empty() {
        let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
        let more = if changed.len() > 5 {
            format!(" and {} more", changed.len() - 5)
        } else {
            String::new()
        };
        return Err(Error::refused(
            format!(
                "the test command changed tracked files ({}{more}), so it did not test the committed tree {}; nothing was recorded",
                shown.join(", "),
                &tree.to_string()[..7]
            ),
            &[
                "make the command write only ignored or untracked files, or commit what it generates",
                "restore the files with `git restore .` (or run with `--isolated`), then run `git release test` again",
            ],
        ));
    }
    let passed = status.success();
    let mut record = Record {
        name: ident.name.clone(),
        email: ident.email.clone(),
        claim: Claim::Test {
            suite: args.suite.clone(),
            passed,
            command: shell_words(&args.command),
        },
        commit: commit.to_string(),
        tree: tree.to_string(),
        at: recording::now_rfc3339()?,
        seq: None,
        signature: None,
    };
    let to = recording::Store {
        notes_ref: TESTS_REF,
        ident: &ident,
        command: "git release test",
        key: key.as_ref(),
    };
    let line = recording::store(repo, &to, &mut record)?;
    env.out
        .info(&format!("appended to {}: {line}", to.notes_ref));
    let verdict = if passed { "passed" } else { "failed" };
    let signed = if record.signature.is_some() {
        ", signed"
    } else {
        ""
    };
    let recorded = format!(
        "recorded: suite `{}` {verdict} on {} (tree {}){signed}",
        args.suite,
        &record.commit[..7],
        &record.tree[..7]
    );
    if passed {
        env.out.done(&recorded);
    } else {
        env.out.say(&recorded);
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::No
    })
}

/// How long a command may go on after a signal before it is stopped.
const GRACE: Duration = Duration::from_secs(2);

/// Runs the test command and waits for it. A signal to this process is
/// deferred: the command gets a moment to end (a Ctrl-C reaches it too),
/// then is killed, so the caller can clean up.
fn run_command(
    program: &str,
    rest: &[String],
    dir: Option<&Path>,
    deferral: &Deferral,
) -> Result<ExitStatus, Error> {
    let mut command = Command::new(program);
    command.args(rest);
    if let Some(dir) = dir {
        command
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
    }
    let mut child = command.spawn().map_err(|e| {
        Error::refused(
            format!("cannot run `{program}`: {e}"),
            &["check the command after `--` exists and is executable"],
        )
    })?;
    let mut signalled: Option<Instant> = None;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(Error::io(format!("waiting for `{program}`")))?
        {
            return Ok(status);
        }
        match signalled {
            None if deferral.received().is_some() => signalled = Some(Instant::now()),
            Some(at) if at.elapsed() > GRACE => {
                let _ = child.kill();
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The folder in `worktree` that matches the current one in the work tree
/// (its root when the current folder is outside it or not in HEAD).
fn same_folder_in(repo: &Repo, worktree: &Path) -> PathBuf {
    let relative = repo.workdir().and_then(|root| {
        let root = std::fs::canonicalize(root).ok()?;
        let here = std::env::current_dir().ok()?;
        let here = std::fs::canonicalize(here).ok()?;
        here.strip_prefix(root).ok().map(Path::to_path_buf)
    });
    match relative {
        Some(relative) if worktree.join(&relative).is_dir() => worktree.join(relative),
        _ => worktree.to_path_buf(),
    }
}

/// The command as a shell would show it.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
