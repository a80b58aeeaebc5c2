//! The README's examples are what the binary prints: each is produced here
//! from a fixture repository and compared with the README, so they cannot
//! drift.

use crate::fixture::TestRepo;

/// The ```console block of the README that starts with `$ {command}`,
/// without its prompt line.
fn readme_block(command: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let prompt = format!("```console\n$ {command}\n");
    let start = readme
        .find(&prompt)
        .unwrap_or_else(|| panic!("no ```console block for `$ {command}` in the README"))
        + prompt.len();
    let end = readme[start..].find("```").unwrap() + start;
    readme[start..end].to_owned()
}

#[test]
fn the_first_run_example_is_what_git_release_prints() {
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0");
    repo.branch("other")
        .switch("other")
        .commit("feat!: elsewhere");
    repo.tag("v2.0.0");
    repo.switch("main");
    repo.commit("fix: y").commit("docs: z").commit("feat: w");
    let run = repo.run(&["plan"]);
    run.expect(0);
    let expected = readme_block("git release");
    assert!(
        run.stdout() == expected,
        "the README's first example has drifted; replace it with:\n{}",
        run.stdout()
    );
}
