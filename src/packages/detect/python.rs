//! Python: reading `pyproject.toml` manifests (PEP 621 `[project]`, Poetry's
//! `[tool.poetry]`) into packages with their versions and dependencies.

use std::collections::BTreeSet;
use std::path::Path;

use toml::{Table, Value as Toml};

use crate::packages::version_files::pep508_name;

use super::walk::{display_dir, fixture_dir, parse_toml};
use super::{DetectError, Detected, Ecosystem, Note};

pub(super) struct PythonManifest {
    dir: String,
    manifest: String,
    name: Option<String>,
    version: Option<String>,
    dependencies: BTreeSet<String>,
}

impl PythonManifest {
    pub(super) fn read(root: &Path, dir: &str, file: &str) -> Result<PythonManifest, DetectError> {
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
        // Dependency groups and Poetry's dev groups are for development
        // only: they do not make a release of one project call for another.
        for list in requirements.iter().filter_map(|l| l.as_array()) {
            for requirement in list.iter().filter_map(Toml::as_str) {
                dependencies.extend(pep508_name(requirement).map(str::to_owned));
            }
        }
        if let Some(poetry) = poetry {
            let mut tables: Vec<&Toml> = Vec::new();
            tables.extend(poetry.get("dependencies"));
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

    /// The package, unless it has no name or lies in a test-fixture
    /// directory (said in `notes`).
    pub(super) fn detected(&self, notes: &mut Vec<Note>) -> Option<(Detected, BTreeSet<String>)> {
        let name = self.name.clone()?;
        if let Some(fixture) = fixture_dir(&self.dir) {
            notes.push(Note::skipped(&display_dir(&self.dir), fixture));
            return None;
        }
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

#[cfg(test)]
mod tests {
    use super::super::detect;
    use super::super::test_support::{PYTHON, row, summary, tree};
    use super::*;

    #[test]
    fn python_pep621_and_poetry_projects() {
        let dir = tree(PYTHON);
        let found = detect(dir.path()).unwrap().packages;
        assert_eq!(
            summary(&found),
            vec![
                row("dyn", "dyn", None, &[]),
                row("Pep_Lib", "pep-lib", Some("1.0.0"), &[]),
                row("poetry-app", "poetry-app", Some("0.2.0"), &["Pep_Lib"]),
            ]
        );
        assert!(found.iter().all(|d| d.kind == Ecosystem::Python));
        assert_eq!(found[1].version_files, ["pep-lib/pyproject.toml"]);
    }
}
