//! What every command receives: the opened repository, its configuration,
//! the selected packages and the output layer ([`Env`]), and the arguments
//! that select and shape a release ([`PlanArgs`]), shared by several
//! commands. Commands depend on this module, never on the dispatcher.

use std::path::Path;
use std::time::Instant;

use clap::Args;
use git2::Oid;
use semver::Version;

use crate::Error;
use crate::cli::output::Output;
use crate::config::Config;
use crate::gate::trust_base::Bases;
use crate::git::repo::Repo;
use crate::history::bump::Overrides;
use crate::history::plan::{Plan, Request};
use crate::history::scope::History;
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
    /// The plans of the selected packages (one history walk); `-v` says
    /// what each found and how long the walk took.
    pub fn plans(&self, request: &Request) -> Result<Vec<(Plan, History)>, Error> {
        let started = Instant::now();
        let plans =
            crate::history::plan::make_all(&self.repo, &self.config, &self.packages, request)?;
        if self.out.verbose() {
            let commits: usize = plans.iter().map(|(_, h)| h.changes.len()).sum();
            self.out.info(&format!(
                "history: {commits} commit(s) in scope, read in {}",
                elapsed(started)
            ));
            for (plan, _) in &plans {
                let who = plan
                    .package
                    .as_deref()
                    .map(|p| format!("package `{p}`: "))
                    .unwrap_or_default();
                let last = match &plan.previous {
                    Some(previous) => format!("last release {}", previous.tag),
                    None => "no release yet".to_owned(),
                };
                self.out.info(&format!(
                    "{who}{last} ({}); {}",
                    plan.previous_reason, plan.reason
                ));
            }
        }
        Ok(plans)
    }

    /// The trust base of `commit` (whose rules govern its release); `-v`
    /// says which revisions it is and how long finding it took.
    pub fn bases(&self, commit: Oid) -> Result<Bases, Error> {
        let started = Instant::now();
        let bases = crate::gate::verdict::bases_of(&self.repo, commit)?;
        if self.out.verbose() {
            let base = if bases.bases.is_empty() {
                "none (a first release with nothing pinned: the candidate's own rules)".to_owned()
            } else {
                bases
                    .bases
                    .iter()
                    .map(|b| format!("{} ({:.7})", b.label, b.commit))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.out.info(&format!(
                "trust base of {commit:.7}: {base}, found in {}",
                elapsed(started)
            ));
        }
        Ok(bases)
    }

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

/// `-v`'s first lines: the repository, the configuration, how long they took.
pub fn describe_setup(repo: &Repo, explicit: Option<&Path>, started: Instant) -> String {
    let root = repo.workdir();
    let where_ = root.as_deref().map_or_else(
        || repo.git().path().display().to_string(),
        |r| r.display().to_string(),
    );
    let config = match (explicit, root.as_deref()) {
        (Some(path), _) => format!("configuration: {}", path.display()),
        (None, Some(root)) if root.join(crate::config::FILE_NAME).exists() => {
            format!(
                "configuration: {}",
                root.join(crate::config::FILE_NAME).display()
            )
        }
        _ => format!(
            "configuration: defaults (no {} at the root)",
            crate::config::FILE_NAME
        ),
    };
    format!(
        "repository: {where_}\n{config}, read in {}",
        elapsed(started)
    )
}

/// A duration for `-v`: milliseconds with one decimal.
pub fn elapsed(started: Instant) -> String {
    format!("{:.1} ms", started.elapsed().as_secs_f64() * 1000.0)
}
