//! Requirements shared by the ecosystems: one operator and a plain version,
//! moved to the new version with the operator and spacing kept.

use semver::Version;

/// `spec` with its version replaced by `new` when it is one operator from
/// `ops` (or none, when `bare` is allowed) and a plain version such as
/// `1.2` or `1.2.3-rc.1`; `None` otherwise or when nothing would change.
pub(super) fn simple_requirement(
    spec: &str,
    ops: &[&str],
    bare: bool,
    new: &Version,
) -> Option<String> {
    let leading = spec.len() - spec.trim_start().len();
    let body = spec.trim();
    let op = ops.iter().find(|op| body.starts_with(**op)).copied();
    let op_len = match op {
        Some(op) => op.len(),
        None if bare => 0,
        None => return None,
    };
    let after_op = body.get(op_len..)?;
    let version = after_op.trim_start();
    if !is_plain_version(version) {
        return None;
    }
    let version_start = leading + op_len + (after_op.len() - version.len());
    let version_end = version_start + version.len();
    let rewritten = format!(
        "{}{}{}",
        spec.get(..version_start)?,
        new,
        spec.get(version_end..)?
    );
    (rewritten != spec).then_some(rewritten)
}

/// `1`, `1.2`, `1.2.3`, optionally with `-pre` and `+build`.
fn is_plain_version(text: &str) -> bool {
    let (core, build) = match text.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (text, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    let identifier = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && pre.is_none_or(identifier)
        && build.is_none_or(identifier)
}
