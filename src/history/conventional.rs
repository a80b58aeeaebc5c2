//! Conventional Commits 1.0.0: parsing one commit message into type, scope,
//! breaking flag, description, body and footers. Pure: strings in, values out.

use serde::Serialize;

/// A commit message that follows the Conventional Commits specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conventional {
    /// The type, lower-cased (`feat`, `fix`, …); the specification makes types case-insensitive.
    pub kind: String,
    /// The scope between parentheses, if any.
    pub scope: Option<String>,
    /// Whether the header carries `!` before the colon.
    pub bang: bool,
    /// The description after `: `.
    pub description: String,
    /// The body: everything between the header and the footers, trimmed.
    pub body: Option<String>,
    /// The footers, in order.
    pub footers: Vec<Footer>,
}

/// One footer: `Token: value` or `Token #value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Footer {
    /// The token as written (`BREAKING CHANGE`, `Refs`, `Reviewed-by`).
    pub token: String,
    /// The separator: `": "` or `" #"`.
    pub separator: String,
    /// The value, continuation lines included, trimmed.
    pub value: String,
}

impl Footer {
    /// Whether this footer announces a breaking change (`BREAKING CHANGE` or
    /// `BREAKING-CHANGE`, which the specification requires in upper case).
    pub fn is_breaking(&self) -> bool {
        self.token == "BREAKING CHANGE" || self.token == "BREAKING-CHANGE"
    }
}

impl Conventional {
    /// Whether the commit is a breaking change, by `!` or by footer.
    pub fn is_breaking(&self) -> bool {
        self.bang || self.footers.iter().any(Footer::is_breaking)
    }

    /// The description of the breaking change: the `BREAKING CHANGE` footers'
    /// values, or the header's description when only `!` marks it.
    pub fn breaking_description(&self) -> Option<String> {
        let notes: Vec<&str> = self
            .footers
            .iter()
            .filter(|f| f.is_breaking())
            .map(|f| f.value.as_str())
            .collect();
        if !notes.is_empty() {
            Some(notes.join("\n\n"))
        } else if self.bang {
            Some(self.description.clone())
        } else {
            None
        }
    }

    /// The first footer with this token, compared case-insensitively.
    pub fn footer(&self, token: &str) -> Option<&str> {
        self.footers
            .iter()
            .find(|f| f.token.eq_ignore_ascii_case(token))
            .map(|f| f.value.as_str())
    }
}

/// Why a message is not a Conventional Commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The message has no header line at all.
    #[error("the message is empty")]
    Empty,
    /// The header has no `type: ` prefix.
    #[error("expected `type(scope): description`, found `{0}`")]
    NoType(String),
    /// The type contains characters other than letters, digits and `-`.
    #[error("the type `{0}` must be a single word of letters")]
    BadType(String),
    /// A scope was opened but not closed, or is empty.
    #[error("the scope in `{0}` must be a non-empty word in parentheses, as in `feat(api): …`")]
    BadScope(String),
    /// No space after the colon, or nothing after it.
    #[error("expected a description after `: ` in `{0}`")]
    NoDescription(String),
}

/// Parses a commit message. Line endings may be LF or CRLF; leading blank
/// lines and `#` comment lines are not expected here (git strips them).
pub fn parse(message: &str) -> Result<Conventional, ParseError> {
    let message = message.trim_start_matches(['\n', '\r']);
    let mut lines = message.lines();
    // Leading blanks before the type are accepted, as semantic-release and
    // commitizen accept them.
    let header = lines.next().map(str::trim).unwrap_or("");
    if header.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let (kind, scope, bang, description) = parse_header(header)?;
    let rest: Vec<&str> = lines.map(|l| l.trim_end_matches('\r')).collect();
    let (body, footers) = split_body_and_footers(&rest);
    Ok(Conventional {
        kind,
        scope,
        bang,
        description,
        body,
        footers,
    })
}

fn parse_header(header: &str) -> Result<(String, Option<String>, bool, String), ParseError> {
    let Some(colon) = header.find(':') else {
        return Err(ParseError::NoType(header.to_owned()));
    };
    let (prefix, after) = header.split_at(colon);
    let after = &after[1..];
    let (prefix, bang) = match prefix.strip_suffix('!') {
        Some(p) => (p, true),
        None => (prefix, false),
    };
    let (kind, scope) = match prefix.find('(') {
        Some(open) => {
            let Some(inner) = prefix[open + 1..].strip_suffix(')') else {
                return Err(ParseError::BadScope(header.to_owned()));
            };
            if inner.trim().is_empty() || inner.contains(['(', ')']) {
                return Err(ParseError::BadScope(header.to_owned()));
            }
            (&prefix[..open], Some(inner.to_owned()))
        }
        None => (prefix, None),
    };
    if kind.is_empty() {
        return Err(ParseError::NoType(header.to_owned()));
    }
    if !kind
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || !kind.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Err(if kind.contains(char::is_whitespace) {
            ParseError::NoType(header.to_owned())
        } else {
            ParseError::BadType(kind.to_owned())
        });
    }
    let Some(description) = after.strip_prefix(' ') else {
        return Err(ParseError::NoDescription(header.to_owned()));
    };
    let description = description.trim();
    if description.is_empty() {
        return Err(ParseError::NoDescription(header.to_owned()));
    }
    Ok((
        kind.to_ascii_lowercase(),
        scope,
        bang,
        description.to_owned(),
    ))
}

/// If `line` starts a footer, returns its token, separator and the value's first line.
fn footer_start(line: &str) -> Option<(&str, &str, &str)> {
    for breaking in ["BREAKING CHANGE", "BREAKING-CHANGE"] {
        if let Some(rest) = line.strip_prefix(breaking) {
            if let Some(value) = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(" #")) {
                let sep = &rest[..2];
                return Some((breaking, sep, value));
            }
            if rest == ":" {
                return Some((breaking, ":", ""));
            }
        }
    }
    let token_len = line
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(line.len());
    if token_len == 0 {
        return None;
    }
    let (token, rest) = line.split_at(token_len);
    if let Some(value) = rest.strip_prefix(": ") {
        Some((token, ": ", value))
    } else if rest == ":" {
        Some((token, ":", ""))
    } else if let Some(value) = rest.strip_prefix(" #") {
        Some((token, " #", value))
    } else {
        None
    }
}

/// Splits the lines after the header into a body and footers. The footers
/// are the trailing paragraphs that each open with a footer line, where a
/// paragraph that follows a `BREAKING CHANGE` footer continues its text.
fn split_body_and_footers(lines: &[&str]) -> (Option<String>, Vec<Footer>) {
    // Paragraph starts: indexes of first non-blank lines after a blank line.
    let mut starts = Vec::new();
    let mut previous_blank = true;
    for (i, line) in lines.iter().enumerate() {
        let blank = line.trim().is_empty();
        if !blank && previous_blank {
            starts.push(i);
        }
        previous_blank = blank;
    }
    let footer_from = starts.iter().copied().find(|&start| {
        let mut in_breaking = false;
        starts
            .iter()
            .filter(|&&s| s >= start)
            .all(|&s| match footer_start(lines[s]) {
                Some((token, _, _)) => {
                    in_breaking = token.starts_with("BREAKING");
                    true
                }
                None => in_breaking,
            })
    });
    let body_end = footer_from.unwrap_or(lines.len());
    let body = lines[..body_end].join("\n");
    let body = body.trim();
    let body = (!body.is_empty()).then(|| body.to_owned());

    let mut footers: Vec<Footer> = Vec::new();
    if let Some(from) = footer_from {
        for line in &lines[from..] {
            match footer_start(line) {
                Some((token, separator, value)) => footers.push(Footer {
                    token: token.to_owned(),
                    separator: separator.to_owned(),
                    value: value.to_owned(),
                }),
                None => {
                    if let Some(last) = footers.last_mut() {
                        last.value.push('\n');
                        last.value.push_str(line);
                    }
                }
            }
        }
        for footer in &mut footers {
            footer.value = footer.value.trim().to_owned();
        }
    }
    (body, footers)
}

/// The first `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) footer line of a
/// message whose header may not parse, as conventional-changelog finds
/// notes: any line after the header that starts with the token.
pub fn breaking_footer(message: &str) -> Option<&str> {
    message
        .lines()
        .skip(1)
        .map(str::trim_end)
        .find(|line| line.starts_with("BREAKING CHANGE:") || line.starts_with("BREAKING-CHANGE:"))
}

/// A revert found in a commit message: git's own `Revert "…"` form or a
/// conventional `revert: …`, with the reverted commit's id when the body
/// says `This reverts commit <id>.`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revert {
    /// The reverted commit's id (full or abbreviated hex) if named.
    pub target: Option<String>,
    /// The reverted commit's header, if the revert quotes it.
    pub header: Option<String>,
}

/// Recognises a revert commit.
pub fn parse_revert(message: &str) -> Option<Revert> {
    let header = message.lines().next()?.trim();
    let quoted = if let Some(rest) = header.strip_prefix("Revert \"") {
        // `Revert "…"`, possibly with a squash-merge suffix after the quote.
        let rest = strip_squash_suffix(rest);
        Some(rest.strip_suffix('"').unwrap_or(rest).to_owned())
    } else {
        let is_revert = header.len() > 6
            && header.as_bytes()[..6].eq_ignore_ascii_case(b"revert")
            && matches!(header.as_bytes()[6], b':' | b'(' | b'!');
        if is_revert {
            header.split_once(": ").map(|(_, d)| {
                let d = strip_squash_suffix(d.trim());
                d.strip_prefix('"')
                    .and_then(|d| d.strip_suffix('"'))
                    .unwrap_or(d)
                    .to_owned()
            })
        } else {
            return None;
        }
    };
    let target = message.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("This reverts commit ")?;
        let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        (id.len() >= 7).then_some(id)
    });
    Some(Revert {
        target,
        header: quoted,
    })
}

/// A header without a trailing squash-merge suffix such as ` (#9)`, the
/// form in which reverts quote the header of the commit they revert.
pub fn strip_squash_suffix(header: &str) -> &str {
    let trimmed = header.trim_end();
    if let Some(open) = trimmed.rfind(" (#") {
        let number = &trimmed[open + 3..];
        if let Some(digits) = number.strip_suffix(')') {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return trimmed[..open].trim_end();
            }
        }
    }
    trimmed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(message: &str) -> Conventional {
        parse(message).unwrap_or_else(|e| panic!("{message:?} should parse: {e}"))
    }

    #[test]
    fn headers() {
        // (message, type, scope, bang, description)
        let rows: &[(&str, &str, Option<&str>, bool, &str)] = &[
            ("feat: add x", "feat", None, false, "add x"),
            ("fix(api): y", "fix", Some("api"), false, "y"),
            ("feat!: drop z", "feat", None, true, "drop z"),
            ("feat(cli)!: drop z", "feat", Some("cli"), true, "drop z"),
            ("FEAT: shout", "feat", None, false, "shout"),
            ("Fix(Core): mixed", "fix", Some("Core"), false, "mixed"),
            (
                "feat(a b): spaced scope",
                "feat",
                Some("a b"),
                false,
                "spaced scope",
            ),
            ("feat: colon: inside", "feat", None, false, "colon: inside"),
            ("feat:  extra space ", "feat", None, false, "extra space"),
            ("my-type: x", "my-type", None, false, "x"),
        ];
        for &(message, kind, scope, bang, description) in rows {
            let c = ok(message);
            assert_eq!(c.kind, kind, "{message}");
            assert_eq!(c.scope.as_deref(), scope, "{message}");
            assert_eq!(c.bang, bang, "{message}");
            assert_eq!(c.description, description, "{message}");
        }
    }

    #[test]
    fn rejects() {
        let rows: &[&str] = &[
            "",
            "\n\n",
            "update readme",
            "feat add x",
            "feat:add x",
            "feat: ",
            "feat(): x",
            "feat(api: x",
            ": x",
            "fe at: x",
            "Merge branch 'main' into dev",
            "feat((x)): y",
            "1feat: x",
        ];
        for message in rows {
            assert!(parse(message).is_err(), "{message:?} should not parse");
        }
    }

    #[test]
    fn body_and_footers() {
        let c = ok(
            "feat: x\n\nA body\nover lines.\n\nSecond paragraph.\n\nRefs: #12\nReviewed-by: A <a@x>\nCloses #3\n",
        );
        assert_eq!(
            c.body.as_deref(),
            Some("A body\nover lines.\n\nSecond paragraph.")
        );
        let tokens: Vec<_> = c
            .footers
            .iter()
            .map(|f| (f.token.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            tokens,
            [("Refs", "#12"), ("Reviewed-by", "A <a@x>"), ("Closes", "3")]
        );
        assert!(!c.is_breaking());
    }

    #[test]
    fn breaking_footers() {
        let c = ok(
            "feat: x\n\nBREAKING CHANGE: the API moved\nacross two lines\n\nand a paragraph.\nRefs: 9",
        );
        assert!(c.is_breaking());
        assert_eq!(
            c.breaking_description().as_deref(),
            Some("the API moved\nacross two lines\n\nand a paragraph.")
        );
        assert_eq!(c.footer("refs"), Some("9"));
        assert!(ok("fix: y\n\nBREAKING-CHANGE: gone").is_breaking());
        // The specification requires the token in upper case.
        assert!(!ok("fix: y\n\nbreaking change: gone").is_breaking());
        // A breaking footer must be a footer, not prose in the body.
        assert!(!ok("fix: y\n\nThis mentions BREAKING CHANGE: in passing\nand goes on.\n\nSigned-off-by: a").is_breaking());
        assert_eq!(
            ok("feat!: drop").breaking_description().as_deref(),
            Some("drop")
        );
    }

    #[test]
    fn crlf() {
        let c = ok("fix: y\r\n\r\nbody\r\n\r\nBREAKING CHANGE: z\r\n");
        assert_eq!(c.body.as_deref(), Some("body"));
        assert_eq!(c.breaking_description().as_deref(), Some("z"));
    }

    #[test]
    fn reverts() {
        let git = parse_revert("Revert \"feat: add x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n").unwrap();
        assert_eq!(git.header.as_deref(), Some("feat: add x"));
        assert_eq!(
            git.target.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        let conv = parse_revert("revert: feat: add x\n\nThis reverts commit abcdef1.").unwrap();
        assert_eq!(conv.target.as_deref(), Some("abcdef1"));
        assert!(parse_revert("feat: revert the thing").is_none());
        assert_eq!(parse_revert("Revert \"x\"").unwrap().target, None);
        // Squash merges and hand-written reverts: a suffix after the quote,
        // and no id line.
        let squashed = parse_revert("Revert \"chore(deps): bump x\" (#9)").unwrap();
        assert_eq!(squashed.header.as_deref(), Some("chore(deps): bump x"));
        assert_eq!(squashed.target, None);
        let inner = parse_revert("Revert \"feat: a (#8)\" (#9)").unwrap();
        assert_eq!(inner.header.as_deref(), Some("feat: a (#8)"));
        let conv = parse_revert("revert: \"feat: add x\" (#12)").unwrap();
        assert_eq!(conv.header.as_deref(), Some("feat: add x"));
    }

    #[test]
    fn leading_blanks_and_breaking_footers_under_any_header() {
        let parsed = ok(" feat(api): add x");
        assert_eq!(
            (parsed.kind.as_str(), parsed.scope.as_deref()),
            ("feat", Some("api"))
        );
        assert_eq!(ok("\tfix: y").kind, "fix");
        assert_eq!(
            breaking_footer("v9 (#639)\n\nBREAKING CHANGE: the flag is gone"),
            Some("BREAKING CHANGE: the flag is gone")
        );
        assert_eq!(breaking_footer("BREAKING CHANGE: in the header only"), None);
        assert_eq!(breaking_footer("x\n\nnot BREAKING CHANGE: here"), None);
    }

    #[test]
    fn squash_suffixes() {
        for (header, expected) in [
            ("feat: a (#9)", "feat: a"),
            ("feat: a (#9) ", "feat: a"),
            ("feat: a", "feat: a"),
            ("feat: a (#)", "feat: a (#)"),
            ("feat: a (#9x)", "feat: a (#9x)"),
            ("feat: (#1) a", "feat: (#1) a"),
            ("(#9)", "(#9)"),
        ] {
            assert_eq!(strip_squash_suffix(header), expected, "{header:?}");
        }
    }
}
