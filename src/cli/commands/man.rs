//! `git release man`: the man pages, made from the command-line definition.
//! git turns `git release --help` into `man git-release`, so installing
//! them makes `--help` work through git too.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::Error;
use crate::cli::manual::{self, Page};
use crate::cli::output::Output;
use crate::error::Outcome;

/// `man`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the page of this command (`tag`, `hook install`) [default: git-release itself]
    #[arg(value_name = "COMMAND", conflicts_with_all = ["dir", "install"])]
    pub command: Vec<String>,
    /// Write every page (git-release.1, git-release-tag.1, …) into DIR
    #[arg(long, value_name = "DIR", conflicts_with = "install")]
    pub dir: Option<PathBuf>,
    /// Write every page into $XDG_DATA_HOME/man/man1 (default ~/.local/share/man/man1)
    #[arg(long)]
    pub install: bool,
}

/// Prints one page, or writes them all.
pub fn run(args: &Args, cli: clap::Command, out: &Output) -> Result<Outcome, Error> {
    let dir = if args.install {
        let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let Some(dir) = manual::install_dir(xdg.as_deref(), home.as_deref()) else {
            return Err(Error::refused(
                "there is no home directory to install the man pages into (`HOME` is unset or relative)",
                &["name a directory instead: `git release man --dir DIR`"],
            ));
        };
        Some(dir)
    } else {
        args.dir.clone()
    };
    let Some(dir) = dir else {
        let Some(page) = manual::page(cli, &args.command) else {
            return Err(Error::refused(
                format!("there is no command `{}`", args.command.join(" ")),
                &["`git release --help` lists the commands"],
            ));
        };
        if out.json() {
            out.data_json(&json!({ "file": page.file_name, "page": page.text }))?;
        } else {
            out.data(&page.text)?;
        }
        return Ok(Outcome::Success);
    };
    let pages = manual::pages(cli);
    let written = write_pages(&dir, &pages)?;
    if out.json() {
        let root = dir.parent().unwrap_or(&dir);
        out.json_value(&json!({
            "dir": dir,
            "files": written,
            "found_by_man": args.install.then(|| found_by_man(root)),
        }))?;
        return Ok(Outcome::Success);
    }
    out.line(&format!(
        "wrote {} man pages into {}",
        pages.len(),
        dir.display()
    ))?;
    if args.install {
        let root = dir.parent().unwrap_or(&dir);
        if found_by_man(root) {
            out.line("`git release --help` and `man git-release` now show them")?;
        } else {
            let export = match std::env::var("MANPATH") {
                Ok(manpath) if !manpath.is_empty() => {
                    format!("export MANPATH=\"{}:$MANPATH\"", root.display())
                }
                // A trailing colon keeps man's own search path.
                _ => format!("export MANPATH=\"{}:\"", root.display()),
            };
            out.line(&format!(
                "man does not look in {} yet: add this line to your shell's profile (~/.profile, ~/.bashrc, ~/.zshrc), then open a new shell:\n    {export}\nthen `git release --help` and `man git-release` show them",
                root.display()
            ))?;
        }
    }
    Ok(Outcome::Success)
}

fn found_by_man(root: &Path) -> bool {
    manual::man_finds(
        root,
        std::env::var("MANPATH").ok().as_deref(),
        std::env::var("PATH").ok().as_deref(),
    )
}

fn write_pages(dir: &Path, pages: &[Page]) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(Error::io(format!("creating `{}`", dir.display())))?;
    let mut written = Vec::new();
    for page in pages {
        let path = dir.join(&page.file_name);
        crate::git::writer::write_atomically(&path, page.text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
