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

#[test]
fn only_published_workspace_members_are_proposed() {
    let mut repo = TestRepo::new();
    // tokio: examples and test crates are members with `publish = false`,
    // and a fixture holds a workspace of its own.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"tokio\", \"tokio-util\", \"examples\", \"tests-build\"]\n",
    );
    repo.write(
        "tokio/Cargo.toml",
        "[package]\nname = \"tokio\"\nversion = \"1.53.1\"\n",
    );
    repo.write(
        "tokio-util/Cargo.toml",
        "[package]\nname = \"tokio-util\"\nversion = \"0.7.5\"\n[dependencies]\ntokio = { path = \"../tokio\" }\n",
    );
    repo.write(
        "examples/Cargo.toml",
        "[package]\nname = \"examples\"\nversion = \"0.0.0\"\npublish = false\n",
    );
    repo.write(
        "tests-build/Cargo.toml",
        "[package]\nname = \"tests-build\"\nversion = \"0.1.0\"\npublish = false\n",
    );
    repo.write(
        "tokio/tests/fixtures/ws/Cargo.toml",
        "[workspace]\nmembers = [\"a\"]\n",
    );
    repo.write(
        "tokio/tests/fixtures/ws/a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\n",
    );
    // changesets / vite: a private root, pnpm's workspace file, private
    // playgrounds and a fixture workspace under `__fixtures__`.
    repo.write(
        "package.json",
        "{ \"name\": \"monorepo\", \"private\": true }",
    );
    repo.write(
        "pnpm-workspace.yaml",
        "packages:\n  - packages/*\n  - playground/**\n",
    );
    repo.write(
        "packages/vite/package.json",
        "{ \"name\": \"vite\", \"version\": \"7.0.0\" }",
    );
    repo.write(
        "playground/alias/package.json",
        "{ \"name\": \"@vitejs/test-alias\", \"private\": true, \"version\": \"0.0.0\" }",
    );
    repo.write(
        "packages/vite/src/__fixtures__/mono/package.json",
        "{ \"name\": \"fixture-root\", \"workspaces\": [\"pkgs/*\"] }",
    );
    repo.write(
        "packages/vite/src/__fixtures__/mono/pkgs/x/package.json",
        "{ \"name\": \"fixture-x\", \"version\": \"1.0.0\" }",
    );
    repo.write(
        "docs/package.json",
        "{ \"name\": \"docs\", \"version\": \"1.0.0\" }",
    );
    let (proposal, _) = detect(&mut repo);
    assert_eq!(
        names(&proposal),
        ["vite", "tokio", "tokio-util"],
        "{proposal}"
    );
    for note in [
        "# skipped examples: publish = false\n",
        "# skipped tests-build: publish = false\n",
        "# skipped tokio/tests/fixtures/ws: a workspace nested inside the one in Cargo.toml (1 crate)\n",
        "# skipped .: \"private\": true\n",
        "# skipped playground/alias: \"private\": true\n",
        "# skipped docs: not a member of the workspaces in package.json\n",
        "# skipped packages/vite/src/__fixtures__/mono: a workspace nested inside the one in package.json (2 packages)\n",
    ] {
        assert!(proposal.contains(note), "{note} in {proposal}");
    }
    assert!(!proposal.contains("fixture-x"), "{proposal}");
}

#[test]
fn dev_dependencies_are_not_dependencies_and_cycles_are_broken() {
    let mut repo = TestRepo::new();
    // cocogitto: the library's tests use the binary crate.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"cog\", \"cog-lib\"]\n",
    );
    repo.write(
        "cog/Cargo.toml",
        "[package]\nname = \"cog\"\nversion = \"6.0.0\"\n[dependencies]\ncog-lib = { path = \"../cog-lib\" }\n",
    );
    repo.write(
        "cog-lib/Cargo.toml",
        "[package]\nname = \"cog-lib\"\nversion = \"6.0.0\"\n[dev-dependencies]\ncog = { path = \"../cog\" }\n",
    );
    // A real cycle: a plugin and the host that peer-depends on it.
    repo.write(
        "package.json",
        "{ \"private\": true, \"workspaces\": [\"js/*\"] }",
    );
    repo.write(
        "js/host/package.json",
        "{ \"name\": \"host\", \"version\": \"1.0.0\", \"dependencies\": { \"plugin\": \"1\" }, \"devDependencies\": { \"tools\": \"1\" } }",
    );
    repo.write(
        "js/plugin/package.json",
        "{ \"name\": \"plugin\", \"version\": \"1.0.0\", \"peerDependencies\": { \"host\": \"1\" } }",
    );
    repo.write(
        "js/tools/package.json",
        "{ \"name\": \"tools\", \"version\": \"1.0.0\", \"dependencies\": { \"host\": \"1\" } }",
    );
    let (proposal, warnings) = detect(&mut repo);
    let table: toml::Table = toml::from_str(&proposal).unwrap();
    let depends = |name: &str| -> Vec<String> {
        let packages = table["package"].as_array().unwrap();
        let package = packages.iter().find(|p| p["name"].as_str() == Some(name));
        package.unwrap()["depends-on"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(depends("cog"), ["cog-lib"], "{proposal}");
    assert!(depends("cog-lib").is_empty(), "{proposal}");
    assert_eq!(depends("tools"), ["host"], "{proposal}");
    assert_eq!(
        depends("host").len() + depends("plugin").len(),
        1,
        "{proposal}"
    );
    let note =
        "dependency cycle host → plugin → host: dropped `host` from the depends-on of `plugin`";
    assert!(proposal.contains(note), "{proposal}");
    assert!(warnings.contains(note), "{warnings}");
}

#[test]
fn templates_and_versions_come_from_the_existing_tags() {
    let mut repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"tokio\", \"tokio-util\", \"fresh\"]\n",
    );
    repo.write(
        "tokio/Cargo.toml",
        "[package]\nname = \"tokio\"\nversion = \"1.53.1\"\n",
    );
    repo.write(
        "tokio-util/Cargo.toml",
        "[package]\nname = \"tokio-util\"\nversion = \"0.7.6\"\n",
    );
    repo.write(
        "fresh/Cargo.toml",
        "[package]\nname = \"fresh\"\nversion = \"0.1.0\"\n",
    );
    repo.write(
        "js/package.json",
        "{ \"name\": \"@scope/web\", \"version\": \"2.0.0\" }",
    );
    repo.git(&["add", "-A"]);
    repo.commit("chore: tree");
    for tag in [
        "tokio-1.52.0",
        "tokio-1.53.1",
        "tokio-util-0.7.5",
        "@scope/web@2.0.0",
        "nightly",
    ] {
        repo.tag(tag);
    }
    let (proposal, _) = detect(&mut repo);
    let table: toml::Table = toml::from_str(&proposal).unwrap();
    let packages = table["package"].as_array().unwrap();
    let tag = |name: &str| {
        let package = packages.iter().find(|p| p["name"].as_str() == Some(name));
        package.unwrap().get("tag").and_then(|t| t.as_str())
    };
    assert_eq!(tag("tokio"), Some("{name}-{version}"), "{proposal}");
    assert_eq!(tag("tokio-util"), Some("{name}-{version}"), "{proposal}");
    assert_eq!(tag("@scope/web"), Some("{name}@{version}"), "{proposal}");
    assert_eq!(tag("fresh"), None, "the default is not written: {proposal}");
    for comment in [
        "# current version 1.53.1, highest tag `tokio-1.53.1` (2 tags of this template)\n",
        "# current version 0.7.6, highest tag `tokio-util-0.7.5` (1 tag of this template); the manifest version is above the highest tag",
        "# current version 0.1.0, no release tag yet\n",
    ] {
        assert!(proposal.contains(comment), "{comment} in {proposal}");
    }
    // The proposal works as it is: `plan` reads the releases from the tags.
    let plan = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(plan.as_array().unwrap().len(), 4, "{plan}");

    // One package released as `v{version}`: a single stream.
    let mut solo = TestRepo::new();
    solo.write(
        "Cargo.toml",
        "[package]\nname = \"git-cliff\"\nversion = \"2.13.1\"\n",
    );
    solo.git(&["add", "-A"]);
    solo.commit("chore: crate");
    solo.tag("2.13.0");
    solo.tag("2.13.1");
    let (proposal, _) = detect(&mut solo);
    assert!(proposal.contains("tag = \"{version}\"\n"), "{proposal}");
}

#[test]
fn init_from_another_tools_configuration() {
    let mut repo = TestRepo::new();
    repo.commit("feat: a").tag("7.0.0");
    repo.commit("fix: b");
    repo.write_file(
        "cog.toml",
        "tag_prefix = \"\"\npre_bump_hooks = [\"cargo set-version {{version}}\"]\n",
    );
    let run = repo.run(&["init", "--from", "cog.toml"]);
    run.expect(0);
    assert!(
        run.stderr().contains("not mapped: `pre_bump_hooks`"),
        "{}",
        run.stderr()
    );
    let written = std::fs::read_to_string(repo.path().join(".release.toml")).unwrap();
    assert!(written.contains("tag = \"{version}\""), "{written}");
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["previous"]["tag"], "7.0.0", "{json}");
    assert_eq!(json["next"]["version"], "7.0.1", "{json}");
    let run = repo.run(&["init", "--from", "Cargo.toml"]);
    run.expect(2);
    assert!(
        run.stderr().contains("`init --from` knows"),
        "{}",
        run.stderr()
    );
}

#[test]
fn crates_sharing_a_version_and_one_tag_stream_are_one_package() {
    // git-cliff's shape: two crates, the workspace version, tags `v2.13.1`.
    let mut repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"git-cliff\", \"git-cliff-core\"]\n\n[workspace.package]\nversion = \"2.13.1\"\n",
    );
    for name in ["git-cliff", "git-cliff-core"] {
        repo.write(
            &format!("{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion.workspace = true\n"),
        );
    }
    repo.git(&["add", "-A"]);
    repo.commit("chore: workspace").tag("v2.13.0");
    repo.commit("fix: last one").tag("v2.13.1");
    let (proposal, _) = detect(&mut repo);
    assert!(names(&proposal).is_empty(), "{proposal}");
    assert!(
        proposal.contains("2 crates (git-cliff, git-cliff-core) share the version 2.13.1 and one tag stream (highest `v2.13.1`, 2 tags)"),
        "{proposal}"
    );
    let table: toml::Table = toml::from_str(&proposal).unwrap();
    assert_eq!(
        table["version-files"][0].as_str(),
        Some("Cargo.toml"),
        "{proposal}"
    );
    let json = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(json["previous"]["tag"], "v2.13.1", "{json}");
    // With per-crate tags, each crate is a package of its own.
    let mut repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.package]\nversion = \"1.0.0\"\n",
    );
    for name in ["a", "b"] {
        repo.write(
            &format!("{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion.workspace = true\n"),
        );
    }
    repo.git(&["add", "-A"]);
    repo.commit("chore: workspace").tag("a-v1.0.0");
    let (proposal, _) = detect(&mut repo);
    assert_eq!(names(&proposal), ["a", "b"], "{proposal}");
}
