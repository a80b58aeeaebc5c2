//! `git release tag`: plan → gate → (changelog, release commit) → annotated
//! tag carrying the release record, and optionally push it with its
//! evidence. Every check runs before anything is written; if a later step
//! fails, what was done is undone, so a failed `tag` leaves the repository
//! exactly as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{FileMode, ObjectType, Oid};
use serde::Serialize;

use crate::Error;
use crate::assess::{self, Candidate};
use crate::cli::{Env, PlanArgs};
use crate::commands::{changelog, gate, record};
use crate::context::Release;
use crate::error::Outcome;
use crate::evidence;
use crate::plan;
use crate::releases::{self, Describer};
use crate::render::{Kind, Templates};
use crate::repo::git_err;

/// `tag`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Show everything that would happen, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the tag (and the release commit and evidence notes) atomically
    #[arg(long)]
    pub push: bool,
    /// The remote to push to
    #[arg(
        long,
        default_value = "origin",
        value_name = "REMOTE",
        env = "GIT_RELEASE_REMOTE"
    )]
    pub remote: String,
    /// Make a signed tag (`git tag -s`, with git's signing configuration)
    #[arg(long)]
    pub sign: bool,
    /// Release outside the release window, recording this reason
    #[arg(long, value_name = "REASON")]
    pub override_window: Option<String>,
    /// Do not update the changelog
    #[arg(long)]
    pub no_changelog: bool,
    /// The release date in the changelog (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH or today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// The tag message's context: the release and its record.
#[derive(Serialize)]
struct TagRecord<'a> {
    #[serde(flatten)]
    release: &'a Release,
    bump: String,
    reason: String,
    candidate: String,
    policy: Option<String>,
    evidence: Vec<String>,
}

fn branch_allowed(patterns: &[String], branch: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| {
            globset::Glob::new(p)
                .map(|g| g.compile_matcher().is_match(branch))
                .unwrap_or(p == branch)
        })
}

/// Runs the whole release.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let repo = &env.repo;
    let git = repo.git();
    repo.ensure_complete()?;
    let head = repo.head()?;
    if let Some(rev) = &args.plan.rev {
        if repo.resolve(rev)? != head {
            return Err(Error::refused(
                format!("`tag` releases HEAD, and `{rev}` is not HEAD"),
                &["check out the commit to release first (`git switch BRANCH`)"],
            ));
        }
    }
    let Some(branch) = repo.branch() else {
        return Err(Error::refused(
            "HEAD is detached, and `tag` needs a branch for the release commit",
            &["switch to the release branch first: `git switch main`"],
        ));
    };
    if !branch_allowed(&env.config.branches, &branch) {
        return Err(Error::refused(
            format!(
                "releases are not made from `{branch}`: `branches` allows {}",
                env.config.branches.join(", ")
            ),
            &["switch to a release branch, or add this one to `branches` in .release.toml"],
        ));
    }
    record::ensure_clean(repo, "the release would not be what was tested")?;
    let (_, tagger) = record::identity(repo)?;

    let (plan, history) = plan::make(repo, &env.config, &args.plan.request())?;
    for warning in &plan.warnings {
        env.out.warn(warning);
    }
    let Some(next) = plan.next.clone() else {
        env.out.say(&format!("nothing to release: {}", plan.reason));
        return Ok(Outcome::No);
    };
    let tag = next.tag.clone();
    if git.find_reference(&format!("refs/tags/{tag}")).is_ok() {
        return Err(Error::refused(
            format!("the tag `{tag}` exists already"),
            &[
                "if it is a mistake, delete it with `git tag -d` (and on the remote); otherwise there is nothing to do",
            ],
        ));
    }

    let assessment = assess::assess(
        repo,
        &Candidate {
            commit: head,
            tag: tag.clone(),
            base: history.trust_base.as_ref(),
            changes: &history.changes,
            tagger: Some(tagger),
            override_window: args.override_window.as_deref(),
        },
    )?;
    if !assessment.report.ok {
        gate::show(&assessment, &env.out)?;
        env.out.say(&format!(
            "refusing to tag {tag}: the release policy is not met; nothing was written"
        ));
        return Ok(Outcome::No);
    }
    for warning in &assessment.warnings {
        env.out.warn(warning);
    }

    // Everything to write, computed before writing anything.
    let root = repo.workdir();
    let changelog_file = root.as_ref().map(|r| r.join(env.config.changelog.path()));
    let update = match &changelog_file {
        Some(path)
            if !args.no_changelog && (path.exists() || env.config.changelog.path.is_some()) =>
        {
            let update = changelog::prepare(
                &changelog::Args {
                    unreleased: true,
                    tagging: true,
                    date: args.date.clone(),
                    request: args.plan.request(),
                    ..changelog::Args::default()
                },
                env,
            )?;
            update.changed.then_some(update)
        }
        _ => None,
    };
    let templates = Templates::new(&releases::sources(&env.config, root.as_deref()))?;
    let describer = Describer::new(repo, &env.config, args.plan.first_parent)?;
    let timestamp = crate::clock::timestamp(args.date.as_deref())?;
    let Some(release) = describer.unreleased(&plan, &history, timestamp, true) else {
        return Err(Error::refused("the plan has no next version", &[]));
    };
    let has_policy = assessment.has_policy;
    let message = templates.render(
        Kind::TagMessage,
        &TagRecord {
            release: &release,
            bump: plan.bump.to_string(),
            reason: plan.reason.clone(),
            candidate: head.to_string(),
            policy: has_policy.then(|| assessment.report.policy.clone()),
            evidence: assessment.report.evidence.clone(),
        },
    )?;

    if args.dry_run {
        let mut s = format!("Would tag {tag} ({} bump: {})\n", plan.bump, plan.reason);
        match &update {
            Some(u) => s.push_str(&format!(
                "Would update {} ({}) and commit it as `chore(release): {tag}`\n",
                env.config.changelog.path().display(),
                u.added.join(", ")
            )),
            None => s.push_str("Would not change any file\n"),
        }
        s.push_str(&format!(
            "Gate: met ({} requirement(s))\n",
            assessment.report.requirements.len()
        ));
        s.push_str("Tag message:\n");
        for line in message.lines() {
            s.push_str(&format!("    {line}\n"));
        }
        if args.push {
            s.push_str(&format!(
                "Would push to {}: {}\n",
                args.remote,
                push_refs(git, &branch, &tag, update.is_some()).join(" ")
            ));
        }
        s.push_str("Dry run: nothing was written.\n");
        env.out.write(&s)?;
        return Ok(Outcome::Success);
    }

    let mut undo = Undo::new(repo.git(), head, format!("refs/heads/{branch}"));
    let result = act(
        repo,
        args,
        &tag,
        &branch,
        head,
        &message,
        update.as_ref(),
        changelog_file.as_deref(),
        &mut undo,
    );
    match result {
        Ok(commit) => {
            let made = if commit == head {
                String::new()
            } else {
                format!(" with release commit {}", &commit.to_string()[..7])
            };
            env.out.line(&format!(
                "tagged {tag} at {}{made}",
                &commit.to_string()[..7]
            ))?;
            if args.push {
                env.out
                    .line(&format!("pushed {tag} and its evidence to {}", args.remote))?;
            }
            Ok(Outcome::Success)
        }
        Err(e) => {
            let undone = undo.run();
            match undone {
                Ok(()) => Err(e),
                Err(u) => Err(Error::refused(
                    format!("{e}; undoing also failed: {u}"),
                    &["check `git status`, `git log -1` and `git tag -l` and repair by hand"],
                )),
            }
        }
    }
}

fn push_refs(git: &git2::Repository, branch: &str, tag: &str, release_commit: bool) -> Vec<String> {
    let mut refs = Vec::new();
    if release_commit {
        refs.push(format!("refs/heads/{branch}:refs/heads/{branch}"));
    }
    refs.push(format!("refs/tags/{tag}:refs/tags/{tag}"));
    for notes in [evidence::TESTS_REF, evidence::APPROVALS_REF] {
        if git.find_reference(notes).is_ok() {
            refs.push(format!("{notes}:{notes}"));
        }
    }
    refs
}

/// The steps that write, in order; each registers how to undo it.
#[allow(clippy::too_many_arguments)]
fn act(
    repo: &crate::repo::Repo,
    args: &Args,
    tag: &str,
    branch: &str,
    head: Oid,
    message: &str,
    update: Option<&changelog::Update>,
    changelog_file: Option<&Path>,
    undo: &mut Undo<'_>,
) -> Result<Oid, Error> {
    let git = repo.git();
    let signature = git.signature().map_err(git_err("reading your identity"))?;
    let mut commit = head;
    let mut new_tree = None;
    if let (Some(update), Some(file), Some(root)) = (update, changelog_file, repo.workdir()) {
        let relative = file.strip_prefix(&root).unwrap_or(file);
        let blob = git
            .blob(update.text.as_bytes())
            .map_err(git_err("writing the changelog blob"))?;
        let parent = git.find_commit(head).map_err(git_err("reading HEAD"))?;
        let base = parent.tree().map_err(git_err("reading HEAD's tree"))?;
        let tree_id = git2::build::TreeUpdateBuilder::new()
            .upsert(relative.to_string_lossy().as_ref(), blob, FileMode::Blob)
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
                &format!("chore(release): {tag}\n"),
                &tree,
                &[&parent],
            )
            .map_err(git_err("creating the release commit"))?;
        new_tree = Some((tree_id, file.to_path_buf(), update.text.clone()));
    }

    // The branch moves first (compare-and-swap), then the tag appears.
    let head_ref = format!("refs/heads/{branch}");
    if commit != head {
        git.reference_matching(
            &head_ref,
            commit,
            true,
            head,
            &format!("git-release: release {tag}"),
        )
        .map_err(git_err(format!("moving `{branch}` to the release commit")))?;
        undo.branch_moved = true;
    }
    if args.sign {
        let file = tempfile::NamedTempFile::new().map_err(Error::io("writing the tag message"))?;
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
    undo.tag = Some(format!("refs/tags/{tag}"));

    // The work tree and index follow the release commit.
    if let Some((tree_id, file, text)) = new_tree {
        undo.file = Some((file.clone(), std::fs::read(&file).ok()));
        crate::writer::write_atomically(&file, text.as_bytes())?;
        let tree = git
            .find_tree(tree_id)
            .map_err(git_err("reading the release tree"))?;
        let mut index = git.index().map_err(git_err("opening the index"))?;
        undo.index_tree = Some(
            git.find_commit(head)
                .map_err(git_err("reading HEAD"))?
                .tree_id(),
        );
        index
            .read_tree(&tree)
            .map_err(git_err("updating the index"))?;
        index.write().map_err(git_err("writing the index"))?;
    }

    if args.push {
        let refs = push_refs(git, branch, tag, commit != head);
        let output = Command::new("git")
            .args(["push", "--atomic", "--porcelain", &args.remote])
            .args(&refs)
            .output()
            .map_err(Error::io("running `git push`"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            return Err(Error::refused(
                format!(
                    "`git push --atomic {}` failed, so nothing was tagged: {}{}",
                    args.remote,
                    stderr.trim(),
                    stdout.trim()
                ),
                &[
                    "if the evidence notes were rejected, fetch and merge them first: `git release sync`",
                    "then run `git release tag --push` again",
                ],
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
    tag: Option<String>,
    file: Option<(PathBuf, Option<Vec<u8>>)>,
    index_tree: Option<Oid>,
}

impl<'r> Undo<'r> {
    fn new(git: &'r git2::Repository, head: Oid, head_ref: String) -> Self {
        Undo {
            git,
            head,
            head_ref,
            branch_moved: false,
            tag: None,
            file: None,
            index_tree: None,
        }
    }

    fn run(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if let Some(tag) = &self.tag {
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
        if let Some((path, bytes)) = &self.file {
            let result = match bytes {
                Some(bytes) => {
                    crate::writer::write_atomically(path, bytes).map_err(|e| e.to_string())
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
