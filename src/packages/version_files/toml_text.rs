//! TOML text: parsing with positions in errors, strings quoted in the style
//! of the value they replace, and the table lookups `Cargo.toml`,
//! `Cargo.lock` and `pyproject.toml` share.

use toml_edit::{Document, Item, TableLike};

use super::VersionFileError;
use super::edits::{Edits, line_column, shape, unlocated};

pub(super) fn parse_toml<'t>(
    file: &str,
    text: &'t str,
) -> Result<Document<&'t str>, VersionFileError> {
    Document::parse(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        let message = match e.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!("{message} at line {line}, column {column}")
            }
            None => message,
        };
        VersionFileError::Toml {
            file: file.to_owned(),
            message,
        }
    })
}

/// A TOML string for `value`, quoted like `raw` (the old value as written)
/// where that style can hold it.
pub(super) fn toml_string(raw: &str, value: &str) -> String {
    let literal_ok = !value.contains('\'') && !value.chars().any(char::is_control);
    if raw.starts_with('\'') && !raw.starts_with("'''") && literal_ok {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn replace_toml_string(
    file: &str,
    text: &str,
    key: &str,
    item: &Item,
    value: &str,
) -> Result<String, VersionFileError> {
    let mut edits = Edits::default();
    edits.push_toml(file, text, key, item.span(), value)?;
    edits.apply(file, text)
}

/// Adds `version = "…"` to the table at `path`, which exists.
pub(super) fn insert_toml_version(
    file: &str,
    text: &str,
    path: &[&str],
    value: &str,
) -> Result<String, VersionFileError> {
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| VersionFileError::Toml {
                file: file.to_owned(),
                message: e.message().trim().to_owned(),
            })?;
    let mut item = doc.as_item_mut();
    for key in path {
        item = match item.get_mut(*key) {
            Some(next) if !next.is_none() => next,
            _ => return Err(unlocated(file, &format!("`[{}]`", path.join(".")))),
        };
    }
    let Some(table) = item.as_table_like_mut() else {
        return Err(shape(file, &format!("`[{}]`", path.join(".")), "a table"));
    };
    table.insert("version", toml_edit::value(value));
    Ok(doc.to_string())
}

pub(super) fn table_like<'a>(
    file: &str,
    item: &'a Item,
    key: &str,
) -> Result<&'a dyn TableLike, VersionFileError> {
    item.as_table_like()
        .ok_or_else(|| shape(file, key, "a table"))
}
