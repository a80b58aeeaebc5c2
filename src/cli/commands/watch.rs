//! `git release watch TAG --env E`: run the environment's health check
//! through the soak period, record `succeeded` when it holds (through
//! `deploy`'s code path) or `failed` at the first sustained failure, and
//! with `--rollback` roll back (through `rollback`'s). Exit 0 held, 1
//! failed (rolled back or not), 2 error, 130 interrupted (nothing recorded).

use std::time::Duration;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::ledger::deploy::{self, Event};
use crate::ledger::{self, Status};
use crate::watch::rules::{Decision, Settings};
use crate::watch::{Progress, Verdict, human};

/// `watch`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release tag being deployed
    #[arg(value_name = "TAG")]
    pub tag: String,
    /// The environment (configured under `[environments]`)
    #[arg(long, value_name = "NAME")]
    pub env: String,
    /// The health check, a shell command; exit 0 is healthy [default: the environment's `check`]
    #[arg(long, value_name = "CMD")]
    pub check: Option<String>,
    /// How often to check [default: `check-every`, else 30s]
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// How long the release must hold [default: `check-for`, else the longest `soak` of the environments that require this one, else 15m]
    #[arg(long = "for", value_name = "DURATION")]
    pub period: Option<String>,
    /// Kill a check that runs longer, and count it as failed [default: `check-timeout`, else 30s]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Failed checks in a row that make a sustained failure [default: `check-failures`, else 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub failures: Option<u32>,
    /// After a sustained failure, run the environment's `rollback-command` and record its outcome [default: `auto-rollback`]
    #[arg(long, conflicts_with = "no_rollback")]
    pub rollback: bool,
    /// Do not roll back, even with `auto-rollback = true`
    #[arg(long)]
    pub no_rollback: bool,
}

/// A duration from a flag or a key, longer than zero.
fn duration(value: &str, what: &str) -> Result<Duration, Error> {
    let parsed = crate::config::parse_duration(value).map_err(|e| {
        Error::refused(
            format!("{what}: {e}"),
            &["write it as `500ms`, `30s`, `15m` or `2h`"],
        )
    })?;
    match Duration::try_from(parsed) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(Error::refused(
            format!("{what} must be longer than zero, found `{value}`"),
            &["write it as `500ms`, `30s`, `15m` or `2h`"],
        )),
    }
}

/// Watches the release and records the outcome.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let name = &args.env;
    let commit = deploy::release_commit(&env.repo, &env.config, &args.tag)?;
    let ident = crate::gate::recording::identity(&env.repo)?;
    // The environment's settings as the release's trusted configuration
    // has them (as `deploy` and `rollback` read them), flags over them.
    let pin = crate::gate::trust_base::pinned(&env.repo, None)?;
    let mut verifier = crate::gate::verify_tag::Verifier::new(&env.repo, pin)?;
    let (base, config, source) =
        crate::gate::verdict::environment_rules(&env.repo, &mut verifier, &args.tag, commit, name)?;
    drop(verifier);
    let Some(command) = args.check.clone().or_else(|| config.check.clone()) else {
        return Err(Error::Refused {
            message: format!("there is no health check for `{name}`"),
            hints: vec![
                "pass one: `git release watch TAG --env NAME --check 'curl -fsS https://…/health'`"
                    .to_owned(),
                format!(
                    "or set `check = \"…\"` under `[environments.{name}]` (it takes effect with the release that adds it)"
                ),
            ],
        });
    };
    let soak = base
        .config
        .environments
        .values()
        .filter(|c| c.requires.iter().any(|r| r == name))
        .filter_map(|c| c.soak.as_deref())
        .filter_map(|s| crate::config::parse_duration(s).ok())
        .filter_map(|d| Duration::try_from(d).ok())
        .max();
    let settings = Settings {
        every: match (&args.every, &config.check_every) {
            (Some(v), _) => duration(v, "`--every`")?,
            (None, Some(v)) => duration(v, &format!("`environments.{name}.check-every`"))?,
            (None, None) => Duration::from_secs(30),
        },
        period: match (&args.period, &config.check_for) {
            (Some(v), _) => duration(v, "`--for`")?,
            (None, Some(v)) => duration(v, &format!("`environments.{name}.check-for`"))?,
            (None, None) => soak.unwrap_or(Duration::from_secs(15 * 60)),
        },
        timeout: match (&args.timeout, &config.check_timeout) {
            (Some(v), _) => duration(v, "`--timeout`")?,
            (None, Some(v)) => duration(v, &format!("`environments.{name}.check-timeout`"))?,
            (None, None) => Duration::from_secs(30),
        },
        failures: args.failures.or(config.check_failures).unwrap_or(2).max(1),
    };
    let roll_back = args.rollback || (config.auto_rollback && !args.no_rollback);
    if roll_back && config.rollback_command.is_none() {
        return Err(Error::Refused {
            message: format!(
                "`--rollback` needs a `rollback-command` for `{name}`, and {source} has none"
            ),
            hints: vec![format!(
                "set `rollback-command` under `[environments.{name}]`, or watch without `--rollback`"
            )],
        });
    }
    // Refuse now what `deploy` would refuse at the end.
    let (records, malformed) = ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    if let Some(refusal) = deploy::refusal(
        &env.repo,
        &records,
        &args.tag,
        commit,
        name,
        Status::Succeeded,
        &ident,
    )? {
        return Err(Error::Refused {
            message: format!(
                "{} may not be recorded as succeeded in `{name}` (rules: {}), so there is nothing to watch for",
                args.tag, refusal.source
            ),
            hints: refusal.problems,
        });
    }
    let interrupted = crate::watch::signals::interrupt_flag()?;
    env.out.progress(&format!(
        "watching {} in `{name}`: `{command}` every {} for {} (timeout {}, {} failed check(s) in a row fail it{})",
        args.tag,
        human(settings.every),
        human(settings.period),
        human(settings.timeout),
        settings.failures,
        if roll_back { ", then roll back" } else { "" }
    ));
    let mut show = |p: &Progress| {
        let what = p.outcome.describe(settings.timeout);
        let streak = if p.outcome.passed() || settings.failures == 1 {
            String::new()
        } else {
            format!(" [{} of {} in a row]", p.tally.streak, settings.failures)
        };
        let next = match p.decision {
            Decision::Continue => "",
            Decision::Held => " -- held",
            Decision::Failed => " -- sustained failure",
        };
        env.out.progress(&format!(
            "watch: {} / {}  check {} {what} in {}{streak}{next}",
            human(p.elapsed),
            human(settings.period),
            p.number,
            human(p.took),
        ));
    };
    let vars = [
        ("GIT_RELEASE_TAG", args.tag.as_str()),
        ("GIT_RELEASE_ENV", name.as_str()),
    ];
    let verdict = crate::watch::run(&command, &vars, &settings, &interrupted, &mut show)?;
    // Recorded as `git release deploy` records it, refused as it refuses.
    let record = |status: Status, note: String| -> Result<Outcome, Error> {
        let (records, _) = ledger::read(&env.repo)?;
        if let Some(refusal) =
            deploy::refusal(&env.repo, &records, &args.tag, commit, name, status, &ident)?
        {
            crate::cli::reports::deployment_refusal(&env.out, &refusal, &args.tag, name);
            return Ok(Outcome::No);
        }
        let line = deploy::record(
            &env.repo,
            &ident,
            Event {
                tag: &args.tag,
                commit,
                environment: name,
                status,
                url: None,
                note: Some(note),
            },
            "git release watch",
        )?;
        env.out.info(&format!(
            "appended to {}: {line}",
            crate::gate::evidence::DEPLOYS_REF
        ));
        env.out.line(&format!(
            "recorded: {} {} in `{name}`",
            args.tag,
            status.as_str()
        ))?;
        Ok(Outcome::Success)
    };
    match verdict {
        Verdict::Held(tally) => record(
            Status::Succeeded,
            format!(
                "watch: held for {}: {} check(s), {} failed",
                human(settings.period),
                tally.checks,
                tally.failed
            ),
        ),
        Verdict::Failed(tally, last) => {
            record(
                Status::Failed,
                format!(
                    "watch: {} failed check(s) in a row after {} check(s); last {last}",
                    tally.streak, tally.checks
                ),
            )?;
            if !roll_back {
                env.out.say(&format!(
                    "{} failed in `{name}`; roll back with `git release rollback --env {name} --execute`, or watch with `--rollback`",
                    args.tag
                ));
                return Ok(Outcome::No);
            }
            let (records, _) = ledger::read(&env.repo)?;
            let Some(current) = records
                .iter()
                .rev()
                .find(|d| d.env == *name && d.tag == args.tag)
            else {
                return Err(Error::refused(
                    "the failure just recorded cannot be read back",
                    &[],
                ));
            };
            let Some(target) = ledger::rollback_target(&records, name, current) else {
                env.out.say(&format!(
                    "no earlier release succeeded in `{name}`, so there is nothing to roll back to; deploy a fixed release"
                ));
                return Ok(Outcome::No);
            };
            env.out.progress(&format!(
                "rolling `{name}` back from {} to {}",
                current.tag, target.tag
            ));
            let (outcome, lines) =
                ledger::rollback::execute(&env.repo, &ident, name, current, target, &config)?;
            crate::cli::reports::rollback_outcome(&env.out, &outcome, &lines, name, &target.tag)?;
            Ok(Outcome::No)
        }
        Verdict::Interrupted(tally, after) => {
            env.out.say(&format!(
                "interrupted after {}: {} check(s), {} failed; the running check was stopped and nothing was recorded",
                human(after),
                tally.checks,
                tally.failed
            ));
            Ok(Outcome::Interrupted)
        }
    }
}
