//! The writer: the only code that changes files and notes. Files are
//! written atomically: a temporary file in the same directory, synced, then
//! renamed over the target. A file that exists keeps its permissions; a new
//! one gets `0666` less the umask, as any editor would make it; a symlink is
//! written through to the file it points at. Notes refs change only by
//! compare-and-swap ([`notes`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

pub mod notes;

/// Writes a file through a temporary file in the same directory and a rename.
///
/// When `path` is a symlink, the file it points at is written and the link
/// stays a link. An existing file keeps its permissions; a new file gets
/// `0666 & !umask`.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let path = &through_symlinks(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let doing = format!("writing `{}`", path.display());
    let mut file = temp_file_in(dir).map_err(Error::io(doing.clone()))?;
    file.write_all(contents).map_err(Error::io(doing.clone()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the permissions of the file being replaced.
        std::fs::set_permissions(file.path(), meta.permissions())
            .map_err(Error::io(doing.clone()))?;
    }
    file.as_file()
        .sync_all()
        .map_err(Error::io(doing.clone()))?;
    file.persist(path).map_err(|e| Error::io(doing)(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// A temporary file in `dir` created with mode `0666` (so the umask, not
/// the temporary file's private `0600`, decides what a new file gets).
pub fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".git-release-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Flushes a directory's entries (a rename or a new file in it) to disk, so
/// a crash right after cannot lose them. Best effort: not every platform or
/// file system can sync a directory.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The file a write to `path` lands in: `path` itself, or, when it is a
/// symlink, the file the chain of links ends at.
pub fn through_symlinks(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current).map_err(Error::io(format!(
                    "reading the symlink `{}`",
                    current.display()
                )))?;
                current = match current.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Error::refused(
        format!("`{}` is a symlink loop", path.display()),
        &["point the link at a file"],
    ))
}

/// Writes a file meant to be published (the release dashboard): creates
/// its directory, leaves a file with the same contents untouched (so
/// regenerating rewrites only what changed), else writes a temporary file
/// and renames it over the target, readable by everyone (`0644` on Unix).
/// Not synced: the site is made again from the repository at will, and a
/// sync per page would dominate the time of thousands of pages.
pub fn write_published(path: &Path, contents: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|existing| existing == contents) {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(Error::io(format!("creating `{}`", dir.display())))?;
    let doing = format!("writing `{}`", path.display());
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(Error::io(doing.clone()))?;
    file.write_all(contents).map_err(Error::io(doing.clone()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(Error::io(doing.clone()))?;
    }
    file.persist(path).map_err(|e| Error::io(doing)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_existing_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // What the umask makes of 0666, as any program creating a file gets.
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new");
        write_atomically(&new, b"x").unwrap();
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected);
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "old").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o751)).unwrap();
        write_atomically(&tool, b"new").unwrap();
        let mode = std::fs::metadata(&tool).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o751);
        assert_eq!(std::fs::read(&tool).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/CHANGELOG.md"), "old").unwrap();
        let link = dir.path().join("CHANGELOG.md");
        std::os::unix::fs::symlink("docs/CHANGELOG.md", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read(dir.path().join("docs/CHANGELOG.md")).unwrap(),
            b"new"
        );
        // A loop is an error, not a hang.
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(write_atomically(&a, b"x").is_err());
    }
}
