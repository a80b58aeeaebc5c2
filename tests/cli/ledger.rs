//! The release ledger: log, show, deployments, promotion, status, rollback.

use crate::fixture::{Run, TestRepo};

const CONFIG: &str = r#"[environments.staging]

[environments.production]
requires = ["staging"]
soak = "24h"
approvals = 1
rollback-command = "echo \"$GIT_RELEASE_FROM -> $GIT_RELEASE_TAG in $GIT_RELEASE_ENV\" >> rollback.log"
"#;

/// Three releases made by `git release tag`, at pinned times.
fn released() -> TestRepo {
    released_with(CONFIG)
}

/// The same, with `config` released (deployment rules are read from the
/// releases, never from the work tree).
fn released_with(config: &str) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", config);
    repo.write(".gitignore", "rollback.log\n");
    repo.git(&["add", "."]);
    repo.commit("feat: first");
    repo.as_user("Ada Author", "ada@example.com");
    repo.run(&["tag"]).expect(0);
    repo.commit("feat: second");
    repo.run(&["tag"]).expect(0);
    repo.commit("fix!: third\n\nBREAKING CHANGE: the flag is gone");
    repo.run(&["tag"]).expect(0);
    repo
}

fn at(repo: &TestRepo, now: &str, args: &[&str]) -> Run {
    repo.run_env(&repo.path(), args, &[("GIT_RELEASE_NOW", now)])
}

#[test]
fn log_and_show() {
    let repo = released();
    assert_eq!(repo.git(&["tag", "-l"]), "v0.1.0\nv0.2.0\nv0.3.0\n");
    at(
        &repo,
        "2023-11-15T10:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "staging",
            "--status",
            "succeeded",
        ],
    )
    .expect(0);
    let run = repo.run(&["log"]);
    run.expect(0);
    insta::assert_snapshot!("log", run.stdout());
    let json = repo.run(&["log", "--format", "json"]).json();
    assert_eq!(json[0]["tag"], "v0.3.0");
    assert_eq!(json[0]["commits"], 1);
    assert_eq!(json[0]["environments"][0]["env"], "staging");
    let run = repo.run(&["show", "v0.3.0"]);
    run.expect(0);
    assert!(
        run.stdout().contains("Rolls back to: v0.2.0"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("the flag is gone"));
    assert!(run.stdout().contains("staging succeeded"));
    repo.run(&["show", "v9.9.9"]).expect(2);
}

#[test]
fn promotion_refused_then_allowed_after_soak_and_approval() {
    let mut repo = released();
    at(
        &repo,
        "2023-11-15T10:00:00Z",
        &[
            "deploy", "v0.3.0", "--env", "staging", "--status", "started",
        ],
    )
    .expect(0);
    // Not yet succeeded in staging.
    let run = at(
        &repo,
        "2023-11-15T10:05:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "production",
            "--status",
            "started",
        ],
    );
    run.expect(1);
    assert!(
        run.stderr().contains("has not succeeded in `staging`"),
        "{}",
        run.stderr()
    );
    at(
        &repo,
        "2023-11-15T10:10:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "staging",
            "--status",
            "succeeded",
        ],
    )
    .expect(0);
    // Soaking, and no approval.
    let run = at(
        &repo,
        "2023-11-15T20:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "production",
            "--status",
            "started",
        ],
    );
    run.expect(1);
    assert!(
        run.stderr().contains("soak") && run.stderr().contains("approval"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("fix: git release approve --tag v0.3.0 --env production")
    );
    repo.as_user("Bea", "bea@example.com");
    repo.run(&["approve", "--tag", "v0.3.0", "--env", "production"])
        .expect(0);
    // Bea may not deploy what she approved herself; Ada deploys.
    let run = at(
        &repo,
        "2023-11-16T11:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "production",
            "--status",
            "started",
        ],
    );
    run.expect(1);
    assert!(
        run.stderr().contains("is the person tagging"),
        "{}",
        run.stderr()
    );
    repo.as_user("Ada Author", "ada@example.com");
    at(
        &repo,
        "2023-11-16T11:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "production",
            "--status",
            "started",
        ],
    )
    .expect(0);
    // A release approval does not count as a deployment approval, and vice versa.
    let note = repo.git(&[
        "notes",
        "--ref",
        "release/approvals",
        "show",
        "v0.3.0^{commit}",
    ]);
    assert!(note.contains("env=production"), "{note}");
}

#[test]
fn status_rollback_and_execute() {
    let mut repo = released_with(
        &CONFIG
            .replace("approvals = 1\n", "")
            .replace("soak = \"24h\"\n", ""),
    );
    // Rules loosened in the work tree do not count.
    repo.write(".release.toml", "");
    for (tag, t) in [("v0.1.0", "01"), ("v0.2.0", "02"), ("v0.3.0", "03")] {
        at(
            &repo,
            &format!("2023-11-{t}T10:00:00Z"),
            &["deploy", tag, "--env", "staging", "--status", "succeeded"],
        )
        .expect(0);
        at(
            &repo,
            &format!("2023-11-{t}T11:00:00Z"),
            &["deploy", tag, "--env", "production", "--status", "started"],
        )
        .expect(0);
        at(
            &repo,
            &format!("2023-11-{t}T11:10:00Z"),
            &[
                "deploy",
                tag,
                "--env",
                "production",
                "--status",
                "succeeded",
            ],
        )
        .expect(0);
        if tag == "v0.2.0" {
            // v0.2.0 later failed in production (recorded in its turn:
            // records count in the order they were recorded in).
            at(
                &repo,
                "2023-11-02T12:00:00Z",
                &[
                    "deploy",
                    "v0.2.0",
                    "--env",
                    "production",
                    "--status",
                    "failed",
                ],
            )
            .expect(0);
        }
    }
    let run = repo.run(&["status"]);
    run.expect(0);
    insta::assert_snapshot!("status", run.stdout());
    // The rollback plan skips v0.2.0, which failed there.
    let run = repo.run(&["rollback", "--env", "production"]);
    run.expect(0);
    assert!(
        run.stdout()
            .starts_with("Roll `production` back from v0.3.0 to v0.1.0"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .contains("breaking change undone: the flag is gone"),
        "{}",
        run.stdout()
    );
    assert!(
        !repo.path().join("rollback.log").exists(),
        "nothing ran without --execute"
    );
    let run = at(
        &repo,
        "2023-11-04T09:00:00Z",
        &["rollback", "--env", "production", "--execute"],
    );
    run.expect(0);
    let log = std::fs::read_to_string(repo.path().join("rollback.log")).unwrap();
    assert_eq!(log, "v0.3.0 -> v0.1.0 in production\n");
    let json = repo.run(&["status", "--format", "json"]).json();
    let prod = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["env"] == "production")
        .unwrap();
    assert_eq!(prod["running"], "v0.1.0", "{json}");
    // A failed deployment makes status exit 1.
    at(
        &repo,
        "2023-11-05T09:00:00Z",
        &["deploy", "v0.3.0", "--env", "staging", "--status", "failed"],
    )
    .expect(0);
    repo.run(&["status"]).expect(1);
    at(
        &repo,
        "2023-11-05T10:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "staging",
            "--status",
            "succeeded",
        ],
    )
    .expect(0);
    // A failing rollback command is recorded as a failed deployment (its
    // log cannot be appended to: a directory stands in the way).
    std::fs::remove_file(repo.path().join("rollback.log")).unwrap();
    std::fs::create_dir(repo.path().join("rollback.log")).unwrap();
    at(
        &repo,
        "2023-11-06T09:00:00Z",
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "production",
            "--status",
            "succeeded",
        ],
    )
    .expect(0);
    let run = at(
        &repo,
        "2023-11-06T10:00:00Z",
        &["rollback", "--env", "production", "--execute"],
    );
    run.expect(1);
    assert!(
        run.stderr().contains("recorded as a failed deployment"),
        "{}",
        run.stderr()
    );
}

#[test]
fn deploy_records_from_two_clones_merge() {
    let repo = released();
    let bare = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["push", "-q", "--no-verify", "origin", "main", "--tags"]);
    let clone = |name: &str| {
        let dir = repo.root().join(name);
        repo.git(&["clone", "-q", bare.to_str().unwrap(), dir.to_str().unwrap()]);
        std::process::Command::new("git")
            .args(["config", "user.name", name])
            .current_dir(&dir)
            .status()
            .unwrap();
        std::process::Command::new("git")
            .args(["config", "user.email", &format!("{name}@example.com")])
            .current_dir(&dir)
            .status()
            .unwrap();
        dir
    };
    let a = clone("a");
    let b = clone("b");
    repo.run_in(
        &a,
        &[
            "deploy", "v0.3.0", "--env", "staging", "--status", "started",
        ],
    )
    .expect(0);
    repo.run_in(
        &b,
        &[
            "deploy",
            "v0.3.0",
            "--env",
            "staging",
            "--status",
            "succeeded",
        ],
    )
    .expect(0);
    repo.run_in(&a, &["sync"]).expect(0);
    repo.run_in(&b, &["sync"]).expect(0);
    repo.run_in(&a, &["sync"]).expect(0);
    let json = repo
        .run_in(&a, &["show", "v0.3.0", "--format", "json"])
        .json();
    assert_eq!(json["deployments"].as_array().unwrap().len(), 2, "{json}");
}

#[test]
fn bad_input() {
    let repo = released();
    let run = repo.run(&["deploy", "v0.3.0", "--env", "moon", "--status", "started"]);
    run.expect(2);
    assert!(
        run.stderr().contains("there is no environment `moon`")
            && run.stderr().contains("staging, production")
    );
    let run = repo.run(&[
        "deploy", "v7.0.0", "--env", "staging", "--status", "started",
    ]);
    run.expect(2);
    assert!(run.stderr().contains("there is no tag `v7.0.0`"));
    repo.run(&[
        "deploy", "v0.3.0", "--env", "staging", "--status", "sideways",
    ])
    .expect(2);
    repo.git(&[
        "notes",
        "--ref",
        "release/deploys",
        "add",
        "-m",
        "Deployed-to: nonsense",
        "v0.2.0",
    ]);
    let run = repo.run(&["status"]);
    assert!(
        run.stderr()
            .contains("ignored a malformed deployment record"),
        "{}",
        run.stderr()
    );
    repo.run(&["rollback", "--env", "production"]).expect(2);
}

#[test]
fn announcements_in_three_styles() {
    let repo = released();
    let plain = repo.run(&["notes", "--tag", "v0.3.0", "--style", "plain"]);
    plain.expect(0);
    insta::assert_snapshot!("plain", plain.stdout());
    let slack = repo.run(&["notes", "--tag", "v0.3.0", "--style", "slack"]);
    slack.expect(0);
    insta::assert_snapshot!("slack", slack.stdout());
}

#[test]
fn log_describes_releases_the_tool_did_not_tag() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.commit("feat: a").commit("fix: b");
    repo.git(&["tag", "-a", "v1.1.0", "-m", "by hand"]);
    let run = repo.run(&["log"]);
    run.expect(0);
    assert!(
        run.stdout()
            .contains("v1.1.0  2 commit(s), minor  (no release record: counted from history)"),
        "{}",
        run.stdout()
    );
    let json = repo.run(&["log", "--format", "json"]).json();
    assert_eq!(json[0]["commits"], 2, "{json}");
    assert_eq!(json[0]["bump"], "minor", "{json}");
    // `show` labels the message as what it is.
    let run = repo.run(&["show", "v1.1.0"]);
    run.expect(0);
    assert!(
        run.stdout().contains(
            "Tag message (no release record: the tag was not made by `git release tag`):\n    by hand\n"
        ),
        "{}",
        run.stdout()
    );
    assert!(
        !run.stdout().contains("Release record:"),
        "{}",
        run.stdout()
    );
}

#[test]
fn log_marks_releases_outside_head_and_names_the_first_one() {
    let mut repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.git(&["checkout", "-q", "--orphan", "other"]);
    repo.commit("feat: elsewhere").tag("v2.0.0");
    repo.git(&["checkout", "-q", "main"]);
    let run = repo.run(&["log"]);
    run.expect(0);
    let out = run.stdout();
    let line = |tag: &str| out.lines().find(|l| l.contains(tag)).unwrap().to_owned();
    assert!(line("v2.0.0").ends_with("(not in HEAD's history)"), "{out}");
    assert!(!line("v1.0.0").contains("not in HEAD"), "{out}");
    assert!(line("v1.0.0").contains(" commit(s), initial"), "{out}");
    let json = repo.run(&["log", "--format", "json"]).json();
    let entry = |tag: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|e| e["tag"] == tag)
            .unwrap()
            .clone()
    };
    assert_eq!(entry("v2.0.0")["reachable"], false, "{json}");
    assert_eq!(entry("v1.0.0")["reachable"], true, "{json}");
}
