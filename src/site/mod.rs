//! The release dashboard: a static, self-contained web site made from the
//! repository alone, so CI can publish it on every push.
//!
//! In: the repository (tags, release records, evidence notes), its
//! configuration, and the deployment records (read by the caller with the
//! same function `status` uses, so the two never disagree). Out: files,
//! handed to the caller one by one: `index.html` (environments, the next
//! release of each package, the release history) and one page per release
//! under `releases/`. The same history and moment give the same bytes:
//! the page's moment is pinned (`GIT_RELEASE_NOW`, `SOURCE_DATE_EPOCH`) or
//! the newest event in the repository, never the wall clock.
//!
//! [`collect`] reads the repository into the values of [`model`];
//! [`risk`] judges the next release; [`html`] renders, escaping everything.

pub mod collect;
pub mod html;
pub mod model;
pub mod risk;

use crate::Error;
use crate::site::collect::Input;
use crate::site::model::Dashboard;

/// Receives each file of the site: its path relative to the site's root
/// (`/`-separated) and its contents.
pub type Emit<'e> = &'e mut dyn FnMut(&str, &str) -> Result<(), Error>;

/// What was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Releases in the history (one page each).
    pub releases: usize,
    /// Files emitted.
    pub files: usize,
}

/// The page of a release, relative to the site's root: the tag with every
/// byte outside `[A-Za-z0-9.-]` written as `_XX` (so distinct tags get
/// distinct, portable file names).
pub fn page_path(tag: &str) -> String {
    let mut name = String::from("releases/");
    for byte in tag.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("_{byte:02X}"));
        }
    }
    name.push_str(".html");
    name
}

/// Builds the dashboard: every release page, then `index.html`.
pub fn build(input: &Input<'_>, emit: Emit<'_>) -> Result<(Dashboard, Summary), Error> {
    let mut files = 0;
    let mut counting = |path: &str, text: &str| -> Result<(), Error> {
        files += 1;
        emit(path, text)
    };
    let history = collect::history(input, &mut counting)?;
    let (as_of, as_of_source) = collect::as_of(input, &history)?;
    let next = collect::next(input, as_of)?;
    let environments = collect::environments(input, &history, as_of)?;
    let remote = collect::remote(input.repo, input.config);
    let dashboard = Dashboard {
        title: collect::title(input.repo, input.config, remote.as_ref()),
        as_of,
        as_of_source,
        repository: remote.map(|r| r.url),
        packages: if input.config.package.is_empty() {
            Vec::new()
        } else {
            input
                .packages
                .iter()
                .filter_map(|p| p.name.clone())
                .collect()
        },
        environments,
        next,
        history,
    };
    counting("index.html", &html::index(&dashboard))?;
    let summary = Summary {
        releases: dashboard.history.len(),
        files,
    };
    Ok((dashboard, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_are_portable_and_distinct() {
        assert_eq!(page_path("v1.2.0"), "releases/v1.2.0.html");
        assert_eq!(
            page_path("@scope/pkg@1.0.0"),
            "releases/_40scope_2Fpkg_401.0.0.html"
        );
        assert_ne!(page_path("a_2F"), page_path("a/"));
    }
}
