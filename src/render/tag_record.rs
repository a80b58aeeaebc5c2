//! The release record: what `git release tag` writes into the annotated
//! tag's message (from the tag-message template), read back for `log`,
//! `show` and the dashboard. Pure: a message in, its fields out.

/// Reads a release record (the tag message of `git release tag`).
pub struct ReleaseRecord {
    /// Commit count.
    pub commits: Option<u64>,
    /// Bump.
    pub bump: Option<String>,
    /// Reason line.
    pub reason: Option<String>,
    /// `Approved-by` values.
    pub approved_by: Vec<String>,
    /// `Tested-by` values.
    pub tested: Vec<String>,
    /// Whether it has `Release-Candidate`.
    pub recorded: bool,
}

/// Parses a tag message written from the built-in tag-message template.
pub fn parse(message: &str) -> ReleaseRecord {
    // A signed tag's signature block would hide the trailers above it.
    let message = crate::git::tags::strip_signature(message);
    let trailers = crate::history::trailer::parse(message);
    let values = |key: &str| -> Vec<String> {
        crate::history::trailer::find(&trailers, key)
            .map(str::to_owned)
            .collect()
    };
    let mut lines = message.lines();
    let summary = lines
        .by_ref()
        .find(|l| l.starts_with("Release ") && l.contains("commit(s)"));
    let reason = lines
        .next()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned());
    let (commits, bump) = match summary.and_then(|s| s.rsplit_once(": ")) {
        Some((_, tail)) => {
            let commits = tail.split(' ').next().and_then(|n| n.parse().ok());
            let bump = tail
                .split(", ")
                .nth(1)
                .and_then(|b| b.strip_suffix(" bump."))
                .map(str::to_owned);
            (commits, bump)
        }
        None => (None, None),
    };
    ReleaseRecord {
        commits,
        bump,
        reason: summary.and(reason),
        approved_by: values("Approved-by"),
        tested: values("Tested-by"),
        recorded: !values("Release-Candidate").is_empty(),
    }
}

/// What a release record says about the release's evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceSummary {
    /// Suites that passed, in record order, without repeats.
    pub tested: Vec<String>,
    /// Who approved (names), in record order, without repeats.
    pub approved: Vec<String>,
    /// Whether every evidence record carries a signature (false without records).
    pub signed: bool,
}

impl ReleaseRecord {
    /// The tests and approvals the record lists. `tag` writes them as
    /// `Tested-by: Name <email> (suite S, AT)[, signed]` and
    /// `Approved-by: Name <email> (AT[, signed])`.
    pub fn evidence(&self) -> EvidenceSummary {
        let mut summary = EvidenceSummary::default();
        let mut records = 0;
        let mut signed = 0;
        for value in &self.tested {
            let Some((_, rest)) = value.split_once("(suite ") else {
                continue;
            };
            let suite = rest.split([',', ')']).next().unwrap_or("").trim();
            if suite.is_empty() {
                continue;
            }
            records += 1;
            if value.trim_end().ends_with(", signed") {
                signed += 1;
            }
            if !summary.tested.iter().any(|s| s == suite) {
                summary.tested.push(suite.to_owned());
            }
        }
        for value in &self.approved_by {
            let name = value.split(" <").next().unwrap_or("").trim();
            if name.is_empty() {
                continue;
            }
            records += 1;
            if value.trim_end().ends_with(", signed)") {
                signed += 1;
            }
            if !summary.approved.iter().any(|a| a == name) {
                summary.approved.push(name.to_owned());
            }
        }
        summary.signed = records > 0 && signed == records;
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_tag_keeps_its_record() {
        let record = parse(
            "v1.0.0\n\nRelease 1.0.0 after v0.9.0: 2 commit(s), minor bump.\nminor because of x\n\n\
             Release-Candidate: abc\n\
             Approved-by: Bea <bea@x> (2026-01-01T00:00:00Z)\n\
             -----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
        );
        assert!(record.recorded);
        assert_eq!(record.approved_by.len(), 1);
    }

    #[test]
    fn evidence_from_a_record() {
        let record = parse(
            "v1.0.0\n\nRelease 1.0.0 after v0.9.0: 2 commit(s), minor bump.\nminor because of x\n\n\
             Release-Candidate: abc\n\
             Tested-by: Ada <ada@x> (suite unit, 2026-01-01T00:00:00Z), signed\n\
             Tested-by: Ada <ada@x> (suite e2e, 2026-01-01T00:00:00Z), signed\n\
             Approved-by: Bea <bea@x> (2026-01-01T00:00:00Z, signed)\n",
        );
        assert!(record.recorded);
        assert_eq!(record.commits, Some(2));
        assert_eq!(record.bump.as_deref(), Some("minor"));
        let e = record.evidence();
        assert_eq!(e.tested, ["unit", "e2e"]);
        assert_eq!(e.approved, ["Bea"]);
        assert!(e.signed);
        let unsigned = parse(
            "v1\n\nRelease-Candidate: abc\nApproved-by: Bea <bea@x> (2026-01-01T00:00:00Z)\n",
        );
        assert!(!unsigned.evidence().signed);
        assert!(!parse("just words").evidence().signed);
    }
}
