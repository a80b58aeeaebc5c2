//! The version files and root lock files of packages released together:
//! what `tag` writes into them, computed from their current text. Pure but
//! for the reader it is given, so `verify` recomputes a release commit from
//! its candidate exactly as `tag` wrote it.

use std::path::{Path, PathBuf};

use semver::Version;

use crate::Error;
use crate::packages::Package;
use crate::packages::version_files::{self, VersionFileError};

fn file_error(e: VersionFileError) -> Error {
    Error::Refused {
        message: e.to_string(),
        hints: e.hints(),
    }
}

/// One package a release commit releases: its new version, and the
/// dependencies released with it (each under its names: the manifest name
/// and the package name).
pub struct Released<'a> {
    /// The package.
    pub package: &'a Package,
    /// Its new version.
    pub version: Version,
    /// Dependencies released at the same time.
    pub dependencies: Vec<(Vec<String>, Version)>,
}

/// The new text of every version file and root lock file that `tag` writes
/// for `released`, by path relative to the work tree, in the order written.
/// `read` gives a file's current text (`None`: it does not exist). Pure but
/// for `read`, so `verify` recomputes exactly what `tag` wrote.
pub fn versioned_files(
    released: &[Released<'_>],
    read: &dyn Fn(&Path) -> Result<Option<String>, Error>,
) -> Result<Vec<(PathBuf, String, String)>, Error> {
    let mut out: Vec<(PathBuf, String, String)> = Vec::new();
    let current =
        |out: &Vec<(PathBuf, String, String)>, path: &Path| -> Result<Option<String>, Error> {
            match out.iter().find(|(p, _, _)| p == path) {
                Some((_, text, _)) => Ok(Some(text.clone())),
                None => read(path),
            }
        };
    let set =
        |out: &mut Vec<(PathBuf, String, String)>, path: PathBuf, text: String, what: String| {
            match out.iter_mut().find(|(p, _, _)| *p == path) {
                Some(entry) => entry.1 = text,
                None => out.push((path, text, what)),
            }
        };
    for released in released {
        let package = released.package;
        for file in &package.version_files {
            let path = file.path().to_path_buf();
            let shown = path.display().to_string();
            let Some(kind) = version_files::kind_for(&path, file.pattern()) else {
                return Err(Error::refused(
                    format!(
                        "`{shown}` is not a version file git-release knows (Cargo.toml, package.json, pyproject.toml)"
                    ),
                    &[
                        "give a pattern: `{ path = \"FILE\", pattern = \"version = \\\"{version}\\\"\" }`",
                    ],
                ));
            };
            let Some(text) = current(&out, &path)? else {
                return Err(Error::refused(
                    format!(
                        "the version file `{shown}` of {} does not exist",
                        package.label()
                    ),
                    &["fix `version-files` in .release.toml"],
                ));
            };
            // Never lower the version a file already says.
            if let Some(old) = version_files::read_version(&kind, &shown, &text)
                .ok()
                .flatten()
                .and_then(|v| Version::parse(v.trim()).ok())
            {
                if old > released.version {
                    return Err(Error::Refused {
                        message: format!(
                            "releasing {} would lower `{shown}` from {old} to {}",
                            package.label(),
                            released.version
                        ),
                        hints: vec![
                            format!(
                                "release a version above it: `git release tag --release-as {}`",
                                Version::new(old.major, old.minor, old.patch + 1)
                            ),
                            format!(
                                "or, if {old} was released from a commit, tag that commit with the release tag template so plans continue from it"
                            ),
                        ],
                    });
                }
            }
            let mut updated = version_files::set_version(&kind, &shown, &text, &released.version)
                .map_err(file_error)?;
            for (names, version) in &released.dependencies {
                for name in names {
                    let (text, _) =
                        version_files::set_dependency(&kind, &shown, &updated, name, version)
                            .map_err(file_error)?;
                    updated = text;
                }
            }
            if updated != text {
                set(
                    &mut out,
                    path,
                    updated,
                    format!("{shown} ({})", released.version),
                );
            }
        }
    }
    // Lock files at the root that record workspace members' versions.
    let members: Vec<(String, Version, PathBuf)> = released
        .iter()
        .filter_map(|r| {
            let name = r
                .package
                .manifest_name
                .clone()
                .or_else(|| r.package.name.clone())?;
            Some((
                name,
                r.version.clone(),
                r.package.paths.first().cloned().unwrap_or_default(),
            ))
        })
        .collect();
    if members.is_empty() {
        return Ok(out);
    }
    let cargo = PathBuf::from("Cargo.lock");
    if let Some(text) = current(&out, &cargo)? {
        let crates: Vec<(String, Version)> = members
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect();
        let updated =
            version_files::update_cargo_lock("Cargo.lock", &text, &crates).map_err(file_error)?;
        if updated != text {
            set(&mut out, cargo, updated, "Cargo.lock".to_owned());
        }
    }
    let npm = PathBuf::from("package-lock.json");
    if let Some(text) = current(&out, &npm)? {
        let workspaces: Vec<(String, String, Version)> = members
            .iter()
            .map(|(n, v, p)| (n.clone(), p.to_string_lossy().replace('\\', "/"), v.clone()))
            .collect();
        let updated = version_files::update_package_lock("package-lock.json", &text, &workspaces)
            .map_err(file_error)?;
        if updated != text {
            set(&mut out, npm, updated, "package-lock.json".to_owned());
        }
    }
    Ok(out)
}
