//! A changelog file's update, computed without writing anything: the
//! sections missing from the file (released tags, and with `unreleased` the
//! next release), rendered and merged into the existing text.
//!
//! In: the repository, configuration, a package and its plan. Out: the new
//! text and what was added; `changelog` and `tag` write it.

use std::path::PathBuf;

use semver::Version;

use crate::Error;
use crate::config::Config;
use crate::git::repo::Repo;
use crate::git::tags::Match;
use crate::git::work_tree::WorkTree;
use crate::history::plan::{self, Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::render::changelog_file::{self, Section};
use crate::render::describe::{self, Describer};
use crate::render::templates::{Kind, Templates};

/// What to put in the changelog and where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write here instead of the configured path; `-` for stdout.
    pub output: Option<PathBuf>,
    /// Rebuild every generated section from history.
    pub regenerate: bool,
    /// Also add the unreleased changes under the next version.
    pub unreleased: bool,
    /// Use this section template instead of the configured or built-in one.
    pub template: Option<PathBuf>,
    /// The release date of unreleased changes (YYYY-MM-DD).
    pub date: Option<String>,
    /// The unreleased changes are being released now (`tag`).
    pub tagging: bool,
    /// The plan's request (overrides, pre-release, first parent).
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
    repo: &Repo,
    config: &Config,
    package: &Package,
    args: &Options,
    planned: Option<(&Plan, &History)>,
) -> Result<Update, Error> {
    let work_tree = WorkTree::of(repo)?;
    let mut sources = describe::sources(config, work_tree.as_ref())?;
    if let Some(template) = &args.template {
        sources.changelog = Some(template.clone());
    }
    let templates = Templates::new(&sources)?;
    let describer = Describer::new(repo, config, package, args.request.first_parent)?;

    let path = match (&args.output, &work_tree) {
        (Some(path), _) if path.as_os_str() == "-" => None,
        // The user's own choice: anywhere.
        (Some(path), _) => Some(path.clone()),
        (None, Some(tree)) => Some(tree.resolve(&package.changelog_setting(), &package.changelog)?),
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
        // Releases under hand-written headings (outside generated
        // sections) are in the file too, whatever else it holds.
        (Some(text), false) => {
            changelog_file::headed_versions(&changelog_file::hand_written_lines(text).concat())
        }
        _ => Vec::new(),
    };
    // A changelog written by hand or by another tool starts where its
    // oldest release heading is: older releases are left out on purpose
    // (often kept in another file), not missing.
    let starts_at = headed.iter().min().cloned();
    let is_present = |tag: &str, version: &Version| {
        present.iter().any(|t| t == tag)
            || headed.contains(version)
            || starts_at.as_ref().is_some_and(|oldest| version < oldest)
    };

    let mut sections = Vec::new();
    if args.unreleased {
        let owned;
        let (plan, history) = match planned {
            Some(planned) => planned,
            None => {
                owned = plan::make(repo, config, package, &args.request)?;
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
    let head = repo.head()?;
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
    let header = config
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
