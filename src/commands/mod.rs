//! One module per subcommand, each with its arguments and a `run` function.

pub mod changelog;
pub mod init;
pub mod notes;
pub mod plan;
pub mod version;
