//! The `allowed_signers` file: its lines, their options and principals
//! (see ALLOWED SIGNERS in `man ssh-keygen`), and OpenSSH's pattern
//! matching for principals and namespaces.
//!
//! The whole text is parsed up front, and any malformed line is an error
//! naming the line (OpenSSH logs such a line and skips it). Times in
//! `valid-after` / `valid-before` without a trailing `Z` are read as UTC,
//! not in the local time zone.

use jiff::Timestamp;
use ssh_key::{Algorithm, PublicKey};

use super::shorten;

/// OpenSSH's limit on one sub-pattern of a pattern list (`match.c`): longer
/// sub-patterns never match.
const MAX_SUBPATTERN: usize = 1023;

/// What is wrong in an `allowed_signers` file. Every variant names the
/// 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowedSignersError {
    /// A line has principals but no key.
    #[error("allowed_signers line {line}: missing key after `{after}`")]
    MissingKey {
        /// The line number.
        line: usize,
        /// The last field that was present.
        after: String,
    },
    /// The principals field is malformed.
    #[error("allowed_signers line {line}: invalid principals: {reason}")]
    InvalidPrincipals {
        /// The line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An option this tool (and OpenSSH) does not know.
    #[error("allowed_signers line {line}: unknown option `{option}`")]
    UnknownOption {
        /// The line number.
        line: usize,
        /// The option as written.
        option: String,
    },
    /// An option is malformed (missing quotes, value, separator).
    #[error("allowed_signers line {line}: option `{option}`: {reason}")]
    InvalidOption {
        /// The line number.
        line: usize,
        /// The option name.
        option: String,
        /// What is wrong.
        reason: String,
    },
    /// An option appears twice.
    #[error("allowed_signers line {line}: option `{option}` is given more than once")]
    DuplicateOption {
        /// The line number.
        line: usize,
        /// The option name.
        option: String,
    },
    /// A `valid-after` / `valid-before` value is not a time.
    #[error(
        "allowed_signers line {line}: `{option}` time `{value}` is invalid: expected `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally followed by `Z`"
    )]
    InvalidTime {
        /// The line number.
        line: usize,
        /// `valid-after` or `valid-before`.
        option: String,
        /// The value as written.
        value: String,
    },
    /// `valid-before` is not after `valid-after`.
    #[error("allowed_signers line {line}: `valid-before` is not after `valid-after`")]
    EmptyValidity {
        /// The line number.
        line: usize,
    },
    /// The key type or base64 key does not parse.
    #[error("allowed_signers line {line}: invalid key `{key}`: {reason}")]
    InvalidKey {
        /// The line number.
        line: usize,
        /// The key type (and a prefix of the key) as written.
        key: String,
        /// Why it does not parse.
        reason: String,
    },
}

impl AllowedSignersError {
    /// The 1-based line number the error is on.
    pub fn line(&self) -> usize {
        match self {
            AllowedSignersError::MissingKey { line, .. }
            | AllowedSignersError::InvalidPrincipals { line, .. }
            | AllowedSignersError::UnknownOption { line, .. }
            | AllowedSignersError::InvalidOption { line, .. }
            | AllowedSignersError::DuplicateOption { line, .. }
            | AllowedSignersError::InvalidTime { line, .. }
            | AllowedSignersError::EmptyValidity { line }
            | AllowedSignersError::InvalidKey { line, .. } => *line,
        }
    }

    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        let format = "each line is `principals [options] keytype base64-key [comment]`, e.g. `alice@example.com namespaces=\"git-release\" ssh-ed25519 AAAA…` (see ALLOWED SIGNERS in `man ssh-keygen`)".to_owned();
        match self {
            AllowedSignersError::UnknownOption { .. }
            | AllowedSignersError::InvalidOption { .. }
            | AllowedSignersError::DuplicateOption { .. } => vec![
                "options are comma-separated with no spaces: `cert-authority`, `namespaces=\"…\"`, `valid-after=\"…\"`, `valid-before=\"…\"`, values in double quotes".to_owned(),
                format,
            ],
            AllowedSignersError::InvalidTime { .. } | AllowedSignersError::EmptyValidity { .. } => vec![
                "write times as `YYYYMMDD[Z]` or `YYYYMMDDHHMM[SS][Z]`, e.g. `valid-before=\"20300101Z\"`; they are read as UTC".to_owned(),
            ],
            AllowedSignersError::MissingKey { .. }
            | AllowedSignersError::InvalidPrincipals { .. }
            | AllowedSignersError::InvalidKey { .. } => vec![
                format,
                "copy the key from the signer's `.pub` file (`ssh-keygen -y -f KEY` prints it)".to_owned(),
            ],
        }
    }
}

/// One line of an `allowed_signers` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The 1-based line number.
    pub line: usize,
    /// The principals pattern list, e.g. `alice@example.com,*@example.org`.
    pub principals: String,
    /// The `cert-authority` option: the line's key is a certificate
    /// authority, matched by signatures made with certificates it signed.
    pub cert_authority: bool,
    /// The `namespaces` option: a pattern list the signature namespace must
    /// match.
    pub namespaces: Option<String>,
    /// The `valid-after` option, read as UTC.
    pub valid_after: Option<Timestamp>,
    /// The `valid-before` option, read as UTC.
    pub valid_before: Option<Timestamp>,
    /// The public key.
    pub key: PublicKey,
}

/// A parsed `allowed_signers` file (see ALLOWED SIGNERS in `man ssh-keygen`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    entries: Vec<AllowedSigner>,
}

impl AllowedSigners {
    /// Parses the OpenSSH format: one `principals [options] keytype
    /// base64-key [comment]` per line; blank lines and lines starting with
    /// `#` are ignored. Options are `cert-authority`, `namespaces="…"`,
    /// `valid-after="…"` and `valid-before="…"` (names case-insensitive);
    /// anything else is an error naming the line.
    pub fn parse(text: &str) -> Result<AllowedSigners, AllowedSignersError> {
        let mut entries = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            if let Some(entry) = parse_line(index + 1, raw)? {
                entries.push(entry);
            }
        }
        Ok(AllowedSigners { entries })
    }

    /// The signer lines, in file order.
    pub fn entries(&self) -> &[AllowedSigner] {
        &self.entries
    }

    /// The number of signer lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no signer lines.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\r'])
}

/// Splits at the first whitespace: `(token, rest)`.
fn split_token(s: &str) -> (&str, &str) {
    match s.bytes().position(is_space) {
        Some(i) => (&s[..i], skip_space(&s[i..])),
        None => (s, ""),
    }
}

/// Splits the options field off the front, where whitespace inside double
/// quotes does not end it and `\"` does not close a quote
/// (`sshkey_advance_past_options`). `None` if a quote is left open.
fn split_options(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut quoted = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b if !quoted && is_space(b) => return Some((&s[..i], skip_space(&s[i..]))),
            _ => {}
        }
        i += 1;
    }
    if quoted { None } else { Some((s, "")) }
}

/// Whether `token` names a key type (and so is not an options field).
fn is_key_type(token: &str) -> bool {
    !token.contains(['=', '"', ',']) && Algorithm::new(token).is_ok()
}

const OPTION_NAMES: [&str; 4] = [
    "cert-authority",
    "namespaces",
    "valid-after",
    "valid-before",
];

/// Whether `token` looks like an options field rather than a mistyped key.
fn looks_like_options(token: &str) -> bool {
    let name = option_name(token);
    token.contains(['=', '"', ',']) || OPTION_NAMES.iter().any(|o| o.eq_ignore_ascii_case(name))
}

fn parse_line(line: usize, raw: &str) -> Result<Option<AllowedSigner>, AllowedSignersError> {
    let rest = raw.trim_start_matches([' ', '\t', '\r', '\n']);
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let (principals, rest) = parse_principals(line, rest)?;
    if rest.is_empty() {
        return Err(AllowedSignersError::MissingKey {
            line,
            after: shorten(&principals, 80),
        });
    }

    let (first, after_first) = split_token(rest);
    let (options, key_text) = if is_key_type(first) {
        (None, rest)
    } else if is_key_type(split_token(after_first).0) || looks_like_options(first) {
        let (options, after) =
            split_options(rest).ok_or_else(|| AllowedSignersError::InvalidOption {
                line,
                option: shorten(option_name(first), 40),
                reason: "a double quote is not closed".to_owned(),
            })?;
        (Some(options), after)
    } else {
        return Err(AllowedSignersError::InvalidKey {
            line,
            key: shorten(first, 40),
            reason: "unknown key type".to_owned(),
        });
    };

    let parsed = match options {
        Some(options) => parse_options(line, options)?,
        None => Options::default(),
    };
    if key_text.is_empty() {
        return Err(AllowedSignersError::MissingKey {
            line,
            after: shorten(options.unwrap_or_default(), 80),
        });
    }
    let key = parse_key(line, key_text)?;
    Ok(Some(AllowedSigner {
        line,
        principals,
        cert_authority: parsed.cert_authority,
        namespaces: parsed.namespaces,
        valid_after: parsed.valid_after,
        valid_before: parsed.valid_before,
        key,
    }))
}

/// The options field of a line.
#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<Timestamp>,
    valid_before: Option<Timestamp>,
}

/// The principals field: a token up to whitespace, or a double-quoted
/// string (which may hold spaces).
fn parse_principals(line: usize, s: &str) -> Result<(String, &str), AllowedSignersError> {
    let invalid = |reason: &str| AllowedSignersError::InvalidPrincipals {
        line,
        reason: reason.to_owned(),
    };
    let (principals, rest) = if let Some(quoted) = s.strip_prefix('"') {
        let end = quoted
            .find('"')
            .ok_or_else(|| invalid("a double quote is not closed"))?;
        let rest = &quoted[end + 1..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t', '\r']) {
            return Err(invalid("expected a space after the closing double quote"));
        }
        (&quoted[..end], skip_space(rest))
    } else {
        let (token, rest) = split_token(s);
        if token.contains('"') {
            return Err(invalid(
                "a double quote may only enclose the whole principals field",
            ));
        }
        (token, rest)
    };
    if principals.is_empty() {
        return Err(invalid("the principals field is empty"));
    }
    Ok((principals.to_owned(), rest))
}

/// The name part of an option (`namespaces` of `namespaces="x"`).
fn option_name(option: &str) -> &str {
    option.split([',', '=']).next().unwrap_or(option)
}

/// Parses `a,b="v",c` as OpenSSH's `sshsigopt_parse` does.
fn parse_options(line: usize, options: &str) -> Result<Options, AllowedSignersError> {
    let mut entry = Options::default();
    let mut rest = options;
    loop {
        let name_end = rest.find([',', '=']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let lower = name.to_ascii_lowercase();
        let after_name = &rest[name_end..];
        let invalid = |reason: &str| AllowedSignersError::InvalidOption {
            line,
            option: shorten(name, 40),
            reason: reason.to_owned(),
        };
        if name.is_empty() {
            return Err(AllowedSignersError::InvalidOption {
                line,
                option: shorten(options, 40),
                reason: "empty option (stray comma?)".to_owned(),
            });
        }
        let after_value = match lower.as_str() {
            "cert-authority" => {
                if after_name.starts_with('=') {
                    return Err(invalid("takes no value"));
                }
                entry.cert_authority = true;
                after_name
            }
            "namespaces" | "valid-after" | "valid-before" => {
                let Some(value) = after_name.strip_prefix('=') else {
                    return Err(invalid("needs a value, as in `name=\"value\"`"));
                };
                let (value, after) = dequote(value).map_err(&invalid)?;
                match lower.as_str() {
                    "namespaces" => {
                        if entry.namespaces.is_some() {
                            return Err(AllowedSignersError::DuplicateOption {
                                line,
                                option: lower,
                            });
                        }
                        entry.namespaces = Some(value);
                    }
                    _ => {
                        let time =
                            parse_time(&value).ok_or_else(|| AllowedSignersError::InvalidTime {
                                line,
                                option: lower.clone(),
                                value: shorten(&value, 40),
                            })?;
                        let slot = if lower == "valid-after" {
                            &mut entry.valid_after
                        } else {
                            &mut entry.valid_before
                        };
                        if slot.is_some() {
                            return Err(AllowedSignersError::DuplicateOption {
                                line,
                                option: lower,
                            });
                        }
                        *slot = Some(time);
                    }
                }
                after
            }
            _ => {
                return Err(AllowedSignersError::UnknownOption {
                    line,
                    option: shorten(name, 40),
                });
            }
        };
        if after_value.is_empty() {
            break;
        }
        match after_value.strip_prefix(',') {
            Some(next) if !next.is_empty() => rest = next,
            Some(_) => {
                return Err(AllowedSignersError::InvalidOption {
                    line,
                    option: shorten(options, 40),
                    reason: "ends with a comma".to_owned(),
                });
            }
            None => return Err(invalid("expected `,` or a space after it")),
        }
    }
    if let (Some(after), Some(before)) = (entry.valid_after, entry.valid_before) {
        if before <= after {
            return Err(AllowedSignersError::EmptyValidity { line });
        }
    }
    Ok(entry)
}

/// Reads `"value"` (with `\"` for a quote) off the front of `s`:
/// `(value, rest)`.
fn dequote(s: &str) -> Result<(String, &str), &'static str> {
    let Some(body) = s.strip_prefix('"') else {
        return Err("the value must be in double quotes");
    };
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if body[i + 1..].starts_with('"') => {
                value.push('"');
                chars.next();
            }
            '"' => return Ok((value, &body[i + 1..])),
            c => value.push(c),
        }
    }
    Err("a double quote is not closed")
}

/// Parses `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, with an optional
/// trailing `Z`, as UTC. (OpenSSH reads values without `Z` in local time;
/// this tool reads them as UTC so results do not depend on `TZ`.)
fn parse_time(value: &str) -> Option<Timestamp> {
    // As OpenSSH's `parse_absolute_time`: an optional `Z` or `UTC` suffix
    // (any case); 8, 12 or 14 digits read by strptime (day 1-31 whatever
    // the month, seconds up to 61) and normalised by timegm; times before
    // 1970, and the epoch itself, refused. Times without a suffix are read as UTC here (OpenSSH
    // uses the local zone).
    let lower = value.to_ascii_lowercase();
    let digits = if let Some(rest) = lower.strip_suffix("utc").filter(|r| r.len() > 2) {
        rest
    } else if let Some(rest) = lower.strip_suffix('z').filter(|r| !r.is_empty()) {
        rest
    } else {
        lower.as_str()
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> { digits.get(range)?.parse().ok() };
    let (hour, minute, second) = match digits.len() {
        8 => (0, 0, 0),
        12 => (number(8..10)?, number(10..12)?, 0),
        14 => (number(8..10)?, number(10..12)?, number(12..14)?),
        _ => return None,
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0..=61).contains(&second)
    {
        return None;
    }
    // Days since the epoch of the first of the month (proleptic Gregorian),
    // then the rest added as timegm does, past the month's end if need be.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468 + (day - 1);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    // OpenSSH refuses times before 1970, and the epoch itself (0 means unset).
    if seconds <= 0 {
        return None;
    }
    Some(Timestamp::from_second(seconds).unwrap_or(Timestamp::MAX))
}

/// Parses `keytype base64 [comment]`.
fn parse_key(line: usize, text: &str) -> Result<PublicKey, AllowedSignersError> {
    let (key_type, rest) = split_token(text);
    let (base64, _comment) = split_token(rest);
    let shown = format!("{key_type} {}", shorten(base64, 12));
    let invalid = |reason: String| AllowedSignersError::InvalidKey {
        line,
        key: shorten(shown.trim_end(), 60),
        reason,
    };
    if !is_key_type(key_type) {
        return Err(invalid("unknown key type".to_owned()));
    }
    if base64.is_empty() {
        return Err(invalid("the base64 key is missing".to_owned()));
    }
    PublicKey::from_openssh(&format!("{key_type} {base64}")).map_err(|e| invalid(e.to_string()))
}

// ---------------------------------------------------------------------------
// Principal and namespace patterns
// ---------------------------------------------------------------------------

/// OpenSSH's `match_pattern`: `*` matches any run of bytes, `?` one byte.
fn match_pattern(s: &[u8], pattern: &[u8]) -> bool {
    let (mut si, mut pi) = (0, 0);
    // Where the last `*` was, and where in `s` it currently ends.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match pattern.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&p) if p == b'?' || p == s[si] => {
                si += 1;
                pi += 1;
            }
            _ => match star {
                Some((star_pi, star_si)) => {
                    pi = star_pi + 1;
                    si = star_si + 1;
                    star = Some((star_pi, star_si + 1));
                }
                None => return false,
            },
        }
    }
    pattern[pi.min(pattern.len())..].iter().all(|&p| p == b'*')
}

/// OpenSSH's `match_pattern_list` for a true result: `s` matches some
/// comma-separated sub-pattern and no `!`-negated one.
pub(super) fn match_pattern_list(s: &str, list: &str) -> bool {
    // OpenSSH reads no sub-pattern after a trailing comma, nor from an empty
    // list.
    if list.is_empty() {
        return false;
    }
    let list = list.strip_suffix(',').unwrap_or(list);
    let mut positive = false;
    for sub in list.split(',') {
        let (negated, sub) = match sub.strip_prefix('!') {
            Some(sub) => (true, sub),
            None => (false, sub),
        };
        if sub.len() >= MAX_SUBPATTERN {
            return false;
        }
        if match_pattern(s.as_bytes(), sub.as_bytes()) {
            if negated {
                return false;
            }
            positive = true;
        }
    }
    positive
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::signatures::test_support::{ED, Fixture, PAYLOAD, Rng, at, ts};

    #[test]
    fn parses_the_openssh_format() {
        let text = format!(
            "# comment\n\
             \n\
             \t  # indented comment\n\
             alice@example.com {ED} alice's laptop\r\n\
             \x20\x20bob@example.com,*@example.org\tNamespaces=\"git,git-release\",VALID-AFTER=\"20240101\",valid-before=\"203001011230Z\"\t{ED}\n\
             \"carol smith@example.com\" namespaces=\"a \\\"quoted\\\" ns\" {ED}\n\
             *@example.com cert-authority,namespaces=\"x\" {ED}\n"
        );
        let signers = AllowedSigners::parse(&text).unwrap();
        assert_eq!(signers.len(), 4);
        let e = signers.entries();
        assert_eq!(
            (e[0].line, e[0].principals.as_str()),
            (4, "alice@example.com")
        );
        assert_eq!(e[0].key, PublicKey::from_openssh(ED).unwrap());
        assert_eq!(e[1].line, 5);
        assert_eq!(e[1].principals, "bob@example.com,*@example.org");
        assert_eq!(e[1].namespaces.as_deref(), Some("git,git-release"));
        assert_eq!(e[1].valid_after, Some(ts("2024-01-01T00:00:00Z")));
        assert_eq!(e[1].valid_before, Some(ts("2030-01-01T12:30:00Z")));
        assert_eq!(e[2].principals, "carol smith@example.com");
        assert_eq!(e[2].namespaces.as_deref(), Some("a \"quoted\" ns"));
        assert!(e[3].cert_authority);
        assert!(!e[2].cert_authority);
        assert!(AllowedSigners::parse("").unwrap().is_empty());
        assert!(AllowedSigners::parse("\n# x\n\n").unwrap().is_empty());
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let ed_base64 = ED.split(' ').nth(1).unwrap();
        let cases: Vec<(String, &str)> = vec![
            (
                "alice@example.com".to_owned(),
                "missing key after `alice@example.com`",
            ),
            ("alice@example.com   ".to_owned(), "missing key"),
            (
                format!("alice@example.com frobnicate {ED}"),
                "unknown option `frobnicate`",
            ),
            (
                format!("alice@example.com no-touch-required {ED}"),
                "unknown option `no-touch-required`",
            ),
            (
                format!("alice@example.com namespaces=git {ED}"),
                "option `namespaces`: the value must be in double quotes",
            ),
            (
                format!("alice@example.com namespaces {ED}"),
                "option `namespaces`: needs a value",
            ),
            (
                format!("alice@example.com namespaces=\"git {ED}"),
                "a double quote is not closed",
            ),
            (
                format!("alice@example.com namespaces=\"a\",namespaces=\"b\" {ED}"),
                "option `namespaces` is given more than once",
            ),
            (
                format!("alice@example.com namespaces=\"a\"x {ED}"),
                "expected `,` or a space",
            ),
            (
                format!("alice@example.com namespaces=\"a\", {ED}"),
                "ends with a comma",
            ),
            (
                format!("alice@example.com ,namespaces=\"a\" {ED}"),
                "empty option",
            ),
            (
                format!("alice@example.com cert-authority=\"yes\" {ED}"),
                "takes no value",
            ),
            (
                format!("alice@example.com valid-after=\"2024\" {ED}"),
                "`valid-after` time `2024` is invalid",
            ),
            (
                format!("alice@example.com valid-after=\"20240232\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-after=\"2024010112\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-before=\"20240101x\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-before=\"20241301Z\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-before=\"202401012460Z\" {ED}"),
                "is invalid",
            ),
            (
                format!(
                    "alice@example.com valid-after=\"20250101\",valid-before=\"20240101\" {ED}"
                ),
                "`valid-before` is not after `valid-after`",
            ),
            (
                "alice@example.com cert-authority".to_owned(),
                "missing key after `cert-authority`",
            ),
            (
                "alice@example.com ssh-ed25519".to_owned(),
                "the base64 key is missing",
            ),
            (
                "alice@example.com ssh-ed25519 !!!notbase64".to_owned(),
                "invalid key `ssh-ed25519 !!!notbase64`",
            ),
            (
                format!("alice@example.com ssh-rsa {ed_base64}"),
                "invalid key",
            ),
            (
                "alice@example.com ssh-foo AAAA".to_owned(),
                "invalid key `ssh-foo`: unknown key type",
            ),
            (
                format!("\"alice@example.com {ED}"),
                "invalid principals: a double quote is not closed",
            ),
            (format!("alice\"@example.com {ED}"), "invalid principals"),
            (format!("\"alice\"x {ED}"), "invalid principals"),
            (format!("\"\" {ED}"), "the principals field is empty"),
        ];
        for (bad, expected) in cases {
            let text =
                format!("# signers\n\nalice@example.com {ED}\n{bad}\nbob@example.com {ED}\n");
            let err = AllowedSigners::parse(&text).unwrap_err();
            assert_eq!(err.line(), 4, "{bad}: {err}");
            let message = err.to_string();
            assert!(message.starts_with("allowed_signers line 4: "), "{message}");
            assert!(
                message.contains(expected),
                "{bad}:\n  got {message}\n  want {expected}"
            );
            assert!(!err.hints().is_empty());
        }
    }

    #[test]
    fn openssh_also_reports_malformed_lines() {
        // ssh-keygen logs a malformed line and skips it; this module refuses
        // the file. Both must see the same lines as malformed.
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let k = &key.public;
        for bad in [
            "alice@example.com".to_owned(),
            format!("alice@example.com frobnicate {k}"),
            format!("alice@example.com namespaces=git-release {k}"),
            format!("alice@example.com namespaces=\"git-release {k}"),
            format!("alice@example.com namespaces=\"a\",namespaces=\"b\" {k}"),
            format!("alice@example.com namespaces=\"a\", {k}"),
            format!("alice@example.com cert-authority=\"yes\" {k}"),
            format!("alice@example.com valid-after=\"2024\" {k}"),
            format!("alice@example.com valid-after=\"20250101Z\",valid-before=\"20240101Z\" {k}"),
            "alice@example.com ssh-ed25519 !!!notbase64".to_owned(),
        ] {
            let text = format!("# first\n{bad}\nalice@example.com {k}\n");
            let err = AllowedSigners::parse(&text).unwrap_err();
            assert_eq!(err.line(), 2, "{bad}");
            let (_, stderr) = fx.openssh(&text, "alice@example.com", PAYLOAD, &armored, at());
            assert!(
                stderr.contains("allowed_signers:2: "),
                "ssh-keygen did not report {bad}: {stderr}"
            );
        }
    }

    #[test]
    fn hostile_allowed_signers_never_panic() {
        let pieces = [
            " ",
            "\t",
            "\"",
            ",",
            "=",
            "\\",
            "#",
            "!",
            "*",
            "?",
            "\n",
            "\r",
            "é",
            "💥",
            "a@b",
            "ssh-ed25519",
            "ssh-rsa",
            ED,
            "AAAA",
            "namespaces",
            "valid-after",
            "valid-before",
            "cert-authority",
            "\"20240101Z\"",
            "\"2024\"",
            "Z",
            "\0",
        ];
        let mut rng = Rng(42);
        for _ in 0..3000 {
            let mut line = String::new();
            for _ in 0..rng.below(12) {
                line.push_str(pieces[rng.below(pieces.len())]);
            }
            let _ = AllowedSigners::parse(&line);
        }
        let long = format!("{} {ED}", "a".repeat(100_000));
        assert!(AllowedSigners::parse(&long).is_ok());
        let long = format!("a {} {ED}", "x".repeat(100_000));
        assert!(AllowedSigners::parse(&long).is_err());
    }

    #[test]
    fn pattern_lists_follow_openssh() {
        for (s, list, expected) in [
            ("alice@example.com", "alice@example.com", true),
            (
                "alice@example.com",
                "bob@example.com,alice@example.com",
                true,
            ),
            ("alice@example.com", "*", true),
            ("alice@example.com", "*@example.com", true),
            ("alice@example.com", "a*e@*.com", true),
            ("alice@example.com", "?????@example.com", true),
            ("alice@example.com", "????@example.com", false),
            ("alice@example.com", "*@example.com,!alice@*", false),
            ("alice@example.com", "!alice@*,*", false),
            ("bob@example.com", "!alice@*,*", true),
            ("bob@example.com", "!alice@*", false),
            ("alice@example.com", "", false),
            ("", "", false),
            ("", "*", true),
            ("alice", "alice*", true),
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
                "*a*a*a*a*a*a*a*a*a*a*a*a*c",
                false,
            ),
            ("alice@example.com", "ALICE@example.com", false),
        ] {
            assert_eq!(match_pattern_list(s, list), expected, "{s:?} in {list:?}");
        }
        let long = "a".repeat(MAX_SUBPATTERN);
        assert!(!match_pattern_list(&long, &long));
        assert!(match_pattern_list(&long[1..], &long[1..]));
    }

    #[test]
    fn times_are_read_as_utc() {
        for (text, expected) in [
            ("20240102", Some("2024-01-02T00:00:00Z")),
            ("20240102Z", Some("2024-01-02T00:00:00Z")),
            ("202401021304", Some("2024-01-02T13:04:00Z")),
            ("20240102130405Z", Some("2024-01-02T13:04:05Z")),
            ("20240229", Some("2024-02-29T00:00:00Z")),
            // strptime takes any day up to 31 and timegm carries it over.
            ("20230229", Some("2023-03-01T00:00:00Z")),
            ("20230431", Some("2023-05-01T00:00:00Z")),
            ("20230432", None),
            ("20231301", None),
            ("20230001", None),
            ("20240102UTC", Some("2024-01-02T00:00:00Z")),
            ("20240102utc", Some("2024-01-02T00:00:00Z")),
            ("20240102z", Some("2024-01-02T00:00:00Z")),
            ("19700101", None),
            ("19700101000001", Some("1970-01-01T00:00:01Z")),
            ("19691231", None),
            ("00000101", None),
            ("202401022400", None),
            ("202401021260", None),
            ("2024010", None),
            ("2024-01-02", None),
            ("+2024010", None),
            ("20240102130460", Some("2024-01-02T13:05:00Z")),
            ("20240102130462", None),
            ("", None),
            ("Z", None),
            ("２０２４０１０２", None),
        ] {
            assert_eq!(parse_time(text), expected.map(ts), "{text:?}");
        }
    }
}
