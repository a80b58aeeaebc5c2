//! `git release site`: the release dashboard, as golden files, byte for
//! byte reproducible, and agreeing with `status`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::fixture::{Run, TestRepo};

const CONFIG: &str = r#"[environments.staging]

[environments.production]
requires = ["staging"]
soak = "24h"
approvals = 1
rollback-command = "true"

[gate]
tests = ["unit"]

[site]
sensitive-paths = ["migrations/**"]
"#;

fn at(repo: &TestRepo, now: &str, args: &[&str]) -> Run {
    repo.run_env(&repo.path(), args, &[("GIT_RELEASE_NOW", now)])
}

fn deploy(repo: &TestRepo, now: &str, tag: &str, env: &str, status: &str) {
    at(
        repo,
        now,
        &["deploy", tag, "--env", env, "--status", status],
    )
    .expect(0);
}

/// Three tested releases, deployed to staging and production (v0.2.0
/// failed in production, v0.3.0 waits in staging), and an unreleased
/// breaking change touching a migration, with markup in its message.
pub fn released() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", CONFIG);
    repo.write(".gitignore", "/site*/\n");
    repo.git(&["add", "."]);
    repo.git(&["remote", "add", "origin", "git@github.com:acme/widgets.git"]);
    repo.as_user("Ada Author", "ada@example.com");
    for message in [
        "feat: first",
        "feat(api): second <b>bold</b>",
        "fix!: third\n\nBREAKING CHANGE: the flag is gone",
    ] {
        repo.commit(message);
        repo.run(&["test", "--suite", "unit", "--", "true"])
            .expect(0);
        repo.run(&["tag"]).expect(0);
    }
    deploy(
        &repo,
        "2023-11-01T10:00:00Z",
        "v0.1.0",
        "staging",
        "succeeded",
    );
    deploy(
        &repo,
        "2023-11-02T10:00:00Z",
        "v0.2.0",
        "staging",
        "succeeded",
    );
    repo.as_user("Bea", "bea@example.com");
    for tag in ["v0.1.0", "v0.2.0"] {
        at(
            &repo,
            "2023-11-02T12:00:00Z",
            &["approve", "--tag", tag, "--env", "production"],
        )
        .expect(0);
    }
    repo.as_user("Ada Author", "ada@example.com");
    deploy(
        &repo,
        "2023-11-03T10:00:00Z",
        "v0.1.0",
        "production",
        "succeeded",
    );
    deploy(
        &repo,
        "2023-11-04T10:00:00Z",
        "v0.2.0",
        "production",
        "started",
    );
    deploy(
        &repo,
        "2023-11-04T10:30:00Z",
        "v0.2.0",
        "production",
        "failed",
    );
    deploy(
        &repo,
        "2023-11-15T09:00:00Z",
        "v0.3.0",
        "staging",
        "succeeded",
    );
    repo.write("migrations/001.sql", "create table t (x int);\n");
    repo.git(&["add", "migrations"]);
    repo.commit("feat(db)!: a table <script>alert(1)</script>\n\nBREAKING CHANGE: run the migration & restart");
    repo
}

/// A monorepo of two packages, each released twice.
pub fn monorepo() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(
        ".release.toml",
        "[[package]]\nname = \"api\"\npath = \"api\"\n\n[[package]]\nname = \"web\"\npath = \"web\"\n\n[environments.staging]\n",
    );
    repo.write(".gitignore", "/site*/\n");
    repo.git(&["add", "."]);
    repo.as_user("Ada Author", "ada@example.com");
    let change = |repo: &mut TestRepo, path: &str, message: &str| {
        repo.write(path, message);
        repo.git(&["add", path]);
        repo.git_dated(&["commit", "-q", "-m", message]);
    };
    change(&mut repo, "api/a.txt", "feat(api): endpoints");
    change(&mut repo, "web/a.txt", "feat(web): pages");
    repo.run(&["tag"]).expect(0);
    change(&mut repo, "api/b.txt", "fix(api): timeouts");
    repo.run(&["tag"]).expect(0);
    change(&mut repo, "web/b.txt", "feat(web): dark mode");
    repo.run(&["tag"]).expect(0);
    deploy(
        &repo,
        "2023-11-15T08:00:00Z",
        "api-v0.1.1",
        "staging",
        "succeeded",
    );
    deploy(
        &repo,
        "2023-11-15T08:30:00Z",
        "web-v0.2.0",
        "staging",
        "failed",
    );
    change(&mut repo, "api/c.txt", "feat(api): search");
    repo
}

/// Generates the site into `name` under the repository's temp dir.
pub fn generate(repo: &TestRepo, name: &str) -> PathBuf {
    let dir = repo.root().join(name);
    let run = repo.run(&["site", "-o", dir.to_str().unwrap()]);
    run.expect(0);
    dir
}

/// Every file of a site, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                all.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    all
}

/// A page without its style sheet (snapshotted once, not in every page).
fn page(dir: &Path, path: &str) -> String {
    let text = std::fs::read_to_string(dir.join(path)).unwrap();
    let start = text.find("<style>").unwrap();
    let end = text.find("</style>").unwrap() + "</style>".len();
    format!("{}<style>…</style>{}", &text[..start], &text[end..])
}

#[test]
fn dashboard_of_releases_with_a_failed_deployment() {
    let repo = released();
    let dir = generate(&repo, "site");
    let names: Vec<String> = files(&dir).into_keys().collect();
    assert_eq!(
        names,
        [
            "index.html",
            "releases/v0.1.0.html",
            "releases/v0.2.0.html",
            "releases/v0.3.0.html"
        ]
    );
    let index = page(&dir, "index.html");
    // Markup from the repository is text, never markup.
    assert!(!index.contains("<script>alert"), "{index}");
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !index.contains("<script>"),
        "no script without a package filter"
    );
    insta::assert_snapshot!("site_index", index);
    insta::assert_snapshot!("site_release_v0.2.0", page(&dir, "releases/v0.2.0.html"));
}

#[test]
fn monorepo_dashboard_has_a_package_filter() {
    let repo = monorepo();
    let dir = generate(&repo, "site");
    let index = page(&dir, "index.html");
    assert!(index.contains("<select id=\"package-filter\">"));
    assert!(index.contains("data-package=\"api\""));
    assert!(index.contains("data-package=\"web\""));
    insta::assert_snapshot!("site_monorepo_index", index);
    // One package alone.
    let one = repo.root().join("site-api");
    repo.run(&["site", "--package", "api", "-o", one.to_str().unwrap()])
        .expect(0);
    let names: Vec<String> = files(&one).into_keys().collect();
    assert_eq!(
        names,
        [
            "index.html",
            "releases/api-v0.1.0.html",
            "releases/api-v0.1.1.html"
        ]
    );
}

#[test]
fn reproducible_byte_for_byte() {
    let repo = released();
    let a = generate(&repo, "site-a");
    let b = generate(&repo, "site-b");
    assert_eq!(files(&a), files(&b));
    // Unpinned, the page's moment is the newest event in the repository,
    // never the wall clock.
    let c = repo.root().join("site-c");
    let d = repo.root().join("site-d");
    repo.run_unpinned(&["site", "-o", c.to_str().unwrap()])
        .expect(0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    repo.run_unpinned(&["site", "-o", d.to_str().unwrap()])
        .expect(0);
    assert_eq!(files(&c), files(&d));
    let index = String::from_utf8(files(&c)["index.html"].clone()).unwrap();
    assert!(
        index.contains("(the newest event in the repository)"),
        "{index}"
    );
    // Regenerating in place changes nothing.
    let before = files(&a);
    generate(&repo, "site-a");
    assert_eq!(files(&a), before);
    let json = repo
        .run(&["site", "-o", a.to_str().unwrap(), "--format", "json"])
        .json();
    assert_eq!(json["releases"], 3);
    assert_eq!(json["files"], 4);
}

#[test]
fn status_and_page_agree() {
    let repo = released();
    let dir = generate(&repo, "site");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let status = repo.run(&["status", "--format", "json"]).json();
    let rows = status.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let env = row["env"].as_str().unwrap();
        let marker = format!("<th scope=\"row\" data-label=\"Environment\">{env}</th>");
        let at = index
            .find(&marker)
            .unwrap_or_else(|| panic!("{env} missing"));
        let tr = index[..at].rfind("<tr").unwrap();
        let end = at + index[at..].find("</tr>").unwrap();
        let html = &index[tr..end];
        let runs = row["running"].as_str().unwrap_or("nothing");
        assert!(html.contains(&format!(">{runs}<")), "{env}: {html}");
        assert_eq!(
            html.starts_with("<tr class=\"alert\">"),
            row["alert"].as_bool().unwrap(),
            "{env}: {html}"
        );
        let last = format!(
            "{}</span> {}",
            row["last_status"].as_str().unwrap(),
            row["last_tag"].as_str().unwrap()
        );
        assert!(html.contains(&last), "{env}: {html}");
    }
}

#[test]
fn pending_promotion_says_what_it_waits_for() {
    let repo = released();
    let dir = generate(&repo, "site");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    // v0.3.0 succeeded in staging an hour before the page's moment; production
    // needs a day of soak and an approval.
    assert!(index.contains("<strong>v0.3.0</strong>"), "{index}");
    assert!(index.contains("about 23h left"), "{index}");
    assert!(
        index.contains("`production` needs 1 approval(s) of v0.3.0 for it, and has 0"),
        "{index}"
    );
    // The risk summary names the migration.
    assert!(
        index.contains("Touches 1 file under sensitive paths: migrations/001.sql."),
        "{index}"
    );
}

#[test]
fn bad_output_directory() {
    let repo = released();
    let file = repo.root().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let run = repo.run(&["site", "-o", file.to_str().unwrap()]);
    run.expect(2);
    assert!(run.stderr().contains("error: creating"), "{}", run.stderr());
}
