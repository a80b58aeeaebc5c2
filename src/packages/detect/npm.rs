//! npm: reading `package.json` manifests and applying workspace rules
//! (`"workspaces"` patterns, `!` negations, private roots) to decide which
//! are packages.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value as Json;

use super::walk::{Pattern, Patterns, display_dir, lockfile, malformed, read, within};
use super::{DetectError, Detected, Ecosystem, Note};

const NPM_DEPENDENCY_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];
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
}
