//! Git hooks: installing them ([`install`]), the pre-push protocol
//! ([`pre_push`]: which pushed refs are release tags and what they point
//! to), and Conventional Commits [`lint`] for commit-msg and ranges.
//!
//! In: the repository, git's hook arguments and stdin, commit messages.
//! Out: decisions (allow or refuse, with reasons); the commands print them.

pub mod install;
pub mod lint;
pub mod pre_push;
