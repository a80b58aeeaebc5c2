//! The repository reader: opening the repository, listing tags, and the one
//! bounded history walk from a candidate back to the release tags. The only
//! code that walks history.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{Commit, ErrorCode, ObjectType, Oid, Repository};

use crate::git::tags::RawTag;

mod walk_many;
pub use walk_many::ManyWalk;

/// What changed between two trees ([`Repo::diff_summary`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffSummary {
    /// Changed paths, sorted.
    pub files: Vec<String>,
    /// Lines added.
    pub insertions: usize,
    /// Lines removed.
    pub deletions: usize,
}

/// An open repository.
pub struct Repo {
    repo: Repository,
    /// The commit-graph, opened on first use (`None` inside: there is none).
    graph: std::cell::OnceCell<Option<crate::git::commit_graph::CommitGraph>>,
}

impl From<Repository> for Repo {
    fn from(repo: Repository) -> Repo {
        Repo {
            repo,
            graph: std::cell::OnceCell::new(),
        }
    }
}

/// What went wrong reading the repository.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// Not inside a repository.
    #[error("not a git repository (or any parent directory): {0}")]
    NotARepository(String),
    /// The clone is shallow, so history is incomplete.
    #[error(
        "this is a shallow clone: the history since the last release is incomplete, so the version would be wrong"
    )]
    Shallow,
    /// No commits at all.
    #[error("the repository has no commits yet")]
    Empty,
    /// HEAD names a branch with no commits.
    #[error("HEAD points at the unborn branch `{0}`, which has no commits yet")]
    Unborn(String),
    /// A revision that does not resolve to a commit.
    #[error("cannot resolve `{rev}` to a commit: {message}")]
    BadRevision {
        /// What the user gave.
        rev: String,
        /// libgit2's reason.
        message: String,
    },
    /// Any other libgit2 failure, with what we were doing.
    #[error("{doing}: {source}")]
    Git {
        /// What we were doing.
        doing: String,
        /// The cause.
        source: git2::Error,
    },
}

impl RepoError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            RepoError::NotARepository(_) => {
                vec!["run `git release` inside a git repository, or set `GIT_DIR`".to_owned()]
            }
            RepoError::Shallow => vec![
                "fetch the whole history and the tags: `git fetch --unshallow --tags`".to_owned(),
                "in CI, check out with full depth (for GitHub Actions: `fetch-depth: 0`)"
                    .to_owned(),
            ],
            RepoError::Empty | RepoError::Unborn(_) => {
                vec!["make a first commit, then run `git release` again".to_owned()]
            }
            RepoError::BadRevision { .. } => {
                vec!["give a commit, branch or tag that exists, e.g. `HEAD` or `main`".to_owned()]
            }
            RepoError::Git { .. } => Vec::new(),
        }
    }
}

/// Wraps a libgit2 error with what we were doing.
pub fn git_err(doing: impl Into<String>) -> impl FnOnce(git2::Error) -> RepoError {
    let doing = doing.into();
    move |source| RepoError::Git { doing, source }
}

/// A commit as the history walk reads it: the raw object, parsed just
/// enough (tree, parents, times, where the author and message are). Reading
/// the object database directly skips libgit2's full commit parse and its
/// allocations, which dominate a whole-history walk.
#[derive(Clone)]
pub struct RawCommit {
    id: Oid,
    tree: Oid,
    parents: Vec<Oid>,
    time: i64,
    author: std::ops::Range<usize>,
    message: usize,
    data: Vec<u8>,
}

/// A commit's author, as recorded.
pub struct Author<'a> {
    /// The name.
    pub name: &'a [u8],
    /// The e-mail address.
    pub email: &'a [u8],
    /// Seconds since the epoch.
    pub time: i64,
}

impl RawCommit {
    /// A commit known from the commit-graph: parents, tree and time, with
    /// no message or author until [`Repo::read_message`] reads the object.
    fn from_graph(id: Oid, known: crate::git::commit_graph::GraphCommit) -> RawCommit {
        RawCommit {
            id,
            tree: known.tree,
            parents: known.parents,
            time: known.time,
            author: 0..0,
            message: 0,
            data: Vec::new(),
        }
    }

    /// The same commit without its message and author (to be read again
    /// with [`Repo::read_message`]): what a walk over the whole history
    /// keeps, so its memory does not grow with the messages.
    pub fn unread(&self) -> RawCommit {
        RawCommit {
            id: self.id,
            tree: self.tree,
            parents: self.parents.clone(),
            time: self.time,
            author: 0..0,
            message: 0,
            data: Vec::new(),
        }
    }

    /// Whether the object was read (it has its message and author).
    pub fn is_read(&self) -> bool {
        !self.data.is_empty()
    }

    /// Parses a commit object's bytes.
    pub fn parse(id: Oid, data: Vec<u8>) -> Option<RawCommit> {
        let mut tree = None;
        let mut parents = Vec::with_capacity(1);
        let mut time = 0;
        let mut author = 0..0;
        let mut at = 0;
        let mut message = data.len();
        while at < data.len() {
            let end = data[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |i| at + i);
            let line = &data[at..end];
            if line.is_empty() {
                message = (end + 1).min(data.len());
                break;
            }
            if let Some(hex) = line.strip_prefix(b"tree ") {
                tree = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| Oid::from_str(h).ok());
            } else if let Some(hex) = line.strip_prefix(b"parent ") {
                parents.push(
                    std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| Oid::from_str(h).ok())?,
                );
            } else if line.starts_with(b"author ") {
                author = at + 7..end;
            } else if let Some(value) = line.strip_prefix(b"committer ") {
                time = signature_time(value);
            }
            at = end + 1;
        }
        Some(RawCommit {
            id,
            tree: tree?,
            parents,
            time,
            author,
            message,
            data,
        })
    }

    /// The commit's id.
    pub fn id(&self) -> Oid {
        self.id
    }

    /// Its tree.
    pub fn tree_id(&self) -> Oid {
        self.tree
    }

    /// Its parents.
    pub fn parent_ids(&self) -> impl Iterator<Item = Oid> + '_ {
        self.parents.iter().copied()
    }

    /// The `n`th parent.
    pub fn parent_id(&self, n: usize) -> Option<Oid> {
        self.parents.get(n).copied()
    }

    /// How many parents.
    pub fn parent_count(&self) -> usize {
        self.parents.len()
    }

    /// Committer time, seconds since the epoch.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The message (leading blank lines removed, as git shows it).
    pub fn message_bytes(&self) -> &[u8] {
        let message = &self.data[self.message..];
        let start = message
            .iter()
            .position(|&b| b != b'\n')
            .unwrap_or(message.len());
        &message[start..]
    }

    /// The author.
    pub fn author(&self) -> Author<'_> {
        let value = &self.data[self.author.clone()];
        let (name, rest) = match value.iter().position(|&b| b == b'<') {
            Some(lt) => (value[..lt].trim_ascii(), &value[lt + 1..]),
            None => (value.trim_ascii(), &value[value.len()..]),
        };
        let (email, rest) = match rest.iter().position(|&b| b == b'>') {
            Some(gt) => (&rest[..gt], &rest[gt + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        Author {
            name,
            email,
            time: signature_time_after(rest),
        }
    }
}

/// The time in a `Name <email> 1234567890 +0000` value.
fn signature_time(value: &[u8]) -> i64 {
    match value.iter().rposition(|&b| b == b'>') {
        Some(gt) => signature_time_after(&value[gt + 1..]),
        None => 0,
    }
}

fn signature_time_after(rest: &[u8]) -> i64 {
    rest.split(|&b| b == b' ')
        .find(|w| !w.is_empty())
        .and_then(|w| std::str::from_utf8(w).ok())
        .and_then(|w| w.parse().ok())
        .unwrap_or(0)
}

/// An index entry git does not compare with the work tree (see
/// [`Repo::hidden_entries`]).
pub struct HiddenEntry {
    /// Its path, relative to the work tree.
    pub path: String,
    /// The blob the index records.
    pub id: Oid,
    /// The mode the index records.
    pub mode: u32,
    /// Set by `--skip-worktree` or a sparse checkout (otherwise it is
    /// `--assume-unchanged`).
    pub skip_worktree: bool,
}

/// The result of the history walk.
pub struct Walk<'r> {
    /// Commits reachable from the candidate and from no stop commit, newest first.
    pub commits: Vec<RawCommit>,
    /// Ties the walk to the repository it read.
    _repo: std::marker::PhantomData<&'r Repository>,
    /// Stop commits met by the walk (release tags nearest to the candidate).
    pub frontier: Vec<Oid>,
}

impl Repo {
    /// Opens the repository the way git does: `GIT_DIR`, or the current
    /// directory and its parents.
    pub fn open() -> Result<Repo, RepoError> {
        let repo = Repository::open_from_env()
            .map_err(|e| RepoError::NotARepository(e.message().to_owned()))?;
        Ok(Repo::from(repo))
    }

    /// Opens the repository at `path`.
    pub fn open_at(path: &Path) -> Result<Repo, RepoError> {
        let repo = Repository::discover(path)
            .map_err(|e| RepoError::NotARepository(e.message().to_owned()))?;
        Ok(Repo::from(repo))
    }

    /// The commit-graph, unless there is none or `core.commitGraph` is off.
    fn graph(&self) -> Option<&crate::git::commit_graph::CommitGraph> {
        self.graph
            .get_or_init(|| {
                let enabled = self
                    .repo
                    .config()
                    .and_then(|c| c.get_bool("core.commitGraph"))
                    .unwrap_or(true);
                enabled
                    .then(|| {
                        crate::git::commit_graph::CommitGraph::open(
                            &self.repo.commondir().join("objects"),
                        )
                    })
                    .flatten()
            })
            .as_ref()
    }

    /// A commit's root tree, from the commit-graph when it knows the commit.
    pub fn root_tree(&self, commit: Oid) -> Result<Oid, RepoError> {
        match self.graph().and_then(|g| g.get(commit)) {
            Some(known) => Ok(known.tree),
            None => Ok(self.commit(commit)?.tree_id()),
        }
    }

    /// The underlying libgit2 repository.
    pub fn git(&self) -> &Repository {
        &self.repo
    }

    /// The work tree root, if the repository has one.
    pub fn workdir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// A `git` command acting on this repository, started where git itself
    /// would find it: the work tree, or `GIT_DIR` for a bare repository.
    pub fn git_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        match self.repo.workdir() {
            Some(root) => {
                cmd.current_dir(root);
            }
            None => {
                cmd.env("GIT_DIR", self.repo.path());
            }
        }
        cmd
    }

    /// Refuses a shallow clone.
    pub fn ensure_complete(&self) -> Result<(), RepoError> {
        if self.repo.is_shallow() {
            return Err(RepoError::Shallow);
        }
        Ok(())
    }

    /// Resolves the candidate: `rev`, or HEAD.
    pub fn candidate(&self, rev: Option<&str>) -> Result<Oid, RepoError> {
        match rev {
            Some(rev) => self.resolve(rev),
            None => self.head(),
        }
    }

    /// The commit HEAD points at, refusing empty repositories and unborn branches.
    pub fn head(&self) -> Result<Oid, RepoError> {
        match self.repo.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(|c| c.id())
                .map_err(git_err("reading the commit HEAD points at")),
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                if self.repo.is_empty().unwrap_or(false) {
                    return Err(RepoError::Empty);
                }
                let branch = self
                    .repo
                    .find_reference("HEAD")
                    .ok()
                    .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_owned))
                    .unwrap_or_else(|| "HEAD".to_owned());
                Err(RepoError::Unborn(
                    branch.trim_start_matches("refs/heads/").to_owned(),
                ))
            }
            Err(e) => Err(git_err("reading HEAD")(e)),
        }
    }

    /// Resolves a revision to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<Oid, RepoError> {
        let bad = |message: String| RepoError::BadRevision {
            rev: rev.to_owned(),
            message,
        };
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|e| bad(e.message().to_owned()))?;
        let commit = object.peel(ObjectType::Commit).map_err(|_| {
            bad(format!(
                "it names a {}, not a commit",
                kind_name(object.kind())
            ))
        })?;
        Ok(commit.id())
    }

    /// The current branch name, or `None` on a detached HEAD.
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        head.shorthand().ok().map(str::to_owned)
    }

    /// Every tag whose name `wanted` accepts, peeled to its commit (`None`
    /// for tags of trees and blobs). Also returns how many were not wanted.
    /// Tag names that are not UTF-8 are counted as not wanted.
    pub fn tags(&self, wanted: impl Fn(&str) -> bool) -> Result<(Vec<RawTag>, usize), RepoError> {
        let mut tags = Vec::new();
        let mut unwanted = 0;
        let refs = self
            .repo
            .references_glob("refs/tags/*")
            .map_err(git_err("listing tags"))?;
        for reference in refs {
            let reference = reference.map_err(git_err("listing tags"))?;
            let Some(name) = reference
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/tags/"))
            else {
                unwanted += 1;
                continue;
            };
            if !wanted(name) {
                unwanted += 1;
                continue;
            }
            // One object read per tag at most: packed refs carry the peeled
            // id; otherwise the ref's target says what it is.
            let commit = match (reference.target_peel(), reference.target()) {
                (Some(peeled), _) => Some(peeled),
                (None, Some(target)) => match self.repo.find_object(target, None) {
                    Ok(object) => match object.kind() {
                        Some(ObjectType::Commit) => Some(target),
                        Some(ObjectType::Tag) => {
                            object.peel(ObjectType::Commit).ok().map(|c| c.id())
                        }
                        _ => None,
                    },
                    Err(_) => None,
                },
                (None, None) => reference.resolve().ok().and_then(|r| r.target()),
            };
            tags.push(RawTag {
                name: name.to_owned(),
                commit,
            });
        }
        Ok((tags, unwanted))
    }

    /// Whether `commit` changes anything under `paths` (other than files
    /// matching `exclude`) compared with its first parent. Like git's own
    /// path limiting, trees are compared entry by entry from the root down,
    /// stopping where the ids agree, so unchanged subtrees are never read;
    /// a diff is made only when excludes must be checked. `cache` keeps
    /// commits' tree ids.
    pub fn touches(
        &self,
        commit: &RawCommit,
        paths: &[PathBuf],
        exclude: Option<&globset::GlobSet>,
        cache: &mut HashMap<Oid, Oid>,
    ) -> Result<bool, RepoError> {
        let mine = commit.tree_id();
        let theirs = match commit.parent_id(0) {
            Some(parent) => match cache.get(&parent) {
                Some(tree) => Some(*tree),
                None => {
                    let tree = self.root_tree(parent)?;
                    cache.insert(parent, tree);
                    Some(tree)
                }
            },
            None => None,
        };
        cache.insert(commit.id(), mine);
        for path in paths {
            let Some((a, b)) = self.differing_entries(mine, theirs, path)? else {
                continue;
            };
            match exclude {
                None => return Ok(true),
                Some(exclude) => {
                    if self.changed_outside(path, a, b, exclude)? {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// Whether the entries `a` (new) and `b` (old) at `path`, known to
    /// differ, differ in a file `exclude` does not match.
    pub fn changed_outside(
        &self,
        path: &Path,
        a: Option<Oid>,
        b: Option<Oid>,
        exclude: &globset::GlobSet,
    ) -> Result<bool, RepoError> {
        let tree_of = |id: &Option<Oid>| id.and_then(|id| self.repo.find_tree(id).ok());
        let (old, new) = (tree_of(&b), tree_of(&a));
        if old.is_none() && new.is_none() {
            // A file (not a directory) at the path changed.
            return Ok(!exclude.is_match(path));
        }
        let diff = self
            .repo
            .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)
            .map_err(git_err("comparing a package's files"))?;
        Ok(diff.deltas().any(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .is_some_and(|rel| !exclude.is_match(path.join(rel)))
        }))
    }

    /// The entries at `path` below two trees when they differ; `None` as
    /// soon as the two agree at some level (the subtrees below are then equal
    /// and never read).
    fn differing_entries(
        &self,
        mine: Oid,
        theirs: Option<Oid>,
        path: &Path,
    ) -> Result<Option<EntryPair>, RepoError> {
        let mut a = Some(mine);
        let mut b = theirs;
        let odb = self
            .repo
            .odb()
            .map_err(git_err("opening the object database"))?;
        for component in path.components() {
            if a == b {
                return Ok(None);
            }
            let name = component.as_os_str().as_encoded_bytes();
            let child = |id: Option<Oid>| -> Result<Option<Oid>, RepoError> {
                let Some(id) = id else { return Ok(None) };
                let object = odb.read(id).map_err(git_err("reading a tree"))?;
                // A file where a directory was: nothing below it.
                if object.kind() != ObjectType::Tree {
                    return Ok(None);
                }
                Ok(tree_entry(object.data(), name))
            };
            a = child(a)?;
            b = child(b)?;
        }
        Ok((a != b).then_some((a, b)))
    }

    /// The message of an annotated tag (`None` for lightweight tags).
    pub fn tag_message(&self, name: &str) -> Option<String> {
        let id = self
            .repo
            .find_reference(&format!("refs/tags/{name}"))
            .ok()?
            .target()?;
        let tag = self.repo.find_tag(id).ok()?;
        tag.message_bytes()
            .map(|m| String::from_utf8_lossy(m).into_owned())
    }

    /// A release tag's date: the tagger's for annotated tags, else the
    /// commit's (seconds since the epoch).
    pub fn tag_date(&self, name: &str, commit: Oid) -> i64 {
        let tagger = self
            .repo
            .find_reference(&format!("refs/tags/{name}"))
            .ok()
            .and_then(|r| r.target())
            .and_then(|id| self.repo.find_tag(id).ok())
            .and_then(|t| t.tagger().map(|s| s.when().seconds()));
        tagger
            .or_else(|| {
                self.repo
                    .find_commit(commit)
                    .ok()
                    .map(|c| c.time().seconds())
            })
            .unwrap_or(0)
    }

    /// Whether `ancestor` is reachable from `commit` (or is it).
    pub fn reachable(&self, commit: Oid, ancestor: Oid) -> Result<bool, RepoError> {
        if commit == ancestor {
            return Ok(true);
        }
        self.repo
            .graph_descendant_of(commit, ancestor)
            .map_err(git_err("checking whether a tag is reachable"))
    }

    /// Which of `wanted` are reachable from `from` (or are it): one walk
    /// for all of them, ending as soon as every one is met, where asking
    /// [`Repo::reachable`] for each would walk the history once per commit.
    pub fn reachable_among(
        &self,
        from: Oid,
        wanted: &HashSet<Oid>,
    ) -> Result<HashSet<Oid>, RepoError> {
        let mut found = HashSet::new();
        let mut walk = self
            .repo
            .revwalk()
            .map_err(git_err("walking the history"))?;
        walk.push(from).map_err(git_err("walking the history"))?;
        for id in walk {
            let id = id.map_err(git_err("walking the history"))?;
            if wanted.contains(&id) {
                found.insert(id);
                if found.len() == wanted.len() {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: Oid) -> Result<Oid, RepoError> {
        Ok(self.commit(commit)?.tree_id())
    }

    /// The bytes of the file at `path` in a commit's tree, if it is a blob there.
    pub fn blob_at(&self, commit: Oid, path: &Path) -> Result<Option<Vec<u8>>, RepoError> {
        let tree = self
            .commit(commit)?
            .tree()
            .map_err(git_err("reading a tree"))?;
        let Ok(entry) = tree.get_path(path) else {
            return Ok(None);
        };
        match entry
            .to_object(&self.repo)
            .ok()
            .and_then(|o| o.into_blob().ok())
        {
            Some(blob) => Ok(Some(blob.content().to_vec())),
            None => Ok(None),
        }
    }

    /// What changed between two commits' trees, limited to `paths` (all
    /// when empty): the changed files (sorted) and the lines added and
    /// removed. `from` `None` compares with the empty tree.
    pub fn diff_summary(
        &self,
        from: Option<Oid>,
        to: Oid,
        paths: &[PathBuf],
    ) -> Result<DiffSummary, RepoError> {
        let doing = "comparing the release with the last one";
        let tree = |id: Oid| {
            self.repo
                .find_commit(id)
                .and_then(|c| c.tree())
                .map_err(git_err(doing))
        };
        let old = from.map(tree).transpose()?;
        let new = tree(to)?;
        let mut options = git2::DiffOptions::new();
        for path in paths {
            options.pathspec(path);
        }
        let diff = self
            .repo
            .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options))
            .map_err(git_err(doing))?;
        let mut files: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        files.sort();
        files.dedup();
        let stats = diff.stats().map_err(git_err(doing))?;
        Ok(DiffSummary {
            files,
            insertions: stats.insertions(),
            deletions: stats.deletions(),
        })
    }

    /// The text of the note on `commit` in `notes_ref`, if any.
    pub fn note(&self, notes_ref: &str, commit: Oid) -> Result<Option<String>, RepoError> {
        match self.repo.find_note(Some(notes_ref), commit) {
            Ok(note) => Ok(Some(
                String::from_utf8_lossy(note.message_bytes()).into_owned(),
            )),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_err(format!("reading notes `{notes_ref}`"))(e)),
        }
    }

    /// Every note in `notes_ref`: the annotated object and the note's text.
    pub fn all_notes(&self, notes_ref: &str) -> Result<Vec<(Oid, String)>, RepoError> {
        let iter = match self.repo.notes(Some(notes_ref)) {
            Ok(iter) => iter,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(git_err(format!("listing notes `{notes_ref}`"))(e)),
        };
        let mut notes = Vec::new();
        for item in iter {
            let (note_id, annotated) =
                item.map_err(git_err(format!("listing notes `{notes_ref}`")))?;
            let blob = self
                .repo
                .find_blob(note_id)
                .map_err(git_err(format!("reading a note in `{notes_ref}`")))?;
            notes.push((
                annotated,
                String::from_utf8_lossy(blob.content()).into_owned(),
            ));
        }
        Ok(notes)
    }

    /// Paths with uncommitted changes (tracked and untracked, not ignored).
    ///
    /// Entries git is told not to look at (`--assume-unchanged`,
    /// `--skip-worktree`) are compared by content all the same, so a local
    /// edit cannot hide behind them; a skip-worktree file absent from disk
    /// (outside a sparse checkout) is not a change.
    pub fn dirty_paths(&self) -> Result<Vec<String>, RepoError> {
        self.changed_paths(true)
    }

    /// Tracked paths whose work-tree content differs from the index or the
    /// index from HEAD (untracked files left out), compared as
    /// [`Repo::dirty_paths`] does.
    pub fn changed_tracked_paths(&self) -> Result<Vec<String>, RepoError> {
        self.changed_paths(false)
    }

    fn changed_paths(&self, untracked: bool) -> Result<Vec<String>, RepoError> {
        if self.repo.is_bare() {
            return Ok(Vec::new());
        }
        let hidden = self.hidden_entries()?;
        let hidden_paths: HashSet<&str> = hidden.iter().map(|e| e.path.as_str()).collect();
        let mut options = git2::StatusOptions::new();
        options
            .include_untracked(untracked)
            .recurse_untracked_dirs(false)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(git_err("reading the work tree status"))?;
        let staged = git2::Status::INDEX_NEW
            | git2::Status::INDEX_MODIFIED
            | git2::Status::INDEX_DELETED
            | git2::Status::INDEX_RENAMED
            | git2::Status::INDEX_TYPECHANGE;
        let mut dirty: Vec<String> = statuses
            .iter()
            .filter(|s| s.status() != git2::Status::CURRENT && !s.status().is_ignored())
            .filter(|s| untracked || !s.status().contains(git2::Status::WT_NEW))
            .map(|s| {
                (
                    String::from_utf8_lossy(s.path_bytes()).into_owned(),
                    s.status(),
                )
            })
            // Hidden entries are judged below, by content; staged changes stand.
            .filter(|(path, status)| {
                !hidden_paths.contains(path.as_str()) || status.intersects(staged)
            })
            .map(|(path, _)| path)
            .collect();
        dirty.extend(self.hidden_changes(&hidden)?);
        dirty.sort();
        dirty.dedup();
        Ok(dirty)
    }

    /// Which hidden entries differ from their work-tree file: compared by
    /// content (through git's filters), as if the bits were not set.
    fn hidden_changes(&self, hidden: &[HiddenEntry]) -> Result<Vec<String>, RepoError> {
        let Some(root) = self.repo.workdir() else {
            return Ok(Vec::new());
        };
        let mut changed = Vec::new();
        let mut present = git2::Index::new().map_err(git_err("comparing hidden files"))?;
        let mut options = git2::DiffOptions::new();
        options.disable_pathspec_match(true);
        let mut any = false;
        for entry in hidden {
            match std::fs::symlink_metadata(root.join(&entry.path)) {
                // Absent: outside a sparse checkout, or deleted behind
                // `--assume-unchanged`.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !entry.skip_worktree {
                        changed.push(entry.path.clone());
                    }
                }
                Err(_) => changed.push(entry.path.clone()),
                Ok(_) => {
                    // No stat data: the file's content is hashed.
                    let probe = git2::IndexEntry {
                        ctime: git2::IndexTime::new(0, 0),
                        mtime: git2::IndexTime::new(0, 0),
                        dev: 0,
                        ino: 0,
                        mode: entry.mode,
                        uid: 0,
                        gid: 0,
                        file_size: 0,
                        id: entry.id,
                        flags: 0,
                        flags_extended: 0,
                        path: entry.path.as_bytes().to_vec(),
                    };
                    present
                        .add(&probe)
                        .map_err(git_err("comparing hidden files"))?;
                    options.pathspec(&entry.path);
                    any = true;
                }
            }
        }
        if any {
            let diff = self
                .repo
                .diff_index_to_workdir(Some(&present), Some(&mut options))
                .map_err(git_err("comparing hidden files with the work tree"))?;
            changed.extend(diff.deltas().filter_map(|d| {
                d.new_file()
                    .path()
                    .or_else(|| d.old_file().path())
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            }));
        }
        Ok(changed)
    }

    /// Index entries whose bits tell git not to look at the work tree:
    /// `--skip-worktree` (sparse checkouts set it on files outside the
    /// cone) and `--assume-unchanged`.
    pub fn hidden_entries(&self) -> Result<Vec<HiddenEntry>, RepoError> {
        if self.repo.is_bare() {
            return Ok(Vec::new());
        }
        let index = self.repo.index().map_err(git_err("reading the index"))?;
        Ok(index
            .iter()
            .filter_map(|entry| {
                let skip_worktree =
                    entry.flags_extended & git2::IndexEntryExtendedFlag::SKIP_WORKTREE.bits() != 0;
                let assume_unchanged = entry.flags & git2::IndexEntryFlag::VALID.bits() != 0;
                (skip_worktree || assume_unchanged).then(|| HiddenEntry {
                    path: String::from_utf8_lossy(&entry.path).into_owned(),
                    id: entry.id,
                    mode: entry.mode,
                    skip_worktree,
                })
            })
            .collect())
    }

    /// The user's identity from git config (`user.name`, `user.email`).
    pub fn identity(&self) -> Result<(String, String), RepoError> {
        let signature = self.repo.signature().map_err(|e| RepoError::Git {
            doing: "reading `user.name` and `user.email` from git config".to_owned(),
            source: e,
        })?;
        Ok((
            String::from_utf8_lossy(signature.name_bytes()).into_owned(),
            String::from_utf8_lossy(signature.email_bytes()).into_owned(),
        ))
    }

    /// A git config value, if set.
    pub fn config_value(&self, key: &str) -> Option<String> {
        let config = self.repo.config().ok()?;
        config.get_string(key).ok()
    }

    /// Whether a mailmap exists: `.mailmap` at HEAD or in the work tree, or
    /// `mailmap.file`/`mailmap.blob` in git config.
    pub fn has_mailmap(&self) -> bool {
        let in_tree = self
            .head()
            .ok()
            .is_some_and(|head| matches!(self.blob_at(head, Path::new(".mailmap")), Ok(Some(_))));
        let in_work_tree = self.workdir().is_some_and(|w| w.join(".mailmap").exists());
        in_tree
            || in_work_tree
            || self.config_value("mailmap.file").is_some()
            || self.config_value("mailmap.blob").is_some()
    }

    /// The URL of the `origin` remote, if there is one.
    pub fn origin_url(&self) -> Option<String> {
        let remote = self.repo.find_remote("origin").ok()?;
        remote.url().ok().map(str::to_owned)
    }

    /// Reads a commit from the object database for the walk.
    pub fn raw_commit(&self, odb: &git2::Odb<'_>, id: Oid) -> Result<RawCommit, RepoError> {
        let object = odb
            .read(id)
            .map_err(git_err(format!("reading commit {id}")))?;
        if object.kind() != ObjectType::Commit {
            return Err(RepoError::BadRevision {
                rev: id.to_string(),
                message: "it is not a commit".to_owned(),
            });
        }
        RawCommit::parse(id, object.data().to_vec()).ok_or_else(|| RepoError::BadRevision {
            rev: id.to_string(),
            message: "the commit object is malformed".to_owned(),
        })
    }

    /// Looks up a commit.
    pub fn commit(&self, id: Oid) -> Result<Commit<'_>, RepoError> {
        self.repo
            .find_commit(id)
            .map_err(git_err(format!("reading commit {id}")))
    }

    /// Walks from `start` towards the root, stopping at every commit in
    /// `stops` and at everything reachable from those: the commits
    /// reachable from `start` and from no stop, newest first, and the stops
    /// met. The walk is ordered by commit time and ends a few commits (the
    /// slop, as in git) after only excluded commits remain queued, so it
    /// reads the range plus a few commits, not the whole history.
    pub fn walk(
        &self,
        start: Oid,
        stops: &HashSet<Oid>,
        first_parent: bool,
    ) -> Result<Walk<'_>, RepoError> {
        self.walk_seeded(start, stops, &[], first_parent, Reading::All)
    }

    /// [`Repo::walk`] for path scoping: commits the commit-graph knows are
    /// not read (git does the same for path-limited logs), so their
    /// messages and authors are missing until [`Repo::read_message`].
    pub fn walk_unread(
        &self,
        start: Oid,
        stops: &HashSet<Oid>,
        first_parent: bool,
    ) -> Result<Walk<'_>, RepoError> {
        self.walk_seeded(start, stops, &[], first_parent, Reading::Unread)
    }

    /// Every commit reachable from `start`, in walk order, none of them
    /// read ([`RawCommit::unread`]): the shape of the whole history, in
    /// memory that does not grow with the messages.
    pub fn walk_shape(&self, start: Oid) -> Result<Walk<'_>, RepoError> {
        self.walk_seeded(start, &HashSet::new(), &[], false, Reading::Shape)
    }

    /// Reads a commit the walk left unread (see [`Repo::walk_unread`]).
    pub fn read_message(&self, commit: &mut RawCommit) -> Result<(), RepoError> {
        if !commit.is_read() {
            let odb = self
                .repo
                .odb()
                .map_err(git_err("opening the object database"))?;
            *commit = self.raw_commit(&odb, commit.id())?;
        }
        Ok(())
    }

    /// The commits of `hide..start` exactly as `git log hide..start` lists
    /// them, also when `hide` is not an ancestor of `start`: the hidden
    /// commits are walked too, marking what they reach.
    pub fn walk_range(
        &self,
        start: Oid,
        hide: Oid,
        first_parent: bool,
    ) -> Result<Walk<'_>, RepoError> {
        self.walk_seeded(start, &[hide].into(), &[hide], first_parent, Reading::All)
    }

    fn walk_seeded(
        &self,
        start: Oid,
        stops: &HashSet<Oid>,
        seeds: &[Oid],
        first_parent: bool,
        reading: Reading,
    ) -> Result<Walk<'_>, RepoError> {
        const SLOP: usize = 5;
        let odb = self
            .repo
            .odb()
            .map_err(git_err("opening the object database"))?;
        let graph = match reading {
            Reading::All => None,
            Reading::Unread | Reading::Shape => self.graph(),
        };
        let read = |id: Oid| match graph.and_then(|g| g.get(id)) {
            Some(known) => Ok(RawCommit::from_graph(id, known)),
            None if reading == Reading::Shape => self.raw_commit(&odb, id).map(|c| c.unread()),
            None => self.raw_commit(&odb, id),
        };
        let mut nodes: HashMap<Oid, Node, OidHash> = HashMap::default();
        let mut queue = BinaryHeap::new();
        let mut seq = 0u64;
        let mut order = Vec::new();
        let mut frontier = Vec::new();

        if stops.contains(&start) {
            frontier.push(start);
            return Ok(Walk {
                commits: Vec::new(),
                frontier,
                _repo: std::marker::PhantomData,
            });
        }
        let first = read(start)?;
        queue.push(Entry {
            time: first.time(),
            seq,
            id: start,
        });
        nodes.insert(start, Node::queued(first));
        for &seed in seeds {
            if nodes.contains_key(&seed) {
                continue;
            }
            let commit = read(seed)?;
            seq += 1;
            queue.push(Entry {
                time: commit.time(),
                seq,
                id: seed,
            });
            let mut node = Node::queued(commit);
            node.excluded = true;
            nodes.insert(seed, node);
        }
        let mut slop = SLOP;

        while let Some(Entry { id, .. }) = queue.pop() {
            let Some(node) = nodes.get_mut(&id) else {
                continue;
            };
            if node.visited {
                continue;
            }
            node.visited = true;
            let excluded = node.excluded;
            let Some(commit) = node.commit.take() else {
                continue;
            };
            node.parents = commit.parent_ids().collect();
            // In first-parent mode only the first parent is followed, but a
            // release tag on another parent (a merged release branch) still
            // bounds the range, as in `git log --first-parent A..B`.
            let follow: Vec<Oid> = if first_parent && !excluded {
                node.parents
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| *i == 0 || stops.contains(p))
                    .map(|(_, p)| *p)
                    .collect()
            } else {
                node.parents.clone()
            };
            if excluded {
                // Its ancestors are excluded too; the commit itself is not kept.
            } else {
                node.commit = Some(commit);
                order.push(id);
            }
            let mut pushed_included = false;
            for parent in follow {
                if excluded || stops.contains(&parent) {
                    if !excluded && !frontier.contains(&parent) {
                        frontier.push(parent);
                    }
                    mark_excluded(parent, &mut nodes);
                }
                let queued = nodes.get(&parent).is_some_and(|n| n.queued);
                if queued {
                    continue;
                }
                let commit = read(parent)?;
                seq += 1;
                queue.push(Entry {
                    time: commit.time(),
                    seq,
                    id: parent,
                });
                let node = nodes.entry(parent).or_insert_with(Node::unseen);
                node.queued = true;
                node.commit = Some(commit);
                pushed_included |= !node.excluded;
            }
            // Scanning the queue is needed only when this step queued
            // nothing that is still in the range.
            let included_left = pushed_included
                || queue
                    .iter()
                    .any(|e| nodes.get(&e.id).is_some_and(|n| !n.excluded && !n.visited));
            if included_left {
                slop = SLOP;
            } else if slop == 0 {
                break;
            } else {
                slop -= 1;
            }
        }

        let commits = order
            .into_iter()
            .filter_map(|id| {
                let node = nodes.get_mut(&id)?;
                if node.excluded {
                    None
                } else {
                    node.commit.take()
                }
            })
            .collect();
        Ok(Walk {
            commits,
            frontier,
            _repo: std::marker::PhantomData,
        })
    }
}

/// The ids of one path in two trees (`None`: absent).
pub(crate) type EntryPair = (Option<Oid>, Option<Oid>);

/// The id of the entry called `name` in a tree object's bytes (entries are
/// `<mode> <name>\0<20-byte id>`), read in place without building the
/// tree; `None` when absent or when the bytes are malformed.
pub(crate) fn tree_entry(data: &[u8], name: &[u8]) -> Option<Oid> {
    let mut at = 0;
    while at < data.len() {
        let space = at + memchr::memchr(b' ', &data[at..])?;
        let nul = space + memchr::memchr(0, &data[space..])?;
        let id = data.get(nul + 1..nul + 21)?;
        if &data[space + 1..nul] == name {
            return Oid::from_bytes(id).ok();
        }
        at = nul + 21;
    }
    None
}

/// Object ids are already uniformly random: hash them by their first bytes
/// instead of running SipHash over all twenty.
#[derive(Default, Clone, Copy)]
struct OidHash;

impl std::hash::BuildHasher for OidHash {
    type Hasher = OidHasher;
    fn build_hasher(&self) -> OidHasher {
        OidHasher(0)
    }
}

#[derive(Default)]
struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // `Oid` hashes its raw bytes (after a length prefix for slices).
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }
}

/// What a walk reads of each commit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Everything.
    All,
    /// What the commit-graph knows, where it knows the commit.
    Unread,
    /// What the commit-graph knows, and no more where it does not.
    Shape,
}

/// A commit met by the walk.
struct Node {
    /// Loaded when queued; kept after the visit only for included commits.
    commit: Option<RawCommit>,
    /// Known once visited.
    parents: Vec<Oid>,
    queued: bool,
    visited: bool,
    excluded: bool,
}

impl Node {
    fn unseen() -> Self {
        Node {
            commit: None,
            parents: Vec::new(),
            queued: false,
            visited: false,
            excluded: false,
        }
    }

    fn queued(commit: RawCommit) -> Self {
        Node {
            commit: Some(commit),
            queued: true,
            ..Node::unseen()
        }
    }
}

#[derive(PartialEq, Eq)]
struct Entry {
    time: i64,
    seq: u64,
    id: Oid,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Newest first; among equal times, first queued first.
        self.time
            .cmp(&other.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Marks `id` excluded and carries the mark to its visited ancestors;
/// unvisited ones keep the mark until they are visited.
fn mark_excluded(id: Oid, nodes: &mut HashMap<Oid, Node, OidHash>) {
    let mut stack = vec![id];
    while let Some(id) = stack.pop() {
        let node = nodes.entry(id).or_insert_with(Node::unseen);
        if node.excluded {
            continue;
        }
        node.excluded = true;
        if node.visited {
            stack.extend(node.parents.iter().copied());
        }
    }
}

fn kind_name(kind: Option<ObjectType>) -> &'static str {
    match kind {
        Some(ObjectType::Tree) => "tree",
        Some(ObjectType::Blob) => "blob",
        Some(ObjectType::Tag) => "tag",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_commits_parse_like_git() {
        let tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let p1 = "1111111111111111111111111111111111111111";
        let p2 = "2222222222222222222222222222222222222222";
        let text = format!(
            "tree {tree}\nparent {p1}\nparent {p2}\nauthor Ada Author <ada@example.com> 1700000000 +0100\ncommitter C <c@x> 1700000060 -0500\nencoding ISO-8859-1\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n\n\nfeat: x\n\nbody\n"
        );
        let id = Oid::from_bytes(&[7; 20]).unwrap();
        let c = RawCommit::parse(id, text.into_bytes()).unwrap();
        assert_eq!(c.tree_id().to_string(), tree);
        assert_eq!(c.parent_count(), 2);
        assert_eq!(c.parent_id(1).unwrap().to_string(), p2);
        assert_eq!(c.time(), 1_700_000_060);
        let author = c.author();
        assert_eq!(
            (author.name, author.email, author.time),
            (&b"Ada Author"[..], &b"ada@example.com"[..], 1_700_000_000)
        );
        assert_eq!(c.message_bytes(), b"feat: x\n\nbody\n");
        // No message, odd authors, malformed objects.
        let bare = RawCommit::parse(
            id,
            format!("tree {tree}\nauthor <> 5 +0000\ncommitter x 9\n").into_bytes(),
        )
        .unwrap();
        assert_eq!(bare.message_bytes(), b"");
        assert_eq!(bare.author().time, 5);
        assert_eq!(bare.time(), 0);
        assert!(RawCommit::parse(id, b"parent nothex\n".to_vec()).is_none());
        assert!(RawCommit::parse(id, b"no tree at all\n\nmsg".to_vec()).is_none());
        assert!(RawCommit::parse(id, Vec::new()).is_none());
    }

    #[test]
    fn tree_entries_are_found_in_place_like_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"x").unwrap();
        let mut inner = repo.treebuilder(None).unwrap();
        inner.insert("f", blob, 0o100644).unwrap();
        let inner = inner.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        for name in ["a", "a-b", "a.b", "b c", "zz", "\u{e9}t\u{e9}"] {
            root.insert(name, blob, 0o100644).unwrap();
        }
        root.insert("a0", inner, 0o040000).unwrap();
        let root = root.write().unwrap();
        let tree = repo.find_tree(root).unwrap();
        let odb = repo.odb().unwrap();
        let object = odb.read(root).unwrap();
        for name in [
            "a",
            "a-b",
            "a.b",
            "a0",
            "b c",
            "zz",
            "\u{e9}t\u{e9}",
            "missing",
            "",
            "a0/f",
        ] {
            assert_eq!(
                tree_entry(object.data(), name.as_bytes()),
                tree.get_name(name).map(|e| e.id()),
                "{name}"
            );
        }
        // Cut anywhere, the bytes never panic and never invent an entry.
        for cut in 0..object.data().len() {
            let found = tree_entry(&object.data()[..cut], b"zz");
            assert!(found.is_none() || found == Some(blob));
        }
    }
}
