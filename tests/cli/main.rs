//! End-to-end tests: real repositories in temp dirs, the real binary.

mod changelog;
#[cfg(unix)]
mod config_paths;
mod fixture;
mod fuzz;
mod gate;
mod help;
mod hooks;
mod ledger;
mod monorepo;
mod plan;
mod regressions;
mod reverts;
mod version;
