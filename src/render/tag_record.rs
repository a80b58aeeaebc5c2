//! The release record a tag carries: the tag message `git release tag`
//! renders from the tag-message template (summary line, reason, and
//! trailers such as `Release-Candidate`, `Approved-by`, `Tested-by`), read
//! back for `log` and `show`. Pure.

/// A release record, as read back.
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
