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
use crate::git::work_tree::WorkTree;
use crate::history::plan::{Plan, Request};
use crate::history::scope::History;
use crate::packages::Package;
use crate::packages::version_files::{self, VersionFileError};
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
    let Some(work_tree) = WorkTree::of(repo)? else {
        return Ok(files);
    };
    for (package, plan, history) in due {
        // Whether it exists; `changelog_update` resolves it before reading.
        let changelog_file = work_tree.root().join(&package.changelog);
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
        set_versions(&work_tree, package, plan, &mut files)?;
    }
    lock_files(&work_tree, due, &mut files)?;
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

fn file_error(e: VersionFileError) -> Error {
    Error::Refused {
        message: e.to_string(),
        hints: e.hints(),
    }
}

/// A package's version files, and the requirements its manifests put on
/// dependencies released at the same time.
fn set_versions(
    work_tree: &WorkTree,
    package: &Package,
    plan: &Plan,
    files: &mut Files,
) -> Result<(), Error> {
    let Some(next) = &plan.next else {
        return Ok(());
    };
    let version =
        semver::Version::parse(&next.version).map_err(|e| Error::refused(e.to_string(), &[]))?;
    for file in &package.version_files {
        let path = work_tree.resolve(&package.version_files_setting(), file.path())?;
        let shown = file.path().display().to_string();
        let Some(kind) = version_files::kind_for(file.path(), file.pattern()) else {
            return Err(Error::refused(
                format!(
                    "`{shown}` is not a version file git-release knows (Cargo.toml, package.json, pyproject.toml)"
                ),
                &[
                    "give a pattern: `{ path = \"FILE\", pattern = \"version = \\\"{version}\\\"\" }`",
                ],
            ));
        };
        let Some(text) = files.current(&path)? else {
            return Err(Error::refused(
                format!(
                    "the version file `{shown}` of {} does not exist",
                    package.label()
                ),
                &["fix `version-files` in .release.toml"],
            ));
        };
        let mut updated =
            version_files::set_version(&kind, &shown, &text, &version).map_err(file_error)?;
        for dep in &plan.dependency_updates {
            let dep_version = semver::Version::parse(&dep.version)
                .map_err(|e| Error::refused(e.to_string(), &[]))?;
            for name in dep
                .manifest_name
                .iter()
                .chain(std::iter::once(&dep.package))
            {
                let (text, _) =
                    version_files::set_dependency(&kind, &shown, &updated, name, &dep_version)
                        .map_err(file_error)?;
                updated = text;
            }
        }
        if updated != text {
            files.set(path, updated, format!("{shown} ({})", next.version));
        }
    }
    Ok(())
}

/// Lock files at the root that record workspace members' versions.
fn lock_files(
    work_tree: &WorkTree,
    due: &[(&Package, &Plan, &History)],
    files: &mut Files,
) -> Result<(), Error> {
    let released: Vec<(String, semver::Version, PathBuf)> = due
        .iter()
        .filter_map(|(package, plan, _)| {
            let name = package
                .manifest_name
                .clone()
                .or_else(|| package.name.clone())?;
            let version = semver::Version::parse(&plan.next.as_ref()?.version).ok()?;
            Some((
                name,
                version,
                package.paths.first().cloned().unwrap_or_default(),
            ))
        })
        .collect();
    if released.is_empty() {
        return Ok(());
    }
    // Not named by the configuration, but read and written on the
    // repository's behalf all the same: a link out is refused.
    let cargo = work_tree.resolve_file("the lock file `Cargo.lock`", Path::new("Cargo.lock"))?;
    if let Some(text) = files.current(&cargo)? {
        let members: Vec<(String, semver::Version)> = released
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect();
        let updated =
            version_files::update_cargo_lock("Cargo.lock", &text, &members).map_err(file_error)?;
        if updated != text {
            files.set(cargo, updated, "Cargo.lock".to_owned());
        }
    }
    let npm = work_tree.resolve_file(
        "the lock file `package-lock.json`",
        Path::new("package-lock.json"),
    )?;
    if let Some(text) = files.current(&npm)? {
        let members: Vec<(String, String, semver::Version)> = released
            .iter()
            .map(|(n, v, p)| (n.clone(), p.to_string_lossy().replace('\\', "/"), v.clone()))
            .collect();
        let updated = version_files::update_package_lock("package-lock.json", &text, &members)
            .map_err(file_error)?;
        if updated != text {
            files.set(npm, updated, "package-lock.json".to_owned());
        }
    }
    Ok(())
}
