//! Writing a release as one transaction: objects first, then the branch
//! (compare-and-swap), the tags, the work tree and index, and the push;
//! every step registers how to undo it, so a failure leaves the repository
//! as it was.
//!
//! In: the release commit's [`Files`], tag messages and where to push.
//! Out: the released commit, or an error with everything undone.

use std::path::PathBuf;
use std::process::Command;

use git2::{FileMode, ObjectType, Oid};

use crate::Error;
use crate::gate::evidence;
use crate::git::repo::{Repo, git_err};
use crate::release::contents::Files;

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
/// done is undone. Returns the released commit.
pub fn write(repo: &Repo, release: &Release<'_>) -> Result<Oid, Error> {
    let mut undo = Undo::new(
        repo.git(),
        release.head,
        format!("refs/heads/{}", release.branch),
    );
    match act(repo, release, &mut undo) {
        Ok(commit) => Ok(commit),
        Err(e) => match undo.run() {
            Ok(()) => Err(e),
            Err(u) => Err(Error::refused(
                format!("{e}; undoing also failed: {u}"),
                &["check `git status`, `git log -1` and `git tag -l` and repair by hand"],
            )),
        },
    }
}

/// The steps that write, in order; each registers how to undo it.
fn act(repo: &Repo, release: &Release<'_>, undo: &mut Undo<'_>) -> Result<Oid, Error> {
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
    let git = repo.git();
    // The release commit and tag carry the release time (GIT_RELEASE_NOW
    // pins it, for reproducible releases and tests).
    let now = crate::clock::now()?;
    let signature = git2::Signature::new(
        &ident.name,
        &ident.email,
        &git2::Time::new(now.as_second(), 0),
    )
    .map_err(git_err("making the release signature"))?;
    let mut commit = head;
    let mut new_tree = None;
    if let (false, Some(root)) = (files.is_empty(), repo.workdir()) {
        let parent = git.find_commit(head).map_err(git_err("reading HEAD"))?;
        let base = parent.tree().map_err(git_err("reading HEAD's tree"))?;
        let mut builder = git2::build::TreeUpdateBuilder::new();
        for (path, text, _) in files.iter() {
            let relative = path.strip_prefix(&root).unwrap_or(path);
            let blob = git
                .blob(text.as_bytes())
                .map_err(git_err("writing a release file"))?;
            builder.upsert(relative.to_string_lossy().as_ref(), blob, FileMode::Blob);
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
        new_tree = Some(tree_id);
    }

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
        undo.branch_moved = true;
    }
    for (tag, message) in messages {
        if sign {
            let file =
                tempfile::NamedTempFile::new().map_err(Error::io("writing the tag message"))?;
            std::fs::write(file.path(), message).map_err(Error::io("writing the tag message"))?;
            let output = Command::new("git")
                .args(["tag", "-s", "-F"])
                .arg(file.path())
                .arg(tag)
                .arg(commit.to_string())
                .output()
                .map_err(Error::io("running `git tag -s`"))?;
            if !output.status.success() {
                return Err(Error::refused(
                    format!(
                        "`git tag -s` failed: {}",
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                    &[
                        "check git's signing setup (`gpg.format`, `user.signingkey`), or tag without `--sign`",
                    ],
                ));
            }
        } else {
            let target = git
                .find_object(commit, Some(ObjectType::Commit))
                .map_err(git_err("reading the release commit"))?;
            let object = git
                .tag_annotation_create(tag, &target, &signature, message)
                .map_err(git_err("creating the tag object"))?;
            git.reference(
                &format!("refs/tags/{tag}"),
                object,
                false,
                "git-release: tag",
            )
            .map_err(git_err(format!("creating the tag `{tag}`")))?;
        }
        undo.tags.push(format!("refs/tags/{tag}"));
    }

    // The work tree and index follow the release commit.
    if let Some(tree_id) = new_tree {
        undo.index_tree = Some(
            git.find_commit(head)
                .map_err(git_err("reading HEAD"))?
                .tree_id(),
        );
        for (path, text, _) in files.iter() {
            undo.files.push((path.to_owned(), std::fs::read(path).ok()));
            crate::git::writer::write_atomically(path, text.as_bytes())?;
        }
        let tree = git
            .find_tree(tree_id)
            .map_err(git_err("reading the release tree"))?;
        let mut index = git.index().map_err(git_err("opening the index"))?;
        index
            .read_tree(&tree)
            .map_err(git_err("updating the index"))?;
        index.write().map_err(git_err("writing the index"))?;
    }

    if let Some(remote) = push {
        let tags: Vec<String> = messages.iter().map(|(t, _)| t.clone()).collect();
        let refs = push_refs(git, branch, &tags, commit != head);
        let output = Command::new("git")
            .args(["push", "--atomic", "--porcelain", remote])
            .args(&refs)
            .output()
            .map_err(Error::io("running `git push`"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let mut detail = stderr.trim().to_owned();
            if !stdout.trim().is_empty() {
                detail.push('\n');
                detail.push_str(stdout.trim());
            }
            let notes_rejected = stdout
                .lines()
                .any(|l| l.starts_with('!') && l.contains("refs/notes/release/"));
            let hint = if notes_rejected {
                "the remote has evidence this clone lacks: merge it with `git release sync`, then run `git release tag --push` again"
            } else {
                "check the remote and your access (`git remote -v`, `git push --dry-run`), then run `git release tag --push` again"
            };
            return Err(Error::refused(
                format!(
                    "`git push --atomic {}` failed, so nothing was tagged:\n{detail}",
                    remote
                ),
                &[hint],
            ));
        }
    }
    Ok(commit)
}

/// How to put the repository back as it was.
struct Undo<'r> {
    git: &'r git2::Repository,
    head: Oid,
    head_ref: String,
    branch_moved: bool,
    tags: Vec<String>,
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    index_tree: Option<Oid>,
}

impl<'r> Undo<'r> {
    fn new(git: &'r git2::Repository, head: Oid, head_ref: String) -> Self {
        Undo {
            git,
            head,
            head_ref,
            branch_moved: false,
            tags: Vec::new(),
            files: Vec::new(),
            index_tree: None,
        }
    }

    fn run(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for tag in &self.tags {
            if let Ok(mut reference) = self.git.find_reference(tag) {
                if let Err(e) = reference.delete() {
                    problems.push(format!("deleting {tag}: {}", e.message()));
                }
            }
        }
        if self.branch_moved {
            if let Err(e) = self.git.reference(
                &self.head_ref,
                self.head,
                true,
                "git-release: undo release commit",
            ) {
                problems.push(format!("resetting {}: {}", self.head_ref, e.message()));
            }
        }
        for (path, bytes) in &self.files {
            let result = match bytes {
                Some(bytes) => {
                    crate::git::writer::write_atomically(path, bytes).map_err(|e| e.to_string())
                }
                None => std::fs::remove_file(path).map_err(|e| e.to_string()),
            };
            if let Err(e) = result {
                problems.push(format!("restoring {}: {e}", path.display()));
            }
        }
        if let Some(tree) = self.index_tree {
            let restored = self.git.find_tree(tree).and_then(|tree| {
                let mut index = self.git.index()?;
                index.read_tree(&tree)?;
                index.write()
            });
            if let Err(e) = restored {
                problems.push(format!("restoring the index: {}", e.message()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}
