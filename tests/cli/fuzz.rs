//! End-to-end properties of the real binary: whatever lines git hands the
//! pre-push hook and whatever a `.release.toml` holds, it answers with an
//! exit code of the contract (hooks 0 or 1; other commands 0, 1 or 2) and
//! never panics or crashes. The parsers themselves are fuzzed in
//! `src/fuzz.rs`; these cases are few, as each runs the binary.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestRunner};

use crate::fixture::{Run, TestRepo};

fn runner(cases: u32) -> TestRunner {
    let mut config = Config {
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    TestRunner::new(config)
}

/// Fails the case unless the run ended with one of `codes` and no panic.
fn exits_with(run: &Run, codes: &[i32], what: &str) -> Result<(), TestCaseError> {
    let transcript = run.transcript();
    prop_assert!(
        codes.contains(&run.code()) && !transcript.contains("panicked"),
        "{what}: expected exit {codes:?}\n{transcript}"
    );
    Ok(())
}

/// A released repository with a package directory, and the object ids a
/// pre-push line may name: commits, a tag object, a tree and a blob.
fn repository() -> (TestRepo, Vec<String>) {
    let mut repo = TestRepo::new();
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"1.0.0\"\n",
    );
    repo.git(&["add", "."]);
    repo.commit("feat: core").annotated("v1.0.0");
    repo.commit("fix(core): x\n\nBREAKING CHANGE: y");
    repo.commit("Revert \"fix(core): x\"\n\nThis reverts commit 0123456.");
    repo.as_user("Ada Author", "ada@example.com");
    let ids = [
        "HEAD",
        "HEAD~1",
        "v1.0.0",
        "v1.0.0^{}",
        "HEAD^{tree}",
        "HEAD:crates/core/Cargo.toml",
    ]
    .iter()
    .map(|rev| repo.id(rev))
    .collect();
    (repo, ids)
}

#[test]
fn pre_push_hook_answers_0_or_1_to_any_input() {
    let (repo, ids) = repository();
    let zero = "0".repeat(40);
    let mut oids = ids.clone();
    oids.extend([
        zero.clone(),
        zero.clone(),
        "0".repeat(64),
        ids[0].to_uppercase(),
        ids[0][..39].to_owned(),
        "f".repeat(40),
    ]);
    let refs = vec![
        "refs/tags/v1.0.0",
        "refs/tags/v1.1.0",
        "refs/tags/v2.0.0-rc.1",
        "refs/tags/nightly",
        "refs/heads/main",
        "(delete)",
        "HEAD",
        "refs/tags/",
        "refs/tags/v1.0.0\r",
        "",
    ];
    let line = (
        select(refs.clone()),
        select(oids.clone()),
        select(refs),
        select(oids),
        0..8u8,
        any::<Index>(),
    )
        .prop_map(
            |(local_ref, local_oid, remote_ref, remote_oid, shape, cut)| {
                let line = format!("{local_ref} {local_oid} {remote_ref} {remote_oid}");
                match shape {
                    0 => line.replacen(' ', "  ", 1),
                    1 => line[..cut.index(line.len() + 1)].to_owned(),
                    2 => format!("{line} extra"),
                    _ => line,
                }
                .into_bytes()
            },
        );
    let input = prop_oneof![
        4 => prop::collection::vec(line, 0..4).prop_map(|lines| lines.join(&b"\n"[..])),
        1 => prop::collection::vec(any::<u8>(), 0..120),
    ];
    runner(128)
        .run(&(input, any::<bool>()), |(mut input, newline)| {
            if newline {
                input.push(b'\n');
            }
            let run = repo.run_with_stdin(&["hook", "pre-push", "origin", "/dev/null"], &input);
            exits_with(&run, &[0, 1], &String::from_utf8_lossy(&input))
        })
        .unwrap();
}

const TOKENS: &[&str] = &[
    "tag = ",
    "[changelog]\n",
    "[gate]\n",
    "[[package]]\n",
    "[commits.types]\n",
    "[gate.window]\n",
    "[environments.prod]\n",
    "name = \"core\"\n",
    "path = ",
    "version-files = ",
    "template = ",
    "notes-template = ",
    "partials = ",
    "exclude = ",
    "hours = ",
    "soak = ",
    "max-age = ",
    "\"v{version}\"",
    "\"{name}@{version}\"",
    "\"crates/core\"",
    "\"crates/core/Cargo.toml\"",
    "\"../x\"",
    "\"/proc/self/environ\"",
    "\".git/HEAD\"",
    "\"CHANGELOG.md\"",
    "\"(\"",
    "\"25:00-26:00\"",
    "\"99999999999999999999d\"",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "=",
    "\n",
    ",",
    "true",
    "-1",
    "feat = { bump = \"major\" }\n",
    "initial-version = \"0.0.0\"\n",
    "branches = [\"*\"]\n",
];

const CONFIGS: &[&str] = &[
    "tag = \"v{version}\"\n[commits.types]\nfeat = { bump = \"minor\", section = \"Features\" }\n[changelog]\nexclude = [\"^chore\"]\nsections = [\"Features\"]\n[gate]\ntests = [\"unit\"]\napprovals = 1\nmax-age = \"7d\"\n[gate.window]\ndays = [\"mon\"]\nhours = \"09:00-17:00\"\n",
    "[[package]]\nname = \"core\"\npath = \"crates/core\"\nversion-files = [\"crates/core/Cargo.toml\"]\n[[package]]\nname = \"rest\"\npaths = [\".\"]\ntag = \"{name}@{version}\"\ndepends-on = [\"core\"]\n",
];

fn config_text() -> impl Strategy<Value = String> {
    let soup = prop::collection::vec(select(TOKENS), 0..30).prop_map(|t| t.concat());
    let mutated = (
        select(CONFIGS),
        prop::collection::vec((any::<Index>(), any::<Index>(), select(TOKENS)), 0..5),
    )
        .prop_map(|(base, edits)| {
            let mut text = base.to_owned();
            for (at, len, insert) in edits {
                let at = at.index(text.len() + 1);
                let end = (at + len.index(12)).min(text.len());
                // ASCII only, so every offset is a character boundary.
                text.replace_range(at..end, insert);
            }
            text
        });
    prop_oneof![soup, mutated]
}

#[test]
fn any_release_toml_exits_0_1_or_2() {
    let (repo, _) = repository();
    runner(64)
        .run(&config_text(), |text| {
            repo.write_file(".release.toml", &text);
            for args in [
                &["plan", "--format", "json"][..],
                &["notes"],
                &["changelog", "--output", "-"],
                &["hook", "pre-push", "origin", "/dev/null"],
            ] {
                let hook = args[0] == "hook";
                let run = repo.run_with_stdin(args, b"");
                exits_with(
                    &run,
                    if hook { &[0, 1] } else { &[0, 1, 2] },
                    &format!("{args:?} with\n{text}"),
                )?;
            }
            Ok(())
        })
        .unwrap();
}
