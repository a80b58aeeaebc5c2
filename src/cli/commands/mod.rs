//! One module per subcommand, each with its arguments and a `run` function.

pub mod approve;
pub mod changelog;
pub mod completions;
pub mod deploy;
pub mod gate;
pub mod hook;
pub mod init;
pub mod lint;
pub mod log;
pub mod man;
pub mod notes;
pub mod plan;
pub mod rollback;
pub mod schema;
pub mod show;
pub mod site;
pub mod status;
pub mod sync;
pub mod tag;
pub mod test;
pub mod verify;
pub mod version;
pub mod watch;
