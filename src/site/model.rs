//! What the dashboard shows, as values: environments, the next release of
//! each package, and the release history. Built by [`super::collect`],
//! rendered by [`super::html`].

use crate::gate::requirements::Requirement;
use crate::ledger::{Deploy, EnvironmentState, Status};
use crate::render::context::Release;
use crate::site::risk::Risk;

/// The whole dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The page's title.
    pub title: String,
    /// The moment the page describes, seconds since the epoch.
    pub as_of: i64,
    /// Where that moment comes from (`GIT_RELEASE_NOW`, `SOURCE_DATE_EPOCH`,
    /// or the newest event in the repository).
    pub as_of_source: String,
    /// The repository's web page, when the host is known.
    pub repository: Option<String>,
    /// Package names of a monorepo (empty for one package).
    pub packages: Vec<String>,
    /// Every environment, in promotion order.
    pub environments: Vec<Environment>,
    /// The next release of each package.
    pub next: Vec<Next>,
    /// Every release, newest first.
    pub history: Vec<HistoryRow>,
}

/// One environment.
#[derive(Debug, Clone)]
pub struct Environment {
    /// What it runs and how its last deployment went (as `status` shows it).
    pub state: EnvironmentState,
    /// Releases waiting to be promoted here.
    pub pending: Vec<Pending>,
    /// The page of the release it runs, when there is one.
    pub running_page: Option<String>,
}

/// A release waiting to be promoted to an environment.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The release.
    pub tag: String,
    /// The environments it runs in that this one requires.
    pub from: Vec<String>,
    /// What it waits for (soak time left, approvals missing); empty when ready.
    pub waits_for: Vec<String>,
}

/// The next release of one package.
#[derive(Debug, Clone)]
pub struct Next {
    /// The package.
    pub package: Option<String>,
    /// The version to release, or `None` when nothing is releasable.
    pub version: Option<String>,
    /// Its tag.
    pub tag: Option<String>,
    /// The bump.
    pub bump: String,
    /// Why this version (or why nothing).
    pub reason: String,
    /// The last release's tag.
    pub previous: Option<String>,
    /// Its commits, grouped as in the notes.
    pub release: Option<Release>,
    /// Whether the gate is met.
    pub gate_ok: bool,
    /// Where the policy was read.
    pub policy: Option<String>,
    /// Each requirement (the release window among them, if there is one).
    pub requirements: Vec<Requirement>,
    /// The risk summary.
    pub risk: Option<Risk>,
}

/// What a release's evidence says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Whether the tag carries a release record.
    pub recorded: bool,
    /// Suites that passed.
    pub tested: Vec<String>,
    /// Who approved.
    pub approved: Vec<String>,
    /// Whether every evidence record was signed.
    pub signed: bool,
    /// Whether the release is verified under its trust base's policy.
    pub trusted: bool,
}

/// One release in the history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// The package.
    pub package: Option<String>,
    /// The tag.
    pub tag: String,
    /// The version.
    pub version: String,
    /// The release date, `YYYY-MM-DD`.
    pub date: String,
    /// The release time, seconds since the epoch.
    pub timestamp: i64,
    /// Its page, relative to the site's root.
    pub page: String,
    /// The bump (from the release record, else from the versions).
    pub bump: Option<String>,
    /// Why (from the release record).
    pub reason: Option<String>,
    /// Commits in the release.
    pub commits: usize,
    /// Breaking changes.
    pub breaking: usize,
    /// Its evidence.
    pub evidence: Evidence,
    /// Its latest deployment in each environment, in promotion order.
    pub deployments: Vec<(String, Status, String)>,
}

/// One release's own page.
#[derive(Debug, Clone)]
pub struct ReleasePage<'a> {
    /// The dashboard's title.
    pub title: &'a str,
    /// The row in the history.
    pub row: &'a HistoryRow,
    /// The release as the notes describe it.
    pub release: &'a Release,
    /// Its deployment records, oldest first.
    pub deployments: &'a [&'a Deploy],
    /// The release record (the tag message).
    pub record: Option<&'a str>,
    /// The previous release's page, when there is one.
    pub previous_page: Option<String>,
}
