//! JSON: a reader that remembers where each value is, so one value can be
//! replaced without re-serializing the rest, and the string literals that
//! replace them. Input is validated by `serde_json` first; this parser still
//! returns errors rather than panicking, and bounds nesting.

use std::ops::Range;

use super::edits::line_column;

const MAX_DEPTH: usize = 256;

/// A value and its byte range.
#[derive(Debug)]
pub(super) struct Spanned {
    pub(super) span: Range<usize>,
    pub(super) node: Node,
}

#[derive(Debug)]
pub(super) enum Node {
    Object(Vec<Member>),
    Array,
    String(String),
    Other,
}

#[derive(Debug)]
pub(super) struct Member {
    pub(super) key: String,
    pub(super) key_span: Range<usize>,
    pub(super) value: Spanned,
}

impl Spanned {
    /// The member named `key` (the last one, as `JSON.parse` keeps).
    pub(super) fn member(&self, key: &str) -> Option<&Member> {
        self.members().iter().rev().find(|m| m.key == key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&Spanned> {
        self.member(key).map(|m| &m.value)
    }

    pub(super) fn members(&self) -> &[Member] {
        match &self.node {
            Node::Object(members) => members,
            _ => &[],
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match &self.node {
            Node::String(s) => Some(s),
            _ => None,
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Spanned, String> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: if text.starts_with('\u{feff}') { 3 } else { 0 },
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn error(&self, what: &str) -> String {
        let (line, column) = line_column(self.text, self.at);
        format!("{what} at line {line} column {column}")
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(byte))))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Spanned, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        let start = self.at;
        let node = match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_whitespace();
                        let key_start = self.at;
                        if self.peek() != Some(b'"') {
                            return Err(self.error("expected a key"));
                        }
                        let key = self.string()?;
                        let key_span = key_start..self.at;
                        self.skip_whitespace();
                        self.expect(b':')?;
                        self.skip_whitespace();
                        let value = self.value(depth + 1)?;
                        members.push(Member {
                            key,
                            key_span,
                            value,
                        });
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(self.error("expected `,` or `}`")),
                        }
                    }
                }
                Node::Object(members)
            }
            Some(b'[') => {
                self.at += 1;
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_whitespace();
                        self.value(depth + 1)?;
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(self.error("expected `,` or `]`")),
                        }
                    }
                }
                Node::Array
            }
            Some(b'"') => Node::String(self.string()?),
            Some(b) if b.is_ascii_alphanumeric() || b == b'-' => {
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                {
                    self.at += 1;
                }
                Node::Other
            }
            _ => return Err(self.error("expected a value")),
        };
        Ok(Spanned {
            span: start..self.at,
            node,
        })
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.peek();
                    self.at += 1;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high)
                                && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                self.at += 2;
                                let low = self.hex4()?;
                                0x10000
                                    + ((high - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                high
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(b) if b < 0x20 => return Err(self.error("control character in a string")),
                Some(_) => {
                    let start = self.at;
                    while self
                        .peek()
                        .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
                    {
                        self.at += 1;
                    }
                    // Splits fall on ASCII bytes, so they are char boundaries.
                    out.push_str(self.text.get(start..self.at).unwrap_or_default());
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("expected four hex digits"))?;
        let code =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("expected four hex digits"))?;
        self.at += 4;
        Ok(code)
    }
}

/// A JSON string literal.
pub(super) fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use crate::packages::version_files::json;

    #[test]
    fn json_strings_decode_escapes() {
        let root =
            json::parse(r#"{"a\u00e9\ud83d\ude00\n": "x\"y", "b": [1, -2.5e+3, true, null]}"#)
                .unwrap();
        assert_eq!(
            root.get("aé😀\n").and_then(json::Spanned::as_str),
            Some("x\"y")
        );
        assert!(root.get("b").is_some());
    }
}
