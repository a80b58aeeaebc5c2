//! Cargo: a `Cargo.toml`'s own version (`[package]` or
//! `[workspace.package]`) and its requirements on other packages, and the
//! workspace members' versions in `Cargo.lock`.

use semver::Version;
use toml_edit::{Document, Item, Table};

use super::VersionFileError;
use super::edits::{Edits, shape};
use super::requirements::simple_requirement;
use super::toml_text::{insert_toml_version, parse_toml, replace_toml_string, table_like};

/// `Cargo.toml`: the version the manifest declares, `None` when it inherits
/// it from a root elsewhere.
pub(super) fn read_cargo_toml_version(
    file: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    let doc = parse_toml(file, text)?;
    match cargo_version_item(file, &doc) {
        Ok(found) => Ok(found.and_then(|(_, item)| item.as_str().map(str::to_owned))),
        Err(VersionFileError::Inherited { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// `Cargo.lock`: checked to be TOML; it has no version of its own.
pub(super) fn read_cargo_lock_version(
    file: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    parse_toml(file, text)?;
    Ok(None)
}

/// `Cargo.toml`: sets `[package] version` or `[workspace.package] version`.
pub(super) fn set_cargo_toml_version(
    file: &str,
    text: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let doc = parse_toml(file, text)?;
    match cargo_version_item(file, &doc)? {
        Some((key, item)) => replace_toml_string(file, text, &key, item, new),
        None if doc.get("package").is_some() => insert_toml_version(file, text, &["package"], new),
        None => Err(VersionFileError::NoVersion {
            file: file.to_owned(),
            expected: "`[package] version` or `[workspace.package] version`".to_owned(),
        }),
    }
}

/// `Cargo.lock`: refused, it has no version of its own.
pub(super) fn set_cargo_lock_version(file: &str) -> Result<String, VersionFileError> {
    Err(VersionFileError::Unsupported {
        file: file.to_owned(),
        message: "`Cargo.lock` has no version of its own: it is updated with the versions \
                  of the workspace members"
            .to_owned(),
    })
}

/// `Cargo.lock`: see [`super::update_cargo_lock`].
pub(super) fn update_lock(
    file: &str,
    text: &str,
    members: &[(String, Version)],
) -> Result<String, VersionFileError> {
    let doc = parse_toml(file, text)?;
    let mut edits = Edits::default();
    let mut moved: Vec<(String, String, String)> = Vec::new();
    let packages = lock_packages(&doc);
    for package in &packages {
        if package.get("source").is_some() {
            continue;
        }
        let Some(name) = package.get("name").and_then(Item::as_str) else {
            continue;
        };
        let Some((_, new)) = members.iter().find(|(member, _)| member == name) else {
            continue;
        };
        let Some(version) = package.get("version") else {
            continue;
        };
        let Some(old) = version.as_str() else {
            return Err(shape(file, "a `[[package]]` `version`", "a string"));
        };
        let new = new.to_string();
        edits.push_toml(file, text, "`[[package]] version`", version.span(), &new)?;
        moved.push((name.to_owned(), old.to_owned(), new));
    }
    for package in &packages {
        let Some(dependencies) = package.get("dependencies").and_then(Item::as_array) else {
            continue;
        };
        for dependency in dependencies.iter() {
            let Some(reference) = dependency.as_str() else {
                continue;
            };
            let mut words = reference.split(' ');
            let (Some(name), Some(old), None) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            if let Some((_, _, new)) = moved.iter().find(|(n, o, _)| n == name && o == old) {
                let reference = format!("{name} {new}");
                edits.push_toml(
                    file,
                    text,
                    "a `dependencies` entry",
                    dependency.span(),
                    &reference,
                )?;
            }
        }
    }
    edits.apply(file, text)
}

fn inherits(item: &Item) -> bool {
    item.get("workspace").and_then(Item::as_bool) == Some(true)
}

/// The string item holding a Cargo manifest's own version, and its name.
fn cargo_version_item<'d>(
    file: &str,
    doc: &'d Document<&str>,
) -> Result<Option<(String, &'d Item)>, VersionFileError> {
    let workspace_version = match doc.get("workspace") {
        Some(workspace) => {
            table_like(file, workspace, "`[workspace]`")?;
            match workspace.get("package") {
                Some(package) => {
                    table_like(file, package, "`[workspace.package]`")?;
                    package.get("version")
                }
                None => None,
            }
        }
        None => None,
    };
    let workspace_version = match workspace_version {
        Some(item) if item.is_str() => Some(("`[workspace.package] version`".to_owned(), item)),
        Some(_) => return Err(shape(file, "`[workspace.package] version`", "a string")),
        None => None,
    };
    let Some(package) = doc.get("package") else {
        return Ok(workspace_version);
    };
    table_like(file, package, "`[package]`")?;
    match package.get("version") {
        Some(item) if item.is_str() => Ok(Some(("`[package] version`".to_owned(), item))),
        Some(item) if inherits(item) => match workspace_version {
            Some(found) => Ok(Some(found)),
            // The root itself inherits from a `[workspace.package]` with no version.
            None if doc.get("workspace").is_some() => Err(VersionFileError::NoVersion {
                file: file.to_owned(),
                expected: "`[workspace.package] version`".to_owned(),
            }),
            None => Err(VersionFileError::Inherited {
                file: file.to_owned(),
            }),
        },
        Some(_) => Err(shape(
            file,
            "`[package] version`",
            "a string or `{ workspace = true }`",
        )),
        None => Ok(None),
    }
}

const CARGO_DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

pub(super) fn cargo_dependency_edits(
    file: &str,
    text: &str,
    dep: &str,
    new: &Version,
) -> Result<Edits, VersionFileError> {
    let doc = parse_toml(file, text)?;
    let mut edits = Edits::default();
    let mut tables: Vec<(String, &Item)> = Vec::new();
    for section in CARGO_DEPENDENCY_TABLES {
        if let Some(item) = doc.get(section) {
            tables.push((format!("[{section}]"), item));
        }
    }
    if let Some(target) = doc.get("target") {
        for (cfg, platform) in table_like(file, target, "`[target]`")?.iter() {
            for section in CARGO_DEPENDENCY_TABLES {
                if let Some(item) = platform.get(section) {
                    tables.push((format!("[target.'{cfg}'.{section}]"), item));
                }
            }
        }
    }
    if let Some(item) = doc.get("workspace").and_then(|w| w.get("dependencies")) {
        tables.push(("[workspace.dependencies]".to_owned(), item));
    }
    for (section, item) in tables {
        let table = table_like(file, item, &format!("`{section}`"))?;
        for (key, entry) in table.iter() {
            let name = entry.get("package").and_then(Item::as_str).unwrap_or(key);
            if name != dep {
                continue;
            }
            let requirement = if entry.is_str() {
                entry
            } else if let Some(version) = entry.get("version") {
                version
            } else {
                continue; // inherited (`workspace = true`) or `path` only
            };
            let Some(old) = requirement.as_str() else {
                return Err(shape(
                    file,
                    &format!("the `{key}` requirement in `{section}`"),
                    "a string",
                ));
            };
            match cargo_requirement(old, new) {
                Ok(Some(rewritten)) => {
                    let what = format!("the `{key}` requirement");
                    edits.push_toml(file, text, &what, requirement.span(), &rewritten)?;
                }
                Ok(None) => {}
                Err(()) => {
                    return Err(VersionFileError::Requirement {
                        file: file.to_owned(),
                        dependency: dep.to_owned(),
                        requirement: old.to_owned(),
                        version: new.to_string(),
                    });
                }
            }
        }
    }
    Ok(edits)
}

/// A Cargo requirement moved to `new`: `Ok(None)` when it stays (a compound
/// requirement `new` still meets), `Err` when it cannot be moved.
fn cargo_requirement(old: &str, new: &Version) -> Result<Option<String>, ()> {
    if let Some(rewritten) = simple_requirement(old, &[">=", "^", "~", "="], true, new) {
        return Ok(Some(rewritten));
    }
    match semver::VersionReq::parse(old) {
        Ok(req) if req.matches(new) => Ok(None),
        _ => Err(()),
    }
}

fn lock_packages<'d>(doc: &'d Document<&str>) -> Vec<&'d Table> {
    match doc.get("package").and_then(Item::as_array_of_tables) {
        Some(packages) => packages.iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::version_files::test_support::{CARGO_DEPENDENTS, v};
    use crate::packages::version_files::{
        Kind, read_version, set_dependency, set_version, update_cargo_lock,
    };

    #[test]
    fn inherited_member_version_is_refused_with_a_hint() {
        for member in [
            "[package]\nname = \"core\"\nversion.workspace = true\n",
            "[package]\nname = \"core\"\nversion = { workspace = true }\n",
        ] {
            let err = set_version(
                &Kind::CargoToml,
                "crates/core/Cargo.toml",
                member,
                &v("1.0.0"),
            )
            .unwrap_err();
            assert!(matches!(err, VersionFileError::Inherited { .. }), "{err:?}");
            assert!(err.to_string().contains("`crates/core/Cargo.toml`"));
            assert!(err.hints()[0].contains("[workspace.package] version"));
            assert_eq!(read_version(&Kind::CargoToml, "f", member), Ok(None));
        }
    }

    #[test]
    fn cargo_requirements_keep_their_operator() {
        let cases = [
            ("1.2", Some("2.0.0")),
            ("^1.2.0", Some("^2.0.0")),
            ("~1.2", Some("~2.0.0")),
            ("=1.2.3", Some("=2.0.0")),
            (">=1.2", Some(">=2.0.0")),
            ("2.0.0", None),
            (">=1.0, <3", None),
            ("*", None),
        ];
        for (old, expected) in cases {
            assert_eq!(
                cargo_requirement(old, &v("2.0.0")),
                Ok(expected.map(str::to_owned)),
                "{old}"
            );
        }
        assert_eq!(cargo_requirement(">=1.0, <2", &v("2.0.0")), Err(()));
        assert_eq!(cargo_requirement("1.*", &v("2.0.0")), Err(()));
    }

    #[test]
    fn cargo_dependencies_are_updated_everywhere_in_place() {
        let fill = |caret: &str, tilde: &str, exact: &str, bare: &str, ge: &str| {
            CARGO_DEPENDENTS
                .replace("{caret}", caret)
                .replace("{tilde}", tilde)
                .replace("{exact}", exact)
                .replace("{bare}", bare)
                .replace("{ge}", ge)
        };
        let before = fill("^0.3", "~0.3.1", "=0.3.1", "0.3", ">=0.3");
        let after = fill("^0.4.0", "~0.4.0", "=0.4.0", "0.4.0", ">=0.4.0");
        let (out, changed) =
            set_dependency(&Kind::CargoToml, "Cargo.toml", &before, "core", &v("0.4.0")).unwrap();
        assert!(changed);
        assert_eq!(out, after);
        let (out, changed) =
            set_dependency(&Kind::CargoToml, "Cargo.toml", &after, "core", &v("0.4.0")).unwrap();
        assert!(!changed);
        assert_eq!(out, after);
        let (_, changed) = set_dependency(
            &Kind::CargoToml,
            "Cargo.toml",
            &before,
            "absent",
            &v("0.4.0"),
        )
        .unwrap();
        assert!(!changed);
        let compound = "[dependencies]\ncore = \">=0.3, <0.4\"\n";
        let err = set_dependency(
            &Kind::CargoToml,
            "Cargo.toml",
            compound,
            "core",
            &v("0.4.0"),
        )
        .unwrap_err();
        assert!(
            matches!(err, VersionFileError::Requirement { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("`>=0.3, <0.4`"));
    }

    #[test]
    fn cargo_lock_updates_workspace_members_only() {
        let template = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "{app}"
dependencies = [
 "core {core}",
 "core 0.1.0",
 "serde",
]

[[package]]
name = "core"
version = "{core}"

[[package]]
name = "core"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000"

[[package]]
name = "serde"
version = "0.3.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        let fill = |app: &str, core: &str| template.replace("{app}", app).replace("{core}", core);
        let before = fill("1.0.0", "0.3.1");
        let after = fill("1.0.1", "0.4.0");
        let members = [
            ("app".to_owned(), v("1.0.1")),
            ("core".to_owned(), v("0.4.0")),
        ];
        assert_eq!(
            update_cargo_lock("Cargo.lock", &before, &members).unwrap(),
            after
        );
        assert_eq!(
            update_cargo_lock("Cargo.lock", &before, &[]).unwrap(),
            before
        );
    }
}
