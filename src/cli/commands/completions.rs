//! `git release completions SHELL`: the shell's completion script, made
//! from the command-line definition.

use crate::Error;
use crate::cli::manual::{self, Shell};
use crate::cli::output::Output;
use crate::error::Outcome;

/// `completions`' arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Prints the script.
pub fn run(args: &Args, cli: clap::Command, out: &Output) -> Result<Outcome, Error> {
    let script = manual::completions(cli, args.shell);
    if out.json() {
        out.data_json(&serde_json::json!({ "shell": args.shell, "script": script }))?;
    } else {
        out.data(&script)?;
    }
    Ok(Outcome::Success)
}
