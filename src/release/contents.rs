//! What a release commit contains: the changelog sections and the new
//! versions in version files and lock files, computed from the plans before
//! anything is written.
//!
//! In: the repository, configuration and the packages due with their plans.
//! Out: [`Files`], each path with its new content; the
//! [`transaction`](crate::release::transaction) writes them.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::config::Config;
use crate::git::repo::Repo;
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
    let mut files = Files::default();
    let Some(root) = repo.workdir() else {
        return Ok(files);
    };
    for (package, plan, history) in due {
        let changelog_file = root.join(&package.changelog);
        let configured = config.changelog.path.is_some()
            || config
                .package
                .iter()
                .any(|p| Some(&p.name) == package.name.as_ref() && p.changelog.is_some());
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
                );
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
    let changelogs = &files;
    let read = |path: &Path| changelogs.current(&root.join(path));
    let versioned = released::versioned_files(&released, &read)?;
    for (path, text, what) in versioned {
        files.set(root.join(path), text, what);
    }
    Ok(files)
}

/// Files the release commit changes: path, new content, and what to say.
#[derive(Debug, Default)]
pub struct Files(Vec<(PathBuf, String, String)>);

impl Files {
    /// Sets a file's new content, and what to say about it.
    pub fn set(&mut self, path: PathBuf, text: String, what: String) {
        match self.0.iter_mut().find(|(p, _, _)| *p == path) {
            Some(entry) => {
                entry.1 = text;
                if !entry.2.contains(&what) {
                    entry.2 = format!("{}; {what}", entry.2);
                }
            }
            None => self.0.push((path, text, what)),
        }
    }

    /// The content the release commit will have: updated, or as in the work tree.
    pub fn current(&self, path: &Path) -> Result<Option<String>, Error> {
        if let Some((_, text, _)) = self.0.iter().find(|(p, _, _)| p == path) {
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading `{}`", path.display()))(e)),
        }
    }

    /// Whether the release commit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each file: its path, new content, and what to say about it.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str, &str)> {
        self.0
            .iter()
            .map(|(p, t, w)| (p.as_path(), t.as_str(), w.as_str()))
    }
}
