//! Monorepos: packages with their own tags, versions, changelogs and
//! version files, dependencies between them, and `init --detect`.

use crate::fixture::TestRepo;

const CONFIG: &str = r#"[[package]]
name = "core"
path = "crates/core"
version-files = ["crates/core/Cargo.toml"]

[[package]]
name = "cli"
path = "crates/cli"
version-files = ["crates/cli/Cargo.toml"]

[[package]]
name = "web"
path = "web"
tag = "{name}@{version}"
version-files = ["web/package.json"]
exclude = ["web/**/*.md"]
"#;

const CORE: &str =
    "[package]\nname = \"core\"\nversion = \"1.0.0\"   # the core version\nedition = \"2021\"\n";
const CLI: &str = "[package]\nname = \"cli\"\nversion = \"1.0.0\"\n\n[dependencies]\n# keep in step with core\ncore = { path = \"../core\", version = \"1.0.0\" }\n";
const WEB: &str = "{\n  \"name\": \"web\",\n  \"version\": \"2.0.0\",\n  \"private\": true\n}\n";

fn monorepo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", CONFIG);
    repo.write("crates/core/Cargo.toml", CORE);
    repo.write("crates/core/src/lib.rs", "// core\n");
    repo.write("crates/core/CHANGELOG.md", "# core changelog\n");
    repo.write("crates/cli/Cargo.toml", CLI);
    repo.write("web/package.json", WEB);
    repo.write("README.md", "shared\n");
    repo.git(&["add", "."]);
    repo.commit("chore: layout")
        .tag("core-v1.0.0")
        .tag("cli-v1.0.0")
        .tag("web@2.0.0");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

fn change(repo: &mut TestRepo, files: &[&str], message: &str) {
    for file in files {
        let path = repo.path().join(file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str("// more\n");
        repo.write(file, &text);
    }
    repo.git(&["add", "."]);
    repo.git_dated(&["commit", "-q", "-m", message]);
}

fn versions(repo: &TestRepo, args: &[&str]) -> Vec<(String, Option<String>)> {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    let json = repo.run(&all).json();
    json.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["package"].as_str().unwrap().to_owned(),
                p["next"]["version"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn packages_release_on_their_own_and_dependents_follow() {
    let mut repo = monorepo();
    change(&mut repo, &["crates/core/src/lib.rs"], "feat(core): faster");
    change(&mut repo, &["README.md"], "docs: shared readme");
    change(&mut repo, &["web/guide.md"], "docs(web): a guide");
    let got = versions(&repo, &[]);
    assert_eq!(
        got,
        [
            ("core".to_owned(), Some("1.1.0".to_owned())),
            ("cli".to_owned(), Some("1.0.1".to_owned())),
            ("web".to_owned(), None),
        ],
        "cli depends on core through its Cargo.toml; web's .md files are excluded"
    );
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json[1]["dependency_updates"][0]["package"], "core");
    let run = repo.run(&["plan"]);
    assert!(
        run.stderr().contains("touch no package") && run.stderr().contains("docs: shared readme"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("== package cli"), "{}", run.stdout());
    // A commit touching two packages bumps both.
    change(
        &mut repo,
        &["crates/core/src/lib.rs", "web/index.js"],
        "fix: both sides",
    );
    let got = versions(&repo, &[]);
    assert_eq!(got[2], ("web".to_owned(), Some("2.0.1".to_owned())));
    // `version` lists each package; `--package` picks one.
    assert_eq!(
        repo.run(&["version"]).stdout(),
        "core 1.1.0\ncli 1.0.1\nweb 2.0.1\n"
    );
    assert_eq!(
        repo.run(&["version", "--package", "web"]).stdout(),
        "2.0.1\n"
    );
    let one = repo
        .run(&["plan", "--package", "core", "--format", "json"])
        .json();
    assert_eq!(one["package"], "core");
    repo.run(&["plan", "--package", "nope"]).expect(2);
    // One package is planned with what it depends on: cli still follows core.
    let cli = repo
        .run(&["plan", "--package", "cli", "--format", "json"])
        .json();
    assert_eq!(cli["next"]["version"], "1.0.1");
    assert_eq!(cli["dependency_updates"][0]["package"], "core");
    assert_eq!(cli["dependency_updates"][0]["version"], "1.1.0");
    // `version --package` agrees with `plan --package`.
    assert_eq!(
        repo.run(&["version", "--package", "cli"]).stdout(),
        "1.0.1\n"
    );
    // Commits touching no package are reported when all packages are planned.
    assert!(repo.run(&["plan"]).stderr().contains("touch no package"));
    let web = repo.run(&["plan", "--package", "web"]);
    assert!(
        !web.stderr().contains("touch no package"),
        "{}",
        web.stderr()
    );
}

#[test]
fn tags_of_one_package_never_affect_another() {
    let mut repo = monorepo();
    change(&mut repo, &["web/index.js"], "feat(web)!: redesign");
    repo.tag("web@3.0.0");
    change(&mut repo, &["crates/core/src/lib.rs"], "fix(core): small");
    let got = versions(&repo, &[]);
    assert_eq!(got[0], ("core".to_owned(), Some("1.0.1".to_owned())));
    assert_eq!(got[2], ("web".to_owned(), None));
    let json = repo
        .run(&["plan", "--package", "web", "--format", "json"])
        .json();
    assert_eq!(json["previous"]["tag"], "web@3.0.0");
}

#[test]
fn tag_releases_every_due_package_in_one_step() {
    let mut repo = monorepo();
    change(&mut repo, &["crates/core/src/lib.rs"], "feat(core): faster");
    let run = repo.run(&["tag", "--date", "2024-01-02"]);
    run.expect(0);
    assert!(
        run.stdout().contains("tagged core-v1.1.0, cli-v1.0.1"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "chore(release): core-v1.1.0, cli-v1.0.1"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Version files rewritten, comments and formatting intact.
    let core = std::fs::read_to_string(repo.path().join("crates/core/Cargo.toml")).unwrap();
    assert_eq!(core, CORE.replace("1.0.0", "1.1.0"));
    let cli = std::fs::read_to_string(repo.path().join("crates/cli/Cargo.toml")).unwrap();
    assert_eq!(
        cli,
        CLI.replacen("version = \"1.0.0\"", "version = \"1.0.1\"", 1)
            .replace("version = \"1.0.0\" }", "version = \"1.1.0\" }")
    );
    let web = std::fs::read_to_string(repo.path().join("web/package.json")).unwrap();
    assert_eq!(web, WEB, "web had no changes and is left alone");
    // Each package's changelog (core keeps one).
    let changelog = std::fs::read_to_string(repo.path().join("crates/core/CHANGELOG.md")).unwrap();
    assert!(
        changelog.starts_with(
            "# core changelog\n\n<!-- git-release: core-v1.1.0 -->\n## 1.1.0 (2024-01-02)"
        ),
        "{changelog}"
    );
    let notes = repo
        .run(&["notes", "--tag", "cli-v1.0.1", "--format", "json"])
        .json();
    assert_eq!(notes["package"], "cli");
    // The tags verify; nothing is left to release.
    repo.run(&["verify", "core-v1.1.0"]).expect(0);
    repo.run(&["verify", "cli-v1.0.1"]).expect(0);
    repo.run(&["tag"]).expect(1);
}

#[test]
fn package_flag_on_every_command() {
    let mut repo = monorepo();
    change(&mut repo, &["web/index.js"], "feat(web): page");
    change(&mut repo, &["crates/core/src/lib.rs"], "fix(core): x");
    assert_eq!(
        repo.run(&["version", "--package", "web"]).stdout(),
        "2.1.0\n"
    );
    let notes = repo
        .run(&[
            "notes",
            "--package",
            "web",
            "--unreleased",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(notes["tag"], "web@2.1.0");
    repo.run(&["gate", "--package", "web"]).expect(0);
    repo.run(&[
        "changelog",
        "--package",
        "web",
        "--unreleased",
        "--date",
        "2024-01-01",
    ])
    .expect(0);
    assert!(repo.path().join("web/CHANGELOG.md").exists());
    assert!(!repo.path().join("crates/cli/CHANGELOG.md").exists());
    repo.git(&["add", "."]);
    repo.git_dated(&["commit", "-q", "-m", "docs(web): changelog"]);
    repo.run(&["tag", "--package", "web"]).expect(0);
    assert_eq!(repo.git(&["tag", "-l", "web@*"]), "web@2.0.0\nweb@2.1.0\n");
    assert!(
        repo.git(&["tag", "-l", "core-v*"]).lines().count() == 1,
        "core was not tagged"
    );
    repo.run(&["verify", "web@2.1.0", "--package", "web"])
        .expect(0);
    repo.run(&["lint", "--package", "core"]).expect(0);
}

#[test]
fn init_detect_proposes_cargo_and_npm_workspace_packages() {
    let mut repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.3.1\"\n",
    );
    repo.write("crates/app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore = { path = \"../core\" }\n");
    repo.write(
        "package.json",
        "{\"name\": \"root\", \"private\": true, \"workspaces\": [\"js/*\"]}\n",
    );
    repo.write(
        "js/ui/package.json",
        "{\"name\": \"ui\", \"version\": \"2.0.0\"}\n",
    );
    repo.git(&["add", "."]);
    repo.commit("chore: workspace");
    let run = repo.run(&["init", "--detect", "--stdout"]);
    run.expect(0);
    let text = run.stdout();
    insta::assert_snapshot!(text);
    for name in [
        "name = \"core\"",
        "name = \"app\"",
        "name = \"ui\"",
        "depends-on = [\"core\"]",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    repo.run(&["init", "--detect"]).expect(0);
    let written = std::fs::read_to_string(repo.path().join(".release.toml")).unwrap();
    assert!(written.contains("[[package]]"));
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 3, "{json}");
}

/// The commits after every package's release that touch no package: read
/// from the packages' own walks, or from a walk of their own when the
/// packages follow first parents only; both say the same.
#[test]
fn unassigned_commits_are_those_after_every_release() {
    let mut repo = monorepo();
    change(&mut repo, &["crates/core/src/lib.rs"], "fix(core): one");
    repo.tag("core-v1.0.1");
    change(&mut repo, &["README.md"], "docs: before the web release");
    change(&mut repo, &["web/index.js"], "feat(web): page");
    repo.tag("web@2.1.0");
    change(&mut repo, &["README.md"], "docs: after every release");
    change(&mut repo, &["web/notes.md"], "docs(web): excluded notes");
    change(&mut repo, &["crates/cli/src/main.rs"], "fix(cli): two");
    let warning = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.push("plan");
        let stderr = repo.run(&args).stderr();
        stderr
            .lines()
            .find(|l| l.contains("touch no package"))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let all_parents = warning(&[]);
    assert!(
        all_parents.contains("2 commit(s) touch no package")
            && all_parents.contains("docs(web): excluded notes")
            && all_parents.contains("docs: after every release")
            && !all_parents.contains("before the web release"),
        "{all_parents}"
    );
    let config = format!("[commits]\nfirst-parent = true\n\n{CONFIG}");
    repo.write_file(".git/first-parent.toml", &config);
    let first_parent = warning(&["--config", ".git/first-parent.toml"]);
    assert_eq!(first_parent, all_parents);
}

/// With a commit-graph, commits that touch no package are walked through
/// without being read; the plans are the same with or without it, and with
/// a graph older than the newest commits.
#[test]
fn commit_graph_gives_the_same_plans() {
    let mut repo = monorepo();
    change(&mut repo, &["crates/core/src/lib.rs"], "feat(core): faster");
    change(&mut repo, &["README.md"], "docs: shared readme");
    change(&mut repo, &["web/index.js"], "fix(web): page");
    let plans = |repo: &TestRepo| repo.run(&["plan", "--format", "json"]).stdout();
    let without = plans(&repo);
    assert!(without.contains("faster") && without.contains("fix(web): page"));
    repo.git(&["commit-graph", "write", "--reachable"]);
    assert!(repo.path().join(".git/objects/info/commit-graph").exists());
    assert_eq!(plans(&repo), without);
    // Commits made after the graph are read from their objects.
    change(&mut repo, &["crates/cli/Cargo.toml"], "fix(cli): later");
    change(&mut repo, &["README.md"], "docs: later");
    let stale = plans(&repo);
    assert!(stale.contains("fix(cli): later"), "{stale}");
    repo.git(&["config", "core.commitGraph", "false"]);
    assert_eq!(plans(&repo), stale);
}

/// `lint` without a range checks the commits the packages have not
/// released yet: their own commits and those that touch no package, not a
/// commit another package has released already.
#[test]
fn lint_covers_what_the_packages_have_not_released() {
    let mut repo = monorepo();
    change(&mut repo, &["web/index.js"], "Update the page");
    repo.tag("web@2.1.0");
    change(&mut repo, &["crates/core/src/lib.rs"], "fix(core): ok");
    change(&mut repo, &["README.md"], "Readme tweak");
    change(&mut repo, &["crates/core/src/lib.rs"], "Core thing");
    let reported = |args: &[&str]| {
        let run = repo.run(args);
        let stderr = run.stderr();
        let named: Vec<&str> = ["Update the page", "Readme tweak", "Core thing"]
            .into_iter()
            .filter(|s| stderr.contains(&format!("\"{s}\"")))
            .collect();
        (run.code(), named)
    };
    assert_eq!(reported(&["lint"]), (1, vec!["Readme tweak", "Core thing"]));
    assert_eq!(
        reported(&["lint", "--package", "core"]),
        (1, vec!["Readme tweak", "Core thing"])
    );
    assert_eq!(
        reported(&["lint", "--package", "web"]),
        (1, vec!["Readme tweak"])
    );
    // A range is linted whole.
    assert_eq!(
        reported(&["lint", "HEAD~4..HEAD"]),
        (1, vec!["Update the page", "Readme tweak", "Core thing"])
    );
}

#[test]
fn sibling_packages_tags_are_not_noise() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[[package]]\nname = \"tokio\"\npath = \"tokio\"\ntag = \"tokio-{version}\"\n\n[[package]]\nname = \"tokio-util\"\npath = \"tokio-util\"\ntag = \"tokio-util-{version}\"\n",
    );
    repo.write("tokio/lib.rs", "a");
    repo.write("tokio-util/lib.rs", "b");
    repo.git(&["add", "."]);
    repo.commit("feat: both");
    repo.tag("tokio-1.0.0")
        .tag("tokio-util-0.7.5")
        .tag("tokio-nightly");
    let json = repo
        .run(&["plan", "--package", "tokio", "--format", "json"])
        .json();
    let ignored = json["ignored_tags"].to_string();
    assert!(!ignored.contains("tokio-util-0.7.5"), "{ignored}");
    assert!(ignored.contains("tokio-nightly"), "{ignored}");
}

#[test]
fn a_dev_dependency_release_does_not_release_its_dependents() {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[[package]]\nname = \"cli\"\npath = \"cli\"\nversion-files = [\"cli/package.json\"]\n\n[[package]]\nname = \"helper\"\npath = \"helper\"\nversion-files = [\"helper/package.json\"]\n",
    );
    repo.write(
        "cli/package.json",
        "{\n  \"name\": \"cli\",\n  \"version\": \"3.0.1\",\n  \"devDependencies\": {\n    \"helper\": \"^1.0.0\"\n  }\n}\n",
    );
    repo.write(
        "helper/package.json",
        "{\n  \"name\": \"helper\",\n  \"version\": \"1.0.0\"\n}\n",
    );
    repo.git(&["add", "."]);
    repo.commit("chore: init packages")
        .tag("cli-v3.0.1")
        .tag("helper-v1.0.0");
    repo.write("helper/index.js", "x");
    repo.git(&["add", "."]);
    repo.commit("fix(helper): a fix");
    let json = repo.run(&["plan", "--format", "json"]).json();
    let cli = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"] == "cli")
        .unwrap();
    assert!(cli["next"].is_null(), "{cli}");
}
