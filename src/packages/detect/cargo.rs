//! Cargo: reading `Cargo.toml` manifests and applying workspace rules
//! (`members`, `exclude`, `path` dependencies, inherited versions) to
//! decide which crates are packages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use toml::{Table, Value as Toml};

use super::walk::{
    Pattern, display_dir, fixture_dir, join, lockfile, malformed, parse_toml, within,
};
use super::{DetectError, Detected, Ecosystem, Note};

/// The sections whose dependencies make a release of one crate call for a
/// release of another; dev-dependencies do not (and often form cycles).
const CARGO_DEPENDENCY_TABLES: [&str; 3] =
    ["dependencies", "build-dependencies", "build_dependencies"];
pub(super) struct CargoManifest {
    dir: String,
    manifest: String,
    package: Option<CargoPackage>,
    workspace: Option<CargoWorkspace>,
}

struct CargoPackage {
    name: String,
    version: CargoVersion,
    /// `publish = false` (or `publish = []`), or inherited from the
    /// workspace (`None`) with `publish.workspace = true`.
    publish: Option<bool>,
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
    /// `[workspace.package] publish`, when it says no registry.
    publish: bool,
}

/// Whether a `publish` value allows publishing: `false` and `[]` do not.
fn publishes(value: Option<&Toml>) -> bool {
    match value {
        Some(Toml::Boolean(publish)) => *publish,
        Some(Toml::Array(registries)) => !registries.is_empty(),
        _ => true,
    }
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
    pub(super) fn read(root: &Path, dir: &str, file: &str) -> Result<CargoManifest, DetectError> {
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
                publish: publishes(workspace.get("package").and_then(|p| p.get("publish"))),
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
                let publish = match package.get("publish") {
                    Some(Toml::Table(t)) if t.get("workspace") == Some(&Toml::Boolean(true)) => {
                        None
                    }
                    value => Some(publishes(value)),
                };
                Some(CargoPackage {
                    name: name.to_owned(),
                    version,
                    publish,
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

pub(super) fn cargo_packages(
    manifests: &[CargoManifest],
    lockfiles: &BTreeSet<&str>,
    notes: &mut Vec<Note>,
) -> Vec<(Detected, BTreeSet<String>)> {
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
                patterns.extend(Pattern::noted(&m.manifest, &m.dir, pattern, notes));
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

    // A workspace inside another one is a test fixture or a vendored
    // project: neither it nor its members are proposed.
    let outer = |r: usize| {
        manifests.iter().find(|o| {
            o.workspace.is_some() && o.dir != manifests[r].dir && within(&manifests[r].dir, &o.dir)
        })
    };
    let listed = |i: usize| {
        roots[i].is_some_and(|r| {
            members.get(&r).is_some_and(|patterns| {
                patterns
                    .iter()
                    .any(|p| matches!(p, Pattern::Literal(l) if *l == manifests[i].dir))
            })
        })
    };
    let mut nested: BTreeMap<usize, usize> = BTreeMap::new();
    let mut found = Vec::new();
    for (i, m) in manifests.iter().enumerate() {
        let Some(package) = &m.package else {
            continue;
        };
        let root = roots[i].map(|r| &manifests[r]);
        let dir = display_dir(&m.dir);
        if let Some(r) = roots[i].filter(|&r| outer(r).is_some()) {
            *nested.entry(r).or_default() += 1;
            continue;
        }
        if let Some(fixture) = fixture_dir(&m.dir).filter(|_| !listed(i)) {
            notes.push(Note::skipped(&dir, fixture));
            continue;
        }
        if !proposed[i] {
            if let Some(root) = root {
                let why = if excluded(i, roots[i].unwrap_or(i)) {
                    "excluded by"
                } else {
                    "not a member of"
                };
                notes.push(Note::skipped(
                    &dir,
                    format!("{why} the workspace in {}", root.manifest),
                ));
            }
            continue;
        }
        let publish = package.publish.unwrap_or_else(|| {
            root.and_then(|r| r.workspace.as_ref())
                .is_none_or(|w| w.publish)
        });
        if !publish {
            notes.push(Note::skipped(&dir, "publish = false"));
            continue;
        }
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
    for (r, count) in nested {
        if let Some(top) = outer(r) {
            notes.push(Note::skipped(
                &display_dir(&manifests[r].dir),
                format!(
                    "a workspace nested inside the one in {} ({count} crate{})",
                    top.manifest,
                    if count == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::detect;
    use super::super::test_support::{CARGO_WORKSPACE, row, summary, tree};
    use super::*;

    #[test]
    fn cargo_workspace_members_exclusions_and_ignored_dirs() {
        let dir = tree(CARGO_WORKSPACE);
        let detection = detect(dir.path()).unwrap();
        let notes: Vec<_> = detection.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            notes,
            [
                "skipped crates/fuzz: excluded by the workspace in Cargo.toml",
                "skipped tests/fixtures/demo: under `fixtures/`, not a listed workspace member"
            ]
        );
        let found = detection.packages;
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
        let found = detect(dir.path()).unwrap().packages;
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
}
