//! Version files: reads and rewrites the version in manifests and lockfiles
//! (`Cargo.toml`, `Cargo.lock`, `package.json`, `package-lock.json`,
//! `pyproject.toml`, or any file through a pattern). Text in, text out: only
//! the bytes of the values that move change, so comments, spacing, quoting
//! and key order survive. The caller reads and writes the files.
//!
//! In: a file's text, its [`Kind`] (from [`kind_for`]) and a version, or the
//! workspace members' new versions for a lockfile. Out: the edited text, the
//! same byte for byte outside the rewritten values, or a [`VersionFileError`]
//! naming the file. This module owns the kinds, the errors and the public
//! entry points, which dispatch to one file per format:
//!
//! - `cargo`: `Cargo.toml` and `Cargo.lock`;
//! - `npm`: `package.json` and `package-lock.json`, read with `json`, a
//!   JSON reader that keeps each value's byte range;
//! - `python`: `pyproject.toml` (PEP 621 and Poetry) and PEP 508 names;
//! - `regex_pattern`: any file, through a configured pattern;
//!
//! with the shared pieces in `edits` (byte-range replacements),
//! `toml_text` (TOML parsing and quoting) and `requirements` (one operator
//! and a plain version, as every ecosystem writes them).

mod cargo;
mod edits;
mod json;
mod npm;
mod python;
mod regex_pattern;
mod requirements;
#[cfg(test)]
mod test_support;
mod toml_text;

use std::path::Path;

use semver::Version;

use edits::Edits;

pub(crate) use python::{normalize_python_name, pep508_name};

/// What a version file is, and so how its version is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A Cargo manifest: `[package] version` or `[workspace.package] version`.
    CargoToml,
    /// `Cargo.lock`: the versions of the workspace members.
    CargoLock,
    /// An npm manifest: the top-level `"version"`.
    PackageJson,
    /// `package-lock.json` (or `npm-shrinkwrap.json`), lockfile versions 1 to 3.
    PackageLock,
    /// A Python project: PEP 621 `[project] version` or Poetry's
    /// `[tool.poetry] version`.
    Pyproject,
    /// Any text file: a regular expression (multi-line mode) in which
    /// `{version}` stands for the version, as in `^VERSION = "{version}"$`.
    Regex(String),
}

/// Why a version file cannot be read or rewritten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionFileError {
    /// The file is not valid TOML.
    #[error("cannot parse `{file}` as TOML: {message}")]
    Toml {
        /// The file.
        file: String,
        /// What the parser expected, and where.
        message: String,
    },
    /// The file is not valid JSON.
    #[error("cannot parse `{file}` as JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// What the parser expected, and where.
        message: String,
    },
    /// A key holds the wrong kind of value.
    #[error("`{file}`: expected {key} to be {expected}")]
    Shape {
        /// The file.
        file: String,
        /// The key, as in `` `[package] version` ``.
        key: String,
        /// What it should be, as in "a string".
        expected: String,
    },
    /// The file declares no version where one was expected.
    #[error("`{file}` has no version: expected {expected}")]
    NoVersion {
        /// The file.
        file: String,
        /// Where the version was looked for.
        expected: String,
    },
    /// A workspace member whose version is `version.workspace = true`.
    #[error(
        "`{file}` inherits its version from the workspace (`version.workspace = true`): \
         expected the workspace root's `Cargo.toml`"
    )]
    Inherited {
        /// The member's manifest.
        file: String,
    },
    /// A Python project whose version the build backend computes.
    #[error(
        "`{file}` lists `version` in `[project] dynamic`: expected a static `[project] version`"
    )]
    Dynamic {
        /// The file.
        file: String,
    },
    /// A version pattern that cannot be used.
    #[error("invalid version pattern `{pattern}`: {message}")]
    Pattern {
        /// The pattern as configured.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A version pattern that matches nothing in the file.
    #[error("the version pattern `{pattern}` matches nothing in `{file}`")]
    NoMatch {
        /// The file.
        file: String,
        /// The pattern as configured.
        pattern: String,
    },
    /// A dependency requirement that cannot be moved to the new version.
    #[error(
        "cannot update the requirement `{requirement}` on `{dependency}` in `{file}` to \
         `{version}`: expected a single requirement such as `^1.2`"
    )]
    Requirement {
        /// The file.
        file: String,
        /// The dependency.
        dependency: String,
        /// The requirement as written.
        requirement: String,
        /// The new version of the dependency.
        version: String,
    },
    /// An operation that does not apply to this kind of file.
    #[error("`{file}`: {message}")]
    Unsupported {
        /// The file.
        file: String,
        /// What cannot be done, and what to do instead.
        message: String,
    },
}

impl VersionFileError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            VersionFileError::Toml { file, .. } | VersionFileError::Json { file, .. } => {
                vec![format!(
                    "fix the syntax of `{file}`, or remove it from `version-files` in `.release.toml`"
                )]
            }
            VersionFileError::Shape { file, .. } => vec![format!(
                "fix `{file}` by hand, or remove it from `version-files` in `.release.toml`"
            )],
            VersionFileError::NoVersion { file, .. } => vec![format!(
                "add a version to `{file}`, or remove it from `version-files` in `.release.toml`"
            )],
            VersionFileError::Inherited { file } => vec![
                format!(
                    "list the workspace root `Cargo.toml` (its `[workspace.package] version`) in \
                     `version-files` instead of `{file}`"
                ),
                "or give the package its own `version = \"…\"` in `[package]`".to_owned(),
            ],
            VersionFileError::Dynamic { file } => vec![
                "the build backend computes the version (for example from the tag)".to_owned(),
                format!(
                    "remove `{file}` from `version-files`, or list the file the backend reads \
                     the version from with a pattern"
                ),
            ],
            VersionFileError::Pattern { .. } => vec![
                "put `{version}` exactly once in a valid regular expression, as in \
                 `^VERSION = \"{version}\"$`"
                    .to_owned(),
            ],
            VersionFileError::NoMatch { file, .. } => vec![format!(
                "check the pattern against `{file}`: `{{version}}` matches a version such as \
                     `1.2.3`, and `^` and `$` match at the start and end of each line"
            )],
            VersionFileError::Requirement { file, .. } => vec![format!(
                "change the requirement in `{file}` to a single one such as `^1.2`, or update \
                 it by hand before releasing"
            )],
            VersionFileError::Unsupported { .. } => Vec::new(),
        }
    }
}

/// The kind of version file at `path`, by its file name; a configured
/// `pattern` wins. `None` when the name is not a known manifest and there is
/// no pattern.
pub fn kind_for(path: &Path, pattern: Option<&str>) -> Option<Kind> {
    if let Some(pattern) = pattern {
        return Some(Kind::Regex(pattern.to_owned()));
    }
    match path.file_name()?.to_str()? {
        "Cargo.toml" => Some(Kind::CargoToml),
        "Cargo.lock" => Some(Kind::CargoLock),
        "package.json" => Some(Kind::PackageJson),
        "package-lock.json" | "npm-shrinkwrap.json" => Some(Kind::PackageLock),
        "pyproject.toml" => Some(Kind::Pyproject),
        _ => None,
    }
}

/// Checks a version pattern before any file is read: `{version}` exactly
/// once, and a valid regular expression around it.
pub fn check_pattern(pattern: &str) -> Result<(), VersionFileError> {
    regex_pattern::compile_pattern(pattern).map(|_| ())
}

/// The version the file declares for its own package, as written (a
/// pyproject's version may be PEP 440 rather than semver). `None` when it
/// declares none: no version key, an inherited Cargo version whose root is
/// elsewhere, a dynamic Python version, or `Cargo.lock`.
pub fn read_version(
    kind: &Kind,
    file: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    match kind {
        Kind::CargoToml => cargo::read_cargo_toml_version(file, text),
        Kind::CargoLock => cargo::read_cargo_lock_version(file, text),
        Kind::Pyproject => python::read_pyproject_version(file, text),
        Kind::PackageJson | Kind::PackageLock => npm::read_json_version(file, text),
        Kind::Regex(pattern) => regex_pattern::read_regex_version(pattern, text),
    }
}

/// Sets the package's own version. `file` names the file in errors.
///
/// - `Cargo.toml`: `[package] version`; for a workspace root, `[workspace.package]
///   version` (also when the root package inherits it). A member that
///   inherits its version is refused: the root holds it.
/// - `package.json`: the top-level `"version"` (added after `"name"` when
///   missing); `package-lock.json`: the root package's version.
/// - `pyproject.toml`: `[project] version`, or Poetry's `[tool.poetry]
///   version`; a version listed in `[project] dynamic` is refused unless
///   Poetry holds it.
/// - a pattern: every match; no match is an error.
pub fn set_version(
    kind: &Kind,
    file: &str,
    text: &str,
    new: &Version,
) -> Result<String, VersionFileError> {
    let new = new.to_string();
    match kind {
        Kind::CargoToml => cargo::set_cargo_toml_version(file, text, &new),
        Kind::Pyproject => python::set_pyproject_version(file, text, &new),
        Kind::PackageJson => npm::set_package_json_version(file, text, &new),
        Kind::PackageLock => npm::set_package_lock_version(file, text, &new),
        Kind::CargoLock => cargo::set_cargo_lock_version(file),
        Kind::Regex(pattern) => regex_pattern::set_regex_version(file, text, pattern, &new),
    }
}

/// Moves this file's requirements on the package `dep_name` to `new`, keeping
/// each requirement's operator (`^1.2` → `^2.0.0`, `~1.2`, `=1.2.3`, `>=1.2`,
/// bare `1.2` → `2.0.0`). Returns the new text and whether anything changed.
///
/// - `Cargo.toml`: `[dependencies]`, `[dev-dependencies]`,
///   `[build-dependencies]`, their `[target.'…']` forms and
///   `[workspace.dependencies]`, by key or by `package = "…"` when renamed.
///   Inherited (`workspace = true`) and version-less (`path` only) entries are
///   left alone; a compound requirement the new version no longer meets is an
///   error.
/// - `package.json`: `dependencies`, `devDependencies`, `peerDependencies`,
///   `optionalDependencies`; `workspace:^1.2.0` keeps its protocol, and
///   `workspace:*`, `file:`, ranges, tags and URLs are left alone.
/// - `pyproject.toml`: PEP 508 strings in `[project] dependencies`,
///   `[project.optional-dependencies]` and `[dependency-groups]` (`==`, `>=`,
///   `~=`), and Poetry's `[tool.poetry.dependencies]`,
///   `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.*.dependencies]`.
/// - lockfiles and patterns: nothing to do.
pub fn set_dependency(
    kind: &Kind,
    file: &str,
    text: &str,
    dep_name: &str,
    new: &Version,
) -> Result<(String, bool), VersionFileError> {
    let edits = match kind {
        Kind::CargoToml => cargo::cargo_dependency_edits(file, text, dep_name, new)?,
        Kind::PackageJson => npm::package_json_dependency_edits(file, text, dep_name, new)?,
        Kind::Pyproject => python::pyproject_dependency_edits(file, text, dep_name, new)?,
        Kind::CargoLock | Kind::PackageLock | Kind::Regex(_) => Edits::default(),
    };
    let out = edits.apply(file, text)?;
    let changed = out != text;
    Ok((out, changed))
}

/// The manifest without its development-only dependency tables (Cargo
/// `[dev-dependencies]`, also per target; npm `devDependencies`; Poetry's
/// dev groups and PEP 735 `[dependency-groups]`), to tell whether a package
/// depends on another to run — which is what makes a dependency's release
/// one of its own. `None` when the text does not parse.
pub fn without_dev_dependencies(kind: &Kind, text: &str) -> Option<String> {
    match kind {
        Kind::CargoToml | Kind::Pyproject => {
            let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
            for key in ["dev-dependencies", "dev_dependencies", "dependency-groups"] {
                doc.remove(key);
            }
            if let Some(targets) = doc.get_mut("target").and_then(|t| t.as_table_like_mut()) {
                for (_, platform) in targets.iter_mut() {
                    if let Some(platform) = platform.as_table_like_mut() {
                        platform.remove("dev-dependencies");
                        platform.remove("dev_dependencies");
                    }
                }
            }
            if let Some(poetry) = doc
                .get_mut("tool")
                .and_then(|t| t.get_mut("poetry"))
                .and_then(|p| p.as_table_like_mut())
            {
                poetry.remove("dev-dependencies");
                poetry.remove("group");
            }
            Some(doc.to_string())
        }
        Kind::PackageJson => {
            let mut value: serde_json::Value =
                serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
            value.as_object_mut()?.remove("devDependencies");
            serde_json::to_string_pretty(&value).ok()
        }
        Kind::CargoLock | Kind::PackageLock | Kind::Regex(_) => Some(text.to_owned()),
    }
}

/// Sets the `version` of each `[[package]]` in `Cargo.lock` named in
/// `members` and without a `source` (that is, a workspace member), and the
/// `"name old-version"` references to it in `dependencies` lists. `file`
/// names the file in errors.
pub fn update_cargo_lock(
    file: &str,
    text: &str,
    members: &[(String, Version)],
) -> Result<String, VersionFileError> {
    cargo::update_lock(file, text, members)
}

/// Updates `package-lock.json` for workspace members `(name, path, version)`,
/// `path` relative to the lockfile's directory (`""` or `"."` for the root):
/// the root's top-level `"version"` and `packages[""].version` when the root
/// is a member, `packages["<path>"].version` (lockfile versions 2 and 3),
/// `dependencies["<name>"].version` (versions 1 and 2) where it names a
/// version rather than a `file:` link, and the members' requirements on each
/// other inside `packages`, as [`set_dependency`] rewrites them in
/// `package.json`. Everything else is kept byte for byte.
pub fn update_package_lock(
    file: &str,
    text: &str,
    members: &[(String, String, Version)],
) -> Result<String, VersionFileError> {
    npm::update_lock(file, text, members)
}

#[cfg(test)]
mod tests {
    use super::test_support::{CARGO_DEPENDENTS, pair, v};
    use super::*;

    const CARGO_PACKAGE: &str = r#"# The core crate.
[package]
name    =   "core"   # its name
version='{V}'      # moved by git-release
edition = "2024"
description = "version = \"0.3.1\" in a string stays"

[dependencies]
serde = { version = "1", features = ["derive"] }  # 0.3.1
"#;

    const CARGO_VIRTUAL_ROOT: &str = r#"[workspace]
members = ["crates/*"]
exclude = ["fuzz"]

[workspace.package]
version   = "{V}" # shared by every member
edition = "2024"
"#;

    const CARGO_ROOT_AND_PACKAGE: &str = r#"[package]
name = "tool"
version.workspace = true

[workspace]
members = [".", "crates/*"]

[workspace.package]
version = "{V}"
"#;

    const PACKAGE_JSON_2: &str = "{\n  \"name\": \"web\",\n  \"private\": false,\n  \"version\": \"{V}\",\n  \"config\": { \"version\": \"9.9.9\" },\n  \"dependencies\": {\n    \"left-pad\": \"^1.3.0\"\n  }\n}\n";
    const PACKAGE_JSON_4: &str = "{\n    \"version\" :  \"{V}\",\n    \"name\": \"web\"\n}";
    const PACKAGE_JSON_TABS: &str = "{\r\n\t\"name\": \"web\",\r\n\t\"scripts\": {\"x\": \"echo \\\"\\u00e9\\\"\"},\r\n\t\"version\": \"{V}\"\r\n}\r\n";

    const PACKAGE_LOCK_ROOT: &str = "{\n  \"name\": \"web\",\n  \"version\": \"{V}\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"web\",\n      \"version\": \"{V}\"\n    },\n    \"node_modules/x\": {\n      \"version\": \"1.2.3\"\n    }\n  }\n}\n";

    const PYPROJECT_PEP621: &str = r#"[build-system]
requires = ["hatchling"]

[project]
name = "lib"
# the version is bumped by git-release
version = "{V}"
dependencies = ["requests>=2"]
"#;

    const PYPROJECT_POETRY: &str = r#"[tool.poetry]
name = "app"
version = '{V}'
authors = ["A <a@example.com>"]

[tool.poetry.dependencies]
python = "^3.10"
"#;

    const PYPROJECT_POETRY_DYNAMIC: &str = r#"[project]
name = "app"
dynamic = ["version"]

[tool.poetry]
version = "{V}"
"#;

    const REGEX_FILE: &str = "VERSION = \"{V}\"\nOTHER = \"0.1.0\"\n  VERSION = \"0.1.0\" (indented, no match)\nVERSION = \"{V}\"\n";

    #[test]
    fn dev_dependencies_are_left_out_of_what_a_package_needs() {
        let cargo = "[package]\nname = \"a\"\n[dependencies]\ncore = \"1\"\n[dev-dependencies]\ntesting = \"1\"\n[target.'cfg(unix)'.dev-dependencies]\nunix-testing = \"1\"\n";
        let out = without_dev_dependencies(&Kind::CargoToml, cargo).unwrap();
        assert!(out.contains("core") && !out.contains("testing"), "{out}");
        let npm = "\u{feff}{\"name\": \"a\", \"dependencies\": {\"core\": \"1\"}, \"devDependencies\": {\"testing\": \"1\"}}";
        let out = without_dev_dependencies(&Kind::PackageJson, npm).unwrap();
        assert!(out.contains("core") && !out.contains("testing"), "{out}");
        let poetry = "[tool.poetry.dependencies]\ncore = \"1\"\n[tool.poetry.group.dev.dependencies]\ntesting = \"1\"\n";
        let out = without_dev_dependencies(&Kind::Pyproject, poetry).unwrap();
        assert!(out.contains("core") && !out.contains("testing"), "{out}");
        assert!(without_dev_dependencies(&Kind::CargoToml, "not [toml").is_none());
    }

    #[test]
    fn set_version_changes_only_the_version_bytes() {
        let regex = Kind::Regex(r#"^VERSION = "{version}"$"#.to_owned());
        let cases: &[(&str, Kind, &str)] = &[
            ("cargo package", Kind::CargoToml, CARGO_PACKAGE),
            ("cargo virtual root", Kind::CargoToml, CARGO_VIRTUAL_ROOT),
            (
                "cargo root inheriting",
                Kind::CargoToml,
                CARGO_ROOT_AND_PACKAGE,
            ),
            ("package.json 2 spaces", Kind::PackageJson, PACKAGE_JSON_2),
            ("package.json 4 spaces", Kind::PackageJson, PACKAGE_JSON_4),
            (
                "package.json tabs crlf",
                Kind::PackageJson,
                PACKAGE_JSON_TABS,
            ),
            ("package-lock root", Kind::PackageLock, PACKAGE_LOCK_ROOT),
            ("pep 621", Kind::Pyproject, PYPROJECT_PEP621),
            ("poetry", Kind::Pyproject, PYPROJECT_POETRY),
            (
                "poetry 2 dynamic",
                Kind::Pyproject,
                PYPROJECT_POETRY_DYNAMIC,
            ),
            ("regex", regex, REGEX_FILE),
        ];
        for (name, kind, template) in cases {
            let (before, after) = pair(template, "0.3.1", "1.0.0-rc.1");
            let out = set_version(kind, "f", &before, &v("1.0.0-rc.1"))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(out, after, "{name}");
            let read = read_version(kind, "f", &before).unwrap();
            assert_eq!(read.as_deref(), Some("0.3.1"), "{name}");
        }
    }

    #[test]
    fn missing_versions_are_added_in_the_file_style() {
        let cargo = "[package]\nname = \"core\" # name\n\n[dependencies]\n";
        let out = set_version(&Kind::CargoToml, "Cargo.toml", cargo, &v("0.1.0")).unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"core\" # name\nversion = \"0.1.0\"\n\n[dependencies]\n"
        );
        let json = "{\n    \"name\": \"web\",\n    \"private\": true\n}\n";
        let out = set_version(&Kind::PackageJson, "package.json", json, &v("0.1.0")).unwrap();
        assert_eq!(
            out,
            "{\n    \"name\": \"web\",\n    \"version\": \"0.1.0\",\n    \"private\": true\n}\n"
        );
        let compact = r#"{"name":"web"}"#;
        let out = set_version(&Kind::PackageJson, "package.json", compact, &v("0.1.0")).unwrap();
        assert_eq!(out, r#"{"name":"web", "version":"0.1.0"}"#);
        assert_eq!(read_version(&Kind::CargoToml, "f", cargo).unwrap(), None);
    }

    #[test]
    fn kinds_come_from_file_names_and_patterns_win() {
        let cases = [
            ("Cargo.toml", None, Some(Kind::CargoToml)),
            ("crates/a/Cargo.toml", None, Some(Kind::CargoToml)),
            ("Cargo.lock", None, Some(Kind::CargoLock)),
            ("web/package.json", None, Some(Kind::PackageJson)),
            ("package-lock.json", None, Some(Kind::PackageLock)),
            ("npm-shrinkwrap.json", None, Some(Kind::PackageLock)),
            ("pyproject.toml", None, Some(Kind::Pyproject)),
            ("VERSION", None, None),
            (
                "Cargo.toml",
                Some("v{version}"),
                Some(Kind::Regex("v{version}".to_owned())),
            ),
        ];
        for (path, pattern, expected) in cases {
            assert_eq!(kind_for(Path::new(path), pattern), expected, "{path}");
        }
    }

    #[test]
    fn malformed_input_is_an_error_naming_the_file() {
        let toml_inputs = [
            "[package",
            "package = 3",
            "[package]\nversion = 3",
            "[workspace]\npackage = 1",
            "a = \"\\x\"",
            "[[package]]\nname = \"x\"\n[package]\n",
        ];
        for text in toml_inputs {
            for kind in [Kind::CargoToml, Kind::Pyproject] {
                if let Err(err) = set_version(&kind, "bad.toml", text, &v("1.0.0")) {
                    assert!(err.to_string().contains("`bad.toml`"), "{err}");
                    assert!(!err.hints().is_empty());
                }
            }
        }
        let err = set_version(&Kind::CargoToml, "bad.toml", "[package", &v("1.0.0")).unwrap_err();
        assert!(matches!(err, VersionFileError::Toml { .. }), "{err:?}");
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = update_cargo_lock("Cargo.lock", "[[package]\n", &[]).unwrap_err();
        assert!(matches!(err, VersionFileError::Toml { .. }), "{err:?}");
        let json_inputs = [
            "",
            "{",
            "[]",
            "\"x\"",
            "{\"version\": 3}",
            "{\"name\": \"a\",}",
            "\u{0}",
        ];
        for text in json_inputs {
            let err = set_version(&Kind::PackageJson, "bad.json", text, &v("1.0.0")).unwrap_err();
            assert!(err.to_string().contains("`bad.json`"), "{text:?}: {err}");
            assert!(
                update_package_lock("bad.json", text, &[]).is_err() || text == "{\"version\": 3}"
            );
        }
        let deep = "[".repeat(10_000);
        assert!(set_version(&Kind::PackageJson, "deep.json", &deep, &v("1.0.0")).is_err());
        assert!(
            set_version(
                &Kind::CargoToml,
                "deep.toml",
                &format!("a = {deep}"),
                &v("1.0.0")
            )
            .is_err()
        );
    }

    #[test]
    fn truncated_files_never_panic() {
        let samples = [
            (Kind::CargoToml, CARGO_DEPENDENTS),
            (Kind::PackageJson, PACKAGE_JSON_TABS),
            (Kind::PackageLock, PACKAGE_LOCK_ROOT),
            (Kind::Pyproject, PYPROJECT_POETRY_DYNAMIC),
        ];
        for (kind, text) in samples {
            for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let cut = &text[..end];
                let _ = set_version(&kind, "f", cut, &v("1.0.0"));
                let _ = read_version(&kind, "f", cut);
                let _ = set_dependency(&kind, "f", cut, "core", &v("1.0.0"));
                let _ =
                    update_package_lock("f", cut, &[("web".to_owned(), String::new(), v("1.0.0"))]);
                let _ = update_cargo_lock("f", cut, &[("core".to_owned(), v("1.0.0"))]);
            }
        }
    }
}
