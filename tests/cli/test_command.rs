//! `test` proves what it tested: edits hidden from `git status` still make
//! the tree dirty, and sparse checkouts are clean.

use std::process::Command;

use crate::fixture::TestRepo;

const POLICY: &str = "[gate]\ntests = [\"unit\"]\n";

/// A repository released as v1.0.0 with a policy that needs `unit`, files
/// in two folders, and a feature since.
fn repo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", POLICY);
    repo.write("app/main.txt", "committed\n");
    repo.write("docs/guide.txt", "guide\n");
    repo.git(&["add", "."]);
    repo.commit("chore: policy").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

fn notes(repo: &TestRepo) -> String {
    let out = Command::new("git")
        .args(["notes", "--ref", "release/tests", "list"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_edit_hidden_by_assume_unchanged_is_refused() {
    let repo = repo();
    repo.git(&["update-index", "--assume-unchanged", "app/main.txt"]);
    repo.write_file("app/main.txt", "edited, and git status does not say so\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let run = repo.run(&["test", "--suite", "unit", "--", "true"]);
    run.expect(2);
    assert!(
        run.stderr().contains("uncommitted changes (app/main.txt)"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("--no-assume-unchanged"),
        "{}",
        run.stderr()
    );
    assert_eq!(notes(&repo), "");
}

#[test]
fn an_edit_hidden_by_skip_worktree_is_refused() {
    let repo = repo();
    repo.git(&["update-index", "--skip-worktree", "app/main.txt"]);
    repo.write_file("app/main.txt", "edited behind skip-worktree\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let run = repo.run(&["test", "--suite", "unit", "--", "true"]);
    run.expect(2);
    assert!(
        run.stderr().contains("uncommitted changes (app/main.txt)"),
        "{}",
        run.stderr()
    );
    // `tag` refuses the same way.
    repo.run(&["tag"]).expect(2);
}

#[test]
fn a_sparse_checkout_can_test_and_tag() {
    let repo = repo();
    repo.git(&["sparse-checkout", "set", "app"]);
    assert!(!repo.path().join("docs/guide.txt").exists());
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    let run = repo.run(&["tag"]);
    run.expect(0);
    assert!(run.stdout().contains("tagged v1.1.0"), "{}", run.stdout());
    // Files outside the cone are still outside, and still in the index.
    assert!(!repo.path().join("docs/guide.txt").exists());
    assert!(
        repo.git(&["ls-files", "-v", "docs"])
            .starts_with("S docs/guide.txt")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
