//! The writer: the only code that changes files and notes. Files are
//! written atomically: a temporary file in the same directory, synced, then
//! renamed over the target. Notes refs change only by compare-and-swap
//! ([`notes`]).

use std::io::Write;
use std::path::Path;

use crate::Error;

pub mod notes;

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
