//! Man pages and shell completions, generated from the clap definition so
//! they cannot drift from it: one page per command (`git-release.1`,
//! `git-release-tag.1`, `git-release-hook-install.1`, …) for
//! `git release --help` (git runs `man git-release`), and completion
//! scripts that complete both `git-release …` and `git release …`.

use std::path::{Path, PathBuf};

use clap::Command;
use clap_mangen::roff::{Roff, roman};

/// The name of the binary, as man pages and completions know it.
pub const BIN: &str = "git-release";

/// One man page: its file name (`git-release-tag.1`) and its roff source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The command's path below `git release` (empty for `git release`).
    pub path: Vec<String>,
    /// The file name.
    pub file_name: String,
    /// The roff source.
    pub text: String,
}

/// Every page: `git release` itself, then each command depth first (hidden
/// ones and clap's `help` left out).
pub fn pages(cli: Command) -> Vec<Page> {
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    let version = cli.get_version().unwrap_or_default().to_owned();
    let mut pages = Vec::new();
    collect(&cli, &version, &mut Vec::new(), None, &mut pages);
    pages
}

/// The page of the command at `path` (`[]` for `git release`, `["hook",
/// "install"]`), or `None` when there is no such command.
pub fn page(cli: Command, path: &[String]) -> Option<Page> {
    pages(cli).into_iter().find(|p| p.path == path)
}

fn collect(
    cmd: &Command,
    version: &str,
    path: &mut Vec<String>,
    parent: Option<&str>,
    pages: &mut Vec<Page>,
) {
    pages.push(render(cmd, version, path, parent));
    let name = display_name(cmd).to_owned();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        path.push(sub.get_name().to_owned());
        collect(sub, version, path, Some(&name), pages);
        path.pop();
    }
}

fn display_name(cmd: &Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

/// One page: clap_mangen's sections, then EXAMPLES (the long help's
/// examples, kept as laid out), SEE ALSO and VERSION.
fn render(cmd: &Command, version: &str, path: &[String], parent: Option<&str>) -> Page {
    let name = display_name(cmd).to_owned();
    // The examples have their own section, laid out as written.
    let examples = cmd.get_after_long_help().map(ToString::to_string);
    let bare = cmd
        .clone()
        .after_long_help(None::<&str>)
        .version(None::<&str>);
    let man = clap_mangen::Man::new(bare)
        .title(name.to_ascii_uppercase())
        // No date, so pages are reproducible; an empty argument must still
        // be there, or .TH would read the source as the date.
        .date("\"\"")
        .source(format!("{BIN} {version}"))
        .manual("git-release Manual");
    let mut text = Vec::new();
    // Rendering into memory cannot fail.
    let _ = man.render(&mut text);
    let mut roff = Roff::new();
    if let Some(examples) = examples {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        let body = examples.strip_prefix("Examples:\n").unwrap_or(&examples);
        for line in body.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut see_also: Vec<String> = Vec::new();
    if let Some(parent) = parent {
        see_also.push(format!("{parent}(1)"));
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        see_also.push(format!("{}(1)", display_name(sub)));
    }
    see_also.push("git(1)".to_owned());
    roff.text([roman(see_also.join(", "))]);
    roff.control("SH", ["VERSION"]);
    roff.text([roman(format!("v{version}"))]);
    let mut text = String::from_utf8_lossy(&text).into_owned();
    // Both halves start with the same preamble; keep one.
    let rest = roff.to_roff();
    text.push_str(&rest);
    Page {
        path: path.to_vec(),
        file_name: format!("{name}.1"),
        text,
    }
}

/// Where `--install` puts man pages: `$XDG_DATA_HOME/man/man1`, else
/// `$HOME/.local/share/man/man1`. `None` without a home directory.
pub fn install_dir(xdg_data_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let data = match xdg_data_home.filter(|p| p.is_absolute()) {
        Some(dir) => dir.to_path_buf(),
        None => home.filter(|p| p.is_absolute())?.join(".local/share"),
    };
    Some(data.join("man").join("man1"))
}

/// Whether `man` looks in `root` (a directory holding `man1/`): it is in
/// `MANPATH`, or `MANPATH` is unset (or has an empty element, which stands
/// for the defaults) and a `PATH` entry `X/bin` has `root` as `X/share/man`
/// or `X/man`, as man-db derives it.
pub fn man_finds(root: &Path, manpath: Option<&str>, path: Option<&str>) -> bool {
    let same = |a: &Path| a == root;
    let defaults = match manpath {
        None => true,
        Some(manpath) => {
            if manpath
                .split(':')
                .any(|p| !p.is_empty() && same(Path::new(p)))
            {
                return true;
            }
            manpath.is_empty()
                || manpath.starts_with(':')
                || manpath.ends_with(':')
                || manpath.contains("::")
        }
    };
    defaults
        && path.is_some_and(|path| {
            path.split(':').filter(|p| !p.is_empty()).any(|dir| {
                let dir = Path::new(dir);
                dir.file_name().is_some_and(|n| n == "bin")
                    && dir.parent().is_some_and(|prefix| {
                        same(&prefix.join("share").join("man")) || same(&prefix.join("man"))
                    })
            })
        })
}

/// A shell `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shell {
    /// Bash (with git's completion, `git release <TAB>` too).
    Bash,
    /// Zsh (with zsh's `_git`, `git release <TAB>` too).
    Zsh,
    /// Fish (its git completion hands `git release` over).
    Fish,
    /// PowerShell.
    #[value(name = "powershell")]
    PowerShell,
}

/// The completion script for `shell`.
pub fn completions(cli: Command, shell: Shell) -> String {
    let mut cli = cli;
    let mut script = Vec::new();
    match shell {
        Shell::Bash => {
            // clap_complete's bash script completes no subcommand's options
            // when the name has a hyphen (clap-rs/clap#6421): generate it
            // for a name without one, and register it for `git-release`.
            clap_complete::generate(clap_complete::Shell::Bash, &mut cli, BASH_NAME, &mut script);
            let script = String::from_utf8_lossy(&script);
            let mut text = String::new();
            for line in script.lines() {
                match line.strip_suffix(&format!(" {BASH_NAME}")) {
                    Some(start) if line.trim_start().starts_with("complete ") => {
                        text.push_str(&format!("{start} {BIN}\n"));
                    }
                    _ => {
                        text.push_str(line);
                        text.push('\n');
                    }
                }
            }
            text.push_str(BASH_GIT_SUBCOMMAND);
            text
        }
        Shell::Zsh | Shell::Fish | Shell::PowerShell => {
            let generator = match shell {
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                _ => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(generator, &mut cli, BIN, &mut script);
            String::from_utf8_lossy(&script).into_owned()
        }
    }
}

/// The name the bash script is generated for (its function is `_gitrelease`).
const BASH_NAME: &str = "gitrelease";

/// git's bash completion completes `git release …` with `_git_release`
/// (words, `cword` and `COMP_*` as for `git`): hand the words after
/// `release` to the script above as if `git-release …` had been typed.
const BASH_GIT_SUBCOMMAND: &str = r#"
# `git release <TAB>`: git's completion (git-completion.bash) calls
# _git_release; complete the words after `release` as `git-release` would.
_git_release() {
    local i start=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ "${COMP_WORDS[i]}" == release ]]; then
            start=$i
            break
        fi
    done
    ((start > 0)) || return 0
    local -a COMP_WORDS=(git-release "${COMP_WORDS[@]:start+1}")
    local COMP_CWORD=$((COMP_CWORD - start))
    local COMP_LINE="${COMP_WORDS[*]}"
    local COMP_POINT=${#COMP_LINE}
    _gitrelease git-release "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_dir_follows_xdg_then_home() {
        assert_eq!(
            install_dir(Some(Path::new("/x/data")), Some(Path::new("/home/a"))),
            Some(PathBuf::from("/x/data/man/man1"))
        );
        // A relative XDG_DATA_HOME is invalid and ignored, as the spec says.
        assert_eq!(
            install_dir(Some(Path::new("data")), Some(Path::new("/home/a"))),
            Some(PathBuf::from("/home/a/.local/share/man/man1"))
        );
        assert_eq!(install_dir(None, None), None);
    }

    #[test]
    fn man_finds_pages_through_manpath_or_path() {
        let root = Path::new("/home/a/.local/share/man");
        let path = Some("/usr/bin:/home/a/.local/bin");
        assert!(man_finds(root, None, path));
        assert!(!man_finds(root, None, Some("/usr/bin")));
        assert!(man_finds(root, Some("/home/a/.local/share/man"), None));
        // A MANPATH without an empty element replaces the defaults.
        assert!(!man_finds(root, Some("/usr/share/man"), path));
        assert!(man_finds(root, Some("/usr/share/man:"), path));
    }
}
