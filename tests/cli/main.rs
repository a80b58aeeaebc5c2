//! End-to-end tests: real repositories in temp dirs, the real binary.

mod attacks;
mod browser;
mod changelog;
mod config_paths;
mod detect;
mod fixture;
mod fuzz;
mod gate;
mod help;
mod hooks;
mod identity;
mod ledger;
mod monorepo;
mod plan;
mod record_durability;
mod regressions;
mod reverts;
mod site;
#[cfg(unix)]
mod tag_durability;
mod test_command;
mod version;
mod watch;
