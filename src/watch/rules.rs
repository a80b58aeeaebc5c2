//! When a watch is over: a failure is sustained when `failures` checks in
//! a row fail; the release holds when the period is over and the latest
//! check passed. A failure streak still open when the period ends is
//! decided by the next checks (a pass holds, a sustained failure fails).
//! Pure: check results and elapsed time in, a decision out.

use std::time::Duration;

/// How a watch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Time between the starts of two checks.
    pub every: Duration,
    /// How long the release must hold.
    pub period: Duration,
    /// A check running longer is killed and counts as failed.
    pub timeout: Duration,
    /// Failed checks in a row that make a sustained failure (at least 1).
    pub failures: u32,
}

/// What the watch has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Checks run.
    pub checks: u32,
    /// Checks that failed (timeouts included).
    pub failed: u32,
    /// Failed checks in a row, up to the latest.
    pub streak: u32,
}

/// What to do after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Keep checking.
    Continue,
    /// The release held for the whole period.
    Held,
    /// The failure is sustained.
    Failed,
}

impl Tally {
    /// Counts one check that ended `elapsed` after the watch started.
    pub fn record(&mut self, passed: bool, elapsed: Duration, settings: &Settings) -> Decision {
        self.checks += 1;
        if passed {
            self.streak = 0;
        } else {
            self.failed += 1;
            self.streak += 1;
        }
        if self.streak >= settings.failures.max(1) {
            Decision::Failed
        } else if elapsed >= settings.period && self.streak == 0 {
            Decision::Held
        } else {
            Decision::Continue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        let settings = Settings {
            every: Duration::from_secs(1),
            period: Duration::from_secs(3),
            timeout: Duration::from_secs(1),
            failures: 2,
        };
        // (results at t = 0, 1, 2, …, expected decision after the last)
        let rows: [(&[bool], Decision); 7] = [
            (&[true], Decision::Continue),
            (&[true, true, true, true], Decision::Held),
            (&[true, false, true, false], Decision::Continue),
            (&[true, false, true, false, true], Decision::Held),
            (&[true, false, false], Decision::Failed),
            (&[false, false], Decision::Failed),
            (&[true, true, true, false], Decision::Continue),
        ];
        for (results, expected) in rows {
            let mut tally = Tally::default();
            let mut decision = Decision::Continue;
            for (i, passed) in results.iter().enumerate() {
                assert_eq!(decision, Decision::Continue, "{results:?} ended early");
                decision = tally.record(*passed, Duration::from_secs(i as u64), &settings);
            }
            assert_eq!(decision, expected, "{results:?}");
        }
        let once = Settings {
            failures: 1,
            ..settings
        };
        assert_eq!(
            Tally::default().record(false, Duration::ZERO, &once),
            Decision::Failed
        );
    }
}
