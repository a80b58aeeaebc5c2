//! What every command receives: the opened repository, its configuration,
//! the selected packages and the output layer ([`Env`]), and the arguments
//! that select and shape a release ([`PlanArgs`]), shared by several
//! commands. Commands depend on this module, never on the dispatcher.

use clap::Args;
use semver::Version;

use crate::Error;
use crate::cli::output::Output;
use crate::config::Config;
use crate::git::repo::Repo;
use crate::history::bump::Overrides;
use crate::history::plan::Request;
use crate::history::version::Bump;
use crate::packages::Package;

/// What selects and shapes a release.
#[derive(Debug, Args, Default)]
pub struct PlanArgs {
    /// The release candidate [default: HEAD]
    #[arg(value_name = "REV")]
    pub rev: Option<String>,
    /// Force this bump instead of the one the commits imply
    #[arg(long, value_name = "LEVEL", value_parser = parse_bump, conflicts_with = "release_as")]
    bump: Option<Bump>,
    /// Release exactly this version
    #[arg(long, value_name = "X.Y.Z", env = "GIT_RELEASE_RELEASE_AS", value_parser = parse_version)]
    release_as: Option<Version>,
    /// Make a pre-release with this label (rc, beta, …): X.Y.Z-LABEL.N
    #[arg(long, value_name = "LABEL", env = "GIT_RELEASE_PRE")]
    pre: Option<String>,
    /// Follow only first parents (squash-merge workflows)
    #[arg(long)]
    pub first_parent: bool,
}

fn parse_bump(s: &str) -> Result<Bump, String> {
    match s.parse::<Bump>()? {
        Bump::None => {
            Err("`--bump none` would release nothing; use major, minor or patch".to_owned())
        }
        bump => Ok(bump),
    }
}

fn parse_version(s: &str) -> Result<Version, String> {
    Version::parse(s.trim_start_matches('v'))
        .map_err(|e| format!("`{s}` is not a semantic version: {e}"))
}

impl PlanArgs {
    /// The resolved request.
    pub fn request(&self) -> Request {
        Request {
            rev: self.rev.clone(),
            overrides: Overrides {
                bump: self.bump,
                release_as: self.release_as.clone(),
                pre: self.pre.clone(),
            },
            first_parent: self.first_parent,
        }
    }
}

/// Everything a command needs from the environment.
pub struct Env {
    /// The repository.
    pub repo: Repo,
    /// Its configuration.
    pub config: Config,
    /// The packages the command acts on (`--package`, or all).
    pub packages: Vec<Package>,
    /// Whether `--package` named one.
    pub one_package: bool,
    /// Output.
    pub out: Output,
}

impl Env {
    /// Whether the repository is a monorepo with `[[package]]`s.
    pub fn monorepo(&self) -> bool {
        !self.config.package.is_empty()
    }

    /// The single package a command acts on, refusing when there are several.
    pub fn single_package(&self, what: &str) -> Result<&Package, Error> {
        match self.packages.as_slice() {
            [package] => Ok(package),
            _ => {
                let names: Vec<String> = self
                    .packages
                    .iter()
                    .filter_map(|p| p.name.clone())
                    .collect();
                Err(Error::Refused {
                    message: format!(
                        "{what} needs one package, and this repository has {}",
                        self.packages.len()
                    ),
                    hints: vec![format!(
                        "name it with `--package NAME` ({})",
                        names.join(", ")
                    )],
                })
            }
        }
    }
}
