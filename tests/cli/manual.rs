//! `man` and `completions`: the pages and scripts made from the command
//! line's definition, read by the real `man`, `git help` and bash.

use std::path::Path;
use std::process::Command;

use crate::fixture::TestRepo;

/// Every command's path below `git release`, from the clap definition, so a
/// new command cannot be left out.
pub fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, all: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            path.push(sub.get_name().to_owned());
            all.push(path.clone());
            walk(sub, path, all);
            path.pop();
        }
    }
    let mut all = Vec::new();
    walk(&git_release::cli::command(), &mut Vec::new(), &mut all);
    all
}

fn has(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The page as `man` shows it, when `man` is installed.
fn man_shows(file: &Path) -> Option<String> {
    if !has("man") {
        return None;
    }
    let out = Command::new("man")
        .arg("-l")
        .arg(file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "man -l {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn man_pages_of_git_release_and_a_command() {
    let repo = TestRepo::empty();
    // A release changes the version, not the pages.
    let version = regex::escape(env!("CARGO_PKG_VERSION"));
    insta::with_settings!({ filters => vec![(version.as_str(), "[VERSION]")] }, {
        let top = repo.run(&["man"]);
        top.expect(0);
        insta::assert_snapshot!("man_git_release", top.stdout());
        let tag = repo.run(&["man", "tag"]);
        tag.expect(0);
        insta::assert_snapshot!("man_git_release_tag", tag.stdout());
    });
    let nested = repo.run(&["man", "hook", "install"]);
    nested.expect(0);
    assert!(
        nested
            .stdout()
            .contains("git\\-release\\-hook\\-install \\-"),
        "{}",
        nested.stdout()
    );
    repo.run(&["man", "nope"]).expect(2);
}

#[test]
fn man_dir_writes_a_page_per_command_each_with_a_name_section() {
    let repo = TestRepo::empty();
    let dir = repo.root().join("pages");
    let run = repo.run(&["man", "--dir", dir.to_str().unwrap()]);
    run.expect(0);
    let mut expected = vec!["git-release.1".to_owned()];
    for path in command_paths() {
        expected.push(format!("git-release-{}.1", path.join("-")));
    }
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, expected);
    for name in &found {
        let file = dir.join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        let page = name.trim_end_matches(".1");
        // Without any roff tool: the NAME section names the page.
        let name_line = text
            .lines()
            .skip_while(|l| *l != ".SH NAME")
            .nth(1)
            .unwrap_or_else(|| panic!("{name} has no NAME section:\n{text}"));
        assert!(
            name_line.starts_with(&format!("{} \\- ", page.replace('-', "\\-"))),
            "{name}: {name_line}"
        );
        assert!(text.contains(".SH EXAMPLES"), "{name} has no examples");
        // With man: it renders, NAME first.
        if let Some(shown) = man_shows(&file) {
            let words = shown.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                words.contains(&format!("NAME {page} - ")),
                "{name}:\n{shown}"
            );
        }
    }
}

#[test]
fn man_install_puts_pages_where_git_help_finds_them() {
    let repo = TestRepo::new();
    let home = repo.root();
    let home_str = home.to_str().unwrap();
    let pages = home.join(".local/share/man");
    // man does not look there: the output says how to make it.
    let run = repo.run_env(
        &repo.path(),
        &["man", "--install"],
        &[("HOME", home_str), ("PATH", "/usr/bin:/bin")],
    );
    run.expect(0);
    assert!(pages.join("man1/git-release.1").is_file());
    assert!(pages.join("man1/git-release-tag.1").is_file());
    let expected = format!("export MANPATH=\"{}:\"", pages.display());
    assert!(run.stdout().contains(&expected), "{}", run.transcript());
    // With ~/.local/bin on PATH, man-db finds ~/.local/share/man by itself.
    let path = format!("/usr/bin:/bin:{home_str}/.local/bin");
    let run = repo.run_env(
        &repo.path(),
        &["man", "--install"],
        &[("HOME", home_str), ("PATH", &path)],
    );
    run.expect(0);
    assert!(
        run.stdout()
            .contains("`git release --help` and `man git-release` now show them"),
        "{}",
        run.transcript()
    );
    // XDG_DATA_HOME wins over HOME.
    let data = home.join("data");
    repo.run_env(
        &repo.path(),
        &["man", "--install"],
        &[
            ("HOME", home_str),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
    )
    .expect(0);
    assert!(data.join("man/man1/git-release.1").is_file());
    // And `git release --help` (git runs `man git-release`) shows the page.
    if has("man") {
        // git looks the command up on PATH before it opens its page.
        let bin = Path::new(env!("CARGO_BIN_EXE_git-release"))
            .parent()
            .unwrap()
            .to_owned();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .unwrap();
        let out = Command::new("git")
            .args(["release", "--help"])
            .current_dir(repo.path())
            .env("PATH", path)
            .env("HOME", home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("MANPATH", format!("{}:", pages.display()))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C")
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && shown.contains("git-release - Git-native releases"),
            "git release --help:\n{shown}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completion_scripts() {
    let repo = TestRepo::empty();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = repo.run(&["completions", shell]);
        run.expect(0);
        insta::assert_snapshot!(format!("completions_{shell}"), run.stdout());
    }
    repo.run(&["completions", "tcsh"]).expect(2);
}

/// What bash offers for `line` (ending at the cursor), through the script
/// and, when `git` is the first word, through `_git_release` as git's own
/// completion calls it.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let call = if words[0] == "git" {
        "_git_release"
    } else {
        "_gitrelease git-release \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\""
    };
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMPREPLY=()\n{call}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_git_release_and_git_space_release() {
    if !has("bash") {
        return;
    }
    let repo = TestRepo::empty();
    let run = repo.run(&["completions", "bash"]);
    run.expect(0);
    let script = repo.root().join("git-release.bash");
    std::fs::write(&script, run.stdout()).unwrap();
    let contains = |words: &[&str], expected: &str| {
        let offered = bash_completes(&script, words);
        assert!(
            offered.iter().any(|o| o == expected),
            "{words:?} offered {offered:?}, not {expected}"
        );
    };
    contains(&["git-release", "ta"], "tag");
    contains(&["git-release", "tag", "--dr"], "--dry-run");
    contains(&["git", "release", "ta"], "tag");
    contains(
        &["git", "-C", "repo", "release", "tag", "--dr"],
        "--dry-run",
    );
    contains(&["git", "release", "completions", ""], "powershell");
    contains(&["git", "release", "hook", "install", "--"], "--pre-push");
    contains(&["git", "release", "--format", ""], "json");
}
