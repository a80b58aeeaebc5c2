//! `git release changelog` and `git release notes`: golden files of the
//! default templates, custom templates, hand-written text kept, errors.

use crate::fixture::TestRepo;

/// A history with several releases, scopes, trailers, a merge, a breaking
/// change with a long description, and a pre-release followed by its final.
fn history() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.git(&["remote", "add", "origin", "git@github.com:acme/widget.git"]);
    repo.commit("feat: first feature").annotated("v0.1.0");
    repo.commit("fix(parser): handle empty input\n\nCloses #7\nReviewed-by: Bea <bea@example.com>");
    repo.branch("topic")
        .commit("feat(cli): add --json (#12)")
        .switch("main");
    repo.commit("docs: explain flags").merge("topic");
    repo.annotated("v0.2.0");
    repo.commit(
        "feat(api)!: rename endpoints\n\nThe old endpoints were confusing.\n\nBREAKING CHANGE: `/v1/items` is now `/v1/things`.\nClients must update their base paths; the old paths\nanswer 410 Gone from this release on.",
    );
    repo.annotated("v1.0.0-rc.1");
    repo.commit("fix(api): keep trailing slash\n\nFixes #21");
    repo.annotated("v1.0.0");
    repo.commit("perf: faster startup");
    repo
}

#[test]
fn changelog_golden_and_idempotent() {
    let repo = history();
    let run = repo.run(&["changelog"]);
    run.expect(0);
    assert_eq!(
        run.stdout(),
        "updated CHANGELOG.md: added v1.0.0, v0.2.0, v0.1.0\n"
    );
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    insta::assert_snapshot!(text);
    let run = repo.run(&["changelog"]);
    run.expect(0);
    assert_eq!(run.stdout(), "CHANGELOG.md is up to date\n");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap(),
        text
    );
    // Reproducible: the same history and date give the same bytes.
    let again = repo.run(&["changelog", "--regenerate", "--output", "-"]);
    assert_eq!(again.stdout(), text);
}

#[test]
fn changelog_keeps_hand_written_text_and_inserts_new_releases() {
    let mut repo = history();
    repo.run(&["changelog"]).expect(0);
    let path = repo.path().join("CHANGELOG.md");
    let generated = std::fs::read_to_string(&path).unwrap();
    let edited = generated.replacen(
        "# Changelog\n",
        "# Changelog\n\nHand-written prose above, *kept* byte for byte.  \n",
        1,
    ) + "\n## Before git-release\n\nOld notes written by hand.\n";
    std::fs::write(&path, &edited).unwrap();
    repo.annotated("v1.0.1");
    let run = repo.run(&["changelog"]);
    run.expect(0);
    assert_eq!(run.stdout(), "updated CHANGELOG.md: added v1.0.1\n");
    let updated = std::fs::read_to_string(&path).unwrap();
    assert!(
        updated.starts_with("# Changelog\n\nHand-written prose above, *kept* byte for byte.  \n")
    );
    assert!(updated.ends_with(
        "<!-- git-release: end -->\n\n## Before git-release\n\nOld notes written by hand.\n"
    ));
    let added = updated.find("<!-- git-release: v1.0.1 -->").unwrap();
    assert!(added < updated.find("<!-- git-release: v1.0.0 -->").unwrap());
    // Only the new section was added: everything else is as it was.
    let start = added;
    let end = updated.find("<!-- git-release: v1.0.0 -->").unwrap();
    assert_eq!(format!("{}{}", &updated[..start], &updated[end..]), edited);
    repo.run(&["changelog"]).expect(0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), updated);
}

#[test]
fn changelog_unreleased_section_is_replaced_when_released() {
    let mut repo = history();
    let run = repo.run(&["changelog", "--unreleased", "--date", "2024-05-01"]);
    run.expect(0);
    let path = repo.path().join("CHANGELOG.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("<!-- git-release: v1.0.1 unreleased -->\n## [1.0.1](https://github.com/acme/widget/compare/v1.0.0...v1.0.1) (2024-05-01)"), "{text}");
    repo.commit("feat: more");
    repo.run(&["changelog", "--next", "--date", "2024-05-02"])
        .expect(0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("unreleased -->").count(), 1, "{text}");
    assert!(text.contains("v1.1.0 unreleased"));
    repo.annotated("v1.1.0");
    repo.run(&["changelog"]).expect(0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("unreleased"));
    assert!(text.contains("<!-- git-release: v1.1.0 -->"));
}

#[test]
fn notes_for_tag_unreleased_and_range() {
    let repo = history();
    // A final release covers everything since the previous final release.
    let run = repo.run(&["notes", "--tag", "v1.0.0"]);
    run.expect(0);
    insta::assert_snapshot!("notes_v1_0_0", run.stdout());
    // The pre-release covers what came before it.
    let rc = repo
        .run(&["notes", "--tag", "v1.0.0-rc.1", "--format", "json"])
        .json();
    assert_eq!(rc["previous_tag"], "v0.2.0");
    assert_eq!(rc["prerelease"], true);
    assert_eq!(rc["commits"].as_array().unwrap().len(), 1);
    let json = repo
        .run(&["notes", "--tag", "v1.0.0", "--format", "json"])
        .json();
    assert_eq!(json["previous_tag"], "v0.2.0");
    assert_eq!(json["commits"].as_array().unwrap().len(), 2);
    assert_eq!(json["breaking_changes"][0]["scope"], "api");
    // Works on a detached HEAD with only the tag checked out.
    repo.git(&["checkout", "-q", "--detach", "v0.2.0"]);
    let run = repo.run(&["notes", "--tag", "v1.0.0"]);
    run.expect(0);
    repo.git(&["switch", "-q", "main"]);
    // Unreleased, with a pinned date.
    let run = repo.run(&["notes", "--unreleased", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["version"], "1.0.1");
    assert_eq!(json["unreleased"], true);
    assert_eq!(json["date"], "2023-11-14");
    // A range.
    let json = repo
        .run(&["notes", "--range", "v0.1.0..v0.2.0", "--format", "json"])
        .json();
    assert_eq!(json["version"], "0.2.0");
    assert_eq!(json["previous_tag"], "v0.1.0");
    let features: Vec<&str> = json["sections"][0]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert_eq!(features, ["add --json (#12)"]);
    // Output to a file.
    let out = repo.root().join("notes.md");
    repo.run(&["notes", "--tag", "v0.2.0", "-o", out.to_str().unwrap()])
        .expect(0);
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .contains("handle empty input")
    );
}

#[test]
fn notes_errors() {
    let repo = history();
    let run = repo.run(&["notes", "--tag", "v9.9.9"]);
    run.expect(2);
    assert!(
        run.stderr().contains("there is no tag `v9.9.9`"),
        "{}",
        run.stderr()
    );
    repo.git(&["tag", "nightly"]);
    let run = repo.run(&["notes", "--tag", "nightly"]);
    run.expect(2);
    assert!(
        run.stderr().contains("not a release tag"),
        "{}",
        run.stderr()
    );
    let run = repo.run(&["notes", "--range", "v0.1.0"]);
    run.expect(2);
    let mut nothing = TestRepo::new();
    nothing.tag("v1.0.0").commit("docs: x");
    let run = nothing.run(&["notes", "--unreleased"]);
    run.expect(1);
    assert!(run.stderr().contains("nothing to release"));
}

#[test]
fn remote_links_for_each_host_form() {
    let rows = [
        (
            "https://github.com/o/r.git",
            "https://github.com/o/r/compare/v1.0.0...v1.1.0",
            "https://github.com/o/r/issues/5",
        ),
        (
            "git@gitlab.com:g/sub/r.git",
            "https://gitlab.com/g/sub/r/-/compare/v1.0.0...v1.1.0",
            "https://gitlab.com/g/sub/r/-/issues/5",
        ),
        (
            "ssh://git@bitbucket.org/o/r.git",
            "https://bitbucket.org/o/r/branches/compare/v1.1.0%0Dv1.0.0",
            "https://bitbucket.org/o/r/issues/5",
        ),
        (
            "https://codeberg.org/o/r",
            "https://codeberg.org/o/r/compare/v1.0.0...v1.1.0",
            "https://codeberg.org/o/r/issues/5",
        ),
    ];
    for (url, compare, issue) in rows {
        let mut repo = TestRepo::new();
        repo.git(&["remote", "add", "origin", url]);
        repo.tag("v1.0.0")
            .commit("feat: x\n\nCloses #5")
            .tag("v1.1.0");
        let json = repo
            .run(&["notes", "--tag", "v1.1.0", "--format", "json"])
            .json();
        assert_eq!(json["links"]["compare"], compare, "{url}");
        assert_eq!(json["commits"][0]["references"][0]["url"], issue, "{url}");
    }
    // The config overrides the remote.
    let mut repo = TestRepo::new();
    repo.git(&["remote", "add", "origin", "git@github.com:o/r.git"]);
    repo.write(
        ".release.toml",
        "[changelog]\nremote = \"https://git.example.com/team/r\"\nhost = \"gitea\"\n",
    );
    repo.tag("v1.0.0").commit("feat: x").tag("v1.1.0");
    let json = repo
        .run(&["notes", "--tag", "v1.1.0", "--format", "json"])
        .json();
    assert_eq!(
        json["links"]["compare"],
        "https://git.example.com/team/r/compare/v1.0.0...v1.1.0"
    );
    // No remote: no links, no error.
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: x").tag("v1.1.0");
    let json = repo
        .run(&["notes", "--tag", "v1.1.0", "--format", "json"])
        .json();
    assert!(json["links"]["compare"].is_null());
}

#[test]
fn custom_template_with_partial_and_sections() {
    let mut repo = history();
    repo.write(
        ".release/partials/commit.hbs",
        "* {{upper_first description}} by {{author.name}}\n",
    );
    repo.write(
        ".release/partials/heading.hbs",
        "# {{tag}} on {{format_date timestamp \"%d.%m.%Y\"}}\n",
    );
    repo.write(".release/notes.hbs", "{{> heading}}\n{{#each sections}}\n[{{title}}]\n{{#each commits}}\n{{> commit}}\n{{/each}}\n{{/each}}\n");
    repo.write(
        ".release.toml",
        "[changelog]\nnotes-template = \".release/notes.hbs\"\npartials = \".release/partials\"\nsections = [\"Bug Fixes\"]\nexclude = [\"^fix\\\\(api\\\\)\"]\n\n[commits.types]\nperf = { bump = \"patch\", hidden = true }\n",
    );
    let run = repo.run(&["notes", "--tag", "v0.2.0"]);
    run.expect(0);
    insta::assert_snapshot!(run.stdout());
    let json = repo
        .run(&["notes", "--tag", "v1.0.0", "--format", "json"])
        .json();
    let all: Vec<&str> = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert!(
        !all.iter().any(|s| s.starts_with("fix(api)")),
        "excluded: {all:?}"
    );
    let unreleased = repo
        .run(&["notes", "--unreleased", "--format", "json"])
        .json();
    assert!(
        unreleased["sections"].as_array().unwrap().is_empty(),
        "perf is hidden: {unreleased}"
    );
}

#[test]
fn template_errors_exit_2_and_write_nothing() {
    let mut repo = history();
    repo.write(
        "bad-syntax.hbs",
        "## {{version}}\n{{#each sections}}\n- {{title}}\n",
    );
    let run = repo.run(&["changelog", "--template", "bad-syntax.hbs"]);
    run.expect(2);
    insta::assert_snapshot!("syntax_error", run.stderr());
    assert!(!repo.path().join("CHANGELOG.md").exists());
    repo.write("unknown.hbs", "## {{version}}\n\n{{release_name}}\n");
    let run = repo.run(&["changelog", "--template", "unknown.hbs"]);
    run.expect(2);
    insta::assert_snapshot!("unknown_variable", run.stderr());
    assert!(!repo.path().join("CHANGELOG.md").exists());
    // An existing file is left exactly as it was.
    repo.write("CHANGELOG.md", "# Mine\n");
    repo.run(&["changelog", "--template", "unknown.hbs"])
        .expect(2);
    assert_eq!(
        std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap(),
        "# Mine\n"
    );
}

#[test]
fn changelog_with_hand_written_file_without_markers() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: new").tag("v1.1.0");
    repo.write(
        "CHANGELOG.md",
        "# History\n\nOur story.\n\n## 1.0.0 - 2020-01-01\n\n- The beginning.\n",
    );
    repo.run(&["changelog"]).expect(0);
    let text = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(
        text.starts_with("# History\n\nOur story.\n\n<!-- git-release: v1.1.0 -->\n## 1.1.0"),
        "{text}"
    );
    assert!(
        text.ends_with("## 1.0.0 - 2020-01-01\n\n- The beginning.\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("1.0.0").count(),
        1,
        "1.0.0 is not added twice: {text}"
    );
}

#[test]
fn contributors_honour_mailmap_and_are_deduplicated() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.write(
        ".mailmap",
        "Ada Lovelace <ada@example.org> Ada Author <ada@example.com>\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: one").commit("fix: two").tag("v1.1.0");
    let json = repo
        .run(&["notes", "--tag", "v1.1.0", "--format", "json"])
        .json();
    let contributors = json["contributors"].as_array().unwrap();
    assert_eq!(contributors.len(), 1, "{json}");
    assert_eq!(contributors[0]["name"], "Ada Lovelace");
    assert_eq!(contributors[0]["email"], "ada@example.org");
    assert_eq!(contributors[0]["commits"], 2);
}

#[test]
fn an_adopted_changelog_gets_missing_releases_in_version_order_once_from_where_it_starts() {
    let mut repo = TestRepo::new();
    repo.commit("feat: a").tag("v0.9.0");
    repo.commit("feat: b").tag("v1.0.0");
    repo.commit("feat: c").tag("v1.1.0");
    repo.commit("fix: d").tag("v1.1.1");
    // Written by another tool: two releases, in two heading styles, with a
    // link reference at the end.
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## v1.1.1 (2024-03-01)\n\n- hand\n\n## [1.0.0] - 2024-01-01\n\n- hand-written\n\n[1.0.0]: https://example.com/1.0.0\n",
    );
    repo.git(&["add", "."]);
    repo.commit("docs: adopt");
    repo.run(&["changelog"]).expect(0);
    let first = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    repo.run(&["changelog"]).expect(0);
    let second = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert_eq!(first, second, "idempotent");
    let at = |needle: &str| {
        assert_eq!(
            first.matches(needle).count(),
            1,
            "{needle} once in\n{first}"
        );
        first.find(needle).unwrap()
    };
    let order = [
        at("## v1.1.1 (2024-03-01)"),
        at("## 1.1.0"),
        at("## [1.0.0] - 2024-01-01"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{first}");
    // The file starts at 1.0.0: older releases are left out on purpose.
    assert!(!first.contains("0.9.0"), "{first}");
    assert!(first.contains("- hand-written\n"), "{first}");
    assert!(!first.contains("## 1.0.0 ("), "{first}");
}

#[test]
fn notes_without_notable_changes_say_so() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("chore: tidy").commit("fix: a");
    repo.tag("v1.0.1");
    repo.commit("chore: more tidying").tag("v1.0.2");
    let run = repo.run(&["notes", "--tag", "v1.0.2"]);
    run.expect(0);
    assert!(
        run.stdout().starts_with("No notable changes.\n"),
        "{}",
        run.stdout()
    );
    let run = repo.run(&["notes", "--tag", "v1.0.1"]);
    assert!(
        !run.stdout().contains("No notable changes"),
        "{}",
        run.stdout()
    );
}

#[test]
fn commits_of_unknown_types_are_listed_under_the_other_heading_when_asked() {
    let mut repo = TestRepo::new();
    repo.commit("feat: base").annotated("v1.0.0");
    repo.commit("rt: faster scheduler")
        .commit("fix: a crash")
        .commit("chore: tidy");
    let notes = repo.run(&["notes", "--unreleased"]);
    notes.expect(0);
    assert!(
        !notes.stdout().contains("faster scheduler"),
        "{}",
        notes.stdout()
    );

    repo.write(".release.toml", "[changelog]\nother = \"Other changes\"\n");
    repo.git(&["add", "."]);
    repo.commit("chore: configure");
    let notes = repo.run(&["notes", "--unreleased"]);
    notes.expect(0);
    let text = notes.stdout();
    let other = text.find("Other changes").expect(&text);
    assert!(text[other..].contains("faster scheduler"), "{text}");
    assert!(text.find("a crash").unwrap() < other, "{text}");
    // `chore` is a known type without a section: still left out.
    assert!(!text.contains("tidy"), "{text}");
}
