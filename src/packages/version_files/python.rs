//! Python: a `pyproject.toml`'s own version (PEP 621 `[project]` or
//! Poetry's `[tool.poetry]`) and its requirements on other packages (PEP 508
//! strings and Poetry tables), with the PEP 503/508 name helpers `detect`
//! shares.

use semver::Version;
use toml_edit::{Document, Item};

use super::VersionFileError;
use super::edits::{Edits, shape};
use super::requirements::simple_requirement;
use super::toml_text::{insert_toml_version, parse_toml, replace_toml_string, table_like};

/// The project name a PEP 508 requirement names, as written: `requests` in
/// `requests[socks]>=2.0; python_version < "3.8"`.
pub(crate) fn pep508_name(requirement: &str) -> Option<&str> {
    let trimmed = requirement.trim_start();
    let end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(trimmed.len());
    let name = trimmed.get(..end)?;
    (!name.is_empty()).then_some(name)
}

/// A Python project name normalized as PEP 503 compares them: lower case,
/// runs of `-`, `_` and `.` as one `-`.
pub(crate) fn normalize_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// `pyproject.toml`: the version the project declares, as written.
pub(super) fn read_pyproject_version(
    file: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    let doc = parse_toml(file, text)?;
    Ok(pyproject_version_item(file, &doc)?.and_then(|(_, item)| item.as_str().map(str::to_owned)))
}

/// `pyproject.toml`: sets `[project] version` or `[tool.poetry] version`.
pub(super) fn set_pyproject_version(
    file: &str,
    text: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let doc = parse_toml(file, text)?;
    match pyproject_version_item(file, &doc)? {
        Some((key, item)) => replace_toml_string(file, text, &key, item, new),
        None if doc.get("project").is_some() => insert_toml_version(file, text, &["project"], new),
        None if poetry(&doc).is_some() => insert_toml_version(file, text, &["tool", "poetry"], new),
        None => Err(VersionFileError::NoVersion {
            file: file.to_owned(),
            expected: "`[project] version` or `[tool.poetry] version`".to_owned(),
        }),
    }
}

fn poetry<'d>(doc: &'d Document<&str>) -> Option<&'d Item> {
    doc.get("tool").and_then(|tool| tool.get("poetry"))
}

/// The string item holding a pyproject's own version, and its name.
fn pyproject_version_item<'d>(
    file: &str,
    doc: &'d Document<&str>,
) -> Result<Option<(String, &'d Item)>, VersionFileError> {
    let poetry_version = match poetry(doc) {
        Some(poetry) => {
            table_like(file, poetry, "`[tool.poetry]`")?;
            match poetry.get("version") {
                Some(item) if item.is_str() => Some(("`[tool.poetry] version`".to_owned(), item)),
                Some(_) => return Err(shape(file, "`[tool.poetry] version`", "a string")),
                None => None,
            }
        }
        None => None,
    };
    let Some(project) = doc.get("project") else {
        return Ok(poetry_version);
    };
    table_like(file, project, "`[project]`")?;
    let dynamic = match project.get("dynamic") {
        Some(item) => {
            let Some(array) = item.as_array() else {
                return Err(shape(file, "`[project] dynamic`", "an array of strings"));
            };
            array.iter().any(|v| v.as_str() == Some("version"))
        }
        None => false,
    };
    if dynamic {
        // Poetry 2 reads a dynamic version from `[tool.poetry] version`.
        return match poetry_version {
            Some(found) => Ok(Some(found)),
            None => Err(VersionFileError::Dynamic {
                file: file.to_owned(),
            }),
        };
    }
    match project.get("version") {
        Some(item) if item.is_str() => Ok(Some(("`[project] version`".to_owned(), item))),
        Some(_) => Err(shape(file, "`[project] version`", "a string")),
        None => Ok(poetry_version),
    }
}

pub(super) fn pyproject_dependency_edits(
    file: &str,
    text: &str,
    dep: &str,
    new: &Version,
) -> Result<Edits, VersionFileError> {
    let doc = parse_toml(file, text)?;
    let wanted = normalize_python_name(dep);
    let mut edits = Edits::default();
    let mut arrays: Vec<(String, &Item)> = Vec::new();
    if let Some(project) = doc.get("project") {
        if let Some(item) = project.get("dependencies") {
            arrays.push(("`[project] dependencies`".to_owned(), item));
        }
        if let Some(optional) = project.get("optional-dependencies") {
            let table = table_like(file, optional, "`[project.optional-dependencies]`")?;
            for (group, item) in table.iter() {
                arrays.push((format!("`[project.optional-dependencies] {group}`"), item));
            }
        }
    }
    if let Some(groups) = doc.get("dependency-groups") {
        for (group, item) in table_like(file, groups, "`[dependency-groups]`")?.iter() {
            arrays.push((format!("`[dependency-groups] {group}`"), item));
        }
    }
    for (key, item) in arrays {
        let Some(array) = item.as_array() else {
            return Err(shape(file, &key, "an array of strings"));
        };
        for value in array.iter() {
            // `{ include-group = "…" }` entries are not requirements.
            let Some(requirement) = value.as_str() else {
                continue;
            };
            if let Some(rewritten) = pep508_requirement(requirement, &wanted, new) {
                edits.push_toml(file, text, &key, value.span(), &rewritten)?;
            }
        }
    }
    if let Some(poetry) = poetry(&doc) {
        let mut tables: Vec<(String, &Item)> = Vec::new();
        for section in ["dependencies", "dev-dependencies"] {
            if let Some(item) = poetry.get(section) {
                tables.push((format!("`[tool.poetry.{section}]`"), item));
            }
        }
        if let Some(groups) = poetry.get("group") {
            for (group, item) in table_like(file, groups, "`[tool.poetry.group]`")?.iter() {
                if let Some(item) = item.get("dependencies") {
                    tables.push((format!("`[tool.poetry.group.{group}.dependencies]`"), item));
                }
            }
        }
        for (section, item) in tables {
            for (key, entry) in table_like(file, item, &section)?.iter() {
                if normalize_python_name(key) != wanted {
                    continue;
                }
                let requirement = if entry.is_str() {
                    entry
                } else if let Some(version) = entry.get("version") {
                    version
                } else {
                    continue;
                };
                let Some(old) = requirement.as_str() else {
                    continue;
                };
                let ops = [">=", "~=", "==", "^", "~", "="];
                if let Some(rewritten) = simple_requirement(old, &ops, true, new) {
                    edits.push_toml(file, text, &section, requirement.span(), &rewritten)?;
                }
            }
        }
    }
    Ok(edits)
}

/// A PEP 508 requirement on `wanted` (normalized) moved to `new`, when it is
/// a single `==`, `>=` or `~=` clause; `None` otherwise.
fn pep508_requirement(requirement: &str, wanted: &str, new: &Version) -> Option<String> {
    let name = pep508_name(requirement)?;
    if normalize_python_name(name) != wanted {
        return None;
    }
    let name_end = requirement.find(name)? + name.len();
    let mut at = name_end;
    let rest = requirement.get(at..)?;
    let skipped = rest.len() - rest.trim_start().len();
    at += skipped;
    if requirement.get(at..)?.starts_with('[') {
        at += requirement.get(at..)?.find(']')? + 1;
    }
    let tail = requirement.get(at..)?;
    let spec_end = tail.find(';').unwrap_or(tail.len());
    let spec = tail.get(..spec_end)?;
    if spec.trim_start().starts_with('@') || spec.contains(',') {
        return None;
    }
    let rewritten = simple_requirement(
        spec.trim_end()
            .trim_end_matches(')')
            .trim_start()
            .trim_start_matches('('),
        &["~=", "==", ">="],
        false,
        new,
    )?;
    let inner = spec
        .trim_end()
        .trim_end_matches(')')
        .trim_start()
        .trim_start_matches('(');
    let inner_start = at + spec.find(inner)?;
    let mut out = String::with_capacity(requirement.len() + 8);
    out.push_str(requirement.get(..inner_start)?);
    out.push_str(&rewritten);
    out.push_str(requirement.get(inner_start + inner.len()..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::version_files::test_support::{pair, v};
    use crate::packages::version_files::{Kind, set_dependency, set_version};

    #[test]
    fn dynamic_pyproject_version_is_refused() {
        let text = "[project]\nname = \"lib\"\ndynamic = [\"version\", \"readme\"]\n";
        let err = set_version(&Kind::Pyproject, "pyproject.toml", text, &v("1.0.0")).unwrap_err();
        assert!(matches!(err, VersionFileError::Dynamic { .. }), "{err:?}");
        assert!(err.to_string().contains("`pyproject.toml`"));
        assert!(!err.hints().is_empty());
    }

    #[test]
    fn pep508_requirements_keep_their_operator() {
        let cases = [
            ("core>=1.2", Some("core>=2.0.0")),
            ("core == 1.2.0", Some("core == 2.0.0")),
            ("Core_Lib[extra] ~=1.2 ; python_version >= '3.8'", None),
            (
                "core[extra] ~=1.2 ; python_version >= '3.8'",
                Some("core[extra] ~=2.0.0 ; python_version >= '3.8'"),
            ),
            ("core (>=1.2)", Some("core (>=2.0.0)")),
            ("core>=1.2,<2", None),
            ("core<2", None),
            ("core @ file:///src/core", None),
            ("core", None),
            ("corex>=1.2", None),
        ];
        for (old, expected) in cases {
            assert_eq!(
                pep508_requirement(old, "core", &v("2.0.0")).as_deref(),
                expected,
                "{old}"
            );
        }
        assert_eq!(
            pep508_requirement("Core_Lib[extra]~=1.2", "core-lib", &v("2.0.0")).as_deref(),
            Some("Core_Lib[extra]~=2.0.0")
        );
    }

    #[test]
    fn pyproject_dependencies_are_updated_for_pep621_and_poetry() {
        let template = r#"[project]
name = "app"
dependencies = [
    "core>={V}",  # core
    'requests>=2',
    "core-extra>=1",
]

[project.optional-dependencies]
cli = ["Core[fast] == {V} ; python_version >= '3.9'"]

[dependency-groups]
dev = ["core~={V}", { include-group = "cli" }]

[tool.poetry.dependencies]
python = "^3.10"
core = "^{V}"

[tool.poetry.group.test.dependencies]
core = { version = "~{V}", optional = true }
core_local = { path = "../core", develop = true }
"#;
        let (before, after) = pair(template, "1.2.0", "1.3.0");
        let (out, changed) = set_dependency(
            &Kind::Pyproject,
            "pyproject.toml",
            &before,
            "core",
            &v("1.3.0"),
        )
        .unwrap();
        assert!(changed);
        assert_eq!(out, after);
    }

    #[test]
    fn python_names_normalize() {
        assert_eq!(normalize_python_name("Core__Lib.x"), "core-lib-x");
        assert_eq!(pep508_name("  requests[socks]>=2"), Some("requests"));
        assert_eq!(pep508_name(">=2"), None);
    }
}
