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
    /// Map another tool's configuration: cog.toml, cliff.toml,
    /// release-please-config.json (with .release-please-manifest.json beside
    /// it) or .releaserc.json
    #[arg(long, value_name = "FILE", conflicts_with = "detect")]
    from: Option<std::path::PathBuf>,
}

/// Writes the starter configuration.
pub fn run(args: &Args, out: &Output) -> Result<Outcome, Error> {
    if let Some(from) = &args.from {
        return migrate(args, from, out);
    }
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

/// `--from FILE`: another tool's configuration mapped into a proposal,
/// printed (and written when there is no `.release.toml` yet).
fn migrate(args: &Args, from: &std::path::Path, out: &Output) -> Result<Outcome, Error> {
    use crate::packages::migrate::{Tool, migrate};
    let name = from
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some(tool) = Tool::of(name) else {
        return Err(Error::refused(
            format!(
                "`{}` is not a configuration `init --from` knows",
                from.display()
            ),
            &["give cog.toml, cliff.toml, release-please-config.json or .releaserc.json"],
        ));
    };
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(Error::io(format!("reading `{}`", path.display())))
    };
    let text = read(from)?;
    let manifest = match tool {
        Tool::ReleasePlease => {
            let path = from.with_file_name(".release-please-manifest.json");
            path.exists().then(|| read(&path)).transpose()?
        }
        _ => None,
    };
    let proposal = migrate(tool, name, &text, manifest.as_deref()).map_err(|e| {
        Error::refused(e.to_string(), &["fix the file, or write `.release.toml` by hand (`git release init --stdout` shows every key)"])
    })?;
    for item in &proposal.unmapped {
        out.warn(&format!("not mapped: {item}"));
    }
    let text = proposal.to_toml(tool, name);
    // The proposal must itself be a valid configuration.
    Config::parse(&text, "the proposal")?;
    let root = Repo::open().ok().and_then(|r| r.workdir());
    let path = root.map(|r| r.join(FILE_NAME));
    match path {
        Some(path) if !args.stdout && (!path.exists() || args.force) => {
            crate::git::writer::write_atomically(&path, text.as_bytes())?;
            out.line(&format!("wrote {}", path.display()))?;
        }
        _ => out.data(&text)?,
    }
    Ok(Outcome::Success)
}
