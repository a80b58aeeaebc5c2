//! Command-line arguments (clap) and the one `match` that dispatches to the
//! commands. Clap types stop here: commands get resolved values.

pub mod commands;
pub mod context;
pub mod examples;
pub mod manual;
pub mod output;
pub mod reports;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::cli::output::{ColorChoice, Format, Output};
use crate::config::Config;
use crate::error::Outcome;
use crate::git::repo::Repo;

/// Git-native releases: the next version from Conventional Commits,
/// changelogs, and release tags gated on recorded evidence.
#[derive(Debug, Parser)]
#[command(
    name = "git-release",
    bin_name = "git release",
    version,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Flags every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
struct Global {
    /// Output format
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "GIT_RELEASE_FORMAT"
    )]
    format: Format,
    /// Configuration file [default: .release.toml at the repository root]
    #[arg(long, global = true, value_name = "FILE", env = "GIT_RELEASE_CONFIG")]
    config: Option<PathBuf>,
    /// Act on one package of a monorepo
    #[arg(long, global = true, value_name = "NAME", env = "GIT_RELEASE_PACKAGE")]
    package: Option<String>,
    /// Print only errors, and what the command exists to print (a version, notes, a script)
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Show decisions and timings on stderr (configuration, trust base, history walk)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// When to use colour [default: git's color.release, else color.ui, else auto]
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    color: ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the release plan: last release, commits in scope, next version (the default)
    Plan(PlanArgs),
    /// Print the next version (or, with --current, the last released one)
    Version(VersionArgs),
    /// Write or update the changelog file
    Changelog(commands::changelog::Args),
    /// Release notes of one release, to stdout or a file
    Notes(commands::notes::Args),
    /// Run a test command and record its result as evidence bound to the tested tree
    Test(commands::test::Args),
    /// Record an approval of a release candidate
    Approve(commands::approve::Args),
    /// Evaluate the release policy for a candidate
    Gate(commands::gate::Args),
    /// Gate, update the changelog, and create the annotated release tag
    Tag(commands::tag::Args),
    /// Check an existing release tag against the policy (for CI)
    Verify(commands::verify::Args),
    /// Exchange evidence notes with a remote (merged by line union)
    Sync(commands::sync::Args),
    /// Every release, newest first, with its evidence and deployments
    Log,
    /// One release in full: notes, record, evidence, deployments
    Show(commands::show::Args),
    /// Record a deployment of a release to an environment
    Deploy(commands::deploy::Args),
    /// Which release each environment runs, and how its last deployment went
    Status,
    /// Plan (and with --execute, run) a rollback to the last good release
    Rollback(commands::rollback::Args),
    /// Write the release dashboard: a static web site made from the repository alone
    Site(commands::site::Args),
    /// Run a health check through the soak period; record the outcome (and roll back)
    Watch(commands::watch::Args),
    /// Install or remove git hooks, and the hook entry points git calls
    #[command(subcommand)]
    Hook(commands::hook::Args),
    /// Lint commit messages as Conventional Commits
    Lint(commands::lint::Args),
    /// Write a commented .release.toml
    Init(commands::init::Args),
    /// Print or install the man pages (what `git release --help` opens)
    Man(commands::man::Args),
    /// Print the shell completion script for bash, zsh, fish or PowerShell
    Completions(commands::completions::Args),
    /// Print the JSON Schema of .release.toml (for editors and CI)
    Schema,
}

#[derive(Debug, Args)]
struct VersionArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Print the last released version instead
    #[arg(long, conflicts_with_all = ["bump", "release_as", "pre"])]
    current: bool,
}

/// The whole command-line definition, examples included: what parses the
/// arguments and what the man pages and completions are made from.
pub fn command() -> clap::Command {
    examples::attach(Cli::command())
}

/// Parses arguments and runs the command; returns the exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Usage errors and help are coloured as everything else is.
    let settings = std::cell::OnceCell::new();
    let color = output::choice(
        option_value(&args, "--color")
            .and_then(|v| clap::ValueEnum::from_str(&v, true).ok())
            .unwrap_or_default(),
        &|key| {
            settings
                .get_or_init(crate::git::settings::Settings::load)
                .get(key)
        },
    );
    let parsed = command()
        .color(match color {
            anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi => {
                clap::ColorChoice::Always
            }
            anstream::ColorChoice::Never => clap::ColorChoice::Never,
            anstream::ColorChoice::Auto => clap::ColorChoice::Auto,
        })
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let json = option_value(&args, "--format")
                .or_else(|| std::env::var("GIT_RELEASE_FORMAT").ok())
                .is_some_and(|f| f.eq_ignore_ascii_case("json"));
            let code = output::usage_error(&e, json);
            if !json {
                if let Some(hint) = misplaced_flag_hint(&e) {
                    Output::new(Format::Text, anstream::ColorChoice::Never, false, 0).say(&hint);
                }
            }
            return code;
        }
    };
    let g = &cli.global;
    let out = Output::new(g.format, color, g.quiet, g.verbose);
    let (result, out) = dispatch(&cli, out);
    let code = crate::error::exit_code(&result);
    match &result {
        Err(Error::BrokenPipe) => {}
        Err(e) => out.error(e, code),
        Ok(_) => out.finish(code),
    }
    code
}

/// The last value of a global option in raw arguments (`--opt V` or
/// `--opt=V`, before any `--`): what was asked for before clap parses.
fn option_value(args: &[OsString], option: &str) -> Option<String> {
    let mut given = None;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    let prefix = format!("{option}=");
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(value) = word.strip_prefix(&prefix) {
            given = Some(value.to_owned());
        } else if word == option {
            given = words.next().map(|v| v.into_owned());
        }
    }
    given
}

/// A plan flag given before any command (`git release --bump major`): say
/// which commands take it.
fn misplaced_flag_hint(error: &clap::Error) -> Option<String> {
    if error.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let Some(clap::error::ContextValue::String(arg)) =
        error.get(clap::error::ContextKind::InvalidArg)
    else {
        return None;
    };
    let flag = arg.split('=').next().unwrap_or(arg);
    ["--bump", "--release-as", "--pre", "--first-parent"]
        .contains(&flag)
        .then(|| {
            format!(
                "hint: `{flag}` belongs to a command: `git release plan {arg} …`, `git release version {arg} …` or `git release tag {arg} …`"
            )
        })
}

fn dispatch(cli: &Cli, out: Output) -> (Result<Outcome, Error>, Output) {
    // Commands that need no repository.
    match &cli.command {
        Some(Command::Init(args)) => return (commands::init::run(args, &out), out),
        Some(Command::Man(args)) => return (commands::man::run(args, command(), &out), out),
        Some(Command::Completions(args)) => {
            return (commands::completions::run(args, command(), &out), out);
        }
        Some(Command::Schema) => return (commands::schema::run(&out), out),
        _ => {}
    }
    let env = match open(&cli.global, out) {
        Ok(env) => env,
        Err((e, out)) => {
            // A hook entry point answers 0 or 1, and refuses what it cannot check.
            if let Some(Command::Hook(
                commands::hook::Args::PrePush(_) | commands::hook::Args::CommitMsg(_),
            )) = &cli.command
            {
                out.error(&e, 1);
                out.say("git-release: refusing, because the hook could not check this");
                return (Ok(Outcome::No), out);
            }
            return (Err(e), out);
        }
    };
    let result = match &cli.command {
        None => commands::plan::run(&PlanArgs::default(), &env),
        Some(Command::Plan(args)) => commands::plan::run(args, &env),
        Some(Command::Version(args)) => commands::version::run(&args.plan, args.current, &env),
        Some(Command::Changelog(args)) => commands::changelog::run(args, &env),
        Some(Command::Notes(args)) => commands::notes::run(args, &env),
        Some(Command::Test(args)) => commands::test::run(args, &env),
        Some(Command::Approve(args)) => commands::approve::run(args, &env),
        Some(Command::Gate(args)) => commands::gate::run(args, &env),
        Some(Command::Tag(args)) => commands::tag::run(args, &env),
        Some(Command::Verify(args)) => commands::verify::run(args, &env),
        Some(Command::Sync(args)) => commands::sync::run(args, &env),
        Some(Command::Log) => commands::log::run(&env),
        Some(Command::Show(args)) => commands::show::run(args, &env),
        Some(Command::Deploy(args)) => commands::deploy::run(args, &env),
        Some(Command::Status) => commands::status::run(&env),
        Some(Command::Rollback(args)) => commands::rollback::run(args, &env),
        Some(Command::Site(args)) => commands::site::run(args, &env),
        Some(Command::Watch(args)) => commands::watch::run(args, &env),
        Some(Command::Hook(args)) => commands::hook::run(args, &env),
        Some(Command::Lint(args)) => commands::lint::run(args, &env),
        Some(Command::Init(_) | Command::Man(_) | Command::Completions(_) | Command::Schema) => {
            Ok(Outcome::Success)
        }
    };
    (result, env.out)
}

fn open(global: &Global, out: Output) -> Result<Env, (Error, Output)> {
    let repo = match Repo::open() {
        Ok(repo) => repo,
        Err(e) => return Err((e.into(), out)),
    };
    if global.config.is_none() {
        // The repository's own `.release.toml` may be a link, but not out.
        let checked = crate::git::work_tree::WorkTree::of(&repo).and_then(|tree| match tree {
            Some(tree) => tree
                .resolve_file(
                    &format!("the configuration `{}`", crate::config::FILE_NAME),
                    std::path::Path::new(crate::config::FILE_NAME),
                )
                .map(drop),
            None => Ok(()),
        });
        if let Err(e) = checked {
            return Err((e, out));
        }
    }
    let started = std::time::Instant::now();
    let config = match Config::load(global.config.as_deref(), repo.workdir().as_deref()) {
        Ok(config) => config,
        Err(e) => return Err((e.into(), out)),
    };
    if out.verbose() {
        out.info(&context::describe_setup(
            &repo,
            global.config.as_deref(),
            started,
        ));
    }
    let packages = match crate::packages::select(&config, global.package.as_deref()) {
        Ok(packages) => packages,
        Err(e) => return Err((e, out)),
    };
    Ok(Env {
        repo,
        config,
        packages,
        one_package: global.package.is_some(),
        out,
    })
}
