//! The trusted revision: policy and allowed signers are read from the
//! previous release (or a configured revision), never from the candidate, so
//! a release cannot loosen its own rules or add its own signers.

use std::path::Path;

use git2::Oid;

use crate::Error;
use crate::config::{Config, FILE_NAME};
use crate::gate::Policy;
use crate::repo::Repo;
use crate::signing::AllowedSigners;
use crate::tags::ReleaseTag;

/// The policy and signers in force for a candidate.
pub struct Trusted {
    /// The resolved policy.
    pub policy: Policy,
    /// The allowed signers at the trusted revision, when the file exists there.
    pub signers: Option<AllowedSigners>,
    /// Why the signers could not be read, if they could not.
    pub signers_problem: Option<String>,
    /// A warning to show (first release: the candidate's own policy).
    pub warning: Option<String>,
}

fn config_at(repo: &Repo, commit: Oid, label: &str) -> Result<Config, Error> {
    match repo.blob_at(commit, Path::new(FILE_NAME))? {
        Some(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::refused(format!("`{FILE_NAME}` at {label} is not valid UTF-8"), &[])
            })?;
            Ok(Config::parse(&text, &format!("{FILE_NAME} at {label}"))?)
        }
        None => Ok(Config::default()),
    }
}

/// Loads the policy for `candidate`, whose last release is `previous`.
pub fn load(repo: &Repo, previous: Option<&ReleaseTag>, candidate: Oid) -> Result<Trusted, Error> {
    let (mut commit, mut label, mut warning) = match previous {
        Some(tag) => (tag.commit, format!("`{}`", tag.name), None),
        None => (
            candidate,
            format!("the candidate {}", &candidate.to_string()[..7]),
            Some(
                "no previous release: the policy is read from the candidate itself (first release)"
                    .to_owned(),
            ),
        ),
    };
    let mut config = config_at(repo, commit, &label)?;
    if config.gate.trust != "previous-release" {
        let rev = config.gate.trust.clone();
        commit = repo.resolve(&rev).map_err(|e| {
            Error::refused(
                format!("the trusted revision `{rev}` (gate.trust at {label}) cannot be read: {e}"),
                &["fetch it (`git fetch origin`), or set `gate.trust = \"previous-release\"`"],
            )
        })?;
        label = format!("`{rev}`");
        warning = None;
        config = config_at(repo, commit, &label)?;
    }
    let source = format!("{FILE_NAME} at {label}");
    let policy = Policy::from_config(&config.gate, source).map_err(|e| Error::refused(e, &[]))?;
    let path = &config.gate.allowed_signers;
    let (signers, signers_problem) = match repo.blob_at(commit, path)? {
        Some(bytes) => match AllowedSigners::parse(&String::from_utf8_lossy(&bytes)) {
            Ok(signers) => (Some(signers), None),
            Err(e) => (None, Some(format!("`{}` at {label}: {e}", path.display()))),
        },
        None => (
            None,
            Some(format!("`{}` does not exist at {label}", path.display())),
        ),
    };
    Ok(Trusted {
        policy,
        signers,
        signers_problem,
        warning,
    })
}
