//! Patterns: the version in any text file, found by a configured regular
//! expression in which `{version}` stands for the version.

use super::VersionFileError;
use super::edits::Edits;

/// Any file: the first version the pattern matches.
pub(super) fn read_regex_version(
    pattern: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    let re = compile_pattern(pattern)?;
    Ok(re
        .captures(text)
        .and_then(|c| c.name("version"))
        .map(|m| m.as_str().to_owned()))
}

const VERSION_GROUP: &str =
    r"(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)";

pub(super) fn compile_pattern(pattern: &str) -> Result<regex::Regex, VersionFileError> {
    let error = |message: String| VersionFileError::Pattern {
        pattern: pattern.to_owned(),
        message,
    };
    if pattern.matches("{version}").count() != 1 {
        return Err(error("expected `{version}` exactly once".to_owned()));
    }
    let expanded = format!("(?m){}", pattern.replace("{version}", VERSION_GROUP));
    regex::Regex::new(&expanded).map_err(|e| {
        let message = e.to_string();
        let last = message.lines().last().unwrap_or_default().trim().to_owned();
        error(last)
    })
}

pub(super) fn set_regex_version(
    file: &str,
    text: &str,
    pattern: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let re = compile_pattern(pattern)?;
    let mut edits = Edits::default();
    for captures in re.captures_iter(text) {
        if let Some(version) = captures.name("version") {
            edits.push(version.range(), new.to_owned());
        }
    }
    if edits.is_empty() {
        return Err(VersionFileError::NoMatch {
            file: file.to_owned(),
            pattern: pattern.to_owned(),
        });
    }
    edits.apply(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::version_files::test_support::v;
    use crate::packages::version_files::{Kind, check_pattern, read_version, set_version};

    #[test]
    fn patterns_that_match_nothing_or_are_invalid_are_refused() {
        let text = "version: 1.2.3\n";
        let kind = Kind::Regex(r#"^VERSION = "{version}"$"#.to_owned());
        let err = set_version(&kind, "setup.cfg", text, &v("2.0.0")).unwrap_err();
        assert!(matches!(err, VersionFileError::NoMatch { .. }), "{err:?}");
        assert!(err.to_string().contains("`setup.cfg`"));
        assert_eq!(read_version(&kind, "f", text).unwrap(), None);
        for pattern in [
            "no placeholder",
            "{version} {version}",
            "(unclosed {version}",
        ] {
            let kind = Kind::Regex(pattern.to_owned());
            let err = set_version(&kind, "f", text, &v("2.0.0")).unwrap_err();
            assert!(
                matches!(err, VersionFileError::Pattern { .. }),
                "{pattern}: {err:?}"
            );
            assert!(check_pattern(pattern).is_err());
            assert!(!err.to_string().contains('\n'), "{err}");
        }
        assert!(check_pattern("^version: {version}$").is_ok());
        let kind = Kind::Regex("^version: {version}$".to_owned());
        assert_eq!(
            set_version(&kind, "f", text, &v("2.0.0")).unwrap(),
            "version: 2.0.0\n"
        );
    }
}
