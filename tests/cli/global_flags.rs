//! The global flags hold for every command: `--format json` (stdout is one
//! JSON document, for success and for an error, and an error's `exit` is
//! the exit code), `-q` (no success lines, no warnings) and colour
//! (`NO_COLOR`, `CLICOLOR_FORCE`, git's `color.ui` through `git -c`).
//! The commands come from the clap definition, so a new one cannot skip
//! this: it needs a row in [`ROWS`].

use std::path::Path;
use std::process::Output;

use crate::fixture::{TestRepo, git_in};
use crate::manual::command_paths;

/// How to run one command.
struct Row {
    /// Its path below `git release`.
    path: &'static str,
    /// Arguments that succeed in the [`fixture`] (after the path).
    ok: &'static [&'static str],
    /// Its exit code then.
    ok_exit: i32,
    /// Arguments that fail, and whether they run outside the repository;
    /// `None`: `--config` naming a missing file, with `ok`.
    error: Option<(&'static [&'static str], bool)>,
    /// Whether stdout is what the command exists to print (`-q` keeps it).
    data: bool,
    /// What to do first, on the fixture.
    setup: Option<fn(&TestRepo)>,
}

const fn row(path: &'static str, ok: &'static [&'static str]) -> Row {
    Row {
        path,
        ok,
        ok_exit: 0,
        error: None,
        data: false,
        setup: None,
    }
}

const fn data(path: &'static str, ok: &'static [&'static str]) -> Row {
    Row {
        data: true,
        ..row(path, ok)
    }
}

const ROWS: &[Row] = &[
    row("plan", &[]),
    data("version", &[]),
    row("changelog", &[]),
    data("notes", &[]),
    row("test", &["--", "true"]),
    row("approve", &[]),
    row("gate", &[]),
    row("tag", &[]),
    row("verify", &["v0.1.0"]),
    row("sync", &["--no-push"]),
    row("log", &[]),
    row("show", &["v0.1.0"]),
    row(
        "deploy",
        &["v0.1.0", "--env", "staging", "--status", "started"],
    ),
    row("status", &[]),
    Row {
        setup: Some(two_deployed_releases),
        ..row("rollback", &["--env", "staging"])
    },
    row("hook install", &[]),
    row("hook uninstall", &[]),
    row("hook pre-push", &["origin", "../remote.git"]),
    Row {
        setup: Some(|repo| std::fs::write(repo.root().join("msg"), "feat: x\n").unwrap()),
        ..row("hook commit-msg", &["../msg"])
    },
    row("lint", &[]),
    Row {
        error: Some((&["--force"], true)),
        ..row("init", &["--force"])
    },
    Row {
        error: Some((&["nope"], false)),
        ..data("man", &["tag"])
    },
    Row {
        error: Some((&["tcsh"], false)),
        ..data("completions", &["bash"])
    },
    Row {
        error: Some((&["--no-such-flag"], false)),
        ..data("schema", &[])
    },
    row("site", &["-o", "site-out"]),
    row(
        "watch",
        &[
            "v0.1.0", "--env", "staging", "--check", "true", "--every", "10ms", "--for", "30ms",
        ],
    ),
];

/// A released v0.1.0 with `[environments.staging]`, a fix after it, an
/// identity, and `origin`, a bare repository holding both.
fn fixture() -> TestRepo {
    let mut repo = TestRepo::empty();
    repo.as_user("Ada Author", "ada@example.com");
    repo.write(".release.toml", "[environments.staging]\n");
    repo.git(&["add", ".release.toml"]);
    repo.commit("chore: init").annotated("v0.1.0");
    repo.commit("fix: a bug");
    git_in(repo.root(), &["init", "-q", "--bare", "remote.git"]);
    repo.git(&["remote", "add", "origin", "../remote.git"]);
    repo.git(&["push", "-q", "origin", "main", "v0.1.0"]);
    repo
}

/// v0.1.0 and v0.1.1 both deployed to staging: `rollback` has a target.
fn two_deployed_releases(repo: &TestRepo) {
    let deploy = |tag: &str| {
        repo.run(&["deploy", tag, "--env", "staging", "--status", "succeeded"])
            .expect(0);
    };
    deploy("v0.1.0");
    repo.run(&["tag"]).expect(0);
    deploy("v0.1.1");
}

/// Runs `git release [global…] PATH ARGS…`, with `vars`, and without
/// `NO_COLOR` unless `vars` sets it.
fn run(
    repo: &TestRepo,
    dir: &Path,
    global: &[&str],
    row: &Row,
    args: &[&str],
    vars: &[(&str, &str)],
) -> Output {
    let mut all: Vec<&str> = global.to_vec();
    all.extend(row.path.split(' '));
    all.extend(args);
    let mut cmd = repo.command(dir, &all, &[]);
    cmd.env_remove("NO_COLOR");
    for (key, value) in vars {
        cmd.env(key, value);
    }
    cmd.output().unwrap()
}

fn transcript(what: &str, out: &Output) -> String {
    format!(
        "{what}: exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn coloured(out: &Output) -> bool {
    out.stdout.contains(&0x1b) || out.stderr.contains(&0x1b)
}

#[test]
fn every_command_is_in_the_table() {
    let leaves: Vec<String> = command_paths()
        .iter()
        .filter(|path| {
            // Groups like `hook` only hold commands.
            !command_paths()
                .iter()
                .any(|other| other.len() > path.len() && other.starts_with(path))
        })
        .map(|path| path.join(" "))
        .collect();
    let rows: Vec<&str> = ROWS.iter().map(|r| r.path).collect();
    let missing: Vec<&String> = leaves
        .iter()
        .filter(|l| !rows.contains(&l.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "add a row to ROWS in tests/cli/global_flags.rs for {missing:?}"
    );
}

#[test]
fn every_command_honours_format_json_quiet_and_colour() {
    let template = fixture();
    for row in ROWS {
        let fresh = || {
            let repo = template.duplicate();
            if let Some(setup) = row.setup {
                setup(&repo);
            }
            repo
        };
        let name = row.path;
        // --format json, success: one JSON document.
        let repo = fresh();
        let out = run(&repo, &repo.path(), &["--format", "json"], row, row.ok, &[]);
        let what = transcript(&format!("{name} --format json"), &out);
        assert_eq!(out.status.code(), Some(row.ok_exit), "{what}");
        let document: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {what}"));
        if let Some(exit) = document.get("exit") {
            assert_eq!(exit, row.ok_exit, "{what}");
        }
        if name == "tag" {
            assert_eq!(document["tags"][0], "v0.1.1", "{what}");
            assert_eq!(document["release_commit"], false, "{what}");
        }

        // --format json, error: {"error", "hints", "exit"} with the exit code.
        let repo = fresh();
        let (args, outside): (Vec<&str>, bool) = match row.error {
            Some((args, outside)) => (args.to_vec(), outside),
            None => {
                let mut args = vec!["--config", "/nonexistent/release.toml"];
                args.extend(row.ok);
                (args, false)
            }
        };
        let dir = if outside {
            repo.root().to_owned()
        } else {
            repo.path()
        };
        let out = run(&repo, &dir, &["--format", "json"], row, &args, &[]);
        let what = transcript(&format!("{name} --format json (error)"), &out);
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code == 2 || (code == 1 && name.starts_with("hook ")),
            "{what}"
        );
        let document: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {what}"));
        assert!(document["error"].is_string(), "{what}");
        assert!(document["hints"].is_array(), "{what}");
        assert_eq!(document["exit"], code, "{what}");

        // The same error in text, coloured by CLICOLOR_FORCE…
        let out = run(&repo, &dir, &[], row, &args, &[("CLICOLOR_FORCE", "1")]);
        assert!(
            coloured(&out),
            "{}",
            transcript(&format!("{name} CLICOLOR_FORCE"), &out)
        );
        // …but not with NO_COLOR, nor with `git -c color.ui=never`.
        let out = run(
            &repo,
            &dir,
            &[],
            row,
            &args,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        );
        assert!(
            !coloured(&out),
            "{}",
            transcript(&format!("{name} NO_COLOR"), &out)
        );
        let out = run(
            &repo,
            &dir,
            &[],
            row,
            &args,
            &[
                ("CLICOLOR_FORCE", "1"),
                ("GIT_CONFIG_PARAMETERS", "'color.ui'='never'"),
            ],
        );
        assert!(
            !coloured(&out),
            "{}",
            transcript(&format!("{name} color.ui=never"), &out)
        );

        // -q: no success lines, no warnings; only what the command exists to print.
        let repo = fresh();
        let out = run(
            &repo,
            &repo.path(),
            &["-q"],
            row,
            row.ok,
            &[("NO_COLOR", "1")],
        );
        let what = transcript(&format!("{name} -q"), &out);
        assert_eq!(out.status.code(), Some(row.ok_exit), "{what}");
        assert!(out.stderr.is_empty(), "{what}");
        assert_eq!(out.stdout.is_empty(), !row.data, "{what}");
    }
}

#[test]
fn git_colour_settings_and_the_flag() {
    let repo = fixture();
    let plan = |global: &[&str], vars: &[(&str, &str)]| {
        let mut cmd = repo.command(&repo.path(), &[global, &["plan"]].concat(), &[]);
        cmd.env_remove("NO_COLOR");
        for (key, value) in vars {
            cmd.env(key, value);
        }
        coloured(&cmd.output().unwrap())
    };
    // Piped: no colour, unless git's settings or the flag say so.
    assert!(!plan(&[], &[]));
    assert!(plan(
        &[],
        &[("GIT_CONFIG_PARAMETERS", "'color.release'='always'")]
    ));
    assert!(plan(&["--color", "always"], &[]));
    // color.release wins over color.ui; the flag over both.
    let both = "'color.ui'='always' 'color.release'='never'";
    assert!(!plan(&[], &[("GIT_CONFIG_PARAMETERS", both)]));
    assert!(plan(
        &["--color=always"],
        &[("GIT_CONFIG_PARAMETERS", both)]
    ));
    // The repository's config counts too.
    repo.git(&["config", "color.ui", "always"]);
    assert!(plan(&[], &[]));
    assert!(!plan(&["--color", "never"], &[]));
    // A terminal-less TERM=dumb with CLICOLOR_FORCE still colours (forced).
    repo.git(&["config", "--unset", "color.ui"]);
    assert!(plan(&[], &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]));
}
