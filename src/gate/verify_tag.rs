//! Verifying release tags (CI on a tag push, and the pre-push hook), and
//! with them the chain of releases that is a candidate's trust base.
//!
//! A tag is verified when it names a commit and a version under its trust
//! base's tag templates, any release commit differs from the approved
//! candidate only by release files, and the evidence on the candidate meets
//! the policy of every revision of its trust base
//! ([`crate::gate::trust_base`]). `verify` also checks that the version is
//! what the plan says, or at least above the previous release. Verdicts on
//! earlier releases are kept in `.git/git-release/verified` (which a push or
//! fetch can never write), keyed by tag, object and pinned root.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

use git2::{ObjectType, Oid};
use jiff::Timestamp;
use semver::Version;
use serde::Serialize;

use crate::Error;
use crate::config::Config;
use crate::gate::requirements::{Report, Requirement};
use crate::gate::trust_base::{self, Base, Bases, Pin, Walk};
use crate::gate::verdict::{self, Candidate};
use crate::git::repo::{Repo, git_err};
use crate::history::bump::{self, Overrides};
use crate::history::plan;
use crate::history::scope::{self, Options};
use crate::history::trailer;
use crate::packages::released::{self, Released};

/// The verdict on one tag.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The tag.
    pub tag: String,
    /// The commit it points at.
    pub commit: Option<String>,
    /// The commit whose evidence counts (the release record's candidate).
    pub candidate: Option<String>,
    /// The version it names.
    pub version: Option<String>,
    /// The revisions whose rules it was verified against.
    pub trust_base: Vec<String>,
    /// Everything passed.
    pub ok: bool,
    /// Checks of the tag itself.
    pub checks: Vec<Requirement>,
    /// The gate, when it could be evaluated.
    pub gate: Option<Report>,
    /// Warnings.
    pub warnings: Vec<String>,
}

fn check(name: &str, ok: bool, detail: String, fix: Option<String>) -> Requirement {
    Requirement {
        name: name.to_owned(),
        ok,
        detail,
        fix,
        rejected: Vec::new(),
    }
}

impl Verification {
    /// A verification that failed before any check could run.
    pub fn failed_public(tag: &str, detail: &str) -> Verification {
        Verification::failed(tag, "tag", detail.to_owned(), None)
    }

    fn failed(tag: &str, name: &str, detail: String, fix: Option<String>) -> Verification {
        Verification {
            tag: tag.to_owned(),
            commit: None,
            candidate: None,
            version: None,
            trust_base: Vec::new(),
            ok: false,
            checks: vec![check(name, false, detail, fix)],
            gate: None,
            warnings: Vec::new(),
        }
    }
}

/// Verifies release tags and the chain of releases behind them, once per
/// command, remembering every verdict.
pub struct Verifier<'r> {
    repo: &'r Repo,
    pin: Option<Pin>,
    tags_at: Rc<HashMap<Oid, Vec<String>>>,
    memo: HashMap<String, Option<bool>>,
    /// Commits with no verified release at or below them.
    barren: HashSet<Oid>,
    cache: Cache,
    /// Tags met in the history that are not verified releases, with why.
    pub unverified: Vec<(String, String)>,
}

impl<'r> Verifier<'r> {
    /// A verifier for `repo`, with the root the verifier pins (if any).
    pub fn new(repo: &'r Repo, pin: Option<Pin>) -> Result<Verifier<'r>, Error> {
        let (tags, _) = repo.tags(|_| true)?;
        let mut tags_at: HashMap<Oid, Vec<String>> = HashMap::new();
        for tag in tags {
            if let Some(commit) = tag.commit {
                tags_at.entry(commit).or_default().push(tag.name);
            }
        }
        for names in tags_at.values_mut() {
            names.sort();
        }
        let cache = Cache::open(repo, pin.as_ref());
        Ok(Verifier {
            repo,
            pin,
            tags_at: Rc::new(tags_at),
            memo: HashMap::new(),
            barren: HashSet::new(),
            cache,
            unverified: Vec::new(),
        })
    }

    /// The trust base of `candidate`. For a first release with nothing
    /// pinned, the candidate's own configuration, with a warning.
    pub fn bases(&mut self, candidate: Oid) -> Result<Bases, Error> {
        let tags_at = Rc::clone(&self.tags_at);
        let pin = self.pin.clone();
        // The pinned root itself is governed by the rules it carries: the
        // verifier vouches for them.
        if let Some(pin) = pin.as_ref().filter(|p| p.commit == candidate) {
            return Ok(Bases {
                bases: vec![trust_base::read_base(
                    self.repo,
                    candidate,
                    pin.label.clone(),
                )?],
                warning: None,
            });
        }
        // Releases behind the candidate are settled oldest first by
        // `settle_chain`, with a stack of its own rather than recursion.
        let frontier = loop {
            let mut barren = std::mem::take(&mut self.barren);
            let walk = trust_base::frontier(
                self.repo,
                candidate,
                &tags_at,
                pin.as_ref(),
                &mut barren,
                |name| self.known(name),
            );
            self.barren = barren;
            match walk? {
                Walk::Done(frontier) => break frontier,
                Walk::Blocked(name) => self.settle_chain(&name)?,
            }
        };
        if let Some(pin) = &pin {
            if frontier.found.is_empty() {
                return Err(Error::refused(
                    format!(
                        "{} is not in the history of {}: nothing vouches for its rules",
                        pin.label,
                        short(&candidate)
                    ),
                    &[
                        "pin a revision this release descends from (a verified release, or the commit that introduced the policy)",
                    ],
                ));
            }
        }
        let mut bases: Vec<(Option<Version>, Base)> = Vec::new();
        for (commit, names) in &frontier.found {
            let (label, version) =
                if pin.as_ref().is_some_and(|p| p.commit == *commit) && names.is_empty() {
                    (
                        pin.as_ref().map(|p| p.label.clone()).unwrap_or_default(),
                        None,
                    )
                } else {
                    let best = names
                        .iter()
                        .filter_map(|n| self.version_of(n).map(|v| (v, n)))
                        .max();
                    match best {
                        Some((version, name)) => (format!("release {name}"), Some(version)),
                        None => (format!("release {}", names.join(", ")), None),
                    }
                };
            bases.push((version, trust_base::read_base(self.repo, *commit, label)?));
        }
        // The highest release governs classification; the pin comes last.
        bases.sort_by(|a, b| b.0.cmp(&a.0));
        if bases.is_empty() {
            let label = format!("the candidate {} (first release)", short(&candidate));
            let mut own = trust_base::read_base(self.repo, candidate, label)?;
            own.own = true;
            let mut passed = self.passed_over();
            passed.truncate(1);
            return Ok(Bases {
                bases: vec![own],
                warning: Some(
                    format!(
                        "no verified release precedes {} and no trust root is pinned: its own policy governs it (first release); pin one in CI with `--trust-root`, `{}` or git config `{}`",
                        short(&candidate),
                        trust_base::ROOT_ENV,
                        trust_base::ROOT_CONFIG
                    ) + &passed.iter().map(|p| format!(" ({p})")).collect::<String>(),
                ),
            });
        }
        Ok(Bases {
            bases: bases.into_iter().map(|(_, b)| b).collect(),
            warning: None,
        })
    }

    /// Warnings about tags in the history that were passed over because
    /// they are not verified releases (at most a few, newest first).
    pub fn passed_over(&self) -> Vec<String> {
        self.unverified
            .iter()
            .filter(|(_, why)| !why.is_empty())
            .rev()
            .take(5)
            .map(|(name, why)| {
                format!("`{name}` does not count as a release in the trust chain: {why}")
            })
            .collect()
    }

    /// The version a verified tag was released as.
    fn version_of(&self, name: &str) -> Option<Version> {
        self.cache.versions.get(name).cloned()
    }

    /// The verdict on `name` if it is known (memoised, cached on disk, or
    /// being settled, which counts as not verified so a cycle cannot vouch
    /// for itself); `None` when it still has to be settled.
    fn known(&mut self, name: &str) -> Result<Option<bool>, Error> {
        if let Some(state) = self.memo.get(name) {
            return Ok(Some(state.unwrap_or(false)));
        }
        let Some(target) = self.target(name) else {
            self.memo.insert(name.to_owned(), Some(false));
            return Ok(Some(false));
        };
        if self.cache.contains(name, target) {
            self.memo.insert(name.to_owned(), Some(true));
            return Ok(Some(true));
        }
        Ok(None)
    }

    /// What the tag's ref points at.
    fn target(&self, name: &str) -> Option<Oid> {
        self.repo
            .git()
            .find_reference(&format!("refs/tags/{name}"))
            .ok()
            .and_then(|r| r.target())
    }

    /// Whether `name` is a verified release (memoised; cached on disk).
    pub fn is_verified(&mut self, name: &str) -> Result<bool, Error> {
        if let Some(known) = self.known(name)? {
            return Ok(known);
        }
        self.settle_chain(name)?;
        Ok(self.known(name)?.unwrap_or(false))
    }

    /// Settles `name` after every release its trust base depends on, oldest
    /// first, with an explicit stack: a history of thousands of releases
    /// that nothing has verified yet must not exhaust the call stack.
    fn settle_chain(&mut self, name: &str) -> Result<(), Error> {
        let mut stack = vec![name.to_owned()];
        while let Some(top) = stack.last().cloned() {
            if self.known(&top)?.is_some() {
                stack.pop();
                continue;
            }
            match self.blocked_on(&top)? {
                Some(next) if !stack.contains(&next) => stack.push(next),
                _ => {
                    self.settle(&top);
                    stack.pop();
                }
            }
        }
        Ok(())
    }

    /// The first release with no verdict yet that the walk for `name`'s
    /// trust base meets, if any.
    fn blocked_on(&mut self, name: &str) -> Result<Option<String>, Error> {
        let Some(candidate) = self.candidate_of(name) else {
            return Ok(None);
        };
        if self.pin.as_ref().is_some_and(|p| p.commit == candidate) {
            return Ok(None);
        }
        let tags_at = Rc::clone(&self.tags_at);
        let pin = self.pin.clone();
        let mut barren = std::mem::take(&mut self.barren);
        let walk = trust_base::frontier(
            self.repo,
            candidate,
            &tags_at,
            pin.as_ref(),
            &mut barren,
            |n| self.known(n),
        );
        self.barren = barren;
        Ok(match walk {
            Ok(Walk::Blocked(next)) => Some(next),
            // A walk that fails is reported when the tag is settled.
            Ok(Walk::Done(_)) | Err(_) => None,
        })
    }

    /// The commit whose evidence counts for the tag `name`: the release
    /// record's `Release-Candidate` when it is the parent of the tagged
    /// commit, else the tagged commit.
    fn candidate_of(&self, name: &str) -> Option<Oid> {
        let git = self.repo.git();
        let object = git.find_object(self.target(name)?, None).ok()?;
        let commit = object.peel(ObjectType::Commit).ok()?.id();
        let named = object
            .as_tag()
            .and_then(|t| t.message_bytes())
            .map(|m| trailer::parse(strip_signature(&String::from_utf8_lossy(m))))
            .and_then(|record| {
                trailer::find(&record, "Release-Candidate")
                    .next()
                    .and_then(|c| Oid::from_str(c.trim()).ok())
            });
        Some(named.unwrap_or(commit))
    }

    /// Verifies one release whose chain is settled, and remembers the
    /// verdict (and why not, for the warnings).
    fn settle(&mut self, name: &str) {
        let Some(target) = self.target(name) else {
            self.memo.insert(name.to_owned(), Some(false));
            return;
        };
        // While a tag is being verified it counts as not verified, so a
        // cycle cannot vouch for itself.
        self.memo.insert(name.to_owned(), None);
        let (ok, why) = match self.examine(name, target, None, false) {
            Ok(verification) => {
                if let Some(version) = verification
                    .version
                    .as_deref()
                    .and_then(|v| Version::parse(v).ok())
                {
                    if verification.ok {
                        self.cache.versions.insert(name.to_owned(), version);
                    }
                }
                let why = verification
                    .checks
                    .iter()
                    .find(|c| !c.ok)
                    .map(|c| c.detail.clone())
                    .or_else(|| {
                        verification
                            .gate
                            .as_ref()
                            .filter(|g| !g.ok)
                            .map(|g| format!("its evidence does not meet {}", g.policy))
                    })
                    .unwrap_or_default();
                (verification.ok, why)
            }
            // A tag whose rules cannot even be read is no release to trust,
            // and must not stop later releases from verifying.
            Err(e) => (false, e.to_string()),
        };
        if ok {
            self.cache.add(name, target);
        } else {
            self.unverified.push((name.to_owned(), why));
        }
        self.memo.insert(name.to_owned(), Some(ok));
    }

    /// Verifies the tag `name` whose ref points at `target` (a tag object
    /// or a commit), with every check, at the current time. `target` comes
    /// from the caller, never re-resolved by name, so the hook checks
    /// exactly what is being pushed.
    pub fn verify(&mut self, name: &str, target: Oid) -> Result<Verification, Error> {
        self.repo.ensure_complete()?;
        let now = crate::clock::now()?;
        self.examine(name, target, Some(now), true)
    }

    /// The checks of one tag. `now` is the current time for the tag being
    /// verified; for earlier releases of the chain (`None`) evidence age and
    /// windows are judged at the tag's own time. `full` adds the version
    /// check.
    fn examine(
        &mut self,
        name: &str,
        target: Oid,
        now: Option<Timestamp>,
        full: bool,
    ) -> Result<Verification, Error> {
        let repo = self.repo;
        let git = repo.git();
        let object = git
            .find_object(target, None)
            .map_err(git_err(format!("reading {target}")))?;
        let Ok(commit_object) = object.peel(ObjectType::Commit) else {
            return Ok(Verification::failed(
                name,
                "tag",
                format!(
                    "`{name}` points at a {}, not a commit",
                    object.kind().map_or("object", |k| k.str())
                ),
                None,
            ));
        };
        let commit = commit_object.id();
        let annotated = object.as_tag();
        let record = annotated
            .and_then(|t| t.message_bytes())
            .map(|m| trailer::parse(strip_signature(&String::from_utf8_lossy(m))))
            .unwrap_or_default();
        let field = |key: &str| trailer::find(&record, key).next().map(str::to_owned);
        let tagger = annotated
            .and_then(|t| t.tagger())
            .map(|s| String::from_utf8_lossy(s.email_bytes()).into_owned());
        let tag_time = annotated
            .and_then(|t| t.tagger())
            .map(|s| s.when().seconds())
            .unwrap_or_else(|| commit_object.as_commit().map_or(0, |c| c.time().seconds()));
        let at = match now {
            Some(now) => now,
            None => Timestamp::from_second(tag_time).unwrap_or(Timestamp::UNIX_EPOCH),
        };

        let mut checks = Vec::new();
        let mut warnings = Vec::new();
        if annotated.is_none() {
            warnings.push(format!(
                "`{name}` is a lightweight tag: it carries no release record"
            ));
        }

        // The candidate: the release record's, which may be the parent of a
        // release commit that only touches release files.
        let (candidate, release_commit) = match field("Release-Candidate")
            .map(|c| Oid::from_str(c.trim()))
        {
            Some(Ok(candidate)) if candidate != commit => {
                let parent = repo.commit(commit)?.parent_id(0).ok();
                if parent != Some(candidate) {
                    checks.push(check(
                            "release commit",
                            false,
                            format!("the release record names candidate {}, which is not the parent of the tagged commit {}", short(&candidate), short(&commit)),
                            None,
                        ));
                    (candidate, false)
                } else {
                    (candidate, true)
                }
            }
            Some(Err(_)) => {
                checks.push(check(
                    "release record",
                    false,
                    "the `Release-Candidate` trailer is not an object id".to_owned(),
                    None,
                ));
                (commit, false)
            }
            _ => (commit, false),
        };

        // Everything that classifies the tag comes from the trust base.
        if let Some(pin) = &self.pin {
            if !repo.reachable(candidate, pin.commit)? {
                return Ok(Verification::failed(
                    name,
                    "trust root",
                    format!(
                        "{} is not in the history of `{name}`: nothing vouches for its rules",
                        pin.label
                    ),
                    Some("a release must descend from the pinned root; check that the tag is on the released branch".to_owned()),
                ));
            }
        }
        let bases = self.bases(candidate)?;
        warnings.extend(bases.warning.iter().cloned());
        let mut classified = None;
        for base in &bases.bases {
            let packages = crate::packages::all(&base.config)?;
            if let Some((package, version)) = crate::packages::for_tag(&packages, name) {
                classified = Some((base, package.clone(), version));
                break;
            }
        }
        let Some((base, package, version)) = classified else {
            let templates: Vec<String> = bases
                .bases
                .iter()
                .flat_map(|b| crate::packages::all(&b.config).unwrap_or_default())
                .map(|p| p.tag)
                .collect();
            let source = bases
                .primary()
                .map_or_else(String::new, |b| format!(" (the templates of {})", b.label));
            return Ok(Verification::failed(
                name,
                "tag",
                format!(
                    "`{name}` is not a release tag: it does not match {}{source} with a semantic version",
                    templates.join(", ")
                ),
                None,
            ));
        };
        let config = base.config.clone();

        if release_commit {
            let released: Vec<String> = self.tags_at.get(&commit).cloned().unwrap_or_default();
            checks.push(release_commit_check(
                repo, base, &released, candidate, commit,
            )?);
        }

        // With nothing pinned, a first release is the root of its chain:
        // trusted as it is when it governs later releases (the warning says
        // so); verified on its own, it is held to its own policy. A release
        // of the chain whose trust base asks for nothing needs no evidence.
        let nothing_asked = bases.bases.iter().all(|b| b.trusted.policy.is_empty());
        if !full && (bases.bases.iter().all(|b| b.own) || nothing_asked) {
            return Ok(Verification {
                tag: name.to_owned(),
                commit: Some(commit.to_string()),
                candidate: Some(candidate.to_string()),
                version: Some(version.to_string()),
                trust_base: bases.bases.iter().map(|b| b.label.clone()).collect(),
                ok: checks.iter().all(|c| c.ok),
                checks,
                gate: None,
                warnings,
            });
        }

        // The scope, under the trusted configuration: for the version check,
        // and for trailers where a policy lets them count.
        let trailers_count = bases.bases.iter().any(|b| b.trusted.policy.commit_trailers);
        let history = if full || trailers_count {
            let template = package.template.clone();
            let index = scope::index(repo, &template)?;
            let options = Options {
                first_parent: config.commits.first_parent,
                pre_releases: !version.pre.is_empty(),
                below: Some(version.clone()),
                paths: package.paths.clone(),
                exclude: package.exclude.clone(),
            };
            let history = scope::find(repo, &index, &template, candidate, &options)?;
            if full {
                checks.push(version_check(
                    repo, &config, &package, &index, &history, name, &version, commit,
                )?);
            }
            Some(history)
        } else {
            None
        };

        let assessment = verdict::assess(
            repo,
            &bases,
            &Candidate {
                commit: candidate,
                tag: name.to_owned(),
                changes: history.as_ref().map_or(&[], |h| h.changes.as_slice()),
                tagger,
                override_window: field("Window-Override").as_deref(),
                at,
                environment: None,
            },
        )?;
        warnings.extend(assessment.warnings);
        if full {
            warnings.extend(self.passed_over());
        }
        if full
            && assessment.has_policy
            && git
                .find_reference(crate::gate::evidence::TESTS_REF)
                .is_err()
            && git
                .find_reference(crate::gate::evidence::APPROVALS_REF)
                .is_err()
        {
            warnings.push("no evidence notes in this clone; fetch them: `git fetch origin 'refs/notes/release/*:refs/notes/release/*'`".to_owned());
        }
        let ok = checks.iter().all(|c| c.ok) && assessment.report.ok;
        Ok(Verification {
            tag: name.to_owned(),
            commit: Some(commit.to_string()),
            candidate: Some(candidate.to_string()),
            version: Some(version.to_string()),
            trust_base: bases.bases.iter().map(|b| b.label.clone()).collect(),
            ok,
            checks,
            gate: Some(assessment.report),
            warnings,
        })
    }
}

pub use crate::git::tags::strip_signature;

/// The release commit may differ from the approved candidate only by
/// exactly what `tag` writes under the trust base's configuration: version
/// and lock files byte for byte as `tag` computes them from the candidate's,
/// and changelogs only by added lines. Anything else is named.
fn release_commit_check(
    repo: &Repo,
    base: &Base,
    released_tags: &[String],
    candidate: Oid,
    commit: Oid,
) -> Result<Requirement, Error> {
    let git = repo.git();
    let old = repo
        .commit(candidate)?
        .tree()
        .map_err(git_err("reading a tree"))?;
    let new = repo
        .commit(commit)?
        .tree()
        .map_err(git_err("reading a tree"))?;
    let diff = git
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .map_err(git_err("comparing the release commit with its candidate"))?;
    let changed: Vec<PathBuf> = diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(PathBuf::from)
        })
        .collect();

    // What `tag` writes for the packages this commit releases.
    let text_at = |at: Oid, path: &std::path::Path| -> Result<Option<String>, Error> {
        Ok(repo
            .blob_at(at, path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    };
    let mut packages = crate::packages::all(&base.config)?;
    crate::packages::read_manifest_names(&mut packages, |path| {
        text_at(candidate, path).ok().flatten()
    });
    let mut released_packages = Vec::new();
    for name in released_tags {
        if let Some((package, version)) = crate::packages::for_tag(&packages, name) {
            released_packages.push((package, version));
        }
    }
    let released: Vec<Released<'_>> = released_packages
        .iter()
        .map(|(package, version)| Released {
            package,
            version: version.clone(),
            dependencies: released_packages
                .iter()
                .filter(|(other, _)| other.name != package.name)
                .map(|(other, version)| (other.dependency_names(), version.clone()))
                .collect(),
        })
        .collect();
    let read = |path: &std::path::Path| text_at(candidate, path);
    let expected = released::versioned_files(&released, &read)?;
    // A changelog that is a symlink is written through to its target.
    let mut changelogs: HashSet<PathBuf> = packages.iter().map(|p| p.changelog.clone()).collect();
    let targets: Vec<PathBuf> = changelogs
        .iter()
        .filter_map(|path| trust_base::link_target(repo, candidate, path))
        .collect();
    changelogs.extend(targets);

    let mut problems = Vec::new();
    for path in &changed {
        let shown = path.display().to_string();
        let now = repo.blob_at(commit, path)?;
        if let Some((_, text, _)) = expected.iter().find(|(p, _, _)| p == path) {
            if now.as_deref() != Some(text.as_bytes()) {
                problems.push(format!(
                    "`{shown}` is not what `tag` writes (the new version alone)"
                ));
            }
        } else if changelogs.contains(path) {
            let before = text_at(candidate, path)?.unwrap_or_default();
            let after = now.map(|b| String::from_utf8_lossy(&b).into_owned());
            match after {
                Some(after) if keeps_hand_written_lines(&before, &after) => {}
                Some(_) => problems.push(format!("`{shown}` changes or removes hand-written lines; `tag` only writes release sections")),
                None => problems.push(format!("`{shown}` is deleted")),
            }
        } else {
            problems.push(format!("`{shown}` is not a release file"));
        }
    }
    Ok(if problems.is_empty() {
        check(
            "release commit",
            true,
            format!(
                "{} changes only release files since the candidate {}, as `tag` writes them",
                short(&commit),
                short(&candidate)
            ),
            None,
        )
    } else {
        check(
            "release commit",
            false,
            format!(
                "{} changes more than `tag` writes since the candidate {}: {}",
                short(&commit),
                short(&candidate),
                problems.join("; ")
            ),
            None,
        )
    })
}

/// Whether `after` keeps every hand-written line of `before`, in order:
/// `tag` adds and rewrites only generated sections.
fn keeps_hand_written_lines(before: &str, after: &str) -> bool {
    let mut after = after.split_inclusive('\n');
    crate::render::changelog_file::hand_written_lines(before)
        .into_iter()
        .all(|line| after.any(|l| l == line))
}

/// The version: what the plan says, or at least above the previous release.
#[allow(clippy::too_many_arguments)]
fn version_check(
    repo: &Repo,
    config: &Config,
    package: &crate::packages::Package,
    index: &crate::git::tags::TagIndex,
    history: &scope::History,
    name: &str,
    version: &Version,
    commit: Oid,
) -> Result<Requirement, Error> {
    let version = version.clone();
    let previous = history.previous().cloned();
    let existing: Vec<(Version, String)> = index
        .releases
        .iter()
        .filter(|t| t.name != name)
        .map(|t| (t.version.clone(), t.name.clone()))
        .collect();
    let overrides = Overrides {
        pre: version
            .pre
            .as_str()
            .split('.')
            .next()
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        ..Overrides::default()
    };
    let mut rules = plan::rules(config, config.commits.first_parent);
    rules.initial_version = package.initial_version.clone();
    let expected = bump::decide(
        history
            .last_final
            .as_ref()
            .map(|t| (&t.version, t.name.as_str())),
        &history.changes,
        &existing,
        &rules,
        &overrides,
    )
    .ok()
    .and_then(|d| d.next);
    // A release with a higher version already in the tag's history means the
    // tag goes backwards.
    let mut higher_before = None;
    for tag in index
        .releases
        .iter()
        .filter(|t| t.version > version && t.name != name && t.version.pre.is_empty())
    {
        if repo.reachable(commit, tag.commit)? {
            higher_before = Some(tag.name.clone());
            break;
        }
    }
    let above_previous =
        previous.as_ref().is_none_or(|p| version > p.version) && higher_before.is_none();
    let previous = match (&higher_before, previous) {
        (Some(name), _) => index.get(name).cloned(),
        (None, previous) => previous,
    };
    let prev_text = previous.as_ref().map_or_else(
        || "no previous release".to_owned(),
        |p| format!("previous release {}", p.name),
    );
    Ok(match (&expected, above_previous) {
        (Some(e), true) if *e == version => check(
            "version",
            true,
            format!("{version} is the planned version after {prev_text}"),
            None,
        ),
        (_, true) => check(
            "version",
            true,
            format!(
                "{version} is above the {prev_text} (the commits alone would give {})",
                expected
                    .as_ref()
                    .map_or_else(|| "no release".to_owned(), Version::to_string)
            ),
            None,
        ),
        (_, false) => check(
            "version",
            false,
            format!("{version} is not above the {prev_text}"),
            None,
        ),
    })
}

/// Verdicts on releases, kept in the repository's own git directory (never
/// written by a fetch or a push), for one pinned root.
struct Cache {
    path: Option<PathBuf>,
    key: String,
    entries: HashSet<(String, Oid)>,
    added: Vec<(String, Oid, Version)>,
    versions: HashMap<String, Version>,
}

const CACHE_VERSION: &str = "git-release-verified 1";

impl Drop for Cache {
    fn drop(&mut self) {
        self.save();
    }
}

impl Cache {
    fn open(repo: &Repo, pin: Option<&Pin>) -> Cache {
        let key = pin.map_or_else(|| "-".to_owned(), |p| p.commit.to_string());
        let path = Some(repo.git().commondir().join("git-release").join("verified"));
        let mut cache = Cache {
            path,
            key,
            entries: HashSet::new(),
            added: Vec::new(),
            versions: HashMap::new(),
        };
        let Some(text) = cache
            .path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
        else {
            return cache;
        };
        let mut lines = text.lines();
        if lines.next() != Some(CACHE_VERSION) {
            return cache;
        }
        for line in lines {
            let mut fields = line.split(' ');
            let (Some(root), Some(target), Some(version), Some(name), None) = (
                fields.next(),
                fields.next().and_then(|t| Oid::from_str(t).ok()),
                fields.next().and_then(|v| Version::parse(v).ok()),
                fields.next(),
                fields.next(),
            ) else {
                continue;
            };
            if root == cache.key {
                cache.entries.insert((name.to_owned(), target));
                cache.versions.insert(name.to_owned(), version);
            }
        }
        cache
    }

    fn contains(&self, name: &str, target: Oid) -> bool {
        self.entries.contains(&(name.to_owned(), target))
    }

    fn add(&mut self, name: &str, target: Oid) {
        if let Some(version) = self.versions.get(name).cloned() {
            self.entries.insert((name.to_owned(), target));
            self.added.push((name.to_owned(), target, version));
        }
    }

    /// Appends what was verified; best effort (a read-only clone just
    /// verifies again next time).
    fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if self.added.is_empty()
            || self
                .added
                .iter()
                .any(|(n, _, _)| n.contains(' ') || n.contains('\n'))
        {
            return;
        }
        let mut text = std::fs::read_to_string(path)
            .ok()
            .filter(|t| t.starts_with(CACHE_VERSION))
            .unwrap_or_else(|| format!("{CACHE_VERSION}\n"));
        for (name, target, version) in self.added.drain(..) {
            text.push_str(&format!("{} {target} {version} {name}\n", self.key));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = crate::git::writer::write_atomically(path, text.as_bytes());
    }
}

fn short(id: &Oid) -> String {
    id.to_string()[..7].to_owned()
}
