//! `test` proves what it tested: edits hidden from `git status` still make
//! the tree dirty, sparse checkouts are clean, a command that edits tracked
//! files is not recorded, and `--isolated` runs in a clean worktree of HEAD.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::fixture::{TestRepo, hermetic};

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

#[test]
fn a_command_that_edits_tracked_files_is_not_recorded() {
    let repo = repo();
    let run = repo.run(&[
        "test",
        "--suite",
        "unit",
        "--",
        "sh",
        "-c",
        "echo generated >> app/main.txt",
    ]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("the test command changed tracked files (app/main.txt)"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("nothing was recorded"),
        "{}",
        run.stderr()
    );
    assert_eq!(notes(&repo), "");
    // Untracked outputs are fine.
    repo.git(&["checkout", "--", "app/main.txt"]);
    repo.run(&[
        "test",
        "--suite",
        "unit",
        "--",
        "sh",
        "-c",
        "echo x > out.log",
    ])
    .expect(0);
}

fn worktrees(repo: &TestRepo) -> usize {
    repo.git(&["worktree", "list", "--porcelain"])
        .lines()
        .filter(|l| l.starts_with("worktree "))
        .count()
}

#[test]
fn isolated_tests_exactly_head_whatever_the_work_tree_holds() {
    let repo = repo();
    repo.write_file("app/main.txt", "a local edit\n");
    repo.write_file("stray.txt", "untracked\n");
    let seen = repo.root().join("seen");
    // The command sees HEAD's content, from the same folder (app/).
    let script = format!(
        "cat main.txt > '{}' && pwd >> '{}' && test ! -e ../stray.txt",
        seen.display(),
        seen.display()
    );
    let run = repo.run_in(
        &repo.path().join("app"),
        &[
            "test",
            "--suite",
            "unit",
            "--isolated",
            "--",
            "sh",
            "-c",
            &script,
        ],
    );
    run.expect(0);
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(seen.starts_with("committed\n"), "{seen}");
    let folder = seen.lines().nth(1).unwrap();
    assert!(folder.ends_with("/tree/app"), "{seen}");
    assert!(
        !Path::new(folder).exists(),
        "the worktree was left at {folder}"
    );
    assert_eq!(worktrees(&repo), 1);
    // The record binds to HEAD's tree, and the gate counts it.
    assert!(notes(&repo).contains(&repo.id("HEAD")), "{}", notes(&repo));
    let gate = repo.run(&["gate", "--format", "json"]).json();
    assert_eq!(gate["ok"], true, "{gate}");
    // The local edit is untouched.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app/main.txt")).unwrap(),
        "a local edit\n"
    );
}

#[test]
fn isolated_removes_the_worktree_after_a_failure_and_an_interrupt() {
    let repo = repo();
    let run = repo.run(&["test", "--suite", "unit", "--isolated", "--", "false"]);
    run.expect(1);
    assert_eq!(worktrees(&repo), 1);
    // Interrupted: the command is stopped and the worktree removed.
    let started = repo.root().join("started");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
    hermetic(&mut cmd, repo.root());
    let mut child = cmd
        .env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z")
        .args(["test", "--suite", "unit", "--isolated", "--", "sh", "-c"])
        .arg(format!("pwd > '{}'; exec sleep 30", started.display()))
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&started).map_or(true, |s| s.is_empty()) {
        assert!(start.elapsed().as_secs() < 20, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let folder = std::fs::read_to_string(&started).unwrap();
    Command::new("kill")
        .args(["-s", "INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT while the tests ran: nothing was recorded"),
        "{stderr}"
    );
    assert!(!Path::new(folder.trim()).exists(), "left {folder}");
    assert_eq!(worktrees(&repo), 1);
    assert_eq!(
        notes(&repo).lines().count(),
        1,
        "only the failure is recorded"
    );
}
