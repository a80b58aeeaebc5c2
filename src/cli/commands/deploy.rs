//! `git release deploy TAG --env NAME --status …`: record a deployment,
//! refusing a start that the environment's promotion rules do not allow.

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence::DEPLOYS_REF;
use crate::gate::recording;
use crate::ledger::{self, Deploy, Status};

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

/// Every deployment record, in the order they were recorded in, and the
/// malformed lines.
pub fn records(env: &Env) -> Result<(Vec<Deploy>, Vec<String>), Error> {
    ledger::read(&env.repo)
}

/// Why a deployment may not be recorded: each problem, where the rules
/// were read, and whether approvals are missing.
#[derive(Debug, Default)]
pub struct Refusal {
    /// What is not met.
    pub problems: Vec<String>,
    /// Where the environment's rules come from.
    pub source: String,
    /// Whether more approvals are needed.
    pub needs_approval: bool,
}

/// The release commit `tag` names, refusing what is not a release tag.
pub fn release_commit(env: &Env, tag: &str) -> Result<git2::Oid, Error> {
    let commit = env.repo.resolve(&format!("refs/tags/{tag}")).map_err(|_| {
        Error::refused(
            format!("there is no tag `{tag}`"),
            &["deploy a release that exists: `git release log` lists them; in CI, `git fetch --tags`"],
        )
    })?;
    if crate::packages::for_tag(&crate::packages::all(&env.config)?, tag).is_none() {
        return Err(Error::refused(
            format!("`{tag}` is not a release tag"),
            &["deploy a tag that `git release tag` made (it matches the tag template)"],
        ));
    }
    Ok(commit)
}

/// Why recording `status` for `tag` (at `commit`) in `environment` would be
/// refused, by the environment's promotion rules; `None` when it would be
/// recorded. Only `started` and `succeeded` are ever refused.
pub fn refusal(
    env: &Env,
    records: &[Deploy],
    tag: &str,
    commit: git2::Oid,
    environment: &str,
    status: Status,
) -> Result<Option<Refusal>, Error> {
    if !matches!(status, Status::Started | Status::Succeeded) {
        return Ok(None);
    }
    // The environment's rules and its approvals come from the trusted
    // configuration and go through the release approvals' rules.
    let deployer = Some(recording::identity(&env.repo)?.email);
    let check =
        crate::gate::verdict::assess_deployment(&env.repo, tag, commit, environment, deployer)?;
    let approvals = check.approvals();
    let mut problems = ledger::promotion_problems(
        records,
        environment,
        &check.environment,
        tag,
        approvals,
        crate::clock::now()?,
    );
    for requirement in check.report.requirements.iter().filter(|r| !r.ok) {
        for rejected in &requirement.rejected {
            problems.push(format!("an approval does not count: {rejected}"));
        }
    }
    Ok((!problems.is_empty()).then_some(Refusal {
        problems,
        source: check.source,
        needs_approval: check.environment.approvals > approvals,
    }))
}

/// Says why, and the command that fixes missing approvals.
pub fn explain(env: &Env, refusal: &Refusal, tag: &str, environment: &str) {
    for p in &refusal.problems {
        env.out.say(&format!("git-release: {p}"));
    }
    env.out.say(&format!(
        "refusing to start {tag} in `{environment}` (rules: {}); nothing was recorded",
        refusal.source
    ));
    if refusal.needs_approval {
        env.out.say(&format!(
            "fix: git release approve --tag {tag} --env {environment}   (by an allowed approver who took no part in the release)"
        ));
    }
}

/// Records the deployment.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let commit = release_commit(env, &args.tag)?;
    let (records, malformed) = records(env)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    if let Some(refusal) = refusal(env, &records, &args.tag, commit, &args.env, args.status)? {
        explain(env, &refusal, &args.tag, &args.env);
        return Ok(Outcome::No);
    }
    let ident = recording::identity(&env.repo)?;
    let mut deploy = Deploy {
        env: args.env.clone(),
        status: args.status,
        tag: args.tag.clone(),
        commit: commit.to_string(),
        at: recording::now_rfc3339()?,
        seq: None,
        by: format!("{} <{}>", ident.name, ident.email),
        url: args.url.clone(),
        note: args.note.clone(),
    };
    let line = ledger::append(&env.repo, &mut deploy, &ident, "git release deploy")?;
    env.out.info(&format!("appended to {DEPLOYS_REF}: {line}"));
    env.out.line(&format!(
        "recorded: {} {} in `{}`",
        args.tag,
        args.status.as_str(),
        args.env
    ))?;
    Ok(Outcome::Success)
}
