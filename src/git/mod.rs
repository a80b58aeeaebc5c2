//! The repository edge: the only code that reads history and the only code
//! that changes refs, notes and files.
//!
//! In: a path (or `GIT_DIR`) and object ids. Out: raw commits and tags for
//! [`crate::history`], and, through [`writer`], new objects, notes and refs.
//! [`tags`] turns tag names into versions through tag templates; it reads
//! nothing itself. [`work_tree`] keeps the files the configuration names
//! inside the work tree; [`isolated_checkout`] makes the temporary checkout
//! `test --isolated` runs in.

pub mod changed_paths;
pub mod commit_graph;
pub mod identity;
pub mod isolated_checkout;
pub mod repo;
pub mod settings;
pub mod tags;
pub mod work_tree;
pub mod writer;
