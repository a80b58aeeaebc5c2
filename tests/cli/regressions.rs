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
    let run = repo.run(&["verify", "v9.0.0"]);
    run.expect(1);
    assert!(
        run.stdout()
            .contains("policy: .release.toml at release v1.0.0"),
        "{}",
        run.stdout()
    );
}

#[test]
fn branch_from_an_old_release_is_held_to_the_newest_policy_below() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.write(".release.toml", POLICY);
    repo.git(&["add", "."]);
    repo.commit("feat: add a policy").tag("v2.0.0");
    repo.git(&["switch", "-q", "-c", "old", "v1.0.0"]);
    repo.commit("feat: sneaky");
    repo.git(&["tag", "-a", "v3.0.0", "-m", "mine"]);
    let run = repo.run(&["verify", "v3.0.0"]);
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
    assert!(
        json["gate"]["requirements"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("testz"),
        "{json}"
    );
    repo.run(&["gate"]).expect(2);
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
