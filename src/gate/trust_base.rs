//! The trust base of a candidate: the revisions whose configuration governs
//! it. Never the candidate itself, never the work tree, and never merely a
//! tag with a lower version.
//!
//! The trust model, in one paragraph: a candidate is governed by the
//! *frontier* of verified releases in its history — each verified release
//! tag reachable from the candidate that is not behind another one — or by
//! the root the verifier pins outside the repository (`--trust-root`,
//! `GIT_RELEASE_TRUST_ROOT`, or git config `release.trustRoot`). A release is
//! verified when its own evidence met the policy of every revision in its own
//! trust base, in a chain down to the pinned root or, when nothing is pinned,
//! to a first release (a release with no release before it, which governs
//! itself; the output says so). Everything that decides whether a release is
//! allowed — the policy, allowed signers, tag templates, packages, what a
//! release commit may change, and the identity mapping (`.mailmap`) — is read
//! from the trust base. A release that changes any of them is therefore
//! gated by the rules it replaces, as TUF rotates its root.
//!
//! In: the repository, a candidate commit, and a predicate saying whether a
//! tag is a verified release (so the chain is walked by
//! [`crate::gate::verify_tag`]). Out: [`Base`]s, each with its configuration
//! and resolved [`Trusted`] policy.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use git2::Oid;

use crate::Error;
use crate::config::{Config, FILE_NAME};
use crate::gate::policy::Policy;
use crate::gate::signatures::AllowedSigners;
use crate::git::repo::{Repo, git_err};

/// The environment variable that pins the trust root.
pub const ROOT_ENV: &str = "GIT_RELEASE_TRUST_ROOT";
/// The git configuration key that pins the trust root.
pub const ROOT_CONFIG: &str = "release.trustRoot";

/// A root the verifier pins outside the repository.
#[derive(Debug, Clone)]
pub struct Pin {
    /// The pinned commit.
    pub commit: Oid,
    /// How it was given, for messages (`--trust-root v1.0.0`, …).
    pub label: String,
}

/// The pinned trust root, if any: `flag` (from `--trust-root`), else the
/// environment variable, else git config. The revision must resolve to a
/// commit in this repository.
pub fn pinned(repo: &Repo, flag: Option<&str>) -> Result<Option<Pin>, Error> {
    let env = std::env::var(ROOT_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (rev, source) = match (flag, env, repo.config_value(ROOT_CONFIG)) {
        (Some(rev), _, _) => (rev.to_owned(), "--trust-root"),
        (None, Some(rev), _) => (rev, ROOT_ENV),
        (None, None, Some(rev)) => (rev, ROOT_CONFIG),
        (None, None, None) => return Ok(None),
    };
    let rev = rev.trim().to_owned();
    let commit = repo.resolve(&rev).map_err(|e| {
        Error::refused(
            format!("the pinned trust root `{rev}` ({source}) cannot be read: {e}"),
            &[
                "fetch it (`git fetch --tags origin`), or pin a commit this clone has",
                "pin by full commit id where you can: a tag or branch name can be moved by whoever pushes it",
            ],
        )
    })?;
    Ok(Some(Pin {
        commit,
        label: format!("the pinned trust root {rev} ({source})"),
    }))
}

/// The policy and signers in force at a trust base.
#[derive(Debug, Clone)]
pub struct Trusted {
    /// The resolved policy.
    pub policy: Policy,
    /// The allowed signers at the trusted revision, when the file exists there.
    pub signers: Option<AllowedSigners>,
    /// Why the signers could not be read, if they could not.
    pub signers_problem: Option<String>,
    /// What a release commit may change: the changelogs, version files and
    /// lock files the trusted configuration names.
    pub release_files: Vec<PathBuf>,
    /// The trusted `.mailmap`, if there is one.
    pub mailmap: Option<String>,
}

/// One revision of a candidate's trust base.
#[derive(Debug, Clone)]
pub struct Base {
    /// Its commit.
    pub commit: Oid,
    /// What it is, for messages: `release v1.0.0`, the pinned root, or the
    /// candidate itself for a first release.
    pub label: String,
    /// The configuration there (defaults when it has none).
    pub config: Config,
    /// Its policy, signers and the rest of what the gate reads.
    pub trusted: Trusted,
    /// The candidate's own configuration (a first release with nothing
    /// pinned), not a revision before it.
    pub own: bool,
}

/// A candidate's trust base.
#[derive(Debug, Clone, Default)]
pub struct Bases {
    /// The revisions whose rules the candidate must meet (all of them). The
    /// first is the primary one, whose tag templates and packages classify
    /// the release; empty only for a first release with nothing pinned.
    pub bases: Vec<Base>,
    /// Set for a first release with nothing pinned: the candidate governs
    /// itself, and this says so.
    pub warning: Option<String>,
}

impl Bases {
    /// The primary base: the highest verified release of the frontier, or
    /// the pinned root.
    pub fn primary(&self) -> Option<&Base> {
        self.bases.first()
    }

    /// The commits of the trust base (where a release's scope ends).
    pub fn commits(&self) -> Vec<Oid> {
        self.bases
            .iter()
            .filter(|b| !b.own)
            .map(|b| b.commit)
            .collect()
    }
}

/// Reads the configuration at `commit` and resolves what the gate needs.
/// A configuration that cannot be read is an error: a trust base's rules
/// are never guessed.
pub fn read_base(repo: &Repo, commit: Oid, label: String) -> Result<Base, Error> {
    let config = config_at(repo, commit, &label)?;
    let mut source_commit = commit;
    let mut source_label = label.clone();
    if config.gate.trust != "previous-release" {
        let rev = config.gate.trust.trim();
        let is_full_id = rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_full_id {
            return Err(Error::refused(
                format!(
                    "`gate.trust = \"{rev}\"` in {FILE_NAME} at {label} names a revision that can move: whoever pushes to it would choose the policy"
                ),
                &[
                    "name the revision by its full commit id (`git rev-parse REV`), or remove `gate.trust`: the last verified release governs by default",
                ],
            ));
        }
        source_commit = Oid::from_str(rev).map_err(git_err("reading `gate.trust`"))?;
        if !repo.reachable(commit, source_commit)? {
            return Err(Error::refused(
                format!(
                    "`gate.trust = \"{rev}\"` in {FILE_NAME} at {label} is not in that release's history"
                ),
                &["name a commit the release descends from, or remove `gate.trust`"],
            ));
        }
        source_label = format!("revision {} (gate.trust at {label})", &rev[..7]);
    }
    let gate_config = if source_commit == commit {
        config.clone()
    } else {
        config_at(repo, source_commit, &source_label)?
    };
    let source = format!("{FILE_NAME} at {source_label}");
    let policy =
        Policy::from_config(&gate_config.gate, source.clone()).map_err(|e| Error::Refused {
            message: format!("the trusted policy `{source}`: {e}"),
            hints: broken_hints(&label),
        })?;
    let path = &gate_config.gate.allowed_signers;
    let (signers, signers_problem) = match repo.blob_at(source_commit, path)? {
        Some(bytes) => match AllowedSigners::parse(&String::from_utf8_lossy(&bytes)) {
            Ok(signers) => (Some(signers), None),
            Err(e) => (
                None,
                Some(format!("`{}` at {source_label}: {e}", path.display())),
            ),
        },
        None => (
            None,
            Some(format!(
                "`{}` does not exist at {source_label}",
                path.display()
            )),
        ),
    };
    let mailmap = repo
        .blob_at(commit, Path::new(".mailmap"))?
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok(Base {
        commit,
        trusted: Trusted {
            policy,
            signers,
            signers_problem,
            release_files: {
                // A release file that is a symlink in the trusted tree is
                // written through: its target may change too.
                let mut files = release_files(&config);
                let targets: Vec<PathBuf> = files
                    .iter()
                    .filter_map(|path| link_target(repo, commit, path))
                    .collect();
                files.extend(targets);
                files
            },
            mailmap,
        },
        config,
        label,
        own: false,
    })
}

/// How to get past a trusted configuration that cannot be read.
fn broken_hints(label: &str) -> Vec<String> {
    if label.starts_with("the candidate") {
        return vec![
            "no verified release precedes it, so its own configuration is read: fix `.release.toml`, commit, and run again".to_owned(),
        ];
    }
    vec![PIN_HINT.to_owned()]
}

const PIN_HINT: &str = "the rules are read from the last verified release, so a broken configuration there is fixed by pinning a good revision: `git release verify --trust-root REV` (or git config `release.trustRoot`)";

/// The full configuration at a commit (defaults when it has none).
pub fn config_at(repo: &Repo, commit: Oid, label: &str) -> Result<Config, Error> {
    let Some(bytes) = repo.blob_at(commit, Path::new(FILE_NAME))? else {
        return Ok(Config::default());
    };
    let origin = format!("{FILE_NAME} at {label}");
    let text = String::from_utf8(bytes).map_err(|_| Error::Refused {
        message: format!("the trusted `{origin}` is not valid UTF-8"),
        hints: broken_hints(label),
    })?;
    Config::parse(&text, &origin).map_err(|e| {
        let mut hints = broken_hints(label);
        hints.extend(e.hints());
        Error::Refused {
            message: format!("the trusted configuration cannot be read: {e}"),
            hints,
        }
    })
}

/// The files a release commit may change under `config`: changelogs,
/// version files, and the lock files at the root.
fn release_files(config: &Config) -> Vec<PathBuf> {
    let mut files = vec![
        PathBuf::from("Cargo.lock"),
        PathBuf::from("package-lock.json"),
        config.changelog.path(),
    ];
    files.extend(config.version_files.iter().map(|f| f.path().to_path_buf()));
    for package in &config.package {
        files.extend(package.version_files.iter().map(|f| f.path().to_path_buf()));
        match &package.changelog {
            Some(path) => files.push(path.clone()),
            None => files.extend(package.all_paths().first().map(|p| p.join("CHANGELOG.md"))),
        }
    }
    files
}

/// How a walk for a trust base ended.
pub enum Walk {
    /// It reached the frontier.
    Done(Frontier),
    /// It met a tag whose verdict is not known yet: settle that one first.
    Blocked(String),
}

/// Where the walk for a candidate's trust base stopped.
pub struct Frontier {
    /// Commits with a verified release (or the pin), nearest first by walk
    /// order, each with the tags there that are verified releases.
    pub found: Vec<(Oid, Vec<String>)>,
}

/// Walks back from `candidate` (not into `barren` commits, which have no
/// verified release at or below them) and stops at every commit that carries a
/// verified release (`verified` says which tags are, or `None` when it does
/// not know yet, which ends the walk as [`Walk::Blocked`]) or is the pinned
/// root:
/// those commits are the frontier. With a pin, tags that do not descend
/// from it are not considered, and a candidate that does not descend from it
/// has no trust base.
pub fn frontier(
    repo: &Repo,
    candidate: Oid,
    tags_at: &HashMap<Oid, Vec<String>>,
    pin: Option<&Pin>,
    barren: &mut HashSet<Oid>,
    mut verified: impl FnMut(&str) -> Result<Option<bool>, Error>,
) -> Result<Walk, Error> {
    let git = repo.git();
    let mut seen: HashSet<Oid> = HashSet::new();
    let mut queue: VecDeque<Oid> = VecDeque::new();
    let mut found = Vec::new();
    // The candidate's own tags never govern it: start from its parents.
    let start = git
        .find_commit(candidate)
        .map_err(git_err("reading the candidate"))?;
    queue.extend(start.parent_ids());
    while let Some(id) = queue.pop_front() {
        // Nothing at or below a barren commit is a verified release.
        if barren.contains(&id) || !seen.insert(id) {
            continue;
        }
        if pin.is_some_and(|p| p.commit == id) {
            found.push((id, Vec::new()));
            continue;
        }
        if let Some(names) = tags_at.get(&id) {
            let in_pin_history = match pin {
                Some(p) => repo.reachable(id, p.commit)?,
                None => true,
            };
            if in_pin_history {
                let mut good = Vec::new();
                for name in names {
                    match verified(name)? {
                        Some(true) => good.push(name.clone()),
                        Some(false) => {}
                        None => return Ok(Walk::Blocked(name.clone())),
                    }
                }
                if !good.is_empty() {
                    found.push((id, good));
                    continue;
                }
            }
        }
        let commit = git
            .find_commit(id)
            .map_err(git_err("walking history for the trust base"))?;
        queue.extend(commit.parent_ids());
    }
    // Verdicts, once given, stay: a walk that found no verified release
    // proves every commit it visited barren, and later walks stop there
    // (histories with many tags and no release stay linear, not quadratic).
    if found.is_empty() {
        barren.extend(seen);
    }
    // A base reached along one path may still be behind another base (a
    // branch forked before the newer release and merged after it): only the
    // newest ones govern.
    let mut frontier = Vec::new();
    for (i, (id, names)) in found.iter().enumerate() {
        let mut behind = false;
        for (j, (other, _)) in found.iter().enumerate() {
            if i != j && id != other && repo.reachable(*other, *id)? {
                behind = true;
                break;
            }
        }
        if !behind {
            frontier.push((*id, names.clone()));
        }
    }
    Ok(Walk::Done(Frontier { found: frontier }))
}

/// Where `path` leads in `commit`'s tree when it, or a folder on the way,
/// is a symlink: the target, kept inside the tree (`None` otherwise).
pub fn link_target(repo: &Repo, commit: Oid, path: &Path) -> Option<PathBuf> {
    let git = repo.git();
    let tree = git.find_commit(commit).ok()?.tree().ok()?;
    let mut current = normalize(path)?;
    let mut followed = false;
    for _ in 0..40 {
        let components: Vec<_> = current.components().collect();
        let mut prefix = PathBuf::new();
        let mut link = None;
        for (i, component) in components.iter().enumerate() {
            prefix.push(component);
            match tree.get_path(&prefix) {
                Ok(entry) if entry.filemode() == i32::from(git2::FileMode::Link) => {
                    link = Some((prefix.clone(), entry.id(), i));
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let Some((link, blob, at)) = link else {
            return followed.then_some(current);
        };
        let blob = git.find_blob(blob).ok()?;
        let target = Path::new(std::str::from_utf8(blob.content()).ok()?);
        if target.is_absolute() {
            return None;
        }
        let mut next = link.parent().map(Path::to_path_buf).unwrap_or_default();
        next.push(target);
        next.extend(&components[at + 1..]);
        current = normalize(&next)?;
        followed = true;
    }
    None
}

/// A relative path with `.` and `..` resolved; `None` if it leaves the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::Normal(part) => out.push(part),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}
