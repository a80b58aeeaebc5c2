//! The bump decision: which bump each commit causes, how reverts cancel,
//! the 0.x policy, overrides, and the next version with its reason. Pure.

use indexmap::IndexMap;
use semver::Version;
use serde::Serialize;

use crate::config::{TypeRule, ZeroRules};
use crate::history::change::Change;
use crate::history::conventional::strip_squash_suffix;
use crate::history::version::{self, Bump};

/// The rules a decision follows, from configuration.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Type → bump and section.
    pub types: IndexMap<String, TypeRule>,
    /// The 0.x policy.
    pub zero: ZeroRules,
    /// Non-conventional commits are an error.
    pub strict: bool,
    /// The first release's version.
    pub initial_version: Version,
    /// Merge commits are units of change (first-parent mode).
    pub merges_count: bool,
}

/// What the user asked for explicitly.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--bump`.
    pub bump: Option<Bump>,
    /// `--release-as`.
    pub release_as: Option<Version>,
    /// `--pre LABEL`.
    pub pre: Option<String>,
}

/// What one commit does to the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitEffect {
    /// The bump it causes.
    pub bump: Bump,
    /// Why, in a few words ("feature", "breaking change", "merge commit", …).
    pub why: String,
    /// The id of the commit in scope that reverts this one.
    pub cancelled_by: Option<String>,
    /// The id of the commit in scope this one reverts (and so cancels).
    pub cancels: Option<String>,
    /// For a cancelled pair (either side): how the revert was matched to
    /// the commit it reverts.
    pub matched_by: Option<RevertMatch>,
}

/// How a revert was matched to the commit it reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevertMatch {
    /// The revert's body names the commit (`This reverts commit <id>.`).
    Id,
    /// The revert quotes the commit's header (squash suffixes such as
    /// ` (#9)` ignored on both sides); the newest earlier commit in scope
    /// with that header is taken.
    Header,
}

impl RevertMatch {
    /// The rule in a few words, for `plan`.
    pub fn describe(self) -> &'static str {
        match self {
            RevertMatch::Id => "matched by commit id",
            RevertMatch::Header => "matched by quoted header",
        }
    }
}

/// The decision for one release.
#[derive(Debug, Clone)]
pub struct Decision {
    /// One effect per change, in the order given.
    pub effects: Vec<CommitEffect>,
    /// The bump applied to the previous version (after the 0.x policy and overrides).
    pub bump: Bump,
    /// The next version, or `None` when nothing is releasable.
    pub next: Option<Version>,
    /// Why this version, in one sentence.
    pub reason: String,
    /// Indexes of changes that are not Conventional Commits.
    pub non_conventional: Vec<usize>,
}

/// Why no decision can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BumpError {
    /// `strict = true` and some commits are not conventional.
    #[error("{count} commit(s) in scope are not Conventional Commits: {list}")]
    NotConventional {
        /// How many.
        count: usize,
        /// The first few, `short-id summary`.
        list: String,
    },
    /// `--release-as` or `Release-As:` is not above the previous release.
    #[error(
        "the requested version {requested}{source_note} is not greater than the last release {previous}"
    )]
    NotGreater {
        /// The version asked for.
        requested: Version,
        /// Where it came from.
        source_note: String,
        /// The last release.
        previous: Version,
    },
    /// A `Release-As:` value that is not a version.
    #[error("commit {commit} has `Release-As: {value}`, which is not a semantic version")]
    BadReleaseAs {
        /// The commit.
        commit: String,
        /// The value.
        value: String,
    },
    /// A pre-release of an already released version.
    #[error("{version} is already released as `{tag}`, so there can be no pre-release of it")]
    AlreadyReleased {
        /// The base version.
        version: Version,
        /// Its tag.
        tag: String,
    },
    /// An invalid label.
    #[error("{0}")]
    BadLabel(String),
}

impl BumpError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            BumpError::NotConventional { .. } => vec![
                "reword the commits (`git rebase -i`) as `type(scope): description`, or set `strict = false` under `[commits]`".to_owned(),
            ],
            BumpError::NotGreater { .. } => vec![
                "ask for a version above the last release, or drop `--release-as` / the `Release-As:` trailer".to_owned(),
            ],
            BumpError::BadReleaseAs { .. } => {
                vec!["write the trailer as `Release-As: 2.0.0`".to_owned()]
            }
            BumpError::AlreadyReleased { .. } => vec![
                "make a final release with a higher version instead, or add a change that bumps the version".to_owned(),
            ],
            BumpError::BadLabel(_) => vec!["use `--pre rc`, `--pre beta` or `--pre alpha`".to_owned()],
        }
    }
}

/// The effect of each change, with reverts in scope cancelling each other.
///
/// A revert is matched to its target by id when its body names one (`This
/// reverts commit <id>.`), otherwise by the header it quotes, against the
/// newest earlier commit in scope with that header that nothing has
/// cancelled yet. A revert that matches nothing in scope reverts something
/// already released and is a change of its own.
pub fn effects(changes: &[Change], rules: &Rules) -> Vec<CommitEffect> {
    let mut effects: Vec<CommitEffect> = changes.iter().map(|c| effect(c, rules)).collect();
    // Oldest first, so a revert of a revert restores the original.
    for i in (0..changes.len()).rev() {
        let Some(revert) = changes[i].revert.as_ref() else {
            continue;
        };
        if effects[i].cancelled_by.is_some() {
            continue;
        }
        let found = match (&revert.target, &revert.header) {
            (Some(target), _) => {
                let target = target.to_ascii_lowercase();
                changes
                    .iter()
                    .position(|c| c.id.starts_with(&target))
                    .filter(|&j| j != i)
                    .map(|j| (j, RevertMatch::Id))
            }
            (None, Some(header)) => {
                let wanted = strip_squash_suffix(header.trim());
                (i + 1..changes.len())
                    .find(|&j| {
                        effects[j].cancelled_by.is_none()
                            && strip_squash_suffix(changes[j].summary.trim()) == wanted
                    })
                    .map(|j| (j, RevertMatch::Header))
            }
            (None, None) => None,
        };
        let Some((j, matched_by)) = found else {
            continue;
        };
        // If the target was itself a revert that cancelled something, that
        // something stands again.
        if let Some(restored) = effects[j].cancels.take() {
            if let Some(k) = changes.iter().position(|c| c.id == restored) {
                effects[k] = effect(&changes[k], rules);
            }
        }
        let (revert_id, target_id) = (changes[i].id.clone(), changes[j].id.clone());
        let rule = matched_by.describe();
        effects[j] = CommitEffect {
            bump: Bump::None,
            why: format!(
                "reverted by {}, {rule}",
                &revert_id[..7.min(revert_id.len())]
            ),
            cancelled_by: Some(revert_id),
            cancels: None,
            matched_by: Some(matched_by),
        };
        effects[i] = CommitEffect {
            bump: Bump::None,
            why: format!(
                "reverts {} in the same release, {rule}",
                &target_id[..7.min(target_id.len())]
            ),
            cancelled_by: None,
            cancels: Some(target_id),
            matched_by: Some(matched_by),
        };
    }
    effects
}

fn effect(change: &Change, rules: &Rules) -> CommitEffect {
    let plain = |bump: Bump, why: String| CommitEffect {
        bump,
        why,
        cancelled_by: None,
        cancels: None,
        matched_by: None,
    };
    if change.merge && !rules.merges_count {
        return plain(Bump::None, "merge commit (its commits count)".to_owned());
    }
    if change.breaking_footer().is_some() {
        return plain(
            Bump::Major,
            "breaking change (a `BREAKING CHANGE:` footer; the header is not a Conventional Commit)"
                .to_owned(),
        );
    }
    if change.is_breaking() {
        return plain(Bump::Major, "breaking change".to_owned());
    }
    let kind = match (change.kind(), &change.revert) {
        (Some(kind), _) => kind.to_owned(),
        (None, Some(_)) => "revert".to_owned(),
        (None, None) => return plain(Bump::None, "not a conventional commit".to_owned()),
    };
    match rules.types.get(&kind) {
        Some(rule) if rule.bump != Bump::None => {
            plain(rule.bump, format!("`{kind}` bumps {}", rule.bump))
        }
        Some(_) => plain(Bump::None, format!("`{kind}` does not bump")),
        None => plain(Bump::None, format!("unknown type `{kind}` does not bump")),
    }
}

/// Decides the next version from the last final release (if any), the
/// changes since it, all existing versions of this tag template (for
/// pre-release numbering) and the user's overrides.
pub fn decide(
    previous: Option<(&Version, &str)>,
    changes: &[Change],
    existing: &[(Version, String)],
    rules: &Rules,
    overrides: &Overrides,
) -> Result<Decision, BumpError> {
    let effects = effects(changes, rules);
    let non_conventional: Vec<usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !c.is_conventional()
                && c.revert.is_none()
                && (!c.merge || rules.merges_count)
                && (rules.strict || c.breaking_footer().is_none())
        })
        .map(|(i, _)| i)
        .collect();
    if rules.strict && !non_conventional.is_empty() {
        let list = non_conventional
            .iter()
            .take(5)
            .map(|&i| format!("{} `{}`", changes[i].short_id(), changes[i].summary))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(BumpError::NotConventional {
            count: non_conventional.len(),
            list,
        });
    }

    let strongest = effects
        .iter()
        .enumerate()
        .max_by_key(|(i, e)| (e.bump, std::cmp::Reverse(*i)))
        .filter(|(_, e)| e.bump != Bump::None);
    let raw = strongest.map_or(Bump::None, |(_, e)| e.bump);
    let cause = strongest
        .map(|(i, e)| {
            format!(
                "{} `{}` ({})",
                changes[i].short_id(),
                changes[i].summary,
                e.why
            )
        })
        .unwrap_or_default();

    // Explicit versions first: the flag, then the newest Release-As in scope.
    let mut release_as = overrides
        .release_as
        .clone()
        .map(|v| (v, " (from --release-as)".to_owned()));
    if release_as.is_none() {
        for change in changes {
            if let Some(value) = change.release_as() {
                let v = Version::parse(value.trim_start_matches('v')).map_err(|_| {
                    BumpError::BadReleaseAs {
                        commit: change.short_id().to_owned(),
                        value: value.to_owned(),
                    }
                })?;
                release_as = Some((v, format!(" (from `Release-As:` in {})", change.short_id())));
                break;
            }
        }
    }

    let (bump, base, reason) = match (previous, release_as) {
        (prev, Some((requested, note))) => {
            if let Some((prev, _)) = prev {
                if requested <= *prev {
                    return Err(BumpError::NotGreater {
                        requested,
                        source_note: note,
                        previous: prev.clone(),
                    });
                }
            }
            let bump = prev.map_or(Bump::None, |(p, _)| implied_bump(p, &requested));
            let reason = format!("{requested} requested{note}");
            (bump, Some(requested), reason)
        }
        (None, None) => {
            if changes.is_empty() {
                (Bump::None, None, "no commits".to_owned())
            } else {
                let v = rules.initial_version.clone();
                (
                    Bump::None,
                    Some(v.clone()),
                    format!("first release: `initial-version` is {v}"),
                )
            }
        }
        (Some((prev, tag)), None) => {
            let (bump, reason) = match overrides.bump {
                Some(bump) => (bump, format!("{bump} requested with --bump")),
                None if raw == Bump::None => (
                    Bump::None,
                    format!("no commit since {tag} bumps the version"),
                ),
                None if prev.major == 0 => {
                    let applied = rules.zero.apply(raw);
                    let note = if applied == raw {
                        String::new()
                    } else {
                        format!(
                            ", applied as {applied} while the major version is 0 (commits.initial-development.{raw})"
                        )
                    };
                    (applied, format!("{raw} because of {cause}{note}"))
                }
                None => (raw, format!("{raw} because of {cause}")),
            };
            let base = (bump != Bump::None).then(|| version::apply(prev, bump));
            (bump, base, reason)
        }
    };

    let next = match (base, &overrides.pre) {
        (Some(base), Some(label)) => {
            version::validate_label(label).map_err(BumpError::BadLabel)?;
            let final_base = Version::new(base.major, base.minor, base.patch);
            if let Some((_, tag)) = existing.iter().find(|(v, _)| {
                v.pre.is_empty()
                    && v.major == base.major
                    && v.minor == base.minor
                    && v.patch == base.patch
            }) {
                return Err(BumpError::AlreadyReleased {
                    version: final_base,
                    tag: tag.clone(),
                });
            }
            let next = version::next_pre(&final_base, label, existing.iter().map(|(v, _)| v))
                .map_err(|e| BumpError::BadLabel(e.to_string()))?;
            Some(next)
        }
        (base, _) => base,
    };

    Ok(Decision {
        effects,
        bump,
        next,
        reason,
        non_conventional,
    })
}

/// The bump that takes `from` to `to`.
fn implied_bump(from: &Version, to: &Version) -> Bump {
    if to.major != from.major {
        Bump::Major
    } else if to.minor != from.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_types;
    use crate::history::change::Person;

    fn rules() -> Rules {
        Rules {
            types: default_types(),
            zero: ZeroRules::default(),
            strict: false,
            initial_version: Version::new(0, 1, 0),
            merges_count: false,
        }
    }

    fn changes(messages: &[&str]) -> Vec<Change> {
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let person = Person {
                    name: "A".into(),
                    email: "a@x".into(),
                };
                Change::new(format!("{:040x}", i + 1), m.as_bytes(), person, 0, false)
            })
            .collect()
    }

    fn next(previous: Option<&str>, messages: &[&str], overrides: &Overrides) -> Option<String> {
        let prev = previous.map(|p| Version::parse(p).unwrap());
        let existing: Vec<(Version, String)> =
            prev.iter().map(|v| (v.clone(), format!("v{v}"))).collect();
        decide(
            prev.as_ref().map(|v| (v, "vX")),
            &changes(messages),
            &existing,
            &rules(),
            overrides,
        )
        .unwrap()
        .next
        .map(|v| v.to_string())
    }

    #[test]
    fn table() {
        // (previous, messages newest first, expected next)
        let rows: &[(Option<&str>, &[&str], Option<&str>)] = &[
            (None, &["chore: init"], Some("0.1.0")),
            (None, &[], None),
            (Some("1.2.3"), &["fix: a"], Some("1.2.4")),
            (Some("1.2.3"), &["feat: a", "fix: b"], Some("1.3.0")),
            (Some("1.2.3"), &["feat!: a", "fix: b"], Some("2.0.0")),
            (
                Some("1.2.3"),
                &["fix: a\n\nBREAKING CHANGE: gone"],
                Some("2.0.0"),
            ),
            (Some("1.2.3"), &["FEAT: shouty"], Some("1.3.0")),
            // Leading blanks before the type, as semantic-release accepts.
            (Some("1.2.3"), &[" feat: indented"], Some("1.3.0")),
            // A breaking-change footer under a header that does not parse.
            (
                Some("1.2.3"),
                &["v9 (#639)\n\nBREAKING CHANGE: the flag is gone"],
                Some("2.0.0"),
            ),
            (Some("0.4.0"), &["v9\n\nBREAKING-CHANGE: x"], Some("0.5.0")),
            (
                Some("1.2.3"),
                &["v9 (#639)\n\nnot BREAKING CHANGE: x"],
                None,
            ),
            (Some("1.2.3"), &["perf: faster"], Some("1.2.4")),
            (Some("1.2.3"), &["docs: a", "chore: b", "refactor: c"], None),
            (Some("1.2.3"), &["update readme"], None),
            (Some("0.3.1"), &["feat!: a"], Some("0.4.0")),
            (Some("0.3.1"), &["feat: a"], Some("0.4.0")),
            (Some("0.3.1"), &["fix: a"], Some("0.3.2")),
            (
                Some("1.0.0"),
                &["fix: b\n\nRelease-As: 3.0.0"],
                Some("3.0.0"),
            ),
            (Some("1.0.0"), &["custom: b"], None),
        ];
        for (prev, messages, expected) in rows {
            let got = next(*prev, messages, &Overrides::default());
            assert_eq!(got.as_deref(), *expected, "{prev:?} {messages:?}");
        }
    }

    #[test]
    fn reverts_cancel_within_scope() {
        let mut cs = changes(&["fix: b", "placeholder", "feat: a"]);
        let target = cs[2].id.clone();
        let message = format!("Revert \"feat: a\"\n\nThis reverts commit {target}.");
        cs[1] = Change::new(
            cs[1].id.clone(),
            message.as_bytes(),
            cs[1].author.clone(),
            0,
            false,
        );
        let e = effects(&cs, &rules());
        assert_eq!(e[2].cancelled_by.as_deref(), Some(cs[1].id.as_str()));
        assert_eq!(e[2].bump, Bump::None);
        assert_eq!(e[1].bump, Bump::None);
        assert_eq!(e[0].bump, Bump::Patch);
        // A revert of a commit outside the scope is a patch of its own.
        let outside = changes(&["revert: feat: a\n\nThis reverts commit abcdef1234567."]);
        assert_eq!(effects(&outside, &rules())[0].bump, Bump::Patch);
    }

    /// `(case, messages newest first with {N} for the id of commit N,
    /// expected bump per commit, cancelled pairs (revert, target, rule),
    /// next version after 1.0.0)`.
    #[test]
    fn reverts_match_by_id_or_quoted_header() {
        use RevertMatch::{Header, Id};
        let (n, p, m) = (Bump::None, Bump::Patch, Bump::Minor);
        type Row<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [Bump],
            &'a [(usize, usize, RevertMatch)],
            Option<&'a str>,
        );
        let rows: &[Row] = &[
            (
                "id",
                &["Revert \"feat: a\"\n\nThis reverts commit {1}.", "feat: a"],
                &[n, n],
                &[(0, 1, Id)],
                None,
            ),
            (
                "header, squash suffix on the revert (the issue's repro)",
                &["Revert \"chore(deps): bump x\" (#9)", "chore(deps): bump x"],
                &[n, n],
                &[(0, 1, Header)],
                None,
            ),
            (
                "header, squash suffix on the target",
                &["Revert \"fix: b\"", "fix: b (#8)"],
                &[n, n],
                &[(0, 1, Header)],
                None,
            ),
            (
                "header, squash suffixes on both sides",
                &["Revert \"fix: b (#8)\" (#9)", "fix: b (#8)"],
                &[n, n],
                &[(0, 1, Header)],
                None,
            ),
            (
                "conventional revert quoting the header",
                &["revert: fix: b", "fix: b"],
                &[n, n],
                &[(0, 1, Header)],
                None,
            ),
            (
                "two commits with the same header: the newest earlier one",
                &["Revert \"feat: a\"", "feat: a", "fix: c", "feat: a"],
                &[n, n, p, m],
                &[(0, 1, Header)],
                Some("1.1.0"),
            ),
            (
                "two reverts, two commits with the same header",
                &[
                    "Revert \"feat: a\"",
                    "Revert \"feat: a\"",
                    "feat: a",
                    "feat: a",
                ],
                &[n, n, n, n],
                &[(0, 3, Header), (1, 2, Header)],
                None,
            ),
            (
                "revert of a revert by header restores",
                &[
                    "Revert \"Revert \"feat: a\"\"",
                    "Revert \"feat: a\"",
                    "feat: a",
                ],
                &[n, n, m],
                &[(0, 1, Header)],
                Some("1.1.0"),
            ),
            (
                "revert of a revert by id restores",
                &[
                    "Revert \"Revert \"feat: a\"\"\n\nThis reverts commit {1}.",
                    "Revert \"feat: a\"\n\nThis reverts commit {2}.",
                    "feat: a",
                ],
                &[n, n, m],
                &[(0, 1, Id)],
                Some("1.1.0"),
            ),
            (
                "header that matches nothing in scope: a released commit, patch",
                &["Revert \"feat: gone\"", "fix: c"],
                &[p, p],
                &[],
                Some("1.0.1"),
            ),
            (
                "an id outside the scope wins over a matching header",
                &[
                    "Revert \"feat: a\"\n\nThis reverts commit abcdef1234567.",
                    "feat: a",
                ],
                &[p, m],
                &[],
                Some("1.1.0"),
            ),
            (
                "a newer commit with the header is not a target",
                &["feat: a", "Revert \"feat: a\""],
                &[m, p],
                &[],
                Some("1.1.0"),
            ),
        ];
        for (case, messages, bumps, pairs, expected) in rows {
            let messages: Vec<String> = messages
                .iter()
                .map(|m| {
                    (0..messages.len()).fold((*m).to_owned(), |m, i| {
                        m.replace(&format!("{{{i}}}"), &format!("{:040x}", i + 1))
                    })
                })
                .collect();
            let refs: Vec<&str> = messages.iter().map(String::as_str).collect();
            let cs = changes(&refs);
            let e = effects(&cs, &rules());
            let got: Vec<Bump> = e.iter().map(|e| e.bump).collect();
            assert_eq!(&got, bumps, "{case}: {e:?}");
            let mut got_pairs: Vec<(usize, usize, RevertMatch)> = Vec::new();
            for (i, effect) in e.iter().enumerate() {
                if let Some(target) = &effect.cancels {
                    let j = cs.iter().position(|c| &c.id == target).unwrap();
                    assert_eq!(
                        e[j].cancelled_by.as_deref(),
                        Some(cs[i].id.as_str()),
                        "{case}"
                    );
                    assert_eq!(e[j].matched_by, effect.matched_by, "{case}");
                    got_pairs.push((i, j, effect.matched_by.unwrap()));
                }
            }
            assert_eq!(&got_pairs, pairs, "{case}");
            let next = next(Some("1.0.0"), &refs, &Overrides::default());
            assert_eq!(next.as_deref(), *expected, "{case}");
        }
    }

    #[test]
    fn revert_of_revert_restores() {
        let mut cs = changes(&["x", "y", "feat: a"]);
        let (a, b) = (cs[2].id.clone(), format!("{:040x}", 99));
        cs[1] = Change::new(
            b.clone(),
            format!("Revert \"feat: a\"\n\nThis reverts commit {a}.").as_bytes(),
            cs[1].author.clone(),
            0,
            false,
        );
        cs[0] = Change::new(
            format!("{:040x}", 98),
            format!("Revert \"Revert \"feat: a\"\"\n\nThis reverts commit {b}.").as_bytes(),
            cs[0].author.clone(),
            0,
            false,
        );
        let e = effects(&cs, &rules());
        assert_eq!(e[2].bump, Bump::Minor, "{e:?}");
        assert_eq!(e[1].cancelled_by.as_deref(), Some(cs[0].id.as_str()));
    }

    #[test]
    fn overrides_and_pre() {
        let o = |bump, release_as: Option<&str>, pre: Option<&str>| Overrides {
            bump,
            release_as: release_as.map(|v| Version::parse(v).unwrap()),
            pre: pre.map(str::to_owned),
        };
        assert_eq!(
            next(
                Some("1.0.0"),
                &["fix: a"],
                &o(Some(Bump::Major), None, None)
            )
            .as_deref(),
            Some("2.0.0")
        );
        assert_eq!(
            next(
                Some("0.9.0"),
                &["fix: a"],
                &o(Some(Bump::Major), None, None)
            )
            .as_deref(),
            Some("1.0.0")
        );
        assert_eq!(
            next(Some("1.0.0"), &["docs: a"], &o(None, Some("1.5.0"), None)).as_deref(),
            Some("1.5.0")
        );
        assert_eq!(
            next(Some("1.0.0"), &["feat: a"], &o(None, None, Some("rc"))).as_deref(),
            Some("1.1.0-rc.1")
        );
        let prev = Version::new(1, 0, 0);
        let err = decide(
            Some((&prev, "v1.0.0")),
            &[],
            &[],
            &rules(),
            &o(None, Some("0.9.0"), None),
        )
        .unwrap_err();
        assert!(matches!(err, BumpError::NotGreater { .. }), "{err}");
        let existing = vec![(Version::new(1, 0, 1), "v1.0.1".to_owned())];
        let err = decide(
            Some((&prev, "v1.0.0")),
            &changes(&["fix: a"]),
            &existing,
            &rules(),
            &o(None, None, Some("rc")),
        )
        .unwrap_err();
        assert!(matches!(err, BumpError::AlreadyReleased { .. }), "{err}");
    }

    #[test]
    fn strict_refuses_non_conventional() {
        let mut r = rules();
        r.strict = true;
        let prev = Version::new(1, 0, 0);
        let err = decide(
            Some((&prev, "v1.0.0")),
            &changes(&["feat: a", "wip"]),
            &[],
            &r,
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("wip"), "{err}");
    }
}
