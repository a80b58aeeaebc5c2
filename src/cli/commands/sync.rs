//! `git release sync [REMOTE]`: exchange evidence notes with a remote. The
//! remote's records are fetched and merged into the local ones by line
//! union (`git notes merge -s cat_sort_uniq`), so records made at the same
//! time in two clones are all kept; then the union is pushed back.

use std::process::Command;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence;

/// `sync`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The remote
    #[arg(
        default_value = "origin",
        value_name = "REMOTE",
        env = "GIT_RELEASE_REMOTE"
    )]
    pub remote: String,
    /// Only fetch and merge; do not push
    #[arg(long)]
    pub no_push: bool,
}

fn git(env: &Env, args: &[&str]) -> Result<std::process::Output, Error> {
    let mut cmd = Command::new("git");
    if let Some(root) = env.repo.workdir() {
        cmd.current_dir(root);
    } else {
        cmd.env("GIT_DIR", env.repo.git().path());
    }
    cmd.args(args).output().map_err(Error::io("running git"))
}

fn ok(output: &std::process::Output, what: &str, hint: &str) -> Result<(), Error> {
    if output.status.success() {
        return Ok(());
    }
    Err(Error::Refused {
        message: format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        hints: vec![hint.to_owned()],
    })
}

/// Fetches, merges and pushes the evidence notes.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let remote = &args.remote;
    if remote.starts_with('-') {
        return Err(Error::refused(
            format!("`{remote}` is not a remote name"),
            &["name a remote from `git remote -v`, e.g. `origin`"],
        ));
    }
    let incoming = format!("refs/notes/release-remote/{remote}");
    let fetch = git(
        env,
        &[
            "fetch",
            "--quiet",
            remote,
            &format!("+refs/notes/release/*:{incoming}/*"),
        ],
    )?;
    ok(
        &fetch,
        &format!("`git fetch {remote}`"),
        "check the remote name and your access: `git remote -v`",
    )?;
    let mut merged = Vec::new();
    for name in ["tests", "approvals", "deploys"] {
        let theirs = format!("{incoming}/{name}");
        if env.repo.git().find_reference(&theirs).is_err() {
            continue;
        }
        let ours = format!("refs/notes/release/{name}");
        if env.repo.git().find_reference(&ours).is_err() {
            let output = git(env, &["update-ref", &ours, &theirs])?;
            ok(&output, "`git update-ref`", "")?;
        } else {
            let output = git(
                env,
                &[
                    "notes",
                    &format!("--ref=release/{name}"),
                    "merge",
                    "-q",
                    "-s",
                    "cat_sort_uniq",
                    &theirs,
                ],
            )?;
            ok(
                &output,
                &format!("merging {ours}"),
                "set `user.name` and `user.email`; the merge needs an identity",
            )?;
        }
        merged.push(name);
    }
    if !args.no_push {
        let mut refs = Vec::new();
        for notes in [
            evidence::TESTS_REF,
            evidence::APPROVALS_REF,
            evidence::DEPLOYS_REF,
        ] {
            if env.repo.git().find_reference(notes).is_ok() {
                refs.push(format!("{notes}:{notes}"));
            }
        }
        if !refs.is_empty() {
            let mut push_args = vec!["push", "--quiet", "--no-verify", remote.as_str()];
            push_args.extend(refs.iter().map(String::as_str));
            let output = git(env, &push_args)?;
            ok(
                &output,
                &format!("`git push {remote}`"),
                "someone pushed evidence meanwhile: run `git release sync` again",
            )?;
        }
    }
    let what = if merged.is_empty() {
        "no evidence on the remote yet".to_owned()
    } else {
        format!("merged {}", merged.join(", "))
    };
    let pushed = if args.no_push {
        ""
    } else {
        "; pushed the union"
    };
    env.out
        .line(&format!("synced evidence with {remote}: {what}{pushed}"))?;
    Ok(Outcome::Success)
}
