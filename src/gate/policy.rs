//! The policy: the `[gate]` table of the trusted configuration, resolved
//! into the rules that [`crate::gate::requirements`] evaluates. Pure.

use jiff::SignedDuration;

use crate::config::{self, GateConfig};
use crate::gate::window::Window;

/// The policy, resolved from the trusted configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Required suites.
    pub tests: Vec<String>,
    /// Distinct approvals needed.
    pub approvals: usize,
    /// Approver e-mail patterns; empty means anyone.
    pub approvers: Vec<String>,
    /// Whether authors in scope and the tagger may approve.
    pub self_approval: bool,
    /// Whether records must be signed.
    pub signed: bool,
    /// Commit-message trailers count.
    pub commit_trailers: bool,
    /// Maximum evidence age.
    pub max_age: Option<SignedDuration>,
    /// The release window.
    pub window: Option<Window>,
    /// Where the policy was read from, for the report.
    pub source: String,
}

impl Policy {
    /// Resolves a `[gate]` table (already validated by the config loader).
    pub fn from_config(gate: &GateConfig, source: String) -> Result<Policy, String> {
        Ok(Policy {
            tests: gate.tests.clone(),
            approvals: gate.approvals,
            approvers: gate.approvers.clone(),
            self_approval: gate.self_approval,
            signed: gate.signed,
            commit_trailers: gate.commit_trailers,
            max_age: gate
                .max_age
                .as_deref()
                .map(config::parse_duration)
                .transpose()?,
            window: gate.window.as_ref().map(Window::from_config).transpose()?,
            source,
        })
    }

    /// Whether the policy asks for anything at all.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty() && self.approvals == 0 && self.window.is_none()
    }
}
