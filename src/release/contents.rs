//! What a release commit contains: the changelog sections and the new
//! versions in version files and lock files, computed from the plans before
//! anything is written.
//!
//! In: the repository, configuration and the packages due with their plans.
//! Out: [`Files`], each path with its new content; the
//! [`transaction`](crate::release::transaction) writes them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::config::Config;
use crate::git::repo::Repo;
use crate::git::work_tree::WorkTree;
use semver::Version;

use crate::history::plan::{Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::packages::released::{self, Released};
use crate::render::changelog_update;

/// What shapes the release commit's contents.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Leave the changelog alone.
    pub no_changelog: bool,
    /// The release date in the changelog (YYYY-MM-DD).
    pub date: Option<String>,
    /// The plan's request.
    pub request: Request,
}

/// Everything the release commit changes for the packages due.
pub fn compute(
    repo: &Repo,
    config: &Config,
    due: &[(&Package, &Plan, &History)],
    options: &Options,
) -> Result<Files, Error> {
    let Some(work_tree) = WorkTree::of(repo)? else {
        return Ok(Files::default());
    };
    let root = work_tree.root().to_path_buf();
    let sparse = repo
        .hidden_entries()?
        .into_iter()
        .filter(|e| e.skip_worktree && std::fs::symlink_metadata(root.join(&e.path)).is_err())
        .map(|e| PathBuf::from(e.path))
        .collect();
    let mut files = Files::new(root.clone(), sparse);
    for (package, plan, history) in due {
        // Whether it exists; `changelog_update` resolves it before reading.
        let changelog_file = work_tree.root().join(&package.changelog);
        let configured = config.changelog.path.is_some()
            || config
                .package
                .iter()
                .any(|p| Some(&p.name) == package.name.as_ref() && p.changelog.is_some());
        if !options.no_changelog {
            files.ensure_checked_out(&changelog_file)?;
        }
        if !options.no_changelog && (changelog_file.exists() || configured) {
            let update = changelog_update::prepare(
                repo,
                config,
                package,
                &changelog_update::Options {
                    unreleased: true,
                    tagging: true,
                    date: options.date.clone(),
                    request: options.request.clone(),
                    ..changelog_update::Options::default()
                },
                Some((plan, history)),
                None,
            )?;
            if update.changed {
                files.set(
                    update.path.clone(),
                    update.text,
                    format!(
                        "{} ({})",
                        package.changelog.display(),
                        update.added.join(", ")
                    ),
                )?;
            }
        }
    }
    let mut released = Vec::new();
    for (package, plan, _) in due {
        let Some(next) = &plan.next else { continue };
        let version =
            Version::parse(&next.version).map_err(|e| Error::refused(e.to_string(), &[]))?;
        let mut dependencies = Vec::new();
        for dep in &plan.dependency_updates {
            let dep_version =
                Version::parse(&dep.version).map_err(|e| Error::refused(e.to_string(), &[]))?;
            let names = dep
                .manifest_name
                .iter()
                .chain(std::iter::once(&dep.package))
                .cloned()
                .collect();
            dependencies.push((names, dep_version));
        }
        released.push(Released {
            package,
            version,
            dependencies,
        });
    }
    // Version files as configured, and lock files, stay inside the work tree.
    for released in &released {
        for file in &released.package.version_files {
            work_tree.resolve(&released.package.version_files_setting(), file.path())?;
        }
    }
    let changelogs = &files;
    let read = |path: &Path| {
        let what = if path == Path::new("Cargo.lock") || path == Path::new("package-lock.json") {
            format!("the lock file `{}`", path.display())
        } else {
            format!("`{}`", path.display())
        };
        let path = work_tree.resolve_file(&what, path)?;
        changelogs.current(&path)
    };
    let versioned = released::versioned_files(&released, &read)?;
    for (path, text, what) in versioned {
        files.set(root.join(path), text, what)?;
    }
    Ok(files)
}

/// Files the release commit changes: path, new content, and what to say.
///
/// Paths are where the content really goes: a symlink is followed to its
/// target, which must be inside the work tree (the release commit records
/// the target and the link stays as it is).
#[derive(Debug, Default)]
pub struct Files {
    root: PathBuf,
    /// The root with symlinks resolved, to tell inside from outside.
    canonical_root: Option<PathBuf>,
    entries: Vec<(PathBuf, String, String)>,
    /// Files outside a sparse checkout: in the index, not on disk.
    sparse: HashSet<PathBuf>,
}

impl Files {
    /// No changes yet, for files in the work tree at `root`; `sparse` are
    /// the paths (relative to `root`) a sparse checkout leaves off disk.
    pub fn new(root: PathBuf, sparse: HashSet<PathBuf>) -> Files {
        Files {
            canonical_root: std::fs::canonicalize(&root).ok(),
            root,
            entries: Vec::new(),
            sparse,
        }
    }

    /// Sets a file's new content, and what to say about it.
    pub fn set(&mut self, path: PathBuf, text: String, what: String) -> Result<(), Error> {
        let path = self.resolve(&path)?;
        match self.entries.iter_mut().find(|(p, _, _)| *p == path) {
            Some(entry) => {
                entry.1 = text;
                if !entry.2.contains(&what) {
                    entry.2 = format!("{}; {what}", entry.2);
                }
            }
            None => self.entries.push((path, text, what)),
        }
        Ok(())
    }

    /// The content the release commit will have: updated, or as in the work tree.
    pub fn current(&self, path: &Path) -> Result<Option<String>, Error> {
        let path = &self.resolve(path)?;
        if let Some((_, text, _)) = self.entries.iter().find(|(p, _, _)| p == path) {
            return Ok(Some(text.clone()));
        }
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(String::from_utf8(bytes).map_err(|_| {
                Error::refused(
                    format!(
                        "`{}` is not UTF-8, so its version cannot be updated",
                        path.display()
                    ),
                    &[],
                )
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.ensure_checked_out(path)?;
                Ok(None)
            }
            Err(e) => Err(Error::io(format!("reading `{}`", path.display()))(e)),
        }
    }

    /// Refuses a file a sparse checkout leaves off disk: the release cannot
    /// update what is not there.
    pub fn ensure_checked_out(&self, path: &Path) -> Result<(), Error> {
        let relative = self.relative(path);
        if !self.sparse.contains(relative) {
            return Ok(());
        }
        let shown = relative.display();
        Err(Error::refused(
            format!("`{shown}` is outside the sparse checkout, so the release cannot update it"),
            &[
                "add its folder to the checkout (`git sparse-checkout add DIR`), then run `git release tag` again",
            ],
        ))
    }

    /// Whether the release commit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each file: its path, new content, and what to say about it.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str, &str)> {
        self.entries
            .iter()
            .map(|(p, t, w)| (p.as_path(), t.as_str(), w.as_str()))
    }

    /// A file's path in the release commit's tree.
    pub fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Where writing `path` really lands: symlinks followed, checked to be
    /// inside the work tree, and expressed under `root` again.
    fn resolve(&self, path: &Path) -> Result<PathBuf, Error> {
        let target = crate::git::writer::through_symlinks(path)?;
        let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
            return Ok(target);
        };
        let (Ok(dir), Some(root)) = (std::fs::canonicalize(dir), &self.canonical_root) else {
            // A folder that does not exist yet: nothing to follow.
            return Ok(target);
        };
        let shown = self.relative(path).display().to_string();
        match dir.join(name).strip_prefix(root) {
            Ok(inside) if !inside.starts_with(".git") => Ok(self.root.join(inside)),
            Ok(_) => Err(Error::refused(
                format!("`{shown}` leads into `.git`, which a release commit cannot contain"),
                &["make it a regular file, or a symlink to a file in the work tree"],
            )),
            Err(_) => Err(Error::refused(
                format!(
                    "`{shown}` leads outside the work tree (to `{}`), so the release commit cannot record it",
                    dir.join(name).display()
                ),
                &["make it a regular file, or a symlink to a file inside the repository"],
            )),
        }
    }
}
