//! Every `--help` is snapshotted, so a change to the interface shows in review.

use crate::fixture::TestRepo;

#[test]
fn help_of_every_command() {
    let repo = TestRepo::empty();
    for command in [
        "",
        "plan",
        "version",
        "changelog",
        "notes",
        "test",
        "approve",
        "gate",
        "tag",
        "verify",
        "sync",
        "site",
        "watch",
        "init",
    ] {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let run = repo.run(&args);
        run.expect(0);
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", command.replace(' ', "-"))
        };
        insta::assert_snapshot!(name, run.stdout());
    }
}
