//! `tag` as a transaction: file modes and symlinks in the release commit,
//! the index left byte-identical by every provoked failure, signals while
//! writing and pushing, and a rerun that repairs what a crash left.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::{TestRepo, hermetic};

const TOOL: &str = "#!/bin/sh\nVERSION=\"1.0.0\"\necho \"$VERSION\"\n";
const CONFIG: &str =
    "version-files = [{ path = \"bin/tool\", pattern = \"VERSION=\\\"{version}\\\"\" }]\n";

/// A repository released as v1.0.0 with an executable version file
/// (`bin/tool`) and a changelog, and a feature since.
fn with_tool() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", CONFIG);
    repo.write("bin/tool", TOOL);
    repo.write("CHANGELOG.md", "# Changelog\n");
    set_mode(&repo.path().join("bin/tool"), 0o755);
    repo.git(&["add", "."]);
    repo.commit("chore: tool").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
}

/// Everything a failed `tag` must leave exactly as it was: every ref (tags,
/// branches, notes), HEAD, the bytes of `.git/index`, and each work-tree
/// file's content and mode (symlinks by target).
fn state(repo: &TestRepo) -> String {
    let mut s = repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
    s.push_str(&format!(
        "HEAD {} {}",
        repo.git(&["symbolic-ref", "-q", "HEAD"]).trim(),
        repo.git(&["rev-parse", "HEAD"])
    ));
    let index = git2::Oid::hash_file(git2::ObjectType::Blob, repo.path().join(".git/index"))
        .map(|id| id.to_string())
        .unwrap_or_else(|_| "none".to_owned());
    s.push_str(&format!(".git/index {index}\n"));
    let journal = repo.path().join(".git/git-release/tag-journal.json");
    s.push_str(&format!("journal {}\n", journal.exists()));
    let mut files = Vec::new();
    walk(&repo.path(), &repo.path(), &mut files);
    files.sort();
    for line in files {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path.strip_prefix(root).unwrap().display().to_string();
        if relative == ".git" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            out.push(format!("{relative} link -> {}", target.display()));
        } else if meta.is_dir() {
            walk(root, &path, out);
        } else {
            let id = git2::Oid::hash_file(git2::ObjectType::Blob, &path).unwrap();
            out.push(format!("{relative} {:o} {id}", mode_of(&path)));
        }
    }
}

fn git_in(dir: &Path, home: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    let out = cmd.args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bare remote `origin` with `main` and v1.0.0 pushed; returns its path.
fn with_remote(repo: &TestRepo) -> PathBuf {
    let bare = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "v1.0.0"]);
    bare
}

fn remote_refs(repo: &TestRepo, bare: &Path) -> String {
    git_in(
        bare,
        repo.root(),
        &["for-each-ref", "--format=%(refname) %(objectname)"],
    )
}

fn write_script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    set_mode(path, 0o755);
}

#[test]
fn the_release_commit_keeps_an_executable_version_file_executable() {
    let repo = with_tool();
    repo.run(&["tag"]).expect(0);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "",
        "dirty after a release"
    );
    let tree = repo.git(&["ls-tree", "HEAD", "bin/tool"]);
    assert!(tree.starts_with("100755 "), "{tree}");
    assert_eq!(mode_of(&repo.path().join("bin/tool")) & 0o777, 0o755);
    let tool = std::fs::read_to_string(repo.path().join("bin/tool")).unwrap();
    assert!(tool.contains("VERSION=\"1.1.0\""), "{tool}");
    repo.run(&["verify", "v1.1.0"]).expect(0);
}

#[test]
fn a_symlinked_changelog_is_written_through_and_stays_a_link() {
    let mut repo = TestRepo::new();
    repo.write("docs/CHANGELOG.md", "# Changelog\n");
    std::os::unix::fs::symlink("docs/CHANGELOG.md", repo.path().join("CHANGELOG.md")).unwrap();
    repo.git(&["add", "."]);
    repo.commit("chore: docs").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    repo.run(&["tag"]).expect(0);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let link = repo.path().join("CHANGELOG.md");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let real = std::fs::read_to_string(repo.path().join("docs/CHANGELOG.md")).unwrap();
    assert!(real.contains("<!-- git-release: v1.1.0 -->"), "{real}");
    let changed = repo.git(&["show", "--format=", "--name-only", "HEAD"]);
    assert_eq!(changed, "docs/CHANGELOG.md\n");
    let tree = repo.git(&["ls-tree", "HEAD", "CHANGELOG.md"]);
    assert!(tree.starts_with("120000 "), "{tree}");
    // The link in the trusted release lets the release commit change its target.
    repo.run(&["verify", "v1.1.0"]).expect(0);
}

#[test]
fn a_changelog_symlink_leading_outside_the_work_tree_is_refused() {
    let mut repo = TestRepo::new();
    let outside = repo.root().join("elsewhere.md");
    std::fs::write(&outside, "# Changelog\n").unwrap();
    std::os::unix::fs::symlink(&outside, repo.path().join("CHANGELOG.md")).unwrap();
    repo.git(&["add", "."]);
    repo.commit("chore: link").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    let before = state(&repo);
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(
        run.stderr().contains("`CHANGELOG.md` leads")
            && run.stderr().contains("outside the work tree"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("hint:"), "{}", run.stderr());
    assert_eq!(state(&repo), before);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "# Changelog\n");
}

#[test]
fn a_new_changelog_gets_the_umask_mode_not_0600() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "[changelog]\npath = \"CHANGES.md\"\n");
    repo.git(&["add", "."]);
    repo.commit("chore: config").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    repo.run(&["tag"]).expect(0);
    // What the umask makes of 0666 here, as for any new file.
    let probe = repo.root().join("probe");
    std::fs::File::create(&probe).unwrap();
    assert_eq!(
        mode_of(&repo.path().join("CHANGES.md")) & 0o777,
        mode_of(&probe) & 0o777
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_successful_tag_keeps_skip_worktree_bits_and_other_entries_stat_data() {
    let repo = with_tool();
    repo.git(&["update-index", "--skip-worktree", ".release.toml"]);
    let others = |repo: &TestRepo| {
        let debug = repo.git(&["ls-files", "--debug", "-v"]);
        debug
            .split("\n")
            .collect::<Vec<_>>()
            .chunks(6)
            .filter(|c| !c[0].contains("CHANGELOG.md") && !c[0].contains("bin/tool"))
            .map(|c| c.join("\n"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = others(&repo);
    assert!(before.contains("S .release.toml"), "{before}");
    repo.run(&["tag"]).expect(0);
    assert_eq!(others(&repo), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_rejected_push_leaves_everything_byte_identical() {
    let repo = with_tool();
    let bare = with_remote(&repo);
    write_script(
        &bare.join("hooks/pre-receive"),
        "echo 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n",
    );
    let before = state(&repo);
    let remote_before = remote_refs(&repo, &bare);
    let run = repo.run(&["tag", "--push"]);
    run.expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("the release was undone and nothing was tagged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`refs/heads/main` [remote rejected] (pre-receive hook declined)"),
        "{stderr}"
    );
    assert!(stderr.contains("pull request"), "{stderr}");
    assert!(!stderr.contains("evidence this clone lacks"), "{stderr}");
    assert!(!stderr.contains("undoing"), "{stderr}");
    assert_eq!(state(&repo), before);
    assert_eq!(remote_refs(&repo, &bare), remote_before);
}

#[test]
fn an_index_lock_is_refused_before_anything_is_written() {
    let repo = with_tool();
    std::fs::write(repo.path().join(".git/index.lock"), "").unwrap();
    let before = state(&repo);
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(
        run.stderr().contains("index.lock` exists"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("undoing"), "{}", run.stderr());
    assert_eq!(state(&repo), before);
}

/// Makes `dir` unwritable even for root (the immutable attribute), or by
/// its mode for anyone else; returns how to undo it.
fn make_unwritable(dir: &Path) -> Box<dyn Fn()> {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let path = dir.to_path_buf();
    if root {
        let status = Command::new("chattr").arg("+i").arg(dir).status().unwrap();
        assert!(status.success(), "chattr +i failed");
        Box::new(move || {
            Command::new("chattr")
                .arg("-i")
                .arg(&path)
                .status()
                .unwrap();
        })
    } else {
        set_mode(dir, 0o555);
        Box::new(move || set_mode(&path, 0o755))
    }
}

#[test]
fn an_unwritable_version_file_is_refused_before_anything_is_written() {
    let repo = with_tool();
    let before = state(&repo);
    let undo = make_unwritable(&repo.path().join("bin"));
    let run = repo.run(&["tag"]);
    undo();
    run.expect(2);
    assert!(
        run.stderr().contains("cannot write `bin/tool`"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("undoing"), "{}", run.stderr());
    assert_eq!(state(&repo), before);
}

#[test]
fn a_gate_failure_leaves_everything_byte_identical() {
    let mut repo = with_tool();
    repo.write(
        ".release.toml",
        &format!("{CONFIG}[gate]\ntests = [\"unit\"]\n"),
    );
    repo.git(&["add", "."]);
    repo.git_dated(&["commit", "-q", "-m", "chore: policy"]);
    repo.git(&["tag", "-f", "v1.0.0"]);
    repo.commit("feat: gated");
    let before = state(&repo);
    repo.run(&["tag"]).expect(1);
    assert_eq!(state(&repo), before);
}

/// An SSH key for `git tag -s`.
fn signing_key(repo: &TestRepo) -> PathBuf {
    let key = repo.root().join("key");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    key
}

#[test]
fn a_tag_that_appears_mid_way_is_left_and_the_rest_undone() {
    let repo = with_tool();
    signing_key(&repo);
    // The signing program creates the tag while `git tag -s` signs it.
    let program = repo.root().join("sign-and-race");
    write_script(
        &program,
        &format!(
            "git -C '{}' update-ref refs/tags/v1.1.0 v1.0.0\nexec ssh-keygen \"$@\"\n",
            repo.path().display()
        ),
    );
    repo.git(&["config", "gpg.ssh.program", program.to_str().unwrap()]);
    let before = state(&repo);
    let run = repo.run(&["tag", "--sign"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("the tag `v1.1.0` appeared while the release was being written"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("undoing"), "{}", run.stderr());
    // Everything is as before, except the tag someone else made.
    let theirs = repo.id("v1.0.0");
    repo.git(&["update-ref", "-d", "refs/tags/v1.1.0", &theirs]);
    assert_eq!(state(&repo), before);
}

/// The real binary, started in the background with its pid written to
/// `ROOT/pid` for hooks to signal.
fn spawn_tag(repo: &TestRepo, args: &[&str]) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
    hermetic(&mut cmd, repo.root());
    cmd.env("SOURCE_DATE_EPOCH", "1700000000")
        .env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z")
        .args(args)
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = repo.root().join("pid");
    std::fs::write(repo.root().join("pid.tmp"), child.id().to_string()).unwrap();
    std::fs::rename(repo.root().join("pid.tmp"), pid).unwrap();
    child
}

/// Shell that waits for the pid file, then sends `signal` to git-release.
fn send(repo: &TestRepo, signal: &str) -> String {
    let pid = repo.root().join("pid");
    format!(
        "while [ ! -s '{pid}' ]; do sleep 0.02; done\nkill -s {signal} \"$(cat '{pid}')\"\nsleep 0.2\n",
        pid = pid.display()
    )
}

struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn finish(child: std::process::Child) -> Finished {
    let out = child.wait_with_output().unwrap();
    Finished {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_signal_while_tagging_undoes_the_release() {
    let repo = with_tool();
    let bare = with_remote(&repo);
    signing_key(&repo);
    let program = repo.root().join("sign-slowly");
    write_script(
        &program,
        &format!("{}exec ssh-keygen \"$@\"\n", send(&repo, "TERM")),
    );
    repo.git(&["config", "gpg.ssh.program", program.to_str().unwrap()]);
    let before = state(&repo);
    let remote_before = remote_refs(&repo, &bare);
    let run = finish(spawn_tag(&repo, &["tag", "--sign", "--push"]));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("interrupted by SIGTERM: the release was undone"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&repo), before);
    assert_eq!(remote_refs(&repo, &bare), remote_before);
}

/// A remote whose pre-receive hook signals git-release mid-push, then
/// accepts (`verdict` 0) or rejects (1) the push.
fn signalling_remote(repo: &TestRepo, signal: &str, verdict: u8) -> PathBuf {
    let bare = with_remote(repo);
    write_script(
        &bare.join("hooks/pre-receive"),
        &format!("{}exit {verdict}\n", send(repo, signal)),
    );
    write_script(
        &bare.join("hooks/post-receive"),
        &format!("touch '{}'\n", repo.root().join("received").display()),
    );
    bare
}

#[test]
fn a_signal_during_an_accepted_push_lets_it_finish_and_the_release_stands() {
    let repo = with_tool();
    let bare = signalling_remote(&repo, "INT", 0);
    let run = finish(spawn_tag(&repo, &["tag", "--push"]));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("tagged v1.1.0"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("SIGINT arrived while pushing, but the push had reached origin"),
        "{}",
        run.stderr
    );
    let remote = remote_refs(&repo, &bare);
    assert!(
        remote.contains(&format!("refs/tags/v1.1.0 {}", repo.id("refs/tags/v1.1.0"))),
        "{remote}"
    );
    assert!(
        remote.contains(&format!("refs/heads/main {}", repo.id("main"))),
        "{remote}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(
        !repo
            .path()
            .join(".git/git-release/tag-journal.json")
            .exists()
    );
}

#[test]
fn a_signal_during_a_rejected_push_undoes_the_release() {
    let repo = with_tool();
    let bare = signalling_remote(&repo, "HUP", 1);
    let before = state(&repo);
    let remote_before = remote_refs(&repo, &bare);
    let run = finish(spawn_tag(&repo, &["tag", "--push"]));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("received SIGHUP: letting `git push` finish"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the release was undone"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&repo), before);
    assert_eq!(remote_refs(&repo, &bare), remote_before);
}

#[test]
fn a_crash_during_a_rejected_push_is_undone_by_the_rerun_which_releases() {
    let repo = with_tool();
    let bare = signalling_remote(&repo, "KILL", 1);
    let before = state(&repo);
    let run = finish(spawn_tag(&repo, &["tag", "--push"]));
    assert_eq!(run.code, None, "killed: {}", run.stderr);
    // The crash left the release commit, the tag, the files and the journal.
    assert_ne!(state(&repo), before);
    assert!(
        repo.path()
            .join(".git/git-release/tag-journal.json")
            .exists()
    );
    let dry = repo.run(&["tag", "--dry-run"]);
    dry.expect(0);
    assert!(
        dry.stdout().contains("An interrupted release of v1.1.0"),
        "{}",
        dry.stdout()
    );
    // The rerun asks the remote, undoes the local half and releases again.
    std::fs::remove_file(bare.join("hooks/pre-receive")).unwrap();
    std::fs::remove_file(repo.root().join("pid")).unwrap();
    let run = repo.run(&["tag", "--push"]);
    run.expect(0);
    assert!(
        run.stderr()
            .contains("undid the interrupted release of v1.1.0; releasing again"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("pushed v1.1.0"), "{}", run.stdout());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["rev-list", "--count", "v1.0.0..main"]), "2\n");
    let remote = remote_refs(&repo, &bare);
    assert!(
        remote.contains(&format!("refs/tags/v1.1.0 {}", repo.id("refs/tags/v1.1.0"))),
        "{remote}"
    );
}

#[test]
fn a_crash_after_the_push_arrived_is_completed_by_the_rerun() {
    let repo = with_tool();
    let bare = signalling_remote(&repo, "KILL", 0);
    let run = finish(spawn_tag(&repo, &["tag", "--push"]));
    assert_eq!(run.code, None, "killed: {}", run.stderr);
    // The push goes on without git-release and reaches the remote (and
    // then updates `origin/main`).
    wait_for(&repo.root().join("received"));
    let start = Instant::now();
    while repo.id("refs/remotes/origin/main") != repo.id("main") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the push never finished"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let tag = repo.id("refs/tags/v1.1.0");
    let released = state(&repo);
    std::fs::remove_file(bare.join("hooks/pre-receive")).unwrap();
    let run = repo.run(&["tag", "--push"]);
    run.expect(0);
    assert!(
        run.stdout()
            .contains("the interrupted release of v1.1.0 had reached origin: it is complete"),
        "{}",
        run.stdout()
    );
    assert_eq!(repo.id("refs/tags/v1.1.0"), tag);
    assert!(remote_refs(&repo, &bare).contains(&format!("refs/tags/v1.1.0 {tag}")));
    assert_eq!(
        state(&repo),
        released.replace("journal true", "journal false")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_crash_while_tagging_is_undone_by_the_rerun_byte_for_byte() {
    let repo = with_tool();
    signing_key(&repo);
    // The signing program kills git-release, waits until it is gone, and
    // fails, so nothing happens after the crash.
    let program = repo.root().join("sign-and-die");
    let pid = repo.root().join("pid");
    write_script(
        &program,
        &format!(
            "{}while kill -0 \"$(cat '{}')\" 2>/dev/null; do sleep 0.02; done\nexit 1\n",
            send(&repo, "KILL"),
            pid.display()
        ),
    );
    repo.git(&["config", "gpg.ssh.program", program.to_str().unwrap()]);
    let before = state(&repo);
    let head = repo.id("main");
    let run = finish(spawn_tag(&repo, &["tag", "--sign"]));
    assert_eq!(run.code, None, "killed: {}", run.stderr);
    // The crash left the release commit on `main` and the journal.
    assert_ne!(repo.id("main"), head);
    assert_ne!(state(&repo), before);
    assert!(
        repo.path()
            .join(".git/git-release/tag-journal.json")
            .exists()
    );
    // A rerun undoes the release first: here its plan then fails, which
    // shows the state the undo left: byte for byte the one before.
    repo.git(&["config", "--unset", "gpg.ssh.program"]);
    let run = repo.run(&["tag", "--release-as", "0.0.1"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("undid the interrupted release of v1.1.0"),
        "{}",
        run.stderr()
    );
    assert_eq!(state(&repo), before);
    repo.run(&["tag"]).expect(0);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
