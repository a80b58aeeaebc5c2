//! Version arithmetic: bump levels, applying a bump, pre-release numbering.
//! Pure: versions in, versions out.

use std::fmt;
use std::str::FromStr;

use semver::{Prerelease, Version};
use serde::{Deserialize, Serialize};

/// How much a change moves the version.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No release.
    #[default]
    None,
    /// `x.y.Z`.
    Patch,
    /// `x.Y.0`.
    Minor,
    /// `X.0.0`.
    Major,
}

impl Bump {
    /// The lower-case name used in config, flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bump {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Bump::None),
            "patch" => Ok(Bump::Patch),
            "minor" => Ok(Bump::Minor),
            "major" => Ok(Bump::Major),
            _ => Err(format!(
                "unknown bump `{s}`; expected `major`, `minor`, `patch` or `none`"
            )),
        }
    }
}

/// Applies a bump to a released version. Pre-release and build metadata are
/// dropped. `Bump::None` returns the version unchanged.
pub fn apply(version: &Version, bump: Bump) -> Version {
    let mut next = Version::new(version.major, version.minor, version.patch);
    match bump {
        Bump::None => return version.clone(),
        Bump::Major => {
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
        }
        Bump::Minor => {
            next.minor += 1;
            next.patch = 0;
        }
        Bump::Patch => next.patch += 1,
    }
    next
}

/// Checks a pre-release label such as `rc`, `beta` or `alpha`.
pub fn validate_label(label: &str) -> Result<(), String> {
    if label.is_empty()
        || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || label.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "invalid pre-release label `{label}`; use letters, digits and `-`, as in `rc` or `beta`"
        ));
    }
    Ok(())
}

/// The pre-release number `n` of `version` when it reads `base-label.n`.
pub fn pre_number(version: &Version, label: &str) -> Option<u64> {
    let mut parts = version.pre.as_str().split('.');
    let (Some(l), Some(n), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if l != label {
        return None;
    }
    n.parse().ok()
}

/// The next pre-release of `base` with `label`: one past the highest
/// `base-label.N` among `existing`, or `.1`.
pub fn next_pre<'a>(
    base: &Version,
    label: &str,
    existing: impl IntoIterator<Item = &'a Version>,
) -> Result<Version, semver::Error> {
    let highest = existing
        .into_iter()
        .filter(|v| v.major == base.major && v.minor == base.minor && v.patch == base.patch)
        .filter_map(|v| pre_number(v, label))
        .max();
    let n = highest.map_or(1, |n| n + 1);
    let mut next = Version::new(base.major, base.minor, base.patch);
    next.pre = Prerelease::new(&format!("{label}.{n}"))?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn bumps() {
        let rows = [
            ("1.2.3", Bump::Major, "2.0.0"),
            ("1.2.3", Bump::Minor, "1.3.0"),
            ("1.2.3", Bump::Patch, "1.2.4"),
            ("1.2.3", Bump::None, "1.2.3"),
            ("0.9.9", Bump::Minor, "0.10.0"),
            ("1.2.3+build.5", Bump::Patch, "1.2.4"),
        ];
        for (from, bump, to) in rows {
            assert_eq!(apply(&v(from), bump), v(to), "{from} + {bump}");
        }
        assert!(Bump::Major > Bump::Minor && Bump::Minor > Bump::Patch && Bump::Patch > Bump::None);
    }

    #[test]
    fn pre_releases() {
        let existing = [
            v("1.3.0-rc.1"),
            v("1.3.0-rc.2"),
            v("1.3.0-beta.7"),
            v("1.4.0-rc.9"),
        ];
        assert_eq!(
            next_pre(&v("1.3.0"), "rc", &existing).unwrap(),
            v("1.3.0-rc.3")
        );
        assert_eq!(
            next_pre(&v("1.3.0"), "beta", &existing).unwrap(),
            v("1.3.0-beta.8")
        );
        assert_eq!(
            next_pre(&v("1.3.0"), "alpha", &existing).unwrap(),
            v("1.3.0-alpha.1")
        );
        assert_eq!(
            next_pre(&v("2.0.0"), "rc", &existing).unwrap(),
            v("2.0.0-rc.1")
        );
        assert_eq!(pre_number(&v("1.0.0-rc.x"), "rc"), None);
        assert_eq!(pre_number(&v("1.0.0-rc.1.2"), "rc"), None);
    }

    #[test]
    fn labels() {
        assert!(validate_label("rc").is_ok());
        assert!(validate_label("pre-alpha").is_ok());
        for bad in ["", "rc.1", "r c", "12", "ü"] {
            assert!(validate_label(bad).is_err(), "{bad:?}");
        }
        assert_eq!("MAJOR".parse::<Bump>(), Ok(Bump::Major));
        assert!("huge".parse::<Bump>().is_err());
    }
}
