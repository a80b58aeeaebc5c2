//! One commit as a change: its message parsed as a Conventional Commit, its
//! trailers, and whether it reverts another. Pure: built from plain values.

use serde::Serialize;

use crate::history::conventional::{self, Conventional, ParseError, Revert};
use crate::history::trailer::{self, Trailer};

/// A person as recorded in a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
}

/// One commit in a release's scope.
#[derive(Debug, Clone)]
pub struct Change {
    /// Full hex id.
    pub id: String,
    /// The message (non-UTF-8 bytes replaced).
    pub message: String,
    /// The first line of the message.
    pub summary: String,
    /// The author (after `.mailmap`).
    pub author: Person,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// Whether the commit has more than one parent.
    pub merge: bool,
    /// The Conventional Commit reading, or why it is not one.
    pub conventional: Result<Conventional, ParseError>,
    /// Git trailers of the message.
    pub trailers: Vec<Trailer>,
    /// Set when the commit reverts another.
    pub revert: Option<Revert>,
}

/// The longest message we parse; longer ones are cut (with a warning by the caller).
pub const MAX_MESSAGE: usize = 1 << 20;

/// Bytes as text, invalid UTF-8 replaced. Checks the common valid case the
/// fast way first (`from_utf8_lossy` walks every byte on its own).
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

impl Change {
    /// Builds a change from a commit's plain values.
    pub fn new(id: String, message: &[u8], author: Person, time: i64, merge: bool) -> Change {
        let cut = &message[..message.len().min(MAX_MESSAGE)];
        let mut message = text(cut);
        if message.contains('\r') {
            message = message.replace("\r\n", "\n");
        }
        let summary = message.lines().next().unwrap_or("").trim().to_owned();
        let conventional = conventional::parse(&message);
        let trailers = trailer::parse(&message);
        let revert = conventional::parse_revert(&message);
        Change {
            id,
            message,
            summary,
            author,
            time,
            merge,
            conventional,
            trailers,
            revert,
        }
    }

    /// The seven-character short id.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// Whether the message follows Conventional Commits.
    pub fn is_conventional(&self) -> bool {
        self.conventional.is_ok()
    }

    /// Whether the commit is a breaking change.
    pub fn is_breaking(&self) -> bool {
        match &self.conventional {
            Ok(conventional) => conventional.is_breaking(),
            Err(_) => self.breaking_footer().is_some(),
        }
    }

    /// For a message that is not a Conventional Commit: its
    /// `BREAKING CHANGE:` footer, which still declares a breaking change.
    pub fn breaking_footer(&self) -> Option<&str> {
        match &self.conventional {
            Ok(_) => None,
            Err(_) => conventional::breaking_footer(&self.message),
        }
    }

    /// The lower-case type, if conventional.
    pub fn kind(&self) -> Option<&str> {
        self.conventional.as_ref().ok().map(|c| c.kind.as_str())
    }

    /// The `Release-As` value from a trailer or footer, if any.
    pub fn release_as(&self) -> Option<&str> {
        trailer::find(&self.trailers, "Release-As")
            .next()
            .or_else(|| {
                self.conventional
                    .as_ref()
                    .ok()
                    .and_then(|c| c.footer("Release-As"))
            })
            .map(str::trim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_replaces_invalid_utf8_only() {
        assert_eq!(text("Zoë".as_bytes()), "Zoë");
        assert_eq!(text(b"Zo\xeb <z@x>"), "Zo\u{fffd} <z@x>");
        assert_eq!(text(b""), "");
    }
}
