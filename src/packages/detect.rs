//! Package discovery for `git release init --detect`: walks the work tree
//! (respecting `.gitignore`) for `Cargo.toml`, `package.json` and
//! `pyproject.toml`, applies Cargo and npm workspace rules, and proposes
//! `[[package]]` entries with their versions, version files and internal
//! dependencies. Reads files; never writes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value as Json;
use toml::{Table, Value as Toml};

use crate::packages::version_files::{normalize_python_name, pep508_name};

/// The packaging ecosystem a manifest belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ecosystem {
    /// A Rust crate (`Cargo.toml`).
    Cargo,
    /// An npm package (`package.json`).
    Npm,
    /// A Python project (`pyproject.toml`).
    Python,
}

impl Ecosystem {
    /// The name shown to people: `cargo`, `npm`, `python`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Python => "python",
        }
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A package proposed for `.release.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detected {
    /// The package's name in its manifest.
    pub name: String,
    /// Its directory relative to the root, `/`-separated; `.` for the root.
    pub path: String,
    /// Its manifest relative to the root, as `crates/core/Cargo.toml`.
    pub manifest: String,
    /// The ecosystem of the manifest.
    pub kind: Ecosystem,
    /// The version the manifest declares (inherited Cargo versions
    /// resolved), as written; `None` when it declares none or it is dynamic.
    pub version: Option<String>,
    /// Names of the other detected packages (same ecosystem) it depends on,
    /// from every dependency section, sorted.
    pub dependencies: Vec<String>,
    /// The files that hold its version, relative to the root: its manifest
    /// (or the workspace root's, when the version is inherited) and the
    /// workspace lockfile when one is committed.
    pub version_files: Vec<String>,
}

/// Why the work tree could not be searched.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The root is not a readable directory.
    #[error("cannot search `{path}` for packages: {source}")]
    Root {
        /// The root.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A manifest could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The manifest, relative to the root.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A manifest is not valid TOML or JSON, or has the wrong shape.
    #[error("cannot parse `{path}`: {message}")]
    Parse {
        /// The manifest, relative to the root.
        path: String,
        /// What was expected, and where.
        message: String,
    },
    /// A workspace member pattern is not a valid glob.
    #[error("invalid workspace member pattern `{pattern}` in `{path}`: {message}")]
    Glob {
        /// The manifest, relative to the root.
        path: String,
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
}

impl DetectError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            DetectError::Root { .. } => {
                vec!["run the command inside the repository's work tree".to_owned()]
            }
            DetectError::Read { path, .. }
            | DetectError::Parse { path, .. }
            | DetectError::Glob { path, .. } => vec![
                format!("fix `{path}`"),
                "or skip its directory by listing it in `.gitignore` or `.ignore`".to_owned(),
            ],
        }
    }
}

const CARGO_DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

const NPM_DEPENDENCY_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// Directories never entered, ignored or not.
const SKIPPED_DIRS: [&str; 3] = ["target", "node_modules", ".git"];

/// Finds the packages under `root` (the work tree's top): manifests in
/// directories that `.gitignore`, `.ignore` and `.git/info/exclude` do not
/// exclude, outside hidden directories, `target/` and `node_modules/`.
///
/// - Cargo: a `[workspace]` root without `[package]` is not a package;
///   under a workspace, a crate is proposed when `members` matches it (or a
///   member depends on it by `path`) and `exclude` does not (an explicit
///   member wins over `exclude`, as in Cargo).
/// - npm: a workspace root (`"workspaces"`, as a list or `{ "packages": … }`)
///   marked `"private": true` is not a package; under a workspace, only the
///   members its patterns match (less `!` negations) are proposed.
/// - Python: PEP 621 `[project] name`, or Poetry's `[tool.poetry] name`.
///
/// Sorted by path, then manifest.
pub fn detect(root: &Path) -> Result<Vec<Detected>, DetectError> {
    std::fs::read_dir(root).map_err(|source| DetectError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    let files = walk(root);
    let mut cargo = Vec::new();
    let mut npm = Vec::new();
    let mut python = Vec::new();
    for file in &files {
        let (dir, name) = match file.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", file.as_str()),
        };
        match name {
            "Cargo.toml" => cargo.push(CargoManifest::read(root, dir, file)?),
            "package.json" => npm.push(NpmManifest::read(root, dir, file)?),
            "pyproject.toml" => python.push(PythonManifest::read(root, dir, file)?),
            _ => {}
        }
    }
    let lockfiles: BTreeSet<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| f.ends_with("Cargo.lock") || f.ends_with("package-lock.json"))
        .collect();

    let mut found = cargo_packages(&cargo, &lockfiles)?;
    found.extend(npm_packages(&npm, &lockfiles)?);
    found.extend(python.iter().filter_map(PythonManifest::detected));
    link_dependencies(&mut found);
    found.sort_by(|(a, _), (b, _)| (&a.path, &a.manifest).cmp(&(&b.path, &b.manifest)));
    Ok(found.into_iter().map(|(detected, _)| detected).collect())
}

/// Renders the proposal as commented `[[package]]` tables for
/// `.release.toml`. A name seen before is rendered commented out, since
/// package names must be unique.
pub fn to_toml(found: &[Detected]) -> String {
    let mut out = String::from(
        "# Packages found by `git release init --detect`: review them, and keep the ones\n\
         # that are released on their own. Paths are relative to the repository root.\n",
    );
    if found.is_empty() {
        out.push_str("# No Cargo.toml, package.json or pyproject.toml package was found.\n");
        return out;
    }
    let mut seen = BTreeSet::new();
    for package in found {
        let tag = if found.len() == 1 {
            "v{version}"
        } else if package.kind == Ecosystem::Npm {
            "{name}@{version}"
        } else {
            "{name}-v{version}"
        };
        let version = match &package.version {
            Some(version) => format!("current version {version}"),
            None => format!("no version found in `{}`", package.manifest),
        };
        let mut block = String::new();
        let _ = writeln!(block, "[[package]]");
        let _ = writeln!(block, "name = {}", toml_string(&package.name));
        let _ = writeln!(block, "path = {}", toml_string(&package.path));
        let _ = writeln!(block, "tag = {}  # {version}", toml_string(tag));
        let _ = writeln!(
            block,
            "version-files = {}",
            toml_list(&package.version_files)
        );
        let _ = writeln!(block, "depends-on = {}", toml_list(&package.dependencies));
        let _ = write!(out, "\n# {} package `{}`\n", package.kind, package.manifest);
        if let Some(shared) = package
            .version_files
            .first()
            .filter(|f| **f != package.manifest)
        {
            let _ = writeln!(
                out,
                "# its version is inherited from `{shared}`, shared with other members"
            );
        }
        if seen.insert(package.name.as_str()) {
            out.push_str(&block);
        } else {
            let _ = writeln!(
                out,
                "# another package is also named `{}`: rename one before use",
                package.name
            );
            for line in block.lines() {
                let _ = writeln!(out, "# {line}");
            }
        }
    }
    out
}

fn toml_string(value: &str) -> String {
    Toml::String(value.to_owned()).to_string()
}

fn toml_list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------------
// Walking

/// Manifests and lockfiles under `root`, relative and `/`-separated.
fn walk(root: &Path) -> Vec<String> {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        // Git reads no ignore files above the work tree.
        .parents(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRS.contains(&name)))
        });
    let mut files = Vec::new();
    // Unreadable directories and ignore files are skipped: they cannot hold
    // a manifest we could read anyway.
    for entry in builder.build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let interesting = matches!(
            entry.file_name().to_str(),
            Some(
                "Cargo.toml"
                    | "package.json"
                    | "pyproject.toml"
                    | "Cargo.lock"
                    | "package-lock.json"
            )
        );
        if !interesting {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        // A path that is not UTF-8 cannot be written in `.release.toml`.
        let parts: Option<Vec<&str>> = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect();
        if let Some(parts) = parts {
            files.push(parts.join("/"));
        }
    }
    files.sort();
    files
}

fn read(root: &Path, file: &str) -> Result<String, DetectError> {
    std::fs::read_to_string(root.join(file)).map_err(|source| DetectError::Read {
        path: file.to_owned(),
        source,
    })
}

fn parse_toml(root: &Path, file: &str) -> Result<Table, DetectError> {
    let text = read(root, file)?;
    text.parse::<Table>().map_err(|e| DetectError::Parse {
        path: file.to_owned(),
        message: e.message().trim().to_owned(),
    })
}

fn malformed(file: &str, key: &str, expected: &str) -> DetectError {
    DetectError::Parse {
        path: file.to_owned(),
        message: format!("expected {key} to be {expected}"),
    }
}

/// `base` joined with the relative `path`, normalized; `None` when it leaves
/// the root. Directories are `""` for the root.
fn join(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether `dir` is `ancestor` or lies under it (`""` is the root).
fn within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_owned()
    } else {
        dir.to_owned()
    }
}

fn lockfile(lockfiles: &BTreeSet<&str>, dir: &str, name: &str) -> Option<String> {
    let path = if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    };
    lockfiles.contains(path.as_str()).then_some(path)
}

/// Member patterns of a workspace, relative to the root.
struct Patterns {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

enum Pattern {
    Literal(String),
    Glob(GlobMatcher),
}

impl Pattern {
    fn new(file: &str, base: &str, pattern: &str) -> Result<Option<Pattern>, DetectError> {
        let Some(joined) = join(base, pattern) else {
            return Ok(None);
        };
        if !joined.contains(['*', '?', '[', '{']) {
            return Ok(Some(Pattern::Literal(joined)));
        }
        let glob = GlobBuilder::new(&joined)
            .literal_separator(true)
            .build()
            .map_err(|e| DetectError::Glob {
                path: file.to_owned(),
                pattern: pattern.to_owned(),
                message: e.kind().to_string(),
            })?;
        Ok(Some(Pattern::Glob(glob.compile_matcher())))
    }

    fn matches(&self, dir: &str) -> bool {
        match self {
            Pattern::Literal(literal) => literal == dir,
            Pattern::Glob(glob) => glob.is_match(dir),
        }
    }
}

impl Patterns {
    fn is_member(&self, dir: &str) -> bool {
        self.include.iter().any(|p| p.matches(dir)) && !self.exclude.iter().any(|p| p.matches(dir))
    }
}

// ---------------------------------------------------------------------------
// Cargo

struct CargoManifest {
    dir: String,
    manifest: String,
    package: Option<CargoPackage>,
    workspace: Option<CargoWorkspace>,
}

struct CargoPackage {
    name: String,
    version: CargoVersion,
    /// `[package] workspace = "…"`: the workspace root, when explicit.
    workspace: Option<String>,
    dependencies: BTreeSet<String>,
    /// Directories of `path` dependencies, relative to the root.
    path_dependencies: Vec<String>,
}

enum CargoVersion {
    Literal(String),
    Inherited,
    Missing,
}

struct CargoWorkspace {
    members: Vec<String>,
    exclude: Vec<String>,
    version: Option<String>,
}

fn string_list(
    file: &str,
    table: &Table,
    key: &str,
    what: &str,
) -> Result<Vec<String>, DetectError> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(Toml::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(file, what, "an array of strings"))
            })
            .collect(),
        Some(_) => Err(malformed(file, what, "an array of strings")),
    }
}

impl CargoManifest {
    fn read(root: &Path, dir: &str, file: &str) -> Result<CargoManifest, DetectError> {
        let doc = parse_toml(root, file)?;
        let workspace = match doc.get("workspace") {
            None => None,
            Some(Toml::Table(workspace)) => Some(CargoWorkspace {
                members: string_list(file, workspace, "members", "`[workspace] members`")?,
                exclude: string_list(file, workspace, "exclude", "`[workspace] exclude`")?,
                version: workspace
                    .get("package")
                    .and_then(|p| p.get("version"))
                    .and_then(Toml::as_str)
                    .map(str::to_owned),
            }),
            Some(_) => return Err(malformed(file, "`[workspace]`", "a table")),
        };
        let package = match doc.get("package") {
            None => None,
            Some(Toml::Table(package)) => {
                let Some(name) = package.get("name").and_then(Toml::as_str) else {
                    return Err(malformed(file, "`[package] name`", "a string"));
                };
                let version = match package.get("version") {
                    Some(Toml::String(version)) => CargoVersion::Literal(version.clone()),
                    Some(Toml::Table(t)) if t.get("workspace") == Some(&Toml::Boolean(true)) => {
                        CargoVersion::Inherited
                    }
                    _ => CargoVersion::Missing,
                };
                let mut dependencies = BTreeSet::new();
                let mut path_dependencies = Vec::new();
                let mut tables: Vec<&Toml> = Vec::new();
                for section in CARGO_DEPENDENCY_TABLES {
                    tables.extend(doc.get(section));
                    if let Some(Toml::Table(targets)) = doc.get("target") {
                        tables.extend(targets.values().filter_map(|t| t.get(section)));
                    }
                }
                for table in tables.iter().filter_map(|t| t.as_table()) {
                    for (key, spec) in table {
                        let name = spec.get("package").and_then(Toml::as_str).unwrap_or(key);
                        dependencies.insert(name.to_owned());
                        if let Some(path) = spec.get("path").and_then(Toml::as_str) {
                            path_dependencies.extend(join(dir, path));
                        }
                    }
                }
                Some(CargoPackage {
                    name: name.to_owned(),
                    version,
                    workspace: package
                        .get("workspace")
                        .and_then(Toml::as_str)
                        .and_then(|w| join(dir, w)),
                    dependencies,
                    path_dependencies,
                })
            }
            Some(_) => return Err(malformed(file, "`[package]`", "a table")),
        };
        Ok(CargoManifest {
            dir: dir.to_owned(),
            manifest: file.to_owned(),
            package,
            workspace,
        })
    }
}

fn cargo_packages(
    manifests: &[CargoManifest],
    lockfiles: &BTreeSet<&str>,
) -> Result<Vec<(Detected, BTreeSet<String>)>, DetectError> {
    let by_dir: BTreeMap<&str, usize> = manifests
        .iter()
        .enumerate()
        .map(|(i, m)| (m.dir.as_str(), i))
        .collect();
    // The workspace each package belongs to: explicit, or the nearest
    // manifest with `[workspace]` at or above it.
    let root_of = |m: &CargoManifest| -> Option<usize> {
        if let Some(explicit) = m.package.as_ref().and_then(|p| p.workspace.as_deref()) {
            return by_dir
                .get(explicit)
                .copied()
                .filter(|&i| manifests[i].workspace.is_some());
        }
        let mut dir = m.dir.as_str();
        loop {
            if let Some(&i) = by_dir.get(dir) {
                if manifests[i].workspace.is_some() {
                    return Some(i);
                }
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    };
    let roots: Vec<Option<usize>> = manifests.iter().map(root_of).collect();

    // `members` are globs; `exclude` are directory prefixes.
    let mut members: BTreeMap<usize, Vec<Pattern>> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(workspace) = &m.workspace {
            let mut patterns = Vec::new();
            for pattern in &workspace.members {
                patterns.extend(Pattern::new(&m.manifest, &m.dir, pattern)?);
            }
            members.insert(i, patterns);
        }
    }
    let excluded = |i: usize, root: usize| {
        let dir = manifests[i].dir.as_str();
        manifests[root].workspace.as_ref().is_some_and(|w| {
            w.exclude
                .iter()
                .filter_map(|e| join(&manifests[root].dir, e))
                .any(|e| within(dir, &e))
        })
    };

    // Members: the root package, explicit members, then path dependencies
    // of members inside the workspace, transitively.
    let mut proposed = vec![false; manifests.len()];
    let mut queue = Vec::new();
    for (i, m) in manifests.iter().enumerate() {
        if m.package.is_none() {
            continue;
        }
        let member = match roots[i] {
            None => true,
            Some(root) if root == i => true,
            // A literal member wins over `exclude`; a glob does not.
            Some(root) => members.get(&root).is_some_and(|patterns| {
                patterns.iter().any(|p| match p {
                    Pattern::Literal(literal) => *literal == m.dir,
                    Pattern::Glob(glob) => glob.is_match(&m.dir) && !excluded(i, root),
                })
            }),
        };
        if member {
            proposed[i] = true;
            queue.push(i);
        }
    }
    while let Some(i) = queue.pop() {
        let Some(package) = &manifests[i].package else {
            continue;
        };
        for dir in &package.path_dependencies {
            let Some(&j) = by_dir.get(dir.as_str()) else {
                continue;
            };
            let same_workspace = roots[j].is_some() && roots[j] == roots[i];
            let allowed = match roots[j] {
                Some(root) => !excluded(j, root),
                None => false,
            };
            if !proposed[j] && manifests[j].package.is_some() && same_workspace && allowed {
                proposed[j] = true;
                queue.push(j);
            }
        }
    }

    let mut found = Vec::new();
    for (i, m) in manifests.iter().enumerate() {
        let (true, Some(package)) = (proposed[i], &m.package) else {
            continue;
        };
        let root = roots[i].map(|r| &manifests[r]);
        let (version, version_file) = match (&package.version, root) {
            (CargoVersion::Literal(v), _) => (Some(v.clone()), m.manifest.clone()),
            (CargoVersion::Inherited, Some(root)) => (
                root.workspace.as_ref().and_then(|w| w.version.clone()),
                root.manifest.clone(),
            ),
            (CargoVersion::Inherited, None) | (CargoVersion::Missing, _) => {
                (None, m.manifest.clone())
            }
        };
        let mut version_files = vec![version_file];
        let lock_dir = root.map_or(m.dir.as_str(), |r| r.dir.as_str());
        version_files.extend(lockfile(lockfiles, lock_dir, "Cargo.lock"));
        found.push((
            Detected {
                name: package.name.clone(),
                path: display_dir(&m.dir),
                manifest: m.manifest.clone(),
                kind: Ecosystem::Cargo,
                version,
                dependencies: Vec::new(),
                version_files,
            },
            package.dependencies.clone(),
        ));
    }
    Ok(found)
}

// ---------------------------------------------------------------------------
// npm

struct NpmManifest {
    dir: String,
    manifest: String,
    name: Option<String>,
    version: Option<String>,
    private: bool,
    workspaces: Option<Vec<String>>,
    dependencies: BTreeSet<String>,
}

impl NpmManifest {
    fn read(root: &Path, dir: &str, file: &str) -> Result<NpmManifest, DetectError> {
        let text = read(root, file)?;
        let doc: Json = serde_json::from_str(&text).map_err(|e| DetectError::Parse {
            path: file.to_owned(),
            message: e.to_string(),
        })?;
        let Json::Object(doc) = doc else {
            return Err(malformed(file, "the top level", "an object"));
        };
        let strings = |value: &Json| -> Option<Vec<String>> {
            value
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let workspaces = match doc.get("workspaces") {
            None => None,
            Some(value @ Json::Array(_)) => Some(strings(value)),
            Some(Json::Object(object)) => {
                Some(object.get("packages").map_or(Some(Vec::new()), strings))
            }
            Some(_) => Some(None),
        };
        let workspaces = match workspaces {
            None => None,
            Some(Some(list)) => Some(list),
            Some(None) => {
                return Err(malformed(
                    file,
                    "`\"workspaces\"`",
                    "an array of strings or `{ \"packages\": [...] }`",
                ));
            }
        };
        let mut dependencies = BTreeSet::new();
        for section in NPM_DEPENDENCY_SECTIONS {
            if let Some(Json::Object(deps)) = doc.get(section) {
                dependencies.extend(deps.keys().cloned());
            }
        }
        Ok(NpmManifest {
            dir: dir.to_owned(),
            manifest: file.to_owned(),
            name: doc.get("name").and_then(Json::as_str).map(str::to_owned),
            version: doc.get("version").and_then(Json::as_str).map(str::to_owned),
            private: doc.get("private").and_then(Json::as_bool) == Some(true),
            workspaces,
            dependencies,
        })
    }
}

fn npm_packages(
    manifests: &[NpmManifest],
    lockfiles: &BTreeSet<&str>,
) -> Result<Vec<(Detected, BTreeSet<String>)>, DetectError> {
    let mut roots: Vec<(&NpmManifest, Patterns)> = Vec::new();
    for m in manifests {
        let Some(workspaces) = &m.workspaces else {
            continue;
        };
        let mut patterns = Patterns {
            include: Vec::new(),
            exclude: Vec::new(),
        };
        for pattern in workspaces {
            match pattern.strip_prefix('!') {
                Some(negated) => {
                    patterns
                        .exclude
                        .extend(Pattern::new(&m.manifest, &m.dir, negated)?)
                }
                None => patterns
                    .include
                    .extend(Pattern::new(&m.manifest, &m.dir, pattern)?),
            }
        }
        roots.push((m, patterns));
    }
    let mut found = Vec::new();
    for m in manifests {
        let Some(name) = &m.name else {
            continue;
        };
        // The nearest workspace root strictly above this package.
        let root = roots
            .iter()
            .filter(|(r, _)| r.dir != m.dir && within(&m.dir, &r.dir))
            .max_by_key(|(r, _)| r.dir.len());
        let proposed = if m.workspaces.is_some() {
            !m.private
        } else {
            root.is_none_or(|(_, patterns)| patterns.is_member(&m.dir))
        };
        if !proposed {
            continue;
        }
        let mut version_files = vec![m.manifest.clone()];
        let lock_dir = root.map_or(m.dir.as_str(), |(r, _)| r.dir.as_str());
        version_files.extend(lockfile(lockfiles, lock_dir, "package-lock.json"));
        found.push((
            Detected {
                name: name.clone(),
                path: display_dir(&m.dir),
                manifest: m.manifest.clone(),
                kind: Ecosystem::Npm,
                version: m.version.clone(),
                dependencies: Vec::new(),
                version_files,
            },
            m.dependencies.clone(),
        ));
    }
    Ok(found)
}

// ---------------------------------------------------------------------------
// Python

struct PythonManifest {
    dir: String,
    manifest: String,
    name: Option<String>,
    version: Option<String>,
    dependencies: BTreeSet<String>,
}

impl PythonManifest {
    fn read(root: &Path, dir: &str, file: &str) -> Result<PythonManifest, DetectError> {
        let doc = parse_toml(root, file)?;
        let project = doc.get("project").and_then(Toml::as_table);
        let poetry = doc
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(Toml::as_table);
        let text = |table: Option<&Table>, key: &str| {
            table
                .and_then(|t| t.get(key))
                .and_then(Toml::as_str)
                .map(str::to_owned)
        };
        let dynamic = project
            .and_then(|p| p.get("dynamic"))
            .and_then(Toml::as_array)
            .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("version")));
        // Poetry 2 keeps a dynamic version in `[tool.poetry] version`.
        let version = if dynamic {
            text(poetry, "version")
        } else {
            text(project, "version").or_else(|| text(poetry, "version"))
        };
        let mut dependencies = BTreeSet::new();
        let mut requirements: Vec<&Toml> = Vec::new();
        if let Some(project) = project {
            requirements.extend(project.get("dependencies"));
            if let Some(Toml::Table(optional)) = project.get("optional-dependencies") {
                requirements.extend(optional.values());
            }
        }
        if let Some(Toml::Table(groups)) = doc.get("dependency-groups") {
            requirements.extend(groups.values());
        }
        for list in requirements.iter().filter_map(|l| l.as_array()) {
            for requirement in list.iter().filter_map(Toml::as_str) {
                dependencies.extend(pep508_name(requirement).map(str::to_owned));
            }
        }
        if let Some(poetry) = poetry {
            let mut tables: Vec<&Toml> = Vec::new();
            tables.extend(poetry.get("dependencies"));
            tables.extend(poetry.get("dev-dependencies"));
            if let Some(Toml::Table(groups)) = poetry.get("group") {
                tables.extend(groups.values().filter_map(|g| g.get("dependencies")));
            }
            for table in tables.iter().filter_map(|t| t.as_table()) {
                dependencies.extend(table.keys().filter(|k| *k != "python").cloned());
            }
        }
        Ok(PythonManifest {
            dir: dir.to_owned(),
            manifest: file.to_owned(),
            name: text(project, "name").or_else(|| text(poetry, "name")),
            version,
            dependencies,
        })
    }

    fn detected(&self) -> Option<(Detected, BTreeSet<String>)> {
        let name = self.name.clone()?;
        Some((
            Detected {
                name,
                path: display_dir(&self.dir),
                manifest: self.manifest.clone(),
                kind: Ecosystem::Python,
                version: self.version.clone(),
                dependencies: Vec::new(),
                version_files: vec![self.manifest.clone()],
            },
            self.dependencies.clone(),
        ))
    }
}

// ---------------------------------------------------------------------------

/// Fills in each package's internal dependencies: the names it depends on
/// that name another detected package of the same ecosystem.
fn link_dependencies(found: &mut [(Detected, BTreeSet<String>)]) {
    let key = |kind: Ecosystem, name: &str| match kind {
        Ecosystem::Python => normalize_python_name(name),
        Ecosystem::Cargo | Ecosystem::Npm => name.to_owned(),
    };
    let known: BTreeMap<(Ecosystem, String), String> = found
        .iter()
        .map(|(d, _)| ((d.kind, key(d.kind, &d.name)), d.name.clone()))
        .collect();
    for (detected, names) in found.iter_mut() {
        let own = key(detected.kind, &detected.name);
        let internal: BTreeSet<String> = names
            .iter()
            .map(|name| key(detected.kind, name))
            .filter(|name| *name != own)
            .filter_map(|name| known.get(&(detected.kind, name)).cloned())
            .collect();
        detected.dependencies = internal.into_iter().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn summary(found: &[Detected]) -> Vec<(String, String, Option<String>, Vec<String>)> {
        found
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    d.path.clone(),
                    d.version.clone(),
                    d.dependencies.clone(),
                )
            })
            .collect()
    }

    fn row(
        name: &str,
        path: &str,
        version: Option<&str>,
        deps: &[&str],
    ) -> (String, String, Option<String>, Vec<String>) {
        (
            name.to_owned(),
            path.to_owned(),
            version.map(str::to_owned),
            deps.iter().map(|d| (*d).to_owned()).collect(),
        )
    }

    const CARGO_WORKSPACE: &[(&str, &str)] = &[
        (".gitignore", "/ignored/\n"),
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/fuzz\"]\n\n[workspace.package]\nversion = \"0.3.1\"\n\n[workspace.dependencies]\ncore = { path = \"crates/core\", version = \"0.3.1\" }\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        (
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion.workspace = true\n",
        ),
        (
            "crates/cli/Cargo.toml",
            "[package]\nname = \"cli\"\nversion = \"1.0.0\"\n\n[dependencies]\ncore = { workspace = true }\nserde = \"1\"\n\n[target.'cfg(unix)'.dependencies]\nutil2 = { package = \"util\", path = \"../../libs/util\" }\n",
        ),
        (
            "crates/fuzz/Cargo.toml",
            "[package]\nname = \"fuzz\"\nversion = \"0.0.0\"\n[dependencies]\ncore = { path = \"../core\" }\n",
        ),
        (
            "libs/util/Cargo.toml",
            "[package]\nname = \"util\"\nversion = \"0.1.0\"\n",
        ),
        (
            "tests/fixtures/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
        ),
        (
            "ignored/Cargo.toml",
            "[package]\nname = \"ghost\"\nversion = \"0.1.0\"\n",
        ),
        (
            "target/debug/build/Cargo.toml",
            "[package]\nname = \"built\"\n",
        ),
        (".hidden/Cargo.toml", "[package]\nname = \"hidden\"\n"),
    ];

    #[test]
    fn cargo_workspace_members_exclusions_and_ignored_dirs() {
        let dir = tree(CARGO_WORKSPACE);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found),
            vec![
                row("cli", "crates/cli", Some("1.0.0"), &["core", "util"]),
                row("core", "crates/core", Some("0.3.1"), &[]),
                row("util", "libs/util", Some("0.1.0"), &[]),
            ]
        );
        assert!(found.iter().all(|d| d.kind == Ecosystem::Cargo));
        assert_eq!(found[0].manifest, "crates/cli/Cargo.toml");
        assert_eq!(
            found[0].version_files,
            ["crates/cli/Cargo.toml", "Cargo.lock"]
        );
        // An inherited version lives in the workspace root.
        assert_eq!(found[1].version_files, ["Cargo.toml", "Cargo.lock"]);
    }

    #[test]
    fn cargo_root_that_is_also_a_package_and_explicit_members() {
        let dir = tree(&[
            (
                "Cargo.toml",
                "[package]\nname = \"tool\"\nversion = \"2.0.0\"\n[dependencies]\ncore = { path = \"core\" }\n\n[workspace]\nmembers = [\"core\", \"./excluded/kept\"]\nexclude = [\"excluded\"]\n",
            ),
            (
                "core/Cargo.toml",
                "[package]\nname = \"core\"\nversion = \"1.0.0\"\n",
            ),
            (
                "excluded/kept/Cargo.toml",
                "[package]\nname = \"kept\"\nversion = \"1.0.0\"\n",
            ),
            (
                "excluded/dropped/Cargo.toml",
                "[package]\nname = \"dropped\"\n",
            ),
        ]);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found),
            vec![
                row("tool", ".", Some("2.0.0"), &["core"]),
                row("core", "core", Some("1.0.0"), &[]),
                row("kept", "excluded/kept", Some("1.0.0"), &[]),
            ]
        );
        assert_eq!(found[0].manifest, "Cargo.toml");
    }

    const NPM_WORKSPACE: &[(&str, &str)] = &[
        (
            "package.json",
            r#"{ "name": "monorepo", "private": true, "workspaces": ["packages/*", "!packages/legacy"] }"#,
        ),
        ("package-lock.json", "{}"),
        (
            "packages/core/package.json",
            r#"{ "name": "@acme/core", "version": "1.2.0" }"#,
        ),
        (
            "packages/web/package.json",
            r#"{ "name": "web", "version": "0.1.0", "dependencies": { "@acme/core": "^1.2.0", "react": "^18" }, "devDependencies": { "web": "0.0.0" } }"#,
        ),
        ("packages/legacy/package.json", r#"{ "name": "legacy" }"#),
        (
            "packages/web/fixtures/package.json",
            r#"{ "name": "fixture" }"#,
        ),
        (
            "packages/web/node_modules/react/package.json",
            r#"{ "name": "react" }"#,
        ),
    ];

    #[test]
    fn npm_workspace_private_root_is_not_a_package() {
        let dir = tree(NPM_WORKSPACE);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found),
            vec![
                row("@acme/core", "packages/core", Some("1.2.0"), &[]),
                row("web", "packages/web", Some("0.1.0"), &["@acme/core"]),
            ]
        );
        assert_eq!(found[1].kind, Ecosystem::Npm);
        assert_eq!(
            found[1].version_files,
            ["packages/web/package.json", "package-lock.json"]
        );
    }

    #[test]
    fn npm_workspace_object_form_and_public_root() {
        let dir = tree(&[
            (
                "package.json",
                r#"{ "name": "root", "version": "3.0.0", "workspaces": { "packages": ["libs/**"] }, "dependencies": { "a": "*" } }"#,
            ),
            (
                "libs/group/a/package.json",
                r#"{ "name": "a", "version": "1.0.0" }"#,
            ),
        ]);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found),
            vec![
                row("root", ".", Some("3.0.0"), &["a"]),
                row("a", "libs/group/a", Some("1.0.0"), &[]),
            ]
        );
    }

    const PYTHON: &[(&str, &str)] = &[
        (
            "poetry-app/pyproject.toml",
            "[tool.poetry]\nname = \"poetry-app\"\nversion = \"0.2.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\npep-lib = { path = \"../pep-lib\", develop = true }\n",
        ),
        (
            "pep-lib/pyproject.toml",
            "[project]\nname = \"Pep_Lib\"\nversion = \"1.0.0\"\ndependencies = [\"requests>=2\"]\n\n[dependency-groups]\ndev = [\"dyn>=1\", { include-group = \"x\" }]\n",
        ),
        (
            "dyn/pyproject.toml",
            "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n",
        ),
        ("tools/pyproject.toml", "[tool.black]\nline-length = 100\n"),
    ];

    #[test]
    fn python_pep621_and_poetry_projects() {
        let dir = tree(PYTHON);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found),
            vec![
                row("dyn", "dyn", None, &[]),
                row("Pep_Lib", "pep-lib", Some("1.0.0"), &["dyn"]),
                row("poetry-app", "poetry-app", Some("0.2.0"), &["Pep_Lib"]),
            ]
        );
        assert!(found.iter().all(|d| d.kind == Ecosystem::Python));
        assert_eq!(found[1].version_files, ["pep-lib/pyproject.toml"]);
    }

    #[test]
    fn proposal_renders_as_valid_toml() {
        let mut files: Vec<(String, String)> = Vec::new();
        for (prefix, set) in [
            ("rust/", CARGO_WORKSPACE),
            ("js/", NPM_WORKSPACE),
            ("py/", PYTHON),
        ] {
            for (path, text) in set {
                files.push((format!("{prefix}{path}"), (*text).to_owned()));
            }
        }
        // A Python project named like a crate is rendered commented out.
        files.push((
            "py/core/pyproject.toml".to_owned(),
            "[project]\nname = \"core\"\nversion = \"1.0\"\n".to_owned(),
        ));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let dir = tree(&refs);
        let found = detect(dir.path()).unwrap();
        assert_eq!(found.len(), 9, "{found:#?}");
        let rendered = to_toml(&found);
        let parsed: Table = toml::from_str(&rendered).unwrap();
        let packages = parsed["package"].as_array().unwrap();
        assert_eq!(packages.len(), 8, "{rendered}");
        let cli = packages
            .iter()
            .find(|p| p["name"].as_str() == Some("cli"))
            .unwrap();
        assert_eq!(cli["path"].as_str(), Some("rust/crates/cli"));
        assert_eq!(cli["tag"].as_str(), Some("{name}-v{version}"));
        assert_eq!(
            cli["version-files"],
            Toml::Array(vec![
                "rust/crates/cli/Cargo.toml".into(),
                "rust/Cargo.lock".into()
            ])
        );
        assert_eq!(
            cli["depends-on"],
            Toml::Array(vec!["core".into(), "util".into()])
        );
        let web = packages
            .iter()
            .find(|p| p["name"].as_str() == Some("web"))
            .unwrap();
        assert_eq!(web["tag"].as_str(), Some("{name}@{version}"));
        assert!(rendered.contains("tag = \"{name}-v{version}\"  # current version 0.3.1\n"));
        assert!(rendered.contains("# no version found in `py/dyn/pyproject.toml`"));
        assert!(rendered.contains("# another package is also named `core`"));
        assert!(rendered.contains("# its version is inherited from `rust/Cargo.toml`"));
    }

    #[test]
    fn single_package_uses_the_default_tag() {
        let dir = tree(&[(
            "Cargo.toml",
            "[package]\nname = \"solo\"\nversion = \"0.1.0\"\n",
        )]);
        let found = detect(dir.path()).unwrap();
        let rendered = to_toml(&found);
        assert_eq!(
            rendered.split_once("\n\n").unwrap().1,
            "# cargo package `Cargo.toml`\n[[package]]\nname = \"solo\"\npath = \".\"\ntag = \"v{version}\"  # current version 0.1.0\nversion-files = [\"Cargo.toml\"]\ndepends-on = []\n"
        );
        let empty = to_toml(&[]);
        assert!(toml::from_str::<Table>(&empty).unwrap().is_empty());
    }

    #[test]
    fn malformed_manifests_and_bad_roots_are_errors() {
        let cases: &[(&str, &str)] = &[
            ("Cargo.toml", "[package"),
            ("Cargo.toml", "[package]\nversion = \"1.0.0\"\n"),
            ("Cargo.toml", "workspace = 3\n"),
            ("Cargo.toml", "[workspace]\nmembers = [\"[\"]\n"),
            ("package.json", "{"),
            ("package.json", "[]"),
            ("package.json", r#"{ "workspaces": 3 }"#),
            ("pyproject.toml", "[project\n"),
        ];
        for (path, text) in cases {
            let dir = tree(&[(path, text)]);
            let err = detect(dir.path()).unwrap_err();
            assert!(
                err.to_string().contains(&format!("`{path}`")),
                "{text}: {err}"
            );
            assert!(!err.hints().is_empty());
        }
        let missing = detect(Path::new("/nonexistent/git-release-detect")).unwrap_err();
        assert!(matches!(missing, DetectError::Root { .. }), "{missing:?}");
    }

    #[test]
    fn relative_paths_join_and_stay_inside_the_root() {
        assert_eq!(
            join("crates/cli", "../../libs/util").as_deref(),
            Some("libs/util")
        );
        assert_eq!(join("", "./crates/*/").as_deref(), Some("crates/*"));
        assert_eq!(join("a", "../.."), None);
        assert!(within("crates/core", ""));
        assert!(within("crates/core", "crates"));
        assert!(!within("crates-old/core", "crates"));
    }
}
