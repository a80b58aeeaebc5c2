//! `git release approve [REV] [--tag TAG]`: record an approval of a release
//! candidate, bound to the tag name, commit and tree.

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::error::Outcome;
use crate::gate::evidence::{APPROVALS_REF, Claim, Record};
use crate::gate::recording;

/// `approve`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The tag being approved [default: the planned next tag]
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Sign the record with your SSH key (`user.signingkey`)
    #[arg(long)]
    pub sign: bool,
    /// Approve deploying the release (`--tag`) to this environment instead
    #[arg(long, value_name = "ENV", requires = "tag")]
    pub env: Option<String>,
}

/// Records the approval (one per package due for release in a monorepo).
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    if let (Some(environment), Some(tag)) = (&args.env, &args.tag) {
        return approve_deploy(args, env, tag, environment);
    }
    let plans = env.plans(&args.plan.request())?;
    let mut targets = Vec::new();
    match &args.tag {
        Some(tag) => {
            // The package whose template names the tag (or the only one).
            let chosen = plans
                .iter()
                .find(|(p, _)| p.next.as_ref().is_some_and(|n| &n.tag == tag))
                .or_else(|| {
                    let packages = crate::packages::all(&env.config).ok()?;
                    let (package, _) = crate::packages::for_tag(&packages, tag)?;
                    plans.iter().find(|(p, _)| p.package == package.name)
                })
                .or(plans.first());
            if let Some((_, history)) = chosen {
                targets.push((tag.clone(), history));
            }
        }
        None => {
            for (plan, history) in &plans {
                if let Some(next) = &plan.next {
                    targets.push((next.tag.clone(), history));
                }
            }
        }
    }
    if targets.is_empty() {
        let reason = plans
            .first()
            .map_or(String::new(), |(p, _)| p.reason.clone());
        return Err(Error::refused(
            format!("nothing to release, so there is nothing to approve: {reason}"),
            &["name the tag with `--tag TAG` to approve it anyway"],
        ));
    }
    for (tag, history) in targets {
        approve(args, env, &tag, history)?;
    }
    Ok(Outcome::Success)
}

fn approve(
    args: &Args,
    env: &Env,
    tag: &str,
    history: &crate::history::scope::History,
) -> Result<(), Error> {
    let repo = &env.repo;
    let tag = tag.to_owned();
    if !git2::Reference::is_valid_name(&format!("refs/tags/{tag}")) {
        return Err(Error::refused(
            format!("`{tag}` is not a valid tag name"),
            &["give the tag the release will get, e.g. `--tag v1.2.0`"],
        ));
    }
    let ident = recording::identity(repo)?;
    let key = if args.sign || env.config.gate.signed {
        Some(recording::signing_key(repo)?)
    } else {
        None
    };
    let commit = history.candidate;
    let mut record = Record {
        name: ident.name.clone(),
        email: ident.email.clone(),
        claim: Claim::Approval {
            tag: tag.clone(),
            env: args.env.clone(),
        },
        commit: commit.to_string(),
        tree: repo.tree_of(commit)?.to_string(),
        at: recording::now_rfc3339()?,
        seq: None,
        signature: None,
    };
    if history
        .changes
        .iter()
        .any(|c| !c.merge && c.author.email.eq_ignore_ascii_case(&ident.email))
    {
        env.out.warn(&format!(
            "you authored commits in this release; unless `self-approval = true`, your approval of {tag} will not count"
        ));
    }
    let to = recording::Store {
        notes_ref: APPROVALS_REF,
        ident: &ident,
        command: "git release approve",
        key: key.as_ref(),
    };
    let line = recording::store(repo, &to, &mut record)?;
    env.out
        .info(&format!("appended to {}: {line}", to.notes_ref));
    let signed = if record.signature.is_some() {
        ", signed"
    } else {
        ""
    };
    env.out.done(&format!(
        "recorded: {} <{}> approves {tag} at {} (tree {}){signed}",
        record.name,
        record.email,
        &record.commit[..7],
        &record.tree[..7]
    ));
    Ok(())
}

/// Records an approval to deploy an existing release to an environment.
fn approve_deploy(args: &Args, env: &Env, tag: &str, environment: &str) -> Result<Outcome, Error> {
    let repo = &env.repo;
    if !env.config.environments.contains_key(environment) {
        return Err(Error::Refused {
            message: format!("there is no environment `{environment}`"),
            hints: vec![format!(
                "environments are configured under `[environments]` in .release.toml: {}",
                env.config
                    .environments
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        });
    }
    let commit = repo.resolve(&format!("refs/tags/{tag}")).map_err(|_| {
        Error::refused(
            format!("there is no tag `{tag}`"),
            &["approve a release that exists: `git release log` lists them"],
        )
    })?;
    let ident = recording::identity(repo)?;
    let key = if args.sign || env.config.gate.signed {
        Some(recording::signing_key(repo)?)
    } else {
        None
    };
    let mut record = Record {
        name: ident.name.clone(),
        email: ident.email.clone(),
        claim: Claim::Approval {
            tag: tag.to_owned(),
            env: Some(environment.to_owned()),
        },
        commit: commit.to_string(),
        tree: repo.tree_of(commit)?.to_string(),
        at: recording::now_rfc3339()?,
        seq: None,
        signature: None,
    };
    let to = recording::Store {
        notes_ref: APPROVALS_REF,
        ident: &ident,
        command: "git release approve",
        key: key.as_ref(),
    };
    let line = recording::store(repo, &to, &mut record)?;
    env.out
        .info(&format!("appended to {}: {line}", to.notes_ref));
    env.out.done(&format!(
        "recorded: {} <{}> approves deploying {tag} to `{environment}`",
        record.name, record.email
    ));
    Ok(Outcome::Success)
}
