//! Assessing a candidate: the trusted policy, the evidence recorded on the
//! candidate, and the gate's verdict. Shared by `plan`, `gate`, `tag`,
//! `verify` and the pre-push hook.

use git2::Oid;

use crate::Error;
use crate::change::Change;
use crate::evidence::{self, Record};
use crate::gate::{self, Report, Subject};
use crate::repo::Repo;
use crate::signing;
use crate::tags::ReleaseTag;
use crate::trust;

/// What is assessed.
pub struct Candidate<'a> {
    /// The commit whose evidence counts.
    pub commit: Oid,
    /// The tag it gets.
    pub tag: String,
    /// The last release before it (the trusted revision by default).
    pub previous: Option<&'a ReleaseTag>,
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

/// Reads the evidence records on a commit (tests and approvals).
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
    Ok((records, malformed))
}

/// Assesses a candidate against the trusted policy.
pub fn assess(repo: &Repo, candidate: &Candidate<'_>) -> Result<Assessment, Error> {
    let now = crate::clock::now()?;
    let trusted = trust::load(repo, candidate.previous, candidate.commit)?;
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
            .map(|c| c.author.email.clone())
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
    let verify = move |record: &Record| -> Result<(), String> {
        let Some(signers) = signers else {
            return Err(problem.clone());
        };
        let armored = record.armored_signature().ok_or("no signature")?;
        signing::verify(&record.payload(), &armored, signers, &record.email, now)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let has_policy = !trusted.policy.is_empty();
    let report = gate::evaluate(
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
