//! The verdict on one candidate: its trust base's policies (every one of
//! them), the evidence recorded on the candidate, and who took part in the
//! release, judged on identities the candidate cannot rewrite. Shared by
//! `plan`, `gate`, `tag`, `verify` and the pre-push hook.

use std::collections::BTreeSet;

use git2::{Mailmap, Oid};
use jiff::Timestamp;

use crate::Error;
use crate::gate::evidence::{self, Claim, Record};
use crate::gate::requirements::{self, Report, Subject};
use crate::gate::signatures;
use crate::gate::trust_base::{Base, Bases};
use crate::git::repo::{Repo, git_err};
use crate::history::change::Change;

/// What is assessed.
pub struct Candidate<'a> {
    /// The commit whose evidence counts.
    pub commit: Oid,
    /// The tag it gets.
    pub tag: String,
    /// The commits in scope (their trailers count where the policy says so).
    pub changes: &'a [Change],
    /// Who tags, by e-mail.
    pub tagger: Option<String>,
    /// `--override-window` reason.
    pub override_window: Option<&'a str>,
    /// The moment evidence age and release windows are judged at.
    pub at: Timestamp,
    /// For a deployment: the environment (approvals must name it).
    pub environment: Option<String>,
}

/// The verdict and anything worth a warning.
pub struct Assessment {
    /// The gate report.
    pub report: Report,
    /// Warnings (first release, malformed records, unreadable signers).
    pub warnings: Vec<String>,
    /// Whether the trusted policy asks for anything.
    pub has_policy: bool,
}

/// Reads the evidence records on a commit (tests and approvals), in the
/// order they were recorded in.
pub fn records(repo: &Repo, commit: Oid) -> Result<(Vec<Record>, Vec<String>), Error> {
    let mut records = Vec::new();
    let mut malformed = Vec::new();
    for notes_ref in [evidence::TESTS_REF, evidence::APPROVALS_REF] {
        if let Some(text) = repo.note(notes_ref, commit)? {
            let (found, bad) = evidence::parse_note(&text);
            records.extend(found);
            malformed.extend(
                bad.into_iter()
                    .map(|(line, e)| format!("{notes_ref}: {e}: `{line}`")),
            );
        }
    }
    evidence::in_recording_order(&mut records);
    Ok((records, malformed))
}

/// The e-mails of everyone who took part in the commits reachable from
/// `candidate` and not from the trust base: authors, committers and
/// co-authors of every commit, merges included, whatever a configuration
/// says about first parents or packages.
pub fn participants(repo: &Repo, candidate: Oid, base: &[Oid]) -> Result<Vec<String>, Error> {
    let git = repo.git();
    let mut walk = git.revwalk().map_err(git_err("walking the release"))?;
    walk.push(candidate)
        .map_err(git_err("walking the release"))?;
    for id in base {
        walk.hide(*id).map_err(git_err("walking the release"))?;
    }
    let mut emails = BTreeSet::new();
    for id in walk {
        let id = id.map_err(git_err("walking the release"))?;
        let commit = git
            .find_commit(id)
            .map_err(git_err("reading a commit of the release"))?;
        emails.insert(String::from_utf8_lossy(commit.author().email_bytes()).to_lowercase());
        emails.insert(String::from_utf8_lossy(commit.committer().email_bytes()).to_lowercase());
        let message = String::from_utf8_lossy(commit.message_bytes());
        for trailer in crate::history::trailer::parse(&message) {
            if !trailer.key.eq_ignore_ascii_case("Co-authored-by") {
                continue;
            }
            if let Some((_, email)) = trailer
                .value
                .trim()
                .strip_suffix('>')
                .and_then(|v| v.rsplit_once('<'))
            {
                emails.insert(email.trim().to_lowercase());
            }
        }
    }
    Ok(emails.into_iter().collect())
}

/// E-mail → identity under a trusted `.mailmap`, for `emails`.
fn aliases(mailmap: Option<&str>, emails: &BTreeSet<String>) -> Vec<(String, String)> {
    let Some(map) = mailmap.and_then(|text| Mailmap::from_buffer(text).ok()) else {
        return Vec::new();
    };
    emails
        .iter()
        .filter_map(|email| {
            let signature = git2::Signature::now("-", email).ok()?;
            let resolved = map.resolve_signature(&signature).ok()?;
            let canonical = String::from_utf8_lossy(resolved.email_bytes()).to_lowercase();
            (canonical != *email).then(|| (email.clone(), canonical))
        })
        .collect()
}

/// The trust base of `commit` as the local commands see it (`plan`,
/// `gate`, `tag`, `show`): the root pinned by environment or git config, if
/// any, and the chain of verified releases.
pub fn bases_of(repo: &Repo, commit: Oid) -> Result<Bases, Error> {
    let pin = crate::gate::trust_base::pinned(repo, None)?;
    crate::gate::verify_tag::Verifier::new(repo, pin)?.bases(commit)
}

/// A deployment's rules and approvals: the environment as the trusted
/// configuration defines it (the release's own when the release is
/// verified, else its trust base's), and its approvals judged by the same
/// rules as release approvals (approvers, signatures, self-approval by
/// anyone who took part in the release or deploys it, binding, age).
pub struct DeploymentCheck {
    /// The environment's configuration.
    pub environment: crate::config::EnvironmentConfig,
    /// The approvals requirement (absent when none are needed).
    pub report: Report,
    /// Where the rules were read.
    pub source: String,
}

impl DeploymentCheck {
    /// How many approvals count towards the environment's `approvals`: all
    /// it needs when the requirement is met (or absent), else those admitted.
    pub fn approvals(&self) -> usize {
        match self
            .report
            .requirements
            .iter()
            .find(|r| r.name == "approvals")
        {
            Some(r) if !r.ok => self
                .report
                .evidence
                .iter()
                .filter(|e| e.starts_with("Approved-by:"))
                .count(),
            _ => self.environment.approvals,
        }
    }
}

/// Checks a deployment of `tag` (at `commit`) to `environment` by `deployer`.
pub fn assess_deployment(
    repo: &Repo,
    tag: &str,
    commit: Oid,
    environment: &str,
    deployer: Option<String>,
) -> Result<DeploymentCheck, Error> {
    assess_deployment_at(
        repo,
        tag,
        commit,
        environment,
        deployer,
        crate::clock::now()?,
    )
}

/// [`assess_deployment`] with evidence judged at `at`.
pub fn assess_deployment_at(
    repo: &Repo,
    tag: &str,
    commit: Oid,
    environment: &str,
    deployer: Option<String>,
    at: Timestamp,
) -> Result<DeploymentCheck, Error> {
    let pin = crate::gate::trust_base::pinned(repo, None)?;
    let mut verifier = crate::gate::verify_tag::Verifier::new(repo, pin)?;
    let bases = verifier.bases(commit)?;
    let (base, config, source) = environment_rules(repo, &mut verifier, tag, commit, environment)?;
    let mut rules = base.clone();
    rules.trusted.policy = crate::gate::policy::Policy {
        tests: Vec::new(),
        approvals: config.approvals,
        window: None,
        source: source.clone(),
        ..base.trusted.policy.clone()
    };
    let (records, malformed) = records(repo, commit)?;
    let people = participants(repo, commit, &bases.commits())?;
    let report = assess_one(
        repo,
        &rules,
        &Candidate {
            commit,
            tag: tag.to_owned(),
            changes: &[],
            tagger: deployer,
            override_window: None,
            at,
            environment: Some(environment.to_owned()),
        },
        &records,
        &malformed,
        &people,
    )?;
    Ok(DeploymentCheck {
        environment: config,
        report,
        source,
    })
}

/// The rules of `environment` for deployments of `tag` (at `commit`): from
/// the release's own configuration when the release is verified, else from
/// its trust base; never from the work tree.
pub fn environment_rules(
    repo: &Repo,
    verifier: &mut crate::gate::verify_tag::Verifier<'_>,
    tag: &str,
    commit: Oid,
    environment: &str,
) -> Result<(Base, crate::config::EnvironmentConfig, String), Error> {
    let base = if verifier.is_verified(tag)? {
        crate::gate::trust_base::read_base(repo, commit, format!("release {tag}"))?
    } else {
        match verifier.bases(commit)?.primary() {
            Some(base) => base.clone(),
            None => return Err(Error::refused("the release has no trust base", &[])),
        }
    };
    let Some(config) = base.config.environments.get(environment).cloned() else {
        let known: Vec<String> = base.config.environments.keys().cloned().collect();
        return Err(Error::Refused {
            message: format!(
                "there is no environment `{environment}` in {} at {}",
                crate::config::FILE_NAME,
                base.label
            ),
            hints: vec![if known.is_empty() {
                "environments are configured in .release.toml (`[environments.staging]`, `[environments.production]`) and take effect with the release that adds them".to_owned()
            } else {
                format!("the environments are: {}", known.join(", "))
            }],
        });
    };
    let source = format!(
        "[environments.{environment}] in {} at {}",
        crate::config::FILE_NAME,
        base.label
    );
    Ok((base, config, source))
}

/// The rules of `environment` for the release `tag`, as [`environment_rules`].
pub fn environment_of(
    repo: &Repo,
    tag: &str,
    environment: &str,
) -> Result<(crate::config::EnvironmentConfig, String), Error> {
    let commit = repo.resolve(&format!("refs/tags/{tag}"))?;
    let pin = crate::gate::trust_base::pinned(repo, None)?;
    let mut verifier = crate::gate::verify_tag::Verifier::new(repo, pin)?;
    let (_, config, source) = environment_rules(repo, &mut verifier, tag, commit, environment)?;
    Ok((config, source))
}

/// Assesses a candidate against every policy of its trust base.
pub fn assess(repo: &Repo, bases: &Bases, candidate: &Candidate<'_>) -> Result<Assessment, Error> {
    let mut warnings: Vec<String> = bases.warning.iter().cloned().collect();
    let (records, malformed) = records(repo, candidate.commit)?;
    warnings.extend(
        malformed
            .iter()
            .map(|m| format!("ignored a malformed record: {m}")),
    );
    let people = participants(repo, candidate.commit, &bases.commits())?;
    let mut reports = Vec::new();
    let mut has_policy = false;
    for base in &bases.bases {
        has_policy |= !base.trusted.policy.is_empty();
        reports.push(assess_one(
            repo, base, candidate, &records, &malformed, &people,
        )?);
    }
    let report = match reports.len() {
        0 => Report {
            ok: true,
            policy: "none".to_owned(),
            commit: candidate.commit.to_string(),
            tag: candidate.tag.clone(),
            requirements: Vec::new(),
            evidence: Vec::new(),
            malformed,
        },
        1 => reports.remove(0),
        _ => combine(reports),
    };
    Ok(Assessment {
        report,
        warnings,
        has_policy,
    })
}

/// Several bases (a candidate that merges histories released separately):
/// every policy must be met; each requirement is named with its base.
fn combine(reports: Vec<Report>) -> Report {
    let mut combined = Report {
        ok: reports.iter().all(|r| r.ok),
        policy: reports
            .iter()
            .map(|r| r.policy.clone())
            .collect::<Vec<_>>()
            .join(" and "),
        commit: reports[0].commit.clone(),
        tag: reports[0].tag.clone(),
        requirements: Vec::new(),
        evidence: Vec::new(),
        malformed: reports[0].malformed.clone(),
    };
    for report in reports {
        for mut requirement in report.requirements {
            requirement.name = format!("{} ({})", requirement.name, report.policy);
            combined.requirements.push(requirement);
        }
        for line in report.evidence {
            if !combined.evidence.contains(&line) {
                combined.evidence.push(line);
            }
        }
    }
    combined
}

fn assess_one(
    repo: &Repo,
    base: &Base,
    candidate: &Candidate<'_>,
    records: &[Record],
    malformed: &[String],
    people: &[String],
) -> Result<Report, Error> {
    let now = candidate.at;
    let trusted = &base.trusted;
    let mut emails: BTreeSet<String> = people.iter().cloned().collect();
    emails.extend(records.iter().map(|r| r.email.to_lowercase()));
    emails.extend(candidate.tagger.iter().map(|t| t.to_lowercase()));
    let aliases = aliases(trusted.mailmap.as_deref(), &emails);
    let mut authors: Vec<String> = people.to_vec();
    for person in people {
        if let Some((_, canonical)) = aliases.iter().find(|(a, _)| a == person) {
            authors.push(canonical.clone());
        }
    }
    let subject = Subject {
        commit: candidate.commit.to_string(),
        tree: repo.tree_of(candidate.commit)?.to_string(),
        tag: candidate.tag.clone(),
        authors,
        aliases,
        tagger: candidate.tagger.clone(),
        environment: candidate.environment.clone(),
        trailers: candidate
            .changes
            .iter()
            .flat_map(|c| c.trailers.iter().map(|t| (c.id.clone(), t.clone())))
            .collect(),
    };
    let signers = trusted.signers.as_ref();
    let problem = trusted.signers_problem.clone().unwrap_or_default();
    let self_approval = trusted.policy.self_approval;
    let insiders: Vec<String> = subject
        .authors
        .iter()
        .chain(subject.tagger.iter())
        .cloned()
        .collect();
    let verify = move |record: &Record| -> Result<String, String> {
        let Some(signers) = signers else {
            return Err(problem.clone());
        };
        let armored = record.armored_signature().ok_or("no signature")?;
        let payload = record.payload();
        let verified = signatures::verify(&payload, &armored, signers, &record.email, now)
            .map_err(|e| e.to_string())?;
        // A key that may also sign for an author or the tagger is theirs.
        if !self_approval && matches!(record.claim, Claim::Approval { .. }) {
            if let Some(owner) = insiders.iter().find(|e| {
                !e.eq_ignore_ascii_case(&record.email)
                    && signatures::verify(&payload, &armored, signers, e, now).is_ok()
            }) {
                return Err(format!(
                    "the key is also allowed for {owner}, who is part of this release (self-approval is off)"
                ));
            }
        }
        Ok(verified.fingerprint)
    };
    Ok(requirements::evaluate(
        &trusted.policy,
        &subject,
        records,
        malformed.to_vec(),
        now,
        &verify,
        candidate.override_window,
    ))
}
