//! `git release show TAG`: one release in full: notes, release record,
//! evidence with its verification status, deployments, and the release it
//! would roll back to.

use serde::Serialize;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::gate::evidence::Claim;
use crate::ledger::Deploy;
use crate::render::describe::Describer;
use crate::render::templates::{Kind, Templates};

/// `show`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release tag
    #[arg(value_name = "TAG")]
    pub tag: String,
}

/// One evidence record and what it is worth.
#[derive(Debug, Serialize)]
pub struct Checked {
    /// The record line.
    pub record: String,
    /// `signed and trusted`, `unsigned`, `stale`, `not matching the tree`, …
    pub status: String,
}

/// Everything about one release.
#[derive(Debug, Serialize)]
pub struct Shown {
    /// The tag.
    pub tag: String,
    /// The notes, rendered.
    pub notes: String,
    /// The release record (the tag message).
    pub record: Option<String>,
    /// The evidence on the released commit.
    pub evidence: Vec<Checked>,
    /// Its deployments, oldest first.
    pub deployments: Vec<Deploy>,
    /// The release it would roll back to.
    pub rollback_to: Option<String>,
}

/// Shows the release.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let tag = &args.tag;
    let packages = crate::packages::all(&env.config)?;
    let Some((package, _)) = crate::packages::for_tag(&packages, tag) else {
        return Err(Error::refused(
            format!("`{tag}` is not a release tag"),
            &["`git release log` lists the releases"],
        ));
    };
    let describer = Describer::new(&env.repo, &env.config, package, false)?;
    let release = describer.tag(tag)?;
    let work_tree = crate::git::work_tree::WorkTree::of(&env.repo)?;
    let templates = Templates::new(&crate::render::describe::sources(
        &env.config,
        work_tree.as_ref(),
    )?)?;
    let notes = templates.render(Kind::Notes, &release)?;

    let message = env.repo.tag_message(tag);
    let commit = env.repo.resolve(&format!("refs/tags/{tag}"))?;
    let trailers = message
        .as_deref()
        .map(|m| crate::history::trailer::parse(crate::gate::verify_tag::strip_signature(m)))
        .unwrap_or_default();
    let candidate = crate::history::trailer::find(&trailers, "Release-Candidate")
        .next()
        .and_then(|value| git2::Oid::from_str(value.trim()).ok())
        .unwrap_or(commit);

    // Evidence, each record with what it is worth under the trusted policy.
    let bases = env.bases(candidate)?;
    let Some(base) = bases.primary() else {
        return Err(Error::refused("the release has no trust base", &[]));
    };
    let trusted = &base.trusted;
    let tree = env.repo.tree_of(candidate)?.to_string();
    let now = crate::clock::now()?;
    let (records, malformed) = crate::gate::verdict::records(&env.repo, candidate)?;
    let mut evidence = Vec::new();
    for r in &records {
        let status = if r.tree != tree || r.commit != candidate.to_string() {
            "not matching the released commit and tree".to_owned()
        } else if trusted
            .policy
            .max_age
            .is_some_and(|max| r.timestamp().is_some_and(|at| now.duration_since(at) > max))
        {
            "stale (older than max-age)".to_owned()
        } else if let Some(armored) = r.armored_signature() {
            match &trusted.signers {
                Some(signers) => {
                    match crate::gate::signatures::verify(
                        &r.payload(),
                        &armored,
                        signers,
                        &r.email,
                        now,
                    ) {
                        Ok(v) => format!("signed and trusted ({})", v.fingerprint),
                        Err(e) => format!("signed, not trusted: {e}"),
                    }
                }
                None => format!(
                    "signed, not verifiable: {}",
                    trusted.signers_problem.clone().unwrap_or_default()
                ),
            }
        } else {
            "unsigned".to_owned()
        };
        let kind = match &r.claim {
            Claim::Approval { env: Some(e), .. } => format!(" (deploy to {e})"),
            _ => String::new(),
        };
        evidence.push(Checked {
            record: format!("{}{kind}", r.to_line()),
            status,
        });
    }
    for m in malformed {
        evidence.push(Checked {
            record: m,
            status: "malformed, ignored".to_owned(),
        });
    }
    let (all, _) = crate::ledger::read(&env.repo)?;
    let deployments: Vec<Deploy> = all.into_iter().filter(|d| d.tag == *tag).collect();
    let shown = Shown {
        tag: tag.clone(),
        notes,
        record: message,
        evidence,
        deployments,
        rollback_to: release.previous_tag.clone(),
    };
    if env.out.json() {
        env.out.json_value(&shown)?;
        return Ok(Outcome::Success);
    }
    let mut s = format!("Release {tag}\n\n");
    match &shown.record {
        Some(record) => {
            let parsed = crate::render::tag_record::parse(record);
            // A tag another tool or a person made: its message as written,
            // without a signature block, under its own label.
            let shown_message = crate::gate::verify_tag::strip_signature(record).trim_end();
            s.push_str(if parsed.recorded {
                "Release record:\n"
            } else {
                "Tag message (no release record: the tag was not made by `git release tag`):\n"
            });
            for line in shown_message.lines() {
                s.push_str(&format!("    {line}\n"));
            }
        }
        None => s.push_str("(a lightweight tag: no release record)\n"),
    }
    s.push_str("\nNotes:\n\n");
    s.push_str(&shown.notes);
    s.push_str("\nEvidence:\n");
    if shown.evidence.is_empty() {
        s.push_str("    none recorded\n");
    }
    for e in &shown.evidence {
        s.push_str(&format!("    [{}] {}\n", e.status, e.record));
    }
    s.push_str("\nDeployments:\n");
    if shown.deployments.is_empty() {
        s.push_str("    none recorded\n");
    }
    for d in &shown.deployments {
        s.push_str(&format!(
            "    {} {} {} by {}\n",
            d.at,
            d.env,
            d.status.as_str(),
            d.by
        ));
    }
    s.push_str(&format!(
        "\nRolls back to: {}\n",
        shown
            .rollback_to
            .as_deref()
            .unwrap_or("nothing (the first release)")
    ));
    env.out.write(&s)?;
    Ok(Outcome::Success)
}
