//! Making a release: what the release commit contains ([`contents`]) and
//! the transaction that writes it, tags it, pushes it, and undoes it all on
//! failure ([`transaction`]).
//!
//! In: the plans of the packages due, their gate verdicts and tag messages.
//! Out: a release commit and tags, or nothing at all.

pub mod contents;
pub mod transaction;
