//! `git release changelog`: write or update the changelog file.

use std::path::PathBuf;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::history::plan::{Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::render::changelog_update::{self, Options};

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
    for (i, package) in env.packages.iter().enumerate() {
        let planned = plans.as_ref().map(|p| (&p[i].0, &p[i].1));
        write_one(args, env, package, planned)?;
    }
    Ok(Outcome::Success)
}

fn write_one(
    args: &Args,
    env: &Env,
    package: &Package,
    planned: Option<(&Plan, &History)>,
) -> Result<(), Error> {
    let update =
        changelog_update::prepare(&env.repo, &env.config, package, &args.options(), planned)?;
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
    crate::git::writer::write_atomically(&update.path, update.text.as_bytes())?;
    let added = if update.added.is_empty() {
        "regenerated".to_owned()
    } else {
        format!("added {}", update.added.join(", "))
    };
    env.out.line(&format!("updated {shown}: {added}"))?;
    Ok(())
}
