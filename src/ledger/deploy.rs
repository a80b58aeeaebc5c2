//! Recording a deployment: the release commit a tag names, why the
//! environment's promotion rules would refuse it (under the trusted
//! configuration, approvals judged as release approvals are), and the
//! record itself. Shared by `deploy`, `watch` and the dashboard.

use git2::Oid;

use crate::Error;
use crate::config::Config;
use crate::gate::recording;
use crate::git::identity::Ident;
use crate::git::repo::Repo;
use crate::ledger::{self, Deploy, Status};

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
pub fn release_commit(repo: &Repo, config: &Config, tag: &str) -> Result<Oid, Error> {
    let commit = repo.resolve(&format!("refs/tags/{tag}")).map_err(|_| {
        Error::refused(
            format!("there is no tag `{tag}`"),
            &["deploy a release that exists: `git release log` lists them; in CI, `git fetch --tags`"],
        )
    })?;
    if crate::packages::for_tag(&crate::packages::all(config)?, tag).is_none() {
        return Err(Error::refused(
            format!("`{tag}` is not a release tag"),
            &["deploy a tag that `git release tag` made (it matches the tag template)"],
        ));
    }
    Ok(commit)
}

/// Why recording `status` for `tag` (at `commit`) in `environment` by
/// `deployer` would be refused, by the environment's promotion rules;
/// `None` when it would be recorded. Only `started` and `succeeded` are
/// ever refused.
pub fn refusal(
    repo: &Repo,
    records: &[Deploy],
    tag: &str,
    commit: Oid,
    environment: &str,
    status: Status,
    deployer: &Ident,
) -> Result<Option<Refusal>, Error> {
    if !matches!(status, Status::Started | Status::Succeeded) {
        return Ok(None);
    }
    // The environment's rules and its approvals come from the trusted
    // configuration and go through the release approvals' rules.
    let check = crate::gate::verdict::assess_deployment(
        repo,
        tag,
        commit,
        environment,
        Some(deployer.email.clone()),
    )?;
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

/// What a deployment record says.
pub struct Event<'a> {
    /// The release.
    pub tag: &'a str,
    /// Its commit.
    pub commit: Oid,
    /// The environment.
    pub environment: &'a str,
    /// What happened.
    pub status: Status,
    /// A link.
    pub url: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// Records a deployment by `ident` (for `command`, in the notes commit's
/// message) and returns the record's line once the notes ref holds it.
pub fn record(
    repo: &Repo,
    ident: &Ident,
    event: Event<'_>,
    command: &str,
) -> Result<String, Error> {
    let mut deploy = Deploy {
        env: event.environment.to_owned(),
        status: event.status,
        tag: event.tag.to_owned(),
        commit: event.commit.to_string(),
        at: recording::now_rfc3339()?,
        seq: None,
        by: format!("{} <{}>", ident.name, ident.email),
        url: event.url,
        note: event.note,
    };
    ledger::append(repo, &mut deploy, ident, command)
}
