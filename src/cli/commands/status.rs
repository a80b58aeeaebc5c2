//! `git release status`: which release each environment runs, since when,
//! and how its last deployment went. Exit 1 when one's latest deployment
//! failed (usable in monitoring).

use serde::Serialize;

use crate::Error;
use crate::cli::context::Env;
use crate::cli::output::Style;
use crate::error::Outcome;
use crate::ledger::{self, Status};

/// One environment's row.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The environment.
    pub env: String,
    /// The release it runs (the last one that succeeded there, after any rollback).
    pub running: Option<String>,
    /// Since when.
    pub since: Option<String>,
    /// The latest deployment's tag.
    pub last_tag: Option<String>,
    /// The latest deployment's status.
    pub last_status: Option<Status>,
    /// When it was recorded.
    pub last_at: Option<String>,
    /// Whether it needs attention (its latest deployment failed or was rolled back).
    pub alert: bool,
}

/// Shows the table.
pub fn run(env: &Env) -> Result<Outcome, Error> {
    let (records, malformed) = crate::ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    let mut names: Vec<String> = env.config.environments.keys().cloned().collect();
    for r in &records {
        if !names.contains(&r.env) {
            names.push(r.env.clone());
        }
    }
    let rows: Vec<Row> = names
        .iter()
        .map(|name| {
            let last = ledger::latest(&records, name);
            let running = ledger::running(&records, name);
            Row {
                env: name.clone(),
                running: running.map(|d| d.tag.clone()),
                since: running.map(|d| d.at.clone()),
                last_tag: last.map(|d| d.tag.clone()),
                last_status: last.map(|d| d.status),
                last_at: last.map(|d| d.at.clone()),
                alert: last
                    .is_some_and(|d| matches!(d.status, Status::Failed | Status::RolledBack)),
            }
        })
        .collect();
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
