//! `git release version`: the next (or, with `--current`, the last) version
//! alone on stdout, for scripts.

use serde_json::json;

use crate::Error;
use crate::cli::context::{Env, PlanArgs};
use crate::error::Outcome;
use crate::history::plan;

/// Prints the next version, or the current one with `current`.
pub fn run(args: &PlanArgs, current: bool, env: &Env) -> Result<Outcome, Error> {
    if env.monorepo() && !env.one_package {
        return run_all(args, current, env);
    }
    let package = env.single_package("version")?;
    // In a monorepo, as `plan --package` does: with its dependencies, whose
    // releases can make one of its own.
    let plan = if env.monorepo() {
        plan::make_all(&env.repo, &env.config, &env.packages, &args.request())?
            .into_iter()
            .map(|(plan, _)| plan)
            .find(|plan| plan.package == package.name)
            .ok_or_else(|| Error::refused("the package has no plan", &[]))?
    } else {
        plan::make(&env.repo, &env.config, package, &args.request())?.0
    };
    for warning in &plan.warnings {
        env.out.warn(warning);
    }
    let (found, reason) = if current {
        let found = plan
            .previous
            .as_ref()
            .map(|p| (p.version.clone(), p.tag.clone()));
        (found, format!("no release yet: {}", plan.previous_reason))
    } else {
        let found = plan
            .next
            .as_ref()
            .map(|n| (n.version.clone(), n.tag.clone()));
        (found, format!("nothing to release: {}", plan.reason))
    };
    if env.out.json() {
        let value = match &found {
            Some((version, tag)) => {
                json!({ "version": version, "tag": tag, "reason": plan.reason })
            }
            None => json!({ "version": null, "tag": null, "reason": reason }),
        };
        env.out.json_value(&value)?;
    } else if let Some((version, _)) = &found {
        env.out.data(&format!("{version}\n"))?;
    }
    match found {
        Some(_) => Ok(Outcome::Success),
        None => {
            if !env.out.json() {
                env.out.say(&reason);
            }
            Ok(Outcome::No)
        }
    }
}

/// With several packages: `NAME VERSION` per line for each package that has one.
fn run_all(args: &PlanArgs, current: bool, env: &Env) -> Result<Outcome, Error> {
    let plans = env.plans(&args.request())?;
    let mut found = Vec::new();
    for (plan, _) in &plans {
        let name = plan.package.clone().unwrap_or_default();
        let version = if current {
            plan.previous
                .as_ref()
                .map(|p| (p.version.clone(), p.tag.clone()))
        } else {
            plan.next
                .as_ref()
                .map(|n| (n.version.clone(), n.tag.clone()))
        };
        if let Some((version, tag)) = version {
            found.push((name, version, tag));
        }
    }
    if env.out.json() {
        let list: Vec<_> = found
            .iter()
            .map(|(package, version, tag)| json!({ "package": package, "version": version, "tag": tag }))
            .collect();
        env.out.json_value(&list)?;
    } else {
        for (name, version, _) in &found {
            env.out.data(&format!("{name} {version}\n"))?;
        }
    }
    if found.is_empty() {
        env.out.say(if current {
            "no package has been released yet"
        } else {
            "nothing to release in any package"
        });
        return Ok(Outcome::No);
    }
    Ok(Outcome::Success)
}
