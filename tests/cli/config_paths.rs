//! Paths in a repository's configuration stay inside its work tree: a
//! committed `.release.toml` that names a file outside (`..`, an absolute
//! path, a symbolic link that leads out, the git directory) cannot make
//! git-release read it into notes or changelogs, or write over it. Paths
//! given on the command line are the user's own and may point anywhere.
//!
//! Each test is an attack that worked before the defence it names.

use std::path::{Path, PathBuf};

use crate::fixture::{Run, TestRepo};

const SECRET: &str = "hunter2-secret";

/// A repository beside a directory `outside` holding a secret template, a
/// secret profile, and a Cargo.toml and Cargo.lock that must not change.
fn repo() -> (TestRepo, PathBuf) {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    let outside = repo.root().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.hbs"),
        format!("{SECRET} {{{{version}}}}\n"),
    )
    .unwrap();
    std::fs::write(outside.join("profile"), format!("export TOKEN={SECRET}\n")).unwrap();
    std::fs::write(
        outside.join("Cargo.toml"),
        "[package]\nname = \"victim\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("Cargo.lock"),
        format!("version = 3\n\n[[package]]\nname = \"{SECRET}\"\nversion = \"1.0.0\"\n"),
    )
    .unwrap();
    repo.as_user("Ada Author", "ada@example.com");
    (repo, outside)
}

/// Commits `.release.toml`, then a feature so there is something to release.
fn commit_config(repo: &mut TestRepo, config: &str) {
    repo.write(".release.toml", config);
    repo.git(&["add", "-A"]);
    repo.commit("feat: something new");
}

/// Commits a symbolic link at `link` (relative to the work tree) to `target`.
fn symlink(repo: &TestRepo, link: &str, target: &Path) {
    let path = repo.path().join(link);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, &path).unwrap();
    repo.git(&["add", link]);
}

/// Asserts a refusal at config validation: exit 2, the file, its line and
/// the key named, the secret nowhere.
fn refused_by_validation(run: &Run, key: &str, line: usize) {
    run.expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("`.release.toml` at line {line}"))
            && stderr.contains(&format!("`{key}`"))
            && stderr.contains("hint: "),
        "{}",
        run.transcript()
    );
    assert!(!run.transcript().contains(SECRET), "{}", run.transcript());
}

/// Asserts a refusal at use time: exit 2, what was refused named, the link
/// followed out of the work tree, the secret nowhere.
fn refused_at_use(run: &Run, what: &str) {
    run.expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("error: {what} leads to `"))
            && stderr.contains("outside the work tree")
            && stderr.contains("hint: "),
        "{}",
        run.transcript()
    );
    assert!(!run.transcript().contains(SECRET), "{}", run.transcript());
}

// Reading: templates.

#[test]
fn notes_template_with_dotdot_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[changelog]\nnotes-template = \"../outside/secret.hbs\"\n",
    );
    refused_by_validation(&repo.run(&["notes"]), "changelog.notes-template", 2);
}

#[test]
fn notes_template_with_an_absolute_path_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    let secret = outside.join("secret.hbs");
    commit_config(
        &mut repo,
        &format!(
            "tag = \"v{{version}}\"\n\n[changelog]\nnotes-template = \"{}\"\n",
            secret.display()
        ),
    );
    refused_by_validation(&repo.run(&["notes"]), "changelog.notes-template", 4);
}

#[test]
fn notes_template_cannot_print_the_environment() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[changelog]\nnotes-template = \"/proc/self/environ\"\n",
    );
    let run = repo.run_env(&repo.path(), &["notes"], &[("CI_TOKEN", SECRET)]);
    refused_by_validation(&run, "changelog.notes-template", 2);
}

#[test]
fn notes_template_symlinked_outside_is_refused_at_use() {
    let (mut repo, outside) = repo();
    symlink(&repo, ".release/notes.hbs", &outside.join("secret.hbs"));
    commit_config(
        &mut repo,
        "[changelog]\nnotes-template = \".release/notes.hbs\"\n",
    );
    refused_at_use(
        &repo.run(&["notes"]),
        "`changelog.notes-template` = `.release/notes.hbs`",
    );
}

#[test]
fn changelog_template_in_a_symlinked_directory_is_refused_at_use() {
    let (mut repo, outside) = repo();
    symlink(&repo, "templates", &outside);
    commit_config(
        &mut repo,
        "[changelog]\ntemplate = \"templates/secret.hbs\"\n",
    );
    refused_at_use(
        &repo.run(&["changelog"]),
        "`changelog.template` = `templates/secret.hbs`",
    );
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn tag_message_template_with_dotdot_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[changelog]\ntag-message-template = \"changes/../../outside/secret.hbs\"\n",
    );
    let run = repo.run(&["tag"]);
    refused_by_validation(&run, "changelog.tag-message-template", 2);
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
}

#[test]
fn partials_directory_outside_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    std::fs::write(outside.join("commit.hbs"), format!("{SECRET}\n")).unwrap();
    commit_config(&mut repo, "[changelog]\npartials = \"../outside\"\n");
    refused_by_validation(&repo.run(&["notes"]), "changelog.partials", 2);
}

#[test]
fn partials_directory_symlinked_outside_is_refused_at_use() {
    let (mut repo, outside) = repo();
    std::fs::write(outside.join("commit.hbs"), format!("{SECRET}\n")).unwrap();
    symlink(&repo, ".release/partials", &outside);
    commit_config(&mut repo, "[changelog]\npartials = \".release/partials\"\n");
    refused_at_use(
        &repo.run(&["notes"]),
        "`changelog.partials` = `.release/partials`",
    );
}

#[test]
fn partial_symlinked_outside_is_refused_at_use() {
    let (mut repo, outside) = repo();
    std::fs::write(outside.join("commit.hbs"), format!("{SECRET}\n")).unwrap();
    repo.write(".release/partials/heading.hbs", "# {{version}}\n");
    symlink(
        &repo,
        ".release/partials/commit.hbs",
        &outside.join("commit.hbs"),
    );
    commit_config(&mut repo, "[changelog]\npartials = \".release/partials\"\n");
    refused_at_use(
        &repo.run(&["notes"]),
        "the partial `commit.hbs` in `changelog.partials`",
    );
}

// Reading and writing: the changelog.

#[test]
fn changelog_path_with_dotdot_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    commit_config(&mut repo, "[changelog]\npath = \"../outside/profile\"\n");
    refused_by_validation(&repo.run(&["changelog"]), "changelog.path", 2);
    let profile = std::fs::read_to_string(outside.join("profile")).unwrap();
    assert_eq!(profile, format!("export TOKEN={SECRET}\n"));
}

#[test]
fn changelog_path_absolute_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    let target = outside.join("written.md");
    commit_config(
        &mut repo,
        &format!("[changelog]\npath = \"{}\"\n", target.display()),
    );
    refused_by_validation(&repo.run(&["changelog"]), "changelog.path", 2);
    assert!(!target.exists());
}

#[test]
fn changelog_path_in_the_git_directory_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[changelog]\npath = \".git/hooks/post-checkout\"\nheader = \"#!/bin/sh\\necho owned\\n\"\n",
    );
    refused_by_validation(&repo.run(&["changelog"]), "changelog.path", 2);
    assert!(!repo.path().join(".git/hooks/post-checkout").exists());
}

#[test]
fn changelog_path_through_a_symlinked_directory_is_refused_at_use() {
    let (mut repo, outside) = repo();
    symlink(&repo, "docs", &outside);
    commit_config(&mut repo, "[changelog]\npath = \"docs/CHANGELOG.md\"\n");
    refused_at_use(
        &repo.run(&["changelog"]),
        "`changelog.path` = `docs/CHANGELOG.md`",
    );
    assert!(!outside.join("CHANGELOG.md").exists());
}

#[test]
fn changelog_symlinked_to_a_file_outside_is_not_read_into_the_release() {
    let (mut repo, outside) = repo();
    symlink(&repo, "CHANGELOG.md", &outside.join("profile"));
    commit_config(&mut repo, "");
    let run = repo.run(&["tag"]);
    refused_at_use(&run, "`changelog.path` = `CHANGELOG.md`");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
    let profile = std::fs::read_to_string(outside.join("profile")).unwrap();
    assert_eq!(profile, format!("export TOKEN={SECRET}\n"));
}

#[test]
fn package_changelog_through_a_symlinked_directory_is_refused_at_use() {
    let (mut repo, outside) = repo();
    repo.write("core/lib.rs", "// core\n");
    symlink(&repo, "docs", &outside);
    commit_config(
        &mut repo,
        "[[package]]\nname = \"core\"\npath = \"core\"\nchangelog = \"docs/CHANGELOG.md\"\n",
    );
    refused_at_use(
        &repo.run(&["changelog", "--package", "core"]),
        "`package.changelog` of package `core` = `docs/CHANGELOG.md`",
    );
    assert!(!outside.join("CHANGELOG.md").exists());
}

#[test]
fn package_changelog_with_dotdot_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[[package]]\nname = \"core\"\npath = \"core\"\nchangelog = \"../outside/CHANGELOG.md\"\n",
    );
    refused_by_validation(
        &repo.run(&["changelog", "--package", "core"]),
        "package.changelog",
        4,
    );
    assert!(!repo.root().join("outside/CHANGELOG.md").exists());
}

// Reading and writing: version files and lock files.

#[test]
fn version_file_with_dotdot_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    commit_config(&mut repo, "version-files = [\"../outside/Cargo.toml\"]\n");
    refused_by_validation(&repo.run(&["tag"]), "version-files", 1);
    let manifest = std::fs::read_to_string(outside.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"1.0.0\""), "{manifest}");
}

#[test]
fn version_file_pattern_with_an_absolute_path_is_refused_at_validation() {
    let (mut repo, outside) = repo();
    commit_config(
        &mut repo,
        &format!(
            "version-files = [\n  {{ path = \"{}\", pattern = \"version = \\\"{{version}}\\\"\" }},\n]\n",
            outside.join("Cargo.toml").display()
        ),
    );
    refused_by_validation(&repo.run(&["tag"]), "version-files", 2);
}

#[test]
fn package_version_file_symlinked_outside_is_refused_at_use() {
    let (mut repo, outside) = repo();
    repo.write("core/lib.rs", "// core\n");
    symlink(&repo, "core/Cargo.toml", &outside.join("Cargo.toml"));
    commit_config(
        &mut repo,
        "[[package]]\nname = \"core\"\npath = \"core\"\nversion-files = [\"core/Cargo.toml\"]\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat(core): more");
    let run = repo.run(&["tag"]);
    refused_at_use(
        &run,
        "`package.version-files` of package `core` = `core/Cargo.toml`",
    );
    let manifest = std::fs::read_to_string(outside.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"1.0.0\""), "{manifest}");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
}

#[test]
fn lock_file_symlinked_outside_is_not_read_into_the_release() {
    let (mut repo, outside) = repo();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"1.0.0\"\n",
    );
    symlink(&repo, "Cargo.lock", &outside.join("Cargo.lock"));
    commit_config(&mut repo, "version-files = [\"Cargo.toml\"]\n");
    let run = repo.run(&["tag"]);
    refused_at_use(&run, "the lock file `Cargo.lock`");
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
}

// The configuration file itself, signers and package paths.

#[test]
fn release_toml_symlinked_outside_is_refused() {
    let (mut repo, outside) = repo();
    std::fs::write(
        outside.join("release.toml"),
        format!("[changelog]\nheader = \"{SECRET}\"\n"),
    )
    .unwrap();
    symlink(&repo, ".release.toml", &outside.join("release.toml"));
    repo.commit("feat: linked config");
    let run = repo.run(&["changelog"]);
    refused_at_use(&run, "the configuration `.release.toml`");
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn allowed_signers_outside_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[gate]\nsigned = true\nallowed-signers = \"/etc/ssh/allowed_signers\"\n",
    );
    refused_by_validation(&repo.run(&["gate"]), "gate.allowed-signers", 3);
}

#[test]
fn package_path_outside_is_refused_at_validation() {
    let (mut repo, _) = repo();
    commit_config(
        &mut repo,
        "[[package]]\nname = \"core\"\npaths = [\"core\", \"../other\"]\n",
    );
    refused_by_validation(&repo.run(&["plan"]), "package.paths", 3);
}

// The command line may point anywhere.

#[test]
fn command_line_paths_may_point_outside() {
    let (mut repo, outside) = repo();
    commit_config(&mut repo, "");
    let run = repo.run(&[
        "notes",
        "--template",
        outside.join("secret.hbs").to_str().unwrap(),
        "--output",
        outside.join("notes.md").to_str().unwrap(),
    ]);
    run.expect(0);
    let notes = std::fs::read_to_string(outside.join("notes.md")).unwrap();
    assert_eq!(notes, format!("{SECRET} 1.1.0\n"));
    std::fs::write(
        outside.join("release.toml"),
        "[changelog]\nheader = \"# From outside\\n\"\n",
    )
    .unwrap();
    let config = outside.join("release.toml");
    let written = outside.join("CHANGELOG.md");
    repo.run(&[
        "changelog",
        "--config",
        config.to_str().unwrap(),
        "--output",
        written.to_str().unwrap(),
    ])
    .expect(0);
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.starts_with("# From outside\n"), "{text}");
}

#[test]
fn symlinks_that_stay_inside_the_work_tree_are_followed() {
    let (mut repo, _) = repo();
    repo.write("shared/notes.hbs", "inside {{version}}\n");
    symlink(
        &repo,
        ".release/notes.hbs",
        Path::new("../shared/notes.hbs"),
    );
    symlink(&repo, "docs", Path::new("shared"));
    commit_config(
        &mut repo,
        "[changelog]\nnotes-template = \".release/notes.hbs\"\npath = \"docs/CHANGELOG.md\"\n",
    );
    let run = repo.run(&["notes"]);
    run.expect(0);
    assert_eq!(run.stdout(), "inside 1.1.0\n");
    repo.run(&["changelog"]).expect(0);
    assert!(repo.path().join("shared/CHANGELOG.md").exists());
}
