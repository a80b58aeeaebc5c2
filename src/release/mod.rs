//! Making a release: what the release commit contains ([`contents`]), the
//! transaction that writes it, tags it, pushes it, and undoes it all on
//! failure ([`transaction`]), and the journal that lets the next run repair
//! an interrupted one ([`journal`]).
//!
//! In: the plans of the packages due, their gate verdicts and tag messages.
//! Out: a release commit and tags, or nothing at all.

pub mod contents;
pub mod journal;
pub mod transaction;
