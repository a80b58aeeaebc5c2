//! Evidence records: one line each, trailer-style, stored in git notes on
//! the candidate commit. A test record binds to the tested tree and commit;
//! an approval to the tag name, commit and tree. Pure: lines in, records out.
//!
//! ```text
//! Tested-by: Ada Author <ada@example.com>; suite=unit; result=pass; commit=<hex>; tree=<hex>; at=2026-11-27T07:00:00Z; seq=1795773600000000; command="cargo test"
//! Approved-by: Bea <bea@example.com>; tag=v1.3.0; commit=<hex>; tree=<hex>; at=2026-11-27T08:00:00Z; seq=1795777200000000; sig=<base64>
//! ```
//!
//! Fields are `key=value`, separated by `; `; a value with a space, `;`,
//! `"` or `\` is double-quoted with `\"` and `\\` escapes. `seq` orders
//! records ([`crate::gate::record_order`]); records without it (made before
//! it existed) are read as before and order by `at`. The signature (`sig`,
//! the base64 body of an SSH signature) covers the canonical payload: a
//! fixed first line and the record without `sig`.

use std::fmt::Write as _;

use serde::Serialize;

/// The notes ref of test records.
pub const TESTS_REF: &str = "refs/notes/release/tests";
/// The notes ref of approvals.
pub const APPROVALS_REF: &str = "refs/notes/release/approvals";
/// The notes ref of deployment records.
pub const DEPLOYS_REF: &str = "refs/notes/release/deploys";

/// What a record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Claim {
    /// A test suite ran on a tree.
    Test {
        /// The suite's name.
        suite: String,
        /// Whether it passed.
        passed: bool,
        /// The command that ran.
        command: String,
    },
    /// Someone approves releasing a commit under a tag name (or, with an
    /// environment, deploying that release there).
    Approval {
        /// The tag the approval is for.
        tag: String,
        /// The environment, for a deployment approval.
        #[serde(skip_serializing_if = "Option::is_none")]
        env: Option<String>,
    },
}

/// One evidence record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Who: name.
    pub name: String,
    /// Who: e-mail.
    pub email: String,
    /// What.
    #[serde(flatten)]
    pub claim: Claim,
    /// The commit it speaks about.
    pub commit: String,
    /// That commit's tree.
    pub tree: String,
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Its place in the order of recording (see [`crate::gate::record_order`]);
    /// `None` in records made before `seq` existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// The SSH signature's base64 body, if signed.
    pub signature: Option<String>,
}

/// Why a line is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed evidence record: {0}")]
pub struct ParseError(pub String);

const SIGNATURE_HEADER: &str = "-----BEGIN SSH SIGNATURE-----";
const SIGNATURE_FOOTER: &str = "-----END SSH SIGNATURE-----";

/// Makes a name safe for the `Name <email>` part: no `;`, `<`, `>` or line breaks.
fn clean_identity(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, ';' | '<' | '>' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Record {
    /// The trailer key of this record's kind.
    pub fn key(&self) -> &'static str {
        match self.claim {
            Claim::Test { .. } => "Tested-by",
            Claim::Approval { .. } => "Approved-by",
        }
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = Vec::new();
        match &self.claim {
            Claim::Test {
                suite,
                passed,
                command,
            } => {
                fields.push(("suite", suite.clone()));
                fields.push(("result", if *passed { "pass" } else { "fail" }.to_owned()));
                fields.push(("commit", self.commit.clone()));
                fields.push(("tree", self.tree.clone()));
                fields.push(("at", self.at.clone()));
                if let Some(seq) = self.seq {
                    fields.push(("seq", seq.to_string()));
                }
                fields.push(("command", command.clone()));
            }
            Claim::Approval { tag, env } => {
                fields.push(("tag", tag.clone()));
                if let Some(env) = env {
                    fields.push(("env", env.clone()));
                }
                fields.push(("commit", self.commit.clone()));
                fields.push(("tree", self.tree.clone()));
                fields.push(("at", self.at.clone()));
                if let Some(seq) = self.seq {
                    fields.push(("seq", seq.to_string()));
                }
            }
        }
        fields
    }

    fn line_without_signature(&self) -> String {
        let mut line = format!(
            "{}: {} <{}>",
            self.key(),
            clean_identity(&self.name),
            clean_identity(&self.email)
        );
        for (key, value) in self.fields() {
            let _ = write!(
                line,
                "; {key}={}",
                crate::gate::record_fields::quote(&value)
            );
        }
        line
    }

    /// The bytes a signature covers.
    pub fn payload(&self) -> Vec<u8> {
        format!(
            "git-release evidence v1\n{}\n",
            self.line_without_signature()
        )
        .into_bytes()
    }

    /// The record as one line (no newline).
    pub fn to_line(&self) -> String {
        let mut line = self.line_without_signature();
        if let Some(signature) = &self.signature {
            let _ = write!(line, "; sig={signature}");
        }
        line
    }

    /// Attaches an armored SSH signature (keeps only its base64 body).
    pub fn set_signature(&mut self, armored: &str) {
        let body: String = armored
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != SIGNATURE_HEADER && *l != SIGNATURE_FOOTER)
            .collect();
        self.signature = Some(body);
    }

    /// The signature in armored form, for verification.
    pub fn armored_signature(&self) -> Option<String> {
        let body = self.signature.as_ref()?;
        let mut armored = String::from(SIGNATURE_HEADER);
        armored.push('\n');
        for chunk in body.as_bytes().chunks(70) {
            armored.push_str(&String::from_utf8_lossy(chunk));
            armored.push('\n');
        }
        armored.push_str(SIGNATURE_FOOTER);
        armored.push('\n');
        Some(armored)
    }

    /// The moment of the record.
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        self.at.parse().ok()
    }

    /// The record's place in the order of recording: later records have
    /// higher keys (see [`crate::gate::record_order`]).
    pub fn order(&self) -> u64 {
        crate::gate::record_order::key(self.seq, self.timestamp())
    }

    /// Parses one line.
    pub fn parse(line: &str) -> Result<Record, ParseError> {
        let line = line.trim_end_matches(['\r', '\n']);
        let (key, rest) = line
            .split_once(": ")
            .ok_or_else(|| ParseError("expected `Tested-by: …` or `Approved-by: …`".to_owned()))?;
        let (identity, fields) = rest.split_once("; ").unwrap_or((rest, ""));
        let (name, email) = identity
            .strip_suffix('>')
            .and_then(|s| {
                s.rsplit_once(" <")
                    .or_else(|| s.strip_prefix('<').map(|e| ("", e)))
            })
            .ok_or_else(|| ParseError(format!("expected `Name <email>`, found `{identity}`")))?;
        let fields = parse_fields(fields)?;
        let get = |k: &str| -> Result<String, ParseError> {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| ParseError(format!("missing `{k}=`")))
        };
        let hex = |k: &str| -> Result<String, ParseError> {
            let v = get(k)?;
            if v.len() != 40 && v.len() != 64 || !v.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(ParseError(format!(
                    "`{k}` must be a full object id, found `{v}`"
                )));
            }
            Ok(v.to_ascii_lowercase())
        };
        let claim = match key {
            "Tested-by" => Claim::Test {
                suite: get("suite")?,
                passed: match get("result")?.as_str() {
                    "pass" => true,
                    "fail" => false,
                    other => {
                        return Err(ParseError(format!(
                            "`result` must be `pass` or `fail`, found `{other}`"
                        )));
                    }
                },
                command: get("command").unwrap_or_default(),
            },
            "Approved-by" => Claim::Approval {
                tag: get("tag")?,
                env: get("env").ok(),
            },
            other => return Err(ParseError(format!("unknown record kind `{other}`"))),
        };
        let at = get("at")?;
        if at.parse::<jiff::Timestamp>().is_err() {
            return Err(ParseError(format!(
                "`at` must be an RFC 3339 time, found `{at}`"
            )));
        }
        let signature = fields
            .iter()
            .find(|(k, _)| k == "sig")
            .map(|(_, v)| v.clone());
        let seq = match fields.iter().find(|(k, _)| k == "seq") {
            Some((_, v)) => Some(crate::gate::record_order::parse_seq(v).map_err(ParseError)?),
            None => None,
        };
        Ok(Record {
            name: name.to_owned(),
            email: email.to_owned(),
            claim,
            commit: hex("commit")?,
            tree: hex("tree")?,
            at,
            seq,
            signature,
        })
    }
}

fn parse_fields(text: &str) -> Result<Vec<(String, String)>, ParseError> {
    crate::gate::record_fields::parse(text).map_err(ParseError)
}

/// Parses every record in a note, skipping blank lines; malformed lines are
/// returned separately (they are reported, never trusted).
pub fn parse_note(text: &str) -> (Vec<Record>, Vec<(String, ParseError)>) {
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match Record::parse(line) {
            Ok(record) => records.push(record),
            Err(e) => bad.push((line.chars().take(200).collect(), e)),
        }
    }
    (records, bad)
}

/// Sorts records into the order they were recorded in. Records without
/// `seq` that share a second keep the order they were read in (their
/// note's line order); ties between records with `seq` (made at once in
/// two clones) are broken by their text, the same in every clone.
pub fn in_recording_order(records: &mut [Record]) {
    records.sort_by_cached_key(|r| (r.order(), r.seq.map(|_| r.to_line())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_record() -> Record {
        Record {
            name: "Ada; Author".into(),
            email: "ada@example.com".into(),
            claim: Claim::Test {
                suite: "unit".into(),
                passed: true,
                command: "cargo test -- \"quoted\"; x\\y".into(),
            },
            commit: "a".repeat(40),
            tree: "b".repeat(40),
            at: "2026-11-27T07:00:00Z".into(),
            seq: None,
            signature: None,
        }
    }

    #[test]
    fn round_trip() {
        let mut record = test_record();
        let line = record.to_line();
        assert!(
            line.starts_with("Tested-by: Ada  Author <ada@example.com>; suite=unit; result=pass;"),
            "{line}"
        );
        let parsed = Record::parse(&line).unwrap();
        assert_eq!(parsed.claim, record.claim);
        assert_eq!(parsed.name, "Ada  Author");
        record.set_signature(
            "-----BEGIN SSH SIGNATURE-----\nAAAA\nBBBB\n-----END SSH SIGNATURE-----\n",
        );
        let parsed = Record::parse(&record.to_line()).unwrap();
        assert_eq!(parsed.signature.as_deref(), Some("AAAABBBB"));
        assert_eq!(
            parsed.payload(),
            Record {
                name: "Ada  Author".into(),
                ..record.clone()
            }
            .payload()
        );
        let approval = Record {
            claim: Claim::Approval {
                tag: "v1.0.0".into(),
                env: Some("production".into()),
            },
            ..test_record()
        };
        assert_eq!(
            Record::parse(&approval.to_line()).unwrap().claim,
            approval.claim
        );
    }

    #[test]
    fn malformed_lines() {
        let good = test_record().to_line();
        for bad in [
            "",
            "Tested-by Ada",
            "Tested-by: Ada",
            "Signed-off-by: Ada <a@x>; suite=unit",
            &good.replace("result=pass", "result=maybe"),
            &good.replace(&"a".repeat(40), "abc"),
            &good.replace("at=2026-11-27T07:00:00Z", "at=yesterday"),
            &good.replace("; suite=unit", ""),
            "Tested-by: A <a@x>; suite=\"unclosed",
            "Approved-by: A <a@x>; tag=v1; commit=x",
        ] {
            assert!(Record::parse(bad).is_err(), "{bad}");
        }
        let (records, errors) = parse_note(&format!("{good}\ngarbage\n\n{good}\n"));
        assert_eq!((records.len(), errors.len()), (2, 1));
    }

    #[test]
    fn seq_round_trips_and_orders() {
        let old = test_record();
        let line = old.to_line();
        assert!(!line.contains("seq="), "{line}");
        assert_eq!(Record::parse(&line).unwrap().seq, None);
        let new = Record {
            seq: Some(1_795_773_600_000_001),
            ..test_record()
        };
        let line = new.to_line();
        assert!(
            line.contains("; at=2026-11-27T07:00:00Z; seq=1795773600000001; command="),
            "{line}"
        );
        assert_eq!(Record::parse(&line).unwrap().seq, new.seq);
        assert!(Record::parse(&line.replace("seq=1795773600000001", "seq=soon")).is_err());
        // Signed: `seq` is part of the payload.
        assert_ne!(new.payload(), old.payload());
        // Recording order, not the clock's second; old records first.
        let at = |seq: Option<u64>, suite: &str| Record {
            seq,
            claim: Claim::Test {
                suite: suite.into(),
                passed: true,
                command: String::new(),
            },
            ..test_record()
        };
        let mut records = vec![
            at(Some(1_795_773_600_000_003), "c"),
            at(Some(1_795_773_600_000_002), "b"),
            at(None, "old2"),
            at(None, "old1"),
            at(Some(1_795_773_600_000_002), "a"),
        ];
        in_recording_order(&mut records);
        let suites: Vec<String> = records
            .iter()
            .map(|r| match &r.claim {
                Claim::Test { suite, .. } => suite.clone(),
                Claim::Approval { .. } => String::new(),
            })
            .collect();
        assert_eq!(suites, ["old2", "old1", "a", "b", "c"]);
    }
}
