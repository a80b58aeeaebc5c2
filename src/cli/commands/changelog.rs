//! `git release changelog`: write or update the changelog file.

use std::path::PathBuf;

use semver::Version;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::git::tags::Match;
use crate::history::plan::{self, Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::render::changelog_file::{self, Section};
use crate::render::describe::{self, Describer};
use crate::render::templates::{Kind, Templates};

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
    /// Set by `tag`: the unreleased changes are being released now.
    #[arg(skip)]
    pub tagging: bool,
    /// Set by `tag`: the plan's request (overrides, pre-release, first parent).
    #[arg(skip)]
    pub request: Request,
}

/// What a changelog update would do.
pub struct Update {
    /// The file.
    pub path: PathBuf,
    /// Its new content.
    pub text: String,
    /// Whether it differs from what is there.
    pub changed: bool,
    /// Tags of the sections added.
    pub added: Vec<String>,
}

/// Computes one package's changelog update without writing anything.
/// `planned` is the package's plan when the caller has it (`tag`).
pub fn prepare(
    args: &Args,
    env: &Env,
    package: &Package,
    planned: Option<(&Plan, &History)>,
) -> Result<Update, Error> {
    let root = env.repo.workdir();
    let mut sources = describe::sources(&env.config, root.as_deref());
    if let Some(template) = &args.template {
        sources.changelog = Some(template.clone());
    }
    let templates = Templates::new(&sources)?;
    let describer = Describer::new(&env.repo, &env.config, package, args.request.first_parent)?;

    let path = match (&args.output, &root) {
        (Some(path), _) if path.as_os_str() == "-" => None,
        (Some(path), _) => Some(path.clone()),
        (None, Some(root)) => Some(root.join(&package.changelog)),
        (None, None) => {
            return Err(Error::refused(
                "this repository has no work tree for the changelog file",
                &["pass `--output FILE` or `--output -`"],
            ));
        }
    };
    let existing = match &path {
        Some(path) if path.exists() => {
            let bytes =
                std::fs::read(path).map_err(Error::io(format!("reading `{}`", path.display())))?;
            Some(String::from_utf8(bytes).map_err(|_| {
                Error::refused(
                    format!("`{}` is not UTF-8 text, so it cannot be updated safely", path.display()),
                    &["convert it to UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or write elsewhere with `--output FILE`"],
                )
            })?)
        }
        _ => None,
    };
    let present: Vec<String> = match (&existing, args.regenerate) {
        (Some(text), false) => changelog_file::present(text),
        _ => Vec::new(),
    };
    let headed: Vec<Version> = match (&existing, args.regenerate) {
        (Some(text), false) if present.is_empty() => changelog_file::headed_versions(text),
        _ => Vec::new(),
    };
    let is_present =
        |tag: &str, version: &Version| present.iter().any(|t| t == tag) || headed.contains(version);

    let mut sections = Vec::new();
    if args.unreleased {
        let owned;
        let (plan, history) = match planned {
            Some(planned) => planned,
            None => {
                owned = plan::make(&env.repo, &env.config, package, &args.request)?;
                (&owned.0, &owned.1)
            }
        };
        let timestamp = crate::clock::timestamp(args.date.as_deref())?;
        let next = describer.unreleased(plan, history, timestamp, args.tagging);
        if let Some(release) = next.filter(|r| !present.contains(&r.tag)) {
            let version =
                Version::parse(&release.version).map_err(|e| Error::refused(e.to_string(), &[]))?;
            sections.push(Section {
                tag: release.tag.clone(),
                version,
                unreleased: !args.tagging,
                text: templates.render(Kind::Changelog, &release)?,
            });
        }
    }
    let head = env.repo.head()?;
    let finals: Vec<&crate::git::tags::ReleaseTag> = describer
        .index()
        .releases
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .collect();
    describer.chain(head, |tag, release| {
        if !is_present(&tag.name, &tag.version) {
            sections.push(Section {
                tag: tag.name.clone(),
                version: tag.version.clone(),
                unreleased: false,
                text: templates.render(Kind::Changelog, &release)?,
            });
        }
        // Stop once this and every older release are in the file already.
        let done = finals
            .iter()
            .filter(|t| t.version <= tag.version)
            .all(|t| is_present(&t.name, &t.version));
        Ok(!done)
    })?;

    let template = describer.template().clone();
    let version_of = |tag: &str| match template.parse(tag) {
        Match::Version(v) => Some(v),
        _ => None,
    };
    let header = env
        .config
        .changelog
        .header
        .as_deref()
        .unwrap_or(changelog_file::DEFAULT_HEADER);
    let text = match &existing {
        None => changelog_file::fresh(header, &sections),
        Some(text) if args.regenerate => changelog_file::regenerate(text, &sections, version_of),
        Some(text) => changelog_file::insert(text, &sections, version_of),
    };
    let changed = existing.as_deref() != Some(text.as_str());
    let added = sections.iter().map(|s| s.tag.clone()).collect();
    Ok(Update {
        path: path.unwrap_or_else(|| PathBuf::from("-")),
        text,
        changed,
        added,
    })
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
        Some(plan::make_all(
            &env.repo,
            &env.config,
            &env.packages,
            &args.request,
        )?)
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
    let update = prepare(args, env, package, planned)?;
    if update.path.as_os_str() == "-" {
        env.out.write(&update.text)?;
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
