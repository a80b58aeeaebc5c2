//! `git release deploy TAG --env NAME --status …`: record a deployment,
//! refusing a start that the environment's promotion rules do not allow.

use crate::Error;
use crate::cli::context::Env;
use crate::cli::reports;
use crate::error::Outcome;
use crate::gate::evidence::DEPLOYS_REF;
use crate::gate::recording;
use crate::ledger::deploy::{self, Event};
use crate::ledger::{self, Status};

/// `deploy`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release tag
    #[arg(value_name = "TAG")]
    pub tag: String,
    /// The environment (configured under `[environments]`)
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// What happened
    #[arg(long, value_enum)]
    pub status: Status,
    /// A link to the deployment
    #[arg(long)]
    pub url: Option<String>,
    /// A note
    #[arg(long)]
    pub note: Option<String>,
}

/// Records the deployment.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let commit = deploy::release_commit(&env.repo, &env.config, &args.tag)?;
    let (records, malformed) = ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    let ident = recording::identity(&env.repo)?;
    if let Some(refusal) = deploy::refusal(
        &env.repo,
        &records,
        &args.tag,
        commit,
        &args.env,
        args.status,
        &ident,
    )? {
        reports::deployment_refusal(&env.out, &refusal, &args.tag, &args.env);
        return Ok(Outcome::No);
    }
    let line = deploy::record(
        &env.repo,
        &ident,
        Event {
            tag: &args.tag,
            commit,
            environment: &args.env,
            status: args.status,
            url: args.url.clone(),
            note: args.note.clone(),
        },
        "git release deploy",
    )?;
    env.out.info(&format!("appended to {DEPLOYS_REF}: {line}"));
    env.out.line(&format!(
        "recorded: {} {} in `{}`",
        args.tag,
        args.status.as_str(),
        args.env
    ))?;
    Ok(Outcome::Success)
}
