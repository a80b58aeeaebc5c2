//! `git release test [--suite NAME] -- CMD…`: run a test command on the
//! committed tree and record whether it passed, bound to that tree.

use std::process::Command;

use crate::Error;
use crate::cli::commands::record;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence::{Claim, Record, TESTS_REF};

/// `test`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite's name, as `[gate] tests` lists it
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub suite: String,
    /// Sign the record with your SSH key (`user.signingkey`)
    #[arg(long)]
    pub sign: bool,
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
    record::ensure_clean(repo, "the tests would not run on the committed tree")?;
    let ident = record::identity(repo)?;
    let key = if args.sign || env.config.gate.signed {
        Some(record::signing_key(repo)?)
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
    env.out.info(&format!("running {}", args.command.join(" ")));
    let status = Command::new(program).args(rest).status().map_err(|e| {
        Error::refused(
            format!("cannot run `{program}`: {e}"),
            &["check the command after `--` exists and is executable"],
        )
    })?;
    if repo.head()? != commit {
        return Err(Error::refused(
            "HEAD moved while the tests ran, so the result describes no single commit; nothing was recorded",
            &["run `git release test` again on the commit to release"],
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
        at: record::now_rfc3339()?,
        seq: None,
        signature: None,
    };
    let to = record::Store {
        notes_ref: TESTS_REF,
        ident: &ident,
        command: "git release test",
        key: key.as_ref(),
    };
    record::store(repo, &to, &mut record, &env.out)?;
    let verdict = if passed { "passed" } else { "failed" };
    let signed = if record.signature.is_some() {
        ", signed"
    } else {
        ""
    };
    env.out.say(&format!(
        "recorded: suite `{}` {verdict} on {} (tree {}){signed}",
        args.suite,
        &record.commit[..7],
        &record.tree[..7]
    ));
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::No
    })
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
