//! Reverts as real histories write them: with and without git's
//! `This reverts commit <id>.` line, with squash-merge suffixes, reverts of
//! reverts, and reverts of released commits; `plan` names the matching rule
//! and notes and changelogs leave cancelled pairs out.

use crate::fixture::TestRepo;

/// One row: the commits after `v1.0.0` (a `{ID:n}` in a message is the id
/// of the n-th commit of the row), then what `version` prints (or `None`
/// for "nothing to release"), the summaries `notes --unreleased` must show,
/// and the ones it must not.
struct Row {
    case: &'static str,
    commits: &'static [&'static str],
    next: Option<&'static str>,
    shown: &'static [&'static str],
    hidden: &'static [&'static str],
}

const ROWS: &[Row] = &[
    Row {
        case: "the issue's repro: a squash-merged revert without an id",
        commits: &["chore(deps): bump x", "Revert \"chore(deps): bump x\" (#9)"],
        next: None,
        shown: &[],
        hidden: &["bump x"],
    },
    Row {
        case: "git's own revert, matched by id",
        commits: &[
            "feat: risky",
            "Revert \"feat: risky\"\n\nThis reverts commit {ID:0}.",
            "fix: small",
        ],
        next: Some("1.0.1"),
        shown: &["small"],
        hidden: &["risky"],
    },
    Row {
        case: "header with squash suffixes on both sides",
        commits: &[
            "feat: risky (#8)",
            "Revert \"feat: risky (#8)\" (#9)",
            "fix: small",
        ],
        next: Some("1.0.1"),
        shown: &["small"],
        hidden: &["risky"],
    },
    Row {
        case: "conventional revert quoting the header",
        commits: &["feat: risky", "revert: feat: risky"],
        next: None,
        shown: &[],
        hidden: &["risky"],
    },
    Row {
        case: "two commits with the same header: the newest earlier one is cancelled",
        commits: &[
            "fix: retry",
            "fix: other",
            "fix: retry",
            "Revert \"fix: retry\"",
        ],
        next: Some("1.0.1"),
        shown: &["retry", "other"],
        hidden: &[],
    },
    Row {
        case: "revert of a revert restores the original",
        commits: &[
            "feat: risky",
            "Revert \"feat: risky\"",
            "Revert \"Revert \"feat: risky\"\"",
        ],
        next: Some("1.1.0"),
        shown: &["risky"],
        hidden: &["Revert"],
    },
    Row {
        case: "a revert whose header matches nothing in scope is a patch of its own",
        commits: &["Revert \"feat: shipped long ago\""],
        next: Some("1.0.1"),
        shown: &[],
        hidden: &[],
    },
];

fn build(row: &Row) -> (TestRepo, Vec<String>) {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    let mut ids: Vec<String> = Vec::new();
    for message in row.commits {
        let mut message = (*message).to_owned();
        for (i, id) in ids.iter().enumerate() {
            message = message.replace(&format!("{{ID:{i}}}"), id);
        }
        repo.commit(&message);
        ids.push(repo.id("HEAD"));
    }
    (repo, ids)
}

#[test]
fn reverts_as_real_histories_write_them() {
    for row in ROWS {
        let (repo, _) = build(row);
        let run = repo.run(&["version"]);
        match row.next {
            Some(version) => {
                run.expect(0);
                assert_eq!(run.stdout().trim(), version, "{}", row.case);
            }
            None => {
                run.expect(1);
            }
        }
        let notes = repo.run(&["notes", "--unreleased"]);
        if row.next.is_some() {
            notes.expect(0);
            let text = notes.stdout();
            for shown in row.shown {
                assert!(
                    text.contains(shown),
                    "{}: {shown:?} missing from\n{text}",
                    row.case
                );
            }
            for hidden in row.hidden {
                assert!(
                    !text.contains(hidden),
                    "{}: {hidden:?} in\n{text}",
                    row.case
                );
            }
        }
        let changelog = repo.run(&["changelog", "--unreleased", "-o", "-"]);
        changelog.expect(0);
        let text = changelog.stdout();
        for hidden in row.hidden {
            assert!(
                !text.contains(hidden),
                "{}: {hidden:?} in changelog\n{text}",
                row.case
            );
        }
    }
}

#[test]
fn plan_names_the_rule_that_matched_each_cancelled_pair() {
    let (repo, ids) = build(&ROWS[2]);
    let json = repo.run(&["plan", "--format", "json"]).json();
    let commits = json["commits"].as_array().unwrap();
    let by_id = |id: &str| commits.iter().find(|c| c["id"] == id).unwrap();
    let (target, revert) = (by_id(&ids[0]), by_id(&ids[1]));
    assert_eq!(target["reverted_by"], ids[1].as_str());
    assert_eq!(target["revert_matched_by"], "header");
    assert_eq!(revert["reverts"], ids[0].as_str());
    assert_eq!(revert["revert_matched_by"], "header");
    assert_eq!(revert["bump"], "none");

    let (repo, ids) = build(&ROWS[1]);
    let json = repo.run(&["plan", "--format", "json"]).json();
    let commits = json["commits"].as_array().unwrap();
    let target = commits.iter().find(|c| c["id"] == ids[0].as_str()).unwrap();
    assert_eq!(target["revert_matched_by"], "id");

    let text = repo.run(&["plan"]).stdout();
    assert!(text.contains("matched by commit id"), "{text}");
    let (repo, _) = build(&ROWS[0]);
    let text = repo.run(&["plan"]).stdout();
    assert!(text.contains("matched by quoted header"), "{text}");
}
