//! Regression tests, each named for what broke (found in review).

use crate::fixture::TestRepo;

const POLICY: &str = "[gate]\ntests = [\"unit\"]\n";

fn with_policy() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("chore: policy").tag("v1.0.0");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

#[test]
fn orphan_branch_cannot_bring_its_own_policy() {
    let repo = with_policy();
    repo.git(&["switch", "-q", "--orphan", "evil"]);
    std::fs::write(repo.path().join("x"), "x").unwrap();
    repo.git(&["add", "x"]);
    repo.git(&["commit", "-q", "-m", "feat: no policy here"]);
    repo.git(&["tag", "-a", "v9.0.0", "-m", "mine"]);
    // With a pinned root, a history that does not descend from it is refused.
    let run = repo.run_env(
        &repo.path(),
        &["verify", "v9.0.0"],
        &[("GIT_RELEASE_TRUST_ROOT", "v1.0.0")],
    );
    run.expect(1);
    assert!(
        run.stdout().contains("is not in the history of"),
        "{}",
        run.stdout()
    );
    repo.git(&["config", "release.trustRoot", "v1.0.0"]);
    repo.run(&["verify", "v9.0.0"]).expect(1);
    repo.git(&["config", "--unset", "release.trustRoot"]);
    // Unpinned, an orphan history is its own first release, and says so.
    let run = repo.run(&["verify", "v9.0.0"]);
    assert!(
        run.stderr().contains("no trust root is pinned"),
        "{}",
        run.stderr()
    );
}

#[test]
fn branch_from_an_old_release_is_refused_under_a_pinned_root() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("feat: add a policy").tag("v2.0.0");
    repo.git(&["switch", "-q", "-c", "old", "v1.0.0"]);
    repo.commit("feat: sneaky");
    repo.git(&["tag", "-a", "v3.0.0", "-m", "mine"]);
    let run = repo.run(&["verify", "v3.0.0", "--trust-root", "v2.0.0"]);
    run.expect(1);
    assert!(run.stdout().contains("v2.0.0"), "{}", run.stdout());
    // A release that descends from the pinned root is held to its policy.
    repo.git(&["switch", "-q", "main"]);
    repo.commit("feat: honest");
    repo.git(&["tag", "-a", "v2.1.0", "-m", "honest"]);
    let run = repo.run(&["verify", "v2.1.0", "--trust-root", "v2.0.0"]);
    run.expect(1);
    assert!(run.stdout().contains("release v2.0.0"), "{}", run.stdout());
}

#[test]
fn tag_updates_the_changelog_for_the_requested_version() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.git(&["add", "."]);
    repo.commit("fix: a");
    repo.as_user("Ada Author", "ada@example.com");
    let run = repo.run(&["tag", "--release-as", "2.0.0", "--dry-run"]);
    run.expect(0);
    assert!(
        run.stdout().contains("CHANGELOG.md (v2.0.0"),
        "{}",
        run.stdout()
    );
    repo.run(&["tag", "--pre", "rc"]).expect(0);
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(text.contains("<!-- git-release: v1.0.1-rc.1 -->"), "{text}");
}

#[test]
fn first_parent_sees_release_tags_on_merged_branches() {
    let mut repo = TestRepo::new();
    repo.branch("release")
        .commit("fix: on release")
        .tag("v1.0.0")
        .switch("main");
    repo.commit("feat: on main").merge("release");
    let json = repo
        .run(&["plan", "--first-parent", "--format", "json"])
        .json();
    assert_eq!(json["previous"]["tag"], "v1.0.0", "{json}");
}

#[test]
fn notes_range_matches_git_log_when_a_is_not_an_ancestor() {
    let mut repo = TestRepo::new();
    repo.commit("feat: base");
    repo.branch("feature")
        .commit("feat: on feature")
        .switch("main")
        .commit("fix: on main");
    let json = repo
        .run(&["notes", "--range", "main..feature", "--format", "json"])
        .json();
    let all: Vec<&str> = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(all, ["feat: on feature"]);
}

#[test]
fn broken_trusted_policy_does_not_break_plan() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "[gate]\ntestz = [\"unit\"]\n");
    repo.git(&["add", "."]);
    repo.commit("chore: typo").tag("v1.0.0");
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("fix: the typo");
    let run = repo.run(&["plan", "--format", "json"]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["gate"]["ok"], false);
    // The first release's rules cannot be read, so it is passed over, and
    // the plan says why.
    assert!(json["warnings"].to_string().contains("testz"), "{json}");
    repo.run(&["gate"]).expect(1);
    // A pinned root whose rules cannot be read is an error, with the fix.
    repo.git(&["config", "release.trustRoot", "v1.0.0"]);
    let run = repo.run(&["gate"]);
    run.expect(2);
    assert!(run.stderr().contains("testz"), "{}", run.stderr());
    assert!(run.stderr().contains("--trust-root"), "{}", run.stderr());
}

#[test]
fn hooks_answer_0_or_1_even_when_the_config_is_broken() {
    let repo = TestRepo::new();
    repo.write_file(".release.toml", "not toml [");
    let run = repo.run(&["hook", "commit-msg", "/dev/null"]);
    run.expect(1);
    assert!(run.stderr().contains("refusing"), "{}", run.stderr());
}

#[test]
fn gate_with_nothing_to_release_is_a_clean_no() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    let run = repo.run(&["gate"]);
    run.expect(1);
    assert!(run.stderr().contains("nothing to release"));
}

#[test]
fn package_paths_with_dot_segments_count_their_commits() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[[package]]\nname = \"a\"\npath = \"./a\"\n\n[[package]]\nname = \"all\"\npath = \".\"\n",
    );
    repo.write("a/x.txt", "x");
    repo.git(&["add", "."]);
    repo.commit("feat(a): x");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json[0]["commits"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json[1]["commits"].as_array().unwrap().len(), 2, "{json}");
    assert!(
        json[0]["warnings"].as_array().unwrap().is_empty(),
        "`.` covers every commit: {json}"
    );
}

#[test]
fn monorepo_package_flag_keeps_dependents_and_refuses_shared_overrides() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[[package]]\nname = \"core\"\npath = \"core\"\nversion-files = [\"core/Cargo.toml\"]\n\n[[package]]\nname = \"app\"\npath = \"app\"\nversion-files = [\"app/Cargo.toml\"]\n",
    );
    repo.write(
        "core/Cargo.toml",
        "[package]\nname = \"acme-core\"\nversion = \"1.0.0\"\n",
    );
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"1.0.0\"\n\n[dependencies]\nacme-core = \"1.0.0\"\n",
    );
    repo.git(&["add", "."]);
    repo.commit("chore: init")
        .tag("core-v1.0.0")
        .tag("app-v1.0.0");
    repo.write("core/lib.rs", "x");
    repo.git(&["add", "."]);
    repo.commit("feat(core): x");
    // The dependency is found by the crate's own name.
    let app = repo
        .run(&["plan", "--package", "app", "--format", "json"])
        .json();
    assert_eq!(app["next"]["version"], "1.0.1", "{app}");
    assert_eq!(app["dependency_updates"][0]["manifest_name"], "acme-core");
    let run = repo.run(&["plan", "--release-as", "3.0.0"]);
    run.expect(2);
    assert!(run.stderr().contains("--package"), "{}", run.stderr());
    let pre = repo
        .run(&["plan", "--pre", "rc", "--format", "json"])
        .json();
    assert_eq!(pre[1]["next"]["version"], "1.0.1-rc.1", "{pre}");
}

#[test]
fn deployments_cannot_skip_promotion_or_borrow_other_commits_records() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[environments.staging]\n\n[environments.production]\nrequires = [\"staging\"]\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: a").tag("v1.0.0");
    repo.as_user("Ada Author", "ada@example.com");
    let run = repo.run(&[
        "deploy",
        "v1.0.0",
        "--env",
        "production",
        "--status",
        "succeeded",
    ]);
    run.expect(1);
    assert!(
        run.stderr().contains("has not succeeded in `staging`"),
        "{}",
        run.stderr()
    );
    // A record on another commit claiming staging success is not believed.
    let forged = format!(
        "Deployed-to: staging succeeded; tag=v1.0.0; commit={}; at=2023-11-01T00:00:00Z; by=x",
        "a".repeat(40)
    );
    repo.git(&[
        "notes",
        "--ref",
        "release/deploys",
        "add",
        "-m",
        &forged,
        "HEAD~1",
    ]);
    let run = repo.run(&[
        "deploy",
        "v1.0.0",
        "--env",
        "production",
        "--status",
        "started",
    ]);
    run.expect(1);
    assert!(
        run.stderr()
            .contains("ignored a malformed deployment record"),
        "{}",
        run.stderr()
    );
}

#[test]
fn unreleased_only_changelog_is_idempotent() {
    let mut repo = TestRepo::new();
    repo.commit("feat: first");
    repo.run(&["changelog", "--unreleased"]).expect(0);
    let run = repo.run(&["changelog", "--unreleased"]);
    run.expect(0);
    assert_eq!(run.stdout(), "CHANGELOG.md is up to date\n");
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert_eq!(
        text.matches("<!-- git-release: end -->").count(),
        1,
        "{text}"
    );
}

#[test]
fn a_broken_trusted_policy_does_not_hint_at_tagging_a_fix() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "[gate]\ntests = 5\n");
    repo.git(&["add", "."]);
    repo.commit("chore: broken policy").tag("v1.0.0");
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("fix: the policy");
    repo.as_user("Ada Author", "ada@example.com");
    let run = repo.run(&["tag"]);
    // The release whose rules cannot be read does not govern: it is passed
    // over with the reason, and the fix is held to its own policy.
    run.expect(1);
    let stderr = run.stderr();
    assert!(
        stderr.contains("`v1.0.0` does not count as a release in the trust chain"),
        "{stderr}"
    );
    assert!(stderr.contains("expected a sequence"), "{stderr}");
    assert!(
        !stderr.contains("in the next release and tag it"),
        "{stderr}"
    );
}

#[test]
fn partials_that_include_each_other_are_refused_instead_of_overflowing_the_stack() {
    let mut repo = TestRepo::new();
    repo.commit("feat: x");
    repo.write(
        "inline.hbs",
        "{{#*inline \"x\"}}{{> x}}{{/inline}}{{> x}}\n",
    );
    let run = repo.run(&["notes", "--template", "inline.hbs"]);
    run.expect(2);
    assert!(
        run.stderr().contains(
            "template `inline.hbs` cannot be used: partials include each other in a circle: `x` → `x`"
        ),
        "{}",
        run.stderr()
    );
    repo.write(".release/partials/a.hbs", "{{> b}}");
    repo.write(".release/partials/b.hbs", "{{#if version}}{{> a}}{{/if}}");
    repo.write(
        ".release.toml",
        "[changelog]\npartials = \".release/partials\"\n",
    );
    let run = repo.run(&["notes"]);
    run.expect(2);
    assert!(
        run.stderr().contains(
            "a.hbs` cannot be used: partials include each other in a circle: `a` → `b` → `a`"
        ),
        "{}",
        run.stderr()
    );
}

#[test]
fn deeply_nested_templates_are_refused_instead_of_overflowing_the_stack() {
    let mut repo = TestRepo::new();
    repo.commit("feat: x");
    let depth = 2000;
    repo.write(
        "deep.hbs",
        &("{{#if version}}".repeat(depth) + "x" + &"{{/if}}".repeat(depth)),
    );
    let run = repo.run(&["notes", "--template", "deep.hbs"]);
    run.expect(2);
    assert!(
        run.stderr().contains("nest more than 64 deep"),
        "{}",
        run.stderr()
    );
}

/// Three releases on `main` and a production environment with no rules.
fn three_releases() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[environments.production]\nrollback-command = \"true\"\n\n[environments.staging]\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: a").tag("v1.0.0");
    repo.commit("feat: b").tag("v1.1.0");
    repo.commit("feat: c").tag("v1.2.0");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

#[test]
fn deploys_within_one_second_keep_the_order_they_were_recorded_in() {
    // All at the same pinned second: the clock cannot order them. The
    // notes of two commits are read in object-id order, so the same story
    // is told twice, once upward (production) and once downward (staging):
    // one of them runs against that order.
    let repo = three_releases();
    for (env, good, bad) in [
        ("production", "v1.0.0", "v1.1.0"),
        ("staging", "v1.1.0", "v1.0.0"),
    ] {
        for (tag, status) in [(good, "succeeded"), (bad, "started"), (bad, "failed")] {
            repo.run(&["deploy", tag, "--env", env, "--status", status])
                .expect(0);
        }
    }
    let run = repo.run(&["status"]);
    run.expect(1);
    assert!(
        run.stdout().contains(
            "production     v1.0.0           2023-11-15T10:00:00Z   v1.1.0 failed at 2023-11-15T10:00:00Z  <-- attention"
        ) && run.stdout().contains(
            "staging        v1.1.0           2023-11-15T10:00:00Z   v1.0.0 failed at 2023-11-15T10:00:00Z  <-- attention"
        ),
        "{}",
        run.stdout()
    );
    let json = repo.run(&["status", "--format", "json"]).json();
    assert_eq!(json[0]["last_tag"], "v1.1.0", "{json}");
    assert_eq!(json[0]["last_status"], "failed", "{json}");
    assert_eq!(json[1]["last_tag"], "v1.0.0", "{json}");
    assert_eq!(json[1]["last_status"], "failed", "{json}");
    let shown = repo.run(&["show", "v1.1.0", "--format", "json"]).json();
    let statuses: Vec<&str> = shown["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["env"] == "production")
        .map(|d| d["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["started", "failed"], "{shown}");
    let log = repo.run(&["log", "--format", "json"]).json();
    let v110 = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tag"] == "v1.1.0")
        .unwrap();
    assert_eq!(v110["environments"][0]["env"], "production", "{log}");
    assert_eq!(v110["environments"][0]["status"], "failed", "{log}");
}

#[test]
fn rollback_picks_by_recording_order_within_one_second() {
    let repo = three_releases();
    // The notes live on three commits, read in object-id order: deploy
    // them, in one second, in the opposite order.
    let mut tags = ["v1.0.0", "v1.1.0", "v1.2.0"];
    tags.sort_by_key(|t| std::cmp::Reverse(repo.id(&format!("{t}^{{commit}}"))));
    for tag in tags {
        repo.run(&[
            "deploy",
            tag,
            "--env",
            "production",
            "--status",
            "succeeded",
        ])
        .expect(0);
    }
    let run = repo.run(&["rollback", "--env", "production"]);
    run.expect(0);
    let expected = format!("Roll `production` back from {} to {}", tags[2], tags[1]);
    assert!(run.stdout().starts_with(&expected), "{}", run.stdout());
    // Executed, in the same second again: the rollback is recorded after
    // the deployments it undoes.
    repo.run(&["rollback", "--env", "production", "--execute"])
        .expect(0);
    let json = repo.run(&["status", "--format", "json"]).json();
    assert_eq!(json[0]["running"], tags[1], "{json}");
    assert_eq!(json[0]["last_tag"], tags[1], "{json}");
    assert_eq!(json[0]["last_status"], "succeeded", "{json}");
}

#[test]
fn gate_takes_the_last_recorded_test_run_even_from_a_sorted_note() {
    let mut repo = with_policy();
    repo.commit("feat: x");
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    repo.run(&["test", "--suite", "unit", "--", "false"])
        .expect(1);
    // `git notes merge -s cat_sort_uniq` (older syncs) sorts a note's lines:
    // `result=fail` now comes before `result=pass`, in the same second.
    let note = repo.git(&["notes", "--ref", "release/tests", "show", "HEAD"]);
    let mut lines: Vec<&str> = note.lines().collect();
    lines.sort_unstable();
    assert!(lines[0].contains("result=fail"), "{lines:?}");
    repo.git(&[
        "notes",
        "--ref",
        "release/tests",
        "add",
        "-f",
        "-m",
        &lines.join("\n"),
        "HEAD",
    ]);
    let run = repo.run(&["gate"]);
    run.expect(1);
    assert!(
        run.stdout().contains("the latest run on tree"),
        "{}",
        run.stdout()
    );
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
    repo.run(&["gate"]).expect(0);
}

#[test]
fn records_made_before_seq_existed_still_count() {
    let mut repo = with_policy();
    repo.commit("feat: x");
    let head = repo.id("HEAD");
    let tree = repo.id("HEAD^{tree}");
    let old = format!(
        "Tested-by: Ada Author <ada@example.com>; suite=unit; result=pass; commit={head}; tree={tree}; at=2023-11-15T09:00:00Z; command=true"
    );
    repo.git(&["notes", "--ref", "release/tests", "add", "-m", &old, "HEAD"]);
    repo.run(&["gate"]).expect(0);
    // A newer record (with seq) in the same note comes after the old one.
    repo.run(&["test", "--suite", "unit", "--", "false"])
        .expect(1);
    repo.run(&["gate"]).expect(1);
    let note = repo.git(&["notes", "--ref", "release/tests", "show", "HEAD"]);
    assert!(note.starts_with(&old), "{note}");
    assert!(note.contains("; seq="), "{note}");
}

#[test]
fn wrong_guesses_get_a_pointer() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: x");
    repo.as_user("Ada Author", "ada@example.com");
    let run = repo.run(&["--bump", "major"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("`--bump` belongs to a command: `git release plan --bump"),
        "{}",
        run.stderr()
    );
    let run = repo.run(&["tag", "v1.1.0"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("run `git release tag --release-as 1.1.0`"),
        "{}",
        run.stderr()
    );
    repo.tag("7.0.0");
    let run = repo.run(&["notes", "--tag", "7.0.0"]);
    run.expect(2);
    assert!(
        run.stderr().contains("set `tag = \"{version}\"`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_long_chain_of_unverified_releases_does_not_overflow_the_stack() {
    // 2,000 releases, one commit each, nothing verified yet: the chain is
    // settled oldest first with a stack of its own, not by recursion.
    let repo = TestRepo::new();
    let mut script = String::new();
    let mut mark = 0;
    for i in 0..2000 {
        mark += 1;
        let message = format!("fix: change {i}");
        script.push_str(&format!(
            "commit refs/heads/main\nmark :{mark}\ncommitter A <a@example.com> {} +0000\ndata {}\n{message}\n{}",
            1_700_000_000 + i,
            message.len(),
            if i == 0 { "from refs/heads/main^0\n" } else { "" }
        ));
        script.push_str(&format!("reset refs/tags/v1.0.{i}\nfrom :{mark}\n\n"));
    }
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let run = repo.run(&["verify", "v1.0.1999"]);
    run.expect(0);
    assert!(
        run.stdout().contains("release v1.0.1998"),
        "{}",
        run.stdout()
    );
}

#[test]
fn keys_appended_to_the_file_init_writes_stay_top_level() {
    let repo = TestRepo::new();
    repo.run(&["init"]).expect(0);
    let path = repo.path().join(".release.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("branches = [\"main\"]\n");
    std::fs::write(&path, text).unwrap();
    let run = repo.run(&["plan"]);
    run.expect(0);
}
