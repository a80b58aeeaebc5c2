//! `git release plan`: the plan's text and JSON, and the refusals.

use crate::fixture::TestRepo;

#[test]
fn plan_text_explains_every_decision() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0")
        .branch("next")
        .commit("feat!: v2 work")
        .annotated("v2.0.0")
        .switch("main");
    repo.commit("feat(api): add x")
        .commit("fix: y")
        .commit("docs: z")
        .commit("Update things")
        .tag("vnext");
    repo.commit("feat: w");
    let run = repo.run(&["plan"]);
    run.expect(0);
    insta::assert_snapshot!(run.transcript());
    // Bare `git release` is `plan`.
    assert_eq!(repo.run(&[]).stdout(), run.stdout());
}

#[test]
fn plan_json_contract() {
    let mut repo = TestRepo::new();
    repo.tag("v1.2.0");
    let tagged = repo.id("HEAD");
    repo.commit("feat(api): add x\n\nReviewed-by: Bea <bea@example.com>");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["package"], serde_json::Value::Null);
    assert_eq!(json["previous"]["version"], "1.2.0");
    assert_eq!(json["previous"]["tag"], "v1.2.0");
    assert_eq!(json["previous"]["commit"], tagged.as_str());
    assert_eq!(json["next"]["version"], "1.3.0");
    assert_eq!(json["next"]["tag"], "v1.3.0");
    assert_eq!(json["bump"], "minor");
    let commit = &json["commits"][0];
    assert_eq!(commit["id"], repo.id("HEAD").as_str());
    assert_eq!(commit["summary"], "feat(api): add x");
    assert_eq!(commit["type"], "feat");
    assert_eq!(commit["scope"], "api");
    assert_eq!(commit["breaking"], false);
    assert_eq!(commit["bump"], "minor");
    assert_eq!(commit["trailers"][0]["key"], "Reviewed-by");
    assert_eq!(commit["trailers"][0]["value"], "Bea <bea@example.com>");
    assert_eq!(json["gate"]["ok"], true);
    assert!(json["gate"]["requirements"].is_array());
}

#[test]
fn plan_json_before_first_release_and_with_nothing_to_release() {
    let repo = TestRepo::new();
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["previous"], serde_json::Value::Null);
    assert_eq!(json["next"]["version"], "0.1.0");
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("docs: x");
    let run = repo.run(&["plan", "--format", "json"]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["next"], serde_json::Value::Null);
    assert_eq!(json["bump"], "none");
}

#[test]
fn works_from_subdirectory_worktree_detached_head_and_git_dir() {
    let mut repo = TestRepo::new();
    repo.write("sub/dir/x.txt", "x");
    repo.git(&["add", "."]);
    repo.tag("v1.0.0").commit("feat: a");
    let sub = repo.path().join("sub/dir");
    assert_eq!(repo.run_in(&sub, &["version"]).stdout(), "1.1.0\n");
    // Linked worktree.
    let wt = repo.root().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        wt.to_str().unwrap(),
        "HEAD",
    ]);
    assert_eq!(repo.run_in(&wt, &["version"]).stdout(), "1.1.0\n");
    // Detached HEAD, as CI checks out.
    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    repo.run(&["version"]).expect(1);
    assert_eq!(repo.run(&["version", "main"]).stdout(), "1.1.0\n");
    // GIT_DIR from elsewhere.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_git-release"));
    crate::fixture::hermetic(&mut cmd, repo.root());
    let out = cmd
        .args(["version", "main"])
        .env("GIT_DIR", repo.path().join(".git"))
        .current_dir(repo.root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1.1.0\n");
}

#[test]
fn refusals_have_hints() {
    // Not a repository.
    let repo = TestRepo::new();
    let run = repo.run_in(repo.root(), &["plan"]);
    run.expect(2);
    insta::assert_snapshot!(
        "not_a_repository",
        run.transcript()
            .replace(repo.root().to_str().unwrap(), "[TMP]")
    );
    // Empty repository.
    let empty = TestRepo::empty();
    let run = empty.run(&["plan"]);
    run.expect(2);
    insta::assert_snapshot!("empty_repository", run.transcript());
    // Unborn branch in a repository with commits.
    let repo = TestRepo::new();
    repo.git(&["switch", "-q", "--orphan", "fresh"]);
    let run = repo.run(&["plan"]);
    run.expect(2);
    assert!(
        run.stderr().contains("unborn branch `fresh`"),
        "{}",
        run.stderr()
    );
    // Unknown revision.
    let run = repo.run(&["plan", "nope"]);
    run.expect(2);
    assert!(
        run.stderr().contains("cannot resolve `nope`"),
        "{}",
        run.stderr()
    );
    // --package without packages.
    let repo = TestRepo::new();
    repo.run(&["plan", "--package", "web"]).expect(2);
}

#[test]
fn shallow_clone_is_refused() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: a").commit("fix: b");
    let url = format!("file://{}", repo.path().display());
    let clone = repo.root().join("shallow");
    repo.git(&["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()]);
    let run = repo.run_in(&clone, &["version"]);
    run.expect(2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn bad_config_names_file_line_and_column() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "tag = \"v{version}\"\n\n[commits]\nfirst_parent = true\n",
    );
    let run = repo.run(&["plan"]);
    run.expect(2);
    insta::assert_snapshot!(run.transcript());
    repo.write(".release.toml", "tag = \"v{version}\"\ntag = 3\n");
    let run = repo.run(&["plan"]);
    run.expect(2);
    assert!(run.stderr().contains("line 2"), "{}", run.stderr());
    let run = repo.run(&["plan", "--config", "missing.toml"]);
    run.expect(2);
    assert!(
        run.stderr().contains("cannot read config `missing.toml`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn init_writes_a_valid_commented_config() {
    let repo = TestRepo::new();
    repo.run(&["init"]).expect(0);
    let text = std::fs::read_to_string(repo.path().join(".release.toml")).unwrap();
    assert!(text.contains("# tag = \"v{version}\""));
    repo.run(&["plan"]).expect(0);
    let run = repo.run(&["init"]);
    run.expect(2);
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    repo.run(&["init", "--force"]).expect(0);
}
