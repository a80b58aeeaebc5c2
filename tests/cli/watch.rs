//! `git release watch`: real health checks that pass, fail, flap and hang,
//! rollbacks that work and that fail, and interruptions.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::{Run, TestRepo, hermetic};

const CONFIG: &str = r#"[environments.staging]
check = "true"
check-every = "50ms"
check-for = "300ms"

[environments.production]
requires = ["staging"]
rollback-command = "echo \"$GIT_RELEASE_FROM -> $GIT_RELEASE_TAG in $GIT_RELEASE_ENV\" >> ../rollback.log"
check-every = "50ms"
check-for = "300ms"
check-timeout = "2s"
"#;

/// Three releases; v0.1.0 and v0.2.0 run in both environments, v0.3.0 in
/// staging and started in production.
fn released(config: &str) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", config);
    repo.git(&["add", "."]);
    repo.as_user("Ada Author", "ada@example.com");
    for message in ["feat: first", "feat: second", "feat: third"] {
        repo.commit(message);
        repo.run(&["tag"]).expect(0);
    }
    for (tag, day) in [("v0.1.0", "01"), ("v0.2.0", "02")] {
        for env in ["staging", "production"] {
            deploy(
                &repo,
                &format!("2023-11-{day}T10:00:00Z"),
                tag,
                env,
                "succeeded",
            );
        }
    }
    repo
}

fn deploy(repo: &TestRepo, now: &str, tag: &str, env: &str, status: &str) {
    repo.run_env(
        &repo.path(),
        &["deploy", tag, "--env", env, "--status", status],
        &[("GIT_RELEASE_NOW", now)],
    )
    .expect(0);
}

fn deploys(repo: &TestRepo) -> String {
    let mut text = String::new();
    for tag in ["v0.1.0", "v0.2.0", "v0.3.0"] {
        let out = Command::new("git")
            .args([
                "notes",
                "--ref",
                "release/deploys",
                "show",
                &format!("{tag}^{{commit}}"),
            ])
            .current_dir(repo.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    text
}

fn watch(repo: &TestRepo, args: &[&str]) -> Run {
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    repo.run(&all)
}

fn status(repo: &TestRepo, env: &str) -> serde_json::Value {
    let json = repo.run(&["status", "--format", "json"]).json();
    json.as_array()
        .unwrap()
        .iter()
        .find(|r| r["env"] == env)
        .unwrap()
        .clone()
}

#[test]
fn a_passing_check_records_success_through_deploy() {
    let repo = released(CONFIG);
    deploy(
        &repo,
        "2023-11-15T09:00:00Z",
        "v0.3.0",
        "staging",
        "started",
    );
    let run = watch(&repo, &["v0.3.0", "--env", "staging"]);
    run.expect(0);
    assert_eq!(run.stdout(), "recorded: v0.3.0 succeeded in `staging`\n");
    let stderr = run.stderr();
    assert!(
        stderr.starts_with("watching v0.3.0 in `staging`: `true` every 50ms for 300ms (timeout 30s, 2 failed check(s) in a row fail it)\n"),
        "{stderr}"
    );
    assert!(stderr.contains("check 1 passed"), "{stderr}");
    assert!(stderr.contains("-- held"), "{stderr}");
    let row = status(&repo, "staging");
    assert_eq!(row["running"], "v0.3.0");
    assert_eq!(row["last_status"], "succeeded");
    assert!(
        deploys(&repo).contains("note=\"watch: held for 300ms:"),
        "{}",
        deploys(&repo)
    );
}

#[test]
fn a_failing_check_records_failure() {
    let repo = released(CONFIG);
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "staging",
            "--check",
            "echo 'HTTP 503' >&2; exit 1",
        ],
    );
    run.expect(1);
    assert_eq!(run.stdout(), "recorded: v0.3.0 failed in `staging`\n");
    assert!(
        run.stderr()
            .contains("check 1 failed (exit status: 1): HTTP 503 in"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("[2 of 2 in a row] -- sustained failure"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("git release rollback --env staging --execute")
    );
    let row = status(&repo, "staging");
    assert_eq!(row["last_status"], "failed");
    assert_eq!(row["running"], "v0.2.0");
    assert!(deploys(&repo).contains("last failed (exit status: 1): HTTP 503"));
}

/// A check that fails on every odd run.
fn flapping(repo: &TestRepo) -> String {
    let counter = repo.root().join("count");
    format!(
        "n=$(cat {0} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {0}; [ $((n % 2)) -eq 0 ]",
        counter.display()
    )
}

#[test]
fn a_flapping_check_holds_unless_each_failure_counts() {
    let repo = released(CONFIG);
    let check = flapping(&repo);
    let run = watch(&repo, &["v0.3.0", "--env", "staging", "--check", &check]);
    run.expect(0);
    assert!(deploys(&repo).contains("failed\""), "{}", deploys(&repo));
    let notes = deploys(&repo);
    let note = notes.lines().find(|l| l.contains("watch: held")).unwrap();
    // Odd checks failed, and the period ended on a pass.
    assert!(!note.contains(", 0 failed"), "{note}");
    std::fs::remove_file(repo.root().join("count")).unwrap();
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "staging",
            "--check",
            &check,
            "--failures",
            "1",
        ],
    );
    run.expect(1);
    assert!(run.stderr().contains("check 1 failed"), "{}", run.stderr());
}

#[test]
fn a_hanging_check_is_killed_and_counts_as_failed() {
    let repo = released(CONFIG);
    let pid_file = repo.root().join("check.pid");
    let check = format!("echo $$ > {}; exec sleep 30", pid_file.display());
    let started = Instant::now();
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "staging",
            "--check",
            &check,
            "--timeout",
            "200ms",
            "--every",
            "100ms",
        ],
    );
    run.expect(1);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        run.stderr()
            .contains("timed out after 200ms and was killed"),
        "{}",
        run.stderr()
    );
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(
        !alive(pid.trim()),
        "the hanging check {pid} is still running"
    );
}

fn alive(pid: &str) -> bool {
    // Reaped or gone: `kill -0` fails. A zombie would still answer, and
    // the watcher waits for its checks, so none is left.
    Command::new("sh")
        .args(["-c", &format!("kill -0 {pid} 2>/dev/null")])
        .status()
        .unwrap()
        .success()
}

#[test]
fn rollback_after_a_sustained_failure() {
    let repo = released(CONFIG);
    deploy(
        &repo,
        "2023-11-15T08:00:00Z",
        "v0.3.0",
        "staging",
        "succeeded",
    );
    deploy(
        &repo,
        "2023-11-15T09:00:00Z",
        "v0.3.0",
        "production",
        "started",
    );
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "production",
            "--check",
            "false",
            "--rollback",
        ],
    );
    run.expect(1);
    assert_eq!(
        run.stdout(),
        "recorded: v0.3.0 failed in `production`\nrolled `production` back to v0.2.0; recorded\n"
    );
    assert!(
        run.stderr()
            .contains("rolling `production` back from v0.3.0 to v0.2.0")
    );
    let log = std::fs::read_to_string(repo.root().join("rollback.log")).unwrap();
    assert_eq!(log, "v0.3.0 -> v0.2.0 in production\n");
    let row = status(&repo, "production");
    assert_eq!(row["running"], "v0.2.0", "{row}");
    let notes = deploys(&repo);
    assert!(
        notes.contains("Deployed-to: production rolled-back; tag=v0.3.0"),
        "{notes}"
    );
}

#[test]
fn a_failing_rollback_is_recorded_too() {
    let config = CONFIG.replace(
        "rollback-command = \"echo",
        "auto-rollback = true\nrollback-command = \"exit 3; echo",
    );
    let repo = released(&config);
    deploy(
        &repo,
        "2023-11-15T08:00:00Z",
        "v0.3.0",
        "staging",
        "succeeded",
    );
    // The check comes from the flag, the rollback from `auto-rollback`.
    let run = watch(
        &repo,
        &["v0.3.0", "--env", "production", "--check", "exit 1"],
    );
    run.expect(1);
    assert!(
        run.stderr().contains("the rollback command failed (exit status: 3); recorded as a failed deployment of v0.2.0"),
        "{}",
        run.stderr()
    );
    let notes = deploys(&repo);
    assert!(
        notes.contains("Deployed-to: production failed; tag=v0.2.0"),
        "{notes}"
    );
    // `--no-rollback` overrides the configuration.
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "production",
            "--check",
            "exit 1",
            "--no-rollback",
        ],
    );
    run.expect(1);
    assert!(!run.stderr().contains("rolling"), "{}", run.stderr());
}

/// Starts a watch in the background, interrupts it with `signal` once the
/// check has started, and returns its exit code and stderr.
fn interrupted(repo: &TestRepo, signal: &str) -> (i32, String) {
    let pid_file = repo.root().join(format!("{signal}.pid"));
    let check = format!("echo $$ > {}; exec sleep 30", pid_file.display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-release"));
    hermetic(&mut cmd, repo.root());
    let child = cmd
        .env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z")
        .args([
            "watch",
            "v0.3.0",
            "--env",
            "staging",
            "--check",
            &check,
            "--for",
            "1m",
            "--timeout",
            "1m",
        ])
        .current_dir(repo.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !pid_file.exists() {
        assert!(Instant::now() < deadline, "the check never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let check_pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(
        !alive(check_pid.trim()),
        "the check {check_pid} outlived the watch"
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_interrupted_watch_records_nothing() {
    let repo = released(CONFIG);
    let before = deploys(&repo);
    for signal in ["INT", "TERM"] {
        let (code, stderr) = interrupted(&repo, signal);
        assert_eq!(code, 130, "{stderr}");
        assert!(
            stderr.contains("the running check was stopped and nothing was recorded"),
            "{stderr}"
        );
        assert_eq!(deploys(&repo), before);
    }
}

#[test]
fn errors_say_how_to_fix_them() {
    let repo = released(&CONFIG.replace("check = \"true\"\n", ""));
    let run = watch(&repo, &["v0.3.0", "--env", "staging"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("there is no health check for `staging`"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("hint: pass one: `git release watch TAG --env NAME --check")
    );
    let run = watch(
        &repo,
        &[
            "v0.3.0", "--env", "staging", "--check", "true", "--every", "soon",
        ],
    );
    run.expect(2);
    assert!(
        run.stderr().contains("`--every`: `soon` is not a duration"),
        "{}",
        run.stderr()
    );
    let run = watch(&repo, &["v0.3.0", "--env", "moon", "--check", "true"]);
    run.expect(2);
    assert!(
        run.stderr().contains("there is no environment `moon`"),
        "{}",
        run.stderr()
    );
    let run = watch(&repo, &["v9.9.9", "--env", "staging", "--check", "true"]);
    run.expect(2);
    // Production needs v0.3.0 to have succeeded in staging first: refused
    // before any check runs, and nothing recorded.
    let before = deploys(&repo);
    let run = watch(&repo, &["v0.3.0", "--env", "production", "--check", "true"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("may not be recorded as succeeded in `production`"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("hint: v0.3.0 has not succeeded in `staging` yet"),
        "{}",
        run.stderr()
    );
    assert_eq!(deploys(&repo), before);
    let run = watch(
        &repo,
        &[
            "v0.3.0",
            "--env",
            "staging",
            "--check",
            "true",
            "--failures",
            "0",
        ],
    );
    run.expect(2);
}
