//! The `key=value; key="quoted"` field syntax shared by evidence and
//! deployment records: values with spaces, `;`, `"` or `\\` are
//! double-quoted with backslash escapes. Pure.

/// Writes a value bare when it can be, else double-quoted with escapes.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', ';', '"', '\\', '\t', '\n', '\r']) {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `key=value; key="quoted value"; …` into pairs, in order.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("bad field name `{key}`"));
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some('r') => value.push('\r'),
                        Some('t') => value.push('\t'),
                        Some(c) => value.push(c),
                        None => return Err("a quoted value ends in `\\`".to_owned()),
                    },
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(format!("unclosed quote in `{key}`"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ';' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, value));
        match chars.next() {
            None => return Ok(out),
            Some(';') => {}
            Some(c) => return Err(format!("expected `;` after a field, found `{c}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for value in [
            "plain",
            "with space",
            "semi;colon",
            "quote\"d",
            "back\\slash",
            "line\nbreak",
            "",
        ] {
            let text = format!("a={}; b=x", quote(value));
            let fields = parse(&text).unwrap();
            assert_eq!(
                fields,
                [
                    ("a".to_owned(), value.to_owned()),
                    ("b".to_owned(), "x".to_owned())
                ],
                "{text}"
            );
        }
        for bad in ["=x", "a=\"open", "a=\"x\"y", "a b=c"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
