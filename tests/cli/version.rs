//! `git release version`: the next version for many histories.

use crate::fixture::TestRepo;

fn next(repo: &TestRepo, args: &[&str]) -> String {
    let mut all = vec!["version"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    run.expect(0);
    run.stdout().trim().to_owned()
}

#[test]
fn first_release_uses_initial_version() {
    let repo = TestRepo::new();
    assert_eq!(next(&repo, &[]), "0.1.0");
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "initial-version = \"1.0.0\"\n");
    repo.git(&["add", "."]);
    repo.commit("feat: x");
    assert_eq!(next(&repo, &[]), "1.0.0");
}

#[test]
fn table_of_bumps() {
    // (last tag, commits since, expected next version)
    let rows: &[(&str, &[&str], &str)] = &[
        ("v1.2.3", &["fix: a"], "1.2.4"),
        ("v1.2.3", &["fix: a", "feat(api): b"], "1.3.0"),
        ("v1.2.3", &["feat: a", "fix!: b"], "2.0.0"),
        (
            "v1.2.3",
            &["fix: a\n\nBREAKING CHANGE: the flag is gone"],
            "2.0.0",
        ),
        (
            "v1.2.3",
            &["fix: a\n\nBREAKING-CHANGE: the flag is gone"],
            "2.0.0",
        ),
        ("v1.2.3", &["Feat: a"], "1.3.0"),
        ("v1.2.3", &["FIX(Core): a"], "1.2.4"),
        ("v1.2.3", &["perf: a", "docs: b"], "1.2.4"),
        ("v0.4.2", &["feat!: a"], "0.5.0"),
        ("v0.4.2", &["feat: a"], "0.5.0"),
        ("v0.4.2", &["fix: a"], "0.4.3"),
        ("v1.0.0", &["fix: a\n\nRelease-As: 4.0.0"], "4.0.0"),
        ("v1.0.0", &["wip", "fix: a"], "1.0.1"),
    ];
    for (tag, commits, expected) in rows {
        let mut repo = TestRepo::new();
        repo.tag(tag);
        for message in *commits {
            repo.commit(message);
        }
        assert_eq!(next(&repo, &[]), *expected, "{tag} + {commits:?}");
    }
}

#[test]
fn nothing_to_release_exits_1_with_reason() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("docs: a").commit("chore: b");
    let run = repo.run(&["version"]);
    run.expect(1);
    assert_eq!(run.stdout(), "");
    assert!(
        run.stderr().contains("nothing to release"),
        "{}",
        run.stderr()
    );
    // Nothing at all since the tag.
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.run(&["version"]).expect(1);
}

#[test]
fn current_version() {
    let mut repo = TestRepo::new();
    repo.run(&["version", "--current"]).expect(1);
    repo.tag("v0.3.0").commit("feat: a");
    assert_eq!(next(&repo, &["--current"]), "0.3.0");
}

#[test]
fn overrides() {
    let mut repo = TestRepo::new();
    repo.tag("v1.2.3").commit("fix: a");
    assert_eq!(next(&repo, &["--bump", "major"]), "2.0.0");
    assert_eq!(next(&repo, &["--release-as", "1.5.0"]), "1.5.0");
    assert_eq!(next(&repo, &["--release-as", "v1.5.0"]), "1.5.0");
    let run = repo.run(&["version", "--release-as", "1.0.0"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("not greater than the last release 1.2.3"),
        "{}",
        run.stderr()
    );
    repo.run(&["version", "--bump", "huge"]).expect(2);
    // 0.x never becomes 1.0.0 by itself, but may on request.
    let mut repo = TestRepo::new();
    repo.tag("v0.9.0").commit("feat!: x");
    assert_eq!(next(&repo, &[]), "0.10.0");
    assert_eq!(next(&repo, &["--bump", "major"]), "1.0.0");
}

#[test]
fn release_as_trailer_must_be_greater_and_valid() {
    let mut repo = TestRepo::new();
    repo.tag("v2.0.0").commit("fix: a\n\nRelease-As: 1.0.0");
    let run = repo.run(&["version"]);
    run.expect(2);
    assert!(run.stderr().contains("Release-As"), "{}", run.stderr());
    let mut repo = TestRepo::new();
    repo.tag("v2.0.0").commit("fix: a\n\nRelease-As: soon");
    let run = repo.run(&["version"]);
    run.expect(2);
    assert!(
        run.stderr().contains("not a semantic version"),
        "{}",
        run.stderr()
    );
}

#[test]
fn highest_reachable_tag_wins() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .commit("fix: a")
        .tag("v1.10.0")
        .tag("v1.9.0")
        .commit("fix: b");
    assert_eq!(next(&repo, &[]), "1.10.1");
    // Two tags on one commit, annotated and lightweight.
    let mut repo = TestRepo::new();
    repo.annotated("v2.0.0")
        .tag("v2.0.0+build.1")
        .commit("feat: x");
    assert_eq!(next(&repo, &[]), "2.1.0");
}

#[test]
fn higher_tag_on_unmerged_branch_is_ignored() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .branch("next")
        .commit("feat!: big")
        .annotated("v2.0.0");
    repo.switch("main").commit("fix: small");
    assert_eq!(next(&repo, &[]), "1.0.1");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["previous"]["tag"], "v1.0.0");
    assert_eq!(json["skipped_tags"][0]["tag"], "v2.0.0");
    assert!(
        json["skipped_tags"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not reachable")
    );
}

#[test]
fn non_semver_and_foreign_tags_are_ignored() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .commit("fix: a")
        .tag("vnext")
        .tag("v2")
        .tag("nightly-2024")
        .tag("release-9.0.0");
    repo.commit("fix: b");
    assert_eq!(next(&repo, &[]), "1.0.1");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let ignored: Vec<&str> = json["ignored_tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(ignored, ["v2", "vnext"]);
}

#[test]
fn tags_of_trees_and_blobs_are_ignored() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", "x");
    repo.git(&["add", "."]);
    repo.tag("v1.0.0").commit("feat: a");
    let tree = repo.id("HEAD^{tree}");
    let blob = repo
        .git(&["rev-parse", "HEAD:.gitignore"])
        .trim()
        .to_owned();
    repo.git(&["tag", "v5.0.0", &tree]);
    repo.git(&["tag", "-a", "-m", "blob", "v6.0.0", &blob]);
    assert_eq!(next(&repo, &[]), "1.1.0");
}

#[test]
fn custom_tag_template() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "tag = \"release/{version}\"\n");
    repo.git(&["add", "."]);
    repo.commit("chore: config")
        .tag("release/3.1.0")
        .tag("v9.0.0")
        .commit("feat: a");
    assert_eq!(next(&repo, &[]), "3.2.0");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["next"]["tag"], "release/3.2.0");
}

#[test]
fn merges_bring_their_commits() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .branch("topic")
        .commit("feat: on topic")
        .switch("main")
        .commit("fix: on main");
    repo.merge("topic");
    assert_eq!(next(&repo, &[]), "1.1.0");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let summaries: Vec<&str> = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries.len(),
        2,
        "merge commits are not listed: {summaries:?}"
    );
    // First-parent: the merge is the unit, and its message is what counts.
    assert_eq!(next(&repo, &["--first-parent"]), "1.0.1");
}

#[test]
fn first_parent_with_conventional_merge_titles() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .branch("topic")
        .commit("wip")
        .commit("more wip")
        .switch("main");
    repo.git_dated(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "feat: squash-style title",
        "topic",
    ]);
    assert_eq!(next(&repo, &["--first-parent"]), "1.1.0");
    let json = repo
        .run(&["plan", "--first-parent", "--format", "json"])
        .json();
    assert_eq!(json["commits"].as_array().unwrap().len(), 1);
}

#[test]
fn reverts_in_scope_cancel() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: risky");
    let risky = repo.id("HEAD");
    repo.git_dated(&["revert", "--no-edit", &risky]);
    repo.commit("fix: small");
    assert_eq!(next(&repo, &[]), "1.0.1");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let reverted = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == risky.as_str())
        .unwrap();
    assert_eq!(reverted["bump"], "none");
    assert!(reverted["reverted_by"].is_string());
}

#[test]
fn revert_of_released_commit_is_a_patch() {
    let mut repo = TestRepo::new();
    repo.commit("feat: shipped");
    let shipped = repo.id("HEAD");
    repo.tag("v1.0.0");
    repo.git_dated(&["revert", "--no-edit", &shipped]);
    assert_eq!(next(&repo, &[]), "1.0.1");
}

#[test]
fn pre_releases() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: a");
    assert_eq!(next(&repo, &["--pre", "rc"]), "1.1.0-rc.1");
    repo.tag("v1.1.0-rc.1");
    // Nothing new since rc.1: nothing to release as a pre-release.
    repo.run(&["version", "--pre", "rc"]).expect(1);
    repo.commit("fix: b");
    assert_eq!(next(&repo, &["--pre", "rc"]), "1.1.0-rc.2");
    let json = repo
        .run(&["plan", "--pre", "rc", "--format", "json"])
        .json();
    assert_eq!(json["previous"]["tag"], "v1.1.0-rc.1");
    // Another label starts its own count.
    assert_eq!(next(&repo, &["--pre", "beta"]), "1.1.0-beta.1");
    // The final release covers everything since the last final release.
    assert_eq!(next(&repo, &[]), "1.1.0");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["previous"]["tag"], "v1.0.0");
    assert_eq!(json["commits"].as_array().unwrap().len(), 2);
    assert!(
        json["skipped_tags"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("pre-release")
    );
    // A breaking change after rc.1 moves the series to the next major.
    repo.commit("feat!: c");
    assert_eq!(next(&repo, &["--pre", "rc"]), "2.0.0-rc.1");
}

#[test]
fn pre_release_of_released_version_is_refused() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .branch("hotfix")
        .commit("fix: a")
        .tag("v1.0.1")
        .switch("main")
        .commit("fix: b");
    let run = repo.run(&["version", "--pre", "rc"]);
    run.expect(2);
    assert!(
        run.stderr().contains("already released as `v1.0.1`"),
        "{}",
        run.stderr()
    );
    let run = repo.run(&["version", "--pre", "r.c"]);
    run.expect(2);
}

#[test]
fn non_conventional_warn_or_fail_when_strict() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("fix: a").commit("Update README");
    let run = repo.run(&["version"]);
    run.expect(0);
    assert!(
        run.stderr()
            .contains("1 commit(s) are not Conventional Commits"),
        "{}",
        run.stderr()
    );
    repo.write(".release.toml", "[commits]\nstrict = true\n");
    let run = repo.run(&["version"]);
    run.expect(2);
    assert!(run.stderr().contains("Update README"), "{}", run.stderr());
    assert!(run.stderr().contains("hint:"), "{}", run.stderr());
}

#[test]
fn configured_types() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "[commits.types]\ndocs = { bump = \"patch\", section = \"Docs\" }\nfeat = { bump = \"patch\" }\n");
    repo.tag("v1.0.0").commit("docs: a");
    assert_eq!(next(&repo, &[]), "1.0.1");
    repo.commit("feat: b");
    assert_eq!(next(&repo, &[]), "1.0.1");
    repo.write(
        ".release.toml",
        "[commits.initial-development]\nminor = \"patch\"\n",
    );
    let mut zero = TestRepo::new();
    zero.write(
        ".release.toml",
        "[commits.initial-development]\nminor = \"patch\"\n",
    );
    zero.tag("v0.2.0").commit("feat: b");
    assert_eq!(next(&zero, &[]), "0.2.1");
}

#[test]
fn odd_messages_do_not_panic() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.commit_bytes(b"fix: caf\xe9 latin-1\n\nbody \xff\xfe\n");
    repo.commit_bytes(b"feat: crlf\r\n\r\nBREAKING CHANGE: windows\r\n");
    let huge = format!("fix: huge\n\n{}", "x".repeat(3 << 20));
    repo.commit_bytes(huge.as_bytes());
    repo.commit_bytes(b"\n\n\n");
    assert_eq!(next(&repo, &[]), "2.0.0");
    let run = repo.run(&["plan", "--format", "json"]);
    run.expect(0);
    assert!(run.stdout().contains("caf\u{fffd} latin-1"));
}

#[test]
fn a_breaking_footer_under_any_header_is_a_major_with_a_warning() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.commit(" feat: indented");
    assert_eq!(next(&repo, &[]), "1.1.0");
    repo.commit("v9 (#639)\n\nBREAKING CHANGE: the flag is gone");
    assert_eq!(next(&repo, &[]), "2.0.0");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings
            .contains("its footer `BREAKING CHANGE: the flag is gone` declares a breaking change"),
        "{warnings}"
    );
    assert!(!warnings.contains("bump nothing"), "{warnings}");
}

#[test]
fn a_version_file_without_a_tag_is_the_floor_never_lowered() {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", "version-files = [\"package.json\"]\n");
    repo.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"version\": \"1.4.0\"\n}\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: something new");
    assert_eq!(next(&repo, &[]), "1.5.0");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert!(
        json["previous_reason"]
            .as_str()
            .unwrap()
            .contains("`package.json` says 1.4.0"),
        "{json}"
    );
    assert!(
        json["warnings"]
            .to_string()
            .contains("git tag v1.4.0 COMMIT"),
        "{json}"
    );
    // An explicit version below it is refused before anything is written.
    repo.as_user("Ada Author", "ada@example.com");
    let run = repo.run(&["tag", "--release-as", "0.2.0"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("not greater than the last release 1.4.0"),
        "{}",
        run.stderr()
    );
    assert!(repo.git(&["tag", "-l"]).is_empty());
    repo.run(&["tag"]).expect(0);
    let text = std::fs::read_to_string(repo.path().join("package.json")).unwrap();
    assert!(text.contains("\"version\": \"1.5.0\""), "{text}");
    // A tag below what the files say: `tag` refuses to write the lower
    // version, and says how to go on.
    repo.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"version\": \"9.0.0\"\n}\n",
    );
    repo.git(&["add", "."]);
    repo.commit("fix: bumped by hand");
    let before = repo.id("HEAD");
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("would lower `package.json` from 9.0.0 to 1.5.1"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("--release-as 9.0.1"),
        "{}",
        run.stderr()
    );
    assert_eq!(repo.id("HEAD"), before);
}

#[test]
fn tags_of_another_format_are_named_with_the_template_they_follow() {
    let mut repo = TestRepo::new();
    repo.tag("6.1.0")
        .commit("feat: a")
        .tag("7.0.0")
        .commit("fix: b");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains(
            "no tag matches `v{version}`, but 2 tag(s) look like `{version}` (7.0.0, 6.1.0)"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains("set `tag` in `.release.toml` to `\\\"{version}\\\"`"),
        "{warnings}"
    );
}

#[test]
fn unknown_types_are_named_with_the_configuration_that_counts_them() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.commit("rt: faster scheduler")
        .commit("sync: fix a race")
        .commit("rt: less locking");
    repo.run(&["version"]).expect(1);
    let json = repo.run(&["plan", "--format", "json"]).json();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("3 commit(s) have types no rule knows")
            && warnings.contains("`rt` (2), `sync` (1)")
            && warnings.contains("`rt = { bump = \\\"patch\\\""),
        "{warnings}"
    );
}

#[test]
fn without_configuration_the_root_manifest_is_the_floor() {
    let mut repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"2.13.1\"\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: something");
    assert_eq!(next(&repo, &[]), "2.14.0");
}

#[test]
fn a_new_project_at_the_initial_version_releases_it() {
    let mut repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: first feature");
    assert_eq!(next(&repo, &[]), "0.1.0");
}

#[test]
fn a_release_tag_that_misses_the_template_by_its_v_is_named_with_the_fix() {
    let mut repo = TestRepo::new();
    repo.commit("feat: a").tag("v8.0.0");
    repo.commit("fix: b").tag("8.0.1");
    repo.commit("fix: c");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("1 tag(s) look like releases after v8.0.0")
            && warnings.contains("(`8.0.1`)")
            && warnings.contains("`git tag v8.0.1 "),
        "{warnings}"
    );
    // Once the release carries the template's name, nothing is said.
    repo.git(&["tag", "v8.0.1", "8.0.1"]);
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert!(
        !json["warnings"].to_string().contains("look like releases"),
        "{}",
        json["warnings"]
    );
    assert_eq!(json["previous"]["tag"], "v8.0.1", "{json}");
}

#[test]
fn a_version_file_ahead_of_the_plan_is_named() {
    let mut repo = TestRepo::new();
    repo.write("package.json", "{\"name\":\"a\",\"version\":\"1.4.0\"}\n");
    repo.git(&["add", "."]);
    repo.commit("feat: a").tag("v1.4.0");
    repo.write("package.json", "{\"name\":\"a\",\"version\":\"2.0.0\"}\n");
    repo.git(&["add", "."]);
    repo.commit("fix: set the version by hand");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("`package.json` says 2.0.0, ahead of the planned 1.4.1")
            && warnings.contains("`--release-as 2.0.0`"),
        "{warnings}"
    );
    // Releasing that version is not ahead of the plan.
    let json = repo
        .run(&["plan", "--release-as", "2.0.0", "--format", "json"])
        .json();
    assert_eq!(json["next"]["version"], "2.0.0", "{json}");
    assert!(
        !json["warnings"].to_string().contains("ahead of"),
        "{}",
        json["warnings"]
    );
}
