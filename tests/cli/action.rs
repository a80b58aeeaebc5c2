//! The GitHub Action's script (`action/run.sh`), end to end: a release
//! pushed to a local bare remote, a fresh shallow clone as
//! `actions/checkout` leaves it, and the variables GitHub sets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::fixture::{TestRepo, git_in, hermetic};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/action/run.sh");

/// A first release v0.1.0 made by `tag --push` with its test evidence, under
/// `[gate] tests = ["unit"]`; returns the repository and the commit to pin.
fn released() -> (TestRepo, String) {
    let mut repo = TestRepo::empty();
    repo.as_user("Ada Author", "ada@example.com");
    repo.write(".release.toml", "[gate]\ntests = [\"unit\"]\n");
    repo.git(&["add", ".release.toml"]);
    repo.commit("chore: init");
    let root = repo.id("HEAD");
    repo.commit("feat: first feature");
    git_in(repo.root(), &["init", "-q", "--bare", "remote.git"]);
    repo.git(&["remote", "add", "origin", "../remote.git"]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    repo.run(&["tag", "--push"]).expect(0);
    (repo, root)
}

/// A clone of the remote as `actions/checkout` makes it: shallow, the tag
/// checked out, no evidence notes.
fn checkout(repo: &TestRepo, tag: &str) -> PathBuf {
    let workspace = repo.root().join(format!("workspace-{tag}"));
    let remote = format!("file://{}", repo.root().join("remote.git").display());
    git_in(
        repo.root(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            tag,
            &remote,
            workspace.to_str().unwrap(),
        ],
    );
    workspace
}

struct Action {
    /// RUNNER_TEMP and the files GitHub reads, kept while the test looks.
    _temp: tempfile::TempDir,
    output: Output,
    outputs: HashMap<String, String>,
    path_added: String,
    summary: String,
}

/// Runs the script in `workspace` as GitHub would for a push of `ref_`.
fn run_action(repo: &TestRepo, workspace: &Path, ref_: &str, inputs: &[(&str, &str)]) -> Action {
    let temp = tempfile::tempdir().unwrap();
    let output_file = temp.path().join("output");
    let path_file = temp.path().join("path");
    let summary_file = temp.path().join("summary");
    let runner_temp = temp.path().join("runner");
    std::fs::create_dir(&runner_temp).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_git-release"))
        .parent()
        .unwrap();
    let mut cmd = Command::new("bash");
    hermetic(&mut cmd, repo.root());
    let path = std::env::join_paths(std::iter::once(bin.to_owned()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    cmd.arg(SCRIPT)
        .current_dir(workspace)
        .env("PATH", path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REF", ref_)
        .env(
            "GITHUB_REF_NAME",
            ref_.rsplit('/').next().unwrap_or_default(),
        )
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_PATH", &path_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("RUNNER_TEMP", &runner_temp)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
    for (key, value) in inputs {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    let text = std::fs::read_to_string(&output_file).unwrap_or_default();
    Action {
        _temp: temp,
        output,
        outputs: parse_outputs(&text),
        path_added: std::fs::read_to_string(&path_file).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
    }
}

/// `$GITHUB_OUTPUT` as GitHub reads it: `key=value` and `key<<DELIMITER`.
fn parse_outputs(text: &str) -> HashMap<String, String> {
    let mut outputs = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((key, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.insert(key.to_owned(), value.join("\n"));
        } else if let Some((key, value)) = line.split_once('=') {
            outputs.insert(key.to_owned(), value.to_owned());
        }
    }
    outputs
}

impl Action {
    fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    fn transcript(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}\n--- outputs\n{:?}",
            self.code(),
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr),
            self.outputs
        )
    }

    fn get(&self, key: &str) -> &str {
        self.outputs.get(key).map_or("<unset>", String::as_str)
    }
}

#[test]
fn a_verified_release_sets_every_output() {
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let (repo, root) = released();
    let workspace = checkout(&repo, "v0.1.0");
    let action = run_action(
        &repo,
        &workspace,
        "refs/tags/v0.1.0",
        &[("INPUT_TRUST_ROOT", &root)],
    );
    let what = action.transcript();
    assert_eq!(action.code(), 0, "{what}");
    assert_eq!(action.get("tag"), "v0.1.0", "{what}");
    assert_eq!(action.get("version"), "0.1.0", "{what}");
    assert_eq!(action.get("previous-tag"), "", "{what}");
    assert_eq!(action.get("prerelease"), "false", "{what}");
    assert_eq!(action.get("gate-ok"), "true", "{what}");
    assert!(action.get("notes").contains("first feature"), "{what}");
    let notes_file = action.get("notes-file");
    assert_eq!(
        std::fs::read_to_string(notes_file).unwrap_or_default(),
        format!("{}\n", action.get("notes")),
        "{what}"
    );
    // git-release was on PATH: nothing installed, PATH left alone.
    assert_eq!(action.path_added, "", "{what}");
    assert!(action.summary.contains("Verified"), "{}", action.summary);
    // The shallow clone was deepened and the evidence fetched.
    assert_eq!(
        git_in(&workspace, &["rev-parse", "--is-shallow-repository"]).trim(),
        "false"
    );
    assert!(!git_in(&workspace, &["notes", "--ref", "release/tests", "list"]).is_empty());
}

#[test]
fn a_tag_without_evidence_fails_unless_told_not_to() {
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let (mut repo, root) = released();
    // A release tag pushed by hand, with no test record for its commit.
    repo.commit("feat: second feature");
    repo.annotated("v0.2.0");
    repo.git(&["push", "-q", "origin", "main", "v0.2.0"]);
    let workspace = checkout(&repo, "v0.2.0");
    let action = run_action(
        &repo,
        &workspace,
        "refs/tags/v0.2.0",
        &[("INPUT_TRUST_ROOT", &root)],
    );
    let what = action.transcript();
    assert_eq!(action.code(), 1, "{what}");
    assert_eq!(action.get("gate-ok"), "false", "{what}");
    assert_eq!(action.get("version"), "0.2.0", "{what}");
    assert_eq!(action.get("previous-tag"), "v0.1.0", "{what}");
    assert!(
        String::from_utf8_lossy(&action.output.stderr)
            .contains("::error title=git-release::v0.2.0 is not verified"),
        "{what}"
    );
    let action = run_action(
        &repo,
        &workspace,
        "refs/tags/v0.2.0",
        &[
            ("INPUT_TRUST_ROOT", &root),
            ("INPUT_FAIL_ON_UNVERIFIED", "false"),
        ],
    );
    assert_eq!(action.code(), 0, "{}", action.transcript());
    assert_eq!(action.get("gate-ok"), "false");
}

#[test]
fn a_branch_push_without_a_tag_input_is_an_error() {
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let (repo, _) = released();
    let workspace = checkout(&repo, "main");
    let action = run_action(&repo, &workspace, "refs/heads/main", &[]);
    assert_eq!(action.code(), 2, "{}", action.transcript());
    assert!(
        String::from_utf8_lossy(&action.output.stderr)
            .contains("::error title=git-release::no release tag"),
        "{}",
        action.transcript()
    );
    // With the input, a branch push reads the named release (verify: false).
    let action = run_action(
        &repo,
        &workspace,
        "refs/heads/main",
        &[("INPUT_TAG", "v0.1.0"), ("INPUT_VERIFY", "false")],
    );
    assert_eq!(action.code(), 0, "{}", action.transcript());
    assert_eq!(action.get("gate-ok"), "");
    assert_eq!(action.get("version"), "0.1.0");
}
