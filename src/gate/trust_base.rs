//! The trusted revision: policy and allowed signers are read from a release
//! that already exists (by default the highest final release below the new
//! version, on any branch), never from the candidate, so a release cannot
//! loosen its own rules or add its own signers. Only `[gate]` (and the
//! changelog path a release commit may touch) is read there, so a key that
//! later versions dropped does not make the old file unreadable.

use std::path::{Path, PathBuf};

use git2::Oid;
use semver::Version;

use crate::Error;
use crate::config::{FILE_NAME, GateConfig};
use crate::gate::policy::Policy;
use crate::gate::signatures::AllowedSigners;
use crate::git::repo::Repo;
use crate::git::tags::{ReleaseTag, TagIndex};

/// The policy and signers in force for a candidate.
pub struct Trusted {
    /// The resolved policy.
    pub policy: Policy,
    /// The allowed signers at the trusted revision, when the file exists there.
    pub signers: Option<AllowedSigners>,
    /// Why the signers could not be read, if they could not.
    pub signers_problem: Option<String>,
    /// What a release commit may change, per the trusted revision: the
    /// changelogs, version files and lock files.
    pub release_files: Vec<PathBuf>,
    /// A warning to show (first release: the candidate's own policy).
    pub warning: Option<String>,
}

/// The release whose policy governs a new release of `version`: the highest
/// final release below it on any branch; failing that the highest release
/// of any kind; `None` only when there is no release at all.
pub fn base<'i>(index: &'i TagIndex, version: Option<&Version>) -> Option<&'i ReleaseTag> {
    let below = |t: &&ReleaseTag| version.is_none_or(|v| t.version < *v);
    index
        .releases
        .iter()
        .filter(|t| t.version.pre.is_empty())
        .find(below)
        .or_else(|| index.releases.iter().find(below))
        .or_else(|| index.releases.iter().find(|t| t.version.pre.is_empty()))
        .or_else(|| index.releases.first())
}

struct Read {
    gate: GateConfig,
    release_files: Vec<PathBuf>,
}

/// The files a release commit may change, read leniently from a config table.
fn release_files(table: &toml::Table) -> Vec<PathBuf> {
    let mut files = vec![
        PathBuf::from("Cargo.lock"),
        PathBuf::from("package-lock.json"),
    ];
    let version_files = |value: Option<&toml::Value>, files: &mut Vec<PathBuf>| {
        for item in value.and_then(|v| v.as_array()).into_iter().flatten() {
            let path = item
                .as_str()
                .or_else(|| item.get("path").and_then(|p| p.as_str()));
            files.extend(path.map(PathBuf::from));
        }
    };
    files.push(
        table
            .get("changelog")
            .and_then(|c| c.get("path"))
            .and_then(|p| p.as_str())
            .map_or_else(|| PathBuf::from("CHANGELOG.md"), PathBuf::from),
    );
    version_files(table.get("version-files"), &mut files);
    for package in table
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        version_files(package.get("version-files"), &mut files);
        let first_path = package.get("path").and_then(|p| p.as_str()).or_else(|| {
            package
                .get("paths")
                .and_then(|p| p.as_array())
                .and_then(|a| a.first())
                .and_then(|p| p.as_str())
        });
        let changelog = package
            .get("changelog")
            .and_then(|c| c.as_str())
            .map(PathBuf::from)
            .or_else(|| first_path.map(|p| PathBuf::from(p).join("CHANGELOG.md")));
        files.extend(changelog);
    }
    files
}

/// How to get past a trusted policy that cannot be read. A release cannot
/// fix the policy it is gated by (`tag` refuses it like any other), so the
/// way out depends on where the policy was read.
fn broken_policy_hints(label: &str) -> Vec<String> {
    if label.starts_with("the candidate") {
        return vec![
            "no release exists yet, so the policy is read from the candidate: fix `.release.toml`, commit, and run again".to_owned(),
        ];
    }
    if let Some(rev) = label.strip_prefix("revision ") {
        return vec![format!(
            "`gate.trust` names `{rev}`: if it is a branch, commit a valid `.release.toml` there; otherwise the release that set `gate.trust` has to be replaced"
        )];
    }
    let tag = label.strip_prefix("release ").unwrap_or(label);
    vec![
        format!(
            "a release cannot fix the policy it is gated by, so `git release tag` refuses every release whose policy comes from `{tag}`"
        ),
        format!(
            "if `{tag}` was never pushed: delete it (`git tag -d {tag}`), fix `.release.toml`, commit, and release again"
        ),
        format!(
            "if it was published, replacing it is the maintainers' decision: fix `.release.toml`, delete the tag here and on the remote (`git push origin :refs/tags/{tag}`), and release again"
        ),
    ]
}

fn read_at(repo: &Repo, commit: Oid, label: &str) -> Result<Read, Error> {
    let origin = format!("{FILE_NAME} at {label}");
    let Some(bytes) = repo.blob_at(commit, Path::new(FILE_NAME))? else {
        return Ok(Read {
            gate: GateConfig::default(),
            release_files: release_files(&toml::Table::new()),
        });
    };
    let broken = |message: String| Error::Refused {
        message,
        hints: broken_policy_hints(label),
    };
    let text =
        String::from_utf8(bytes).map_err(|_| broken(format!("`{origin}` is not valid UTF-8")))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        broken(format!(
            "the trusted policy `{origin}` is not valid TOML: {}",
            e.message().trim()
        ))
    })?;
    let gate = match table.get("gate") {
        Some(value) => value.clone().try_into::<GateConfig>().map_err(|e| {
            broken(format!(
                "the trusted policy `{origin}` has an invalid `[gate]`: {}",
                e.message().trim()
            ))
        })?,
        None => GateConfig::default(),
    };
    Ok(Read {
        gate,
        release_files: release_files(&table),
    })
}

/// Where `path` leads in `commit`'s tree when it, or a folder on the way,
/// is a symlink: the target, kept inside the tree (`None` otherwise).
fn link_target(repo: &Repo, commit: Oid, path: &Path) -> Option<PathBuf> {
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

/// Loads the policy for `candidate` from the release `base` (see [`base`]).
pub fn load(repo: &Repo, base: Option<&ReleaseTag>, candidate: Oid) -> Result<Trusted, Error> {
    let (mut commit, mut label, mut warning) = match base {
        Some(tag) => (tag.commit, format!("release {}", tag.name), None),
        None => (
            candidate,
            format!("the candidate {}", &candidate.to_string()[..7]),
            Some("no release exists yet: the policy is read from the candidate itself (first release)".to_owned()),
        ),
    };
    let mut read = read_at(repo, commit, &label)?;
    if read.gate.trust != "previous-release" {
        let rev = read.gate.trust.clone();
        commit = repo.resolve(&rev).map_err(|e| {
            Error::refused(
                format!("the trusted revision `{rev}` (gate.trust at {label}) cannot be read: {e}"),
                &["fetch it (`git fetch origin`), or set `gate.trust = \"previous-release\"` in the next release"],
            )
        })?;
        label = format!("revision {rev}");
        warning = None;
        read = read_at(repo, commit, &label)?;
    }
    // A release file that is a symlink in the trusted tree is written
    // through: its target may change too.
    let targets: Vec<PathBuf> = read
        .release_files
        .iter()
        .filter_map(|path| link_target(repo, commit, path))
        .collect();
    read.release_files.extend(targets);
    let source = format!("{FILE_NAME} at {label}");
    let policy = Policy::from_config(&read.gate, source.clone()).map_err(|e| Error::Refused {
        message: format!("the trusted policy `{source}`: {e}"),
        hints: broken_policy_hints(&label),
    })?;
    let path = &read.gate.allowed_signers;
    let (signers, signers_problem) = match repo.blob_at(commit, path)? {
        Some(bytes) => match AllowedSigners::parse(&String::from_utf8_lossy(&bytes)) {
            Ok(signers) => (Some(signers), None),
            Err(e) => (None, Some(format!("`{}` at {label}: {e}", path.display()))),
        },
        None => (
            None,
            Some(format!("`{}` does not exist at {label}", path.display())),
        ),
    };
    Ok(Trusted {
        policy,
        signers,
        signers_problem,
        release_files: read.release_files,
        warning,
    })
}
