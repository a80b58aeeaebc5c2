//! `git release init`: write a commented `.release.toml` at the repository root.

use crate::Error;
use crate::cli::output::Output;
use crate::config::{Config, FILE_NAME};
use crate::error::Outcome;
use crate::git::repo::Repo;

/// The starter file: every key, commented, with its default.
pub const STARTER: &str = include_str!("../../../.release.toml.example");

/// `init`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Overwrite an existing .release.toml
    #[arg(long)]
    force: bool,
    /// Print the file instead of writing it
    #[arg(long)]
    stdout: bool,
    /// Find Cargo, npm and Python packages in the work tree and propose `[[package]]` entries
    #[arg(long)]
    detect: bool,
}

/// Writes the starter configuration.
pub fn run(args: &Args, out: &Output) -> Result<Outcome, Error> {
    if args.stdout && !args.detect {
        out.data(STARTER)?;
        return Ok(Outcome::Success);
    }
    let repo = Repo::open()?;
    let Some(root) = repo.workdir() else {
        return Err(Error::refused(
            "this repository has no work tree to write `.release.toml` into",
            &[
                "run `git release init --stdout > FILE` and commit FILE from a clone with a work tree",
            ],
        ));
    };
    let path = root.join(FILE_NAME);
    let mut contents = STARTER.to_owned();
    if args.detect {
        let found = crate::packages::detect::detect(&root).map_err(|e| Error::Refused {
            message: e.to_string(),
            hints: e.hints(),
        })?;
        for note in found.notes.iter().filter(|n| n.warning) {
            out.warn(&note.text);
        }
        let tags: Vec<String> = repo.tags(|_| true)?.0.into_iter().map(|t| t.name).collect();
        let proposal = crate::packages::detect::to_toml(&found, &tags);
        // The proposal must itself be a valid configuration.
        Config::parse(&proposal, "the proposal")?;
        if args.stdout || (path.exists() && !args.force) {
            out.data(&proposal)?;
            if path.exists() && !args.stdout {
                out.say(&format!("`{FILE_NAME}` exists already: add the proposal above to it by hand (or `--force` to replace it)"));
            }
            return Ok(Outcome::Success);
        }
        contents.push('\n');
        contents.push_str(&proposal);
    }
    if path.exists() && !args.force {
        return Err(Error::refused(
            format!("`{}` exists already", path.display()),
            &["edit it, or pass `--force` to replace it with the commented defaults"],
        ));
    }
    // The starter must itself be a valid configuration.
    Config::parse(&contents, FILE_NAME)?;
    crate::git::writer::write_atomically(&path, contents.as_bytes())?;
    out.line(&format!("wrote {}", path.display()))?;
    Ok(Outcome::Success)
}
