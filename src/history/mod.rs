//! From commits to a release plan:
//! config → tags → [`scope`] (commits since the last release) →
//! [`change`] ([`conventional`] header + [`trailer`]s) → [`bump`] rules →
//! [`version`] arithmetic → [`plan`].
//!
//! In: a [`crate::git::repo::Repo`], the configuration and a request (the
//! candidate, overrides). Out: a [`plan::Plan`] per package: the last release
//! and why, the commits in scope with the bump each causes, the next version.
//! [`scope::find_many`] plans many packages from one walk, and [`chains`]
//! finds every package's releases for changelogs in one pass.
//! Everything but [`scope`], [`chains`] and [`plan`] is pure.

pub mod bump;
pub mod chains;
pub mod change;
pub mod conventional;
pub mod plan;
pub mod scope;
pub mod trailer;
pub mod version;
