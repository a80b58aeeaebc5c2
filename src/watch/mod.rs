//! Post-release monitoring: a health check run again and again through a
//! release's soak period in one environment, until the release holds for
//! the whole period or fails in a sustained way.
//!
//! In: the check command, the [`rules::Settings`] and an interruption
//! flag ([`signals`]). Out: a [`Verdict`], and a [`Progress`] after each
//! check for the caller to show. Recording the outcome (and rolling back)
//! is the caller's: `git release watch` goes through `deploy` and
//! `rollback`. Time is measured with the monotonic clock, so short
//! periods (`100ms`) work for tests.

pub mod check;
pub mod rules;
pub mod signals;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::Error;
use crate::watch::check::Outcome;
use crate::watch::rules::{Decision, Settings, Tally};

/// How a watch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The release held for the whole period.
    Held(Tally),
    /// A sustained failure; the last failed check's description.
    Failed(Tally, String),
    /// Interrupted (SIGINT or SIGTERM) after this long.
    Interrupted(Tally, Duration),
}

/// What happened in one check, for a progress display.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The check's number, from 1.
    pub number: u32,
    /// Time since the watch started, when the check ended.
    pub elapsed: Duration,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it ran.
    pub took: Duration,
    /// The counts after it.
    pub tally: Tally,
    /// What the watch does next.
    pub decision: Decision,
}

/// A duration for people: `250ms`, `4.5s`, `2m05s`, `1h30m`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        let tenths = ms / 100;
        if tenths % 10 == 0 {
            format!("{}s", tenths / 10)
        } else {
            format!("{}.{}s", tenths / 10, tenths % 10)
        }
    } else if ms < 3_600_000 {
        let s = ms / 1_000;
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        let m = ms / 60_000;
        format!("{}h{:02}m", m / 60, m % 60)
    }
}

/// Sleeps until `until`, waking early when interrupted; whether interrupted.
fn sleep_until(until: Instant, interrupted: &AtomicBool) -> bool {
    loop {
        if interrupted.load(Ordering::SeqCst) {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(20)));
    }
}

/// Runs `command` every `settings.every` until the release holds for
/// `settings.period`, fails in a sustained way, or `interrupted` is set.
/// A check runs at the start and one at the end of the period.
pub fn run(
    command: &str,
    vars: &[(&str, &str)],
    settings: &Settings,
    interrupted: &AtomicBool,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Verdict, Error> {
    let start = Instant::now();
    let end = start + settings.period;
    let mut tally = Tally::default();
    loop {
        let tick = Instant::now();
        let outcome = check::run(command, vars, settings.timeout, interrupted)?;
        if outcome == Outcome::Interrupted {
            return Ok(Verdict::Interrupted(tally, start.elapsed()));
        }
        let elapsed = start.elapsed();
        let decision = tally.record(outcome.passed(), elapsed, settings);
        let described = outcome.describe(settings.timeout);
        on_progress(&Progress {
            number: tally.checks,
            elapsed,
            outcome,
            took: tick.elapsed(),
            tally,
            decision,
        });
        match decision {
            Decision::Held => return Ok(Verdict::Held(tally)),
            Decision::Failed => return Ok(Verdict::Failed(tally, described)),
            Decision::Continue => {}
        }
        // The next check; the last one falls exactly at the period's end.
        let next = tick + settings.every;
        let wake = if tick < end { next.min(end) } else { next };
        if sleep_until(wake, interrupted) {
            return Ok(Verdict::Interrupted(tally, start.elapsed()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_for_people() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(4_500)), "4.5s");
        assert_eq!(human(Duration::from_secs(30)), "30s");
        assert_eq!(human(Duration::from_secs(125)), "2m05s");
        assert_eq!(human(Duration::from_secs(5_400)), "1h30m");
    }

    #[test]
    fn a_hanging_check_is_killed() {
        let flag = AtomicBool::new(false);
        let started = Instant::now();
        let outcome = check::run("sleep 30; true", &[], Duration::from_millis(200), &flag).unwrap();
        assert_eq!(outcome, Outcome::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
        let failed = check::run(
            "echo first; echo 'down: 503' >&2; exit 3",
            &[],
            Duration::from_secs(5),
            &flag,
        )
        .unwrap();
        assert_eq!(
            failed,
            Outcome::Failed {
                status: "exit status: 3".to_owned(),
                output: "down: 503".to_owned()
            }
        );
    }
}
