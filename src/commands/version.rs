//! `git release version`: the next (or, with `--current`, the last) version
//! alone on stdout, for scripts.

use serde_json::json;

use crate::Error;
use crate::cli::{Env, PlanArgs};
use crate::error::Outcome;
use crate::plan;

/// Prints the next version, or the current one with `current`.
pub fn run(args: &PlanArgs, current: bool, env: &Env) -> Result<Outcome, Error> {
    let (plan, _) = plan::make(&env.repo, &env.config, &args.request())?;
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
        env.out.line(version)?;
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
