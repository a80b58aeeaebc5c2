//! Installing git hooks: where git looks for them (`core.hooksPath`, the
//! common directory shared by linked worktrees), the scripts we write, and
//! chaining a hook that was there before so it keeps running.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::git::repo::Repo;

/// The line that marks a hook as ours.
pub const MARKER: &str = "# managed by git-release";

/// The suffix under which a foreign hook is kept while ours chains to it.
pub const CHAINED: &str = ".git-release-chained";

/// A hook we manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// `pre-push`: gates release tags.
    PrePush,
    /// `commit-msg`: lints the message.
    CommitMsg,
}

impl Hook {
    /// The hook's file name.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PrePush => "pre-push",
            Hook::CommitMsg => "commit-msg",
        }
    }
}

/// Where hooks live for this repository.
#[derive(Debug, Clone)]
pub struct HooksDir {
    /// The directory.
    pub path: PathBuf,
    /// Whether it comes from `core.hooksPath`.
    pub configured: bool,
    /// Whether it lies outside the repository (shared with others).
    pub outside: bool,
}

/// Finds the hooks directory the way git does.
pub fn hooks_dir(repo: &Repo) -> HooksDir {
    let git = repo.git();
    let common = git.commondir().to_path_buf();
    let workdir = repo.workdir();
    let configured = git
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(path) => {
            let path = if path.is_relative() {
                workdir.clone().unwrap_or_else(|| common.clone()).join(path)
            } else {
                path
            };
            let normalized = normalize(&path);
            let inside = [Some(normalize(&common)), workdir.as_deref().map(normalize)]
                .into_iter()
                .flatten()
                .any(|root| normalized.starts_with(root));
            HooksDir {
                path,
                configured: true,
                outside: !inside,
            }
        }
        None => HooksDir {
            path: common.join("hooks"),
            configured: false,
            outside: false,
        },
    }
}

fn normalize(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// The script for a hook. `exe` is used when `git-release` is not on PATH.
pub fn script(hook: Hook, exe: &Path) -> String {
    let name = hook.name();
    let call = match hook {
        Hook::PrePush => "\"$bin\" hook pre-push \"$@\"",
        Hook::CommitMsg => "\"$bin\" hook commit-msg \"$@\"",
    };
    let chained_run = match hook {
        // pre-push gets the refs on stdin: both hooks must see the same input.
        Hook::PrePush => format!(
            "  input=$(cat)\n  printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\n  printf '%s\\n' \"$input\" | {call}\n  exit $?\n"
        ),
        Hook::CommitMsg => format!("  \"$chained\" \"$@\" || exit $?\n  exec {call}\n"),
    };
    format!(
        "#!/bin/sh\n{MARKER} ({name}); `git release hook uninstall` restores what was here before.\nbin=git-release\ncommand -v \"$bin\" >/dev/null 2>&1 || bin={exe}\nchained=\"$(dirname \"$0\")/{name}{CHAINED}\"\nif [ -x \"$chained\" ]; then\n{chained_run}fi\nexec {call}\n",
        exe = quote(exe),
    )
}

/// What `install` or `uninstall` did for one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Ours was written.
    Installed,
    /// Ours was written and the hook that was there runs first.
    Chained,
    /// Ours was there already.
    AlreadyInstalled,
    /// Ours was removed (and the chained one put back, if any).
    Removed {
        /// Whether a chained hook was restored.
        restored: bool,
    },
    /// Nothing of ours was there.
    NotInstalled,
}

fn is_ours(path: &Path) -> bool {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).contains(MARKER))
        .unwrap_or(false)
}

fn io(doing: String) -> impl FnOnce(std::io::Error) -> Error {
    Error::io(doing)
}

/// Installs one hook into `dir`, keeping a foreign hook as the chained one.
pub fn install(dir: &Path, hook: Hook, exe: &Path) -> Result<Done, Error> {
    std::fs::create_dir_all(dir).map_err(io(format!("creating `{}`", dir.display())))?;
    let path = dir.join(hook.name());
    let chained = dir.join(format!("{}{CHAINED}", hook.name()));
    if is_ours(&path) {
        return Ok(Done::AlreadyInstalled);
    }
    let mut done = Done::Installed;
    if path.exists() || path.symlink_metadata().is_ok() {
        if chained.exists() {
            return Err(Error::refused(
                format!(
                    "both `{}` and `{}` exist, and neither is ours",
                    path.display(),
                    chained.display()
                ),
                &["merge them into one hook by hand, then run `git release hook install` again"],
            ));
        }
        std::fs::rename(&path, &chained)
            .map_err(io(format!("moving `{}` aside", path.display())))?;
        done = Done::Chained;
    }
    let written = crate::git::writer::write_atomically(&path, script(hook, exe).as_bytes())
        .and_then(|()| make_executable(&path));
    if let Err(e) = written {
        if done == Done::Chained {
            let _ = std::fs::rename(&chained, &path);
        }
        return Err(e);
    }
    Ok(done)
}

/// Removes our hook from `dir`, putting back the one it chained to.
pub fn uninstall(dir: &Path, hook: Hook) -> Result<Done, Error> {
    let path = dir.join(hook.name());
    let chained = dir.join(format!("{}{CHAINED}", hook.name()));
    if !is_ours(&path) {
        return Ok(Done::NotInstalled);
    }
    std::fs::remove_file(&path).map_err(io(format!("removing `{}`", path.display())))?;
    let restored = chained.symlink_metadata().is_ok();
    if restored {
        std::fs::rename(&chained, &path).map_err(io(format!("restoring `{}`", path.display())))?;
    }
    Ok(Done::Removed { restored })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(Error::io(format!("making `{}` executable", path.display())))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_chain_uninstall_restore() {
        let dir = tempfile::tempdir().unwrap();
        let exe = Path::new("/opt/it's/git-release");
        let foreign = "#!/bin/sh\necho foreign\n";
        std::fs::write(dir.path().join("pre-push"), foreign).unwrap();
        assert_eq!(
            install(dir.path(), Hook::PrePush, exe).unwrap(),
            Done::Chained
        );
        assert_eq!(
            install(dir.path(), Hook::PrePush, exe).unwrap(),
            Done::AlreadyInstalled
        );
        let ours = std::fs::read_to_string(dir.path().join("pre-push")).unwrap();
        assert!(
            ours.contains(MARKER) && ours.contains("'/opt/it'\\''s/git-release'"),
            "{ours}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("pre-push.git-release-chained")).unwrap(),
            foreign
        );
        assert_eq!(
            uninstall(dir.path(), Hook::PrePush).unwrap(),
            Done::Removed { restored: true }
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("pre-push")).unwrap(),
            foreign
        );
        assert_eq!(
            uninstall(dir.path(), Hook::PrePush).unwrap(),
            Done::NotInstalled
        );
        assert_eq!(
            install(dir.path(), Hook::CommitMsg, exe).unwrap(),
            Done::Installed
        );
        assert_eq!(
            uninstall(dir.path(), Hook::CommitMsg).unwrap(),
            Done::Removed { restored: false }
        );
        assert!(!dir.path().join("commit-msg").exists());
    }
}
