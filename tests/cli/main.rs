//! End-to-end tests: real repositories in temp dirs, the real binary.

mod attacks;
mod browser;
mod changelog;
mod fixture;
mod gate;
mod help;
mod hooks;
mod ledger;
mod monorepo;
mod plan;
mod regressions;
mod reverts;
mod site;
mod version;
mod watch;
