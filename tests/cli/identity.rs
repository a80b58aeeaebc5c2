//! Who records: exactly git's committer identity (`git var
//! GIT_COMMITTER_IDENT`), for the record and for the notes commit.

use std::path::{Path, PathBuf};

use crate::fixture::TestRepo;

/// A repository with a release and one unreleased feature, and no identity
/// in its config.
fn unreleased() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.commit("feat: a").tag("v0.1.0");
    repo.commit("feat: b");
    repo
}

/// `PATH` with the binary's directory first, so `git release` finds it.
fn path_with_binary() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_git-release"));
    let dir = bin.parent().unwrap_or(Path::new("."));
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `git ARGS` (e.g. `-c k=v release approve`) as a user would: the
/// binary found on `PATH` by git, the hermetic environment without identity.
fn git_release(repo: &TestRepo, args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new("git");
    crate::fixture::hermetic_without_identity(&mut cmd, repo.root());
    cmd.env("PATH", path_with_binary())
        .env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.args(args).current_dir(repo.path()).output().unwrap()
}

fn approvals(repo: &TestRepo) -> String {
    repo.git(&["notes", "--ref", "release/approvals", "show", "HEAD"])
}

/// Author and committer of the notes commit, and its subject.
fn notes_commit(repo: &TestRepo, notes: &str) -> String {
    repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", notes])
        .trim()
        .to_owned()
}

#[test]
fn git_dash_c_identity_is_the_recorder() {
    let mut repo = unreleased();
    repo.as_user("Ada Author", "ada@example.com");
    let out = git_release(
        &repo,
        &[
            "-c",
            "user.name=Cy Clone",
            "-c",
            "user.email=cy@example.com",
            "release",
            "approve",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = approvals(&repo);
    assert!(
        note.starts_with("Approved-by: Cy Clone <cy@example.com>; tag=v0.2.0;"),
        "{note}"
    );
    assert_eq!(
        notes_commit(&repo, "refs/notes/release/approvals"),
        "Cy Clone <cy@example.com>|Cy Clone <cy@example.com>|Notes added by 'git release approve'"
    );
}

#[test]
fn committer_environment_alone_is_enough_and_overrides_config() {
    let mut repo = unreleased();
    let vars = [
        ("GIT_COMMITTER_NAME", "Env Only"),
        ("GIT_COMMITTER_EMAIL", "env@example.com"),
    ];
    repo.run_env(&repo.path(), &["approve"], &vars).expect(0);
    assert!(
        approvals(&repo).contains("Approved-by: Env Only <env@example.com>;"),
        "{}",
        approvals(&repo)
    );
    // As in git, the environment wins over config.
    repo.as_user("Config Person", "config@example.com");
    repo.run_env(
        &repo.path(),
        &["test", "--suite", "unit", "--", "true"],
        &vars,
    )
    .expect(0);
    let tests = repo.git(&["notes", "--ref", "release/tests", "show", "HEAD"]);
    assert!(
        tests.starts_with("Tested-by: Env Only <env@example.com>;"),
        "{tests}"
    );
    assert_eq!(
        notes_commit(&repo, "refs/notes/release/tests"),
        "Env Only <env@example.com>|Env Only <env@example.com>|Notes added by 'git release test'"
    );
}

#[test]
fn no_identity_at_all_is_refused_with_a_hint() {
    let repo = unreleased();
    let before = repo.git(&["for-each-ref"]);
    for args in [
        &["approve"][..],
        &["test", "--suite", "unit", "--", "true"],
        &[
            "deploy", "v0.1.0", "--env", "staging", "--status", "started",
        ],
    ] {
        let run = if args[0] == "deploy" {
            repo.write_file(".release.toml", "[environments.staging]\n");
            repo.git(&["add", ".release.toml"]);
            repo.git(&["commit", "-q", "-m", "chore: environments"]);
            repo.run(args)
        } else {
            repo.run(args)
        };
        run.expect(2);
        let stderr = run.stderr();
        assert!(
            stderr.contains("error: git has no identity to record this as: no email was given and auto-detection is disabled")
                && stderr.contains("hint: set it with `git config user.name")
                && stderr.contains("GIT_COMMITTER_NAME"),
            "{stderr}"
        );
    }
    let after = repo.git(&["for-each-ref"]);
    let notes: Vec<&str> = after
        .lines()
        .filter(|l| l.contains("refs/notes/"))
        .collect();
    assert!(notes.is_empty(), "{after}\nbefore:\n{before}");
}
