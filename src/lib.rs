//! git-release: plan, gate and record releases from Git history.
//!
//! The crate is laid out by stage, in the order data flows:
//!
//! - [`config`]: `.release.toml`, loaded and validated;
//! - [`git`]: the repository edge, the only reader of history and the only
//!   writer of refs, notes and files; tag templates;
//! - [`history`]: config → tags → scope → changes → bump → plan;
//! - [`render`]: release descriptions, the template context, changelogs,
//!   notes and tag messages;
//! - [`gate`]: trust base → policy → evidence → requirements → verdict, and
//!   the verification of release tags;
//! - [`release`]: what a release commit contains and the transaction that
//!   writes it, tags it and undoes it on failure;
//! - [`packages`]: monorepo packages, their detection and version files;
//! - [`ledger`]: deployments and rollbacks;
//! - [`interrupt`]: SIGINT, SIGTERM and SIGHUP deferred while writing;
//! - [`site`]: the release dashboard, a static web site;
//! - [`watch`]: post-release monitoring, a health check through a soak period;
//! - [`hooks`]: git hooks, the pre-push protocol, commit lint;
//! - [`cli`]: arguments, the output layer and one thin adapter per command.
//!
//! Arrows run downward: `cli` uses everything, nothing uses `cli`; the pure
//! cores (conventional parsing, trailers, versions, bump rules, requirements,
//! windows) use no git, no file system and no clock.

pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod gate;
pub mod git;
pub mod history;
pub mod hooks;
pub mod interrupt;
pub mod ledger;
pub mod packages;
pub mod release;
pub mod render;
pub mod site;
pub mod watch;

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
