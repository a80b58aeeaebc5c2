//! The release plan: last release and why, commits in scope with the bump
//! each causes, next version and why. Serializes as the `plan` JSON contract.

use serde::Serialize;

use crate::Error;
use crate::config::Config;
use crate::git::repo::Repo;
use crate::git::tags::{RawTag, TagIndex, Template};
use crate::history::bump::{self, Decision, Overrides, Rules};
use crate::history::change::{Change, Person};
use crate::history::scope::{self, History};
use crate::history::trailer::Trailer;
use crate::history::version::Bump;
use crate::packages::Package;

/// A released version.
#[derive(Debug, Clone, Serialize)]
pub struct Released {
    /// Version without prefix.
    pub version: String,
    /// The tag.
    pub tag: String,
    /// The tagged commit.
    pub commit: String,
}

/// The version to release.
#[derive(Debug, Clone, Serialize)]
pub struct Next {
    /// Version without prefix.
    pub version: String,
    /// The tag it will get.
    pub tag: String,
}

/// One commit in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedCommit {
    /// Full id.
    pub id: String,
    /// Seven-character id.
    pub short_id: String,
    /// First line of the message.
    pub summary: String,
    /// Conventional type, lower-cased, or `null`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Conventional scope.
    pub scope: Option<String>,
    /// Breaking change.
    pub breaking: bool,
    /// The bump this commit causes.
    pub bump: Bump,
    /// Why it causes that bump.
    pub why: String,
    /// Whether the message is a Conventional Commit.
    pub conventional: bool,
    /// Whether it is a merge commit.
    pub merge: bool,
    /// The commit in scope that reverts this one.
    pub reverted_by: Option<String>,
    /// The commit in scope this one reverts (and so cancels).
    pub reverts: Option<String>,
    /// For a cancelled pair, how the revert was matched: `id` or `header`.
    pub revert_matched_by: Option<bump::RevertMatch>,
    /// Whether it comes after the last pre-release (always true without one).
    pub since_previous: bool,
    /// The author.
    pub author: Person,
    /// Git trailers.
    pub trailers: Vec<Trailer>,
}

/// A dependency released at the same time.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyUpdate {
    /// The dependency.
    pub package: String,
    /// The name its manifest gives it (crate or npm name), when it differs.
    pub manifest_name: Option<String>,
    /// Its new version.
    pub version: String,
}

/// A tag not chosen as the last release.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedTag {
    /// The tag.
    pub tag: String,
    /// Why not.
    pub reason: String,
}

/// The gate's verdict, as embedded in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct GateSummary {
    /// All requirements met.
    pub ok: bool,
    /// Where the policy was read from (`null` when nothing is releasable).
    pub policy: Option<String>,
    /// Each requirement.
    pub requirements: Vec<crate::gate::requirements::Requirement>,
}

/// The whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The package, or `null` for the whole repository.
    pub package: Option<String>,
    /// The candidate commit.
    pub candidate: String,
    /// The last release, or `null` before the first.
    pub previous: Option<Released>,
    /// Why that tag is the last release.
    pub previous_reason: String,
    /// The next release, or `null` when nothing is releasable.
    pub next: Option<Next>,
    /// The bump applied.
    pub bump: Bump,
    /// Why this version.
    pub reason: String,
    /// Commits in scope, newest first (merges only in first-parent mode).
    pub commits: Vec<PlannedCommit>,
    /// Higher-looking tags that were not chosen, with the reason.
    pub skipped_tags: Vec<SkippedTag>,
    /// Tags of the template's shape that are not releases.
    pub ignored_tags: Vec<SkippedTag>,
    /// Packages this one depends on that are released now (monorepos).
    pub dependency_updates: Vec<DependencyUpdate>,
    /// Warnings (non-conventional commits and the like).
    pub warnings: Vec<String>,
    /// The gate.
    pub gate: GateSummary,
}

/// What the user asked of a plan.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The candidate revision; HEAD when `None`.
    pub rev: Option<String>,
    /// Explicit overrides.
    pub overrides: Overrides,
    /// `--first-parent` (or the config's `first-parent`).
    pub first_parent: bool,
}

/// What every package's plan reads alike: the tags (with the template each
/// looks like) and the packages, read once per command however many
/// packages are planned, and indexed so that one package's tags are found
/// without looking at the others'.
pub struct Shared {
    tags: Vec<RawTag>,
    /// Refs under `refs/tags/` whose names are not UTF-8.
    bad_names: usize,
    /// For each tag, the template its name looks like.
    guesses: Vec<Option<String>>,
    /// Tag positions sorted by name (a template's tags share its prefix).
    by_name: Vec<usize>,
    /// Tag positions by the prefix of the template they look like, without
    /// a final `v` (`p5-` for `p5-v1.0.0` and `p5-1.0.0`), in listing order.
    by_guess: std::collections::HashMap<String, Vec<usize>>,
    packages: Vec<Package>,
}

/// A tag prefix without its final `v` (`app-v` and `app-` are one family).
fn unv(prefix: &str) -> &str {
    prefix.strip_suffix(['v', 'V']).unwrap_or(prefix)
}

impl Shared {
    /// Lists the tags and the configured packages.
    pub fn read(repo: &Repo, config: &Config) -> Result<Shared, Error> {
        let (tags, bad_names) = repo.tags(|_| true)?;
        let guesses: Vec<Option<String>> = tags
            .iter()
            .map(|t| crate::git::tags::guess_template(&t.name))
            .collect();
        let mut by_name: Vec<usize> = (0..tags.len()).collect();
        by_name.sort_by(|&a, &b| tags[a].name.cmp(&tags[b].name));
        let mut by_guess: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, guess) in guesses.iter().enumerate() {
            if let Some(guess) = guess {
                let prefix = guess.trim_end_matches("{version}");
                by_guess.entry(unv(prefix).to_owned()).or_default().push(i);
            }
        }
        Ok(Shared {
            tags,
            bad_names,
            guesses,
            by_name,
            by_guess,
            packages: crate::packages::all(config)?,
        })
    }

    /// The release tags of one template, as [`scope::index`] reads them:
    /// only the tags that start with its prefix are parsed.
    pub fn index(&self, template: &Template) -> TagIndex {
        let prefix = template.prefix();
        let start = self
            .by_name
            .partition_point(|&i| self.tags[i].name.as_str() < prefix);
        let mut candidates: Vec<usize> = self.by_name[start..]
            .iter()
            .copied()
            .take_while(|&i| self.tags[i].name.starts_with(prefix))
            .collect();
        // In listing order, as the tags were read.
        candidates.sort_unstable();
        let subset: Vec<RawTag> = candidates.iter().map(|&i| self.tags[i].clone()).collect();
        let mut index = TagIndex::build(template, &subset);
        index.unmatched += self.tags.len() - subset.len() + self.bad_names;
        index
    }
}

/// The rules for bumping from configuration.
pub fn rules(config: &Config, first_parent: bool) -> Rules {
    Rules {
        types: config.types(),
        zero: config.commits.initial_development,
        strict: config.commits.strict,
        initial_version: config.initial_version.clone(),
        merges_count: first_parent,
    }
}

/// When no tag matches the template: the template the existing tags follow,
/// if most of those that end in a version agree, with examples.
fn template_hint(
    shared: &Shared,
    template: &crate::git::tags::Template,
    package: &Package,
) -> Option<String> {
    let mut counts: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (tag, guess) in shared.tags.iter().zip(&shared.guesses) {
        if let Some(guess) = guess {
            counts
                .entry(guess.clone())
                .or_default()
                .push(tag.name.clone());
        }
    }
    // For a package, prefer templates that name it.
    let best = counts
        .iter()
        .filter(|(guess, _)| **guess != template.text())
        .max_by_key(|(guess, names)| {
            let named = package.name.as_deref().is_some_and(|n| guess.contains(n));
            (named, names.len())
        });
    best.map(|(guess, names)| {
        // The newest versions first.
        let parsed = crate::git::tags::Template::new(guess).ok();
        let version = |name: &str| match parsed.as_ref().map(|t| t.parse(name)) {
            Some(crate::git::tags::Match::Version(v)) => Some(v),
            _ => None,
        };
        let mut examples: Vec<&str> = names.iter().map(String::as_str).collect();
        examples.sort_by(|a, b| version(b).cmp(&version(a)).then(b.cmp(a)));
        examples.truncate(3);
        let setting = if package.name.is_some() {
            "`tag` in its `[[package]]`"
        } else {
            "`tag` in `.release.toml`"
        };
        format!(
            "no tag matches `{}`, but {} tag(s) look like `{guess}` ({}): if those are your releases, set {setting} to `\"{guess}\"`",
            template.text(),
            names.len(),
            examples.join(", ")
        )
    })
}

/// Tags that look like releases newer than the last one but miss the
/// template only by a `v` (`8.0.1` among `v*` tags, `app-v2.0.0` under
/// `app-{version}`): they explain a version that seems wrong, so they are
/// named with the fix.
fn stray_tags_hint(
    repo: &Repo,
    shared: &Shared,
    template: &crate::git::tags::Template,
    candidate: git2::Oid,
    last: &crate::git::tags::ReleaseTag,
) -> Result<Option<String>, Error> {
    use crate::git::tags::Match;
    let zero = semver::Version::new(0, 0, 0);
    let formatted = template.format(&zero);
    let Some(ours) = formatted.strip_suffix("0.0.0") else {
        return Ok(None);
    };
    let ours = unv(ours).to_owned();
    let mut strays: Vec<(semver::Version, String, git2::Oid)> = Vec::new();
    let family = shared.by_guess.get(&ours).map_or(&[][..], Vec::as_slice);
    for (tag, guess) in family
        .iter()
        .map(|&i| (&shared.tags[i], &shared.guesses[i]))
    {
        let Some(commit) = tag.commit else { continue };
        let Some(guess) = guess else {
            continue;
        };
        if !matches!(template.parse(&tag.name), Match::Other) {
            continue;
        }
        let prefix = guess.trim_end_matches("{version}");
        if unv(prefix) != ours {
            continue;
        }
        let Ok(version) = semver::Version::parse(&tag.name[prefix.len()..]) else {
            continue;
        };
        if version <= last.version
            || repo
                .resolve(&format!("refs/tags/{}", template.format(&version)))
                .is_ok()
            || !repo.reachable(candidate, commit)?
        {
            continue;
        }
        strays.push((version, tag.name.clone(), commit));
    }
    strays.sort_by(|a, b| b.0.cmp(&a.0));
    let Some((version, name, commit)) = strays.first() else {
        return Ok(None);
    };
    let names: Vec<String> = strays
        .iter()
        .take(3)
        .map(|s| format!("`{}`", s.1))
        .collect();
    Ok(Some(format!(
        "{} tag(s) look like releases after {} but miss the template `{}` ({}{}), so they do not count: if `{name}` was a release, tag its commit as the template says (`git tag {} {}`)",
        strays.len(),
        last.name,
        template.text(),
        names.join(", "),
        if strays.len() > 3 { ", …" } else { "" },
        template.format(version),
        &commit.to_string()[..7],
    )))
}

/// The version a package's version files say at `candidate` (the first
/// that has one), with the file, as `` `package.json` ``.
fn version_file_floor(
    repo: &Repo,
    candidate: git2::Oid,
    package: &Package,
) -> Option<(semver::Version, String)> {
    use crate::config::VersionFileConfig;
    use crate::packages::version_files;
    // With no version files configured, a single-package repository's root
    // manifest says the version.
    let roots: Vec<VersionFileConfig> =
        if package.version_files.is_empty() && package.name.is_none() {
            ["Cargo.toml", "package.json", "pyproject.toml"]
                .into_iter()
                .map(|p| VersionFileConfig::Path(std::path::PathBuf::from(p)))
                .collect()
        } else {
            Vec::new()
        };
    package.version_files.iter().chain(&roots).find_map(|file| {
        let kind = version_files::kind_for(file.path(), file.pattern())?;
        let bytes = repo.blob_at(candidate, file.path()).ok()??;
        let shown = file.path().display().to_string();
        let text = String::from_utf8(bytes).ok()?;
        let version = version_files::read_version(&kind, &shown, &text).ok()??;
        let version = semver::Version::parse(version.trim()).ok()?;
        Some((version, format!("`{shown}`")))
    })
}

/// How to find a package's history since its last release.
fn scope_options(package: &Package, request: &Request, first_parent: bool) -> scope::Options {
    scope::Options {
        first_parent,
        pre_releases: request.overrides.pre.is_some(),
        below: None,
        paths: package.paths.clone(),
        exclude: package.exclude.clone(),
    }
}

/// Reads history and decides for one package: the plan and the history it
/// came from.
pub fn make(
    repo: &Repo,
    config: &Config,
    package: &Package,
    request: &Request,
) -> Result<(Plan, History), Error> {
    repo.ensure_complete()?;
    let candidate = repo.candidate(request.rev.as_deref())?;
    let template = package.template.clone();
    let first_parent = request.first_parent || config.commits.first_parent;
    let options = scope_options(package, request, first_parent);
    let shared = Shared::read(repo, config)?;
    let index = shared.index(&template);
    let history = scope::find(repo, &index, &template, candidate, &options)?;
    decide(repo, config, &shared, package, request, &index, history)
}

/// The plan of one package from its history (what [`make`] found, or one
/// package's share of a walk for all).
fn decide(
    repo: &Repo,
    config: &Config,
    shared: &Shared,
    package: &Package,
    request: &Request,
    index: &TagIndex,
    history: History,
) -> Result<(Plan, History), Error> {
    let candidate = history.candidate;
    let template = package.template.clone();
    let first_parent = request.first_parent || config.commits.first_parent;
    let siblings: Vec<&crate::git::tags::Template> = shared
        .packages
        .iter()
        .filter(|p| p.name != package.name)
        .map(|p| &p.template)
        .collect();
    let mut rules = rules(config, first_parent);
    rules.initial_version = package.initial_version.clone();
    let existing: Vec<_> = index
        .releases
        .iter()
        .map(|t| (t.version.clone(), t.name.clone()))
        .collect();
    // With no release tag yet, the version the project's version files
    // already say is the floor: the plan continues from it, never below.
    // A manifest still at the initial version (a new project) has released
    // nothing yet: its first release is that version.
    let floor = match (&history.last_final, &history.last_pre) {
        (None, None) => version_file_floor(repo, candidate, package)
            .filter(|(version, _)| *version > package.initial_version),
        _ => None,
    };
    let mut decision = bump::decide(
        history
            .last_final
            .as_ref()
            .map(|t| (&t.version, t.name.as_str()))
            .or(floor.as_ref().map(|(v, file)| (v, file.as_str()))),
        &history.changes,
        &existing,
        &rules,
        &request.overrides,
    )?;
    // A pre-release with nothing new since the last one is nothing to release.
    if history.last_pre.is_some() && !history.since_pre.iter().any(|&b| b) {
        decision.next = None;
        decision.reason = format!(
            "no commits since the pre-release {}",
            history.last_pre.as_ref().map_or("", |t| t.name.as_str())
        );
    }
    if history.last_final.is_none()
        && request.overrides.bump.is_some()
        && request.overrides.release_as.is_none()
    {
        decision
            .reason
            .push_str(" (`--bump` does not apply to the first release; use `--release-as X.Y.Z`)");
    }
    let mut plan = assemble(&history, index, &decision, &template, first_parent);
    if index.releases.is_empty() {
        if let Some(hint) = template_hint(shared, &template, package) {
            plan.warnings.push(hint);
        }
    }
    if let Some(last) = &history.last_final {
        if let Some(hint) = stray_tags_hint(repo, shared, &template, candidate, last)? {
            plan.warnings.push(hint);
        }
        // A version file already ahead of what would be released: written
        // by hand, or released under a tag this template does not see.
        let planned = decision.next.as_ref().unwrap_or(&last.version);
        if let Some((said, file)) = version_file_floor(repo, candidate, package)
            .filter(|(said, _)| said > planned && said.pre.is_empty())
        {
            plan.warnings.push(format!(
                "{file} says {said}, ahead of {}: if {said} is the version you mean, release it with `--release-as {said}`; if it was released, tag its commit (`git tag {} COMMIT`)",
                match &decision.next {
                    Some(next) => format!("the planned {next}"),
                    None => format!("the last release {}", last.name),
                },
                template.format(&said),
            ));
        }
    }
    if let Some((version, file)) = &floor {
        plan.previous_reason = format!(
            "no release tag matches `{}`; {file} says {version}, so the plan continues from it",
            template.text()
        );
        plan.warnings.push(format!(
            "no release tag matches `{}`: continuing from {version}, the version in {file}; if {version} was released from a commit, tag it (`git tag {} COMMIT`) so the next release covers only what came after",
            template.text(),
            template.format(version)
        ));
    }
    // Another package's release tags are not noise in this one's plan
    // (`tokio-util-0.7.5` under `tokio-{version}`).
    plan.ignored_tags.retain(|i| {
        !siblings
            .iter()
            .any(|t| matches!(t.parse(&i.tag), crate::git::tags::Match::Version(_)))
    });
    plan.package = package.name.clone();
    Ok((plan, history))
}

/// Plans the selected packages. In a monorepo the packages they depend on,
/// directly or not, are planned too, so that dependents of released
/// packages are released too: a package that depends on one being released
/// (declared in `depends-on`, or named in its version files) gets at least a
/// patch release (a pre-release with `--pre`).
pub fn make_all(
    repo: &Repo,
    config: &Config,
    selected: &[Package],
    request: &Request,
) -> Result<Vec<(Plan, History)>, Error> {
    if config.package.is_empty() {
        let mut plans = Vec::new();
        for package in selected {
            plans.push(make(repo, config, package, request)?);
        }
        return Ok(plans);
    }
    if selected.len() > 1
        && (request.overrides.bump.is_some() || request.overrides.release_as.is_some())
    {
        return Err(Error::refused(
            "`--bump` and `--release-as` set one package's version, and several are selected",
            &["name the package with `--package NAME`"],
        ));
    }
    let head = repo.candidate(request.rev.as_deref())?;
    let mut packages = crate::packages::all(config)?;
    crate::packages::read_manifest_names(&mut packages, |path| {
        repo.blob_at(head, path)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    });
    let is_selected = |p: &Package| selected.iter().any(|s| s.name == p.name);
    let depends: Vec<Vec<String>> = packages
        .iter()
        .map(|p| dependencies(repo, head, p, &packages))
        .collect();
    let position = |name: &String| packages.iter().position(|p| p.name.as_ref() == Some(name));
    // Plan the selected packages and what they depend on, directly or not.
    let mut needed: Vec<bool> = packages.iter().map(is_selected).collect();
    let mut queue: Vec<usize> = (0..packages.len()).filter(|&i| needed[i]).collect();
    while let Some(i) = queue.pop() {
        for j in depends[i].iter().filter_map(position) {
            if !needed[j] {
                needed[j] = true;
                queue.push(j);
            }
        }
    }
    let shared = Shared::read(repo, config)?;
    let indexes: Vec<Option<TagIndex>> = packages
        .iter()
        .zip(&needed)
        .map(|(p, &n)| n.then(|| shared.index(&p.template)))
        .collect();
    // Overrides name one package's version; the others plan as usual.
    let own_request = |package: &Package| {
        let mut own = request.clone();
        if !is_selected(package) {
            own.overrides.bump = None;
            own.overrides.release_as = None;
        }
        own
    };
    let first_parent = request.first_parent || config.commits.first_parent;
    let mut histories: Vec<Option<History>> = packages.iter().map(|_| None).collect();
    let mut loose: Option<Vec<String>> = None;
    repo.ensure_complete()?;
    if needed.iter().filter(|&&n| n).count() > 1 && !first_parent {
        // One walk of history for all of them.
        let wanted: Vec<usize> = (0..packages.len()).filter(|&i| needed[i]).collect();
        let targets: Vec<scope::Target<'_>> = wanted
            .iter()
            .filter_map(|&i| {
                Some(scope::Target {
                    index: indexes[i].as_ref()?,
                    template: &packages[i].template,
                    options: scope_options(&packages[i], request, false),
                })
            })
            .collect();
        let found = scope::find_many(repo, &targets, head)?;
        let mailmap = scope::mailmap(repo);
        for (&i, (mut history, commits)) in wanted.iter().zip(found.histories) {
            history.changes = commits
                .iter()
                .map(|c| scope::to_change(c, mailmap.as_ref()))
                .collect();
            histories[i] = Some(history);
        }
        if wanted.len() == packages.len() {
            loose = found.untouched.map(|commits| {
                commits
                    .iter()
                    .map(|c| {
                        format!(
                            "{} `{}`",
                            &c.id().to_string()[..7],
                            summary(c.message_bytes())
                        )
                    })
                    .collect()
            });
        }
    } else {
        let candidate = repo.candidate(request.rev.as_deref())?;
        for i in (0..packages.len()).filter(|&i| needed[i]) {
            let options = scope_options(&packages[i], request, first_parent);
            if let Some(index) = &indexes[i] {
                let template = &packages[i].template;
                histories[i] = Some(scope::find(repo, index, template, candidate, &options)?);
            }
        }
    }
    let mut plans: Vec<Option<(Plan, History)>> = Vec::new();
    for (i, package) in packages.iter().enumerate() {
        let (Some(history), Some(index)) = (histories[i].take(), &indexes[i]) else {
            plans.push(None);
            continue;
        };
        let own = own_request(package);
        plans.push(Some(decide(
            repo, config, &shared, package, &own, index, history,
        )?));
    }
    // Propagate until nothing changes (a dependency chain of any length).
    for _ in 0..packages.len() {
        let mut changed = false;
        for i in 0..packages.len() {
            if plans[i].is_none() {
                continue;
            }
            for dep in &depends[i] {
                let Some(j) = position(dep) else {
                    continue;
                };
                let Some(moved) = plans[j]
                    .as_ref()
                    .and_then(|(p, _)| p.next.as_ref())
                    .map(|n| n.version.clone())
                else {
                    continue;
                };
                let Some((plan_i, _)) = plans[i].as_mut() else {
                    continue;
                };
                if plan_i.dependency_updates.iter().any(|d| d.package == *dep) {
                    continue;
                }
                let update = DependencyUpdate {
                    package: dep.clone(),
                    manifest_name: packages[j].manifest_name.clone(),
                    version: moved.clone(),
                };
                if plan_i.next.is_none() {
                    let mut patch = request.clone();
                    patch.overrides.bump = Some(Bump::Patch);
                    patch.overrides.release_as = None;
                    // The same history, decided again with a patch bump.
                    let Some(index) = &indexes[i] else { continue };
                    let Some((_, history)) = plans[i].take() else {
                        continue;
                    };
                    let (mut plan, history) =
                        decide(repo, config, &shared, &packages[i], &patch, index, history)?;
                    if plan.next.is_none() {
                        // No commits and no release yet: its first release.
                        let version = packages[i].initial_version.clone();
                        plan.next = Some(Next {
                            version: version.to_string(),
                            tag: packages[i].template.format(&version),
                        });
                    }
                    plan.reason = format!("patch because dependency `{dep}` moves to {moved}");
                    plans[i] = Some((plan, history));
                }
                if let Some((plan_i, _)) = plans[i].as_mut() {
                    plan_i.dependency_updates.push(update);
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // After propagation, which may plan a package again.
    let warning = match loose {
        Some(loose) => loose_warning(loose),
        None => unassigned(repo, head, &packages, &plans)?,
    };
    if let Some(warning) = warning {
        if let Some((plan, _)) = plans
            .iter_mut()
            .flatten()
            .find(|(p, _)| selected.iter().any(|s| s.name == p.package))
        {
            plan.warnings.push(warning);
        }
    }
    let mut chosen = Vec::new();
    for (package, plan) in packages.iter().zip(plans) {
        if let Some(plan) = plan.filter(|_| is_selected(package)) {
            chosen.push(plan);
        }
    }
    Ok(chosen)
}

/// Commits since the newest package release that touch no package, when
/// every package is planned (not for a `--package` selection).
fn unassigned(
    repo: &Repo,
    head: git2::Oid,
    packages: &[Package],
    plans: &[Option<(Plan, History)>],
) -> Result<Option<String>, Error> {
    if packages.iter().any(|p| !p.is_scoped()) {
        // A package covers the whole repository: every commit is in one.
        return Ok(None);
    }
    let Some(plans) = plans.iter().map(Option::as_ref).collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let mut loose = Vec::new();
    let untouched: Option<Vec<&Vec<git2::Oid>>> = plans
        .iter()
        .filter(|(_, h)| h.candidate == head)
        .map(|(_, h)| h.untouched.as_ref())
        .collect();
    match untouched {
        // Every package's walk ran from `head` over all parents and noted
        // the commits outside it: the commits after every package's release
        // that touch no package are in all of those lists (each walk covers
        // the commits after every release).
        Some(lists) if lists.len() == packages.len() => {
            let (first, others) = lists
                .split_first()
                .map_or((None, &[][..]), |(f, o)| (Some(f), o));
            let sets: Vec<std::collections::HashSet<&git2::Oid>> =
                others.iter().map(|l| l.iter().collect()).collect();
            for id in first.into_iter().flat_map(|l| l.iter()) {
                if sets.iter().all(|s| s.contains(id)) {
                    let commit = repo.commit(*id)?;
                    loose.push(format!(
                        "{} `{}`",
                        &id.to_string()[..7],
                        summary(commit.message_bytes())
                    ));
                }
            }
        }
        _ => {
            let stops: std::collections::HashSet<git2::Oid> = plans
                .iter()
                .filter_map(|(_, h)| h.last_final.as_ref().map(|t| t.commit))
                .collect();
            let walk = repo.walk(head, &stops, false)?;
            let mut cache = std::collections::HashMap::new();
            for commit in walk.commits.iter().filter(|c| c.parent_count() < 2) {
                let mut touched = false;
                for package in packages {
                    if repo.touches(commit, &package.paths, package.exclude.as_ref(), &mut cache)? {
                        touched = true;
                        break;
                    }
                }
                if !touched {
                    loose.push(format!(
                        "{} `{}`",
                        &commit.id().to_string()[..7],
                        summary(commit.message_bytes())
                    ));
                }
            }
        }
    }
    Ok(loose_warning(loose))
}

/// The first line of a commit message.
fn summary(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The warning naming commits (`short `summary``) that touch no package.
fn loose_warning(loose: Vec<String>) -> Option<String> {
    if loose.is_empty() {
        return None;
    }
    let more = if loose.len() > 3 { ", …" } else { "" };
    Some(format!(
        "{} commit(s) touch no package and are in no release: {}{more}",
        loose.len(),
        loose.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// The packages `package` depends on: declared, or named as a (runtime or
/// build) dependency in its version files at `head`.
fn dependencies(repo: &Repo, head: git2::Oid, package: &Package, all: &[Package]) -> Vec<String> {
    let mut found = package.depends_on.clone();
    let probe = semver::Version::new(999_999, 0, 0);
    for file in &package.version_files {
        let Some(kind) = crate::packages::version_files::kind_for(file.path(), file.pattern())
        else {
            continue;
        };
        let Ok(Some(bytes)) = repo.blob_at(head, file.path()) else {
            continue;
        };
        // Only what the package needs to run: a dev-dependency's release is
        // no reason to release it.
        let Some(text) = crate::packages::version_files::without_dev_dependencies(
            &kind,
            &String::from_utf8_lossy(&bytes),
        ) else {
            continue;
        };
        for other in all {
            let Some(name) = &other.name else { continue };
            if package.name.as_ref() == Some(name) || found.contains(name) {
                continue;
            }
            let shown = file.path().display().to_string();
            let named = other.dependency_names().iter().any(|dep| {
                matches!(
                    crate::packages::version_files::set_dependency(
                        &kind, &shown, &text, dep, &probe
                    ),
                    Ok((_, true))
                )
            });
            if named {
                found.push(name.clone());
            }
        }
    }
    found
}

fn assemble(
    history: &History,
    index: &TagIndex,
    decision: &Decision,
    template: &Template,
    first_parent: bool,
) -> Plan {
    let previous = history.previous().map(|t| Released {
        version: t.version.to_string(),
        tag: t.name.clone(),
        commit: t.commit.to_string(),
    });
    let next = decision.next.as_ref().map(|v| Next {
        version: v.to_string(),
        tag: template.format(v),
    });
    let commits = history
        .changes
        .iter()
        .zip(&decision.effects)
        .zip(&history.since_pre)
        .filter(|((change, _), _)| first_parent || !change.merge)
        .map(|((change, effect), &since)| planned(change, effect, since))
        .collect();
    let mut warnings = Vec::new();
    if !decision.non_conventional.is_empty() {
        let examples: Vec<String> = decision
            .non_conventional
            .iter()
            .take(3)
            .map(|&i| {
                let c = &history.changes[i];
                format!("{} `{}`", c.short_id(), c.summary)
            })
            .collect();
        warnings.push(format!(
            "{} commit(s) are not Conventional Commits and bump nothing: {}{}",
            decision.non_conventional.len(),
            examples.join(", "),
            if decision.non_conventional.len() > 3 {
                ", …"
            } else {
                ""
            }
        ));
    }
    for change in history.changes.iter().filter(|c| !c.merge || first_parent) {
        if let Some(footer) = change.breaking_footer() {
            warnings.push(format!(
                "{} `{}` is not a Conventional Commit, but its footer `{footer}` declares a breaking change: it counts as one",
                change.short_id(),
                change.summary
            ));
        }
    }
    // Types no rule knows (`rt: …`, `sync: …`) bump nothing and appear in no
    // section: say so, with the configuration that would count them.
    let mut unknown: Vec<(String, usize)> = Vec::new();
    for (change, effect) in history.changes.iter().zip(&decision.effects) {
        if change.merge && !first_parent || !effect.why.starts_with("unknown type") {
            continue;
        }
        let Some(kind) = change.kind() else { continue };
        match unknown.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => *n += 1,
            None => unknown.push((kind.to_owned(), 1)),
        }
    }
    if !unknown.is_empty() {
        unknown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = unknown
            .iter()
            .take(5)
            .map(|(k, n)| format!("`{k}` ({n})"))
            .collect();
        let example = &unknown[0].0;
        warnings.push(format!(
            "{} commit(s) have types no rule knows, so they bump nothing and appear in no changelog section: {}{}; to count them, add under `[commits.types]` e.g. `{example} = {{ bump = \"patch\", section = \"Changes\" }}`",
            unknown.iter().map(|(_, n)| n).sum::<usize>(),
            listed.join(", "),
            if unknown.len() > 5 { ", …" } else { "" }
        ));
    }
    if history
        .changes
        .iter()
        .any(|c| c.message.len() >= crate::history::change::MAX_MESSAGE)
    {
        warnings.push("a commit message over 1 MiB was cut to 1 MiB for parsing".to_owned());
    }
    Plan {
        package: None,
        candidate: history.candidate.to_string(),
        previous,
        previous_reason: history.why_previous.clone(),
        next,
        bump: if decision.next.is_some() {
            decision.bump
        } else {
            Bump::None
        },
        reason: decision.reason.clone(),
        commits,
        skipped_tags: history
            .skipped
            .iter()
            .map(|s| SkippedTag {
                tag: s.tag.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
        ignored_tags: index
            .ignored
            .iter()
            .map(|i| SkippedTag {
                tag: i.name.clone(),
                reason: i.reason.clone(),
            })
            .collect(),
        dependency_updates: Vec::new(),
        warnings,
        gate: GateSummary {
            ok: true,
            policy: None,
            requirements: Vec::new(),
        },
    }
}

fn planned(change: &Change, effect: &bump::CommitEffect, since_previous: bool) -> PlannedCommit {
    let conventional = change.conventional.as_ref().ok();
    PlannedCommit {
        id: change.id.clone(),
        short_id: change.short_id().to_owned(),
        summary: change.summary.clone(),
        kind: conventional.map(|c| c.kind.clone()),
        scope: conventional.and_then(|c| c.scope.clone()),
        breaking: change.is_breaking(),
        bump: effect.bump,
        why: effect.why.clone(),
        conventional: conventional.is_some(),
        merge: change.merge,
        reverted_by: effect.cancelled_by.clone(),
        reverts: effect.cancels.clone(),
        revert_matched_by: effect.matched_by,
        since_previous,
        author: change.author.clone(),
        trailers: change.trailers.clone(),
    }
}
