//! Version files: reads and rewrites the version in manifests and lockfiles
//! (`Cargo.toml`, `Cargo.lock`, `package.json`, `package-lock.json`,
//! `pyproject.toml`, or any file through a pattern). Text in, text out: only
//! the bytes of the values that move change, so comments, spacing, quoting
//! and key order survive. The caller reads and writes the files.

use std::ops::Range;
use std::path::Path;

use semver::Version;
use toml_edit::{Document, Item, Table, TableLike};

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
    compile_pattern(pattern).map(|_| ())
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
        Kind::CargoToml => {
            let doc = parse_toml(file, text)?;
            match cargo_version_item(file, &doc) {
                Ok(found) => Ok(found.and_then(|(_, item)| item.as_str().map(str::to_owned))),
                Err(VersionFileError::Inherited { .. }) => Ok(None),
                Err(err) => Err(err),
            }
        }
        Kind::CargoLock => {
            parse_toml(file, text)?;
            Ok(None)
        }
        Kind::Pyproject => {
            let doc = parse_toml(file, text)?;
            Ok(pyproject_version_item(file, &doc)?
                .and_then(|(_, item)| item.as_str().map(str::to_owned)))
        }
        Kind::PackageJson | Kind::PackageLock => {
            let root = parse_json(file, text)?;
            Ok(root
                .get("version")
                .and_then(json::Spanned::as_str)
                .map(str::to_owned))
        }
        Kind::Regex(pattern) => {
            let re = compile_pattern(pattern)?;
            Ok(re
                .captures(text)
                .and_then(|c| c.name("version"))
                .map(|m| m.as_str().to_owned()))
        }
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
        Kind::CargoToml => {
            let doc = parse_toml(file, text)?;
            match cargo_version_item(file, &doc)? {
                Some((key, item)) => replace_toml_string(file, text, &key, item, &new),
                None if doc.get("package").is_some() => {
                    insert_toml_version(file, text, &["package"], &new)
                }
                None => Err(VersionFileError::NoVersion {
                    file: file.to_owned(),
                    expected: "`[package] version` or `[workspace.package] version`".to_owned(),
                }),
            }
        }
        Kind::Pyproject => {
            let doc = parse_toml(file, text)?;
            match pyproject_version_item(file, &doc)? {
                Some((key, item)) => replace_toml_string(file, text, &key, item, &new),
                None if doc.get("project").is_some() => {
                    insert_toml_version(file, text, &["project"], &new)
                }
                None if poetry(&doc).is_some() => {
                    insert_toml_version(file, text, &["tool", "poetry"], &new)
                }
                None => Err(VersionFileError::NoVersion {
                    file: file.to_owned(),
                    expected: "`[project] version` or `[tool.poetry] version`".to_owned(),
                }),
            }
        }
        Kind::PackageJson => set_package_json_version(file, text, &new),
        Kind::PackageLock => {
            let root = parse_json(file, text)?;
            let mut edits = Edits::default();
            package_lock_root_edits(&root, &new, &mut edits);
            if edits.is_empty() {
                return Err(VersionFileError::NoVersion {
                    file: file.to_owned(),
                    expected: "a top-level `\"version\"` or `packages[\"\"].version`".to_owned(),
                });
            }
            edits.apply(file, text)
        }
        Kind::CargoLock => Err(VersionFileError::Unsupported {
            file: file.to_owned(),
            message: "`Cargo.lock` has no version of its own: it is updated with the versions \
                      of the workspace members"
                .to_owned(),
        }),
        Kind::Regex(pattern) => set_regex_version(file, text, pattern, &new),
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
        Kind::CargoToml => cargo_dependency_edits(file, text, dep_name, new)?,
        Kind::PackageJson => {
            let root = parse_json(file, text)?;
            let mut edits = Edits::default();
            npm_dependency_edits(&root, &[(dep_name, new)], &mut edits);
            edits
        }
        Kind::Pyproject => pyproject_dependency_edits(file, text, dep_name, new)?,
        Kind::CargoLock | Kind::PackageLock | Kind::Regex(_) => Edits::default(),
    };
    let out = edits.apply(file, text)?;
    let changed = out != text;
    Ok((out, changed))
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
    let root = parse_json(file, text)?;
    if !matches!(root.node, json::Node::Object(_)) {
        return Err(shape(file, "the top level", "an object"));
    }
    let mut edits = Edits::default();
    let members: Vec<(&str, String, &Version)> = members
        .iter()
        .map(|(name, path, version)| (name.as_str(), normalize_lock_path(path), version))
        .collect();
    let requirements: Vec<(&str, &Version)> = members
        .iter()
        .map(|(name, _, version)| (*name, *version))
        .collect();
    let packages = root.get("packages");
    for (name, path, version) in &members {
        let version_text = version.to_string();
        if path.is_empty() {
            package_lock_root_edits(&root, &version_text, &mut edits);
        } else if let Some(entry) = packages.and_then(|p| p.get(path)) {
            if let Some(value) = entry.get("version").filter(|v| v.as_str().is_some()) {
                edits.push_json(value.span.clone(), &version_text);
            }
        }
        if let Some(entry) = root.get("dependencies").and_then(|d| d.get(name)) {
            let linked = entry.get("resolved").is_none() && entry.get("link").is_none();
            if let Some(value) = entry.get("version") {
                if linked && value.as_str().is_some_and(|v| Version::parse(v).is_ok()) {
                    edits.push_json(value.span.clone(), &version_text);
                }
            }
            if let Some(requires) = entry.get("requires") {
                npm_requirement_edits(requires, &requirements, &mut edits);
            }
        }
    }
    if let Some(packages) = packages {
        let mut paths: Vec<&str> = members.iter().map(|(_, path, _)| path.as_str()).collect();
        paths.push("");
        paths.sort_unstable();
        paths.dedup();
        for path in paths {
            if let Some(entry) = packages.get(path) {
                npm_dependency_edits(entry, &requirements, &mut edits);
            }
        }
    }
    edits.apply(file, text)
}

// ---------------------------------------------------------------------------
// Python names, shared with `detect`.

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

// ---------------------------------------------------------------------------
// Edits: byte ranges of the original text and what replaces them.

#[derive(Debug, Default)]
struct Edits {
    list: Vec<(Range<usize>, String)>,
}

impl Edits {
    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn push(&mut self, range: Range<usize>, replacement: String) {
        self.list.push((range, replacement));
    }

    /// Replaces a JSON string value with `value`.
    fn push_json(&mut self, range: Range<usize>, value: &str) {
        self.push(range, json_string(value));
    }

    /// Replaces a TOML string value with `value`, in the same quoting style.
    fn push_toml(
        &mut self,
        file: &str,
        text: &str,
        key: &str,
        span: Option<Range<usize>>,
        value: &str,
    ) -> Result<(), VersionFileError> {
        let raw = span.clone().and_then(|span| text.get(span));
        let (Some(span), Some(raw)) = (span, raw) else {
            return Err(unlocated(file, key));
        };
        self.push(span, toml_string(raw, value));
        Ok(())
    }

    fn apply(mut self, file: &str, text: &str) -> Result<String, VersionFileError> {
        self.list.sort_by_key(|(range, _)| (range.start, range.end));
        self.list.dedup_by(|a, b| a.0 == b.0);
        let mut out = String::with_capacity(text.len() + 16);
        let mut at = 0;
        for (range, replacement) in &self.list {
            let before = text.get(at..range.start);
            let (Some(before), true) = (before, text.get(range.clone()).is_some()) else {
                return Err(unlocated(file, "a value to replace"));
            };
            out.push_str(before);
            out.push_str(replacement);
            at = range.end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        Ok(out)
    }
}

fn unlocated(file: &str, key: &str) -> VersionFileError {
    VersionFileError::Unsupported {
        file: file.to_owned(),
        message: format!("cannot locate {key} in the text"),
    }
}

fn shape(file: &str, key: &str, expected: &str) -> VersionFileError {
    VersionFileError::Shape {
        file: file.to_owned(),
        key: key.to_owned(),
        expected: expected.to_owned(),
    }
}

// ---------------------------------------------------------------------------
// TOML

fn parse_toml<'t>(file: &str, text: &'t str) -> Result<Document<&'t str>, VersionFileError> {
    Document::parse(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        let message = match e.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!("{message} at line {line}, column {column}")
            }
            None => message,
        };
        VersionFileError::Toml {
            file: file.to_owned(),
            message,
        }
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A TOML string for `value`, quoted like `raw` (the old value as written)
/// where that style can hold it.
fn toml_string(raw: &str, value: &str) -> String {
    let literal_ok = !value.contains('\'') && !value.chars().any(char::is_control);
    if raw.starts_with('\'') && !raw.starts_with("'''") && literal_ok {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn replace_toml_string(
    file: &str,
    text: &str,
    key: &str,
    item: &Item,
    value: &str,
) -> Result<String, VersionFileError> {
    let mut edits = Edits::default();
    edits.push_toml(file, text, key, item.span(), value)?;
    edits.apply(file, text)
}

/// Adds `version = "…"` to the table at `path`, which exists.
fn insert_toml_version(
    file: &str,
    text: &str,
    path: &[&str],
    value: &str,
) -> Result<String, VersionFileError> {
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| VersionFileError::Toml {
                file: file.to_owned(),
                message: e.message().trim().to_owned(),
            })?;
    let mut item = doc.as_item_mut();
    for key in path {
        item = match item.get_mut(*key) {
            Some(next) if !next.is_none() => next,
            _ => return Err(unlocated(file, &format!("`[{}]`", path.join(".")))),
        };
    }
    let Some(table) = item.as_table_like_mut() else {
        return Err(shape(file, &format!("`[{}]`", path.join(".")), "a table"));
    };
    table.insert("version", toml_edit::value(value));
    Ok(doc.to_string())
}

fn inherits(item: &Item) -> bool {
    item.get("workspace").and_then(Item::as_bool) == Some(true)
}

fn table_like<'a>(
    file: &str,
    item: &'a Item,
    key: &str,
) -> Result<&'a dyn TableLike, VersionFileError> {
    item.as_table_like()
        .ok_or_else(|| shape(file, key, "a table"))
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

const CARGO_DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

fn cargo_dependency_edits(
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

fn pyproject_dependency_edits(
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

// ---------------------------------------------------------------------------
// Requirements shared by the ecosystems.

/// `spec` with its version replaced by `new` when it is one operator from
/// `ops` (or none, when `bare` is allowed) and a plain version such as
/// `1.2` or `1.2.3-rc.1`; `None` otherwise or when nothing would change.
fn simple_requirement(spec: &str, ops: &[&str], bare: bool, new: &Version) -> Option<String> {
    let leading = spec.len() - spec.trim_start().len();
    let body = spec.trim();
    let op = ops.iter().find(|op| body.starts_with(**op)).copied();
    let op_len = match op {
        Some(op) => op.len(),
        None if bare => 0,
        None => return None,
    };
    let after_op = body.get(op_len..)?;
    let version = after_op.trim_start();
    if !is_plain_version(version) {
        return None;
    }
    let version_start = leading + op_len + (after_op.len() - version.len());
    let version_end = version_start + version.len();
    let rewritten = format!(
        "{}{}{}",
        spec.get(..version_start)?,
        new,
        spec.get(version_end..)?
    );
    (rewritten != spec).then_some(rewritten)
}

/// `1`, `1.2`, `1.2.3`, optionally with `-pre` and `+build`.
fn is_plain_version(text: &str) -> bool {
    let (core, build) = match text.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (text, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    let identifier = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && pre.is_none_or(identifier)
        && build.is_none_or(identifier)
}

/// An npm requirement moved to `new`; `workspace:` keeps its protocol.
fn npm_requirement(spec: &str, new: &Version) -> Option<String> {
    let ops = [">=", "^", "~", "="];
    match spec.strip_prefix("workspace:") {
        Some(rest) => simple_requirement(rest, &ops, true, new).map(|r| format!("workspace:{r}")),
        None => simple_requirement(spec, &ops, true, new),
    }
}

// ---------------------------------------------------------------------------
// JSON

const NPM_DEPENDENCY_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

fn parse_json(file: &str, text: &str) -> Result<json::Spanned, VersionFileError> {
    let error = |message: String| VersionFileError::Json {
        file: file.to_owned(),
        message,
    };
    // serde_json's messages say what was expected, with line and column.
    // npm accepts a byte order mark; the span parser skips it too.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<serde_json::Value>(body).map_err(|e| error(e.to_string()))?;
    json::parse(text).map_err(error)
}

/// A JSON string literal.
fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

fn npm_dependency_edits(object: &json::Spanned, deps: &[(&str, &Version)], edits: &mut Edits) {
    for section in NPM_DEPENDENCY_SECTIONS {
        if let Some(section) = object.get(section) {
            npm_requirement_edits(section, deps, edits);
        }
    }
}

/// Rewrites the requirements on `deps` in one `{ "name": "spec" }` map.
fn npm_requirement_edits(map: &json::Spanned, deps: &[(&str, &Version)], edits: &mut Edits) {
    for member in map.members() {
        let Some((_, new)) = deps.iter().find(|(name, _)| *name == member.key) else {
            continue;
        };
        let Some(spec) = member.value.as_str() else {
            continue;
        };
        if let Some(rewritten) = npm_requirement(spec, new) {
            edits.push_json(member.value.span.clone(), &rewritten);
        }
    }
}

fn set_package_json_version(file: &str, text: &str, new: &str) -> Result<String, VersionFileError> {
    let root = parse_json(file, text)?;
    if !matches!(root.node, json::Node::Object(_)) {
        return Err(shape(file, "the top level", "an object"));
    }
    let mut edits = Edits::default();
    if let Some(version) = root.get("version") {
        if version.as_str().is_none() {
            return Err(shape(file, "`\"version\"`", "a string"));
        }
        edits.push_json(version.span.clone(), new);
        return edits.apply(file, text);
    }
    // No version yet: add one after `"name"`, in the style of that line.
    let Some(name) = root.member("name") else {
        return Err(VersionFileError::NoVersion {
            file: file.to_owned(),
            expected: "a top-level `\"version\"` (or a `\"name\"` to add it after)".to_owned(),
        });
    };
    let line_start = text
        .get(..name.key_span.start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = text
        .get(line_start..name.key_span.start)
        .unwrap_or_default();
    let separator = text
        .get(name.key_span.end..name.value.span.start)
        .unwrap_or(": ");
    let break_line = if indent.trim().is_empty() && line_start > 0 {
        format!("\n{indent}")
    } else {
        " ".to_owned()
    };
    let inserted = format!(",{break_line}\"version\"{separator}{}", json_string(new));
    let end = name.value.span.end;
    edits.push(end..end, inserted);
    edits.apply(file, text)
}

/// The root package's version in a lockfile: top-level `"version"` and
/// `packages[""].version`.
fn package_lock_root_edits(root: &json::Spanned, new: &str, edits: &mut Edits) {
    if let Some(value) = root.get("version").filter(|v| v.as_str().is_some()) {
        edits.push_json(value.span.clone(), new);
    }
    let package = root.get("packages").and_then(|p| p.get(""));
    if let Some(value) = package
        .and_then(|p| p.get("version"))
        .filter(|v| v.as_str().is_some())
    {
        edits.push_json(value.span.clone(), new);
    }
}

fn normalize_lock_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut path = path.trim_matches('/');
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    if path == "." {
        String::new()
    } else {
        path.to_owned()
    }
}

fn lock_packages<'d>(doc: &'d Document<&str>) -> Vec<&'d Table> {
    match doc.get("package").and_then(Item::as_array_of_tables) {
        Some(packages) => packages.iter().collect(),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// Patterns

const VERSION_GROUP: &str =
    r"(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)";

fn compile_pattern(pattern: &str) -> Result<regex::Regex, VersionFileError> {
    let error = |message: String| VersionFileError::Pattern {
        pattern: pattern.to_owned(),
        message,
    };
    if pattern.matches("{version}").count() != 1 {
        return Err(error("expected `{version}` exactly once".to_owned()));
    }
    let expanded = format!("(?m){}", pattern.replace("{version}", VERSION_GROUP));
    regex::Regex::new(&expanded).map_err(|e| {
        let message = e.to_string();
        let last = message.lines().last().unwrap_or_default().trim().to_owned();
        error(last)
    })
}

fn set_regex_version(
    file: &str,
    text: &str,
    pattern: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let re = compile_pattern(pattern)?;
    let mut edits = Edits::default();
    for captures in re.captures_iter(text) {
        if let Some(version) = captures.name("version") {
            edits.push(version.range(), new.to_owned());
        }
    }
    if edits.is_empty() {
        return Err(VersionFileError::NoMatch {
            file: file.to_owned(),
            pattern: pattern.to_owned(),
        });
    }
    edits.apply(file, text)
}

// ---------------------------------------------------------------------------

/// A JSON reader that remembers where each value is, so one value can be
/// replaced without re-serializing the rest. Input is validated by
/// `serde_json` first; this parser still returns errors rather than
/// panicking, and bounds nesting.
mod json {
    use std::ops::Range;

    const MAX_DEPTH: usize = 256;

    /// A value and its byte range.
    #[derive(Debug)]
    pub(super) struct Spanned {
        pub(super) span: Range<usize>,
        pub(super) node: Node,
    }

    #[derive(Debug)]
    pub(super) enum Node {
        Object(Vec<Member>),
        Array,
        String(String),
        Other,
    }

    #[derive(Debug)]
    pub(super) struct Member {
        pub(super) key: String,
        pub(super) key_span: Range<usize>,
        pub(super) value: Spanned,
    }

    impl Spanned {
        /// The member named `key` (the last one, as `JSON.parse` keeps).
        pub(super) fn member(&self, key: &str) -> Option<&Member> {
            self.members().iter().rev().find(|m| m.key == key)
        }

        pub(super) fn get(&self, key: &str) -> Option<&Spanned> {
            self.member(key).map(|m| &m.value)
        }

        pub(super) fn members(&self) -> &[Member] {
            match &self.node {
                Node::Object(members) => members,
                _ => &[],
            }
        }

        pub(super) fn as_str(&self) -> Option<&str> {
            match &self.node {
                Node::String(s) => Some(s),
                _ => None,
            }
        }
    }

    pub(super) fn parse(text: &str) -> Result<Spanned, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            text,
            at: if text.starts_with('\u{feff}') { 3 } else { 0 },
        };
        parser.skip_whitespace();
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.at != parser.bytes.len() {
            return Err(parser.error("trailing characters"));
        }
        Ok(value)
    }

    struct Parser<'t> {
        bytes: &'t [u8],
        text: &'t str,
        at: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.at).copied()
        }

        fn error(&self, what: &str) -> String {
            let (line, column) = super::line_column(self.text, self.at);
            format!("{what} at line {line} column {column}")
        }

        fn skip_whitespace(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
        }

        fn expect(&mut self, byte: u8) -> Result<(), String> {
            if self.peek() == Some(byte) {
                self.at += 1;
                Ok(())
            } else {
                Err(self.error(&format!("expected `{}`", char::from(byte))))
            }
        }

        fn value(&mut self, depth: usize) -> Result<Spanned, String> {
            if depth > MAX_DEPTH {
                return Err(self.error("nesting too deep"));
            }
            let start = self.at;
            let node = match self.peek() {
                Some(b'{') => {
                    self.at += 1;
                    let mut members = Vec::new();
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        loop {
                            self.skip_whitespace();
                            let key_start = self.at;
                            if self.peek() != Some(b'"') {
                                return Err(self.error("expected a key"));
                            }
                            let key = self.string()?;
                            let key_span = key_start..self.at;
                            self.skip_whitespace();
                            self.expect(b':')?;
                            self.skip_whitespace();
                            let value = self.value(depth + 1)?;
                            members.push(Member {
                                key,
                                key_span,
                                value,
                            });
                            self.skip_whitespace();
                            match self.peek() {
                                Some(b',') => self.at += 1,
                                Some(b'}') => {
                                    self.at += 1;
                                    break;
                                }
                                _ => return Err(self.error("expected `,` or `}`")),
                            }
                        }
                    }
                    Node::Object(members)
                }
                Some(b'[') => {
                    self.at += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        loop {
                            self.skip_whitespace();
                            self.value(depth + 1)?;
                            self.skip_whitespace();
                            match self.peek() {
                                Some(b',') => self.at += 1,
                                Some(b']') => {
                                    self.at += 1;
                                    break;
                                }
                                _ => return Err(self.error("expected `,` or `]`")),
                            }
                        }
                    }
                    Node::Array
                }
                Some(b'"') => Node::String(self.string()?),
                Some(b) if b.is_ascii_alphanumeric() || b == b'-' => {
                    while self.peek().is_some_and(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
                    }) {
                        self.at += 1;
                    }
                    Node::Other
                }
                _ => return Err(self.error("expected a value")),
            };
            Ok(Spanned {
                span: start..self.at,
                node,
            })
        }

        /// A string starting at the opening quote.
        fn string(&mut self) -> Result<String, String> {
            self.expect(b'"')?;
            let mut out = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.error("unterminated string")),
                    Some(b'"') => {
                        self.at += 1;
                        return Ok(out);
                    }
                    Some(b'\\') => {
                        self.at += 1;
                        let escaped = self.peek();
                        self.at += 1;
                        match escaped {
                            Some(b'"') => out.push('"'),
                            Some(b'\\') => out.push('\\'),
                            Some(b'/') => out.push('/'),
                            Some(b'b') => out.push('\u{8}'),
                            Some(b'f') => out.push('\u{c}'),
                            Some(b'n') => out.push('\n'),
                            Some(b'r') => out.push('\r'),
                            Some(b't') => out.push('\t'),
                            Some(b'u') => {
                                let high = self.hex4()?;
                                let code = if (0xD800..0xDC00).contains(&high)
                                    && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                                {
                                    self.at += 2;
                                    let low = self.hex4()?;
                                    0x10000
                                        + ((high - 0xD800) << 10)
                                        + (low.wrapping_sub(0xDC00) & 0x3FF)
                                } else {
                                    high
                                };
                                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            }
                            _ => return Err(self.error("invalid escape")),
                        }
                    }
                    Some(b) if b < 0x20 => return Err(self.error("control character in a string")),
                    Some(_) => {
                        let start = self.at;
                        while self
                            .peek()
                            .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
                        {
                            self.at += 1;
                        }
                        // Splits fall on ASCII bytes, so they are char boundaries.
                        out.push_str(self.text.get(start..self.at).unwrap_or_default());
                    }
                }
            }
        }

        fn hex4(&mut self) -> Result<u32, String> {
            let digits = self
                .text
                .get(self.at..self.at + 4)
                .ok_or_else(|| self.error("expected four hex digits"))?;
            let code = u32::from_str_radix(digits, 16)
                .map_err(|_| self.error("expected four hex digits"))?;
            self.at += 4;
            Ok(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    /// `template` with `{V}` as `old`, and what it must become: the same with
    /// `{V}` as `new` — so nothing but the version bytes may change.
    fn pair(template: &str, old: &str, new: &str) -> (String, String) {
        (template.replace("{V}", old), template.replace("{V}", new))
    }

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
    fn dynamic_pyproject_version_is_refused() {
        let text = "[project]\nname = \"lib\"\ndynamic = [\"version\", \"readme\"]\n";
        let err = set_version(&Kind::Pyproject, "pyproject.toml", text, &v("1.0.0")).unwrap_err();
        assert!(matches!(err, VersionFileError::Dynamic { .. }), "{err:?}");
        assert!(err.to_string().contains("`pyproject.toml`"));
        assert!(!err.hints().is_empty());
    }

    #[test]
    fn patterns_that_match_nothing_or_are_invalid_are_refused() {
        let text = "version: 1.2.3\n";
        let kind = Kind::Regex(r#"^VERSION = "{version}"$"#.to_owned());
        let err = set_version(&kind, "setup.cfg", text, &v("2.0.0")).unwrap_err();
        assert!(matches!(err, VersionFileError::NoMatch { .. }), "{err:?}");
        assert!(err.to_string().contains("`setup.cfg`"));
        assert_eq!(read_version(&kind, "f", text).unwrap(), None);
        for pattern in [
            "no placeholder",
            "{version} {version}",
            "(unclosed {version}",
        ] {
            let kind = Kind::Regex(pattern.to_owned());
            let err = set_version(&kind, "f", text, &v("2.0.0")).unwrap_err();
            assert!(
                matches!(err, VersionFileError::Pattern { .. }),
                "{pattern}: {err:?}"
            );
            assert!(check_pattern(pattern).is_err());
            assert!(!err.to_string().contains('\n'), "{err}");
        }
        assert!(check_pattern("^version: {version}$").is_ok());
        let kind = Kind::Regex("^version: {version}$".to_owned());
        assert_eq!(
            set_version(&kind, "f", text, &v("2.0.0")).unwrap(),
            "version: 2.0.0\n"
        );
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
    fn npm_requirements_keep_their_operator_and_leave_other_specs() {
        let cases = [
            ("^1.2.0", Some("^2.0.0")),
            ("~1.2.0", Some("~2.0.0")),
            ("1.2.0", Some("2.0.0")),
            (">=1.2.0", Some(">=2.0.0")),
            ("workspace:^1.2.0", Some("workspace:^2.0.0")),
            ("workspace:*", None),
            ("workspace:^", None),
            ("file:../core", None),
            ("latest", None),
            ("1.x", None),
            (">=1 <2", None),
            ("^1 || ^2", None),
            ("npm:core@^1", None),
            ("github:user/core", None),
        ];
        for (old, expected) in cases {
            assert_eq!(
                npm_requirement(old, &v("2.0.0")).as_deref(),
                expected,
                "{old}"
            );
        }
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

    const CARGO_DEPENDENTS: &str = r#"[package]
name = "app"
version = "0.1.0"

[dependencies]
core = "{caret}"   # caret
serde = "1.2"
renamed = { package = "core", version = "{tilde}", path = "../core" }
core-extra = "1.2"

[dependencies.other]
version = "1.2"

[dev-dependencies.core]
version = '{exact}'
path = "../core"

[build-dependencies]
core = { path = "../core" }

[target.'cfg(unix)'.dependencies]
core = { version = "{bare}", optional = true }

[workspace.dependencies]
core = { version = "{ge}", path = "crates/core" }
inherited = { workspace = true }
"#;

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
    fn npm_dependencies_are_updated_in_every_section() {
        let template = "{\n  \"name\": \"app\",\n  \"dependencies\": { \"core\": \"^{V}\", \"left-pad\": \"^1.0.0\" },\n  \"devDependencies\": {\n    \"core\": \"~{V}\"\n  },\n  \"peerDependencies\": { \"core\": \"{V}\" },\n  \"optionalDependencies\": { \"core\": \"workspace:^{V}\" },\n  \"resolutions\": { \"core\": \"1.0.0\" }\n}\n";
        let (before, after) = pair(template, "1.0.0", "2.0.0");
        let (out, changed) = set_dependency(
            &Kind::PackageJson,
            "package.json",
            &before,
            "core",
            &v("2.0.0"),
        )
        .unwrap();
        assert!(changed);
        assert_eq!(out, after);
        let untouched = "{\"dependencies\": {\"core\": \"workspace:*\", \"web\": \"file:../web\"}}";
        for dep in ["core", "web"] {
            let (out, changed) = set_dependency(
                &Kind::PackageJson,
                "package.json",
                untouched,
                dep,
                &v("2.0.0"),
            )
            .unwrap();
            assert!(!changed);
            assert_eq!(out, untouched);
        }
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

    #[test]
    fn package_lock_v3_updates_member_entries() {
        let template = r#"{
  "name": "monorepo",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "monorepo",
      "version": "1.0.0",
      "workspaces": ["packages/*"]
    },
    "node_modules/core": {
      "resolved": "packages/core",
      "link": true
    },
    "node_modules/left-pad": {
      "version": "{core}",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-0.3.1.tgz"
    },
    "packages/core": {
      "name": "core",
      "version": "{core-new}"
    },
    "packages/web": {
      "name": "web",
      "version": "{web}",
      "dependencies": {
        "core": "^{core-new}",
        "left-pad": "^{core}"
      }
    }
  }
}
"#;
        let fill = |core_new: &str, web: &str| {
            template
                .replace("{core-new}", core_new)
                .replace("{core}", "0.3.1")
                .replace("{web}", web)
        };
        let before = fill("0.3.1", "1.0.0");
        let after = fill("0.4.0", "1.0.1");
        let members = [
            ("core".to_owned(), "packages/core".to_owned(), v("0.4.0")),
            ("web".to_owned(), "./packages/web/".to_owned(), v("1.0.1")),
        ];
        let out = update_package_lock("package-lock.json", &before, &members).unwrap();
        assert_eq!(out, after);
    }

    #[test]
    fn package_lock_v1_updates_root_and_linked_dependencies() {
        let template = "{\n\t\"name\": \"web\",\n\t\"version\": \"{root}\",\n\t\"lockfileVersion\": 1,\n\t\"requires\": true,\n\t\"dependencies\": {\n\t\t\"core\": {\n\t\t\t\"version\": \"{core}\"\n\t\t},\n\t\t\"ui\": {\n\t\t\t\"version\": \"file:packages/ui\",\n\t\t\t\"requires\": {\n\t\t\t\t\"core\": \"^{core}\"\n\t\t\t}\n\t\t},\n\t\t\"left-pad\": {\n\t\t\t\"version\": \"0.3.1\",\n\t\t\t\"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-0.3.1.tgz\"\n\t\t}\n\t}\n}";
        let fill =
            |root: &str, core: &str| template.replace("{root}", root).replace("{core}", core);
        let before = fill("0.3.1", "0.3.1");
        let after = fill("0.4.0", "1.0.0");
        let members = [
            ("web".to_owned(), ".".to_owned(), v("0.4.0")),
            ("core".to_owned(), "packages/core".to_owned(), v("1.0.0")),
            ("ui".to_owned(), "packages/ui".to_owned(), v("0.3.2")),
            (
                "left-pad".to_owned(),
                "packages/left-pad".to_owned(),
                v("9.0.0"),
            ),
        ];
        let out = update_package_lock("package-lock.json", &before, &members).unwrap();
        assert_eq!(out, after);
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

    #[test]
    fn byte_order_mark_is_kept() {
        let (before, after) = pair(
            "\u{feff}{\"name\": \"web\", \"version\": \"{V}\"}\n",
            "1.0.0",
            "1.1.0",
        );
        let out = set_version(&Kind::PackageJson, "package.json", &before, &v("1.1.0")).unwrap();
        assert_eq!(out, after);
    }

    #[test]
    fn json_strings_decode_escapes() {
        let root =
            json::parse(r#"{"a\u00e9\ud83d\ude00\n": "x\"y", "b": [1, -2.5e+3, true, null]}"#)
                .unwrap();
        assert_eq!(
            root.get("aé😀\n").and_then(json::Spanned::as_str),
            Some("x\"y")
        );
        assert!(root.get("b").is_some());
    }

    #[test]
    fn python_names_normalize() {
        assert_eq!(normalize_python_name("Core__Lib.x"), "core-lib-x");
        assert_eq!(pep508_name("  requests[socks]>=2"), Some("requests"));
        assert_eq!(pep508_name(">=2"), None);
    }
}
