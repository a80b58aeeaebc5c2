//! Links to commits, comparisons and issues on the hosting service, derived
//! from the remote URL (https, ssh and scp-like forms). Pure.

use serde::{Deserialize, Serialize};

/// A hosting service whose URL scheme we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Host {
    /// github.com and GitHub Enterprise.
    Github,
    /// gitlab.com and self-hosted GitLab.
    Gitlab,
    /// bitbucket.org.
    Bitbucket,
    /// Gitea, Forgejo and Codeberg.
    Gitea,
}

/// A repository on a known host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remote {
    /// The host kind.
    pub host: Host,
    /// The repository's web URL, e.g. `https://github.com/owner/repo`.
    pub url: String,
}

impl Remote {
    /// Reads a remote URL: `https://host/owner/repo(.git)`,
    /// `ssh://git@host[:port]/owner/repo.git`, `git@host:owner/repo.git`.
    /// `host` forces the kind (for self-hosted services with other names).
    pub fn from_url(remote: &str, host: Option<Host>) -> Option<Remote> {
        let remote = remote.trim();
        let (hostname, path) = if let Some(rest) = remote
            .strip_prefix("https://")
            .or_else(|| remote.strip_prefix("http://"))
            .or_else(|| remote.strip_prefix("ssh://"))
            .or_else(|| remote.strip_prefix("git://"))
        {
            let (authority, path) = rest.split_once('/')?;
            let authority = authority.rsplit('@').next()?;
            let hostname = authority.split(':').next()?;
            (hostname.to_owned(), path.to_owned())
        } else if let Some((user_host, path)) = remote.split_once(':') {
            // scp-like: user@host:path (no slash before the colon).
            if user_host.contains('/') || path.starts_with("//") {
                return None;
            }
            let hostname = user_host.rsplit('@').next()?;
            (hostname.to_owned(), path.to_owned())
        } else {
            return None;
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        // Bitbucket and some ssh forms put a leading `scm/`; GitLab allows subgroups.
        if hostname.is_empty() || path.split('/').count() < 2 || path.contains(char::is_whitespace)
        {
            return None;
        }
        let lower = hostname.to_ascii_lowercase();
        let host = host.or_else(|| {
            if lower == "github.com" || lower.contains("github") {
                Some(Host::Github)
            } else if lower.contains("gitlab") {
                Some(Host::Gitlab)
            } else if lower.contains("bitbucket") {
                Some(Host::Bitbucket)
            } else if lower == "codeberg.org"
                || lower.contains("gitea")
                || lower.contains("forgejo")
            {
                Some(Host::Gitea)
            } else {
                None
            }
        })?;
        Some(Remote {
            host,
            url: format!("https://{hostname}/{path}"),
        })
    }

    /// The page of one commit.
    pub fn commit(&self, id: &str) -> String {
        match self.host {
            Host::Github | Host::Gitea => format!("{}/commit/{id}", self.url),
            Host::Gitlab => format!("{}/-/commit/{id}", self.url),
            Host::Bitbucket => format!("{}/commits/{id}", self.url),
        }
    }

    /// The comparison between two tags.
    pub fn compare(&self, from: &str, to: &str) -> String {
        match self.host {
            Host::Github | Host::Gitea => format!("{}/compare/{from}...{to}", self.url),
            Host::Gitlab => format!("{}/-/compare/{from}...{to}", self.url),
            Host::Bitbucket => format!("{}/branches/compare/{to}%0D{from}", self.url),
        }
    }

    /// The page of an issue or pull request number.
    pub fn issue(&self, number: u64) -> String {
        match self.host {
            Host::Github | Host::Gitea => format!("{}/issues/{number}", self.url),
            Host::Gitlab => format!("{}/-/issues/{number}", self.url),
            Host::Bitbucket => format!("{}/issues/{number}", self.url),
        }
    }

    /// The page of a tag.
    pub fn tag(&self, tag: &str) -> String {
        match self.host {
            Host::Github => format!("{}/releases/tag/{tag}", self.url),
            Host::Gitea => format!("{}/releases/tag/{tag}", self.url),
            Host::Gitlab => format!("{}/-/tags/{tag}", self.url),
            Host::Bitbucket => format!("{}/src/{tag}", self.url),
        }
    }
}

/// An issue or pull-request reference found in a commit message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// As written, e.g. `#123`.
    pub id: String,
    /// The number.
    pub number: u64,
    /// The closing keyword, lower-cased (`closes`, `fixes`, `resolves`), if any.
    pub action: Option<String>,
    /// The link, when the host is known.
    pub url: Option<String>,
}

/// `text` with every `#123` reference (as [`references`] finds them) made a
/// Markdown link to the issue when the host is known.
pub fn link_references(text: &str, remote: Option<&Remote>) -> String {
    let Some(remote) = remote else {
        return text.to_owned();
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#'
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && !b"&[".contains(&bytes[i - 1]))
        {
            let digits = text[i + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .take(12)
                .count();
            let after = text[i + 1 + digits..].chars().next();
            if digits > 0 && !after.is_some_and(|c| c.is_alphanumeric() || c == ']') {
                if let Ok(number) = text[i + 1..i + 1 + digits].parse::<u64>() {
                    out.push_str(&text[copied..i]);
                    out.push_str(&format!("[#{number}]({})", remote.issue(number)));
                    copied = i + 1 + digits;
                }
            }
            i += 1 + digits;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Finds `#123` references in `text`, noting a closing keyword before one.
pub fn references(text: &str, remote: Option<&Remote>) -> Vec<Reference> {
    const ACTIONS: [&str; 9] = [
        "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
    ];
    let mut found: Vec<Reference> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#'
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'&')
        {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .take(12)
                .collect();
            let after = text[i + 1 + digits.len()..].chars().next();
            if !digits.is_empty() && !after.is_some_and(|c| c.is_alphanumeric()) {
                if let Ok(number) = digits.parse::<u64>() {
                    let before = text[..i].trim_end_matches([' ', ':']);
                    let word = before
                        .rsplit(|c: char| !c.is_ascii_alphabetic())
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    let action = ACTIONS.contains(&word.as_str()).then_some(word);
                    if !found.iter().any(|r| r.number == number) {
                        found.push(Reference {
                            id: format!("#{number}"),
                            number,
                            action,
                            url: remote.map(|r| r.issue(number)),
                        });
                    }
                }
            }
            i += 1 + digits.len();
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_forms() {
        let rows = [
            (
                "https://github.com/o/r.git",
                Some((Host::Github, "https://github.com/o/r")),
            ),
            (
                "https://github.com/o/r",
                Some((Host::Github, "https://github.com/o/r")),
            ),
            (
                "git@github.com:o/r.git",
                Some((Host::Github, "https://github.com/o/r")),
            ),
            (
                "ssh://git@github.com/o/r.git",
                Some((Host::Github, "https://github.com/o/r")),
            ),
            (
                "https://user:token@gitlab.com/g/sub/r.git",
                Some((Host::Gitlab, "https://gitlab.com/g/sub/r")),
            ),
            (
                "ssh://git@gitlab.example.com:2222/g/r.git",
                Some((Host::Gitlab, "https://gitlab.example.com/g/r")),
            ),
            (
                "git@bitbucket.org:team/r.git",
                Some((Host::Bitbucket, "https://bitbucket.org/team/r")),
            ),
            (
                "https://codeberg.org/o/r.git",
                Some((Host::Gitea, "https://codeberg.org/o/r")),
            ),
            (
                "https://gitea.example.org/o/r",
                Some((Host::Gitea, "https://gitea.example.org/o/r")),
            ),
            ("https://example.org/o/r", None),
            ("/srv/git/r.git", None),
            ("file:///srv/git/r.git", None),
            ("../r", None),
        ];
        for (url, expected) in rows {
            let got = Remote::from_url(url, None).map(|r| (r.host, r.url));
            assert_eq!(got, expected.map(|(h, u)| (h, u.to_owned())), "{url}");
        }
        let forced = Remote::from_url("https://git.corp/o/r", Some(Host::Gitlab)).unwrap();
        assert_eq!(forced.commit("abc"), "https://git.corp/o/r/-/commit/abc");
    }

    #[test]
    fn links_per_host() {
        let gh = Remote::from_url("git@github.com:o/r.git", None).unwrap();
        assert_eq!(
            gh.compare("v1.0.0", "v1.1.0"),
            "https://github.com/o/r/compare/v1.0.0...v1.1.0"
        );
        assert_eq!(gh.issue(12), "https://github.com/o/r/issues/12");
        let bb = Remote::from_url("git@bitbucket.org:o/r.git", None).unwrap();
        assert_eq!(bb.commit("abc"), "https://bitbucket.org/o/r/commits/abc");
        assert_eq!(
            bb.compare("v1", "v2"),
            "https://bitbucket.org/o/r/branches/compare/v2%0Dv1"
        );
        let gl = Remote::from_url("https://gitlab.com/o/r", None).unwrap();
        assert_eq!(gl.issue(3), "https://gitlab.com/o/r/-/issues/3");
    }

    #[test]
    fn links_references_in_text() {
        let remote = Remote::from_url("https://github.com/o/r.git", None).unwrap();
        assert_eq!(
            link_references("fix x (#42), see #7; not a#1 or #1b or [#3]", Some(&remote)),
            "fix x ([#42](https://github.com/o/r/issues/42)), see [#7](https://github.com/o/r/issues/7); not a#1 or #1b or [#3]"
        );
        assert_eq!(link_references("(#42)", None), "(#42)");
        assert_eq!(
            link_references("é#1", Some(&remote)),
            "é[#1](https://github.com/o/r/issues/1)"
        );
    }

    #[test]
    fn finds_references() {
        let refs = references(
            "fix: a (#12)\n\nCloses #34, fixes: #56 and see #12 and abc#7 and #8x",
            None,
        );
        let got: Vec<(u64, Option<&str>)> = refs
            .iter()
            .map(|r| (r.number, r.action.as_deref()))
            .collect();
        assert_eq!(got, [(12, None), (34, Some("closes")), (56, Some("fixes"))]);
        assert!(references("#", None).is_empty());
        assert!(references("é#1", None).len() == 1);
    }
}
