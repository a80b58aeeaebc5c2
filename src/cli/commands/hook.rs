//! `git release hook …`: install and remove hooks, and the hook entry points
//! git calls. The entry points never prompt and fail closed: anything they
//! cannot check refuses (exit 1).

use std::io::Read;
use std::path::PathBuf;

use git2::Oid;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::git::tags::{Match, Template};
use crate::hooks::install::{self, Done, Hook};
use crate::hooks::pre_push::{self, Action};

/// `hook`'s subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Args {
    /// Install the hooks (both unless one is named); a hook already there keeps running first
    Install(Which),
    /// Remove the hooks and put back what was there before
    Uninstall(Which),
    /// The pre-push hook: gate release tags being pushed (git passes REMOTE URL and refs on stdin)
    PrePush(PrePushArgs),
    /// The commit-msg hook: lint the message in FILE
    CommitMsg(CommitMsgArgs),
}

/// Which hooks.
#[derive(Debug, clap::Args)]
pub struct Which {
    /// The pre-push hook
    #[arg(long)]
    pub pre_push: bool,
    /// The commit-msg hook
    #[arg(long)]
    pub commit_msg: bool,
    /// Install even when core.hooksPath points outside this repository
    #[arg(long)]
    pub force: bool,
}

impl Which {
    fn hooks(&self) -> Vec<Hook> {
        match (self.pre_push, self.commit_msg) {
            (true, false) => vec![Hook::PrePush],
            (false, true) => vec![Hook::CommitMsg],
            _ => vec![Hook::PrePush, Hook::CommitMsg],
        }
    }
}

/// `hook pre-push`'s arguments, as git passes them.
#[derive(Debug, clap::Args)]
pub struct PrePushArgs {
    /// The remote's name
    pub remote: Option<String>,
    /// The remote's URL
    pub url: Option<String>,
}

/// `hook commit-msg`'s argument, as git passes it.
#[derive(Debug, clap::Args)]
pub struct CommitMsgArgs {
    /// The file holding the message
    pub file: PathBuf,
}

/// Dispatches the hook subcommands.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    match args {
        Args::Install(which) => install(which, env),
        Args::Uninstall(which) => uninstall(which, env),
        Args::PrePush(_) => fail_closed(pre_push(env), env),
        Args::CommitMsg(a) => fail_closed(commit_msg(&a.file, env), env),
    }
}

/// In a hook, an error refuses (exit 1) instead of exit 2.
fn fail_closed(result: Result<Outcome, Error>, env: &Env) -> Result<Outcome, Error> {
    match result {
        Err(Error::BrokenPipe) => Ok(Outcome::No),
        Err(e) => {
            env.out.error(&e, 1);
            env.out
                .say("git-release: refusing, because the hook could not check this");
            Ok(Outcome::No)
        }
        ok => ok,
    }
}

fn install(which: &Which, env: &Env) -> Result<Outcome, Error> {
    let dir = install::hooks_dir(&env.repo);
    if dir.outside && !which.force {
        return Err(Error::refused(
            format!(
                "core.hooksPath points at `{}`, outside this repository, so its hooks are shared with other repositories",
                dir.path.display()
            ),
            &[
                "install there anyway with `git release hook install --force`, or unset core.hooksPath for this repository",
            ],
        ));
    }
    let exe = std::env::current_exe().map_err(Error::io("finding the git-release executable"))?;
    for hook in which.hooks() {
        let done = install::install(&dir.path, hook, &exe)?;
        let path = dir.path.join(hook.name());
        let what = match done {
            Done::Chained => format!(
                "installed {} (the hook that was there runs first)",
                path.display()
            ),
            Done::AlreadyInstalled => format!("{} is installed already", path.display()),
            _ => format!("installed {}", path.display()),
        };
        env.out.line(&what)?;
    }
    Ok(Outcome::Success)
}

fn uninstall(which: &Which, env: &Env) -> Result<Outcome, Error> {
    let dir = install::hooks_dir(&env.repo);
    for hook in which.hooks() {
        let path = dir.path.join(hook.name());
        let what = match install::uninstall(&dir.path, hook)? {
            Done::Removed { restored: true } => format!(
                "removed {} and restored the hook that was there before",
                path.display()
            ),
            Done::Removed { restored: false } => format!("removed {}", path.display()),
            _ => format!(
                "{} was not installed by git-release; left alone",
                path.display()
            ),
        };
        env.out.line(&what)?;
    }
    Ok(Outcome::Success)
}

fn pre_push(env: &Env) -> Result<Outcome, Error> {
    let mut input = Vec::new();
    std::io::stdin()
        .take(pre_push::MAX_INPUT as u64 + 1)
        .read_to_end(&mut input)
        .map_err(Error::io("reading the refs git passes on stdin"))?;
    let updates = match pre_push::parse(&input) {
        Ok(updates) => updates,
        Err(e) => {
            env.out.say(&format!(
                "git-release: refusing the push: malformed pre-push input ({e})"
            ));
            return Ok(Outcome::No);
        }
    };
    // Only tags are checked: a push of branches alone costs nothing more.
    if !updates.iter().any(|u| u.tag().is_some()) {
        return Ok(Outcome::Success);
    }
    let pin = crate::gate::trust_base::pinned(&env.repo, None)?;
    let mut verifier = crate::gate::verify_tag::Verifier::new(&env.repo, pin)?;
    // Every package's tag template, of the work tree's configuration and of
    // the trust base of HEAD: a published release tag of any package stays.
    let mut templates: Vec<Template> = Vec::new();
    for package in crate::packages::all(&env.config)? {
        templates.push(package.template);
    }
    if let Ok(head) = env.repo.head() {
        if let Ok(bases) = verifier.bases(head) {
            for base in &bases.bases {
                for package in crate::packages::all(&base.config).unwrap_or_default() {
                    templates.push(package.template);
                }
            }
        }
    }
    let mut refused = Vec::new();
    let mut created = Vec::new();
    for update in &updates {
        let Some(name) = update.tag() else { continue };
        if !templates
            .iter()
            .any(|t| matches!(t.parse(name), Match::Version(_)))
        {
            continue;
        }
        match update.action() {
            Action::Unchanged => {}
            Action::Delete => refused.push(format!(
                "deleting the release tag `{name}` is refused: a release, once published, stays (release a new version instead)"
            )),
            Action::Move => refused.push(format!(
                "moving the release tag `{name}` from {} to {} is refused: a published release never changes (release a new version instead)",
                &update.remote_oid[..7],
                &update.local_oid[..7]
            )),
            Action::Create => {
                let target = Oid::from_str(&update.local_oid)
                    .map_err(|e| Error::refused(format!("bad object id: {}", e.message()), &[]))?;
                let verification = verifier.verify(name, target)?;
                if verification.ok {
                    if verification.gate.as_ref().is_some_and(|g| !g.requirements.is_empty()) {
                        created.push(name.to_owned());
                    }
                    continue;
                }
                let mut lines = vec![format!("the release tag `{name}` does not meet the release policy:")];
                for check in verification.checks.iter().filter(|c| !c.ok) {
                    lines.push(format!("  - {}: {}", check.name, check.detail));
                }
                if let Some(gate) = &verification.gate {
                    for r in gate.requirements.iter().filter(|r| !r.ok) {
                        lines.push(format!("  - {}: {}", r.name, r.detail));
                        if let Some(fix) = &r.fix {
                            lines.push(format!("    fix: {fix}"));
                        }
                    }
                }
                refused.push(lines.join("\n"));
            }
        }
    }
    if !refused.is_empty() {
        for reason in &refused {
            env.out.say(&format!("git-release: {reason}"));
        }
        env.out.say("git-release: push refused; nothing was sent");
        return Ok(Outcome::No);
    }
    let notes_pushed = updates
        .iter()
        .any(|u| u.remote_ref.starts_with("refs/notes/release/"));
    if !created.is_empty() && !notes_pushed {
        env.out.warn(&format!(
            "pushing {} without the evidence notes: CI's `git release verify` will fail until they are pushed; use `git release tag --push`, or push `refs/notes/release/*` too (`git push origin 'refs/notes/release/*'`)",
            created.join(", ")
        ));
    }
    Ok(Outcome::Success)
}

fn commit_msg(file: &std::path::Path, env: &Env) -> Result<Outcome, Error> {
    let problems = crate::hooks::lint::lint_message_file(file, &env.repo, &env.config)?;
    crate::cli::reports::lint_problems(&problems, &env.out)?;
    if problems.is_empty() {
        Ok(Outcome::Success)
    } else {
        env.out.say("git-release: commit refused; your message is kept in .git/COMMIT_EDITMSG (`git commit -e -F .git/COMMIT_EDITMSG` to edit it)");
        Ok(Outcome::No)
    }
}
