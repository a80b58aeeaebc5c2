//! The release gate, in the order the decision is made:
//!
//! 1. [`trust_base`]: which revision's configuration is trusted for a
//!    candidate (never the candidate's own);
//! 2. [`policy`]: the `[gate]` rules read from it, with the release
//!    [`window`];
//! 3. [`evidence`]: test and approval records from git notes (their field
//!    syntax in [`record_fields`], their order in [`record_order`]), and
//!    their SSH [`signatures`] checked against the trusted
//!    `allowed_signers`;
//! 4. [`requirements`]: the policy evaluated against the evidence, one
//!    requirement at a time (pure);
//! 5. [`verdict`]: all of the above for one candidate, shared by `plan`,
//!    `gate`, `tag`, `verify` and the pre-push hook; [`verify_tag`] applies it
//!    to an existing release tag as CI does.

pub mod evidence;
pub mod policy;
pub mod record_fields;
pub mod record_order;
pub mod recording;
pub mod requirements;
pub mod signatures;
pub mod trust_base;
pub mod verdict;
pub mod verify_tag;
pub mod window;
