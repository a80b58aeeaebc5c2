//! Writing a release as one transaction that a failure, a signal or a crash
//! cannot leave half done.
//!
//! Order: every object (release commit, tag objects) and every check first,
//! which changes nothing anyone sees; then the [`journal`] (the state before
//! the release, a copy of the index); then the branch (compare-and-swap),
//! the tags, the files (each keeping its mode), the changed index entries,
//! and last the push, the one step that cannot be taken back. SIGINT,
//! SIGTERM and SIGHUP are deferred throughout: a signal before the push
//! undoes the release; one during the push lets `git push` finish, and the
//! push's outcome decides. A failure rolls back from the journal, comparing
//! every ref and file with what the release wrote so nothing anyone else
//! did is undone, and `.git/index` gets its saved bytes back; a crash leaves
//! the journal for the next `tag` to finish or roll back
//! ([`journal::resume`]).
//!
//! In: the release commit's [`Files`], tag messages and where to push.
//! Out: the released commit, or an error with everything undone.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use git2::{FileMode, ObjectType, Oid};

use crate::Error;
use crate::gate::evidence;
use crate::git::repo::{Repo, git_err};
use crate::interrupt::{self, Deferral};
use crate::release::contents::Files;
use crate::release::journal::{self, Entry, Journal, JournalFile, JournalTag};

/// One release to write.
#[derive(Clone, Copy)]
pub struct Release<'a> {
    /// The release commit's subject.
    pub subject: &'a str,
    /// The branch the release commit goes on.
    pub branch: &'a str,
    /// The candidate (HEAD).
    pub head: Oid,
    /// Each tag and its message.
    pub messages: &'a [(String, String)],
    /// What the release commit changes.
    pub files: &'a Files,
    /// Make signed tags with `git tag -s`.
    pub sign: bool,
    /// Push to this remote.
    pub push: Option<&'a str>,
    /// Who releases: git's committer identity.
    pub ident: &'a crate::git::identity::Ident,
}

/// A release that was written.
#[derive(Debug)]
pub struct Written {
    /// The released commit.
    pub commit: Oid,
    /// A signal that arrived while the push was under way; the push
    /// completed, so the release stands.
    pub signal_during_push: Option<&'static str>,
}

/// The refs `tag --push` pushes, atomically: the branch (when there is a
/// release commit), the tags and the evidence notes.
pub fn push_refs(
    git: &git2::Repository,
    branch: &str,
    tags: &[String],
    release_commit: bool,
) -> Vec<String> {
    let mut refs = Vec::new();
    if release_commit {
        refs.push(format!("refs/heads/{branch}:refs/heads/{branch}"));
    }
    for tag in tags {
        refs.push(format!("refs/tags/{tag}:refs/tags/{tag}"));
    }
    for notes in [evidence::TESTS_REF, evidence::APPROVALS_REF] {
        if git.find_reference(notes).is_ok() {
            refs.push(format!("{notes}:{notes}"));
        }
    }
    refs
}

/// Writes the release: the release commit (when files change), the branch,
/// the tags, the work tree and index, and the push. On any failure, what was
/// done is undone; `notify` hears about signals while the push runs.
pub fn write(repo: &Repo, release: &Release<'_>, notify: &dyn Fn(&str)) -> Result<Written, Error> {
    let git = repo.git();
    let deferral = interrupt::defer()?;
    let prepared = prepare(repo, release)?;
    let mut journal = prepared.journal.clone();
    journal.begin(git)?;
    let mut index_written = false;
    let result = act(
        repo,
        release,
        &prepared,
        &mut journal,
        &deferral,
        notify,
        &mut index_written,
    );
    match result {
        Ok(written) => {
            Journal::finish(git).map_err(|e| {
                Error::refused(
                    format!("the release is complete, but its journal could not be removed: {e}"),
                    &[&format!(
                        "delete `{}` by hand",
                        journal::location(git).display()
                    )],
                )
            })?;
            Ok(written)
        }
        Err(Failure::Keep(e)) => Err(e),
        Err(Failure::Undo(e)) => match journal.roll_back(repo, index_written) {
            Ok(()) => {
                Journal::finish(git)?;
                Err(e)
            }
            Err(problems) => {
                let mut hints = e.hints();
                hints.push(format!(
                    "fix what is named, then run `git release tag` again: it finishes undoing (from `{}`)",
                    journal::location(git).display()
                ));
                Err(Error::Refused {
                    message: format!(
                        "{e}\nundoing the release left something behind: {}",
                        problems.join("; ")
                    ),
                    hints,
                })
            }
        },
    }
}

/// Everything computed before the first visible write.
struct Prepared {
    /// The released commit: a new release commit, or HEAD.
    commit: Oid,
    /// Each tag's object (unsigned tags; signed ones are made by `git tag -s`).
    objects: Vec<Option<Oid>>,
    /// Each file's index entry: path in the tree, blob, mode.
    entries: Vec<(String, Oid, u32)>,
    /// The journal to record before writing.
    journal: Journal,
}

/// How a step failed: undo what was done, or keep it (a push whose outcome
/// is unknown: the next run decides).
enum Failure {
    Undo(Error),
    Keep(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Undo(e)
    }
}

impl From<crate::git::repo::RepoError> for Failure {
    fn from(e: crate::git::repo::RepoError) -> Failure {
        Failure::Undo(e.into())
    }
}

/// The objects, the checks and the journal: nothing anyone sees changes.
fn prepare(repo: &Repo, release: &Release<'_>) -> Result<Prepared, Error> {
    let git = repo.git();
    let Release {
        subject,
        branch,
        head,
        messages,
        files,
        sign,
        push,
        ident,
    } = *release;
    let signature = release_signature(ident)?;
    let parent = git.find_commit(head).map_err(git_err("reading HEAD"))?;
    let base = parent.tree().map_err(git_err("reading HEAD's tree"))?;
    let mut commit = head;
    let mut entries = Vec::new();
    let mut journal_files = Vec::new();
    if !files.is_empty() {
        let mut builder = git2::build::TreeUpdateBuilder::new();
        for (path, text, _) in files.iter() {
            let relative = tree_path(files.relative(path))?;
            // The mode HEAD's tree records (an executable stays executable).
            let mode = match base.get_path(Path::new(&relative)).map(|e| e.filemode()) {
                Ok(mode) if mode == i32::from(FileMode::BlobExecutable) => 0o100755,
                _ => 0o100644,
            };
            let blob = git
                .blob(text.as_bytes())
                .map_err(git_err("writing a release file"))?;
            builder.upsert(
                relative.as_str(),
                blob,
                if mode == 0o100755 {
                    FileMode::BlobExecutable
                } else {
                    FileMode::Blob
                },
            );
            let old = match std::fs::read(path) {
                Ok(bytes) => Some(Entry {
                    blob: git
                        .blob(&bytes)
                        .map_err(git_err("saving a release file's old content"))?
                        .to_string(),
                    mode: disk_mode(path),
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io(format!("reading `{}`", path.display()))(e)),
            };
            journal_files.push(JournalFile {
                path: relative.clone(),
                old,
                new: Entry {
                    blob: blob.to_string(),
                    mode,
                },
            });
            entries.push((relative, blob, mode));
        }
        let tree_id = builder
            .create_updated(git, &base)
            .map_err(git_err("building the release commit's tree"))?;
        let tree = git
            .find_tree(tree_id)
            .map_err(git_err("reading the release tree"))?;
        commit = git
            .commit(
                None,
                &signature,
                &signature,
                &format!("{subject}\n"),
                &tree,
                &[&parent],
            )
            .map_err(git_err("creating the release commit"))?;
        preflight_files(repo, files)?;
    }
    let mut objects = Vec::new();
    for (tag, message) in messages {
        if sign {
            objects.push(None);
            continue;
        }
        let target = git
            .find_object(commit, Some(ObjectType::Commit))
            .map_err(git_err("reading the release commit"))?;
        objects.push(Some(
            git.tag_annotation_create(tag, &target, &signature, message)
                .map_err(git_err("creating the tag object"))?,
        ));
    }
    let journal = Journal {
        version: 1,
        pid: std::process::id(),
        branch: format!("refs/heads/{branch}"),
        head: head.to_string(),
        commit: commit.to_string(),
        tags: messages
            .iter()
            .zip(&objects)
            .map(|((tag, _), object)| JournalTag {
                name: format!("refs/tags/{tag}"),
                object: object.map(|o| o.to_string()),
            })
            .collect(),
        files: journal_files,
        index_saved: !files.is_empty() && journal::index_exists(git),
        remote: push.map(str::to_owned),
        pushing: false,
    };
    Ok(Prepared {
        commit,
        objects,
        entries,
        journal,
    })
}

/// The release commit and tag carry the release time (GIT_RELEASE_NOW pins
/// it, for reproducible releases and tests).
/// The release commit and tag carry git's committer identity and the
/// release time (GIT_RELEASE_NOW pins it, for reproducible releases and tests).
fn release_signature(
    ident: &crate::git::identity::Ident,
) -> Result<git2::Signature<'static>, Error> {
    let now = crate::clock::now()?;
    Ok(git2::Signature::new(
        &ident.name,
        &ident.email,
        &git2::Time::new(now.as_second(), 0),
    )
    .map_err(git_err("making the release signature"))?)
}

/// A path in the work tree as a tree path (`/` separators, UTF-8).
fn tree_path(relative: &Path) -> Result<String, Error> {
    let text = relative.to_str().ok_or_else(|| {
        Error::refused(
            format!(
                "`{}` is not a UTF-8 path, so the release commit cannot record it",
                relative.display()
            ),
            &["rename the file, or leave it out of `version-files`"],
        )
    })?;
    Ok(text.replace('\\', "/"))
}

/// The git mode a file on disk has.
fn disk_mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0) {
            return 0o100755;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    0o100644
}

/// Checks, before anything is written, that the index can be updated and
/// each file's folder can be written in.
fn preflight_files(repo: &Repo, files: &Files) -> Result<(), Error> {
    let git = repo.git();
    let lock = git.path().join("index.lock");
    if lock.exists() {
        return Err(Error::refused(
            format!(
                "`{}` exists: another git process is using the index; nothing was written",
                lock.display()
            ),
            &[
                "wait for it to finish and run `git release tag` again; if no git process is running, delete the lock file",
            ],
        ));
    }
    let mut index = git.index().map_err(git_err("opening the index"))?;
    index.read(false).map_err(git_err("reading the index"))?;
    for (path, _, _) in files.iter() {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if let Err(e) = crate::git::writer::temp_file_in(dir) {
            return Err(Error::refused(
                format!(
                    "cannot write `{}`: {e}; nothing was written",
                    files.relative(path).display()
                ),
                &[
                    "make its folder writable (check its permissions and attributes), then run `git release tag` again",
                ],
            ));
        }
    }
    Ok(())
}

/// Refuses to go on once a signal arrived: the release is undone.
fn check_signal(deferral: &Deferral) -> Result<(), Failure> {
    match deferral.received() {
        Some(signal) => Err(Failure::Undo(Error::refused(
            format!("interrupted by {signal}: the release was undone and nothing was pushed"),
            &["run `git release tag` again to release"],
        ))),
        None => Ok(()),
    }
}

/// The steps that change refs, files, the index and the remote, in order.
fn act(
    repo: &Repo,
    release: &Release<'_>,
    prepared: &Prepared,
    journal: &mut Journal,
    deferral: &Deferral,
    notify: &dyn Fn(&str),
    index_written: &mut bool,
) -> Result<Written, Failure> {
    let git = repo.git();
    let Release {
        subject,
        branch,
        head,
        messages,
        files,
        sign,
        push,
        ident: _,
    } = *release;
    let commit = prepared.commit;

    // The branch moves first (compare-and-swap), then the tags appear.
    let head_ref = format!("refs/heads/{branch}");
    if commit != head {
        git.reference_matching(
            &head_ref,
            commit,
            true,
            head,
            &format!("git-release: {subject}"),
        )
        .map_err(git_err(format!("moving `{branch}` to the release commit")))?;
    }
    for ((tag, message), object) in messages.iter().zip(&prepared.objects) {
        match object {
            Some(object) => {
                git.reference(
                    &format!("refs/tags/{tag}"),
                    *object,
                    false,
                    "git-release: tag",
                )
                .map_err(|e| {
                    if e.code() == git2::ErrorCode::Exists {
                        Error::refused(
                            format!("the tag `{tag}` appeared while the release was being written"),
                            &[&format!("someone else tagged at the same time: look at `git show {tag}` and decide which release stands")],
                        )
                    } else {
                        git_err(format!("creating the tag `{tag}`"))(e).into()
                    }
                })?;
            }
            None if sign => {
                sign_tag(tag, message, commit)?;
                if let Some(entry) = journal
                    .tags
                    .iter_mut()
                    .find(|t| t.name == format!("refs/tags/{tag}"))
                {
                    entry.object = Some(journal::tag_object(git, &entry.name)?.to_string());
                }
                journal.update(git)?;
            }
            None => {}
        }
    }
    check_signal(deferral)?;

    // The work tree and the index follow the release commit.
    for (path, text, _) in files.iter() {
        crate::git::writer::write_atomically(path, text.as_bytes())?;
    }
    if !prepared.entries.is_empty() {
        update_index(repo, files, &prepared.entries, index_written)?;
    }
    check_signal(deferral)?;

    let Some(remote) = push else {
        return Ok(Written {
            commit,
            signal_during_push: None,
        });
    };
    journal.pushing = true;
    journal.update(git)?;
    let tags: Vec<String> = messages.iter().map(|(t, _)| t.clone()).collect();
    let refs = push_refs(git, branch, &tags, commit != head);
    push_and_wait(repo, remote, &refs, journal, deferral, notify).map(|signal| Written {
        commit,
        signal_during_push: signal,
    })
}

/// Makes a signed tag with `git tag -s` (git's signing configuration).
fn sign_tag(tag: &str, message: &str, commit: Oid) -> Result<(), Error> {
    let file = tempfile::NamedTempFile::new().map_err(Error::io("writing the tag message"))?;
    std::fs::write(file.path(), message).map_err(Error::io("writing the tag message"))?;
    let output = Command::new("git")
        .args(["tag", "-s", "-F"])
        .arg(file.path())
        .arg(tag)
        .arg(commit.to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(Error::io("running `git tag -s`"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("already exists") {
        return Err(Error::refused(
            format!("the tag `{tag}` appeared while the release was being written"),
            &[&format!(
                "someone else tagged at the same time: look at `git show {tag}` and decide which release stands"
            )],
        ));
    }
    Err(Error::refused(
        format!("`git tag -s` failed: {}", stderr.trim()),
        &["check git's signing setup (`gpg.format`, `user.signingkey`), or tag without `--sign`"],
    ))
}

/// Updates only the index entries of the files the release wrote (blob,
/// mode, and the stat data of the file just written), so every other
/// entry keeps its stat data and its skip-worktree and assume-unchanged bits.
fn update_index(
    repo: &Repo,
    files: &Files,
    entries: &[(String, Oid, u32)],
    written: &mut bool,
) -> Result<(), Error> {
    let git = repo.git();
    let mut index = git.index().map_err(git_err("opening the index"))?;
    index.read(false).map_err(git_err("reading the index"))?;
    for ((path, _, _), (relative, blob, mode)) in files.iter().zip(entries) {
        let meta =
            std::fs::metadata(path).map_err(Error::io(format!("reading `{}`", path.display())))?;
        let mut entry = stat_entry(&meta);
        entry.id = *blob;
        entry.mode = *mode;
        entry.path = relative.as_bytes().to_vec();
        if let Some(existing) = index.get_path(Path::new(relative), 0) {
            // Keep the bits git keeps (assume-unchanged, skip-worktree).
            entry.flags = existing.flags & git2::IndexEntryFlag::VALID.bits();
            entry.flags_extended =
                existing.flags_extended & git2::IndexEntryExtendedFlag::SKIP_WORKTREE.bits();
        }
        index
            .add(&entry)
            .map_err(git_err(format!("updating `{relative}` in the index")))?;
    }
    *written = true;
    index.write().map_err(git_err("writing the index"))?;
    Ok(())
}

/// An index entry carrying a file's stat data, as git records it.
fn stat_entry(meta: &std::fs::Metadata) -> git2::IndexEntry {
    let time = |seconds: i64, nanos: i64| {
        git2::IndexTime::new(
            i32::try_from(seconds).unwrap_or(i32::MAX),
            u32::try_from(nanos).unwrap_or(0),
        )
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        git2::IndexEntry {
            ctime: time(meta.ctime(), meta.ctime_nsec()),
            mtime: time(meta.mtime(), meta.mtime_nsec()),
            // The index keeps the low 32 bits, as git does.
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            mode: 0,
            uid: meta.uid(),
            gid: meta.gid(),
            file_size: u32::try_from(meta.len()).unwrap_or(u32::MAX),
            id: Oid::ZERO_SHA1,
            flags: 0,
            flags_extended: 0,
            path: Vec::new(),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = time;
        git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(meta.len()).unwrap_or(u32::MAX),
            id: Oid::ZERO_SHA1,
            flags: 0,
            flags_extended: 0,
            path: Vec::new(),
        }
    }
}

/// Runs `git push --atomic` and waits for it, even through signals. Returns
/// the signal that arrived meanwhile, if any, when the push succeeded.
fn push_and_wait(
    repo: &Repo,
    remote: &str,
    refs: &[String],
    journal: &Journal,
    deferral: &Deferral,
    notify: &dyn Fn(&str),
) -> Result<Option<&'static str>, Failure> {
    let doing = "running `git push`";
    let stdout = tempfile::tempfile().map_err(Error::io(doing))?;
    let stderr = tempfile::tempfile().map_err(Error::io(doing))?;
    let mut child = Command::new("git")
        .args(["push", "--atomic", "--porcelain", remote])
        .args(refs)
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().map_err(Error::io(doing))?)
        .stderr(stderr.try_clone().map_err(Error::io(doing))?)
        .spawn()
        .map_err(Error::io(doing))?;
    let mut told = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                return Err(Failure::Keep(Error::refused(
                    format!("lost track of `git push`: {e}; the release was left as it is"),
                    &[
                        "run `git release tag --push` again: it finishes the release if the push arrived, and undoes it otherwise",
                    ],
                )));
            }
        }
        if let (false, Some(signal)) = (told, deferral.received()) {
            notify(&format!(
                "received {signal}: letting `git push` finish, then keeping the release if it arrived and undoing it if not (a second {signal} stops at once; `git release tag` then repairs)"
            ));
            told = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |mut file: std::fs::File| {
        use std::io::{Read, Seek};
        let mut text = String::new();
        let _ = file.rewind();
        let _ = file.read_to_string(&mut text);
        text
    };
    let (out, err) = (read(stdout), read(stderr));
    if status.success() {
        return Ok(deferral.received());
    }
    if killed(&status) {
        // Stopped by a signal of its own (a Ctrl-C reaches the whole process
        // group): ask the remote what it has.
        return match journal::remote_has(repo, remote, journal) {
            Ok(true) => Ok(deferral.received().or(Some("a signal"))),
            Ok(false) => Err(Failure::Undo(Error::refused(
                format!(
                    "`git push` was interrupted before `{remote}` took the release: the release was undone"
                ),
                &["run `git release tag --push` again to release"],
            ))),
            Err(e) => Err(Failure::Keep(Error::refused(
                format!(
                    "`git push` was interrupted, and whether `{remote}` took the release cannot be told ({e}); the release was left as it is"
                ),
                &[
                    "run `git release tag --push` again once the remote can be reached: it finishes the release if the push arrived, and undoes it otherwise",
                ],
            ))),
        };
    }
    Err(Failure::Undo(push_error(remote, &out, &err)))
}

#[cfg(unix)]
fn killed(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal().is_some()
}

#[cfg(not(unix))]
fn killed(_: &std::process::ExitStatus) -> bool {
    false
}

/// Explains a failed atomic push from git's porcelain report: which refs
/// the remote refused and why, leaving out the refs refused only because
/// the push is atomic.
pub fn push_error(remote: &str, stdout: &str, stderr: &str) -> Error {
    let mut refused = Vec::new();
    let mut notes_behind = false;
    for line in stdout.lines() {
        let mut fields = line.split('\t');
        let (Some("!"), Some(refspec), Some(summary)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if summary.contains("atomic push failed") {
            continue;
        }
        let target = refspec.rsplit(':').next().unwrap_or(refspec);
        if target.starts_with("refs/notes/release/")
            && (summary.contains("non-fast-forward") || summary.contains("fetch first"))
        {
            notes_behind = true;
        }
        refused.push(format!("`{target}` {summary}"));
    }
    let mut hints = Vec::new();
    // GitHub (`GH006: Protected branch update failed`, rulesets: `Changes
    // must be made through a pull request`), GitLab, Gitea (`protected
    // branch`), Bitbucket (`can only be modified through pull requests`).
    let protected = |text: &str| {
        let text = text.to_ascii_lowercase();
        [
            "protected",
            "through a pull request",
            "through pull requests",
        ]
        .iter()
        .any(|phrase| text.contains(phrase))
    };
    if notes_behind {
        hints.push(
            "the remote has evidence this clone lacks: merge it with `git release sync`, then run `git release tag --push` again"
                .to_owned(),
        );
    }
    if protected(stdout) || protected(stderr) {
        hints.push(
            "the remote protects the branch: tag the approved commit itself with `git release tag --no-commit --push`, which pushes only the tag and the evidence (update the changelog afterwards with `git release changelog`, through a pull request), or push the release commit on a branch of its own and merge it through a pull request; if the tags are protected, ask for permission to push release tags"
                .to_owned(),
        );
    }
    if hints.is_empty() {
        hints.push(format!(
            "check the remote and your access (`git remote -v`, `git push --dry-run {remote}`), then run `git release tag --push` again"
        ));
    }
    let what = if refused.is_empty() {
        let detail = stderr.trim();
        if detail.is_empty() {
            "it failed".to_owned()
        } else {
            detail.to_owned()
        }
    } else {
        let mut text = format!("it rejected {}", refused.join(", "));
        let remote_says: Vec<&str> = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("remote: "))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if !remote_says.is_empty() {
            text.push_str(&format!("; the remote says: {}", remote_says.join(" / ")));
        }
        text
    };
    Error::Refused {
        message: format!(
            "`git push --atomic {remote}` failed, so the release was undone and nothing was tagged: {what}"
        ),
        hints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_push_names_the_refs_the_remote_refused_and_why() {
        let hook = "To ../remote.git\n!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n!\trefs/tags/v1:refs/tags/v1\t[remote rejected] (pre-receive hook declined)\nDone\n";
        let e = push_error(
            "origin",
            hook,
            "remote: no pushes today\nerror: failed to push some refs\n",
        );
        let text = e.to_string();
        assert!(
            text.contains("`refs/heads/main` [remote rejected] (pre-receive hook declined)"),
            "{text}"
        );
        assert!(text.contains("the remote says: no pushes today"), "{text}");
        assert!(
            !e.hints().iter().any(|h| h.contains("release sync")),
            "{:?}",
            e.hints()
        );
        // Notes refused only because the push is atomic are not blamed.
        let atomic = "!\trefs/heads/main:refs/heads/main\t[remote rejected] (protected branch hook declined)\n!\trefs/notes/release/tests:refs/notes/release/tests\t[rejected] (atomic push failed)\n";
        let e = push_error("origin", atomic, "");
        assert!(!e.to_string().contains("notes"), "{e}");
        assert!(
            e.hints()
                .iter()
                .any(|h| h.contains("pull request") && h.contains("--no-commit")),
            "{:?}",
            e.hints()
        );
        // GitHub's rulesets and Bitbucket say it without the word.
        for says in [
            "remote: - Changes must be made through a pull request.",
            "remote: Branch refs/heads/main can only be modified through pull requests.",
        ] {
            let e = push_error("origin", atomic.replace("protected ", "").as_str(), says);
            assert!(
                e.hints().iter().any(|h| h.contains("--no-commit")),
                "{says}: {:?}",
                e.hints()
            );
        }
        assert!(
            !e.hints().iter().any(|h| h.contains("release sync")),
            "{:?}",
            e.hints()
        );
        // Notes behind the remote's: the evidence hint.
        let behind = "!\trefs/heads/main:refs/heads/main\t[rejected] (atomic push failed)\n!\trefs/notes/release/tests:refs/notes/release/tests\t[rejected] (fetch first)\n";
        let e = push_error("origin", behind, "");
        assert!(
            e.hints().iter().any(|h| h.contains("git release sync")),
            "{:?}",
            e.hints()
        );
    }
}
