//! Verifying an existing release tag (CI on a tag push, and the pre-push
//! hook): the tag names a commit and a valid version, the version is what
//! the plan says (or at least above the previous release), and the trusted
//! policy is met by evidence bound to the released commit and tree.

use std::collections::HashSet;
use std::path::PathBuf;

use git2::{ObjectType, Oid};
use semver::Version;
use serde::Serialize;

use crate::Error;
use crate::config::Config;
use crate::gate::requirements::{Report, Requirement};
use crate::gate::verdict::{self, Candidate};
use crate::git::repo::{Repo, git_err};
use crate::history::bump::{self, Overrides};
use crate::history::plan;
use crate::history::scope::{self, Options};

use crate::history::trailer;

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
            ok: false,
            checks: vec![check(name, false, detail, fix)],
            gate: None,
            warnings: Vec::new(),
        }
    }
}

/// Verifies the tag `name` whose ref points at `target` (a tag object or a
/// commit). `target` comes from the caller, never re-resolved by name, so
/// the hook checks exactly what is being pushed.
pub fn verify(
    repo: &Repo,
    config: &Config,
    name: &str,
    target: Oid,
) -> Result<Verification, Error> {
    repo.ensure_complete()?;
    let packages = crate::packages::all(config)?;
    let Some((package, version)) = crate::packages::for_tag(&packages, name) else {
        let templates: Vec<&str> = packages.iter().map(|p| p.tag.as_str()).collect();
        return Ok(Verification::failed(
            name,
            "tag",
            format!(
                "`{name}` is not a release tag: it does not match {} with a semantic version",
                templates.join(", ")
            ),
            None,
        ));
    };
    let template = package.template.clone();
    let index = scope::index(repo, &template)?;
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
        .map(|m| trailer::parse(&String::from_utf8_lossy(m)))
        .unwrap_or_default();
    let field = |key: &str| trailer::find(&record, key).next().map(str::to_owned);
    let tagger = annotated
        .and_then(|t| t.tagger())
        .map(|s| String::from_utf8_lossy(s.email_bytes()).into_owned());

    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    if annotated.is_none() {
        warnings.push(format!(
            "`{name}` is a lightweight tag: it carries no release record"
        ));
    }

    // The candidate: the release record's, which may be the parent of a
    // release commit that only touches release files.
    let candidate = match field("Release-Candidate").map(|c| Oid::from_str(c.trim())) {
        Some(Ok(candidate)) if candidate != commit => {
            let tag_commit = repo.commit(commit)?;
            let parent = tag_commit.parent_id(0).ok();
            if parent != Some(candidate) {
                checks.push(check(
                    "release commit",
                    false,
                    format!("the release record names candidate {}, which is not the parent of the tagged commit {}", short(&candidate), short(&commit)),
                    None,
                ));
                candidate
            } else {
                // What a release commit may change is read from the trusted
                // revision too, not from the checked-out configuration.
                let trusted = crate::gate::trust_base::load(
                    repo,
                    crate::gate::trust_base::base(&index, Some(&version)),
                    candidate,
                )?;
                let allowed: HashSet<PathBuf> = trusted.release_files.into_iter().collect();
                let old = repo
                    .commit(candidate)?
                    .tree()
                    .map_err(git_err("reading a tree"))?;
                let new = tag_commit.tree().map_err(git_err("reading a tree"))?;
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
                let other: Vec<String> = changed
                    .iter()
                    .filter(|p| !allowed.contains(*p))
                    .map(|p| p.display().to_string())
                    .collect();
                if other.is_empty() {
                    checks.push(check(
                        "release commit",
                        true,
                        format!(
                            "{} changes only release files since the candidate {}",
                            short(&commit),
                            short(&candidate)
                        ),
                        None,
                    ));
                } else {
                    checks.push(check(
                        "release commit",
                        false,
                        format!(
                            "{} changes more than release files since the candidate {}: {}",
                            short(&commit),
                            short(&candidate),
                            other.join(", ")
                        ),
                        None,
                    ));
                }
                candidate
            }
        }
        Some(Err(_)) => {
            checks.push(check(
                "release record",
                false,
                "the `Release-Candidate` trailer is not an object id".to_owned(),
                None,
            ));
            commit
        }
        _ => commit,
    };

    // The version: what the plan says, or at least above the previous release.
    let options = Options {
        first_parent: config.commits.first_parent,
        pre_releases: !version.pre.is_empty(),
        below: Some(version.clone()),
        paths: package.paths.clone(),
        exclude: package.exclude.clone(),
    };
    let history = scope::find(repo, &index, &template, candidate, &options)?;
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
    let mut rules = plan::rules(config, options.first_parent);
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
    match (&expected, above_previous) {
        (Some(e), true) if *e == version => checks.push(check(
            "version",
            true,
            format!("{version} is the planned version after {prev_text}"),
            None,
        )),
        (_, true) => checks.push(check(
            "version",
            true,
            format!(
                "{version} is above the {prev_text} (the commits alone would give {})",
                expected
                    .as_ref()
                    .map_or_else(|| "no release".to_owned(), Version::to_string)
            ),
            None,
        )),
        (_, false) => checks.push(check(
            "version",
            false,
            format!("{version} is not above the {prev_text}"),
            None,
        )),
    }

    let assessment = verdict::assess(
        repo,
        &Candidate {
            commit: candidate,
            tag: name.to_owned(),
            base: crate::gate::trust_base::base(&index, Some(&version)),
            changes: &history.changes,
            tagger,
            override_window: field("Window-Override").as_deref(),
        },
    )?;
    warnings.extend(assessment.warnings);
    if repo
        .git()
        .find_reference(crate::gate::evidence::TESTS_REF)
        .is_err()
        && repo
            .git()
            .find_reference(crate::gate::evidence::APPROVALS_REF)
            .is_err()
        && assessment.has_policy
    {
        warnings.push("no evidence notes in this clone; fetch them: `git fetch origin 'refs/notes/release/*:refs/notes/release/*'`".to_owned());
    }
    let ok = checks.iter().all(|c| c.ok) && assessment.report.ok;
    Ok(Verification {
        tag: name.to_owned(),
        commit: Some(commit.to_string()),
        candidate: Some(candidate.to_string()),
        version: Some(version.to_string()),
        ok,
        checks,
        gate: Some(assessment.report),
        warnings,
    })
}

fn short(id: &Oid) -> String {
    id.to_string()[..7].to_owned()
}
