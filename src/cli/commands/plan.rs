//! `git release plan` (and bare `git release`): the release plan with the
//! reason for every decision.

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::cli::output::{Output, Style};
use crate::error::Outcome;
use crate::history::plan::Plan;
use crate::history::version::Bump;

/// Shows the plan: one object, or with several packages an array.
pub fn run(args: &PlanArgs, env: &Env) -> Result<Outcome, Error> {
    let mut plans = env.plans(&args.request())?;
    // Every package's candidate is the same commit: one trust base for all.
    let mut bases = None;
    for (plan, history) in &mut plans {
        if plan.next.is_some() {
            let bases = bases.get_or_insert_with(|| env.bases(history.candidate));
            gate_into(plan, history, bases, env);
        }
    }
    if env.out.json() {
        if env.monorepo() && !env.one_package {
            let all: Vec<&Plan> = plans.iter().map(|(p, _)| p).collect();
            env.out.json_value(&all)?;
        } else if let Some((plan, _)) = plans.first() {
            env.out.json_value(plan)?;
        }
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    for (i, (plan, _)) in plans.iter().enumerate() {
        for warning in &plan.warnings {
            env.out.warn(warning);
        }
        if let Some(name) = &plan.package {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&env.out.paint(Style::Bold, &format!("== package {name}\n")));
        }
        text.push_str(&render(plan, &env.out));
    }
    env.out.write(&text)?;
    Ok(Outcome::Success)
}

/// Evaluates the gate for a plan's next release and puts it in the plan.
fn gate_into(
    plan: &mut Plan,
    history: &crate::history::scope::History,
    bases: &Result<crate::gate::trust_base::Bases, Error>,
    env: &Env,
) {
    let Some(next) = &plan.next else { return };
    let tagger = env.repo.identity().ok().map(|(_, email)| email);
    let bases = match bases {
        Ok(bases) => Ok(bases),
        Err(e) => Err(Error::Refused {
            message: e.to_string(),
            hints: e.hints(),
        }),
    };
    let assessed = crate::clock::now().and_then(|at| {
        let bases = bases?;
        crate::gate::verdict::assess(
            &env.repo,
            bases,
            &crate::gate::verdict::Candidate {
                commit: history.candidate,
                tag: next.tag.clone(),
                changes: &history.changes,
                tagger,
                override_window: None,
                at,
                environment: None,
            },
        )
    });
    match assessed {
        Ok(assessment) => {
            if assessment.has_policy {
                plan.warnings.extend(assessment.warnings);
            }
            plan.gate.ok = assessment.report.ok;
            plan.gate.policy = Some(assessment.report.policy);
            plan.gate.requirements = assessment.report.requirements;
        }
        // The plan still shows; the gate says why it cannot be evaluated.
        Err(e) => {
            plan.gate.ok = false;
            plan.gate.requirements = vec![crate::gate::requirements::Requirement {
                name: "policy".to_owned(),
                ok: false,
                detail: e.to_string(),
                fix: e.hints().into_iter().next(),
                rejected: Vec::new(),
            }];
        }
    }
}

/// The plan as text for people.
pub fn render(plan: &Plan, out: &Output) -> String {
    let mut s = String::new();
    let bold = |t: &str| out.paint(Style::Bold, t);
    match &plan.previous {
        Some(previous) => s.push_str(&format!(
            "{}  {} ({})\n",
            bold("Last release:"),
            previous.tag,
            &previous.commit[..7]
        )),
        None => s.push_str(&format!("{}  none\n", bold("Last release:"))),
    }
    s.push_str(&format!("               {}\n", plan.previous_reason));
    for skipped in &plan.skipped_tags {
        s.push_str(&format!(
            "               {} {}: {}\n",
            out.paint(Style::Dim, "not"),
            skipped.tag,
            skipped.reason
        ));
    }
    for ignored in &plan.ignored_tags {
        s.push_str(&format!(
            "               {} {}: {}\n",
            out.paint(Style::Dim, "ignored"),
            ignored.tag,
            ignored.reason
        ));
    }
    let since = plan
        .previous
        .as_ref()
        .map_or_else(|| "the beginning".to_owned(), |p| p.tag.clone());
    s.push_str(&format!(
        "\n{} {}\n",
        bold(&format!("Commits since {since}:")),
        plan.commits.len()
    ));
    for commit in &plan.commits {
        let level = match commit.bump {
            Bump::None => out.paint(Style::Dim, "-    "),
            Bump::Patch => format!("{:<5}", "patch"),
            bump => out.paint(Style::Bold, &format!("{:<5}", bump.as_str())),
        };
        let mut line = format!("  {level}  {}  {}", commit.short_id, commit.summary);
        if commit.bump == Bump::None || commit.reverted_by.is_some() || commit.reverts.is_some() {
            line.push_str(&out.paint(Style::Dim, &format!("  ({})", commit.why)));
        }
        s.push_str(&line);
        s.push('\n');
    }
    s.push('\n');
    match &plan.next {
        Some(next) => s.push_str(&format!(
            "{}  {} (tag {})\n",
            bold("Next version:"),
            out.paint(Style::Good, &next.version),
            next.tag
        )),
        None => s.push_str(&format!("{}  nothing to release\n", bold("Next version:"))),
    }
    s.push_str(&format!("               {}\n", plan.reason));
    for dep in &plan.dependency_updates {
        s.push_str(&format!(
            "               dependency `{}` is released as {}\n",
            dep.package, dep.version
        ));
    }
    if plan.next.is_none() {
        // Nothing to gate.
    } else if plan.gate.requirements.is_empty() {
        s.push_str(&format!(
            "{}          no requirements ([gate] in .release.toml at the trusted revision)\n",
            bold("Gate:")
        ));
    } else {
        let verdict = if plan.gate.ok {
            out.paint(Style::Good, "met")
        } else {
            out.paint(Style::Bad, "not met")
        };
        let policy = plan.gate.policy.as_deref().unwrap_or("");
        s.push_str(&format!(
            "{}          {verdict} (policy: {policy})\n",
            bold("Gate:")
        ));
        s.push_str(&crate::cli::reports::requirement_lines(
            &plan.gate.requirements,
            out,
            false,
        ));
    }
    s
}
