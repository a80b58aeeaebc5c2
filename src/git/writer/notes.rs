//! Notes updates, each a compare-and-swap of the notes ref: read the ref's
//! commit, build the new note blob, notes tree and notes commit on top of it,
//! and move the ref only if it still points where it did; on a lost race,
//! read again and rebuild, with bounded retry and backoff. Nothing is ever
//! force-written, so concurrent writers in one clone lose nothing, and a
//! writer reports success only once its line is in the note the ref holds.
//!
//! Objects are written (and flushed to disk) before the ref moves, so a crash
//! leaves at most unreferenced objects, or a stale `.lock` next to the ref.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, Tree};

use crate::git::identity::{Ident, IdentityError};
use crate::git::repo::Repo;

/// How long a writer keeps retrying a ref that other writers keep moving.
const PATIENCE: Duration = Duration::from_secs(10);
/// A ref lock older than this is taken for the remains of a crashed writer:
/// live writers hold it for milliseconds.
const STALE_LOCK: Duration = Duration::from_secs(2);
/// The longest pause between two attempts.
const MAX_BACKOFF_MS: u64 = 64;

/// Why a notes update did not happen.
#[derive(Debug, thiserror::Error)]
pub enum NotesError {
    /// Other writers kept winning the race until patience ran out.
    #[error(
        "gave up updating `{notes_ref}` after {attempts} attempts in {seconds}s: other writers kept changing it"
    )]
    Busy {
        /// The notes ref.
        notes_ref: String,
        /// How many times we tried.
        attempts: u32,
        /// For how long.
        seconds: u64,
    },
    /// The ref's lock file is old: a writer crashed or is stuck.
    #[error(
        "`{notes_ref}` is locked by `{}`, which is {age}s old: a git process crashed or is stuck while updating it",
        lock.display()
    )]
    StaleLock {
        /// The notes ref.
        notes_ref: String,
        /// The lock file.
        lock: PathBuf,
        /// Its age in seconds.
        age: u64,
    },
    /// The update landed, but the ref no longer holds the line.
    #[error(
        "the record was written in notes commit {commit}, but `{notes_ref}` no longer holds it: something rewrote the ref meanwhile"
    )]
    Vanished {
        /// The notes ref.
        notes_ref: String,
        /// The notes commit that held the line.
        commit: Oid,
    },
    /// The ref points at something that is not a notes commit.
    #[error("`{notes_ref}` points at {what}, not at a notes commit")]
    NotNotes {
        /// The notes ref.
        notes_ref: String,
        /// What it points at.
        what: String,
    },
    /// A record that is not one line.
    #[error("a record must be one non-empty line, and this one is not: `{0}`")]
    NotOneLine(String),
    /// The identity cannot sign the notes commit.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// libgit2 failed.
    #[error("{doing}: {source}")]
    Git {
        /// What we were doing.
        doing: String,
        /// The cause.
        source: git2::Error,
    },
    /// Flushing to disk failed.
    #[error("{doing}: {source}")]
    Io {
        /// What we were doing.
        doing: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl NotesError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            NotesError::Busy { .. } => {
                vec!["nothing was recorded: run the command again".to_owned()]
            }
            NotesError::StaleLock { lock, .. } => vec![
                format!(
                    "if no git or git-release process is running, remove the lock: `rm {}`",
                    lock.display()
                ),
                "nothing was recorded: run the command again afterwards".to_owned(),
            ],
            NotesError::Vanished { notes_ref, commit } => vec![
                format!("see what moved it: `git reflog {notes_ref}`"),
                format!(
                    "bring the record back with `git notes --ref {notes_ref} merge -s cat_sort_uniq {commit}`, or record it again"
                ),
            ],
            NotesError::NotNotes { notes_ref, .. } => vec![format!(
                "inspect it with `git log {notes_ref}`, and point it back at the last notes commit (`git reflog {notes_ref}`)"
            )],
            NotesError::Identity(e) => e.hints(),
            NotesError::NotOneLine(_) | NotesError::Git { .. } | NotesError::Io { .. } => {
                Vec::new()
            }
        }
    }
}

fn git_err(doing: impl Into<String>) -> impl FnOnce(git2::Error) -> NotesError {
    let doing = doing.into();
    move |source| NotesError::Git { doing, source }
}

/// Every note in a notes tree: the annotated object and the note's text.
pub type Snapshot = [(Oid, String)];

/// An append of one line to one note.
pub struct Append<'a> {
    /// The notes ref, e.g. `refs/notes/release/tests`.
    pub notes_ref: &'a str,
    /// The annotated object.
    pub target: Oid,
    /// Who records it (the notes commit's author and committer).
    pub ident: &'a Ident,
    /// What records it, for the notes commit message, e.g. `git release approve`.
    pub command: &'a str,
}

/// Appends a line to the note on `target`, keeping every line there and
/// every note of every other writer. `line` builds the line from the notes
/// the update builds on (for the record's `seq`); it is called again after
/// a lost race. Returns the line once the ref holds it.
pub fn append(
    repo: &Repo,
    update: &Append<'_>,
    mut line: impl FnMut(&Snapshot) -> Result<String, crate::Error>,
) -> Result<String, crate::Error> {
    let git = repo.git();
    let notes_ref = update.notes_ref;
    let signature = update.ident.signature().map_err(NotesError::from)?;
    let mut retry = Retry::new(git, notes_ref);
    // Notes read in an earlier attempt, by blob: most are unchanged.
    let mut cache = HashMap::new();
    loop {
        let base = current(git, notes_ref)?;
        let base_tree = match base {
            Some(commit) => Some(tree_of(git, notes_ref, commit)?),
            None => None,
        };
        let snapshot = match &base_tree {
            Some(tree) => read_all(git, notes_ref, tree, &mut cache)?,
            None => Vec::new(),
        };
        let line = line(&snapshot)?;
        if line.trim().is_empty() || line.contains(['\n', '\r']) {
            return Err(NotesError::NotOneLine(line.chars().take(200).collect()).into());
        }
        let existing = snapshot
            .iter()
            .find(|(annotated, _)| *annotated == update.target)
            .map(|(_, text)| text.as_str());
        if existing.is_some_and(|text| text.lines().any(|l| l == line)) {
            // Already there, byte for byte: nothing to add.
            return Ok(line);
        }
        let text = append_line(existing, &line);
        let mut written = Written::default();
        let blob = git
            .blob(text.as_bytes())
            .map_err(git_err(format!("writing a note for `{notes_ref}`")))?;
        written.objects.push(blob);
        let tree = with_note(git, notes_ref, base_tree.as_ref(), update.target, blob)?;
        written.trees(git, &tree, update.target);
        let message = format!(
            "Notes added by '{}'\n\nOn {}:\n{line}\n",
            update.command, update.target
        );
        let parents = match base {
            Some(commit) => vec![
                git.find_commit(commit)
                    .map_err(git_err(format!("reading `{notes_ref}`")))?,
            ],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let commit = git
            .commit(None, &signature, &signature, &message, &tree, &parent_refs)
            .map_err(git_err(format!("writing a notes commit for `{notes_ref}`")))?;
        written.objects.push(commit);
        written.flush(git)?;
        let reflog = format!("notes: Notes added by '{}'", update.command);
        match swap(git, notes_ref, base, commit, &reflog)? {
            Swapped::Done => {
                flush_ref(git, notes_ref)?;
                return verify(git, notes_ref, update.target, commit, &line).map(|()| line);
            }
            Swapped::Lost => retry.pause(false)?,
            Swapped::Locked => retry.pause(true)?,
        }
    }
}

/// How a merge of remote notes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merged {
    /// Ours already has everything theirs has.
    UpToDate,
    /// Ours moved to theirs, which already contained ours.
    FastForward,
    /// A merge commit joins both; this many notes changed.
    Merged(usize),
}

/// One notes ref to merge a remote notes commit into.
pub struct Incoming<'a> {
    /// Our notes ref, e.g. `refs/notes/release/tests`.
    pub notes_ref: &'a str,
    /// The remote's notes commit for it.
    pub theirs: Oid,
}

/// Merges each remote notes commit into its notes ref by line union: every
/// line of every note on both sides is kept once. The merges are built
/// first; then all refs are locked (with retry) and move together in one
/// transaction if none moved meanwhile (else all is built again), or none
/// does. `message` is the merge commits' message; `ident` is asked only
/// when a merge commit is needed.
pub fn merge(
    repo: &Repo,
    incoming: &[Incoming<'_>],
    message: &str,
    ident: &mut dyn FnMut() -> Result<Ident, crate::Error>,
) -> Result<Vec<Merged>, crate::Error> {
    let git = repo.git();
    let mut theirs = Vec::new();
    for inc in incoming {
        let tree = tree_of(git, inc.notes_ref, inc.theirs)?;
        theirs.push(read_all(git, inc.notes_ref, &tree, &mut HashMap::new())?);
    }
    let mut signature: Option<git2::Signature<'static>> = None;
    let Some(first) = incoming.first() else {
        return Ok(Vec::new());
    };
    let mut retry = Retry::new(git, first.notes_ref);
    'attempt: loop {
        let mut plan = Vec::new();
        for (inc, their_notes) in incoming.iter().zip(&theirs) {
            let base = current(git, inc.notes_ref)?;
            let (next, outcome) =
                merged(git, inc, base, their_notes, message, &mut signature, ident)?;
            plan.push((base, next, outcome));
        }
        if plan.iter().all(|(_, next, _)| next.is_none()) {
            return Ok(plan.into_iter().map(|(.., outcome)| outcome).collect());
        }
        let mut tx = git
            .transaction()
            .map_err(git_err("starting a notes transaction"))?;
        for (inc, (base, next, _)) in incoming.iter().zip(&plan) {
            if next.is_none() {
                continue;
            }
            match tx.lock_ref(inc.notes_ref) {
                Ok(()) => {}
                Err(e) if e.code() == ErrorCode::Locked => {
                    drop(tx);
                    retry.notes_ref = inc.notes_ref;
                    retry.pause(true)?;
                    continue 'attempt;
                }
                Err(e) => return Err(git_err(format!("locking `{}`", inc.notes_ref))(e).into()),
            }
            // Locked: what we read now stays true until commit.
            if current(git, inc.notes_ref)? != *base {
                drop(tx);
                retry.notes_ref = inc.notes_ref;
                retry.pause(false)?;
                continue 'attempt;
            }
        }
        let reflog = format!(
            "notes: {}",
            message.lines().next().unwrap_or("merged remote notes")
        );
        for (inc, (_, next, _)) in incoming.iter().zip(&plan) {
            if let Some(next) = next {
                tx.set_target(inc.notes_ref, *next, signature.as_ref(), &reflog)
                    .map_err(git_err(format!("updating `{}`", inc.notes_ref)))?;
            }
        }
        tx.commit().map_err(git_err("updating the notes refs"))?;
        for (inc, (_, next, _)) in incoming.iter().zip(&plan) {
            if next.is_some() {
                flush_ref(git, inc.notes_ref)?;
            }
        }
        return Ok(plan.into_iter().map(|(.., outcome)| outcome).collect());
    }
}

/// What `inc.notes_ref`, at `base`, becomes (`None`: it stays) when
/// `inc.theirs` is merged into it, writing the merge commit if one is
/// needed.
fn merged(
    git: &Repository,
    inc: &Incoming<'_>,
    base: Option<Oid>,
    their_notes: &Snapshot,
    message: &str,
    signature: &mut Option<git2::Signature<'static>>,
    ident: &mut dyn FnMut() -> Result<Ident, crate::Error>,
) -> Result<(Option<Oid>, Merged), crate::Error> {
    let notes_ref = inc.notes_ref;
    let theirs = inc.theirs;
    let Some(ours) = base else {
        return Ok((Some(theirs), Merged::FastForward));
    };
    if descends(git, notes_ref, ours, theirs)? {
        return Ok((None, Merged::UpToDate));
    }
    if descends(git, notes_ref, theirs, ours)? {
        return Ok((Some(theirs), Merged::FastForward));
    }
    let our_tree = tree_of(git, notes_ref, ours)?;
    let mut tree = our_tree.clone();
    let mut written = Written::default();
    let mut changed = 0;
    for (target, their_text) in their_notes {
        let ours_text = match find(git, &our_tree, *target)? {
            Some((_, blob)) => Some(blob_text(git, notes_ref, blob)?),
            None => None,
        };
        let text = union(ours_text.as_deref(), their_text);
        if ours_text.as_deref() == Some(text.as_str()) {
            continue;
        }
        let blob = git
            .blob(text.as_bytes())
            .map_err(git_err(format!("writing a merged note for `{notes_ref}`")))?;
        written.objects.push(blob);
        tree = with_note(git, notes_ref, Some(&tree), *target, blob)?;
        written.trees(git, &tree, *target);
        changed += 1;
    }
    let signature = match signature {
        Some(s) => &*s,
        None => &*signature.insert(ident()?.signature().map_err(NotesError::from)?),
    };
    let parents = [
        git.find_commit(ours)
            .map_err(git_err(format!("reading `{notes_ref}`")))?,
        git.find_commit(theirs)
            .map_err(git_err(format!("reading the remote's `{notes_ref}`")))?,
    ];
    let commit = git
        .commit(
            None,
            signature,
            signature,
            message,
            &tree,
            &[&parents[0], &parents[1]],
        )
        .map_err(git_err(format!("writing a notes merge for `{notes_ref}`")))?;
    written.objects.push(commit);
    written.flush(git)?;
    Ok((Some(commit), Merged::Merged(changed)))
}

/// The text of a note with `line` appended, keeping every non-blank line
/// already there once (line union with one line).
pub fn append_line(existing: Option<&str>, line: &str) -> String {
    union(existing, line)
}

/// The line union of two notes: our lines in their order, then their lines
/// that we lack, each once, blank lines dropped, ending in a newline.
pub fn union(ours: Option<&str>, theirs: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut text = String::new();
    for line in ours.unwrap_or("").lines().chain(theirs.lines()) {
        if line.trim().is_empty() || !seen.insert(line) {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The commit `notes_ref` points at now, if it exists.
fn current(git: &Repository, notes_ref: &str) -> Result<Option<Oid>, NotesError> {
    match git.find_reference(notes_ref) {
        Ok(reference) => match reference.target() {
            Some(id) => Ok(Some(id)),
            None => Err(NotesError::NotNotes {
                notes_ref: notes_ref.to_owned(),
                what: "another ref (it is symbolic)".to_owned(),
            }),
        },
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(git_err(format!("reading `{notes_ref}`"))(e)),
    }
}

fn tree_of<'r>(git: &'r Repository, notes_ref: &str, commit: Oid) -> Result<Tree<'r>, NotesError> {
    let object = git
        .find_object(commit, None)
        .map_err(git_err(format!("reading `{notes_ref}` at {commit}")))?;
    match object.kind() {
        Some(ObjectType::Commit) => object
            .peel_to_tree()
            .map_err(git_err(format!("reading the tree of `{notes_ref}`"))),
        kind => Err(NotesError::NotNotes {
            notes_ref: notes_ref.to_owned(),
            what: format!("the {} {commit}", kind.map_or("object", |k| k.str())),
        }),
    }
}

/// Whether `commit` descends from (or is) `ancestor`.
fn descends(
    git: &Repository,
    notes_ref: &str,
    commit: Oid,
    ancestor: Oid,
) -> Result<bool, NotesError> {
    if commit == ancestor {
        return Ok(true);
    }
    git.graph_descendant_of(commit, ancestor)
        .map_err(git_err(format!("comparing the histories of `{notes_ref}`")))
}

fn blob_text(git: &Repository, notes_ref: &str, blob: Oid) -> Result<String, NotesError> {
    let blob = git
        .find_blob(blob)
        .map_err(git_err(format!("reading a note in `{notes_ref}`")))?;
    Ok(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Every note in a notes tree, fan-out directories included; `cache` holds
/// the texts of blobs already read.
fn read_all(
    git: &Repository,
    notes_ref: &str,
    tree: &Tree<'_>,
    cache: &mut HashMap<Oid, String>,
) -> Result<Vec<(Oid, String)>, NotesError> {
    let mut found = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return git2::TreeWalkResult::Ok;
        }
        let Ok(name) = entry.name() else {
            return git2::TreeWalkResult::Ok;
        };
        let hex: String = dir
            .chars()
            .filter(|c| *c != '/')
            .chain(name.chars())
            .collect();
        if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(annotated) = Oid::from_str(&hex) {
                found.push((annotated, entry.id()));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(git_err(format!("listing notes `{notes_ref}`")))?;
    let mut notes = Vec::with_capacity(found.len());
    for (annotated, blob) in found {
        let text = match cache.get(&blob) {
            Some(text) => text.clone(),
            None => {
                let text = blob_text(git, notes_ref, blob)?;
                cache.insert(blob, text.clone());
                text
            }
        };
        notes.push((annotated, text));
    }
    Ok(notes)
}

/// Where the note on `target` is in a notes tree (or would go), and its blob
/// if there is one. Like git and libgit2, follows the two-hex-digit fan-out
/// directories that exist.
fn find(
    git: &Repository,
    root: &Tree<'_>,
    target: Oid,
) -> Result<Option<(String, Oid)>, NotesError> {
    let (path, blob) = locate(git, root, target)?;
    Ok(blob.map(|b| (path, b)))
}

fn locate(
    git: &Repository,
    root: &Tree<'_>,
    target: Oid,
) -> Result<(String, Option<Oid>), NotesError> {
    let hex = target.to_string();
    let mut rest = hex.as_str();
    let mut prefix = String::new();
    let mut tree = root.clone();
    loop {
        if let Some(entry) = tree.get_name(rest) {
            if entry.kind() == Some(ObjectType::Blob) {
                return Ok((format!("{prefix}{rest}"), Some(entry.id())));
            }
        }
        let next = match rest.get(..2).and_then(|dir| tree.get_name(dir)) {
            Some(entry) if rest.len() > 2 && entry.kind() == Some(ObjectType::Tree) => {
                Some(entry.id())
            }
            _ => None,
        };
        match next {
            Some(id) => {
                prefix.push_str(&rest[..2]);
                prefix.push('/');
                rest = &rest[2..];
                tree = git
                    .find_tree(id)
                    .map_err(git_err("reading a notes fan-out directory"))?;
            }
            None => return Ok((format!("{prefix}{rest}"), None)),
        }
    }
}

/// The notes tree `base` (or an empty one) with the note on `target` set to `blob`.
fn with_note<'r>(
    git: &'r Repository,
    notes_ref: &str,
    base: Option<&Tree<'r>>,
    target: Oid,
    blob: Oid,
) -> Result<Tree<'r>, NotesError> {
    let empty;
    let base = match base {
        Some(tree) => tree,
        None => {
            let id = git
                .treebuilder(None)
                .and_then(|b| b.write())
                .map_err(git_err("writing an empty notes tree"))?;
            empty = git
                .find_tree(id)
                .map_err(git_err("reading an empty notes tree"))?;
            &empty
        }
    };
    let (path, _) = locate(git, base, target)?;
    let id = git2::build::TreeUpdateBuilder::new()
        .upsert(path.as_str(), blob, FileMode::Blob)
        .create_updated(git, base)
        .map_err(git_err(format!("writing the notes tree of `{notes_ref}`")))?;
    git.find_tree(id)
        .map_err(git_err(format!("reading the notes tree of `{notes_ref}`")))
}

/// How a compare-and-swap ended.
enum Swapped {
    Done,
    /// The ref moved (or appeared) since we read it.
    Lost,
    /// Another writer holds the ref's lock.
    Locked,
}

/// Moves `notes_ref` from `old` (`None`: it must not exist) to `new`, only
/// if it still points at `old`: libgit2 compares under the ref's lock, in
/// one call, so the lock is held for as short a time as possible.
fn swap(
    git: &Repository,
    notes_ref: &str,
    old: Option<Oid>,
    new: Oid,
    reflog: &str,
) -> Result<Swapped, NotesError> {
    if current(git, notes_ref)? != old {
        // Lost already: no need to take the lock to find out.
        return Ok(Swapped::Lost);
    }
    // The zero id means "must not exist yet", checked under the lock too:
    // libgit2's create-if-absent (`force = false`) checks before locking.
    let expected = old.unwrap_or(Oid::ZERO_SHA1);
    let result = git.reference_matching(notes_ref, new, true, expected, reflog);
    match result {
        Ok(_) => Ok(Swapped::Done),
        Err(e) => match e.code() {
            ErrorCode::Modified | ErrorCode::Exists | ErrorCode::NotFound => Ok(Swapped::Lost),
            ErrorCode::Locked => Ok(Swapped::Locked),
            _ => Err(git_err(format!("updating `{notes_ref}`"))(e)),
        },
    }
}

/// Checks that the ref, as it is now, holds `line` in the note on `target`.
fn verify(
    git: &Repository,
    notes_ref: &str,
    target: Oid,
    commit: Oid,
    line: &str,
) -> Result<(), crate::Error> {
    let vanished = || NotesError::Vanished {
        notes_ref: notes_ref.to_owned(),
        commit,
    };
    let Some(now) = current(git, notes_ref)? else {
        return Err(vanished().into());
    };
    let tree = tree_of(git, notes_ref, now)?;
    let Some((_, blob)) = find(git, &tree, target)? else {
        return Err(vanished().into());
    };
    if blob_text(git, notes_ref, blob)?.lines().any(|l| l == line) {
        Ok(())
    } else {
        Err(vanished().into())
    }
}

/// Retry with backoff until patience runs out or a lock looks stale.
struct Retry<'r> {
    git: &'r Repository,
    notes_ref: &'r str,
    started: Instant,
    attempts: u32,
}

impl<'r> Retry<'r> {
    fn new(git: &'r Repository, notes_ref: &'r str) -> Retry<'r> {
        Retry {
            git,
            notes_ref,
            started: Instant::now(),
            attempts: 0,
        }
    }

    fn pause(&mut self, locked: bool) -> Result<(), NotesError> {
        self.attempts += 1;
        if locked {
            let lock = lock_path(self.git, self.notes_ref);
            let age = std::fs::metadata(&lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok());
            if let Some(age) = age.filter(|a| *a > STALE_LOCK) {
                return Err(NotesError::StaleLock {
                    notes_ref: self.notes_ref.to_owned(),
                    lock,
                    age: age.as_secs(),
                });
            }
        }
        if self.started.elapsed() > PATIENCE {
            return Err(NotesError::Busy {
                notes_ref: self.notes_ref.to_owned(),
                attempts: self.attempts,
                seconds: self.started.elapsed().as_secs(),
            });
        }
        // Exponential backoff with jitter, so writers that collided spread out.
        let ceiling = 1u64 << self.attempts.min(6);
        let ceiling = ceiling.min(MAX_BACKOFF_MS);
        let millis = 1 + jitter() % ceiling;
        std::thread::sleep(Duration::from_millis(millis));
        Ok(())
    }
}

fn jitter() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    if let Ok(t) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        hasher.write_u128(t.as_nanos());
    }
    hasher.finish()
}

fn lock_path(git: &Repository, notes_ref: &str) -> PathBuf {
    git.commondir().join(format!("{notes_ref}.lock"))
}

/// The objects one update wrote, to flush before the ref points at them.
#[derive(Default)]
struct Written {
    objects: Vec<Oid>,
}

impl Written {
    /// Adds the trees along the note's path in `tree`.
    fn trees(&mut self, git: &Repository, tree: &Tree<'_>, target: Oid) {
        self.objects.push(tree.id());
        let hex = target.to_string();
        let mut rest = hex.as_str();
        let mut current = tree.clone();
        loop {
            let subtree = rest
                .get(..2)
                .and_then(|dir| current.get_name(dir))
                .filter(|entry| entry.kind() == Some(ObjectType::Tree) && rest.len() > 2)
                .map(|entry| entry.id());
            let Some(id) = subtree else {
                break;
            };
            self.objects.push(id);
            let Ok(next) = git.find_tree(id) else {
                break;
            };
            current = next;
            rest = &rest[2..];
        }
    }

    /// Flushes the loose objects written (those already packed need nothing).
    fn flush(&self, git: &Repository) -> Result<(), NotesError> {
        let objects = git.commondir().join("objects");
        let mut dirs = Vec::new();
        for id in &self.objects {
            let hex = id.to_string();
            let dir = objects.join(&hex[..2]);
            if sync_file(&dir.join(&hex[2..]))? && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for dir in dirs {
            sync_file(&dir)?;
        }
        Ok(())
    }
}

/// Flushes the loose ref file and its directory.
fn flush_ref(git: &Repository, notes_ref: &str) -> Result<(), NotesError> {
    let path = git.commondir().join(notes_ref);
    if sync_file(&path)? {
        if let Some(dir) = path.parent() {
            sync_file(dir)?;
        }
    }
    Ok(())
}

/// fsyncs a file or directory; `false` when it does not exist.
fn sync_file(path: &Path) -> Result<bool, NotesError> {
    match std::fs::File::open(path) {
        Ok(file) => {
            file.sync_all().map_err(|source| NotesError::Io {
                doing: format!("flushing `{}` to disk", path.display()),
                source,
            })?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(NotesError::Io {
            doing: format!("opening `{}` to flush it", path.display()),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_every_line_once_in_order() {
        assert_eq!(union(None, "a\n"), "a\n");
        assert_eq!(union(Some("a\nb\n"), "b\nc"), "a\nb\nc\n");
        assert_eq!(union(Some("a\n\n  \na\n"), ""), "a\n");
        assert_eq!(append_line(Some("one\ntwo"), "one"), "one\ntwo\n");
    }
}
