//! The release journal: before `tag` changes a ref, a file or the index, it
//! records in `.git/git-release/` what the repository looked like and what
//! it is about to become, with a copy of the index. A failure, a signal or a
//! crash at any point can then be repaired: the journal's
//! [`Journal::roll_back`] puts back what was changed, comparing each ref and
//! file with both states so nothing anyone else did is undone, and the next
//! `tag` run either finds that the interrupted push reached the remote (the
//! release is complete) or rolls back and releases again.
//!
//! In: the release about to be written. Out: the journal on disk, and the
//! rollback or completion of an interrupted release.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{ObjectType, Oid};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::git::repo::{Repo, git_err};
use crate::git::writer;

const VERSION: u32 = 1;
const DIR: &str = "git-release";
const FILE: &str = "tag-journal.json";
const INDEX_COPY: &str = "index.before";

/// What an interrupted `tag` may have changed, and how to recognise it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// The journal format.
    pub version: u32,
    /// The process writing the release.
    pub pid: u32,
    /// The branch the release commit goes on (`refs/heads/…`).
    pub branch: String,
    /// The branch's commit before the release.
    pub head: String,
    /// The released commit: the release commit, or `head` when no file changes.
    pub commit: String,
    /// The tags, each with the tag object it points at once made.
    pub tags: Vec<JournalTag>,
    /// The files the release commit changes.
    pub files: Vec<JournalFile>,
    /// Whether `.git/index` existed and was copied aside.
    pub index_saved: bool,
    /// The remote `--push` goes to.
    pub remote: Option<String>,
    /// Whether `git push` was started.
    pub pushing: bool,
}

/// A tag the release makes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalTag {
    /// Its ref (`refs/tags/…`).
    pub name: String,
    /// The tag object, when known (a signed tag's is known once `git tag -s` ran).
    pub object: Option<String>,
}

/// A file the release changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalFile {
    /// Its path in the work tree, with `/` separators.
    pub path: String,
    /// The blob and mode before the release; `None` if the file is new.
    pub old: Option<Entry>,
    /// The blob and mode the release writes.
    pub new: Entry,
}

/// A blob and its mode in a tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The blob id.
    pub blob: String,
    /// The git mode (`0o100644`, `0o100755`).
    pub mode: u32,
}

/// How [`resume`] dealt with an interrupted release.
#[derive(Debug)]
pub enum Resumed {
    /// Its push had reached the remote: the release is complete.
    Finished {
        /// The tags released.
        tags: Vec<String>,
        /// Where they were pushed.
        remote: String,
    },
    /// It was undone; a new run can release again.
    RolledBack {
        /// The tags it had meant to make.
        tags: Vec<String>,
    },
}

/// The folder holding the journal: per work tree, like the index.
fn dir(git: &git2::Repository) -> PathBuf {
    git.path().join(DIR)
}

/// Where the journal lives (shown in messages).
pub fn location(git: &git2::Repository) -> PathBuf {
    dir(git).join(FILE)
}

fn index_path(git: &git2::Repository) -> PathBuf {
    git.path().join("index")
}

fn oid(text: &str) -> Result<Oid, Error> {
    Oid::from_str(text).map_err(|_| {
        Error::refused(
            format!("the release journal names `{text}`, which is not an object id"),
            &["the journal is damaged: repair the repository by hand, then delete it"],
        )
    })
}

impl Journal {
    /// Reads the journal an earlier `tag` left, if any.
    pub fn load(git: &git2::Repository) -> Result<Option<Journal>, Error> {
        let path = location(git);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("reading `{}`", path.display()))(e)),
        };
        let journal: Journal = serde_json::from_slice(&text).map_err(|e| {
            Error::refused(
                format!(
                    "the release journal `{}` cannot be read: {e}",
                    path.display()
                ),
                &[
                    "check `git status`, `git log -1` and `git tag -l` against it, repair by hand, then delete it",
                ],
            )
        })?;
        if journal.version != VERSION {
            return Err(Error::refused(
                format!(
                    "the release journal `{}` was written by another version of git-release",
                    path.display()
                ),
                &["finish with the version that wrote it, or repair by hand and delete it"],
            ));
        }
        Ok(Some(journal))
    }

    /// Records the journal before anything is changed: copies the index
    /// aside, then creates the journal, failing if one exists (another
    /// `tag` is writing, or an interrupted one was not repaired).
    pub fn begin(&self, git: &git2::Repository) -> Result<(), Error> {
        let dir = dir(git);
        std::fs::create_dir_all(&dir)
            .map_err(Error::io(format!("creating `{}`", dir.display())))?;
        if location(git).exists() {
            return Err(in_progress(git));
        }
        if self.index_saved {
            let bytes = std::fs::read(index_path(git)).map_err(Error::io("reading the index"))?;
            writer::write_atomically(&dir.join(INDEX_COPY), &bytes)?;
        }
        let doing = format!("writing `{}`", location(git).display());
        let mut file = writer::temp_file_in(&dir).map_err(Error::io(doing.clone()))?;
        file.write_all(&self.to_bytes()?)
            .and_then(|()| file.as_file().sync_all())
            .map_err(Error::io(doing.clone()))?;
        file.persist_noclobber(location(git)).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                in_progress(git)
            } else {
                Error::io(doing)(e.error)
            }
        })?;
        writer::sync_dir(&dir);
        Ok(())
    }

    /// Rewrites the journal (a tag object became known, the push started).
    pub fn update(&self, git: &git2::Repository) -> Result<(), Error> {
        writer::write_atomically(&location(git), &self.to_bytes()?)
    }

    /// Removes the journal: the release is complete or fully undone.
    pub fn finish(git: &git2::Repository) -> Result<(), Error> {
        let dir = dir(git);
        for name in [FILE, INDEX_COPY] {
            match std::fs::remove_file(dir.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::io(format!(
                        "removing `{}`",
                        dir.join(name).display()
                    ))(e));
                }
            }
        }
        let _ = std::fs::remove_dir(&dir);
        writer::sync_dir(git.path());
        Ok(())
    }

    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        serde_json::to_vec_pretty(self)
            .map_err(|e| Error::refused(format!("writing the release journal: {e}"), &[]))
    }

    /// The tag names, without `refs/tags/`.
    pub fn tag_names(&self) -> Vec<String> {
        self.tags
            .iter()
            .map(|t| t.name.trim_start_matches("refs/tags/").to_owned())
            .collect()
    }

    /// Puts back everything the release changed and nobody changed since:
    /// the tags it made are deleted, the branch goes back (if it still
    /// points at the release commit), each file gets its old content back
    /// (if it still has the release's), and, when `index` is set, the index
    /// gets its saved bytes back. Returns what could not be restored.
    pub fn roll_back(&self, repo: &Repo, index: bool) -> Result<(), Vec<String>> {
        let git = repo.git();
        let mut problems = Vec::new();
        let head = oid(&self.head).map_err(|e| vec![e.to_string()])?;
        let commit = oid(&self.commit).map_err(|e| vec![e.to_string()])?;
        for tag in &self.tags {
            let Ok(mut reference) = git.find_reference(&tag.name) else {
                continue;
            };
            let Some(target) = reference.target() else {
                continue;
            };
            let ours = match &tag.object {
                Some(object) => Oid::from_str(object).ok() == Some(target),
                // A signed tag whose object was not recorded yet: ours if
                // it points at a release commit nobody else knew of.
                None => {
                    commit != head
                        && reference
                            .peel(ObjectType::Commit)
                            .is_ok_and(|c| c.id() == commit)
                }
            };
            if ours {
                if let Err(e) = reference.delete() {
                    problems.push(format!(
                        "the tag `{}` could not be deleted: {}",
                        tag.name.trim_start_matches("refs/tags/"),
                        e.message()
                    ));
                }
            }
        }
        let branch = self.branch.trim_start_matches("refs/heads/");
        if commit != head {
            match git.find_reference(&self.branch).map(|r| r.target()) {
                Ok(Some(now)) if now == commit => {
                    if let Err(e) = git.reference_matching(
                        &self.branch,
                        head,
                        true,
                        commit,
                        "git-release: undo the release commit",
                    ) {
                        problems.push(format!(
                            "`{branch}` could not be moved back to {}: {}",
                            short(head),
                            e.message()
                        ));
                    }
                }
                Ok(Some(now)) if now == head => {}
                Ok(Some(now)) => problems.push(format!(
                    "`{branch}` moved on since (it is at {}, not at the release commit {}), so it was left there",
                    short(now),
                    short(commit)
                )),
                _ => problems.push(format!(
                    "`{branch}` cannot be read, so it was not moved back to {}",
                    short(head)
                )),
            }
        }
        if let Some(root) = repo.workdir() {
            for file in &self.files {
                if let Err(problem) = restore_file(git, &root, file) {
                    problems.push(problem);
                }
            }
        }
        if index && self.index_saved {
            if let Err(problem) = restore_index(git) {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn short(id: Oid) -> String {
    id.to_string()[..7].to_owned()
}

fn in_progress(git: &git2::Repository) -> Error {
    Error::refused(
        format!(
            "another `git release tag` is writing a release here (`{}` exists)",
            location(git).display()
        ),
        &[
            "wait for it to finish; if none is running, run `git release tag` again to repair what it left",
        ],
    )
}

/// Puts a file back as it was before the release, unless someone changed it
/// since the release wrote it.
fn restore_file(git: &git2::Repository, root: &Path, file: &JournalFile) -> Result<(), String> {
    let path = root.join(&file.path);
    let shown = &file.path;
    let current = match std::fs::symlink_metadata(&path) {
        Ok(_) => Some(
            Oid::hash_file(ObjectType::Blob, &path)
                .map_err(|e| format!("`{shown}` could not be read: {}", e.message()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("`{shown}` could not be read: {e}")),
    };
    let new = Oid::from_str(&file.new.blob).ok();
    let old = file.old.as_ref().and_then(|o| Oid::from_str(&o.blob).ok());
    if current == old {
        return Ok(());
    }
    if current.is_some() && current != new {
        return Err(format!(
            "`{shown}` changed since the release wrote it, so it was left as it is"
        ));
    }
    match (&file.old, old) {
        (Some(entry), Some(old)) => {
            let blob = git
                .find_blob(old)
                .map_err(|e| format!("`{shown}`: its old content is missing: {}", e.message()))?;
            writer::write_atomically(&path, blob.content())
                .map_err(|e| format!("`{shown}` could not be restored: {e}"))?;
            set_executable(&path, entry.mode == 0o100755)
                .map_err(|e| format!("`{shown}` could not be restored: {e}"))
        }
        _ => std::fs::remove_file(&path)
            .map_err(|e| format!("`{shown}` (new in the release) could not be removed: {e}")),
    }
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    let wanted = if executable {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    };
    if wanted != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> std::io::Result<()> {
    Ok(())
}

/// Puts back the index bytes saved before the release, with git's lock
/// protocol (`index.lock`, then a rename).
fn restore_index(git: &git2::Repository) -> Result<(), String> {
    let saved = dir(git).join(INDEX_COPY);
    let bytes = std::fs::read(&saved)
        .map_err(|e| format!("the saved index `{}` cannot be read: {e}", saved.display()))?;
    let index = index_path(git);
    if std::fs::read(&index).is_ok_and(|now| now == bytes) {
        return Ok(());
    }
    let lock = git.path().join("index.lock");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "the index could not be restored: another git process holds `{}`",
                    lock.display()
                )
            } else {
                format!("the index could not be restored: {e}")
            }
        })?;
    let written = file
        .write_all(&bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&lock, &index));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&lock);
        return Err(format!("the index could not be restored: {e}"));
    }
    Ok(())
}

/// Whether the process that wrote a journal is still running (Linux can
/// tell; elsewhere a journal is taken to be left by a process that ended).
fn running(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .is_ok_and(|name| name.trim() == "git-release")
}

/// Deals with a release an earlier `tag` left unfinished: if its push
/// reached the remote, the release is complete and the journal goes;
/// otherwise everything it changed is rolled back. `None` when there was
/// nothing to resume.
pub fn resume(repo: &Repo) -> Result<Option<Resumed>, Error> {
    let git = repo.git();
    let Some(journal) = Journal::load(git)? else {
        return Ok(None);
    };
    if running(journal.pid) {
        return Err(Error::refused(
            format!(
                "another `git release tag` (process {}) is writing a release here",
                journal.pid
            ),
            &["wait for it to finish, then run `git release tag` again"],
        ));
    }
    let tags = journal.tag_names();
    if let (Some(remote), true) = (&journal.remote, journal.pushing) {
        match remote_has(repo, remote, &journal) {
            Ok(true) => {
                Journal::finish(git)?;
                return Ok(Some(Resumed::Finished {
                    tags,
                    remote: remote.clone(),
                }));
            }
            Ok(false) => {}
            Err(e) => {
                return Err(Error::refused(
                    format!(
                        "an interrupted `git release tag` of {} was pushing to `{remote}`, and whether the push arrived cannot be told: {e}",
                        tags.join(", ")
                    ),
                    &[&format!(
                        "run `git release tag` again once `{remote}` can be reached: it finishes the release if the push arrived, and undoes it otherwise"
                    )],
                ));
            }
        }
    }
    if let Err(problems) = journal.roll_back(repo, true) {
        return Err(Error::Refused {
            message: format!(
                "an interrupted `git release tag` of {} could not be fully undone: {}",
                tags.join(", "),
                problems.join("; ")
            ),
            hints: vec![
                "fix what is named above, then run `git release tag` again to finish undoing"
                    .to_owned(),
                format!(
                    "if you repaired the repository by hand, delete `{}`",
                    location(git).display()
                ),
            ],
        });
    }
    Journal::finish(git)?;
    Ok(Some(Resumed::RolledBack { tags }))
}

/// Whether `remote` has every tag of the journal, pointing at the objects
/// the release made (`git ls-remote`).
pub fn remote_has(repo: &Repo, remote: &str, journal: &Journal) -> Result<bool, String> {
    let git = repo.git();
    let mut wanted = Vec::new();
    for tag in &journal.tags {
        let object = match &tag.object {
            Some(object) => Some(object.clone()),
            None => git
                .find_reference(&tag.name)
                .ok()
                .and_then(|r| r.target())
                .map(|id| id.to_string()),
        };
        match object {
            Some(object) => wanted.push((tag.name.clone(), object)),
            // Never made locally, so never pushed.
            None => return Ok(false),
        }
    }
    let output = Command::new("git")
        .arg("ls-remote")
        .arg(remote)
        .args(wanted.iter().map(|(name, _)| name.as_str()))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("running `git ls-remote`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`git ls-remote {remote}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let listed = String::from_utf8_lossy(&output.stdout);
    Ok(wanted.iter().all(|(name, object)| {
        listed.lines().any(|line| {
            let mut parts = line.split('\t');
            parts.next() == Some(object.as_str()) && parts.next() == Some(name.as_str())
        })
    }))
}

/// Whether `.git/index` exists (a repository without commits may have none).
pub fn index_exists(git: &git2::Repository) -> bool {
    index_path(git).exists()
}

/// Reads a tag's object id after `git tag -s` made it.
pub fn tag_object(git: &git2::Repository, name: &str) -> Result<Oid, Error> {
    git.refname_to_id(name)
        .map_err(git_err(format!("reading `{name}`")))
        .map_err(Error::from)
}
