//! End-to-end tests: real repositories in temp dirs, the real binary.

mod changelog;
mod durability;
mod fixture;
mod gate;
mod help;
mod hooks;
mod identity;
mod ledger;
mod monorepo;
mod plan;
mod regressions;
mod reverts;
mod version;
