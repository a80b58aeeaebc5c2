//! Edits: byte ranges of the original text and what replaces them, applied
//! in one pass so everything else is kept byte for byte; and the errors and
//! positions every format shares.

use std::ops::Range;

use super::VersionFileError;
use super::json::json_string;
use super::toml_text::toml_string;

#[derive(Debug, Default)]
pub(super) struct Edits {
    list: Vec<(Range<usize>, String)>,
}

impl Edits {
    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(super) fn push(&mut self, range: Range<usize>, replacement: String) {
        self.list.push((range, replacement));
    }

    /// Replaces a JSON string value with `value`.
    pub(super) fn push_json(&mut self, range: Range<usize>, value: &str) {
        self.push(range, json_string(value));
    }

    /// Replaces a TOML string value with `value`, in the same quoting style.
    pub(super) fn push_toml(
        &mut self,
        file: &str,
        text: &str,
        key: &str,
        span: Option<Range<usize>>,
        value: &str,
    ) -> Result<(), VersionFileError> {
        let raw = span.clone().and_then(|span| text.get(span));
        let (Some(span), Some(raw)) = (span, raw) else {
            return Err(unlocated(file, key));
        };
        self.push(span, toml_string(raw, value));
        Ok(())
    }

    pub(super) fn apply(mut self, file: &str, text: &str) -> Result<String, VersionFileError> {
        self.list.sort_by_key(|(range, _)| (range.start, range.end));
        self.list.dedup_by(|a, b| a.0 == b.0);
        let mut out = String::with_capacity(text.len() + 16);
        let mut at = 0;
        for (range, replacement) in &self.list {
            let before = text.get(at..range.start);
            let (Some(before), true) = (before, text.get(range.clone()).is_some()) else {
                return Err(unlocated(file, "a value to replace"));
            };
            out.push_str(before);
            out.push_str(replacement);
            at = range.end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        Ok(out)
    }
}

pub(super) fn unlocated(file: &str, key: &str) -> VersionFileError {
    VersionFileError::Unsupported {
        file: file.to_owned(),
        message: format!("cannot locate {key} in the text"),
    }
}

pub(super) fn shape(file: &str, key: &str, expected: &str) -> VersionFileError {
    VersionFileError::Shape {
        file: file.to_owned(),
        key: key.to_owned(),
        expected: expected.to_owned(),
    }
}

pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
