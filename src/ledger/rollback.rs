//! Carrying out a rollback: the environment's `rollback-command` run to go
//! from the running release back to the last good one, and its outcome
//! recorded (the running release rolled back and the target succeeded, or
//! the target failed). Shared by `rollback --execute` and `watch --rollback`.

use std::process::Command;

use crate::Error;
use crate::config::EnvironmentConfig;
use crate::git::identity::Ident;
use crate::git::repo::Repo;
use crate::ledger::deploy::{self, Event};
use crate::ledger::{Deploy, Status};

/// How a rollback went.
pub enum Outcome {
    /// The command succeeded; both records were written.
    RolledBack,
    /// The command failed (its exit status); the target's failure was
    /// recorded.
    CommandFailed(String),
}

/// Runs the rollback command and records the outcome; returns the record
/// lines written and how it went.
pub fn execute(
    repo: &Repo,
    ident: &Ident,
    environment: &str,
    current: &Deploy,
    target: &Deploy,
    config: &EnvironmentConfig,
) -> Result<(Outcome, Vec<String>), Error> {
    let Some(command) = &config.rollback_command else {
        return Err(Error::refused(
            format!("`{environment}` has no `rollback-command`"),
            &[
                "set `rollback-command` under `[environments.NAME]`, or roll back by hand and record it with `git release deploy`",
            ],
        ));
    };
    let status = Command::new("sh")
        .args(["-c", command])
        .env("GIT_RELEASE_TAG", &target.tag)
        .env("GIT_RELEASE_ENV", environment)
        .env("GIT_RELEASE_FROM", &current.tag)
        .status()
        .map_err(Error::io(format!("running `{command}`")))?;
    // Recorded one after the other: `seq` keeps them in that order.
    let write = |of: &Deploy, status: Status, note: String| -> Result<String, Error> {
        let commit = git2::Oid::from_str(&of.commit)
            .map_err(|e| Error::refused(e.message().to_owned(), &[]))?;
        deploy::record(
            repo,
            ident,
            Event {
                tag: &of.tag,
                commit,
                environment,
                status,
                url: None,
                note: Some(note),
            },
            "git release rollback",
        )
    };
    if status.success() {
        let lines = vec![
            write(
                current,
                Status::RolledBack,
                format!("rolled back to {}", target.tag),
            )?,
            write(
                target,
                Status::Succeeded,
                format!("rollback from {}", current.tag),
            )?,
        ];
        Ok((Outcome::RolledBack, lines))
    } else {
        let line = write(
            target,
            Status::Failed,
            format!("rollback from {} failed ({status})", current.tag),
        )?;
        Ok((Outcome::CommandFailed(status.to_string()), vec![line]))
    }
}
