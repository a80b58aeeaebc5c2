//! Hooks end to end: a real bare remote, hooks installed in a clone, real
//! `git push` and `git commit`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::fixture::TestRepo;

const POLICY: &str = "[gate]\ntests = [\"unit\"]\n";

/// A repository with the policy released as v1.0.0, a bare remote holding
/// it, and a feature since; hooks installed.
fn setup() -> (TestRepo, PathBuf) {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("chore: policy").tag("v1.0.0");
    repo.commit("feat: new");
    repo.as_user("Ada Author", "ada@example.com");
    let bare = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "v1.0.0"]);
    repo.run(&["hook", "install"]).expect(0);
    (repo, bare)
}

fn git_raw(dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, home);
    cmd.env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
    cmd.args(args).current_dir(dir).output().unwrap()
}

fn remote_tags(bare: &Path) -> String {
    let out = Command::new("git")
        .args(["tag", "-l"])
        .current_dir(bare)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn push_of_ungated_tag_is_refused_and_gated_tag_passes() {
    let (repo, bare) = setup();
    repo.git(&["tag", "-a", "v1.1.0", "-m", "by hand"]);
    let out = git_raw(&repo.path(), repo.root(), &["push", "origin", "v1.1.0"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the release tag `v1.1.0` does not meet the release policy"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fix: git release test --suite unit"),
        "{stderr}"
    );
    assert!(
        !remote_tags(&bare).contains("v1.1.0"),
        "nothing reached the remote"
    );
    // Branches and unrelated tags pass.
    let out = git_raw(&repo.path(), repo.root(), &["push", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.git(&["tag", "nightly"]);
    assert!(
        git_raw(&repo.path(), repo.root(), &["push", "origin", "nightly"])
            .status
            .success()
    );
    // With evidence, the same tag passes; pushing without the notes warns.
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    let out = git_raw(&repo.path(), repo.root(), &["push", "origin", "v1.1.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("without the evidence notes"), "{stderr}");
    assert!(remote_tags(&bare).contains("v1.1.0"));
    // Deleting or moving a published release tag is refused.
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["push", "origin", ":refs/tags/v1.1.0"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("deleting the release tag `v1.1.0` is refused")
    );
    repo.git(&["tag", "-f", "-a", "v1.1.0", "-m", "moved", "HEAD~1"]);
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["push", "-f", "origin", "v1.1.0"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("moving the release tag"));
    // --no-verify skips hooks: that is why CI runs `git release verify`.
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["push", "--no-verify", "origin", ":refs/tags/v1.1.0"],
    );
    assert!(out.status.success());
    assert!(!remote_tags(&bare).contains("v1.1.0"));
}

#[test]
fn hook_checks_the_pushed_object_not_the_name() {
    let (mut repo, _bare) = setup();
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    let tested = repo.id("HEAD");
    repo.commit("fix: untested");
    // Push the untested commit under the tag name: the hook gets its id.
    let untested = repo.id("HEAD");
    let input = format!(
        "refs/tags/v1.1.0 {untested} refs/tags/v1.1.0 {}\n",
        "0".repeat(40)
    );
    let run = run_hook(&repo, &input);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The tested one passes, even though no local ref has that name.
    let input = format!(
        "refs/tags/v1.1.0 {tested} refs/tags/v1.1.0 {}\n",
        "0".repeat(40)
    );
    let run = run_hook(&repo, &input);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Malformed input fails closed.
    let run = run_hook(&repo, "refs/tags/v1.1.0 not-an-id\n");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("malformed pre-push input"));
}

fn run_hook(repo: &TestRepo, input: &str) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
    crate::fixture::hermetic(&mut cmd, repo.root());
    cmd.env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
    let mut child = cmd
        .args(["hook", "pre-push", "origin", "/dev/null"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn foreign_hook_is_chained_and_restored() {
    let mut repo = TestRepo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let foreign = "#!/bin/sh\necho \"foreign saw: $1\" >> \"$(git rev-parse --git-dir)/foreign.log\"\ngrep -q WIP \"$1\" && exit 1\nexit 0\n";
    std::fs::write(hooks.join("commit-msg"), foreign).unwrap();
    make_executable(&hooks.join("commit-msg"));
    let run = repo.run(&["hook", "install"]);
    run.expect(0);
    assert!(
        run.stdout().contains("the hook that was there runs first"),
        "{}",
        run.stdout()
    );
    // Re-running changes nothing.
    let before = std::fs::read(hooks.join("commit-msg")).unwrap();
    repo.run(&["hook", "install"]).expect(0);
    assert_eq!(std::fs::read(hooks.join("commit-msg")).unwrap(), before);
    // Both run: the foreign one's failure still blocks; ours lints.
    repo.write("a.txt", "a");
    repo.git(&["add", "a.txt"]);
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["commit", "-q", "-m", "feat: WIP"],
    );
    assert!(!out.status.success(), "the foreign hook blocks");
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["commit", "-q", "-m", "added stuff"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not a Conventional Commit") && stderr.contains("e.g."),
        "{stderr}"
    );
    let out = git_raw(
        &repo.path(),
        repo.root(),
        &["commit", "-q", "-m", "feat: add a"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(repo.path().join(".git/foreign.log")).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    // Uninstall puts the foreign hook back, byte for byte.
    repo.run(&["hook", "uninstall"]).expect(0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("commit-msg")).unwrap(),
        foreign
    );
    assert!(!hooks.join("pre-push").exists());
    repo.commit("anything goes without our hook");
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn core_hooks_path_and_linked_worktrees() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.run(&["hook", "install", "--commit-msg"]).expect(0);
    assert!(repo.path().join(".githooks/commit-msg").exists());
    assert!(!repo.path().join(".githooks/pre-push").exists());
    // Outside the repository: refused without --force.
    let shared = repo.root().join("shared-hooks");
    repo.git(&["config", "core.hooksPath", shared.to_str().unwrap()]);
    let run = repo.run(&["hook", "install"]);
    run.expect(2);
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    repo.run(&["hook", "install", "--force"]).expect(0);
    assert!(shared.join("pre-push").exists());
    // A linked worktree installs into the common directory.
    let repo = TestRepo::new();
    let wt = repo.root().join("wt");
    repo.git(&["worktree", "add", "-q", "-b", "wt", wt.to_str().unwrap()]);
    repo.run_in(&wt, &["hook", "install"]).expect(0);
    assert!(repo.path().join(".git/hooks/pre-push").exists());
    std::fs::write(wt.join("x.txt"), "x").unwrap();
    git_raw(&wt, repo.root(), &["add", "x.txt"]);
    let out = git_raw(&wt, repo.root(), &["commit", "-q", "-m", "bad message"]);
    assert!(!out.status.success(), "the hook runs in the worktree");
}

#[test]
fn lint_range_and_message_file() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .commit("feat: fine")
        .commit("Update stuff")
        .commit("fixup! feat: fine");
    let run = repo.run(&["lint", "v1.0.0..HEAD"]);
    run.expect(1);
    insta::assert_snapshot!(run.stderr());
    // Default range: since the last release.
    repo.run(&["lint"]).expect(1);
    repo.run(&["lint", "v1.0.0..HEAD~2"]).expect(0);
    let json = repo.run(&["lint", "--format", "json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 2);
    // Configured rules.
    repo.write(".release.toml", "[lint]\nscopes = [\"api\"]\nrequired-trailers = [\"Signed-off-by\"]\nmax-subject-length = 20\n");
    repo.write("msg", "feat(web): a subject that is too long\n# comment\n");
    let run = repo.run(&["lint", "--message-file", "msg"]);
    run.expect(1);
    for needle in ["scope `web`", "at most 20", "Signed-off-by"] {
        assert!(run.stderr().contains(needle), "{needle}: {}", run.stderr());
    }
    repo.write("msg", "feat(api): short\n\nSigned-off-by: A <a@x>\n");
    repo.run(&["lint", "--message-file", "msg"]).expect(0);
}
