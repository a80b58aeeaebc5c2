//! `TestRepo`: a temp-dir repository with fixed identities and dates, built
//! with the real `git`, and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A repository in a temp dir.
pub struct TestRepo {
    dir: TempDir,
    /// Seconds added to the base date for the next commit or tag.
    tick: u64,
}

const BASE_DATE: u64 = 1_700_000_000;

/// The environment every git and git-release call gets: no user or
/// system config, fixed identities, no colour.
pub fn hermetic(cmd: &mut Command, home: &Path) {
    hermetic_without_identity(cmd, home);
    cmd.env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com");
}

/// The hermetic environment with no identity at all: git-release records as
/// whoever `user.name`/`user.email` (see [`TestRepo::as_user`]), `git -c` or
/// `GIT_COMMITTER_*` say, as git would, and git guesses nothing from the
/// host (`user.useConfigOnly`).
pub fn hermetic_without_identity(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "user.useConfigOnly")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C");
}

/// Runs git in `dir` (hermetic, HOME beside it); panics on failure;
/// returns stdout.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, dir.parent().unwrap_or(dir));
    let out = cmd.args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl TestRepo {
    /// An empty repository on branch `main`.
    pub fn empty() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            tick: 0,
        };
        std::fs::create_dir(repo.path()).unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A copy of this repository and everything beside it in its temp dir
    /// (remotes, HOME), cheaper than building it again.
    pub fn duplicate(&self) -> TestRepo {
        let copy = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            tick: self.tick,
        };
        for entry in walkdir::WalkDir::new(self.root()).min_depth(1) {
            let entry = entry.unwrap();
            let target = copy
                .root()
                .join(entry.path().strip_prefix(self.root()).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        copy
    }

    /// A repository with one commit, `chore: init`.
    pub fn new() -> TestRepo {
        let mut repo = TestRepo::empty();
        repo.commit("chore: init");
        repo
    }

    /// The work tree.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The temp dir holding the work tree (usable as HOME and for clones).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    fn date(&mut self) -> String {
        self.tick += 60;
        format!("@{} +0000", BASE_DATE + self.tick)
    }

    /// Runs git in the work tree; panics on failure; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.path(), args, None)
    }

    fn git_in(&self, dir: &Path, args: &[&str], date: Option<&str>) -> String {
        let mut cmd = Command::new("git");
        hermetic(&mut cmd, self.root());
        if let Some(date) = date {
            cmd.env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        }
        let out = cmd.args(args).current_dir(dir).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git with the next fixed date.
    pub fn git_dated(&mut self, args: &[&str]) -> String {
        let date = self.date();
        self.git_in(&self.path(), args, Some(&date))
    }

    /// Commits a change to `file.txt` with this message.
    pub fn commit(&mut self, message: &str) -> &mut Self {
        // A file of its own per commit, so branches merge without conflicts.
        let name = format!("changes/{}.txt", self.tick + 60);
        self.write(&name, message);
        self.git(&["add", &name]);
        self.git_dated(&["commit", "-q", "--cleanup=verbatim", "-m", message]);
        self
    }

    /// Commits raw message bytes exactly as given (non-UTF-8 included), by
    /// writing the commit object itself: `git commit` would re-encode.
    pub fn commit_bytes(&mut self, message: &[u8]) -> &mut Self {
        let tree = self.id("HEAD^{tree}");
        let parent = self.id("HEAD");
        self.tick += 60;
        let when = BASE_DATE + self.tick;
        let mut object = format!(
            "tree {tree}\nparent {parent}\nauthor Ada Author <ada@example.com> {when} +0000\ncommitter Ada Author <ada@example.com> {when} +0000\n\n"
        )
        .into_bytes();
        object.extend_from_slice(message);
        let file = self.root().join("object");
        std::fs::write(&file, object).unwrap();
        let id = self.git(&[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            file.to_str().unwrap(),
        ]);
        self.git(&["update-ref", "HEAD", id.trim()]);
        self
    }

    /// Writes a file in the work tree (not committed).
    pub fn write(&mut self, path: &str, content: &str) -> &mut Self {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Writes a file without needing `&mut`.
    pub fn write_file(&self, path: &str, content: &str) {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Lightweight tag on HEAD.
    pub fn tag(&mut self, name: &str) -> &mut Self {
        self.git(&["tag", name]);
        self
    }

    /// Annotated tag on HEAD.
    pub fn annotated(&mut self, name: &str) -> &mut Self {
        self.git_dated(&["tag", "-a", name, "-m", &format!("release {name}")]);
        self
    }

    /// Creates and switches to a branch.
    pub fn branch(&mut self, name: &str) -> &mut Self {
        self.git(&["switch", "-q", "-c", name]);
        self
    }

    /// Switches to a branch.
    pub fn switch(&mut self, name: &str) -> &mut Self {
        self.git(&["switch", "-q", name]);
        self
    }

    /// Merges a branch with a merge commit.
    pub fn merge(&mut self, branch: &str) -> &mut Self {
        self.git_dated(&[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            &format!("Merge branch '{branch}'"),
            branch,
        ]);
        self
    }

    /// The full id of a revision.
    pub fn id(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_owned()
    }

    /// Sets the identity git-release records evidence as (`user.name`/`user.email`).
    pub fn as_user(&mut self, name: &str, email: &str) -> &mut Self {
        self.git(&["config", "user.name", name]);
        self.git(&["config", "user.email", email]);
        self
    }

    /// Runs the real git-release binary in `dir` with `args`.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_env(dir, args, &[])
    }

    /// Runs the real binary in `dir` with extra environment variables.
    pub fn run_env(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let output = self.command(dir, args, vars).output().unwrap();
        Run { output }
    }

    /// The command that runs the real binary in `dir` (to spawn it): the
    /// hermetic environment without identity, pinned dates, `vars`.
    pub fn command(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
        hermetic_without_identity(&mut cmd, self.root());
        cmd.env("SOURCE_DATE_EPOCH", "1700000000");
        cmd.env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
        for (key, value) in vars {
            cmd.env(key, value);
        }
        cmd.args(args).current_dir(dir);
        cmd
    }

    /// Runs the real binary in the work tree with nothing pinning the clock
    /// (no `GIT_RELEASE_NOW`, no `SOURCE_DATE_EPOCH`).
    pub fn run_unpinned(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
        hermetic(&mut cmd, self.root());
        let output = cmd.args(args).current_dir(self.path()).output().unwrap();
        Run { output }
    }

    /// Runs the real binary in the work tree.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.path(), args)
    }

    /// Runs the real binary in the work tree with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
        hermetic(&mut cmd, self.root());
        cmd.env("SOURCE_DATE_EPOCH", "1700000000");
        cmd.env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
        let mut child = cmd
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(mut stdin) = child.stdin.take() {
            // The binary may stop reading early (it fails closed): fine.
            let _ = stdin.write_all(input);
        }
        Run {
            output: child.wait_with_output().unwrap(),
        }
    }
}

/// The result of one run of the binary.
pub struct Run {
    /// What the process produced.
    pub output: Output,
}

impl Run {
    /// The exit code.
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// stdout as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// stderr as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }

    /// jj-style transcript for snapshots: exit status, stdout, stderr.
    pub fn transcript(&self) -> String {
        let mut s = format!("[exit status: {}]\n", self.code());
        let (out, err) = (self.stdout(), self.stderr());
        if !out.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&out);
        }
        if !err.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&err);
        }
        s
    }

    /// Asserts the exit code, showing the transcript on failure.
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code:\n{}",
            self.transcript()
        );
        self
    }
}
