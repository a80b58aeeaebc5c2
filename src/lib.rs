//! git-release: plan, gate and record releases from Git history.
//!
//! The pure core ([`conventional`], [`trailer`], [`version`], [`bump`],
//! [`tags`]) takes values and returns values; the edges read the repository
//! ([`repo`], [`release`]), load configuration ([`config`]) and print
//! ([`output`]). [`cli`] parses arguments and dispatches to [`commands`].

pub mod assess;
pub mod bump;
pub mod change;
pub mod changelog;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod context;
pub mod conventional;
pub mod detect;
pub mod error;
pub mod evidence;
pub mod fields;
pub mod gate;
pub mod graph;
pub mod hooks;
pub mod ledger;
pub mod links;
pub mod lint;
pub mod output;
pub mod package;
pub mod plan;
pub mod prepush;
pub mod release;
pub mod releases;
pub mod render;
pub mod repo;
pub mod signing;
pub mod tags;
pub mod trailer;
pub mod trust;
pub mod verify;
pub mod version;
pub mod version_files;
pub mod window;
pub mod writer;

pub use error::Error;

/// Runs git-release with these arguments (the first is the program name)
/// and returns the process exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli::run(args)
}
