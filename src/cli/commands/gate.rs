//! `git release gate [REV]`: evaluate the trusted policy for a candidate and
//! report every requirement with what satisfies it or how to supply it.

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::cli::output::{Output, Style};
use crate::error::Outcome;
use crate::gate::requirements::Report;
use crate::gate::verdict::{self, Assessment, Candidate};
use crate::history::plan;

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
    let plans = plan::make_all(&env.repo, &env.config, &env.packages, &args.plan.request())?;
    let tagger = env.repo.identity().ok().map(|(_, email)| email);
    let mut reports = Vec::new();
    for (plan, history) in &plans {
        let tag = match (&args.tag, &plan.next) {
            (Some(tag), _) => tag.clone(),
            (None, Some(next)) => next.tag.clone(),
            (None, None) => continue,
        };
        let bases = verdict::bases_of(&env.repo, history.candidate)?;
        let assessment = verdict::assess(
            &env.repo,
            &bases,
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
            show(assessment, &env.out)?;
        }
    }
    Ok(if ok { Outcome::Success } else { Outcome::No })
}

/// Prints an assessment (text or JSON) with its warnings.
pub fn show(assessment: &Assessment, out: &Output) -> Result<(), Error> {
    for warning in &assessment.warnings {
        out.warn(warning);
    }
    if out.json() {
        return out.json_value(&assessment.report);
    }
    out.write(&render(&assessment.report, out))
}

/// One line per requirement, with the fix and (optionally) what did not count.
pub fn requirement_lines(
    requirements: &[crate::gate::requirements::Requirement],
    out: &Output,
    rejected: bool,
) -> String {
    let mut s = String::new();
    for r in requirements {
        let mark = if r.ok {
            out.paint(Style::Good, "ok  ")
        } else {
            out.paint(Style::Bad, "FAIL")
        };
        s.push_str(&format!("  {mark}  {}: {}\n", r.name, r.detail));
        if let Some(fix) = &r.fix {
            s.push_str(&format!("        fix: {fix}\n"));
        }
        if rejected {
            for why in &r.rejected {
                s.push_str(&format!(
                    "        {} {why}\n",
                    out.paint(Style::Dim, "not counted:")
                ));
            }
        }
    }
    s
}

/// The report as text.
pub fn render(report: &Report, out: &Output) -> String {
    let mut s = format!(
        "Gate for {} at {} (policy: {})\n",
        report.tag,
        &report.commit[..7.min(report.commit.len())],
        report.policy
    );
    if report.requirements.is_empty() {
        s.push_str("  no requirements: the policy asks for nothing\n");
    }
    s.push_str(&requirement_lines(&report.requirements, out, true));
    s.push_str(if report.ok {
        "Gate met.\n"
    } else {
        "Gate not met.\n"
    });
    s
}
