//! npm: reading `package.json` manifests and applying workspace rules
//! (`"workspaces"` patterns, `!` negations, private roots) to decide which
//! are packages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value as Json;

use super::walk::{Pattern, Patterns, display_dir, fixture_dir, lockfile, malformed, read, within};
use super::{DetectError, Detected, Ecosystem, Note};

/// The sections whose dependencies make a release of one package call for a
/// release of another; `devDependencies` do not (and often form cycles).
const NPM_DEPENDENCY_SECTIONS: [&str; 3] =
    ["dependencies", "peerDependencies", "optionalDependencies"];
pub(super) struct NpmManifest {
    dir: String,
    manifest: String,
    name: Option<String>,
    version: Option<String>,
    private: bool,
    workspaces: Option<Vec<String>>,
    dependencies: BTreeSet<String>,
}

impl NpmManifest {
    pub(super) fn read(root: &Path, dir: &str, file: &str) -> Result<NpmManifest, DetectError> {
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
        let workspaces = match workspaces {
            Some(list) => Some(list),
            None => pnpm_workspace(root, dir),
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

/// The `packages:` list of `pnpm-workspace.yaml` next to a `package.json`,
/// read by hand: a block list (`- "packages/*"`) or a flow list
/// (`["a", "b"]`), comments and quotes removed. `None` without the file.
fn pnpm_workspace(root: &Path, dir: &str) -> Option<Vec<String>> {
    let file = match dir {
        "" => "pnpm-workspace.yaml".to_owned(),
        dir => format!("{dir}/pnpm-workspace.yaml"),
    };
    let text = read(root, &file).ok()?;
    Some(pnpm_packages(&text))
}

fn pnpm_packages(text: &str) -> Vec<String> {
    let uncomment = |line: &str| -> String {
        let mut quote = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '#') if i == 0 || line[..i].ends_with(char::is_whitespace) => {
                    return line[..i].trim_end().to_owned();
                }
                _ => {}
            }
        }
        line.trim_end().to_owned()
    };
    let unquote = |item: &str| -> String {
        let item = item.trim();
        let quoted = item.len() >= 2
            && ((item.starts_with('"') && item.ends_with('"'))
                || (item.starts_with('\'') && item.ends_with('\'')));
        if quoted {
            item[1..item.len() - 1].to_owned()
        } else {
            item.to_owned()
        }
    };
    let mut packages = Vec::new();
    let mut lines = text.lines().map(uncomment);
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("packages:") else {
            continue;
        };
        let rest = rest.trim();
        if let Some(flow) = rest.strip_prefix('[') {
            let flow = flow.trim_end().trim_end_matches(']');
            packages.extend(flow.split(',').map(unquote).filter(|p| !p.is_empty()));
            break;
        }
        for line in lines.by_ref() {
            let item = line.trim();
            if item.is_empty() {
                continue;
            }
            let Some(item) = item.strip_prefix('-') else {
                break;
            };
            if !line.starts_with(char::is_whitespace) && !line.starts_with('-') {
                break;
            }
            packages.push(unquote(item));
        }
        break;
    }
    packages
}

pub(super) fn npm_packages(
    manifests: &[NpmManifest],
    lockfiles: &BTreeSet<&str>,
    notes: &mut Vec<Note>,
) -> Vec<(Detected, BTreeSet<String>)> {
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
                        .extend(Pattern::noted(&m.manifest, &m.dir, negated, notes))
                }
                None => {
                    patterns
                        .include
                        .extend(Pattern::noted(&m.manifest, &m.dir, pattern, notes))
                }
            }
        }
        roots.push((m, patterns));
    }
    // The nearest workspace root at or above a directory, and whether it
    // is nested inside another root.
    let nearest = |dir: &str, strictly: bool| {
        roots
            .iter()
            .filter(|(r, _)| !(strictly && r.dir == dir) && within(dir, &r.dir))
            .max_by_key(|(r, _)| r.dir.len())
    };
    let mut nested: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut found = Vec::new();
    for m in manifests {
        let Some(name) = &m.name else {
            continue;
        };
        let dir = display_dir(&m.dir);
        // A workspace inside another one is a test fixture or a vendored
        // project: neither it nor its members are proposed.
        if let Some((inner, _)) = nearest(&m.dir, false) {
            if let Some((top, _)) = nearest(&inner.dir, true) {
                nested
                    .entry(inner.manifest.as_str())
                    .or_insert((0, &top.manifest))
                    .0 += 1;
                continue;
            }
        }
        // The nearest workspace root strictly above this package.
        let root = nearest(&m.dir, true);
        let listed = root.is_some_and(|(_, patterns)| patterns.lists(&m.dir));
        if let Some(fixture) = fixture_dir(&m.dir).filter(|_| !listed) {
            notes.push(Note::skipped(&dir, fixture));
            continue;
        }
        if let Some((root, patterns)) = root.filter(|_| m.workspaces.is_none()) {
            if !patterns.is_member(&m.dir) {
                notes.push(Note::skipped(
                    &dir,
                    format!("not a member of the workspaces in {}", root.manifest),
                ));
                continue;
            }
        }
        if m.private {
            notes.push(Note::skipped(&dir, "\"private\": true"));
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
    for (manifest, (count, top)) in nested {
        let dir = manifest.strip_suffix("package.json").unwrap_or(manifest);
        notes.push(Note::skipped(
            &display_dir(dir.trim_end_matches('/')),
            format!(
                "a workspace nested inside the one in {top} ({count} package{})",
                if count == 1 { "" } else { "s" }
            ),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::detect;
    use super::super::test_support::{NPM_WORKSPACE, row, summary, tree};
    use super::*;

    #[test]
    fn npm_workspace_private_root_is_not_a_package() {
        let dir = tree(NPM_WORKSPACE);
        let found = detect(dir.path()).unwrap().packages;
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
        let found = detect(dir.path()).unwrap().packages;
        assert_eq!(
            summary(&found),
            vec![
                row("root", ".", Some("3.0.0"), &["a"]),
                row("a", "libs/group/a", Some("1.0.0"), &[]),
            ]
        );
    }

    #[test]
    fn pnpm_workspace_lists_are_read_by_hand() {
        let block = "# the workspace\npackages:\n  - 'packages/*'   # libraries\n  - \"apps/*\"\n  - '!**/test/**'\n\ncatalog:\n  - no\n";
        assert_eq!(
            pnpm_packages(block),
            ["packages/*", "apps/*", "!**/test/**"]
        );
        assert_eq!(pnpm_packages("packages: ['a/*', \"b\"]\n"), ["a/*", "b"]);
        assert!(pnpm_packages("onlyBuiltDependencies:\n  - esbuild\n").is_empty());
        let dir = tree(&[
            ("package.json", r#"{ "name": "root", "private": true }"#),
            ("pnpm-workspace.yaml", "packages:\n  - packages/*\n"),
            (
                "packages/a/package.json",
                r#"{ "name": "a", "version": "1.0.0" }"#,
            ),
            (
                "playground/b/package.json",
                r#"{ "name": "b", "version": "1.0.0" }"#,
            ),
        ]);
        let found = detect(dir.path()).unwrap();
        assert_eq!(
            summary(&found.packages),
            vec![row("a", "packages/a", Some("1.0.0"), &[])]
        );
        let notes: Vec<_> = found.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            notes,
            [
                "skipped .: \"private\": true",
                "skipped playground/b: not a member of the workspaces in package.json"
            ]
        );
    }
}
