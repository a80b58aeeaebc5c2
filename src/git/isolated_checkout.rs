//! Temporary worktrees: a clean checkout of exactly one commit in a temp
//! folder, where `test --isolated` runs a command that local edits cannot
//! reach. Made with `git worktree add --detach` and removed with `git
//! worktree remove` (and a prune) when dropped, whatever happened meanwhile.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::Oid;

use crate::Error;
use crate::git::repo::Repo;

/// A worktree of one commit in a temp folder, removed on drop.
pub struct TempWorktree {
    git_dir: PathBuf,
    path: PathBuf,
    removed: bool,
    // Dropped last: the folder holding the worktree.
    _dir: tempfile::TempDir,
}

/// `git` with the repository named explicitly and the caller's `GIT_*`
/// location variables removed, so it acts on this repository only.
fn git(git_dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("--git-dir")
        .arg(git_dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null());
    command
}

impl TempWorktree {
    /// Checks out `commit` (detached) in a new temp folder.
    pub fn add(repo: &Repo, commit: Oid) -> Result<TempWorktree, Error> {
        let dir = tempfile::Builder::new()
            .prefix("git-release-test-")
            .tempdir()
            .map_err(Error::io("making a temporary folder for the worktree"))?;
        let path = dir.path().join("tree");
        let git_dir = repo.git().path().to_path_buf();
        let output = git(&git_dir)
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(&path)
            .arg(commit.to_string())
            .output()
            .map_err(Error::io("running `git worktree add`"))?;
        if !output.status.success() {
            return Err(Error::refused(
                format!(
                    "cannot check out {} in a temporary worktree: {}",
                    &commit.to_string()[..7],
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                &[
                    "check that `git worktree add --detach DIR HEAD` works here, or run `git release test` without `--isolated` in a clean work tree",
                ],
            ));
        }
        Ok(TempWorktree {
            git_dir,
            path,
            removed: false,
            _dir: dir,
        })
    }

    /// The worktree's root.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the worktree and git's record of it.
    pub fn remove(&mut self) -> Result<(), Error> {
        if self.removed {
            return Ok(());
        }
        self.removed = true;
        let removed = git(&self.git_dir)
            .args(["worktree", "remove", "--force", "--force"])
            .arg(&self.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if removed {
            return Ok(());
        }
        // Remove the files ourselves and let git forget the worktree.
        let _ = std::fs::remove_dir_all(&self.path);
        let pruned = git(&self.git_dir)
            .args(["worktree", "prune"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if pruned && !self.path.exists() {
            Ok(())
        } else {
            Err(Error::refused(
                format!(
                    "the temporary worktree `{}` could not be removed",
                    self.path.display()
                ),
                &["remove it with `git worktree remove --force PATH`, then `git worktree prune`"],
            ))
        }
    }
}

impl Drop for TempWorktree {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}
