//! From a plan (or a past release) to text: changelogs, release notes and tag
//! messages.
//!
//! In: releases described by [`describe`] (commits of a tag range, or of a
//! plan). Out: the typed template [`context`] (with [`links`] to the hosting
//! service), rendered by the Handlebars [`templates`], and merged into the
//! changelog file by [`changelog_file`] without touching hand-written text.

pub mod changelog_file;
pub mod changelog_update;
pub mod context;
pub mod describe;
pub mod links;
pub mod record;
pub mod templates;
