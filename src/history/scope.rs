//! Finding the last release of a candidate and the commits since it: tag
//! index, one bounded walk, and the explanation of every tag not chosen.

use std::collections::HashSet;

use git2::{Mailmap, Oid};
use semver::Version;

use crate::git::changed_paths::PathSet;
use crate::git::repo::{RawCommit, Repo, RepoError};
use crate::git::tags::{Match, ReleaseTag, TagIndex, Template};
use crate::history::change::{Change, Person};

/// A tag that could look like the last release, and why it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The tag name.
    pub tag: String,
    /// Its version.
    pub version: Version,
    /// Why it was not chosen.
    pub reason: String,
}

/// What history says about one candidate.
pub struct History {
    /// The candidate commit.
    pub candidate: Oid,
    /// The last final release reachable from the candidate.
    pub last_final: Option<ReleaseTag>,
    /// The last pre-release since `last_final` (only when pre-releases count).
    pub last_pre: Option<ReleaseTag>,
    /// Why the reported previous release is it: one sentence.
    pub why_previous: String,
    /// Higher-looking tags not chosen, highest first.
    pub skipped: Vec<Skipped>,
    /// Commits since `last_final`, newest first.
    pub changes: Vec<Change>,
    /// For each change: whether it is also after `last_pre` (all true without one).
    pub since_pre: Vec<bool>,
    /// For a package walked with all parents: the non-merge commits of the
    /// walk that touch none of its paths, newest first (`None` otherwise).
    pub untouched: Option<Vec<Oid>>,
}

impl History {
    /// The release reported as previous: the last pre-release when
    /// pre-releases count and there is one, else the last final release.
    pub fn previous(&self) -> Option<&ReleaseTag> {
        self.last_pre.as_ref().or(self.last_final.as_ref())
    }
}

/// Options for finding history.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Follow first parents only.
    pub first_parent: bool,
    /// Pre-release tags count as previous releases (`--pre`).
    pub pre_releases: bool,
    /// Only tags with a lower version count (the notes of an existing tag).
    pub below: Option<Version>,
    /// Only commits that change these paths count (a package); empty: all.
    pub paths: Vec<std::path::PathBuf>,
    /// Files under `paths` that do not count.
    pub exclude: Option<globset::GlobSet>,
}

/// Reads every tag that matches the template into an index, once per command.
pub fn index(repo: &Repo, template: &Template) -> Result<TagIndex, RepoError> {
    let (raw, unmatched) = repo.tags(|name| !matches!(template.parse(name), Match::Other))?;
    let mut index = TagIndex::build(template, &raw);
    index.unmatched += unmatched;
    Ok(index)
}

/// Finds the last release reachable from `candidate` and the commits since.
pub fn find(
    repo: &Repo,
    index: &TagIndex,
    template: &Template,
    candidate: Oid,
    options: &Options,
) -> Result<History, RepoError> {
    let (mut history, commits) = find_commits(repo, index, template, candidate, options)?;
    let mailmap = mailmap(repo);
    history.changes = commits
        .iter()
        .map(|c| to_change(c, mailmap.as_ref()))
        .collect();
    Ok(history)
}

/// The repository's `.mailmap`, when it has one (resolving authors through
/// an empty mailmap costs a copy per commit).
pub fn mailmap(repo: &Repo) -> Option<Mailmap> {
    repo.has_mailmap()
        .then(|| repo.git().mailmap().ok())
        .flatten()
}

/// [`find`] with the commits in scope left as read: the history's `changes`
/// are empty and `since_pre` follows the returned commits, for callers that
/// convert them elsewhere (on another thread).
pub fn find_commits(
    repo: &Repo,
    index: &TagIndex,
    template: &Template,
    candidate: Oid,
    options: &Options,
) -> Result<(History, Vec<RawCommit>), RepoError> {
    let below = options.below.as_ref();
    let stops: HashSet<Oid> = index.by_commit(false, below).into_keys().collect();
    // A package's walk reads only the commits that touch it (with a
    // commit-graph); the others are only walked through.
    let scoped = !options.paths.is_empty();
    let walk_from = |stops: &HashSet<Oid>| {
        if scoped {
            repo.walk_unread(candidate, stops, options.first_parent)
        } else {
            repo.walk(candidate, stops, options.first_parent)
        }
    };
    let mut walk = walk_from(&stops)?;
    let (chosen, mut skipped) = choose(repo, index, candidate, &walk.frontier, below)?;

    // The walk stopped at every release tag; the scope is everything not
    // reachable from the chosen one, so walk again only if another tag
    // bounded the walk.
    if let Some(last) = &chosen {
        if walk.frontier.iter().any(|&c| c != last.commit) {
            let only: HashSet<Oid> = [last.commit].into();
            walk = walk_from(&only)?;
        }
    }

    let in_scope: HashSet<Oid> = walk.commits.iter().map(|c| c.id()).collect();
    let last_pre = pre_release(index, &chosen, options, candidate, &mut skipped, |id| {
        in_scope.contains(&id)
    });
    let mut since_pre = match &last_pre {
        Some(pre) => not_reachable_from(pre.commit, &walk.commits),
        None => vec![true; walk.commits.len()],
    };
    let mut commits = walk.commits;
    let mut untouched = None;
    if !options.paths.is_empty() {
        // Every walked commit's tree is known already; only the parents at
        // the range's edge need reading.
        let mut cache: std::collections::HashMap<Oid, Oid> =
            commits.iter().map(|c| (c.id(), c.tree_id())).collect();
        let mut keep = Vec::with_capacity(commits.len());
        for commit in &commits {
            keep.push(repo.touches(
                commit,
                &options.paths,
                options.exclude.as_ref(),
                &mut cache,
            )?);
        }
        if !options.first_parent {
            untouched = Some(
                commits
                    .iter()
                    .zip(&keep)
                    .filter(|(c, kept)| !**kept && c.parent_count() < 2)
                    .map(|(c, _)| c.id())
                    .collect(),
            );
        }
        let mut flags = keep.iter();
        commits.retain(|_| flags.next().copied().unwrap_or(false));
        for commit in &mut commits {
            repo.read_message(commit)?;
        }
        let mut flags = keep.iter();
        since_pre.retain(|_| flags.next().copied().unwrap_or(false));
    }

    let history = History {
        candidate,
        why_previous: why_previous(index, template, &chosen, &last_pre),
        last_final: chosen,
        last_pre,
        skipped,
        changes: Vec::new(),
        since_pre,
        untouched,
    };
    Ok((history, commits))
}

/// One package for [`find_many`].
pub struct Target<'a> {
    /// Its release tags.
    pub index: &'a TagIndex,
    /// Its tag template.
    pub template: &'a Template,
    /// Its paths (empty: the whole repository) and what to leave out.
    pub options: Options,
}

/// What [`find_many`] found.
pub struct Found {
    /// Each target's history and the commits in its scope, as
    /// [`find_commits`] returns them.
    pub histories: Vec<(History, Vec<RawCommit>)>,
    /// Non-merge commits in every target's range that touch none of them,
    /// newest first (`None` when a target covers the whole repository).
    pub untouched: Option<Vec<RawCommit>>,
}

/// [`find_commits`] for many packages from one walk of history: one
/// comparison of each commit with its first parent decides which packages
/// it touches (see [`PathSet`]), and each package's range is what its own
/// walk would return. A package whose range needs a second walk (another
/// release tag bounded it, on a merged branch) gets it alone. Follows all
/// parents and counts final releases only: others go through
/// [`find_commits`].
pub fn find_many(repo: &Repo, targets: &[Target<'_>], candidate: Oid) -> Result<Found, RepoError> {
    let stops: Vec<Vec<Oid>> = targets
        .iter()
        .map(|t| t.index.by_commit(false, None).into_keys().collect())
        .collect();
    let walk = repo.walk_many(candidate, &stops)?;
    // Which packages each commit in any range touches, computed once.
    let shapes: Vec<(Vec<std::path::PathBuf>, Option<globset::GlobSet>)> = targets
        .iter()
        .map(|t| (t.options.paths.clone(), t.options.exclude.clone()))
        .collect();
    let paths = PathSet::new(&shapes);
    let odb = repo
        .git()
        .odb()
        .map_err(crate::git::repo::git_err("opening the object database"))?;
    let mut touched: Vec<Vec<usize>> = vec![Vec::new(); walk.commits.len()];
    for (at, commit) in walk.commits.iter().enumerate() {
        if !(0..targets.len()).any(|p| walk.includes(p, at)) {
            continue;
        }
        let parent = match commit.parent_id(0) {
            Some(parent) => Some(match walk.position(parent) {
                Some(i) => walk.commits[i].tree_id(),
                None => repo.root_tree(parent)?,
            }),
            None => None,
        };
        touched[at] = paths.changed(repo, &odb, commit.tree_id(), parent)?;
    }

    let mut histories = Vec::with_capacity(targets.len());
    // Packages walked alone: their own ranges decide what is untouched.
    let mut alone: Vec<(usize, HashSet<Oid>)> = Vec::new();
    for (p, target) in targets.iter().enumerate() {
        let (chosen, mut skipped) = choose(repo, target.index, candidate, &walk.frontier[p], None)?;
        if chosen
            .as_ref()
            .is_some_and(|last| walk.frontier[p].iter().any(|&c| c != last.commit))
        {
            let found = find_commits(
                repo,
                target.index,
                target.template,
                candidate,
                &target.options,
            )?;
            let untouched = found.0.untouched.iter().flatten().copied().collect();
            alone.push((p, untouched));
            histories.push(found);
            continue;
        }
        let in_range = |id: Oid| walk.position(id).is_some_and(|at| walk.includes(p, at));
        let last_pre = pre_release(
            target.index,
            &chosen,
            &target.options,
            candidate,
            &mut skipped,
            in_range,
        );
        let scoped = !target.options.paths.is_empty();
        let kept: Vec<usize> = walk
            .range(p)
            .filter(|&at| !scoped || touched[at].binary_search(&p).is_ok())
            .collect();
        let since_pre = match &last_pre {
            Some(pre) => {
                let reached = reachable_within(pre.commit, &walk.commits, |id| {
                    walk.position(id).filter(|&at| walk.includes(p, at))
                });
                kept.iter().map(|at| !reached.contains(at)).collect()
            }
            None => vec![true; kept.len()],
        };
        let mut commits = Vec::with_capacity(kept.len());
        for at in kept {
            let mut commit = walk.commits[at].clone();
            repo.read_message(&mut commit)?;
            commits.push(commit);
        }
        histories.push((
            History {
                candidate,
                why_previous: why_previous(target.index, target.template, &chosen, &last_pre),
                last_final: chosen,
                last_pre,
                skipped,
                changes: Vec::new(),
                since_pre,
                untouched: None,
            },
            commits,
        ));
    }
    let untouched = if targets.iter().all(|t| !t.options.paths.is_empty()) {
        let mut loose = Vec::new();
        for (at, commit) in walk.commits.iter().enumerate() {
            if commit.parent_count() < 2
                && touched[at].is_empty()
                && (0..targets.len()).all(|p| match alone.iter().find(|(q, _)| *q == p) {
                    Some((_, own)) => own.contains(&commit.id()),
                    None => walk.includes(p, at),
                })
            {
                let mut commit = commit.clone();
                repo.read_message(&mut commit)?;
                loose.push(commit);
            }
        }
        Some(loose)
    } else {
        None
    };
    Ok(Found {
        histories,
        untouched,
    })
}

/// The last final release among the tags a walk from `candidate` stopped
/// at (its frontier), and the higher-looking tags skipped on the way.
fn choose(
    repo: &Repo,
    index: &TagIndex,
    candidate: Oid,
    frontier: &[Oid],
    below: Option<&Version>,
) -> Result<(Option<ReleaseTag>, Vec<Skipped>), RepoError> {
    let eligible = |t: &&ReleaseTag| below.is_none_or(|b| t.version < *b);
    // The nearest final releases, then any higher final release that is
    // still reachable behind them (rare: tags out of version order).
    let frontier: HashSet<Oid> = frontier.iter().copied().collect();
    let finals: Vec<&ReleaseTag> = index
        .releases
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .filter(eligible)
        .collect();
    let nearest = finals.iter().position(|t| frontier.contains(&t.commit));
    let mut skipped = Vec::new();
    let mut chosen: Option<ReleaseTag> = None;
    let higher = nearest.unwrap_or(finals.len());
    for tag in &finals[..higher] {
        if chosen.is_some() {
            break;
        }
        // A release tag the walk did not meet can only be reachable behind
        // one it met; with none met, nothing is.
        if nearest.is_some() && repo.reachable(candidate, tag.commit)? {
            chosen = Some((*tag).clone());
        } else {
            skipped.push(Skipped {
                tag: tag.name.clone(),
                version: tag.version.clone(),
                reason: "not reachable from the candidate (it is on another branch)".to_owned(),
            });
        }
    }
    let chosen = chosen.or_else(|| nearest.map(|i| finals[i].clone()));
    Ok((chosen, skipped))
}

/// The last pre-release after `chosen` in scope (when pre-releases count),
/// with every other pre-release above it added to `skipped` with the
/// reason; `skipped` ends sorted highest first.
fn pre_release(
    index: &TagIndex,
    chosen: &Option<ReleaseTag>,
    options: &Options,
    candidate: Oid,
    skipped: &mut Vec<Skipped>,
    in_scope: impl Fn(Oid) -> bool,
) -> Option<ReleaseTag> {
    let below = options.below.as_ref();
    let floor = chosen.as_ref().map(|t| t.version.clone());
    let mut last_pre = None;
    for tag in index
        .releases
        .iter()
        .filter(|t| !t.version.pre.is_empty())
        .filter(|t| below.is_none_or(|b| t.version < *b))
    {
        if floor.as_ref().is_some_and(|f| tag.version <= *f) {
            continue;
        }
        let reachable = tag.commit == candidate || in_scope(tag.commit);
        let reason = if !options.pre_releases {
            "a pre-release; a final release covers everything since the last final release (pass `--pre LABEL` to continue a pre-release series)"
        } else if !reachable {
            "a pre-release not reachable from the candidate"
        } else if last_pre.is_none() {
            last_pre = Some(tag.clone());
            continue;
        } else {
            continue;
        };
        skipped.push(Skipped {
            tag: tag.name.clone(),
            version: tag.version.clone(),
            reason: reason.to_owned(),
        });
    }
    skipped.sort_by(|a, b| b.version.cmp(&a.version));
    last_pre
}

/// Why the reported previous release is it: one sentence.
fn why_previous(
    index: &TagIndex,
    template: &Template,
    chosen: &Option<ReleaseTag>,
    last_pre: &Option<ReleaseTag>,
) -> String {
    match (chosen, last_pre) {
        (_, Some(pre)) => format!(
            "{} is the newest pre-release reachable from the candidate since the last final release",
            pre.name
        ),
        (Some(last), None) => {
            let others = index
                .releases
                .iter()
                .filter(|t| t.commit == last.commit && t.name != last.name)
                .count();
            let also = if others > 0 {
                format!(" ({others} other release tag(s) on the same commit)")
            } else {
                String::new()
            };
            format!(
                "{} is the highest release tag reachable from the candidate{also}",
                last.name
            )
        }
        (None, None) if index.releases.is_empty() => {
            format!("no tag matches the template `{}`", template.glob())
        }
        (None, None) => "no release tag is reachable from the candidate".to_owned(),
    }
}

/// The positions of the commits reachable from `from` (or it) among
/// `commits`, following parents only through those `position` finds.
fn reachable_within(
    from: Oid,
    commits: &[RawCommit],
    position: impl Fn(Oid) -> Option<usize>,
) -> HashSet<usize> {
    let mut reached = HashSet::new();
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        let Some(at) = position(id) else { continue };
        if reached.insert(at) {
            stack.extend(commits[at].parent_ids());
        }
    }
    reached
}

/// For each commit (newest first), whether it is not reachable from `from`
/// within the given set.
fn not_reachable_from(from: Oid, commits: &[RawCommit]) -> Vec<bool> {
    let by_id: std::collections::HashMap<Oid, &RawCommit> =
        commits.iter().map(|c| (c.id(), c)).collect();
    let mut reached = HashSet::new();
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        if !reached.insert(id) {
            continue;
        }
        if let Some(commit) = by_id.get(&id) {
            stack.extend(commit.parent_ids());
        }
    }
    commits.iter().map(|c| !reached.contains(&c.id())).collect()
}

/// Reads one commit into a change.
pub fn to_change(commit: &RawCommit, mailmap: Option<&Mailmap>) -> Change {
    let author = commit.author();
    let resolved = mailmap.and_then(|m| {
        let name = String::from_utf8_lossy(author.name);
        let email = String::from_utf8_lossy(author.email);
        let signature =
            git2::Signature::new(&name, &email, &git2::Time::new(author.time, 0)).ok()?;
        let resolved = m.resolve_signature(&signature).ok()?;
        Some(Person {
            name: String::from_utf8_lossy(resolved.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(resolved.email_bytes()).into_owned(),
        })
    });
    let person = resolved.unwrap_or_else(|| Person {
        name: crate::history::change::text(author.name),
        email: crate::history::change::text(author.email),
    });
    Change::new(
        commit.id().to_string(),
        commit.message_bytes(),
        person,
        author.time,
        commit.parent_count() > 1,
    )
}
