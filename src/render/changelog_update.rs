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
use crate::git::tags::{Match, TagIndex};
use crate::git::work_tree::WorkTree;
use crate::history::chains::ChainRelease;
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

/// What one pass over every package already read for one of them
/// ([`crate::history::chains`]).
pub struct FromPass {
    /// Its release tags.
    pub index: crate::git::tags::TagIndex,
    /// Its releases from HEAD with their commits (`None`: walk it alone).
    pub chain: Option<Vec<ChainRelease>>,
}

/// The changelog file as it is.
struct Existing {
    /// Where it is (`None`: stdout).
    path: Option<PathBuf>,
    /// Its text, if it exists.
    text: Option<String>,
    /// Tags of its generated sections (none when regenerating).
    present: Vec<String>,
    /// Versions under its hand-written headings (none when regenerating).
    headed: Vec<Version>,
}

impl Existing {
    fn read(
        work_tree: Option<&WorkTree>,
        package: &Package,
        args: &Options,
    ) -> Result<Existing, Error> {
        let path = match (&args.output, work_tree) {
            (Some(path), _) if path.as_os_str() == "-" => None,
            // The user's own choice: anywhere.
            (Some(path), _) => Some(path.clone()),
            (None, Some(tree)) => {
                Some(tree.resolve(&package.changelog_setting(), &package.changelog)?)
            }
            (None, None) => {
                return Err(Error::refused(
                    "this repository has no work tree for the changelog file",
                    &["pass `--output FILE` or `--output -`"],
                ));
            }
        };
        let text = match &path {
            Some(path) if path.exists() => {
                let bytes = std::fs::read(path)
                    .map_err(Error::io(format!("reading `{}`", path.display())))?;
                Some(String::from_utf8(bytes).map_err(|_| {
                    Error::refused(
                        format!("`{}` is not UTF-8 text, so it cannot be updated safely", path.display()),
                        &["convert it to UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or write elsewhere with `--output FILE`"],
                    )
                })?)
            }
            _ => None,
        };
        let present: Vec<String> = match (&text, args.regenerate) {
            (Some(text), false) => changelog_file::present(text),
            _ => Vec::new(),
        };
        let headed: Vec<Version> = match (&text, args.regenerate) {
            // Releases under hand-written headings (outside generated
            // sections) are in the file too, whatever else it holds.
            (Some(text), false) => {
                changelog_file::headed_versions(&changelog_file::hand_written_lines(text).concat())
            }
            _ => Vec::new(),
        };
        Ok(Existing {
            path,
            text,
            present,
            headed,
        })
    }
}

/// Whether a release is in the file: a generated section, a hand-written
/// heading, or older than the oldest heading (a changelog written by hand
/// or by another tool starts there: older releases are left out on
/// purpose, often kept in another file, not missing).
fn has(present: &[String], headed: &[Version], tag: &str, version: &Version) -> bool {
    present.iter().any(|t| t == tag)
        || headed.contains(version)
        || headed.iter().min().is_some_and(|oldest| version < oldest)
}

/// The lowest final release in `index` that a package's changelog lacks
/// (`None`: it has them all, so history adds nothing to it). The chain of
/// releases is needed down to the first release below it.
pub fn lowest_missing(
    repo: &Repo,
    package: &Package,
    args: &Options,
    index: &TagIndex,
) -> Result<Option<Version>, Error> {
    let work_tree = WorkTree::of(repo)?;
    let existing = Existing::read(work_tree.as_ref(), package, args)?;
    Ok(index
        .releases
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .filter(|t| !has(&existing.present, &existing.headed, &t.name, &t.version))
        .map(|t| t.version.clone())
        .min())
}

/// Computes one package's changelog update without writing anything.
/// `planned` is the package's plan when the caller has it (`tag`), `pass`
/// what a pass over all packages found for it.
pub fn prepare(
    repo: &Repo,
    config: &Config,
    package: &Package,
    args: &Options,
    planned: Option<(&Plan, &History)>,
    pass: Option<FromPass>,
) -> Result<Update, Error> {
    let work_tree = WorkTree::of(repo)?;
    let mut sources = describe::sources(config, work_tree.as_ref())?;
    if let Some(template) = &args.template {
        sources.changelog = Some(template.clone());
    }
    let templates = Templates::new(&sources)?;
    let (index, found) = match pass {
        Some(pass) => (Some(pass.index), pass.chain),
        None => (None, None),
    };
    let describer = match index {
        Some(index) => {
            Describer::with_index(repo, config, package, args.request.first_parent, index)?
        }
        None => Describer::new(repo, config, package, args.request.first_parent)?,
    };

    let Existing {
        path,
        text: existing,
        present,
        headed,
    } = Existing::read(work_tree.as_ref(), package, args)?;
    let is_present = |tag: &str, version: &Version| has(&present, &headed, tag, version);
    // A file with every release in it: history adds nothing (the chain
    // would stop at its first release), so none is read.
    let complete = describer
        .index()
        .releases
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .all(|t| is_present(&t.name, &t.version));
    let found = match found {
        None if complete => Some(Vec::new()),
        found => found,
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
    let mut visit = |tag: &crate::git::tags::ReleaseTag, release| {
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
    };
    match found {
        Some(found) => describer.chain_found(found, &mut visit)?,
        None => describer.chain(head, &mut visit)?,
    }

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
