//! End-to-end tests: real repositories in temp dirs, the real binary.

mod action;
mod attacks;
mod browser;
mod changelog;
mod config_paths;
mod detect;
mod fixture;
mod fuzz;
mod gate;
mod global_flags;
mod help;
mod hooks;
mod identity;
mod ledger;
mod manual;
mod monorepo;
mod one_pass;
mod plan;
mod protected_branch;
mod readme;
mod record_durability;
mod regressions;
mod reverts;
mod schema;
mod site;
#[cfg(unix)]
mod tag_durability;
mod test_command;
mod version;
mod watch;
