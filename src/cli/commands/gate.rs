//! `git release gate [REV]`: evaluate the trusted policy for a candidate and
//! report every requirement with what satisfies it or how to supply it.

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::cli::reports;
use crate::error::Outcome;
use crate::gate::requirements::Report;
use crate::gate::verdict::{self, Candidate};

/// `gate`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The tag the candidate would get [default: the planned next tag]
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Release outside the release window, recording this reason
    #[arg(long, value_name = "REASON")]
    pub override_window: Option<String>,
}

/// Evaluates and reports; exit 1 when unmet (for any package).
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let plans = env.plans(&args.plan.request())?;
    let tagger = env.repo.identity().ok().map(|(_, email)| email);
    let mut reports = Vec::new();
    let mut bases = None;
    for (plan, history) in &plans {
        let tag = match (&args.tag, &plan.next) {
            (Some(tag), _) => tag.clone(),
            (None, Some(next)) => next.tag.clone(),
            (None, None) => continue,
        };
        // Every package's candidate is the same commit: one trust base.
        if bases.is_none() {
            bases = Some(env.bases(history.candidate)?);
        }
        let Some(bases) = &bases else { continue };
        let assessment = verdict::assess(
            &env.repo,
            bases,
            &Candidate {
                commit: history.candidate,
                tag,
                changes: &history.changes,
                tagger: tagger.clone(),
                override_window: args.override_window.as_deref(),
                at: crate::clock::now()?,
                environment: None,
            },
        )?;
        reports.push(assessment);
        if args.tag.is_some() {
            break;
        }
    }
    if reports.is_empty() {
        let reason = plans
            .first()
            .map_or(String::new(), |(p, _)| p.reason.clone());
        env.out.say(&format!(
            "nothing to release, so there is no tag to gate: {reason} (name one with `--tag TAG` to check evidence anyway)"
        ));
        return Ok(Outcome::No);
    }
    let ok = reports.iter().all(|a| a.report.ok);
    if env.out.json() && reports.len() > 1 {
        for a in &reports {
            for w in &a.warnings {
                env.out.warn(w);
            }
        }
        let all: Vec<&Report> = reports.iter().map(|a| &a.report).collect();
        env.out.json_value(&all)?;
    } else {
        for assessment in &reports {
            reports::show_assessment(assessment, &env.out)?;
        }
    }
    Ok(if ok { Outcome::Success } else { Outcome::No })
}
