//! End-to-end tests: real repositories in temp dirs, the real binary.

mod attacks;
mod changelog;
mod config_paths;
#[cfg(unix)]
mod durability;
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
mod test_command;
mod version;
