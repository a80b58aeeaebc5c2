//! Describing releases from history for templates: the context of an
//! existing tag, of the unreleased changes, of a range, and the chain of
//! every release reachable from a commit (newest first, one bounded walk per
//! release).

use std::path::PathBuf;

use git2::Oid;
use regex::Regex;

use crate::Error;
use crate::config::Config;
use crate::git::repo::{RawCommit, Repo};
use crate::git::tags::{ReleaseTag, TagIndex, Template};
use crate::git::work_tree::WorkTree;
use crate::history::bump::Rules;
use crate::history::chains::ChainRelease;
use crate::history::change::Change;
use crate::history::plan::{self, Plan};
use crate::history::scope::{self, History, Options};
use crate::packages::Package;
use crate::render::context::{self, Release};
use crate::render::links::Remote;
use crate::render::templates::Sources;

/// Reads releases of one tag template from one repository.
pub struct Describer<'a> {
    repo: &'a Repo,
    config: &'a Config,
    package: Package,
    template: Template,
    index: TagIndex,
    rules: Rules,
    exclude: Vec<Regex>,
    remote: Option<Remote>,
    first_parent: bool,
}

/// A release read from history, waiting to be described: its commits as
/// read, converted to changes on the describing thread.
struct Pending {
    tag: ReleaseTag,
    previous: Option<(String, String, i64)>,
    date: i64,
    commits: Vec<RawCommit>,
}

/// How to find the history of an existing release tag: the commits since
/// the release before it (for a final release, the previous final release).
fn options_for(package: &Package, first_parent: bool, tag: &ReleaseTag) -> Options {
    Options {
        first_parent,
        pre_releases: !tag.version.pre.is_empty(),
        below: Some(tag.version.clone()),
        paths: package.paths.clone(),
        exclude: package.exclude.clone(),
    }
}

/// The changes after the previous release: all of them, unless a
/// pre-release sits inside the range (borrowed when nothing is filtered).
fn since_previous(history: &History) -> std::borrow::Cow<'_, [Change]> {
    if history.since_pre.iter().all(|&b| b) {
        return std::borrow::Cow::Borrowed(&history.changes);
    }
    std::borrow::Cow::Owned(
        history
            .changes
            .iter()
            .zip(&history.since_pre)
            .filter(|(_, since)| **since)
            .map(|(c, _)| c.clone())
            .collect(),
    )
}

/// The template files configured for a repository, in its work tree (see
/// [`WorkTree`]): none may lead outside it, partials included.
pub fn sources(config: &Config, work_tree: Option<&WorkTree>) -> Result<Sources, Error> {
    let changelog = &config.changelog;
    let resolve = |key: &str, path: &Option<PathBuf>| -> Result<Option<PathBuf>, Error> {
        let Some(path) = path else {
            return Ok(None);
        };
        let setting = crate::config::setting(key, None);
        match work_tree {
            Some(tree) => tree.resolve(&setting, path).map(Some),
            None => Err(Error::Refused {
                message: format!(
                    "{setting} names `{}` in the work tree, and this repository has none",
                    path.display()
                ),
                hints: vec![
                    "pass the template on the command line (`--template FILE`), or run in a clone with a work tree".to_owned(),
                ],
            }),
        }
    };
    let mut partials = Vec::new();
    if let (Some(dir), Some(tree)) = (
        resolve("changelog.partials", &changelog.partials)?,
        work_tree,
    ) {
        let setting = crate::config::setting("changelog.partials", None);
        for file in crate::render::templates::partial_files(&dir)? {
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            tree.check(&format!("the partial `{name}` in {setting}"), &file)?;
            partials.push(file);
        }
    }
    Ok(Sources {
        changelog: resolve("changelog.template", &changelog.template)?,
        notes: resolve("changelog.notes-template", &changelog.notes_template)?,
        tag_message: resolve(
            "changelog.tag-message-template",
            &changelog.tag_message_template,
        )?,
        partials,
        notes_builtin: None,
    })
}

impl<'a> Describer<'a> {
    /// Indexes the tags once.
    pub fn new(
        repo: &'a Repo,
        config: &'a Config,
        package: &Package,
        first_parent: bool,
    ) -> Result<Describer<'a>, Error> {
        let index = scope::index(repo, &package.template)?;
        Describer::with_index(repo, config, package, first_parent, index)
    }

    /// With the package's tags already indexed.
    pub fn with_index(
        repo: &'a Repo,
        config: &'a Config,
        package: &Package,
        first_parent: bool,
        index: TagIndex,
    ) -> Result<Describer<'a>, Error> {
        repo.ensure_complete()?;
        let template = package.template.clone();
        let first_parent = first_parent || config.commits.first_parent;
        let exclude = config
            .changelog
            .exclude
            .iter()
            .filter_map(|p| Regex::new(p).ok())
            .collect();
        let remote = match &config.changelog.remote {
            Some(url) => Remote::from_url(url, config.changelog.host),
            None => repo
                .origin_url()
                .and_then(|url| Remote::from_url(&url, config.changelog.host)),
        };
        Ok(Describer {
            repo,
            config,
            package: package.clone(),
            template,
            index,
            rules: plan::rules(config, first_parent),
            exclude,
            remote,
            first_parent,
        })
    }

    /// The tag index.
    pub fn index(&self) -> &TagIndex {
        &self.index
    }

    /// The tag template.
    pub fn template(&self) -> &Template {
        &self.template
    }

    fn context(
        &self,
        version: String,
        tag: String,
        previous: Option<&ReleaseTag>,
        timestamp: i64,
        unreleased: bool,
        changes: &[Change],
    ) -> Release {
        context::build(&context::Input {
            package: self.package.name.clone(),
            version,
            tag,
            previous: previous.map(|p| {
                (
                    p.version.to_string(),
                    p.name.clone(),
                    self.repo.tag_date(&p.name, p.commit),
                )
            }),
            timestamp,
            unreleased,
            changes,
            rules: &self.rules,
            section_order: &self.config.changelog.sections,
            other_section: self.config.changelog.other.as_deref(),
            exclude: &self.exclude,
            remote: self.remote.as_ref(),
        })
    }

    fn history_of(&self, tag: &ReleaseTag) -> Result<History, Error> {
        let options = options_for(&self.package, self.first_parent, tag);
        Ok(scope::find(
            self.repo,
            &self.index,
            &self.template,
            tag.commit,
            &options,
        )?)
    }

    fn describe_tag(&self, tag: &ReleaseTag, history: &History) -> Release {
        let changes = since_previous(history);
        self.context(
            tag.version.to_string(),
            tag.name.clone(),
            history.previous(),
            self.repo.tag_date(&tag.name, tag.commit),
            false,
            &changes,
        )
    }

    /// The release named by an existing tag: the commits since the release
    /// before it (for a final release, the previous final release).
    pub fn tag(&self, name: &str) -> Result<Release, Error> {
        let Some(tag) = self.index.get(name) else {
            let exists = self
                .repo
                .git()
                .find_reference(&format!("refs/tags/{name}"))
                .is_ok();
            return Err(if exists {
                let fix = match crate::git::tags::guess_template(name) {
                    Some(template) => format!(
                        "if your release tags look like `{name}`, set `tag = \"{template}\"` in `.release.toml`"
                    ),
                    None => "set `tag` in `.release.toml` to the template your release tags follow"
                        .to_owned(),
                };
                Error::Refused {
                    message: format!(
                        "the tag `{name}` is not a release tag: it does not match `{}` with a semantic version",
                        self.package.tag
                    ),
                    hints: vec![fix],
                }
            } else {
                Error::refused(
                    format!("there is no tag `{name}`"),
                    &[
                        "list release tags with `git tag --list`; in CI, fetch tags with `git fetch --tags`",
                    ],
                )
            });
        };
        let history = self.history_of(tag)?;
        let mut release = self.describe_tag(tag, &history);
        // Dependency releases are kept in the release record.
        if let Some(message) = self.repo.tag_message(name) {
            release.notes = message
                .lines()
                .filter(|l| l.starts_with("Dependency `"))
                .map(str::to_owned)
                .collect();
        }
        Ok(release)
    }

    /// The next release as planned; `tagging` when `tag` is about to create
    /// it (so it is described as released).
    pub fn unreleased(
        &self,
        plan: &Plan,
        history: &History,
        timestamp: i64,
        tagging: bool,
    ) -> Option<Release> {
        let next = plan.next.as_ref()?;
        let changes = since_previous(history);
        let mut release = self.context(
            next.version.clone(),
            next.tag.clone(),
            history.previous(),
            timestamp,
            !tagging,
            &changes,
        );
        release.notes = plan
            .dependency_updates
            .iter()
            .map(|d| format!("Dependency `{}` updated to {}", d.package, d.version))
            .collect();
        Some(release)
    }

    /// The commits of `A..B`, described as a release named after `B`.
    pub fn range(&self, from: &str, to: &str, timestamp: i64) -> Result<Release, Error> {
        let start = self.repo.resolve(to)?;
        let stop = self.repo.resolve(from)?;
        let walk = self.repo.walk_range(start, stop, self.first_parent)?;
        let mailmap = scope::mailmap(self.repo);
        let changes: Vec<Change> = walk
            .commits
            .iter()
            .map(|c| scope::to_change(c, mailmap.as_ref()))
            .collect();
        let (version, tag) = match self.index.releases.iter().find(|t| t.name == to) {
            Some(t) => (t.version.to_string(), t.name.clone()),
            None => (to.to_owned(), to.to_owned()),
        };
        let previous = self.index.releases.iter().find(|t| t.name == from);
        let mut release = self.context(version, tag, previous, timestamp, false, &changes);
        if previous.is_none() {
            release.previous_tag = Some(from.to_owned());
            release.previous_version = Some(from.to_owned());
        }
        Ok(release)
    }

    /// Every final release reachable from `from`, newest first, each with the
    /// commits since the release before it. `visit` gets each release and
    /// returns whether to go on. History is read on a second thread (with its
    /// own repository handle) while `visit` renders, one release ahead.
    pub fn chain(
        &self,
        from: Oid,
        mut visit: impl FnMut(&ReleaseTag, Release) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let path = self.repo.git().path().to_path_buf();
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Pending, Error>>(2);
        let index = &self.index;
        let template = &self.template;
        let package = &self.package;
        let first_parent = self.first_parent;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let produce = || -> Result<(), Error> {
                    let repo = Repo::open_at(&path)?;
                    let options = Options {
                        first_parent,
                        pre_releases: false,
                        below: None,
                        paths: package.paths.clone(),
                        exclude: package.exclude.clone(),
                    };
                    let head = scope::find(&repo, index, template, from, &options)?;
                    let mut next = head.last_final;
                    while let Some(tag) = next {
                        let options = options_for(package, first_parent, &tag);
                        let (history, mut commits) =
                            scope::find_commits(&repo, index, template, tag.commit, &options)?;
                        // A final release's changes: all since the previous final one.
                        let mut since = history.since_pre.iter();
                        commits.retain(|_| since.next().copied().unwrap_or(true));
                        let previous = history.previous().map(|p| {
                            (
                                p.version.to_string(),
                                p.name.clone(),
                                repo.tag_date(&p.name, p.commit),
                            )
                        });
                        let date = repo.tag_date(&tag.name, tag.commit);
                        next = history.last_final;
                        let pending = Pending {
                            tag,
                            previous,
                            date,
                            commits,
                        };
                        if sender.send(Ok(pending)).is_err() {
                            break;
                        }
                    }
                    Ok(())
                };
                if let Err(e) = produce() {
                    let _ = sender.send(Err(e));
                }
            });
            let mailmap = scope::mailmap(self.repo);
            for pending in receiver {
                let pending = pending?;
                let tag = pending.tag.clone();
                if !visit(&tag, self.describe_read(pending, mailmap.as_ref()))? {
                    break;
                }
            }
            Ok(())
        })
    }

    /// [`Describer::chain`] from releases already found for many packages
    /// in one pass ([`crate::history::chains`]).
    pub fn chain_found(
        &self,
        found: Vec<ChainRelease>,
        mut visit: impl FnMut(&ReleaseTag, Release) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let mailmap = scope::mailmap(self.repo);
        for mut release in found {
            // One release's messages at a time.
            for commit in &mut release.commits {
                self.repo.read_message(commit)?;
            }
            let pending = Pending {
                previous: release.previous.map(|p| {
                    (
                        p.version.to_string(),
                        p.name.clone(),
                        self.repo.tag_date(&p.name, p.commit),
                    )
                }),
                date: self.repo.tag_date(&release.tag.name, release.tag.commit),
                tag: release.tag,
                commits: release.commits,
            };
            let tag = pending.tag.clone();
            if !visit(&tag, self.describe_read(pending, mailmap.as_ref()))? {
                break;
            }
        }
        Ok(())
    }

    /// A release read from history, described.
    fn describe_read(&self, pending: Pending, mailmap: Option<&git2::Mailmap>) -> Release {
        let changes: Vec<Change> = pending
            .commits
            .iter()
            .map(|c| scope::to_change(c, mailmap))
            .collect();
        drop(pending.commits);
        context::build(&context::Input {
            package: self.package.name.clone(),
            version: pending.tag.version.to_string(),
            tag: pending.tag.name.clone(),
            previous: pending.previous,
            timestamp: pending.date,
            unreleased: false,
            changes: &changes,
            rules: &self.rules,
            section_order: &self.config.changelog.sections,
            other_section: self.config.changelog.other.as_deref(),
            exclude: &self.exclude,
            remote: self.remote.as_ref(),
        })
    }
}
