//! Releasing where the branch is protected: the push of a release commit is
//! refused with a hint that says so, and `tag --no-commit` tags the
//! approved candidate itself, pushing only the tag and the evidence; the
//! changelog follows later.

use std::path::{Path, PathBuf};

use crate::fixture::{TestRepo, git_in};

/// A repository with a changelog (so a release would commit) and a policy
/// asking for one test suite, its evidence recorded; and `origin`, a bare
/// remote whose pre-receive hook refuses any update of `refs/heads/main`,
/// as a protected branch does.
fn protected() -> (TestRepo, PathBuf) {
    let mut repo = TestRepo::empty();
    repo.as_user("Ada Author", "ada@example.com");
    repo.write(".release.toml", "[gate]\ntests = [\"unit\"]\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.git(&["add", ".release.toml", "CHANGELOG.md"]);
    repo.commit("chore: init");
    repo.commit("feat: a feature");
    let bare = repo.root().join("remote.git");
    git_in(repo.root(), &["init", "-q", "--bare", "remote.git"]);
    repo.git(&["remote", "add", "origin", "../remote.git"]);
    repo.git(&["push", "-q", "origin", "main"]);
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = refs/heads/main ]; then\n    echo 'GH006: Protected branch update failed for refs/heads/main.' >&2\n    exit 1\n  fi\ndone\n",
    )
    .unwrap();
    make_executable(&hook);
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    (repo, bare)
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

#[test]
#[cfg_attr(not(unix), ignore = "the remote's hook is a shell script")]
fn a_protected_branch_is_named_and_no_commit_tags_the_candidate() {
    let (repo, bare) = protected();
    let candidate = repo.id("HEAD");

    // The release commit cannot be pushed: the hint says why and what to do.
    let run = repo.run(&["tag", "--push"]);
    run.expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("the remote protects the branch"),
        "{stderr}"
    );
    assert!(
        stderr.contains("git release tag --no-commit --push"),
        "{stderr}"
    );
    assert_eq!(repo.git(&["tag", "--list"]), "", "nothing was tagged");

    // The dry run says the candidate itself is tagged.
    let run = repo.run(&["tag", "--no-commit", "--push", "--dry-run"]);
    run.expect(0);
    assert!(
        run.stdout().contains("Would tag the candidate")
            && run.stdout().contains("no release commit"),
        "{}",
        run.stdout()
    );
    assert!(
        !run.stdout().contains("refs/heads/main"),
        "{}",
        run.stdout()
    );

    // Tagging the candidate pushes only the tag and the evidence.
    let run = repo.run(&["tag", "--no-commit", "--push"]);
    run.expect(0);
    assert!(
        run.stdout().contains("git release changelog"),
        "{}",
        run.stdout()
    );
    assert_eq!(repo.id("v0.1.0^{commit}"), candidate);
    assert_eq!(repo.id("HEAD"), candidate, "no release commit");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        git_in(&bare, &["rev-parse", "v0.1.0^{commit}"]).trim(),
        candidate
    );
    assert_eq!(git_in(&bare, &["rev-parse", "main"]).trim(), candidate);
    assert!(!git_in(&bare, &["notes", "--ref", "release/tests", "list"]).is_empty());

    // CI verifies it from a fresh clone, trust root pinned to the candidate's policy.
    let clone = repo.root().join("ci");
    git_in(
        repo.root(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    git_in(
        &clone,
        &[
            "fetch",
            "-q",
            "origin",
            "refs/notes/release/*:refs/notes/release/*",
        ],
    );
    let run = repo.run_in(&clone, &["verify", "v0.1.0", "--trust-root", &candidate]);
    run.expect(0);

    // The changelog follows afterwards, as a change of its own.
    let run = repo.run(&["changelog"]);
    run.expect(0);
    let changelog = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("0.1.0"), "{changelog}");
    assert!(changelog.contains("a feature"), "{changelog}");
}
