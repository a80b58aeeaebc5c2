//! Finding and reading manifests: the walk of the work tree, reading and
//! parsing files, the `/`-separated relative path helpers, and the
//! workspace member patterns the ecosystems share.

use std::collections::BTreeSet;
use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use toml::Table;

use super::{DetectError, Note};

/// Directories never entered, ignored or not.
const SKIPPED_DIRS: [&str; 3] = ["target", "node_modules", ".git"];
/// Directories that hold test fixtures and examples rather than packages:
/// a manifest under one is proposed only when its workspace lists it.
const FIXTURE_DIRS: [&str; 6] = [
    "fixtures",
    "fixture",
    "__fixtures__",
    "testdata",
    "test-data",
    "examples",
];

/// Why a manifest in `dir` looks like a test fixture or an example: the
/// fixture directory it is under.
pub(super) fn fixture_dir(dir: &str) -> Option<String> {
    dir.split('/')
        .find(|part| FIXTURE_DIRS.contains(part))
        .map(|part| format!("under `{part}/`, not a listed workspace member"))
}

/// Manifests and lockfiles under `root`, relative and `/`-separated.
pub(super) fn walk(root: &Path) -> Vec<String> {
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

/// The file's text, without the UTF-8 byte-order mark some editors write.
pub(super) fn read(root: &Path, file: &str) -> Result<String, DetectError> {
    let text = std::fs::read_to_string(root.join(file)).map_err(|source| DetectError::Read {
        path: file.to_owned(),
        source,
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

pub(super) fn parse_toml(root: &Path, file: &str) -> Result<Table, DetectError> {
    let text = read(root, file)?;
    text.parse::<Table>().map_err(|e| DetectError::Parse {
        path: file.to_owned(),
        message: e.message().trim().to_owned(),
    })
}

pub(super) fn malformed(file: &str, key: &str, expected: &str) -> DetectError {
    DetectError::Parse {
        path: file.to_owned(),
        message: format!("expected {key} to be {expected}"),
    }
}

/// `base` joined with the relative `path`, normalized; `None` when it leaves
/// the root. Directories are `""` for the root.
pub(super) fn join(base: &str, path: &str) -> Option<String> {
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
pub(super) fn within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

pub(super) fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_owned()
    } else {
        dir.to_owned()
    }
}

pub(super) fn lockfile(lockfiles: &BTreeSet<&str>, dir: &str, name: &str) -> Option<String> {
    let path = if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    };
    lockfiles.contains(path.as_str()).then_some(path)
}

/// Member patterns of a workspace, relative to the root.
pub(super) struct Patterns {
    pub(super) include: Vec<Pattern>,
    pub(super) exclude: Vec<Pattern>,
}

pub(super) enum Pattern {
    Literal(String),
    Glob(GlobMatcher),
}

impl Pattern {
    /// The pattern, or `None` with a warning in `notes` when it is not a
    /// valid glob (the workspace is read without it).
    pub(super) fn noted(
        file: &str,
        base: &str,
        pattern: &str,
        notes: &mut Vec<Note>,
    ) -> Option<Pattern> {
        Pattern::new(file, base, pattern).unwrap_or_else(|error| {
            notes.push(error.note());
            None
        })
    }

    pub(super) fn new(
        file: &str,
        base: &str,
        pattern: &str,
    ) -> Result<Option<Pattern>, DetectError> {
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
    /// Whether a pattern names `dir` itself, without wildcards.
    pub(super) fn lists(&self, dir: &str) -> bool {
        self.include
            .iter()
            .any(|p| matches!(p, Pattern::Literal(literal) if literal == dir))
    }

    pub(super) fn is_member(&self, dir: &str) -> bool {
        self.include.iter().any(|p| p.matches(dir)) && !self.exclude.iter().any(|p| p.matches(dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
