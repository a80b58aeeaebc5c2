//! `git release changelog`: write or update the changelog file.

use std::path::PathBuf;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::history::chains;
use crate::history::plan::{Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::render::changelog_update::{self, FromPass, Options};

/// `changelog`'s arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Write here instead of the configured path; `-` for stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rebuild every generated section from history
    #[arg(long)]
    pub regenerate: bool,
    /// Also add the unreleased changes under the next version
    #[arg(long, visible_alias = "next")]
    pub unreleased: bool,
    /// Use this section template instead of the configured or built-in one
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// The release date of unreleased changes (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH or today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

impl Args {
    /// The resolved options.
    pub fn options(&self) -> Options {
        Options {
            output: self.output.clone(),
            regenerate: self.regenerate,
            unreleased: self.unreleased,
            template: self.template.clone(),
            date: self.date.clone(),
            tagging: false,
            request: Request::default(),
        }
    }
}

/// Writes the changelog.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    if args.output.is_some() && env.packages.len() > 1 {
        return Err(Error::refused(
            "`--output` writes one changelog, and this repository has several packages",
            &["name one with `--package NAME`"],
        ));
    }
    // With packages and `--unreleased`, dependency releases come from the plan of all.
    let plans = if args.unreleased && env.packages.len() > 1 {
        Some(env.plans(&Request::default())?)
    } else {
        None
    };
    // Every package's releases from one pass over history.
    let mut passes: Vec<Option<FromPass>> = match env.packages.len() {
        0 | 1 => Vec::new(),
        _ => one_pass(env, &args.options())?,
    };
    passes.resize_with(env.packages.len(), || None);
    for ((i, package), pass) in env.packages.iter().enumerate().zip(passes) {
        let planned = plans.as_ref().map(|p| (&p[i].0, &p[i].1));
        write_one(args, env, package, planned, pass)?;
    }
    Ok(Outcome::Success)
}

/// What one walk of history finds for every package (nothing in
/// first-parent mode, where each package walks alone).
fn one_pass(env: &Env, options: &Options) -> Result<Vec<Option<FromPass>>, Error> {
    if env.config.commits.first_parent {
        return Ok(Vec::new());
    }
    env.repo.ensure_complete()?;
    let shared = crate::history::plan::Shared::read(&env.repo, &env.config)?;
    let indexes: Vec<_> = env
        .packages
        .iter()
        .map(|p| shared.index(&p.template))
        .collect();
    // Changelogs lacking releases need their chain down to the first
    // release below the lowest one missing, and share the pass.
    let mut until = Vec::new();
    for (package, index) in env.packages.iter().zip(&indexes) {
        until.push(changelog_update::lowest_missing(
            &env.repo, package, options, index,
        )?);
    }
    let targets: Vec<chains::Target<'_>> = env
        .packages
        .iter()
        .zip(&indexes)
        .zip(&until)
        .filter_map(|((p, index), until)| {
            Some(chains::Target {
                index,
                paths: p.paths.clone(),
                exclude: p.exclude.clone(),
                until: until.clone()?,
            })
        })
        .collect();
    let mut found = match targets.len() {
        0 | 1 => Vec::new(),
        _ => chains::find_chains(&env.repo, &targets, env.repo.head()?)?,
    }
    .into_iter();
    // A complete changelog gets no chain: `prepare` sees it needs none.
    let mut out = Vec::new();
    for (index, until) in indexes.into_iter().zip(until) {
        let chain = until.and_then(|_| found.next().flatten());
        out.push(Some(FromPass { index, chain }));
    }
    Ok(out)
}

fn write_one(
    args: &Args,
    env: &Env,
    package: &Package,
    planned: Option<(&Plan, &History)>,
    pass: Option<FromPass>,
) -> Result<(), Error> {
    let update = changelog_update::prepare(
        &env.repo,
        &env.config,
        package,
        &args.options(),
        planned,
        pass,
    )?;
    if update.path.as_os_str() == "-" {
        env.out.data(&update.text)?;
        return Ok(());
    }
    let shown = update
        .path
        .strip_prefix(env.repo.workdir().unwrap_or_default())
        .unwrap_or(&update.path)
        .display()
        .to_string();
    if !update.changed {
        env.out.line(&format!("{shown} is up to date"))?;
        return Ok(());
    }
    // A package whose directory has no files yet gets it with its changelog.
    if let Some(dir) = update.path.parent().filter(|d| !d.exists()) {
        std::fs::create_dir_all(dir).map_err(Error::io(format!(
            "creating `{}` for `{shown}`",
            dir.display()
        )))?;
    }
    crate::git::writer::write_atomically(&update.path, update.text.as_bytes())?;
    let added = if update.added.is_empty() {
        "regenerated".to_owned()
    } else {
        format!("added {}", update.added.join(", "))
    };
    env.out.line(&format!("updated {shown}: {added}"))?;
    Ok(())
}
