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

/// How many approvals the report admitted (its evidence lines).
fn count_admitted(report: &crate::gate::requirements::Report) -> usize {
    report
        .evidence
        .iter()
        .filter(|e| e.starts_with("Approved-by:"))
        .count()
}

/// Records the deployment.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let commit = env.repo.resolve(&format!("refs/tags/{}", args.tag)).map_err(|_| {
        Error::refused(
            format!("there is no tag `{}`", args.tag),
            &["deploy a release that exists: `git release log` lists them; in CI, `git fetch --tags`"],
        )
    })?;
    if crate::packages::for_tag(&crate::packages::all(&env.config)?, &args.tag).is_none() {
        return Err(Error::refused(
            format!("`{}` is not a release tag", args.tag),
            &["deploy a tag that `git release tag` made (it matches the tag template)"],
        ));
    }
    let (records, malformed) = ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    let ident = recording::identity(&env.repo)?;
    if matches!(args.status, Status::Started | Status::Succeeded) {
        // The environment's rules and its approvals come from the trusted
        // configuration and go through the release approvals' rules.
        let deployer = Some(ident.email.clone());
        let check = crate::gate::verdict::assess_deployment(
            &env.repo, &args.tag, commit, &args.env, deployer,
        )?;
        let approvals = match check
            .report
            .requirements
            .iter()
            .find(|r| r.name == "approvals")
        {
            Some(r) if r.ok => check.environment.approvals,
            Some(_) => count_admitted(&check.report),
            None => check.environment.approvals,
        };
        let mut problems = ledger::promotion_problems(
            &records,
            &args.env,
            &check.environment,
            &args.tag,
            approvals,
            crate::clock::now()?,
        );
        for requirement in check.report.requirements.iter().filter(|r| !r.ok) {
            for rejected in &requirement.rejected {
                problems.push(format!("an approval does not count: {rejected}"));
            }
        }
        if !problems.is_empty() {
            for p in &problems {
                env.out.say(&format!("git-release: {p}"));
            }
            env.out.say(&format!(
                "refusing to start {} in `{}` (rules: {}); nothing was recorded",
                args.tag, args.env, check.source
            ));
            if check.environment.approvals > approvals {
                env.out.say(&format!(
                    "fix: git release approve --tag {} --env {}   (by an allowed approver who took no part in the release)",
                    args.tag, args.env
                ));
            }
            return Ok(Outcome::No);
        }
    }
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
