//! `git release version`: the next (or, with `--current`, the last) version
//! alone on stdout, for scripts.

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
    if current {
        return match &plan.previous {
            Some(previous) => {
                env.out.line(&previous.version)?;
                Ok(Outcome::Success)
            }
            None => {
                env.out
                    .say(&format!("no release yet: {}", plan.previous_reason));
                Ok(Outcome::No)
            }
        };
    }
    match &plan.next {
        Some(next) => {
            env.out.line(&next.version)?;
            Ok(Outcome::Success)
        }
        None => {
            env.out.say(&format!("nothing to release: {}", plan.reason));
            Ok(Outcome::No)
        }
    }
}
