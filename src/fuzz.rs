//! Property tests, fuzzing on stable Rust inside the normal `cargo test`,
//! for every parser of data a repository (or whoever can push to it)
//! controls: commit messages, trailers, evidence and deployment records,
//! `allowed_signers`, `.release.toml`, pre-push hook input, Handlebars
//! templates, version files, changelog files, commit objects, remote URLs
//! and tag names.
//!
//! Each property says that the parser never panics on arbitrary input, and,
//! where a parser has a writer, that what is written reads back the same.
//! Inputs are a mix of arbitrary text, "soups" of the tokens a parser cares
//! about, and valid inputs mutated by a few random edits, which reach far
//! deeper than random bytes do. The case counts are modest so the module
//! stays within seconds; `PROPTEST_CASES=5000 cargo test fuzz` runs longer.
//! A failure prints the smallest input found; its fix gets a regression
//! test named for what broke, next to the code.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config as ProptestConfig;
use semver::Version;

/// The configuration of one property: `cases` cases unless
/// `PROPTEST_CASES` asks for another number, no files written on failure.
fn cases(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

/// Characters that break parsers: line ends of every kind, NUL, a BOM,
/// multi-byte letters, a line separator, quotes and escapes.
const AWKWARD: &[&str] = &[
    "\n", "\r\n", "\r", "\t", " ", "\0", "\u{feff}", "é", "🦀", "\u{2028}", "\"", "\\", "'", "#",
];

/// Text made of up to `max` pieces: the parser's own tokens (most often),
/// printable ASCII, awkward characters and arbitrary Unicode.
fn soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        5 => select(tokens).prop_map(str::to_owned),
        2 => "[ -~]{0,6}",
        2 => select(AWKWARD).prop_map(str::to_owned),
        1 => any::<String>().prop_map(|s| s.chars().take(6).collect::<String>()),
    ];
    prop::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(String),
    Duplicate(usize),
    Truncate,
}

fn edit(tokens: &'static [&'static str]) -> impl Strategy<Value = (Index, Edit)> {
    let kind = prop_oneof![
        3 => (1..24usize).prop_map(Edit::Delete),
        4 => soup(tokens, 3).prop_map(Edit::Insert),
        2 => (1..40usize).prop_map(Edit::Duplicate),
        1 => Just(Edit::Truncate),
    ];
    (any::<Index>(), kind)
}

/// The byte offset nearest below `at` that starts a character.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(mut text: String, edits: &[(Index, Edit)]) -> String {
    for (index, edit) in edits {
        let at = boundary(&text, index.index(text.len() + 1));
        match edit {
            Edit::Delete(n) => {
                let end = boundary(&text, at + n);
                text.replace_range(at..end, "");
            }
            Edit::Insert(s) => text.insert_str(at, s),
            Edit::Duplicate(n) => {
                let end = boundary(&text, at + n);
                let copy = text[at..end].to_owned();
                text.insert_str(end, &copy);
            }
            Edit::Truncate => text.truncate(at),
        }
    }
    text
}

/// A valid input from `bases`, changed by up to five edits.
fn mutated(
    bases: &'static [&'static str],
    tokens: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (select(bases), prop::collection::vec(edit(tokens), 0..6))
        .prop_map(|(base, edits)| apply(base.to_owned(), &edits))
}

fn hex(len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(select(&b"0123456789abcdef"[..]), len)
        .prop_map(|b| String::from_utf8(b).unwrap_or_default())
}

fn version() -> impl Strategy<Value = Version> {
    (0..1000u64, 0..1000u64, 0..1000u64).prop_map(|(a, b, c)| Version::new(a, b, c))
}

/// An RFC 3339 time in UTC, as records write them.
fn timestamp() -> impl Strategy<Value = String> {
    (0..4_000_000_000i64).prop_map(|s| {
        jiff::Timestamp::from_second(s)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| "2024-01-01T00:00:00Z".to_owned())
    })
}

mod commit_messages {
    use super::*;
    use crate::history::change::{Change, Person};
    use crate::history::{conventional, trailer};

    const TOKENS: &[&str] = &[
        "feat",
        "fix",
        "Revert \"",
        "revert: ",
        "revert(",
        "!",
        ":",
        ": ",
        "(",
        ")",
        "(api)",
        "\n\n",
        "BREAKING CHANGE: ",
        "BREAKING-CHANGE: ",
        "BREAKING CHANGE #",
        "Refs #12",
        "Signed-off-by: ",
        "Reviewed-by: A <a@x>",
        "Release-As: 2.0.0",
        "This reverts commit ",
        "0123456789abcdef0123456789abcdef01234567",
        " (#9)",
        "---\n",
        "-- ",
        "# ",
        "\n ",
        "(cherry picked from commit ",
        "Conflicts:\n",
        "# ------------------------ >8 ------------------------\n",
        "Key: value",
        "fixup! ",
        "squash! ",
    ];

    const MESSAGES: &[&str] = &[
        "feat(api)!: add x\n\nBody text.\n\nBREAKING CHANGE: gone\nRefs #12\n",
        "Revert \"fix: y (#9)\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n",
        "fix: z\n\nSome details.\n\nReviewed-by: Bob\n  and Carol\nSigned-off-by: Alice <a@example.com>\n",
        "revert: feat: x\n\nRelease-As: 1.0.0\n---\npatch\n",
    ];

    fn message() -> impl Strategy<Value = String> {
        prop_oneof![soup(TOKENS, 40), mutated(MESSAGES, TOKENS)]
    }

    proptest! {
        #![proptest_config(cases(512))]

        #[test]
        fn conventional_and_revert_parsing_never_panic(message in message()) {
            if let Ok(parsed) = conventional::parse(&message) {
                prop_assert!(!parsed.kind.is_empty() && !parsed.description.is_empty());
                let _ = parsed.breaking_description();
            }
            let _ = conventional::parse_revert(&message);
            let _ = conventional::strip_squash_suffix(&message);
        }

        #[test]
        fn conventional_headers_read_back(
            kind in "[a-zA-Z][a-zA-Z0-9_-]{0,10}",
            scope in proptest::option::of("[a-z0-9._/-][a-z0-9 ._/-]{0,9}"),
            bang in any::<bool>(),
            description in "[!-~][ -~]{0,30}",
            body in "[a-z .]{0,30}",
        ) {
            let header = format!(
                "{kind}{}{}: {description}",
                scope.as_ref().map(|s| format!("({s})")).unwrap_or_default(),
                if bang { "!" } else { "" }
            );
            let parsed = conventional::parse(&format!("{header}\n\n{body}\n"))
                .map_err(|e| TestCaseError::fail(format!("{header}: {e}")))?;
            prop_assert_eq!(parsed.kind, kind.to_ascii_lowercase());
            prop_assert_eq!(parsed.scope, scope);
            prop_assert_eq!(parsed.bang, bang);
            prop_assert_eq!(parsed.description, description.trim());
        }

        #[test]
        fn reverts_read_back_their_target(
            header in "[a-z][a-z:() ]{0,20}[a-z]",
            id in hex(40),
            squash in proptest::option::of(1..10_000u32),
        ) {
            let suffix = squash.map(|n| format!(" (#{n})")).unwrap_or_default();
            let message = format!("Revert \"{header}\"{suffix}\n\nThis reverts commit {id}.\n");
            let revert = conventional::parse_revert(&message)
                .ok_or_else(|| TestCaseError::fail(message.clone()))?;
            prop_assert_eq!(revert.target.as_deref(), Some(id.as_str()));
            prop_assert_eq!(revert.header.as_deref(), Some(header.as_str()));
            let squashed = format!("{header}{suffix}");
            prop_assert_eq!(conventional::strip_squash_suffix(&squashed), header.trim_end());
        }

        #[test]
        fn trailer_parsing_never_panics(message in message(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            for trailer in trailer::parse(&message) {
                prop_assert!(!trailer.key.is_empty());
            }
            let _ = trailer::parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn trailer_blocks_read_back(
            subject in "[a-z][a-z ]{0,20}",
            body in "[a-z][a-z .]{0,40}",
            trailers in prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,12}", "[!-~]([ -~]{0,20}[!-~])?"), 1..6),
        ) {
            let block: Vec<String> = trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let message = format!("{subject}\n\n{body}\n\n{}\n", block.join("\n"));
            let parsed: Vec<(String, String)> = trailer::parse(&message)
                .into_iter()
                .map(|t| (t.key, t.value))
                .collect();
            prop_assert_eq!(parsed, trailers);
        }

        /// Arbitrary commits through the whole pure core: changes, the bump
        /// decision, the template context and the built-in templates.
        #[test]
        fn any_commits_plan_and_render(
            messages in prop::collection::vec(
                prop_oneof![
                    message().prop_map(String::into_bytes),
                    prop::collection::vec(any::<u8>(), 0..80),
                ],
                0..8,
            ),
            ids in prop::collection::vec(hex(40), 8),
            name in soup(TOKENS, 4),
        ) {
            use crate::history::bump::{self, Overrides};
            use crate::render::context::{self, Input};
            use crate::render::templates::{Kind, Sources, Templates};
            let changes: Vec<Change> = messages
                .iter()
                .zip(&ids)
                .enumerate()
                .map(|(i, (message, id))| {
                    let author = Person { name: name.clone(), email: format!("{i}@x") };
                    Change::new(id.clone(), message, author, 1_700_000_000 + i as i64, i % 3 == 2)
                })
                .collect();
            let config = crate::config::Config::default();
            let rules = crate::history::plan::rules(&config, false);
            let previous = Version::new(1, 2, 3);
            for previous in [None, Some((&previous, "v1.2.3"))] {
                let _ = bump::decide(previous, &changes, &[], &rules, &Overrides::default());
            }
            let remote = crate::render::links::Remote::from_url("https://github.com/o/r", None);
            let release = context::build(&Input {
                package: None,
                version: "1.3.0".to_owned(),
                tag: "v1.3.0".to_owned(),
                previous: Some(("1.2.3".to_owned(), "v1.2.3".to_owned(), 1_600_000_000)),
                timestamp: 1_700_000_000,
                unreleased: false,
                changes: &changes,
                rules: &rules,
                section_order: &[],
                other_section: Some("Other changes"),
                exclude: &[],
                remote: remote.as_ref(),
            });
            static BUILT_IN: std::sync::OnceLock<Result<Templates, String>> = std::sync::OnceLock::new();
            let templates = BUILT_IN
                .get_or_init(|| Templates::new(&Sources::default()).map_err(|e| e.to_string()))
                .as_ref()
                .map_err(|e| TestCaseError::fail(e.clone()))?;
            for kind in [Kind::Changelog, Kind::Notes] {
                templates
                    .render(kind, &release)
                    .map_err(|e| TestCaseError::fail(format!("built-in {kind:?}: {e}")))?;
            }
            // The tag message gets the release and what `tag` adds to it.
            let mut record = serde_json::to_value(&release).map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Some(object) = record.as_object_mut() {
                for (key, value) in [
                    ("bump", serde_json::json!("minor")),
                    ("reason", serde_json::json!(name)),
                    ("candidate", serde_json::json!(ids[0])),
                    ("policy", serde_json::Value::Null),
                    ("evidence", serde_json::json!([name])),
                ] {
                    object.insert(key.to_owned(), value);
                }
            }
            templates
                .render(Kind::TagMessage, &record)
                .map_err(|e| TestCaseError::fail(format!("built-in tag message: {e}")))?;
        }
    }
}

mod records {
    use super::*;
    use crate::gate::evidence::{self, Claim, Record};
    use crate::gate::record_fields;
    use crate::ledger::{self, Deploy, Status};

    const TOKENS: &[&str] = &[
        "Tested-by: ",
        "Approved-by: ",
        "Deployed-to: ",
        "production ",
        "succeeded",
        "rolled-back",
        "; ",
        ";",
        "=",
        "\"",
        "\\\"",
        "\\",
        "<",
        ">",
        " <",
        "a@x",
        "suite=",
        "result=pass",
        "result=fail",
        "commit=",
        "tree=",
        "tag=",
        "env=",
        "at=",
        "sig=",
        "command=",
        "by=",
        "url=",
        "note=",
        "0123456789abcdef0123456789abcdef01234567",
        "2024-01-02T03:04:05Z",
        "v1.2.0",
        "\\n",
    ];

    const LINES: &[&str] = &[
        "Tested-by: Ada Author <ada@example.com>; suite=unit; result=pass; commit=0123456789abcdef0123456789abcdef01234567; tree=89abcdef0123456789abcdef0123456789abcdef; at=2026-11-27T07:00:00Z; command=\"cargo test\"",
        "Approved-by: Bea <bea@example.com>; tag=v1.3.0; env=production; commit=0123456789abcdef0123456789abcdef01234567; tree=89abcdef0123456789abcdef0123456789abcdef; at=2026-11-27T08:00:00Z; sig=U1NIU0lH",
        "Deployed-to: production succeeded; tag=v1.2.0; commit=0123456789abcdef0123456789abcdef01234567; at=2026-11-27T10:00:00Z; by=\"Ada <ada@example.com>\"; url=https://x/y; note=\"canary ok\"",
    ];

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![soup(TOKENS, 30), mutated(LINES, TOKENS)]
    }

    fn record() -> impl Strategy<Value = Record> {
        let claim = prop_oneof![
            (any::<String>(), any::<bool>(), any::<String>()).prop_map(
                |(suite, passed, command)| {
                    Claim::Test {
                        suite,
                        passed,
                        command,
                    }
                }
            ),
            (any::<String>(), proptest::option::of(any::<String>()))
                .prop_map(|(tag, env)| Claim::Approval { tag, env }),
        ];
        (
            any::<String>(),
            any::<String>(),
            claim,
            hex(40),
            prop_oneof![hex(40), hex(64)],
            timestamp(),
            proptest::option::of("[A-Za-z0-9+/]{1,80}={0,2}"),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(
                |(name, email, claim, commit, tree, at, signature, seq)| Record {
                    name,
                    email,
                    claim,
                    commit,
                    tree,
                    at,
                    seq,
                    signature,
                },
            )
    }

    /// What a name or e-mail becomes in a record line.
    fn cleaned(s: &str) -> String {
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

    proptest! {
        #![proptest_config(cases(512))]

        #[test]
        fn record_lines_never_panic(line in line(), note in prop::collection::vec(line(), 0..5)) {
            let _ = record_fields::parse(&line);
            if let Ok(record) = Record::parse(&line) {
                let _ = record.payload();
                let _ = record.armored_signature();
                let _ = record.timestamp();
            }
            let _ = Deploy::parse(&line);
            let note = note.join("\n");
            let _ = evidence::parse_note(&note);
            let _ = ledger::parse_note(&note);
        }

        #[test]
        fn record_fields_read_back(fields in prop::collection::vec(("[A-Za-z0-9-]{1,8}", any::<String>()), 0..6)) {
            let text = fields
                .iter()
                .map(|(k, v)| format!("{k}={}", record_fields::quote(v)))
                .collect::<Vec<_>>()
                .join("; ");
            prop_assert_eq!(record_fields::parse(&text), Ok(fields));
        }

        #[test]
        fn evidence_records_read_back(record in record()) {
            let line = record.to_line();
            prop_assert!(!line.contains('\n'), "{}", line);
            let parsed = Record::parse(&line).map_err(|e| TestCaseError::fail(format!("{line}: {e}")))?;
            let expected = Record {
                name: cleaned(&record.name),
                email: cleaned(&record.email),
                ..record.clone()
            };
            prop_assert_eq!(&parsed, &expected);
            // What is signed does not change on the way through a note.
            prop_assert_eq!(parsed.payload(), expected.payload());
            let note = format!("garbage\n{line}\n");
            let (records, bad) = evidence::parse_note(&note);
            prop_assert_eq!(records, vec![expected]);
            prop_assert_eq!(bad.len(), 1);
        }

        #[test]
        fn signatures_survive_their_armor(
            text in soup(TOKENS, 20),
            body in "[A-Za-z0-9+/]{0,300}={0,2}",
        ) {
            let mut record = Record::parse(LINES[0]).map_err(|e| TestCaseError::fail(e.to_string()))?;
            record.set_signature(&text);
            let _ = record.armored_signature();
            // A signature as ssh-keygen armors it: the body in 70-column lines.
            let lines: Vec<String> = body.as_bytes().chunks(70).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            record.set_signature(&format!("-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n", lines.join("\n")));
            prop_assert_eq!(record.signature.as_deref(), Some(body.as_str()));
            let armor = record.armored_signature().unwrap_or_default();
            let mut again = record.clone();
            again.set_signature(&armor);
            prop_assert_eq!(again.signature, record.signature);
        }

        #[test]
        fn deploy_records_read_back(
            env in "[A-Za-z0-9._-]{1,12}",
            status in select(&[Status::Started, Status::Succeeded, Status::Failed, Status::RolledBack][..]),
            tag in any::<String>(),
            commit in prop_oneof![hex(40), hex(64)],
            at in timestamp(),
            by in any::<String>(),
            url in proptest::option::of(any::<String>()),
            note in proptest::option::of(any::<String>()),
            seq in proptest::option::of(any::<u64>()),
        ) {
            let deploy = Deploy { env, status, tag, commit, at, seq, by, url, note };
            let line = deploy.to_line();
            prop_assert!(!line.contains('\n'), "{}", line);
            prop_assert_eq!(Deploy::parse(&line), Ok(deploy));
        }
    }
}

mod signers {
    use super::*;
    use crate::gate::signatures::{AllowedSigners, verify};

    /// An ed25519 key line body (`ssh-ed25519 AAAA…`).
    fn key() -> String {
        let key = ssh_key::PublicKey::from(ssh_key::public::Ed25519PublicKey([7; 32]));
        key.to_openssh().unwrap_or_default()
    }

    const TOKENS: &[&str] = &[
        "alice@example.com",
        "*@example.com",
        ",",
        "!",
        "\"",
        " ",
        "\t",
        "cert-authority",
        "namespaces=\"git-release\"",
        "namespaces=\"",
        "valid-after=\"20240101\"",
        "valid-before=\"20240101Z\"",
        "valid-after=20240101000000",
        "valid-before=\"1\"",
        "ssh-ed25519 ",
        "ssh-rsa ",
        "ecdsa-sha2-nistp256 ",
        "sk-ssh-ed25519@openssh.com ",
        "AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH",
        "AAAA",
        "=",
        "# comment",
        "\n",
        "CERT-AUTHORITY,",
        "principals=\"x\"",
    ];

    const FILES: &[&str] = &[
        "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n# a comment\n\n\"bob@x,*@y\" namespaces=\"git-release\",valid-after=\"20240101\",valid-before=\"20250101Z\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH bob's key\n*@example.com cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![soup(TOKENS, 30), mutated(FILES, TOKENS)]
    }

    proptest! {
        #![proptest_config(cases(512))]

        #[test]
        fn allowed_signers_never_panic(text in text()) {
            if let Err(e) = AllowedSigners::parse(&text) {
                prop_assert!(e.line() >= 1);
                let _ = e.hints();
            }
        }

        #[test]
        fn allowed_signers_lines_read_back(
            lines in prop::collection::vec(
                ("[a-z*?]{1,8}@[a-z]{1,8}\\.com", any::<bool>(), proptest::option::of("[a-z*,-]{1,12}"), "( [ -~]{0,10})?"),
                1..5,
            ),
        ) {
            let key = key();
            let text: String = lines
                .iter()
                .map(|(principal, authority, namespaces, comment)| {
                    let mut options = Vec::new();
                    if *authority {
                        options.push("cert-authority".to_owned());
                    }
                    if let Some(n) = namespaces {
                        options.push(format!("namespaces=\"{n}\""));
                    }
                    let options = if options.is_empty() { String::new() } else { format!(" {}", options.join(",")) };
                    format!("{principal}{options} {key}{comment}\n")
                })
                .collect();
            let signers = AllowedSigners::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(signers.len(), lines.len());
            for (entry, (principal, authority, namespaces, _)) in signers.entries().iter().zip(&lines) {
                prop_assert_eq!(&entry.principals, principal);
                prop_assert_eq!(entry.cert_authority, *authority);
                prop_assert_eq!(&entry.namespaces, namespaces);
            }
        }

        #[test]
        fn signature_verification_never_panics(
            armored in prop_oneof![
                soup(&["-----BEGIN SSH SIGNATURE-----\n", "-----END SSH SIGNATURE-----\n", "U1NIU0lH", "AAAA", "=", "\n"], 12),
                "[A-Za-z0-9+/=\n]{0,200}".prop_map(|b| format!("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ{b}\n-----END SSH SIGNATURE-----\n")),
            ],
            principal in "[a-z@.]{0,12}",
        ) {
            let signers = AllowedSigners::parse(FILES[0]).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let _ = verify(b"payload", &armored, &signers, &principal, jiff::Timestamp::UNIX_EPOCH);
        }
    }
}

mod hook_input {
    use super::*;
    use crate::hooks::pre_push::{self, Update};

    const TOKENS: &[&str] = &[
        "refs/tags/v1.0.0",
        "refs/heads/main",
        "(delete)",
        "HEAD",
        "refs/",
        " ",
        "0000000000000000000000000000000000000000",
        "0123456789abcdef0123456789abcdef01234567",
        "0123456789ABCDEF0123456789ABCDEF01234567",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "\n",
        "\r\n",
    ];

    fn update() -> impl Strategy<Value = Update> {
        let reference = "refs/(heads|tags)/[a-zA-Z0-9._/-]{1,20}";
        (
            any::<bool>(),
            any::<bool>(),
            reference,
            reference,
            0..3u8,
            hex(40),
            hex(40),
        )
            .prop_map(|(delete, missing, local, remote, same, a, b)| {
                let zero = "0".repeat(40);
                let local_oid = if delete || a == zero { zero.clone() } else { a };
                let remote_oid = match same {
                    0 => local_oid.clone(),
                    1 if !missing => b,
                    _ => zero.clone(),
                };
                Update {
                    local_ref: if local_oid == zero {
                        "(delete)".to_owned()
                    } else {
                        local
                    },
                    local_oid,
                    remote_ref: remote,
                    remote_oid,
                }
            })
    }

    proptest! {
        #![proptest_config(cases(512))]

        #[test]
        fn pre_push_input_never_panics(text in soup(TOKENS, 40), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            for input in [text.as_bytes(), &bytes] {
                if let Ok(updates) = pre_push::parse(input) {
                    for update in updates {
                        let _ = (update.tag(), update.action());
                    }
                }
            }
        }

        #[test]
        fn pre_push_lines_read_back(updates in prop::collection::vec(update(), 0..6)) {
            let text: String = updates
                .iter()
                .map(|u| format!("{} {} {} {}\n", u.local_ref, u.local_oid, u.remote_ref, u.remote_oid))
                .collect();
            prop_assert_eq!(pre_push::parse(text.as_bytes()), Ok(updates));
        }
    }
}

mod configuration {
    use super::*;
    use crate::config::{Config, parse_duration};

    const TOKENS: &[&str] = &[
        "tag = ",
        "initial-version = ",
        "branches = ",
        "version-files = ",
        "[commits]\n",
        "[commits.types]\n",
        "[commits.initial-development]\n",
        "[changelog]\n",
        "[gate]\n",
        "[gate.window]\n",
        "[[gate.window.freeze]]\n",
        "[lint]\n",
        "[[package]]\n",
        "[environments.production]\n",
        "[environments.staging]\n",
        "name = ",
        "path = ",
        "paths = ",
        "depends-on = ",
        "exclude = ",
        "requires = ",
        "soak = ",
        "max-age = ",
        "hours = ",
        "days = ",
        "timezone = ",
        "from = ",
        "to = ",
        "approvals = ",
        "tests = ",
        "approvers = ",
        "signed = true\n",
        "trust = ",
        "bump = ",
        "section = ",
        "hidden = true",
        "feat = { bump = \"minor\" }\n",
        "\"v{version}\"",
        "\"{name}-v{version}\"",
        "\"{version}\"",
        "\"1.0.0\"",
        "\"0.1.0-rc.1\"",
        "\"24h\"",
        "\"99999999999999999999d\"",
        "\"9223372036854775807s\"",
        "\"09:00-17:00\"",
        "\"25:99-00:00\"",
        "\"mon\"",
        "\"Europe/Berlin\"",
        "\"Not/AZone\"",
        "\"2024-12-24\"",
        "\"2024-02-30\"",
        "[\"",
        "\"]",
        "[",
        "]",
        "{",
        "}",
        ",",
        " = ",
        "\n",
        "\"",
        "'",
        "\"\"\"",
        "\"(\"",
        "\"^fix\"",
        "\"**/*.md\"",
        "\"[\"",
        "\"crates/core\"",
        "\"CHANGELOG.md\"",
        "\"../x\"",
        "\"/etc/passwd\"",
        "\".git/config\"",
        "\".\"",
        "\"\"",
        "18446744073709551616",
        "-1",
        "1e400",
        "true",
        "major",
        "\"major\"",
        "\"patch\"",
        "\"https://git.example.com/o/r\"",
        "host = \"gitlab\"\n",
        "remote = ",
        "pattern = \"version = \\\"{version}\\\"\"",
        "{ path = \"v.txt\", pattern = \"{version}\" }",
    ];

    /// A configuration with every section, valid as written.
    const FULL: &str = r##"tag = "v{version}"
initial-version = "0.1.0"
branches = ["main", "release/*"]
version-files = ["Cargo.toml", { path = "src/version.rs", pattern = "VERSION: &str = \"{version}\"" }]

[commits]
strict = false
first-parent = false
[commits.types]
feat = { bump = "minor", section = "Features" }
deps = { bump = "patch", section = "Dependencies", hidden = false }
[commits.initial-development]
major = "minor"
minor = "minor"
patch = "patch"

[changelog]
path = "CHANGELOG.md"
header = "# Changes\n"
exclude = ["^chore\\(release\\)"]
sections = ["Features", "Bug Fixes"]
remote = "https://git.example.com/team/repo"
host = "gitlab"

[gate]
tests = ["unit"]
approvals = 1
approvers = ["*@example.com"]
self-approval = false
signed = true
allowed-signers = ".release/allowed_signers"
commit-trailers = true
max-age = "7d"
[gate.window]
days = ["mon", "tue"]
hours = "09:00-17:00"
timezone = "Europe/Berlin"
[[gate.window.freeze]]
from = "2024-12-20"
to = "2025-01-02"

[lint]
types = ["feat", "fix"]
scopes = ["api"]
require-scope = true
max-subject-length = 72
required-trailers = ["Signed-off-by"]

[environments.staging]
[environments.production]
requires = ["staging"]
soak = "24h"
approvals = 1
rollback-command = "./deploy.sh rollback"
"##;

    const MONOREPO: &str = r#"[[package]]
name = "core"
path = "crates/core"
version-files = ["crates/core/Cargo.toml"]
changelog = "crates/core/CHANGELOG.md"
initial-version = "1.0.0"

[[package]]
name = "cli"
paths = ["crates/cli", "proto"]
tag = "{name}@{version}"
depends-on = ["core"]
exclude = ["crates/cli/**/*.md"]
version-files = [{ path = "crates/cli/v.txt", pattern = "^v{version}$" }]
"#;

    const BASES: &[&str] = &[FULL, MONOREPO, crate::cli::commands::init::STARTER];

    /// A TOML string literal holding `s`.
    fn literal(s: &str) -> String {
        toml::Value::String(s.to_owned()).to_string()
    }

    /// Every value the configuration reads, each chosen freely.
    fn holes() -> impl Strategy<Value = String> {
        let value = || prop_oneof![soup(TOKENS, 4), any::<String>()].prop_map(|s| literal(&s));
        prop::collection::vec(value(), 16).prop_map(|v| {
            format!(
                "tag = {}\ninitial-version = {}\nbranches = [{}]\nversion-files = [{{ path = \"v.txt\", pattern = {} }}]\n\
                 [changelog]\nexclude = [{}]\nremote = {}\n\
                 [gate]\nmax-age = {}\ntrust = {}\napprovers = [{}]\n[gate.window]\ndays = [{}]\nhours = {}\ntimezone = {}\n\
                 [[gate.window.freeze]]\nfrom = {}\nto = {}\n\
                 [[package]]\nname = {}\npath = \"p\"\ntag = {}\n",
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
            )
        })
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![soup(TOKENS, 40), mutated(BASES, TOKENS), holes()]
    }

    /// Everything that reads a configuration after it is loaded.
    fn use_config(config: &Config) -> Result<(), TestCaseError> {
        let _ = config.types();
        let _ = config.paths();
        let _ = crate::history::plan::rules(config, false);
        let _ = crate::hooks::lint::Rules::new(&config.lint, config.types().into_keys());
        let _ = crate::gate::policy::Policy::from_config(&config.gate, "f".to_owned());
        if let Some(window) = &config.gate.window {
            if let Ok(window) = crate::gate::window::Window::from_config(window) {
                let _ = window.check(jiff::Timestamp::UNIX_EPOCH);
            }
        }
        if let Ok(packages) = crate::packages::all(config) {
            for package in &packages {
                let version = Version::new(1, 2, 3);
                let tag = package.template.format(&version);
                let _ = package.template.glob();
                prop_assert_eq!(
                    package.template.parse(&tag),
                    crate::git::tags::Match::Version(version),
                    "{}",
                    tag
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(cases(384))]

        #[test]
        fn release_toml_never_panics(text in text()) {
            match Config::parse(&text, ".release.toml") {
                Ok(config) => use_config(&config)?,
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                    prop_assert!(!e.hints().is_empty());
                }
            }
        }

        #[test]
        fn durations_never_panic(text in soup(&["9", "99999999999999999999", "-", "s", "m", "h", "d", "w", " ", "+"], 8)) {
            let _ = parse_duration(&text);
        }
    }
}

mod templates {
    use super::*;
    use crate::render::templates::{Kind, Sources, Templates};

    const TOKENS: &[&str] = &[
        "{{",
        "}}",
        "{{{",
        "}}}",
        "{{#if ",
        "{{/if}}",
        "{{else}}",
        "{{^}}",
        "{{#each ",
        "{{/each}}",
        "{{#with ",
        "{{/with}}",
        "{{#unless ",
        "{{/unless}}",
        "{{> commit}}",
        "{{> commit-link commit}}",
        "{{> release-notes.md.hbs}}",
        "{{> changelog.md.hbs}}",
        "{{#> layout}}",
        "{{/layout}}",
        "{{> @partial-block}}",
        "{{#*inline \"p\"}}",
        "{{/inline}}",
        "{{> p}}",
        "{{!-- ",
        "--}}",
        "{{! ",
        "~",
        "version",
        "sections",
        "commits",
        "this",
        "../",
        "@index",
        "@first",
        "@root",
        "title",
        "description",
        "breaking_changes",
        "contributors",
        "links.compare",
        "date",
        "timestamp",
        "short ",
        "upper_first ",
        "first_line ",
        "indent ",
        "format_date ",
        "join ",
        "lookup ",
        "eq ",
        "ne ",
        "and ",
        "or ",
        "not ",
        "len ",
        "(",
        ")",
        "\"%Y\"",
        "\"%Q\"",
        "\", \"",
        "key=\"name\"",
        "as |x|",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "1e308",
        "-1",
        "null",
        "true",
        "[0]",
        ".[0]",
        "\\{{",
        "{{log version}}",
        "{{lookup . \"version\"}}",
        "{{#each sections as |s i|}}",
        "{{> (lookup . \"x\")}}",
    ];

    const TEMPLATES: &[&str] = &[
        crate::render::templates::builtin::CHANGELOG,
        crate::render::templates::builtin::NOTES,
        crate::render::templates::builtin::NOTES_PLAIN,
        crate::render::templates::builtin::NOTES_SLACK,
        crate::render::templates::builtin::TAG_MESSAGE,
        "{{#each sections}}{{title}}{{#each commits}}{{> commit}}{{/each}}{{/each}}{{join contributors \", \" key=\"name\"}} {{format_date timestamp \"%d.%m.%Y\"}} {{indent description 2}}",
    ];

    fn context() -> serde_json::Value {
        let commit = serde_json::json!({
            "id": "0123456789abcdef0123456789abcdef01234567", "short_id": "0123456",
            "url": "https://h/c", "type": "feat", "scope": "api", "description": "did x",
            "body": "line 1\nline 2", "breaking_description": null, "summary": "feat(api): did x",
            "trailers": [{"key": "Reviewed-by", "value": "A"}],
            "author": {"name": "Ada", "email": "ada@example.com"},
            "references": [{"id": "#1", "action": "closes", "url": null}],
        });
        serde_json::json!({
            "package": null, "version": "1.3.0", "tag": "v1.3.0", "previous_version": "1.2.0",
            "previous_tag": "v1.2.0", "date": "2024-01-02", "timestamp": 1_704_153_600i64,
            "unreleased": false,
            "links": {"compare": "https://h/compare", "tag": null},
            "sections": [{"title": "Features", "commits": [commit.clone(), commit.clone()]}],
            "breaking_changes": [{"scope": "api", "description": "gone", "commit": commit.clone()}],
            "commits": [commit],
            "contributors": [{"name": "Ada", "email": "ada@example.com", "commits": 2}],
            "statistics": {"commits": 2, "conventional": 2, "non_conventional": 0, "breaking": 1, "merges": 0, "reverted": 0},
            "notes": ["n"],
        })
    }

    const HELPERS: &[&str] = &[
        "short",
        "upper_first",
        "first_line",
        "indent",
        "format_date",
        "join",
        "lookup",
        "eq",
        "ne",
        "and",
        "or",
        "not",
        "len",
        "log",
        "if",
        "each",
        "with",
        "unless",
    ];

    const ARGUMENTS: &[&str] = &[
        "version",
        "timestamp",
        "sections",
        "contributors",
        "commits",
        "commits.[0]",
        "description",
        "body",
        "this",
        "@root",
        "../version",
        "@index",
        "\"%Y-%m-%d\"",
        "\"%\"",
        "\"%Q\"",
        "\"\"",
        "-1",
        "0",
        "18446744073709551615",
        "9223372036854775807",
        "-9223372036854775808",
        "1e308",
        "null",
        "true",
        "(len commits)",
        "(lookup commits 99)",
        "(first_line body)",
    ];

    /// Helper calls with arguments of every type, inside blocks that
    /// change the context.
    fn calls() -> impl Strategy<Value = String> {
        let call = (
            select(HELPERS),
            prop::collection::vec(select(ARGUMENTS), 0..4),
            proptest::option::of(select(ARGUMENTS)),
        )
            .prop_map(|(helper, args, key)| {
                let hash = key.map(|k| format!(" key={k}")).unwrap_or_default();
                format!("{{{{{helper} {}{hash}}}}}", args.join(" "))
            });
        let piece = prop_oneof![
            3 => call,
            1 => (select(&["each", "with", "if", "unless"][..]), select(ARGUMENTS), "[a-z{} ]{0,8}")
                .prop_map(|(block, arg, inner)| format!("{{{{#{block} {arg}}}}}{inner}{{{{else}}}}x{{{{/{block}}}}}")),
            1 => "[a-z \n]{0,8}",
        ];
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    /// Well-formed templates of blocks, inline partials and partial calls,
    /// which may call each other in circles.
    fn partials() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[a-z ]{0,4}",
            Just("{{version}}".to_owned()),
            select(
                &[
                    "{{> p0}}",
                    "{{> p1}}",
                    "{{> commit}}",
                    "{{> release-notes.md.hbs}}",
                    "{{> changelog.md.hbs}}"
                ][..]
            )
            .prop_map(str::to_owned),
        ];
        leaf.prop_recursive(6, 48, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
                inner
                    .clone()
                    .prop_map(|t| format!("{{{{#if version}}}}{t}{{{{/if}}}}")),
                inner
                    .clone()
                    .prop_map(|t| format!("{{{{#each sections}}}}{t}{{{{/each}}}}")),
                (0..2u8, inner)
                    .prop_map(|(n, t)| format!("{{{{#*inline \"p{n}\"}}}}{t}{{{{/inline}}}}")),
            ]
        })
    }

    /// Blocks nested `depth` deep.
    fn nested() -> impl Strategy<Value = String> {
        (
            0..3000usize,
            select(&["if version", "with this", "each sections"][..]),
        )
            .prop_map(|(depth, block)| {
                let name = block.split(' ').next().unwrap_or("if");
                format!(
                    "{}x{}",
                    format!("{{{{#{block}}}}}").repeat(depth),
                    format!("{{{{/{name}}}}}").repeat(depth)
                )
            })
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => soup(TOKENS, 40),
            3 => mutated(TEMPLATES, TOKENS),
            2 => calls(),
            2 => partials(),
            1 => nested(),
        ]
    }

    proptest! {
        #![proptest_config(cases(160))]

        /// Strict mode: a template is an error or output, never a panic or
        /// a crash, as the notes template or as a partial of the built-ins.
        #[test]
        fn any_template_renders_or_fails(template in text(), as_partial in any::<bool>()) {
            let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let file = dir.path().join(if as_partial { "commit.hbs" } else { "notes.hbs" });
            std::fs::write(&file, &template).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let sources = if as_partial {
                Sources { partials: vec![file], ..Sources::default() }
            } else {
                Sources { notes: Some(file), ..Sources::default() }
            };
            match Templates::new(&sources) {
                Ok(templates) => {
                    for kind in [Kind::Notes, Kind::Changelog] {
                        if let Err(e) = templates.render(kind, &context()) {
                            prop_assert!(!e.hints().is_empty());
                        }
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}

mod version_files {
    use super::*;
    use crate::packages::version_files::{
        Kind, check_pattern, read_version, set_dependency, set_version, update_cargo_lock,
        update_package_lock,
    };

    const TOKENS: &[&str] = &[
        "[package]\n",
        "[workspace.package]\n",
        "[workspace]\n",
        "[project]\n",
        "[tool.poetry]\n",
        "[dependencies]\n",
        "[dev-dependencies]\n",
        "[tool.poetry.dependencies]\n",
        "[[package]]\n",
        "version = ",
        "version.workspace = true\n",
        "name = ",
        "dynamic = [\"version\"]\n",
        "dependencies = ",
        "\"core\"",
        "\"1.0.0\"",
        "\"^1.0\"",
        "\"=1.0.0\"",
        "\"core>=1.0\"",
        "{ path = \"../core\", version = \"1.0.0\" }",
        "\"",
        "'",
        "'''",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"version\": ",
        "\"name\": ",
        "\"dependencies\": ",
        "\"packages\": ",
        "\"\": ",
        "\"node_modules/core\": ",
        "\"lockfileVersion\": 3",
        "\\u0000",
        "\\ud800",
        "\\\"",
        "null",
        "\n",
        " = ",
        "# comment\n",
        "\u{feff}",
        "1e999",
        "-0",
        "[[[[[[[[",
        "]]]]]]]]",
    ];

    const FILES: &[&str] = &[
        "[package]\nname = \"core\"\nversion = \"1.0.0\"   # the core version\nedition = \"2021\"\n\n[dependencies]\ncli = { path = \"../cli\", version = \"^1.0\" }\nserde = \"1\"\n",
        "[workspace]\nmembers = [\"a\"]\n[workspace.package]\nversion = \"1.0.0\"\n[package]\nname = \"root\"\nversion.workspace = true\n",
        "{\n  \"name\": \"web\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": { \"core\": \"^1.0.0\" },\n  \"private\": true\n}\n",
        "[project]\nname = \"pep-lib\"\nversion = \"1.0.0\"\ndependencies = [\"core>=1.0\", \"requests\"]\n[tool.poetry]\nname = \"p\"\nversion = \"1.0.0\"\n[tool.poetry.dependencies]\ncore = \"^1.0\"\n",
        "version = 3\n\n[[package]]\nname = \"core\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"cli\"\nversion = \"1.0.0\"\ndependencies = [\n \"core 1.0.0\",\n]\n",
        "{\n  \"name\": \"root\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"root\", \"version\": \"1.0.0\" },\n    \"web\": { \"name\": \"web\", \"version\": \"2.0.0\", \"dependencies\": { \"core\": \"^1.0.0\" } },\n    \"node_modules/web\": { \"resolved\": \"web\", \"link\": true }\n  }\n}\n",
        "pub const VERSION: &str = \"1.0.0\";\nversion = \"1.0.0\"\n",
    ];

    fn kinds() -> Vec<Kind> {
        vec![
            Kind::CargoToml,
            Kind::CargoLock,
            Kind::PackageJson,
            Kind::PackageLock,
            Kind::Pyproject,
            Kind::Regex("^version = \"{version}\"$".to_owned()),
            Kind::Regex("VERSION: &str = \"{version}\"".to_owned()),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![soup(TOKENS, 40), mutated(FILES, TOKENS)]
    }

    proptest! {
        #![proptest_config(cases(384))]

        #[test]
        fn version_file_editing_never_panics(text in text(), new in version(), name in "[a-z-]{1,6}") {
            for kind in kinds() {
                let _ = read_version(&kind, "f", &text);
                let _ = set_dependency(&kind, "f", &text, &name, &new);
                let Ok(updated) = set_version(&kind, "f", &text, &new) else {
                    continue;
                };
                // What was written reads back, and writing again changes nothing.
                if let Ok(Some(found)) = read_version(&kind, "f", &updated) {
                    if !matches!(kind, Kind::Regex(_)) {
                        prop_assert_eq!(found, new.to_string(), "{:?}: {}", kind, updated);
                    }
                }
                let again = set_version(&kind, "f", &updated, &new);
                prop_assert_eq!(again.as_deref().ok(), Some(updated.as_str()), "{:?}", kind);
            }
            let members = vec![(name.clone(), new.clone())];
            let _ = update_cargo_lock("Cargo.lock", &text, &members);
            let _ = update_package_lock("package-lock.json", &text, &[(name, "web".to_owned(), new)]);
        }

        #[test]
        fn version_patterns_never_panic(
            pattern in soup(&["{version}", "^", "$", "(", ")", "\\", "*", "+", "?", "[", "]", "(?P<version>", "{", "}", "|", "."], 10),
            text in text(),
        ) {
            if check_pattern(&pattern).is_ok() {
                let kind = Kind::Regex(pattern);
                let _ = read_version(&kind, "f", &text);
                let _ = set_version(&kind, "f", &text, &Version::new(1, 2, 3));
            }
        }

        #[test]
        fn deeply_nested_manifests_are_errors(depth in 0..400usize, open in select(&["[", "{\"a\":"][..])) {
            let text = open.repeat(depth);
            for kind in [Kind::PackageJson, Kind::PackageLock, Kind::CargoToml] {
                prop_assert!(set_version(&kind, "f", &text, &Version::new(1, 0, 0)).is_err() || depth == 0);
            }
        }
    }
}

mod repository_text {
    use super::*;
    use crate::git::repo::RawCommit;
    use crate::git::tags::{Match, Template};
    use crate::render::changelog_file::{self, Section};
    use crate::render::links::{self, Host, Remote};

    const CHANGELOGS: &[&str] = &[
        "# Changelog\n\nIntro.\n\n<!-- git-release: v1.1.0 unreleased -->\n## 1.1.0\n\n<!-- git-release: v1.0.0 -->\n## 1.0.0\n- x\n\n<!-- git-release: end -->\nFooter\n",
        "# Changes\n\n## [1.0.0] - 2024-01-01\n- a\n\n## v0.9.0\n- b\n",
    ];

    const CHANGELOG_TOKENS: &[&str] = &[
        "<!-- git-release: ",
        " -->",
        " unreleased -->",
        "<!-- git-release: end -->",
        "v1.0.0",
        "v2.0.0",
        "## ",
        "# ",
        "[1.2.3]",
        "\n",
        "\r\n",
        "0.1.0",
        "-->",
        "<!--",
    ];

    const URLS: &[&str] = &[
        "https://github.com/o/r.git",
        "git@github.com:o/r.git",
        "ssh://git@gitlab.com:2222/g/s/r",
        "https://user:pass@bitbucket.org/o/r",
        "https://codeberg.org/o/r/",
        "git@host:",
        "https://",
        "ssh://",
        "file:///x",
        "http://[::1]:80/o/r",
    ];

    const URL_TOKENS: &[&str] = &[
        "https://",
        "ssh://",
        "git@",
        ":",
        "/",
        ".git",
        "@",
        "%",
        "#",
        "?",
        "[",
        "]",
        "github.com",
        "o",
        "r",
    ];

    const COMMIT: &str = "tree 0123456789abcdef0123456789abcdef01234567\nparent 89abcdef0123456789abcdef0123456789abcdef\nauthor Ada Author <ada@example.com> 1700000000 +0000\ncommitter Ada Author <ada@example.com> 1700000060 -0130\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NI\n -----END SSH SIGNATURE-----\n\n\nfeat: x\n\nbody\n";

    const COMMIT_TOKENS: &[&str] = &[
        "tree ",
        "parent ",
        "author ",
        "committer ",
        "<",
        ">",
        " ",
        "\n",
        "\n\n",
        "0123456789abcdef0123456789abcdef01234567",
        "-9223372036854775808",
        "99999999999999999999",
        "+0000",
    ];

    fn section() -> impl Strategy<Value = Section> {
        (version(), any::<bool>(), soup(CHANGELOG_TOKENS, 6)).prop_map(
            |(version, unreleased, text)| Section {
                tag: format!("v{version}"),
                version,
                unreleased,
                text,
            },
        )
    }

    fn version_of(tag: &str) -> Option<Version> {
        Version::parse(tag.strip_prefix('v')?).ok()
    }

    proptest! {
        #![proptest_config(cases(384))]

        #[test]
        fn changelog_files_never_panic(
            existing in prop_oneof![soup(CHANGELOG_TOKENS, 30), mutated(CHANGELOGS, CHANGELOG_TOKENS)],
            sections in prop::collection::vec(section(), 0..4),
        ) {
            let _ = changelog_file::present(&existing);
            let _ = changelog_file::headed_versions(&existing);
            let inserted = changelog_file::insert(&existing, &sections, version_of);
            for section in &sections {
                prop_assert!(inserted.contains(&format!("<!-- git-release: {}", section.tag)), "{}", inserted);
            }
            let _ = changelog_file::regenerate(&existing, &sections, version_of);
            let _ = changelog_file::fresh(&existing, &sections);
        }

        #[test]
        fn remote_urls_and_references_never_panic(
            url in prop_oneof![soup(URL_TOKENS, 12), mutated(URLS, URL_TOKENS)],
            host in proptest::option::of(select(&[Host::Github, Host::Gitlab, Host::Bitbucket, Host::Gitea][..])),
            text in soup(&["#", "#12", "GH-3", "closes ", "fixes #", "o/r#4", "!5", "JIRA-1", " ", "\n", "99999999999999999999999"], 12),
        ) {
            let remote = Remote::from_url(&url, host);
            if let Some(remote) = &remote {
                let _ = (remote.commit("abc"), remote.compare("v1", "v2"), remote.issue(u64::MAX), remote.tag("v1"));
            }
            let _ = links::references(&text, remote.as_ref());
        }

        #[test]
        fn commit_objects_never_panic(
            data in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..200),
                mutated(&[COMMIT], COMMIT_TOKENS).prop_map(String::into_bytes),
            ],
        ) {
            if let Some(commit) = RawCommit::parse(git2::Oid::ZERO_SHA1, data) {
                let author = commit.author();
                let _ = (author.name, author.email, author.time, commit.message_bytes(), commit.time());
            }
        }

        #[test]
        fn tree_objects_never_panic(
            entries in prop::collection::vec(("(100644|40000|120000|1)", "[a-z\\x00 ]{0,6}", prop::collection::vec(any::<u8>(), 0..24)), 0..5),
            name in "[a-z]{0,3}",
        ) {
            let mut data = Vec::new();
            for (mode, entry, id) in &entries {
                data.extend_from_slice(format!("{mode} {entry}\0").as_bytes());
                data.extend_from_slice(id);
            }
            let _ = crate::git::repo::tree_entry(&data, name.as_bytes());
        }

        #[test]
        fn tag_templates_read_back_what_they_write(
            template in soup(&["{version}", "{name}", "v", "-", "@", "/", "{", "}", "*", "?", "[", "\\"], 6),
            name in "[a-z@/._-]{1,10}",
            version in version(),
            pre in proptest::option::of("[a-z]{1,5}\\.(0|[1-9][0-9]{0,2})"),
            tag in any::<String>(),
        ) {
            let mut version = version;
            if let Some(pre) = pre {
                version.pre = semver::Prerelease::new(&pre).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            for template in [Template::new(&template), Template::for_package(&template, Some(&name))] {
                let Ok(template) = template else { continue };
                let _ = template.glob();
                let _ = template.parse(&tag);
                let written = template.format(&version);
                prop_assert_eq!(template.parse(&written), Match::Version(version.clone()), "{}", written);
            }
        }

        #[test]
        fn commit_message_files_lint_without_panicking(
            text in soup(&["feat: x", "fixup! ", "#", "# ------------------------ >8 ------------------------\n", "\n", "\r\n", "Signed-off-by: A", ":", "(", ")"], 20),
        ) {
            use crate::hooks::lint::{Mode, Rules, clean_message_file, lint};
            let config = crate::config::LintConfig { required_trailers: vec!["Signed-off-by".to_owned()], max_subject_length: 10, ..Default::default() };
            let rules = Rules::new(&config, ["feat".to_owned()]);
            let message = clean_message_file(&text, '#');
            for mode in [Mode::Commit, Mode::History] {
                let _ = lint(&message, Some("abc"), &rules, mode);
            }
        }
    }
}
