//! Text shared by several commands: gate reports (`gate`, `tag`, `verify`,
//! `plan`) and lint problems (`lint`, the commit-msg hook). Commands print
//! these through the output layer.

use crate::Error;
use crate::cli::output::{Output, Style};
use crate::gate::requirements::Report;
use crate::gate::verdict::Assessment;
use crate::hooks::lint::Problem;

/// Prints an assessment (text or JSON) with its warnings.
pub fn show_assessment(assessment: &Assessment, out: &Output) -> Result<(), Error> {
    for warning in &assessment.warnings {
        out.warn(warning);
    }
    if out.json() {
        return out.json_value(&assessment.report);
    }
    out.write(&gate_report(&assessment.report, out))
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
pub fn gate_report(report: &Report, out: &Output) -> String {
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

/// Prints problems (text on stderr, or JSON on stdout).
pub fn lint_problems(problems: &[Problem], out: &Output) -> Result<(), Error> {
    if out.json() {
        return out.json_value(&problems);
    }
    for p in problems {
        let at = p
            .commit
            .as_deref()
            .map(|c| format!("{c} "))
            .unwrap_or_default();
        out.say(&format!(
            "{at}\"{}\": {}\n    e.g. {}",
            p.summary, p.problem, p.example
        ));
    }
    if !problems.is_empty() {
        out.say(&format!("{} problem(s); the format is `type(scope): description`, see https://www.conventionalcommits.org", problems.len()));
    }
    Ok(())
}

/// Why a deployment is refused, and the command that fixes missing
/// approvals.
pub fn deployment_refusal(
    out: &Output,
    refusal: &crate::ledger::deploy::Refusal,
    tag: &str,
    environment: &str,
) {
    for p in &refusal.problems {
        out.say(&format!("git-release: {p}"));
    }
    out.say(&format!(
        "refusing to start {tag} in `{environment}` (rules: {}); nothing was recorded",
        refusal.source
    ));
    if refusal.needs_approval {
        out.say(&format!(
            "fix: git release approve --tag {tag} --env {environment}   (by an allowed approver who took no part in the release)"
        ));
    }
}

/// What a rollback did.
pub fn rollback_outcome(
    out: &Output,
    outcome: &crate::ledger::rollback::Outcome,
    lines: &[String],
    environment: &str,
    target: &str,
) -> Result<(), Error> {
    for line in lines {
        out.info(&format!(
            "appended to {}: {line}",
            crate::gate::evidence::DEPLOYS_REF
        ));
    }
    match outcome {
        crate::ledger::rollback::Outcome::RolledBack => out.line(&format!(
            "rolled `{environment}` back to {target}; recorded"
        )),
        crate::ledger::rollback::Outcome::CommandFailed(status) => {
            out.say(&format!(
                "the rollback command failed ({status}); recorded as a failed deployment of {target}"
            ));
            Ok(())
        }
    }
}
