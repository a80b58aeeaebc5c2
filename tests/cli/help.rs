//! Every `--help` is snapshotted, so a change to the interface shows in
//! review. The commands come from the clap definition: none is left out.

use crate::fixture::TestRepo;
use crate::manual::command_paths;

#[test]
fn help_of_every_command() {
    let repo = TestRepo::empty();
    let mut commands = vec![Vec::new()];
    commands.extend(command_paths());
    for command in commands {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.push("--help");
        let run = repo.run(&args);
        run.expect(0);
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", command.join("-"))
        };
        insta::assert_snapshot!(name, run.stdout());
    }
}
