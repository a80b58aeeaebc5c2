//! The writer: the only code that changes files (and, later, refs and
//! notes). Files are written atomically: a temporary file in the same
//! directory, synced, then renamed over the target.

use std::io::Write;
use std::path::Path;

use crate::Error;

/// Writes a file through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let doing = format!("writing `{}`", path.display());
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(Error::io(doing.clone()))?;
    file.write_all(contents).map_err(Error::io(doing.clone()))?;
    file.as_file()
        .sync_all()
        .map_err(Error::io(doing.clone()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the permissions of the file being replaced.
        let _ = std::fs::set_permissions(file.path(), meta.permissions());
    }
    file.persist(path).map_err(|e| Error::io(doing)(e.error))?;
    Ok(())
}

/// Appends a record line to the note on `commit` in `notes_ref`, keeping
/// every line already there.
pub fn append_note(
    repo: &crate::git::repo::Repo,
    notes_ref: &str,
    commit: git2::Oid,
    line: &str,
) -> Result<(), Error> {
    let existing = repo.note(notes_ref, commit)?;
    let text = crate::gate::evidence::append(existing.as_deref(), line);
    let git = repo.git();
    let signature = git.signature().map_err(|e| {
        Error::refused(
            format!("cannot record evidence without an identity: {}", e.message()),
            &["set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com`"],
        )
    })?;
    git.note(&signature, &signature, Some(notes_ref), commit, &text, true)
        .map_err(|e| {
            Error::Repo(crate::git::repo::git_err(format!(
                "writing a note to `{notes_ref}`"
            ))(e))
        })?;
    Ok(())
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
