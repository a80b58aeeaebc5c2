//! `git release rollback --env NAME`: the plan to go back to the last good
//! release there, and with `--execute` the configured rollback command, its
//! outcome recorded as deployments.

use std::process::Command;

use crate::Error;
use crate::cli::context::Env;
use crate::config::EnvironmentConfig;
use crate::error::Outcome;
use crate::gate::recording;
use crate::ledger::{self, Deploy, Status};
use crate::render::describe::Describer;
use crate::render::templates::{Kind, Templates};

/// `rollback`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// Run the configured `rollback-command` and record the outcome
    #[arg(long)]
    pub execute: bool,
}

/// Shows (and with `--execute` carries out) the rollback.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let (records, _) = crate::ledger::read(&env.repo)?;
    let Some(current) =
        ledger::running(&records, &args.env).or_else(|| ledger::latest(&records, &args.env))
    else {
        return Err(Error::refused(
            format!("nothing was ever deployed to `{}`", args.env),
            &["record deployments with `git release deploy TAG --env NAME --status …`"],
        ));
    };
    let Some(target) = ledger::rollback_target(&records, &args.env, current) else {
        return Err(Error::refused(
            format!(
                "no earlier release succeeded in `{}` before {}, so there is nothing to roll back to",
                args.env, current.tag
            ),
            &["deploy a fixed release instead"],
        ));
    };
    // The environment's rules (and its rollback command) as the running
    // release's trusted configuration has them, not the work tree's.
    let (config, _) = crate::gate::verdict::environment_of(&env.repo, &current.tag, &args.env)?;
    let config = &config;
    // What is being backed out: the commits between the two releases.
    let packages = crate::packages::all(&env.config)?;
    let package = crate::packages::for_tag(&packages, &current.tag).map(|(p, _)| p.clone());
    let mut text = format!(
        "Roll `{}` back from {} to {} (succeeded there at {}).\n",
        args.env, current.tag, target.tag, target.at
    );
    if let Some(package) = package {
        let describer = Describer::new(&env.repo, &env.config, &package, false)?;
        let backed_out =
            describer.range(&target.tag, &current.tag, crate::clock::now()?.as_second())?;
        text.push_str(&format!(
            "\nBacked out: {} commit(s).\n",
            backed_out.statistics.commits
        ));
        for b in &backed_out.breaking_changes {
            text.push_str(&format!(
                "  breaking change undone: {}\n",
                b.description.lines().next().unwrap_or("")
            ));
        }
        let work_tree = crate::git::work_tree::WorkTree::of(&env.repo)?;
        let templates = Templates::new(&crate::render::describe::sources(
            &env.config,
            work_tree.as_ref(),
        )?)?;
        text.push_str("\nAnnouncement:\n\n");
        text.push_str(&format!(
            "We are rolling `{}` back from {} to {}. These changes are withdrawn:\n\n",
            args.env, current.tag, target.tag
        ));
        text.push_str(&templates.render(Kind::Notes, &backed_out)?);
    }
    env.out.write(&text)?;
    if !args.execute {
        if config.rollback_command.is_some() {
            env.out
                .say("Nothing ran: pass `--execute` to run the rollback command.");
        }
        return Ok(Outcome::Success);
    }
    execute(env, &args.env, current, target, config)
}

/// Runs the environment's `rollback-command` to go from `current` back to
/// `target`, and records the outcome: `current` rolled back and `target`
/// succeeded, or `target` failed (exit 1). Shared with `watch --rollback`.
pub fn execute(
    env: &Env,
    environment: &str,
    current: &Deploy,
    target: &Deploy,
    config: &EnvironmentConfig,
) -> Result<Outcome, Error> {
    let Some(command) = &config.rollback_command else {
        return Err(Error::refused(
            format!("`{environment}` has no `rollback-command`"),
            &[
                "set `rollback-command` under `[environments.NAME]`, or roll back by hand and record it with `git release deploy`",
            ],
        ));
    };
    let ident = recording::identity(&env.repo)?;
    let status = Command::new("sh")
        .args(["-c", command])
        .env("GIT_RELEASE_TAG", &target.tag)
        .env("GIT_RELEASE_ENV", environment)
        .env("GIT_RELEASE_FROM", &current.tag)
        .status()
        .map_err(Error::io(format!("running `{command}`")))?;
    let at = recording::now_rfc3339()?;
    // Recorded one after the other: `seq` keeps them in that order.
    let write = |tag: &str, commit: &str, status: Status, note: &str| -> Result<(), Error> {
        let mut deploy = Deploy {
            env: environment.to_owned(),
            status,
            tag: tag.to_owned(),
            commit: commit.to_owned(),
            at: at.clone(),
            seq: None,
            by: format!("{} <{}>", ident.name, ident.email),
            url: None,
            note: Some(note.to_owned()),
        };
        let line = crate::ledger::append(&env.repo, &mut deploy, &ident, "git release rollback")?;
        env.out.info(&format!(
            "appended to {}: {line}",
            crate::gate::evidence::DEPLOYS_REF
        ));
        Ok(())
    };
    if status.success() {
        write(
            &current.tag,
            &current.commit,
            Status::RolledBack,
            &format!("rolled back to {}", target.tag),
        )?;
        write(
            &target.tag,
            &target.commit,
            Status::Succeeded,
            &format!("rollback from {}", current.tag),
        )?;
        env.out.line(&format!(
            "rolled `{}` back to {}; recorded",
            environment, target.tag
        ))?;
        Ok(Outcome::Success)
    } else {
        write(
            &target.tag,
            &target.commit,
            Status::Failed,
            &format!("rollback from {} failed ({status})", current.tag),
        )?;
        env.out.say(&format!(
            "the rollback command failed ({status}); recorded as a failed deployment of {}",
            target.tag
        ));
        Ok(Outcome::No)
    }
}
