//! `git release status`: which release each environment runs, since when,
//! and how its last deployment went. Exit 1 when one's latest deployment
//! failed (usable in monitoring).

use crate::Error;
use crate::cli::context::Env;
use crate::cli::output::Style;
use crate::error::Outcome;
use crate::ledger::{self, Status};

/// One environment's row (the dashboard shows the same).
pub type Row = ledger::EnvironmentState;

/// Shows the table.
pub fn run(env: &Env) -> Result<Outcome, Error> {
    let (records, malformed) = crate::ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    let rows: Vec<Row> =
        ledger::environment_states(&records, env.config.environments.keys().map(String::as_str));
    let failed = rows.iter().any(|r| r.last_status == Some(Status::Failed));
    if env.out.json() {
        env.out.json_value(&rows)?;
    } else {
        let mut s = format!(
            "{:<14} {:<16} {:<22} {}\n",
            "ENVIRONMENT", "RUNS", "SINCE", "LAST DEPLOYMENT"
        );
        for r in &rows {
            let last = match (&r.last_tag, r.last_status, &r.last_at) {
                (Some(t), Some(st), Some(at)) => format!("{t} {} at {at}", st.as_str()),
                _ => "never deployed".to_owned(),
            };
            let last = if r.alert {
                env.out.paint(Style::Bad, &format!("{last}  <-- attention"))
            } else {
                last
            };
            s.push_str(&format!(
                "{:<14} {:<16} {:<22} {last}\n",
                r.env,
                r.running.as_deref().unwrap_or("-"),
                r.since.as_deref().unwrap_or("-"),
            ));
        }
        env.out.write(&s)?;
    }
    Ok(if failed {
        Outcome::No
    } else {
        Outcome::Success
    })
}
