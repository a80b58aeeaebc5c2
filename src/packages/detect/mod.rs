//! Package discovery for `git release init --detect`: walks the work tree
//! (respecting `.gitignore`) for `Cargo.toml`, `package.json` and
//! `pyproject.toml`, applies Cargo and npm workspace rules, and proposes
//! `[[package]]` entries with their versions, version files and internal
//! dependencies. Reads files; never writes.
//!
//! A work tree flows in ([`detect`] takes its root); the detected packages
//! flow out, and [`to_toml`] renders them as the `[[package]]` TOML proposed
//! for `.release.toml`. This module owns the shared types, the pass that
//! links dependencies between detected packages, and the rendering;
//! `walk` finds and reads manifests, and `cargo`, `npm` and `python`
//! each read one ecosystem's manifests and decide which are packages.

mod cargo;
mod npm;
mod python;
#[cfg(test)]
mod test_support;
mod walk;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use toml::Value as Toml;

use crate::git::tags::{Match, Template};
use crate::packages::version_files::normalize_python_name;

use cargo::{CargoManifest, cargo_packages};
use npm::{NpmManifest, npm_packages};
use python::PythonManifest;
use walk::walk;

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

/// Something detection left out or changed, said in the proposal as a
/// comment (`skipped crates/x: publish = false`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The sentence, without the comment marker.
    pub text: String,
    /// Whether it is a problem to fix (an unreadable manifest), shown as a
    /// warning too, rather than a deliberate choice.
    pub warning: bool,
}

impl Note {
    pub(crate) fn skipped(path: &str, reason: impl std::fmt::Display) -> Note {
        Note {
            text: format!("skipped {path}: {reason}"),
            warning: false,
        }
    }

    pub(crate) fn warning(text: impl Into<String>) -> Note {
        Note {
            text: text.into(),
            warning: true,
        }
    }
}

/// What detection found: the packages, sorted by path, and notes about the
/// manifests it skipped and the changes it made.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    /// The packages proposed.
    pub packages: Vec<Detected>,
    /// Why manifests were skipped, in the order found.
    pub notes: Vec<Note>,
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
    /// The note for a manifest that cannot be used: its path, the error,
    /// and that the rest of the detection went on without it.
    fn note(&self) -> Note {
        let (path, what) = match self {
            DetectError::Root { path, source } => {
                return Note::warning(format!("cannot search `{}`: {source}", path.display()));
            }
            DetectError::Read { path, source } => (path, format!("cannot read it: {source}")),
            DetectError::Parse { path, message } => (path, format!("cannot parse it: {message}")),
            DetectError::Glob {
                path,
                pattern,
                message,
            } => {
                return Note::warning(format!(
                    "ignored the workspace member pattern `{pattern}` in {path}: {message}; fix the pattern"
                ));
            }
        };
        Note::warning(format!(
            "skipped {path}: {what}; fix it and run `init --detect` again"
        ))
    }

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
/// - Everywhere: unpublished crates (`publish = false`), private npm
///   packages, manifests under fixture and example directories that no
///   workspace lists by name, and workspaces nested inside another are
///   skipped, each with a [`Note`]; dev-dependencies link nothing, and
///   dependency cycles are broken with a warning.
///
/// A manifest that cannot be read or parsed is skipped with a warning
/// [`Note`]; it never stops the detection.
///
/// Sorted by path, then manifest.
pub fn detect(root: &Path) -> Result<Detection, DetectError> {
    std::fs::read_dir(root).map_err(|source| DetectError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    let files = walk(root);
    let mut cargo = Vec::new();
    let mut npm = Vec::new();
    let mut python = Vec::new();
    let mut notes = Vec::new();
    for file in &files {
        let (dir, name) = match file.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", file.as_str()),
        };
        let read = match name {
            "Cargo.toml" => CargoManifest::read(root, dir, file).map(|m| cargo.push(m)),
            "package.json" => NpmManifest::read(root, dir, file).map(|m| npm.push(m)),
            "pyproject.toml" => PythonManifest::read(root, dir, file).map(|m| python.push(m)),
            _ => Ok(()),
        };
        if let Err(error) = read {
            notes.push(error.note());
        }
    }
    let lockfiles: BTreeSet<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| f.ends_with("Cargo.lock") || f.ends_with("package-lock.json"))
        .collect();

    let mut found = cargo_packages(&cargo, &lockfiles, &mut notes);
    found.extend(npm_packages(&npm, &lockfiles, &mut notes));
    for manifest in &python {
        found.extend(manifest.detected(&mut notes));
    }
    link_dependencies(&mut found);
    found.sort_by(|(a, _), (b, _)| (&a.path, &a.manifest).cmp(&(&b.path, &b.manifest)));
    let mut packages: Vec<Detected> = found.into_iter().map(|(detected, _)| detected).collect();
    break_cycles(&mut packages, &mut notes);
    Ok(Detection { packages, notes })
}

/// Renders the proposal as commented `[[package]]` tables for
/// `.release.toml`. A name seen before is rendered commented out, since
/// package names must be unique.
///
/// `tags` are the repository's tag names: each package gets the template
/// most of its tags follow (`tag` is written only when it is not the
/// default `{name}-v{version}`), and its comment says its highest tag.
pub fn to_toml(detection: &Detection, tags: &[String]) -> String {
    let found = detection.packages.as_slice();
    let mut out = String::from(
        "# Packages found by `git release init --detect`: review them, and keep the ones\n\
         # that are released on their own. Paths are relative to the repository root.\n",
    );
    for note in &detection.notes {
        let marker = if note.warning { "warning: " } else { "" };
        let _ = writeln!(out, "# {marker}{}", one_line(&note.text));
    }
    if found.is_empty() {
        out.push_str("# No Cargo.toml, package.json or pyproject.toml package was found.\n");
        return out;
    }
    if let Some(shared) = shared_stream(found, tags) {
        return out + &shared;
    }
    let mut seen = BTreeSet::new();
    for package in found {
        let single = found.len() == 1;
        let from_tags = tag_stream(&package.name, single, tags);
        let tag = match &from_tags {
            Some(stream) => stream.template,
            None if single => "v{version}",
            None if package.kind == Ecosystem::Npm => "{name}@{version}",
            None => DEFAULT_PACKAGE_TAG,
        };
        let mut version = match &package.version {
            Some(version) => format!("current version {version}"),
            None => format!("no version found in `{}`", package.manifest),
        };
        if let Some(stream) = &from_tags {
            let _ = write!(
                version,
                ", highest tag `{}` ({} tag{} of this template)",
                stream.highest_tag,
                stream.count,
                if stream.count == 1 { "" } else { "s" }
            );
            let manifest = package
                .version
                .as_deref()
                .and_then(|v| semver::Version::parse(v).ok());
            if manifest.is_some_and(|v| v > stream.highest) {
                version.push_str(
                    "; the manifest version is above the highest tag: the next release starts from it",
                );
            }
        } else {
            version.push_str(", no release tag yet");
        }
        let mut block = String::new();
        let _ = writeln!(block, "[[package]]");
        let _ = writeln!(block, "name = {}", toml_string(&package.name));
        let _ = writeln!(block, "path = {}", toml_string(&package.path));
        if tag != DEFAULT_PACKAGE_TAG {
            let _ = writeln!(block, "tag = {}", toml_string(tag));
        }
        let _ = writeln!(
            block,
            "version-files = {}",
            toml_list(&package.version_files)
        );
        let _ = writeln!(block, "depends-on = {}", toml_list(&package.dependencies));
        let _ = write!(out, "\n# {} package `{}`\n", package.kind, package.manifest);
        let _ = writeln!(out, "# {version}");
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

/// The default tag template of a `[[package]]`.
const DEFAULT_PACKAGE_TAG: &str = "{name}-v{version}";

/// Templates a package's own tags may follow, most usual first.
const PACKAGE_TEMPLATES: [&str; 8] = [
    "{name}-v{version}",
    "{name}-{version}",
    "{name}@{version}",
    "{name}@v{version}",
    "{name}/v{version}",
    "{name}/{version}",
    "{name}_v{version}",
    "{name}_{version}",
];

/// Templates of a single release stream, without package names.
const STREAM_TEMPLATES: [&str; 2] = ["v{version}", "{version}"];

/// The tags of one template that a package's releases follow.
struct TagStream {
    template: &'static str,
    count: usize,
    highest: semver::Version,
    highest_tag: String,
}

/// The template most of `name`'s tags follow (of a single stream too,
/// when it is the only package), with its highest version.
/// Crates that all inherit the workspace root's version and are released
/// under one tag stream without crate names (`v2.13.1`, as git-cliff does):
/// one package, the whole repository, as text for the proposal.
fn shared_stream(found: &[Detected], tags: &[String]) -> Option<String> {
    let crates: Vec<&Detected> = found
        .iter()
        .filter(|p| p.kind == Ecosystem::Cargo)
        .collect();
    // Two or more crates at one version (inherited or written out equal).
    let version = crates.first()?.version.clone()?;
    if crates.len() < 2
        || crates
            .iter()
            .any(|p| p.version.as_deref() != Some(version.as_str()))
    {
        return None;
    }
    // Tags naming a crate mean each crate has a stream of its own.
    if crates.iter().any(|p| {
        PACKAGE_TEMPLATES.iter().any(|t| {
            Template::for_package(t, Some(&p.name)).is_ok_and(|t| {
                tags.iter()
                    .any(|tag| matches!(t.parse(tag), Match::Version(_)))
            })
        })
    }) {
        return None;
    }
    let stream = tag_stream("", true, tags)?;
    let names: Vec<&str> = crates.iter().map(|p| p.name.as_str()).collect();
    let mut files: Vec<String> = Vec::new();
    for file in crates.iter().flat_map(|p| &p.version_files) {
        if !files.contains(file) {
            files.push(file.clone());
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} crates ({}) share the version {version} and one tag stream (highest `{}`, {} tag{}): released together, as one package",
        crates.len(),
        names.join(", "),
        stream.highest_tag,
        stream.count,
        if stream.count == 1 { "" } else { "s" }
    );
    for other in found.iter().filter(|p| p.kind != Ecosystem::Cargo) {
        let _ = writeln!(
            out,
            "# also found: {} package `{}`; if it is released with them, add `{}` to `version-files`",
            other.kind, other.manifest, other.manifest
        );
    }
    if stream.template != "v{version}" {
        let _ = writeln!(out, "tag = {}", toml_string(stream.template));
    }
    let _ = writeln!(out, "version-files = {}", toml_list(&files));
    Some(out)
}

fn tag_stream(name: &str, single: bool, tags: &[String]) -> Option<TagStream> {
    let streams: &[&'static str] = if single { &STREAM_TEMPLATES } else { &[] };
    let mut best: Option<TagStream> = None;
    for &template in streams.iter().chain(PACKAGE_TEMPLATES.iter()) {
        let Ok(parsed) = Template::for_package(template, Some(name)) else {
            continue;
        };
        let mut stream: Option<TagStream> = None;
        for tag in tags {
            let Match::Version(version) = parsed.parse(tag) else {
                continue;
            };
            match &mut stream {
                None => {
                    stream = Some(TagStream {
                        template,
                        count: 1,
                        highest: version,
                        highest_tag: tag.clone(),
                    })
                }
                Some(stream) => {
                    stream.count += 1;
                    if version > stream.highest {
                        stream.highest = version;
                        stream.highest_tag = tag.clone();
                    }
                }
            }
        }
        if let Some(stream) = stream {
            if best.as_ref().is_none_or(|b| stream.count > b.count) {
                best = Some(stream);
            }
        }
    }
    best
}

/// `text` on one line, so that it stays inside a TOML comment.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn toml_string(value: &str) -> String {
    Toml::String(value.to_owned()).to_string()
}

fn toml_list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
    format!("[{}]", items.join(", "))
}
/// Removes one dependency of each cycle among the packages (`depends-on`
/// must not go round), saying which in `notes`.
fn break_cycles(packages: &mut [Detected], notes: &mut Vec<Note>) {
    let index: BTreeMap<(Ecosystem, String), usize> = packages
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.kind, d.name.clone()), i))
        .collect();
    // 0: not seen, 1: on the current path, 2: done.
    let mut state = vec![0u8; packages.len()];
    for start in 0..packages.len() {
        if state[start] != 0 {
            continue;
        }
        // Depth first, with an explicit stack of (package, next dependency).
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (at, ref mut next)) = stack.last_mut() {
            let Some(dependency) = packages[at].dependencies.get(*next).cloned() else {
                state[at] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            let Some(&to) = index.get(&(packages[at].kind, dependency.clone())) else {
                continue;
            };
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => {
                    let from = stack.iter().position(|(p, _)| *p == to).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..]
                        .iter()
                        .map(|(p, _)| packages[*p].name.as_str())
                        .collect();
                    cycle.push(packages[to].name.as_str());
                    let text = format!(
                        "dependency cycle {}: dropped `{dependency}` from the depends-on of `{}`; check which one really needs the other",
                        cycle.join(" → "),
                        packages[at].name
                    );
                    notes.push(Note::warning(text));
                    if let Some(top) = stack.last_mut() {
                        top.1 -= 1;
                    }
                    packages[at].dependencies.retain(|d| *d != dependency);
                }
                _ => {}
            }
        }
    }
}

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
    use std::path::Path;

    use toml::{Table, Value as Toml};

    use super::test_support::{CARGO_WORKSPACE, NPM_WORKSPACE, PYTHON, tree};
    use super::*;

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
        assert_eq!(found.packages.len(), 9, "{found:#?}");
        let rendered = to_toml(&found, &[]);
        let parsed: Table = toml::from_str(&rendered).unwrap();
        let packages = parsed["package"].as_array().unwrap();
        assert_eq!(packages.len(), 8, "{rendered}");
        let cli = packages
            .iter()
            .find(|p| p["name"].as_str() == Some("cli"))
            .unwrap();
        assert_eq!(cli["path"].as_str(), Some("rust/crates/cli"));
        assert_eq!(cli.get("tag"), None, "the default template is not written");
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
        assert!(rendered.contains("# current version 0.3.1, no release tag yet\n"));
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
        let rendered = to_toml(&found, &[]);
        assert_eq!(
            rendered.split_once("\n\n").unwrap().1,
            "# cargo package `Cargo.toml`\n# current version 0.1.0, no release tag yet\n[[package]]\nname = \"solo\"\npath = \".\"\ntag = \"v{version}\"\nversion-files = [\"Cargo.toml\"]\ndepends-on = []\n"
        );
        let empty = to_toml(&Detection::default(), &[]);
        assert!(toml::from_str::<Table>(&empty).unwrap().is_empty());
    }

    #[test]
    fn malformed_manifests_are_skipped_with_a_warning() {
        let cases: &[(&str, &str)] = &[
            ("Cargo.toml", "[package"),
            ("Cargo.toml", "[package]\nversion = \"1.0.0\"\n"),
            ("Cargo.toml", "workspace = 3\n"),
            ("Cargo.toml", "[workspace]\nmembers = [\"[\"]\n"),
            ("package.json", "{"),
            ("package.json", "[]"),
            ("package.json", r#"{ "workspaces": 3 }"#),
            ("package.json", r#"{ "workspaces": ["["] }"#),
            ("pyproject.toml", "[project\n"),
        ];
        for (path, text) in cases {
            let dir = tree(&[
                (path, text),
                (
                    "ok/pyproject.toml",
                    "[project]\nname = \"ok\"\nversion = \"1.0.0\"\n",
                ),
            ]);
            let found = detect(dir.path()).unwrap();
            assert_eq!(found.packages.len(), 1, "{text}: {found:#?}");
            let [note] = found.notes.as_slice() else {
                panic!("{text}: {found:#?}");
            };
            assert!(note.warning && note.text.contains(path), "{text}: {note:?}");
            let rendered = to_toml(&found, &[]);
            assert!(rendered.contains("\n# warning: "), "{rendered}");
            toml::from_str::<Table>(&rendered).unwrap();
        }
        let missing = detect(Path::new("/nonexistent/git-release-detect")).unwrap_err();
        assert!(matches!(missing, DetectError::Root { .. }), "{missing:?}");
        assert!(!missing.hints().is_empty());
    }

    #[test]
    fn byte_order_marks_are_ignored() {
        let dir = tree(&[
            (
                "Cargo.toml",
                "\u{feff}[package]\nname = \"bom\"\nversion = \"1.0.0\"\n",
            ),
            (
                "js/package.json",
                "\u{feff}{ \"name\": \"js\", \"version\": \"2.0.0\" }",
            ),
        ]);
        let found = detect(dir.path()).unwrap();
        assert!(found.notes.is_empty(), "{found:#?}");
        let names: Vec<_> = found.packages.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["bom", "js"]);
    }
}
