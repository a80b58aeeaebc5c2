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
use crate::cli::commands::{changelog, gate, record};
use crate::cli::context::{Env, PlanArgs};
use crate::error::Outcome;
use crate::gate::evidence;
use crate::gate::verdict::{self, Candidate};
use crate::git::repo::git_err;
use crate::history::plan::{self, Plan};
use crate::history::scope::History;
use crate::packages::Package;
use crate::render::context::Release;
use crate::render::describe::{self, Describer};
use crate::render::templates::{Kind, Templates};

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

    let plans = plan::make_all(repo, &env.config, &env.packages, &args.plan.request())?;
    let mut packages = env.packages.clone();
    crate::packages::read_manifest_names(&mut packages, |path| {
        repo.blob_at(head, path)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    });
    let due: Vec<(&Package, &Plan, &History)> = packages
        .iter()
        .zip(&plans)
        .filter(|(_, (plan, _))| plan.next.is_some())
        .map(|(package, (plan, history))| (package, plan, history))
        .collect();
    for (_, plan, _) in &due {
        for warning in &plan.warnings {
            env.out.warn(warning);
        }
    }
    if due.is_empty() {
        let reasons: Vec<String> = plans.iter().map(|(p, _)| p.reason.clone()).collect();
        env.out
            .say(&format!("nothing to release: {}", reasons.join("; ")));
        return Ok(Outcome::No);
    }
    let tags: Vec<String> = due
        .iter()
        .filter_map(|(_, plan, _)| plan.next.as_ref().map(|n| n.tag.clone()))
        .collect();
    for tag in &tags {
        if git.find_reference(&format!("refs/tags/{tag}")).is_ok() {
            return Err(Error::refused(
                format!("the tag `{tag}` exists already"),
                &[
                    "if it is a mistake, delete it with `git tag -d` (and on the remote); otherwise there is nothing to do",
                ],
            ));
        }
    }

    // Every package's gate, before anything is written.
    let mut assessments = Vec::new();
    for ((_, _, history), tag) in due.iter().zip(&tags) {
        assessments.push(verdict::assess(
            repo,
            &Candidate {
                commit: head,
                tag: tag.clone(),
                base: history.trust_base.as_ref(),
                changes: &history.changes,
                tagger: Some(tagger.clone()),
                override_window: args.override_window.as_deref(),
            },
        )?);
    }
    if assessments.iter().any(|a| !a.report.ok) {
        for assessment in assessments.iter().filter(|a| !a.report.ok) {
            gate::show(assessment, &env.out)?;
        }
        env.out.say(&format!(
            "refusing to tag {}: the release policy is not met; nothing was written",
            tags.join(", ")
        ));
        return Ok(Outcome::No);
    }
    for assessment in &assessments {
        for warning in &assessment.warnings {
            env.out.warn(warning);
        }
    }

    // Everything to write, computed before writing anything.
    let root = repo.workdir();
    let mut files = Files::default();
    if let Some(root) = &root {
        for (package, plan, history) in &due {
            let changelog_file = root.join(&package.changelog);
            let configured = env.config.changelog.path.is_some()
                || env
                    .config
                    .package
                    .iter()
                    .any(|p| Some(&p.name) == package.name.as_ref() && p.changelog.is_some());
            if !args.no_changelog && (changelog_file.exists() || configured) {
                let update = changelog::prepare(
                    &changelog::Args {
                        unreleased: true,
                        tagging: true,
                        date: args.date.clone(),
                        request: args.plan.request(),
                        ..changelog::Args::default()
                    },
                    env,
                    package,
                    Some((plan, history)),
                )?;
                if update.changed {
                    files.set(
                        update.path.clone(),
                        update.text,
                        format!(
                            "{} ({})",
                            package.changelog.display(),
                            update.added.join(", ")
                        ),
                    );
                }
            }
            version_files(root, package, plan, &mut files)?;
        }
        lock_files(root, &due, &mut files)?;
    }
    let templates = Templates::new(&describe::sources(&env.config, root.as_deref()))?;
    let timestamp = crate::clock::timestamp(args.date.as_deref())?;
    let mut messages = Vec::new();
    for (((package, plan, history), assessment), tag) in due.iter().zip(&assessments).zip(&tags) {
        let describer = Describer::new(repo, &env.config, package, args.plan.first_parent)?;
        let Some(release) = describer.unreleased(plan, history, timestamp, true) else {
            return Err(Error::refused("the plan has no next version", &[]));
        };
        let message = templates.render(
            Kind::TagMessage,
            &TagRecord {
                release: &release,
                bump: plan.bump.to_string(),
                reason: plan.reason.clone(),
                candidate: head.to_string(),
                policy: assessment
                    .has_policy
                    .then(|| assessment.report.policy.clone()),
                evidence: assessment.report.evidence.clone(),
            },
        )?;
        messages.push((tag.clone(), message));
    }
    let subject = format!("chore(release): {}", tags.join(", "));

    if args.dry_run {
        let mut s = String::new();
        for (_, plan, _) in &due {
            if let Some(next) = &plan.next {
                s.push_str(&format!(
                    "Would tag {} ({} bump: {})\n",
                    next.tag, plan.bump, plan.reason
                ));
            }
        }
        if files.is_empty() {
            s.push_str("Would not change any file\n");
        } else {
            for (_, _, what) in &files.0 {
                s.push_str(&format!("Would update {what}\n"));
            }
            s.push_str(&format!("and commit them as `{subject}`\n"));
        }
        let requirements: usize = assessments
            .iter()
            .map(|a| a.report.requirements.len())
            .sum();
        s.push_str(&format!("Gate: met ({requirements} requirement(s))\n"));
        for (tag, message) in &messages {
            s.push_str(&format!("Tag message of {tag}:\n"));
            for line in message.lines() {
                s.push_str(&format!("    {line}\n"));
            }
        }
        if args.push {
            s.push_str(&format!(
                "Would push to {}: {}\n",
                args.remote,
                push_refs(git, &branch, &tags, !files.is_empty()).join(" ")
            ));
        }
        s.push_str("Dry run: nothing was written.\n");
        env.out.write(&s)?;
        return Ok(Outcome::Success);
    }

    let mut undo = Undo::new(repo.git(), head, format!("refs/heads/{branch}"));
    let result = act(
        repo, args, &subject, &branch, head, &messages, &files, &mut undo,
    );
    match result {
        Ok(commit) => {
            let made = if commit == head {
                String::new()
            } else {
                format!(" with release commit {}", &commit.to_string()[..7])
            };
            env.out.line(&format!(
                "tagged {} at {}{made}",
                tags.join(", "),
                &commit.to_string()[..7]
            ))?;
            if args.push {
                env.out.line(&format!(
                    "pushed {} and the evidence to {}",
                    tags.join(", "),
                    args.remote
                ))?;
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

/// Files the release commit changes: path, new content, and what to say.
#[derive(Default)]
struct Files(Vec<(PathBuf, String, String)>);

impl Files {
    fn set(&mut self, path: PathBuf, text: String, what: String) {
        match self.0.iter_mut().find(|(p, _, _)| *p == path) {
            Some(entry) => {
                entry.1 = text;
                if !entry.2.contains(&what) {
                    entry.2 = format!("{}; {what}", entry.2);
                }
            }
            None => self.0.push((path, text, what)),
        }
    }

    /// The content the release commit will have: updated, or as in the work tree.
    fn current(&self, path: &Path) -> Result<Option<String>, Error> {
        if let Some((_, text, _)) = self.0.iter().find(|(p, _, _)| p == path) {
            return Ok(Some(text.clone()));
        }
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(String::from_utf8(bytes).map_err(|_| {
                Error::refused(
                    format!(
                        "`{}` is not UTF-8, so its version cannot be updated",
                        path.display()
                    ),
                    &[],
                )
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading `{}`", path.display()))(e)),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn file_error(e: crate::packages::version_files::VersionFileError) -> Error {
    Error::Refused {
        message: e.to_string(),
        hints: e.hints(),
    }
}

/// A package's version files, and the requirements its manifests put on
/// dependencies released at the same time.
fn version_files(
    root: &Path,
    package: &Package,
    plan: &Plan,
    files: &mut Files,
) -> Result<(), Error> {
    let Some(next) = &plan.next else {
        return Ok(());
    };
    let version =
        semver::Version::parse(&next.version).map_err(|e| Error::refused(e.to_string(), &[]))?;
    for file in &package.version_files {
        let path = root.join(file.path());
        let shown = file.path().display().to_string();
        let Some(kind) = crate::packages::version_files::kind_for(file.path(), file.pattern())
        else {
            return Err(Error::refused(
                format!(
                    "`{shown}` is not a version file git-release knows (Cargo.toml, package.json, pyproject.toml)"
                ),
                &[
                    "give a pattern: `{ path = \"FILE\", pattern = \"version = \\\"{version}\\\"\" }`",
                ],
            ));
        };
        let Some(text) = files.current(&path)? else {
            return Err(Error::refused(
                format!(
                    "the version file `{shown}` of {} does not exist",
                    package.label()
                ),
                &["fix `version-files` in .release.toml"],
            ));
        };
        let mut updated =
            crate::packages::version_files::set_version(&kind, &shown, &text, &version)
                .map_err(file_error)?;
        for dep in &plan.dependency_updates {
            let dep_version = semver::Version::parse(&dep.version)
                .map_err(|e| Error::refused(e.to_string(), &[]))?;
            for name in dep
                .manifest_name
                .iter()
                .chain(std::iter::once(&dep.package))
            {
                let (text, _) = crate::packages::version_files::set_dependency(
                    &kind,
                    &shown,
                    &updated,
                    name,
                    &dep_version,
                )
                .map_err(file_error)?;
                updated = text;
            }
        }
        if updated != text {
            files.set(path, updated, format!("{shown} ({})", next.version));
        }
    }
    Ok(())
}

/// Lock files at the root that record workspace members' versions.
fn lock_files(
    root: &Path,
    due: &[(&Package, &Plan, &History)],
    files: &mut Files,
) -> Result<(), Error> {
    let released: Vec<(String, semver::Version, PathBuf)> = due
        .iter()
        .filter_map(|(package, plan, _)| {
            let name = package
                .manifest_name
                .clone()
                .or_else(|| package.name.clone())?;
            let version = semver::Version::parse(&plan.next.as_ref()?.version).ok()?;
            Some((
                name,
                version,
                package.paths.first().cloned().unwrap_or_default(),
            ))
        })
        .collect();
    if released.is_empty() {
        return Ok(());
    }
    let cargo = root.join("Cargo.lock");
    if let Some(text) = files.current(&cargo)? {
        let members: Vec<(String, semver::Version)> = released
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect();
        let updated =
            crate::packages::version_files::update_cargo_lock("Cargo.lock", &text, &members)
                .map_err(file_error)?;
        if updated != text {
            files.set(cargo, updated, "Cargo.lock".to_owned());
        }
    }
    let npm = root.join("package-lock.json");
    if let Some(text) = files.current(&npm)? {
        let members: Vec<(String, String, semver::Version)> = released
            .iter()
            .map(|(n, v, p)| (n.clone(), p.to_string_lossy().replace('\\', "/"), v.clone()))
            .collect();
        let updated = crate::packages::version_files::update_package_lock(
            "package-lock.json",
            &text,
            &members,
        )
        .map_err(file_error)?;
        if updated != text {
            files.set(npm, updated, "package-lock.json".to_owned());
        }
    }
    Ok(())
}

fn push_refs(
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

/// The steps that write, in order; each registers how to undo it.
#[allow(clippy::too_many_arguments)]
fn act(
    repo: &crate::git::repo::Repo,
    args: &Args,
    subject: &str,
    branch: &str,
    head: Oid,
    messages: &[(String, String)],
    files: &Files,
    undo: &mut Undo<'_>,
) -> Result<Oid, Error> {
    let git = repo.git();
    // The release commit and tag carry the release time (GIT_RELEASE_NOW
    // pins it, for reproducible releases and tests).
    let me = git.signature().map_err(git_err("reading your identity"))?;
    let now = crate::clock::now()?;
    let signature = git2::Signature::new(
        &String::from_utf8_lossy(me.name_bytes()),
        &String::from_utf8_lossy(me.email_bytes()),
        &git2::Time::new(now.as_second(), 0),
    )
    .map_err(git_err("making the release signature"))?;
    let mut commit = head;
    let mut new_tree = None;
    if let (false, Some(root)) = (files.is_empty(), repo.workdir()) {
        let parent = git.find_commit(head).map_err(git_err("reading HEAD"))?;
        let base = parent.tree().map_err(git_err("reading HEAD's tree"))?;
        let mut builder = git2::build::TreeUpdateBuilder::new();
        for (path, text, _) in &files.0 {
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
        if args.sign {
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
        for (path, text, _) in &files.0 {
            undo.files.push((path.clone(), std::fs::read(path).ok()));
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

    if args.push {
        let tags: Vec<String> = messages.iter().map(|(t, _)| t.clone()).collect();
        let refs = push_refs(git, branch, &tags, commit != head);
        let output = Command::new("git")
            .args(["push", "--atomic", "--porcelain", &args.remote])
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
                    args.remote
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
