//! The template context: one documented, serializable structure describing a
//! release for the changelog, release notes and tag message templates. Pure:
//! built from changes and settings, no repository access.
//!
//! Every field is listed in `docs/template-context.md`.

use regex::Regex;
use serde::Serialize;

use crate::history::bump::{self, Rules};
use crate::history::change::{Change, Person};
use crate::history::trailer::Trailer;
use crate::render::links::{self, Reference, Remote};

/// One release as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    /// The package, or `null` for the whole repository.
    pub package: Option<String>,
    /// The version, without prefix (`1.3.0`).
    pub version: String,
    /// The tag (`v1.3.0`).
    pub tag: String,
    /// The previous release's version, or `null` for the first release.
    pub previous_version: Option<String>,
    /// The previous release's tag.
    pub previous_tag: Option<String>,
    /// The release date as `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The release date in seconds since the epoch.
    pub timestamp: i64,
    /// Whether the version is a pre-release.
    pub prerelease: bool,
    /// Whether the release is not tagged yet.
    pub unreleased: bool,
    /// Commits by changelog section, in configured order; empty sections left out.
    pub sections: Vec<Section>,
    /// Breaking changes with their descriptions.
    pub breaking_changes: Vec<Breaking>,
    /// Every commit shown in the sections, newest first.
    pub commits: Vec<Commit>,
    /// Authors of the release's commits, most commits first, de-duplicated.
    pub contributors: Vec<Contributor>,
    /// Counts.
    pub statistics: Statistics,
    /// Links on the hosting service, when known.
    pub links: ReleaseLinks,
    /// Extra lines for the notes (dependency updates in monorepos and the like).
    pub notes: Vec<String>,
}

/// A changelog section.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Its heading (`Features`).
    pub title: String,
    /// Its commits, newest first.
    pub commits: Vec<Commit>,
}

/// A breaking change.
#[derive(Debug, Clone, Serialize)]
pub struct Breaking {
    /// The scope of the commit, if any.
    pub scope: Option<String>,
    /// What breaks: the `BREAKING CHANGE:` text, or the description when only `!` marks it.
    pub description: String,
    /// The commit.
    pub commit: Commit,
}

/// One commit.
#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    /// Full id.
    pub id: String,
    /// Seven-character id.
    pub short_id: String,
    /// Conventional type, lower-cased (`null` if not conventional).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Scope.
    pub scope: Option<String>,
    /// The description (the header after `type(scope): `), or the summary.
    pub description: String,
    /// The description in Markdown, with `#123` references linked to the
    /// hosting service when it is known (the built-in templates use it).
    pub description_md: String,
    /// The first line of the message.
    pub summary: String,
    /// The body (between header and footers), if any.
    pub body: Option<String>,
    /// Whether it is a breaking change.
    pub breaking: bool,
    /// The breaking change's description, if breaking.
    pub breaking_description: Option<String>,
    /// Git trailers.
    pub trailers: Vec<Trailer>,
    /// The author.
    pub author: Person,
    /// Author date, `YYYY-MM-DD`.
    pub date: String,
    /// Author date, seconds since the epoch.
    pub timestamp: i64,
    /// The commit's page, when the host is known.
    pub url: Option<String>,
    /// Issue and pull-request references (`#123`, `Closes #123`).
    pub references: Vec<Reference>,
}

/// A contributor.
#[derive(Debug, Clone, Serialize)]
pub struct Contributor {
    /// The name (after `.mailmap`).
    pub name: String,
    /// The e-mail address.
    pub email: String,
    /// How many of the release's commits they authored.
    pub commits: usize,
}

/// Counts for one release.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Statistics {
    /// Commits in scope, merges excluded.
    pub commits: usize,
    /// Commits shown in sections.
    pub shown: usize,
    /// Conventional commits.
    pub conventional: usize,
    /// Commits that are not Conventional Commits.
    pub non_conventional: usize,
    /// Breaking changes.
    pub breaking: usize,
    /// `feat` commits.
    pub features: usize,
    /// `fix` commits.
    pub fixes: usize,
    /// Merge commits.
    pub merges: usize,
    /// Commits reverted within the release (and their reverts).
    pub reverted: usize,
    /// Days since the previous release, if there is one.
    pub days_since_previous: Option<i64>,
}

/// Release-level links.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReleaseLinks {
    /// The repository's web page.
    pub repository: Option<String>,
    /// The comparison with the previous release.
    pub compare: Option<String>,
    /// The tag's page.
    pub tag: Option<String>,
}

/// Everything needed to describe one release.
pub struct Input<'a> {
    /// The package name.
    pub package: Option<String>,
    /// The version.
    pub version: String,
    /// The tag.
    pub tag: String,
    /// The previous release (version, tag, date).
    pub previous: Option<(String, String, i64)>,
    /// Release time, seconds since the epoch.
    pub timestamp: i64,
    /// Whether it is not tagged yet.
    pub unreleased: bool,
    /// The changes, newest first.
    pub changes: &'a [Change],
    /// Bump rules (types, sections, merges).
    pub rules: &'a Rules,
    /// Section order by title, when configured; else the types' order.
    pub section_order: &'a [String],
    /// The section for commits of types no rule knows (`[changelog] other`);
    /// `None` leaves them out.
    pub other_section: Option<&'a str>,
    /// Commits whose summary matches one of these are left out.
    pub exclude: &'a [Regex],
    /// The hosting service, for links.
    pub remote: Option<&'a Remote>,
}

/// Formats seconds since the epoch as `YYYY-MM-DD` in UTC.
pub fn ymd(timestamp: i64) -> String {
    jiff::Timestamp::from_second(timestamp)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| "1970-01-01".to_owned())
}

/// Builds the context of one release.
pub fn build(input: &Input<'_>) -> Release {
    let effects = bump::effects(input.changes, input.rules);
    let mut statistics = Statistics::default();
    let mut commits = Vec::new();
    let mut breaking_changes = Vec::new();
    let mut by_type: Vec<(String, usize)> = Vec::new();
    let mut others: Vec<usize> = Vec::new();
    let mut contributors: Vec<Contributor> = Vec::new();

    for (change, effect) in input.changes.iter().zip(&effects) {
        if change.merge {
            statistics.merges += 1;
            if !input.rules.merges_count {
                continue;
            }
        }
        statistics.commits += 1;
        let conventional = change.conventional.as_ref().ok();
        if conventional.is_some() {
            statistics.conventional += 1;
        } else {
            statistics.non_conventional += 1;
        }
        if effect.cancelled_by.is_some() || effect.cancels.is_some() {
            statistics.reverted += 1;
            continue;
        }
        if input.exclude.iter().any(|re| re.is_match(&change.summary)) {
            continue;
        }
        let commit = to_commit(change, input.remote);
        match contributors
            .iter_mut()
            .find(|c| c.email.eq_ignore_ascii_case(&change.author.email))
        {
            Some(c) => c.commits += 1,
            None => contributors.push(Contributor {
                name: change.author.name.clone(),
                email: change.author.email.clone(),
                commits: 1,
            }),
        }
        if let Some(description) = commit.breaking_description.clone() {
            statistics.breaking += 1;
            breaking_changes.push(Breaking {
                scope: commit.scope.clone(),
                description,
                commit: commit.clone(),
            });
        }
        let kind = match (&commit.kind, &change.revert) {
            (Some(kind), _) => kind.clone(),
            (None, Some(_)) => "revert".to_owned(),
            (None, None) => continue,
        };
        match kind.as_str() {
            "feat" => statistics.features += 1,
            "fix" => statistics.fixes += 1,
            _ => {}
        }
        let shown = input
            .rules
            .types
            .get(&kind)
            .is_some_and(|rule| rule.section.is_some() && !rule.hidden);
        if shown {
            by_type.push((kind, commits.len()));
            commits.push(commit);
        } else if input.other_section.is_some() && !input.rules.types.contains_key(&kind) {
            others.push(commits.len());
            commits.push(commit);
        } else if commit.breaking {
            commits.push(commit);
        }
    }
    statistics.shown = commits.len();
    contributors.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));

    // Sections: configured titles first, then the types' own order.
    let mut titles: Vec<String> = input.section_order.to_vec();
    for rule in input.rules.types.values() {
        if let Some(title) = &rule.section {
            if !rule.hidden && !titles.contains(title) {
                titles.push(title.clone());
            }
        }
    }
    let sections = titles
        .into_iter()
        .filter_map(|title| {
            let section: Vec<Commit> = by_type
                .iter()
                .filter(|(kind, _)| {
                    input.rules.types.get(kind).and_then(|r| r.section.as_ref()) == Some(&title)
                })
                .map(|(_, i)| commits[*i].clone())
                .collect();
            (!section.is_empty()).then_some(Section {
                title,
                commits: section,
            })
        })
        .chain(
            input
                .other_section
                .filter(|_| !others.is_empty())
                .map(|title| Section {
                    title: title.to_owned(),
                    commits: others.iter().map(|i| commits[*i].clone()).collect(),
                }),
        )
        .collect();

    let (previous_version, previous_tag) = match &input.previous {
        Some((version, tag, date)) => {
            statistics.days_since_previous = Some((input.timestamp - date).max(0) / 86_400);
            (Some(version.clone()), Some(tag.clone()))
        }
        None => (None, None),
    };
    let links = ReleaseLinks {
        repository: input.remote.map(|r| r.url.clone()),
        compare: match (&previous_tag, input.remote) {
            (Some(prev), Some(remote)) => Some(remote.compare(prev, &input.tag)),
            _ => None,
        },
        tag: input
            .remote
            .filter(|_| !input.unreleased)
            .map(|r| r.tag(&input.tag)),
    };
    Release {
        package: input.package.clone(),
        prerelease: semver::Version::parse(&input.version).is_ok_and(|v| !v.pre.is_empty()),
        version: input.version.clone(),
        tag: input.tag.clone(),
        previous_version,
        previous_tag,
        date: ymd(input.timestamp),
        timestamp: input.timestamp,
        unreleased: input.unreleased,
        sections,
        breaking_changes,
        commits,
        contributors,
        statistics,
        links,
        notes: Vec::new(),
    }
}

fn to_commit(change: &Change, remote: Option<&Remote>) -> Commit {
    let conventional = change.conventional.as_ref().ok();
    let mut references = links::references(&change.summary, remote);
    if let Some(c) = conventional {
        let footers: String = c
            .footers
            .iter()
            .map(|f| format!("{}{}{}\n", f.token, f.separator, f.value))
            .collect();
        for r in links::references(&footers, remote) {
            if !references.iter().any(|x| x.number == r.number) {
                references.push(r);
            }
        }
    }
    let description =
        conventional.map_or_else(|| change.summary.clone(), |c| c.description.clone());
    Commit {
        id: change.id.clone(),
        short_id: change.short_id().to_owned(),
        kind: conventional.map(|c| c.kind.clone()),
        scope: conventional.and_then(|c| c.scope.clone()),
        description_md: links::link_references(&description, remote),
        description,
        summary: change.summary.clone(),
        body: match conventional {
            Some(c) => c.body.clone(),
            None => {
                let rest = change
                    .message
                    .split_once('\n')
                    .map_or("", |(_, r)| r)
                    .trim();
                (!rest.is_empty()).then(|| rest.to_owned())
            }
        },
        breaking: change.is_breaking(),
        breaking_description: conventional.and_then(|c| c.breaking_description()),
        trailers: change.trailers.clone(),
        author: change.author.clone(),
        date: ymd(change.time),
        timestamp: change.time,
        url: remote.map(|r| r.commit(&change.id)),
        references,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ZeroRules, default_types};

    fn change(i: usize, message: &str, email: &str) -> Change {
        Change::new(
            format!("{:040x}", i + 1),
            message.as_bytes(),
            Person {
                name: email.split('@').next().unwrap_or("").to_owned(),
                email: email.to_owned(),
            },
            1_700_000_000 + i as i64,
            false,
        )
    }

    fn rules() -> Rules {
        Rules {
            types: default_types(),
            zero: ZeroRules::default(),
            strict: false,
            initial_version: semver::Version::new(0, 1, 0),
            merges_count: false,
        }
    }

    #[test]
    fn sections_breaking_contributors() {
        let changes = vec![
            change(0, "fix(api): b (#12)", "bea@x"),
            change(1, "docs: hidden", "ada@x"),
            change(
                2,
                "feat!: a\n\nBREAKING CHANGE: old flag removed\n\nCloses #3",
                "ada@x",
            ),
            change(3, "chore(release): v1.0.0", "ada@x"),
            change(4, "random words", "ada@x"),
            change(5, "chore!: drop node 16", "Ada@X"),
        ];
        let remote = Remote::from_url("git@github.com:o/r.git", None).unwrap();
        let exclude = [Regex::new(r"^chore\(release\)").unwrap()];
        let rules = rules();
        let release = build(&Input {
            package: None,
            version: "2.0.0".into(),
            tag: "v2.0.0".into(),
            previous: Some(("1.0.0".into(), "v1.0.0".into(), 1_699_000_000)),
            timestamp: 1_700_000_000,
            unreleased: false,
            changes: &changes,
            rules: &rules,
            section_order: &[],
            other_section: None,
            exclude: &exclude,
            remote: Some(&remote),
        });
        let titles: Vec<&str> = release.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Features", "Bug Fixes"]);
        assert_eq!(release.breaking_changes.len(), 2);
        assert_eq!(release.breaking_changes[0].description, "old flag removed");
        assert_eq!(release.breaking_changes[1].description, "drop node 16");
        assert_eq!(release.contributors[0].email, "ada@x");
        assert_eq!(release.contributors[0].commits, 4);
        assert_eq!(release.statistics.non_conventional, 1);
        assert_eq!(release.statistics.days_since_previous, Some(11));
        assert_eq!(
            release.links.compare.as_deref(),
            Some("https://github.com/o/r/compare/v1.0.0...v2.0.0")
        );
        let feat = &release.sections[0].commits[0];
        assert_eq!(feat.references[0].action.as_deref(), Some("closes"));
        assert_eq!(release.sections[1].commits[0].references[0].number, 12);
        assert_eq!(release.date, "2023-11-14");
    }

    #[test]
    fn unknown_types_go_to_the_other_section_when_asked() {
        let changes = vec![
            change(0, "rt: faster", "a@x"),
            change(1, "feat: a", "a@x"),
            change(2, "docs: quiet", "a@x"),
        ];
        let rules = rules();
        let input = |other| Input {
            package: None,
            version: "1.1.0".into(),
            tag: "v1.1.0".into(),
            previous: None,
            timestamp: 0,
            unreleased: true,
            changes: &changes,
            rules: &rules,
            section_order: &[],
            other_section: other,
            exclude: &[],
            remote: None,
        };
        let with = build(&input(Some("Other changes")));
        let last = with.sections.last().unwrap();
        assert_eq!(last.title, "Other changes");
        assert_eq!(
            last.commits.len(),
            1,
            "known types without a section stay out"
        );
        assert_eq!(last.commits[0].description, "faster");
        let without = build(&input(None));
        assert!(without.sections.iter().all(|s| s.title != "Other changes"));
    }

    #[test]
    fn configured_order_wins() {
        let changes = vec![change(0, "fix: b", "a@x"), change(1, "feat: a", "a@x")];
        let rules = rules();
        let release = build(&Input {
            package: None,
            version: "1.1.0".into(),
            tag: "v1.1.0".into(),
            previous: None,
            timestamp: 0,
            unreleased: true,
            changes: &changes,
            rules: &rules,
            section_order: &["Bug Fixes".to_owned()],
            other_section: None,
            exclude: &[],
            remote: None,
        });
        let titles: Vec<&str> = release.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Bug Fixes", "Features"]);
        assert!(release.links.compare.is_none());
    }
}
