//! `init --detect` on repositories shaped like real ones (tokio, cocogitto,
//! git-cliff, changesets, vite): which manifests become packages, which are
//! skipped and why, and what the tags say about templates and versions.

use crate::fixture::TestRepo;

/// Commits everything, runs `init --detect --stdout`, and returns its output
/// and warnings; the proposal must also be accepted as `.release.toml`.
fn detect(repo: &mut TestRepo) -> (String, String) {
    repo.git(&["add", "-A"]);
    repo.commit("chore: tree");
    let run = repo.run(&["init", "--detect", "--stdout"]);
    run.expect(0);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    repo.run(&["init", "--detect", "--force"]).expect(0);
    (stdout, stderr)
}

/// The `name = "…"` values of the proposed packages, in order.
fn names(proposal: &str) -> Vec<String> {
    let table: toml::Table = toml::from_str(proposal).unwrap();
    table
        .get("package")
        .and_then(|p| p.as_array())
        .map(|packages| {
            packages
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn byte_order_marks_and_broken_manifests_do_not_stop_detection() {
    let mut repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    repo.write(
        "crates/bom/Cargo.toml",
        "\u{feff}[package]\nname = \"bom\"\nversion = \"1.0.0\"\n",
    );
    repo.write("crates/broken/Cargo.toml", "[package\nname = \"broken\"\n");
    repo.write("web/package.json", "{ \"name\": \"web\", ");
    let (proposal, warnings) = detect(&mut repo);
    assert_eq!(names(&proposal), ["bom"], "{proposal}");
    for file in ["crates/broken/Cargo.toml", "web/package.json"] {
        assert!(
            warnings.contains(&format!("skipped {file}: cannot parse it: ")),
            "{warnings}"
        );
        assert!(
            proposal.contains(&format!("# warning: skipped {file}: cannot parse it")),
            "{proposal}"
        );
    }
}
