//! `git release rollback --env NAME`: the plan to go back to the last good
//! release there, and with `--execute` the configured rollback command, its
//! outcome recorded as deployments.

use crate::Error;
use crate::cli::context::Env;
use crate::cli::reports;
use crate::error::Outcome;
use crate::gate::recording;
use crate::ledger;
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
    let Some(current) = ledger::rollback_from(&records, &args.env) else {
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
    let ident = recording::identity(&env.repo)?;
    let (outcome, lines) =
        ledger::rollback::execute(&env.repo, &ident, &args.env, current, target, config)?;
    reports::rollback_outcome(&env.out, &outcome, &lines, &args.env, &target.tag)?;
    Ok(match outcome {
        ledger::rollback::Outcome::RolledBack => Outcome::Success,
        ledger::rollback::Outcome::CommandFailed(_) => Outcome::No,
    })
}
