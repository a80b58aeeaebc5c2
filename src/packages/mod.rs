//! Packages: the whole repository as one package, or the `[[package]]`s of
//! a monorepo, each resolved to its tag template, paths, excludes, version
//! files, changelog and dependencies.

pub mod detect;
pub mod migrate;
pub mod released;
pub mod version_files;

use std::path::PathBuf;

use globset::{Glob, GlobSet, GlobSetBuilder};
use semver::Version;

use crate::Error;
use crate::config::{Config, VersionFileConfig};
use crate::git::tags::Template;

/// One package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its name; `None` for the whole repository.
    pub name: Option<String>,
    /// Its tag template with `{name}` filled in.
    pub template: Template,
    /// Its tag template as configured.
    pub tag: String,
    /// Its directories; empty for the whole repository.
    pub paths: Vec<PathBuf>,
    /// Files under its paths that do not count.
    pub exclude: Option<GlobSet>,
    /// Files whose version `tag` rewrites.
    pub version_files: Vec<VersionFileConfig>,
    /// Its changelog, relative to the repository root.
    pub changelog: PathBuf,
    /// The key its changelog comes from: `changelog.path`,
    /// `package.changelog`, or `package.path` for the default in its path.
    pub changelog_key: &'static str,
    /// Packages it depends on.
    pub depends_on: Vec<String>,
    /// Its first version.
    pub initial_version: Version,
    /// The name its manifest gives it (crate or npm name), when it differs.
    pub manifest_name: Option<String>,
}

impl Package {
    /// The name to show (`the repository` for the root package).
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| "the repository".to_owned())
    }

    /// The names other manifests know it by: its manifest's, then its own.
    pub fn dependency_names(&self) -> Vec<String> {
        self.manifest_name
            .iter()
            .chain(self.name.iter())
            .cloned()
            .collect()
    }

    /// Its changelog's key as shown in messages, with the package's name.
    pub fn changelog_setting(&self) -> String {
        crate::config::setting(self.changelog_key, self.name.as_deref())
    }

    /// Its version files' key as shown in messages, with the package's name.
    pub fn version_files_setting(&self) -> String {
        match &self.name {
            Some(name) => crate::config::setting("package.version-files", Some(name)),
            None => crate::config::setting("version-files", None),
        }
    }

    /// Whether the package covers only some paths.
    pub fn is_scoped(&self) -> bool {
        !self.paths.is_empty()
    }
}

/// Every package of the configuration (one for a plain repository).
pub fn all(config: &Config) -> Result<Vec<Package>, Error> {
    if config.package.is_empty() {
        return Ok(vec![Package {
            name: None,
            template: Template::new(&config.tag)?,
            tag: config.tag.clone(),
            paths: Vec::new(),
            exclude: None,
            version_files: config.version_files.clone(),
            changelog: config.changelog.path(),
            changelog_key: "changelog.path",
            depends_on: Vec::new(),
            initial_version: config.initial_version.clone(),
            manifest_name: None,
        }]);
    }
    let mut packages = Vec::new();
    for p in &config.package {
        // `./x` is `x`; `.` is the whole repository (no path filter).
        let paths: Vec<PathBuf> = p
            .all_paths()
            .iter()
            .map(|path| {
                path.components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir))
                    .collect::<PathBuf>()
            })
            .collect();
        let paths: Vec<PathBuf> = if paths.iter().any(|p| p.as_os_str().is_empty()) {
            Vec::new()
        } else {
            paths
        };
        let exclude = if p.exclude.is_empty() {
            None
        } else {
            let mut builder = GlobSetBuilder::new();
            for glob in &p.exclude {
                builder.add(Glob::new(glob).map_err(|e| {
                    Error::refused(format!("package `{}`: exclude `{glob}`: {e}", p.name), &[])
                })?);
            }
            Some(
                builder
                    .build()
                    .map_err(|e| Error::refused(format!("package `{}`: {e}", p.name), &[]))?,
            )
        };
        let tag = p.tag_template();
        packages.push(Package {
            name: Some(p.name.clone()),
            template: Template::for_package(&tag, Some(&p.name))?,
            tag,
            changelog: p.changelog.clone().unwrap_or_else(|| {
                paths
                    .first()
                    .cloned()
                    .unwrap_or_default()
                    .join("CHANGELOG.md")
            }),
            changelog_key: if p.changelog.is_some() {
                "package.changelog"
            } else {
                "package.path"
            },
            paths,
            exclude,
            version_files: p.version_files.clone(),
            depends_on: p.depends_on.clone(),
            initial_version: p
                .initial_version
                .clone()
                .unwrap_or_else(|| config.initial_version.clone()),
            manifest_name: None,
        });
    }
    Ok(packages)
}

/// Fills in each package's manifest name (the crate or npm package name in
/// its first Cargo.toml or package.json version file), read with `read`.
pub fn read_manifest_names(
    packages: &mut [Package],
    read: impl Fn(&std::path::Path) -> Option<String>,
) {
    for package in packages.iter_mut() {
        for file in &package.version_files {
            let path = file.path();
            let Some(text) = read(path) else { continue };
            let name = match path.file_name().and_then(|n| n.to_str()) {
                Some("Cargo.toml") => toml::from_str::<toml::Table>(&text)
                    .ok()
                    .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned)),
                Some("package.json") => serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("name")?.as_str().map(str::to_owned)),
                Some("pyproject.toml") => toml::from_str::<toml::Table>(&text).ok().and_then(|t| {
                    t.get("project")
                        .and_then(|p| p.get("name"))
                        .or_else(|| t.get("tool")?.get("poetry")?.get("name"))
                        .and_then(|n| n.as_str())
                        .map(str::to_owned)
                }),
                _ => None,
            };
            if let Some(name) = name {
                if package.name.as_ref() != Some(&name) {
                    package.manifest_name = Some(name);
                }
                break;
            }
        }
    }
}

/// The packages a command acts on: the one named by `--package`, or all.
pub fn select(config: &Config, name: Option<&str>) -> Result<Vec<Package>, Error> {
    let packages = all(config)?;
    let Some(name) = name else {
        return Ok(packages);
    };
    if config.package.is_empty() {
        return Err(Error::refused(
            format!("no package named `{name}`: `.release.toml` declares no `[[package]]`"),
            &[
                "drop `--package` to release the whole repository as one package",
                "`git release init --detect` proposes packages",
            ],
        ));
    }
    let known: Vec<String> = packages.iter().filter_map(|p| p.name.clone()).collect();
    match packages
        .into_iter()
        .find(|p| p.name.as_deref() == Some(name))
    {
        Some(package) => Ok(vec![package]),
        None => Err(Error::Refused {
            message: format!("no package named `{name}`"),
            hints: vec![format!("the packages are: {}", known.join(", "))],
        }),
    }
}

/// The package whose tag template names `tag`, with its version.
pub fn for_tag<'p>(packages: &'p [Package], tag: &str) -> Option<(&'p Package, Version)> {
    packages.iter().find_map(|p| match p.template.parse(tag) {
        crate::git::tags::Match::Version(v) => Some((p, v)),
        _ => None,
    })
}
