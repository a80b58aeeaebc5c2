//! Assessing a candidate: the trusted policy, the evidence recorded on the
//! candidate, and the gate's verdict. Shared by `plan`, `gate`, `tag`,
//! `verify` and the pre-push hook.

use git2::Oid;

use crate::Error;
use crate::gate::evidence::{self, Record};
use crate::gate::requirements::{self, Report, Subject};
use crate::gate::signatures;
use crate::gate::trust_base;
use crate::git::repo::Repo;
use crate::git::tags::ReleaseTag;
use crate::history::change::Change;

/// What is assessed.
pub struct Candidate<'a> {
    /// The commit whose evidence counts.
    pub commit: Oid,
    /// The tag it gets.
    pub tag: String,
    /// The release whose policy governs it (see [`crate::gate::trust_base::base`]).
    pub base: Option<&'a ReleaseTag>,
    /// The commits in scope.
    pub changes: &'a [Change],
    /// Who tags, by e-mail.
    pub tagger: Option<String>,
    /// `--override-window` reason.
    pub override_window: Option<&'a str>,
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

/// Assesses a candidate against the trusted policy.
pub fn assess(repo: &Repo, candidate: &Candidate<'_>) -> Result<Assessment, Error> {
    let now = crate::clock::now()?;
    let trusted = trust_base::load(repo, candidate.base, candidate.commit)?;
    let mut warnings: Vec<String> = trusted.warning.iter().cloned().collect();
    let (records, malformed) = records(repo, candidate.commit)?;
    warnings.extend(
        malformed
            .iter()
            .map(|m| format!("ignored a malformed record: {m}")),
    );
    let subject = Subject {
        commit: candidate.commit.to_string(),
        tree: repo.tree_of(candidate.commit)?.to_string(),
        tag: candidate.tag.clone(),
        authors: candidate
            .changes
            .iter()
            .filter(|c| !c.merge)
            .flat_map(|c| {
                // Co-authors wrote the change too.
                let co = crate::history::trailer::find(&c.trailers, "Co-authored-by").filter_map(
                    |value| {
                        value
                            .trim()
                            .strip_suffix('>')?
                            .rsplit_once('<')
                            .map(|(_, e)| e.trim().to_owned())
                    },
                );
                std::iter::once(c.author.email.clone()).chain(co)
            })
            .collect(),
        tagger: candidate.tagger.clone(),
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
        if !self_approval && matches!(record.claim, crate::gate::evidence::Claim::Approval { .. }) {
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
    let has_policy = !trusted.policy.is_empty();
    let report = requirements::evaluate(
        &trusted.policy,
        &subject,
        &records,
        malformed,
        now,
        &verify,
        candidate.override_window,
    );
    Ok(Assessment {
        report,
        warnings,
        has_policy,
    })
}
