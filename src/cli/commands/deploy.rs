//! `git release deploy TAG --env NAME --status …`: record a deployment,
//! refusing a start that the environment's promotion rules do not allow.

use crate::Error;
use crate::cli::commands::record;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence::{Claim, DEPLOYS_REF};
use crate::gate::record_order;
use crate::git::identity::Ident;
use crate::git::writer::notes;
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
    let mut all = Vec::new();
    let mut bad = Vec::new();
    for (annotated, text) in env.repo.all_notes(DEPLOYS_REF)? {
        let (found, malformed) = ledger::parse_note(&text);
        bad.extend(malformed);
        // A record speaks only about the commit it is attached to.
        for record in found {
            if record.commit == annotated.to_string() {
                all.push(record);
            } else {
                bad.push(format!(
                    "a record on {} names commit {}",
                    &annotated.to_string()[..7],
                    record.commit
                ));
            }
        }
    }
    ledger::chronological(&mut all);
    Ok((all, bad))
}

/// The configured environment, or an error listing them.
pub fn environment<'a>(
    env: &'a Env,
    name: &str,
) -> Result<&'a crate::config::EnvironmentConfig, Error> {
    env.config.environments.get(name).ok_or_else(|| {
        let known: Vec<String> = env.config.environments.keys().cloned().collect();
        Error::Refused {
            message: format!("there is no environment `{name}`"),
            hints: vec![if known.is_empty() {
                "configure environments in .release.toml: `[environments.staging]`, `[environments.production]`".to_owned()
            } else {
                format!("the environments are: {}", known.join(", "))
            }],
        }
    })
}

/// Distinct approvals of deploying `tag` (at `commit`) to `environment`.
pub fn deploy_approvals(
    env: &Env,
    commit: git2::Oid,
    tag: &str,
    environment: &str,
) -> Result<usize, Error> {
    let (records, _) = crate::gate::verdict::records(&env.repo, commit)?;
    let mut who: Vec<String> = Vec::new();
    for r in records {
        if let Claim::Approval {
            tag: t,
            env: Some(e),
        } = &r.claim
        {
            if t == tag
                && e == environment
                && r.commit == commit.to_string()
                && !who.iter().any(|w| w.eq_ignore_ascii_case(&r.email))
            {
                who.push(r.email.clone());
            }
        }
    }
    Ok(who.len())
}

/// Appends a deployment record — given its `seq` in the order of
/// recording — once the notes ref holds it.
pub fn store(env: &Env, deploy: &mut Deploy, ident: &Ident, command: &str) -> Result<(), Error> {
    let commit = git2::Oid::from_str(&deploy.commit)
        .map_err(|e| Error::refused(e.message().to_owned(), &[]))?;
    let now = crate::clock::now()?;
    let update = notes::Append {
        notes_ref: DEPLOYS_REF,
        target: commit,
        ident,
        command,
    };
    let line = notes::append(&env.repo, &update, |snapshot| {
        deploy.seq = Some(record_order::next(
            snapshot.iter().map(|(_, text)| text.as_str()),
            now,
        ));
        Ok(deploy.to_line())
    })?;
    env.out.info(&format!("appended to {DEPLOYS_REF}: {line}"));
    Ok(())
}

/// Records the deployment.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let config = environment(env, &args.env)?;
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
    let (records, malformed) = records(env)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    if matches!(args.status, Status::Started | Status::Succeeded) {
        let approvals = deploy_approvals(env, commit, &args.tag, &args.env)?;
        let problems = ledger::promotion_problems(
            &records,
            &args.env,
            config,
            &args.tag,
            approvals,
            crate::clock::now()?,
        );
        if !problems.is_empty() {
            for p in &problems {
                env.out.say(&format!("git-release: {p}"));
            }
            env.out.say(&format!(
                "refusing to start {} in `{}`; nothing was recorded",
                args.tag, args.env
            ));
            if config.approvals > approvals {
                env.out.say(&format!(
                    "fix: git release approve --tag {} --env {}   (by an approver)",
                    args.tag, args.env
                ));
            }
            return Ok(Outcome::No);
        }
    }
    let ident = record::identity(&env.repo)?;
    let mut deploy = Deploy {
        env: args.env.clone(),
        status: args.status,
        tag: args.tag.clone(),
        commit: commit.to_string(),
        at: record::now_rfc3339()?,
        seq: None,
        by: format!("{} <{}>", ident.name, ident.email),
        url: args.url.clone(),
        note: args.note.clone(),
    };
    store(env, &mut deploy, &ident, "git release deploy")?;
    env.out.line(&format!(
        "recorded: {} {} in `{}`",
        args.tag,
        args.status.as_str(),
        args.env
    ))?;
    Ok(Outcome::Success)
}
