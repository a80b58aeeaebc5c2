//! Release tags: the tag template (`v{version}`, `{name}-v{version}`, …) and
//! the index of tags that name releases. Pure: names in, versions out.

use std::collections::HashMap;

use git2::Oid;
use semver::Version;

/// A tag template such as `v{version}`, with `{name}` already substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    prefix: String,
    suffix: String,
}

/// A tag template that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No `{version}` placeholder, or more than one.
    #[error("the tag template `{0}` must contain `{{version}}` exactly once, as in `v{{version}}`")]
    Placeholder(String),
    /// The template would make an invalid ref name.
    #[error("the tag template `{0}` cannot form a valid tag name")]
    RefName(String),
}

impl Template {
    /// Parses a template whose `{name}` has been substituted already.
    pub fn new(template: &str) -> Result<Template, TemplateError> {
        let mut parts = template.split("{version}");
        let (Some(prefix), Some(suffix), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(TemplateError::Placeholder(template.to_owned()));
        };
        let sample = format!("{prefix}1.0.0{suffix}");
        if !git2::Reference::is_valid_name(&format!("refs/tags/{sample}"))
            || sample.contains('{')
            || sample.contains('}')
        {
            return Err(TemplateError::RefName(template.to_owned()));
        }
        Ok(Template {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// Parses a template for a package: `{name}` becomes the package name.
    pub fn for_package(template: &str, name: Option<&str>) -> Result<Template, TemplateError> {
        match name {
            Some(name) => Template::new(&template.replace("{name}", name)),
            None => Template::new(template),
        }
    }

    /// The tag name for a version.
    pub fn format(&self, version: &Version) -> String {
        format!("{}{}{}", self.prefix, version, self.suffix)
    }

    /// The version a tag name carries, if it matches the template.
    pub fn parse(&self, tag: &str) -> Match {
        let Some(middle) = tag
            .strip_prefix(&self.prefix)
            .and_then(|rest| rest.strip_suffix(&self.suffix))
        else {
            return Match::Other;
        };
        match Version::parse(middle) {
            Ok(version) => Match::Version(version),
            Err(e) => Match::NotSemver(e.to_string()),
        }
    }

    /// The literal text before `{version}`: every tag the template matches
    /// starts with it.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The template as written, `{name}` substituted (`v{version}`).
    pub fn text(&self) -> String {
        format!("{}{{version}}{}", self.prefix, self.suffix)
    }

    /// A glob for `git tag --list` style filtering (used in hints).
    pub fn glob(&self) -> String {
        format!("{}*{}", self.prefix, self.suffix)
    }
}

/// How a tag name relates to a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// It names this version.
    Version(Version),
    /// It has the template's shape but not a valid semver version.
    NotSemver(String),
    /// It does not match the template.
    Other,
}

/// One release tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTag {
    /// The tag's short name.
    pub name: String,
    /// The version it names.
    pub version: Version,
    /// The commit it points at (annotated tags peeled).
    pub commit: Oid,
}

/// A tag that looked like a release but is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// The tag's short name.
    pub name: String,
    /// Why it is not a release.
    pub reason: String,
}

/// The release tags of one template, from all tags of the repository.
#[derive(Debug, Clone, Default)]
pub struct TagIndex {
    /// Every release tag, highest version first.
    pub releases: Vec<ReleaseTag>,
    /// Tags of the template's shape that are not releases, with the reason.
    pub ignored: Vec<Ignored>,
    /// How many tags did not match the template at all.
    pub unmatched: usize,
}

/// A tag as the repository reader sees it: its name and what it peels to.
#[derive(Debug, Clone)]
pub struct RawTag {
    /// The tag's short name.
    pub name: String,
    /// The peeled commit, or `None` when the tag points at a tree or blob.
    pub commit: Option<Oid>,
}

impl TagIndex {
    /// Builds the index for `template` from every tag in the repository.
    pub fn build(template: &Template, tags: &[RawTag]) -> TagIndex {
        let mut index = TagIndex::default();
        for tag in tags {
            match template.parse(&tag.name) {
                Match::Other => index.unmatched += 1,
                Match::NotSemver(reason) => index.ignored.push(Ignored {
                    name: tag.name.clone(),
                    reason: format!("not a semantic version ({reason})"),
                }),
                Match::Version(version) => match tag.commit {
                    Some(commit) => index.releases.push(ReleaseTag {
                        name: tag.name.clone(),
                        version,
                        commit,
                    }),
                    None => index.ignored.push(Ignored {
                        name: tag.name.clone(),
                        reason: "points at a tree or blob, not a commit".to_owned(),
                    }),
                },
            }
        }
        // Highest first; equal versions (`v1.0.0` and `v1.0.0+build`) by name for stability.
        index
            .releases
            .sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        index
    }

    /// Release tags by commit, for the history walk: final releases (and
    /// pre-releases with `include_pre`) below `below` if given.
    pub fn by_commit(
        &self,
        include_pre: bool,
        below: Option<&Version>,
    ) -> HashMap<Oid, Vec<&ReleaseTag>> {
        let mut map: HashMap<Oid, Vec<&ReleaseTag>> = HashMap::new();
        for tag in &self.releases {
            if (include_pre || tag.version.pre.is_empty()) && below.is_none_or(|b| tag.version < *b)
            {
                map.entry(tag.commit).or_default().push(tag);
            }
        }
        map
    }

    /// The tag with this name, if it is a release tag.
    pub fn get(&self, name: &str) -> Option<&ReleaseTag> {
        self.releases.iter().find(|t| t.name == name)
    }
}

/// The template a tag name follows, guessed from where a semantic version
/// ends it (`7.0.0` → `{version}`, `cocogitto-7.0.0` → `cocogitto-{version}`,
/// `api/v2.1.0` → `api/v{version}`); `None` when no suffix is one.
pub fn guess_template(tag: &str) -> Option<String> {
    tag.char_indices()
        .filter(|(i, c)| c.is_ascii_digit() && (*i == 0 || !tag.as_bytes()[i - 1].is_ascii_digit()))
        .find(|(i, _)| Version::parse(&tag[*i..]).is_ok())
        .map(|(i, _)| format!("{}{{version}}", &tag[..i]))
}

/// A signed tag's message without its signature block, so the release
/// record's trailers stay the last paragraph.
pub fn strip_signature(message: &str) -> &str {
    for marker in [
        "-----BEGIN SSH SIGNATURE-----",
        "-----BEGIN PGP SIGNATURE-----",
        "-----BEGIN SIGNED MESSAGE-----",
    ] {
        if let Some(at) = message.find(marker) {
            if at == 0 || message.as_bytes()[at - 1] == b'\n' {
                return &message[..at];
            }
        }
    }
    message
}

#[cfg(test)]
mod guess_tests {
    #[test]
    fn templates_guessed_from_tag_names() {
        for (tag, expected) in [
            ("7.0.0", Some("{version}")),
            ("v1.2.3", Some("v{version}")),
            ("cocogitto-7.0.0", Some("cocogitto-{version}")),
            ("tokio-util-0.7.5", Some("tokio-util-{version}")),
            ("api/v2.1.0-rc.1", Some("api/v{version}")),
            ("@scope/pkg@1.0.0", Some("@scope/pkg@{version}")),
            ("nightly", None),
            ("v1.2", None),
        ] {
            assert_eq!(super::guess_template(tag).as_deref(), expected, "{tag}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let rows = [
            ("v{version}", "v1.2.3", Some("1.2.3")),
            ("v{version}", "v1.2.3-rc.1", Some("1.2.3-rc.1")),
            ("v{version}", "1.2.3", None),
            ("{version}", "1.2.3", Some("1.2.3")),
            ("core-v{version}", "core-v0.1.0", Some("0.1.0")),
            ("core-v{version}", "v0.1.0", None),
            (
                "release/{version}/final",
                "release/2.0.0/final",
                Some("2.0.0"),
            ),
        ];
        for (template, tag, expected) in rows {
            let t = Template::new(template).unwrap();
            let got = match t.parse(tag) {
                Match::Version(v) => Some(v.to_string()),
                _ => None,
            };
            assert_eq!(got.as_deref(), expected, "{template} {tag}");
        }
        let t = Template::for_package("{name}@{version}", Some("web")).unwrap();
        assert_eq!(t.format(&Version::new(1, 0, 0)), "web@1.0.0");
        assert!(matches!(
            Template::new("v{version}").unwrap().parse("v1.2"),
            Match::NotSemver(_)
        ));
    }

    #[test]
    fn bad_templates() {
        assert!(Template::new("release").is_err());
        assert!(Template::new("{version}-{version}").is_err());
        assert!(Template::new("v {version}").is_err());
        assert!(Template::new("{name}-{version}").is_err());
    }

    #[test]
    fn index_orders_and_explains() {
        let oid = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        let tags = [
            RawTag {
                name: "v1.0.0".into(),
                commit: Some(oid(1)),
            },
            RawTag {
                name: "v1.10.0".into(),
                commit: Some(oid(2)),
            },
            RawTag {
                name: "v1.2.0".into(),
                commit: Some(oid(3)),
            },
            RawTag {
                name: "v2.0.0-rc.1".into(),
                commit: Some(oid(4)),
            },
            RawTag {
                name: "vnext".into(),
                commit: Some(oid(5)),
            },
            RawTag {
                name: "v3.0.0".into(),
                commit: None,
            },
            RawTag {
                name: "nightly".into(),
                commit: Some(oid(6)),
            },
        ];
        let index = TagIndex::build(&Template::new("v{version}").unwrap(), &tags);
        let names: Vec<_> = index.releases.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v2.0.0-rc.1", "v1.10.0", "v1.2.0", "v1.0.0"]);
        assert_eq!(index.ignored.len(), 2);
        assert_eq!(index.unmatched, 1);
        assert_eq!(index.by_commit(false, None).len(), 3);
        assert_eq!(index.by_commit(true, None).len(), 4);
    }
}
