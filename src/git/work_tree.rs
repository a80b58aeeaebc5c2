//! The work tree as a boundary: a file the configuration names is read or
//! written only when it, after `..` and every symbolic link on the way,
//! lies inside the work tree and outside the git directory. The
//! configuration is checked as written when it is loaded
//! ([`crate::config::check_path`]); this is the check where the file is
//! used, after the file system has had its say.
//!
//! Paths the user gives on the command line (`--output`, `--template`,
//! `--config`) are the user's own and do not come through here.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::config::{PathProblem, check_path};
use crate::git::repo::Repo;

/// How many symbolic links a path may pass through (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// A work tree whose configured paths are confined to it.
#[derive(Debug, Clone)]
pub struct WorkTree {
    /// The root as git reports it: paths handed out are joined to this.
    root: PathBuf,
    /// The root with every link resolved.
    real_root: PathBuf,
    /// The git directory and common directory, links resolved.
    git_dirs: Vec<PathBuf>,
}

impl WorkTree {
    /// The repository's work tree; `None` for a bare repository.
    pub fn of(repo: &Repo) -> Result<Option<WorkTree>, Error> {
        let Some(root) = repo.workdir() else {
            return Ok(None);
        };
        let git = repo.git();
        WorkTree::new(&root, &[git.path(), git.commondir()]).map(Some)
    }

    /// A work tree at `root` whose git directories are `git_dirs`.
    pub fn new(root: &Path, git_dirs: &[&Path]) -> Result<WorkTree, Error> {
        let real_root = std::fs::canonicalize(root).map_err(Error::io(format!(
            "resolving the work tree `{}`",
            root.display()
        )))?;
        let git_dirs = git_dirs
            .iter()
            .filter_map(|dir| std::fs::canonicalize(dir).ok())
            .collect();
        Ok(WorkTree {
            root: root.to_path_buf(),
            real_root,
            git_dirs,
        })
    }

    /// The root, as git reports it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file the configuration names as `path` (relative to the root),
    /// under `setting` (e.g. `` `changelog.path` ``), once it is known to
    /// stay inside: the root joined with `path`.
    pub fn resolve(&self, setting: &str, path: &Path) -> Result<PathBuf, Error> {
        check_path(path, true).map_err(|problem| refusal(setting, path, problem))?;
        self.resolve_file(&format!("{setting} = `{}`", path.display()), path)
    }

    /// A file read or written on the repository's behalf without the
    /// configuration naming it (a lock file), described as `what`.
    pub fn resolve_file(&self, what: &str, path: &Path) -> Result<PathBuf, Error> {
        let joined = self.root.join(path);
        self.check(what, &joined)?;
        Ok(joined)
    }

    /// Refuses `path` (e.g. a file found in a configured directory),
    /// described as `what`, unless it resolves inside the work tree and
    /// outside the git directory.
    pub fn check(&self, what: &str, path: &Path) -> Result<(), Error> {
        let real = real_path(path, MAX_LINKS).map_err(Error::io(format!(
            "resolving {what} (`{}`)",
            path.display()
        )))?;
        let (place, boundary) = if !real.starts_with(&self.real_root) {
            ("outside the work tree", &self.real_root)
        } else if let Some(dir) = self.git_dirs.iter().find(|dir| real.starts_with(dir)) {
            ("inside the git directory", dir)
        } else {
            return Ok(());
        };
        Err(Error::Refused {
            message: format!(
                "{what} leads to `{}`, {place} `{}`",
                real.display(),
                boundary.display()
            ),
            hints: vec![
                "a symbolic link on the way leads there, and files read or written for the repository must stay inside its work tree after links are followed".to_owned(),
                "replace the link with the file itself, or name a file inside the repository".to_owned(),
                "a file outside the repository is yours to name on the command line (`--template FILE`, `--output FILE`, `--config FILE`)".to_owned(),
            ],
        })
    }
}

fn refusal(setting: &str, path: &Path, problem: PathProblem) -> Error {
    Error::Refused {
        message: format!("{setting} = `{}` {problem}", path.display()),
        hints: vec![
            "write it relative to the repository root, without `..` and outside `.git`".to_owned(),
        ],
    }
}

/// `path` with every link resolved, also where it (or its end) does not
/// exist yet: the part that exists is resolved and the rest appended; a
/// dangling link is followed to where it points.
fn real_path(path: &Path, links: usize) -> std::io::Result<PathBuf> {
    let mut missing = Vec::new();
    let mut existing = path;
    loop {
        match std::fs::canonicalize(existing) {
            Ok(mut real) => {
                real.extend(missing.iter().rev());
                return Ok(real);
            }
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                let (Some(name), Some(parent)) = (existing.file_name(), existing.parent()) else {
                    return Err(e);
                };
                if let Ok(target) = std::fs::read_link(existing) {
                    // A dangling link: where it would lead.
                    if links == 0 {
                        return Err(std::io::Error::new(
                            ErrorKind::InvalidInput,
                            "too many levels of symbolic links",
                        ));
                    }
                    let mut real = real_path(&parent.join(target), links - 1)?;
                    real.extend(missing.iter().rev());
                    return Ok(real);
                }
                missing.push(name.to_owned());
                existing = parent;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn setup() -> (tempfile::TempDir, WorkTree) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git/hooks")).unwrap();
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        let tree = WorkTree::new(&root, &[&root.join(".git")]).unwrap();
        (dir, tree)
    }

    fn refused(tree: &WorkTree, path: &str) -> String {
        match tree.resolve("`k`", Path::new(path)) {
            Err(Error::Refused { message, .. }) => message,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_inside_resolve_to_the_root_joined() {
        let (dir, tree) = setup();
        let root = dir.path().join("repo");
        symlink("docs", root.join("linked")).unwrap();
        symlink("docs/new.md", root.join("dangling-inside")).unwrap();
        for path in [
            "CHANGELOG.md",
            "docs/CHANGELOG.md",
            "missing/deeper/file",
            "linked/x.md",
            "dangling-inside",
        ] {
            assert_eq!(
                tree.resolve("`k`", Path::new(path)).unwrap(),
                root.join(path)
            );
        }
    }

    #[test]
    fn links_out_of_the_work_tree_are_refused() {
        let (dir, tree) = setup();
        let root = dir.path().join("repo");
        let outside = dir.path().join("outside");
        std::fs::write(outside.join("secret"), "s").unwrap();
        symlink(&outside, root.join("out")).unwrap();
        symlink(outside.join("secret"), root.join("secret")).unwrap();
        symlink("../outside/new", root.join("dangling")).unwrap();
        symlink("dangling", root.join("chain")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        symlink(".git/hooks", root.join("hooks")).unwrap();
        for path in ["out/x.md", "out", "secret", "dangling", "chain", "out/a/b"] {
            let message = refused(&tree, path);
            assert!(
                message.contains("outside the work tree"),
                "{path}: {message}"
            );
        }
        let message = refused(&tree, "hooks/pre-push");
        assert!(message.contains("inside the git directory"), "{message}");
        assert!(matches!(
            tree.resolve("`k`", Path::new("loop")),
            Err(Error::Io { .. })
        ));
    }

    #[test]
    fn paths_written_to_leave_are_refused_before_the_file_system_is_asked() {
        let (_dir, tree) = setup();
        for (path, needle) in [
            ("../outside/x", "`..`"),
            ("/etc/passwd", "absolute"),
            (".git/config", "git directory"),
        ] {
            let message = refused(&tree, path);
            assert!(message.contains(needle), "{path}: {message}");
        }
    }
}
