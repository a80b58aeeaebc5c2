//! Git trailer parsing, following git's own rules.
//!
//! This is a hand-written port of the trailer-block detection in git's
//! `trailer.c` (git 2.47), as used by `git interpret-trailers --parse` with
//! default configuration (separators `":"`, no `trailer.*` settings, comment
//! character `#`). [`parse`] returns exactly the `key: value` lines that
//! command prints.
//!
//! The rules, in the order git applies them:
//!
//! 1. The input is treated as a C string: everything from the first NUL byte
//!    on is ignored. A missing final newline is added.
//! 2. The end of the log message is found: everything from the first line
//!    starting with `---` followed by whitespace (the patch part) is cut
//!    off, and so is everything from a scissors line
//!    (`# ------------------------ >8 ------------------------`). Then trailing
//!    comment lines (`#...`), empty lines and an old-style `Conflicts:` block
//!    are dropped.
//! 3. The first paragraph (up to the first blank line, skipping comment
//!    lines) is the title and never holds trailers, so a one-paragraph
//!    message has none.
//! 4. Scanning backwards from the end, the last paragraph (after the last
//!    blank line; trailing whitespace-only lines are skipped) is the trailer
//!    block if either all its lines are trailers, or it holds at least one
//!    git-generated line (`Signed-off-by: `, `(cherry picked from commit `)
//!    and at least 25% of its lines are trailers. Lines starting with
//!    whitespace continue the previous line; comment lines do not count.
//! 5. A trailer line is `<key><optional blanks>:<value>` where the key is
//!    made of ASCII alphanumerics and `-`, starts the line, and is not
//!    empty. `BREAKING CHANGE: x` and `Closes #12` are not trailers.
//! 6. Inside the accepted block, continuation lines are folded into the
//!    preceding trailer (each line break plus following whitespace becomes
//!    a single space), key and value are trimmed, and non-trailer lines
//!    (prose, `(cherry picked from commit ...)`, comments) are dropped.
//!
//! "Whitespace" is git's: space, tab, `\n` and `\r` only (not form feed or
//! vertical tab); "alphanumeric" is ASCII only.
//!
//! Note that `git log --format=%(trailers)` and `git commit --signoff` do
//! *not* treat `---` as a divider; `git interpret-trailers --parse` (and this
//! module) do.

use std::borrow::Cow;

/// One trailer line: `Key: value`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Trailer {
    /// The key exactly as spelled in the message (case preserved), without
    /// surrounding whitespace, e.g. `Signed-off-by`.
    pub key: String,
    /// The value with continuation lines unfolded (joined with single
    /// spaces) and surrounding whitespace trimmed. May be empty.
    pub value: String,
}

/// Git's comment line prefix (`core.commentChar` default).
const COMMENT: &[u8] = b"#";

/// Line prefixes git itself generates; one of these lets a block with
/// non-trailer lines still count as a trailer block (the 25% rule).
const GIT_GENERATED_PREFIXES: [&[u8]; 2] = [b"Signed-off-by: ", b"(cherry picked from commit "];

/// The scissors line of `git commit -v`, with the newline that precedes it.
const CUT_LINE: &str = "\n# ------------------------ >8 ------------------------\n";

/// Parses the trailer block of a commit message by git's rules.
///
/// The result equals what `git interpret-trailers --parse` prints for the
/// same message with default configuration: one [`Trailer`] per output line,
/// in message order, keys as written and values unfolded. Messages without
/// a trailer block yield an empty vector. Runs in linear time and never
/// panics.
///
/// ```
/// use git_release::history::trailer::{parse, Trailer};
///
/// let msg = "Fix crash\n\nSome details.\n\nReviewed-by: Bob\n  and Carol\nSigned-off-by: Alice <a@example.com>\n";
/// assert_eq!(
///     parse(msg),
///     vec![
///         Trailer { key: "Reviewed-by".into(), value: "Bob and Carol".into() },
///         Trailer { key: "Signed-off-by".into(), value: "Alice <a@example.com>".into() },
///     ]
/// );
/// ```
#[must_use]
pub fn parse(message: &str) -> Vec<Trailer> {
    // git reads the message into a NUL-terminated buffer, completes the last
    // line, and then only ever looks at it as a C string.
    let message: Cow<'_, str> = match message.find('\0') {
        Some(nul) => Cow::Borrowed(&message[..nul]),
        None if !message.is_empty() && !message.ends_with('\n') => {
            Cow::Owned(format!("{message}\n"))
        }
        None => Cow::Borrowed(message),
    };
    let text: &str = &message;
    let buf = text.as_bytes();
    // Trailers follow the title paragraph and hold a `:`; most messages
    // have none after their first line.
    match memchr::memchr(b'\n', buf) {
        Some(nl) if memchr::memchr(b':', &buf[nl..]).is_some() => {}
        _ => return Vec::new(),
    }

    let end = find_end_of_log_message(text);
    let start = find_trailer_block_start(buf, end);
    if start >= end {
        return Vec::new();
    }

    // Group the block into logical lines: a line starting with whitespace
    // continues the previous line, but only if that one was a trailer.
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut last: Option<usize> = None;
    for line in buf[start..end].split_inclusive(|&c| c == b'\n') {
        if let Some(i) = last
            && line.first().is_some_and(|&c| is_space(c))
        {
            entries[i].extend_from_slice(line);
            continue;
        }
        entries.push(line.to_vec());
        last = match find_separator(line) {
            Some(pos) if pos >= 1 => Some(entries.len() - 1),
            _ => None,
        };
    }

    entries
        .iter()
        .filter(|entry| !entry.starts_with(COMMENT))
        .filter_map(|entry| match find_separator(entry) {
            Some(pos) if pos >= 1 => Some(Trailer {
                key: to_string(trim(&entry[..pos]).to_vec()),
                value: to_string(unfold(trim(&entry[pos + 1..]))),
            }),
            _ => None,
        })
        .collect()
}

/// Values of all trailers whose key equals `key`, ignoring ASCII case (as
/// git compares trailer keys), in message order.
///
/// ```
/// use git_release::history::trailer::{find, parse};
///
/// let trailers = parse("Subject\n\nsigned-off-by: A\nSigned-Off-By: B\nAcked-by: C\n");
/// let signers: Vec<&str> = find(&trailers, "Signed-off-by").collect();
/// assert_eq!(signers, ["A", "B"]);
/// ```
pub fn find<'a>(trailers: &'a [Trailer], key: &str) -> impl Iterator<Item = &'a str> {
    let key = key.to_owned();
    trailers
        .iter()
        .filter(move |t| t.key.eq_ignore_ascii_case(&key))
        .map(|t| t.value.as_str())
}

/// git's `isspace()`: only space, tab, LF and CR (no form feed / vertical tab).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn to_string(bytes: Vec<u8>) -> String {
    // Cuts only happen at ASCII bytes, so this is always valid UTF-8; the
    // lossy fallback just guarantees we can never panic.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `strbuf_trim`: strips git whitespace from both ends.
fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// `unfold_value`: every newline plus the whitespace after it becomes one
/// space; the result is trimmed.
fn unfold(val: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(val.len());
    let mut i = 0;
    while i < val.len() {
        let c = val[i];
        i += 1;
        if c == b'\n' {
            while i < val.len() && is_space(val[i]) {
                i += 1;
            }
            out.push(b' ');
        } else {
            out.push(c);
        }
    }
    trim(&out).to_vec()
}

/// Offset just after the line that starts at or contains `s`.
fn next_line(buf: &[u8], s: usize) -> usize {
    match memchr::memchr(b'\n', &buf[s..]) {
        Some(nl) => s + nl + 1,
        None => buf.len(),
    }
}

/// Start of the last line in `buf[..len]` (a final newline belongs to the
/// last line); `None` if `len` is 0.
fn last_line(buf: &[u8], len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    if len == 1 {
        return Some(0);
    }
    Some(memchr::memrchr(b'\n', &buf[..len - 1]).map_or(0, |i| i + 1))
}

/// Whether the line starting at `s` is empty or whitespace only.
fn is_blank_line(buf: &[u8], s: usize) -> bool {
    for &c in &buf[s..] {
        if c == b'\n' {
            return true;
        }
        if !is_space(c) {
            return false;
        }
    }
    true
}

/// `find_separator`: for a line of the form `<key><blanks>:...` (key of
/// ASCII alphanumerics and `-`) or `:...`, the offset of the `:`.
fn find_separator(line: &[u8]) -> Option<usize> {
    let mut whitespace_found = false;
    for (i, &c) in line.iter().enumerate() {
        if c == b':' {
            return Some(i);
        }
        if !whitespace_found && (c.is_ascii_alphanumeric() || c == b'-') {
            continue;
        }
        if i != 0 && (c == b' ' || c == b'\t') {
            whitespace_found = true;
            continue;
        }
        break;
    }
    None
}

/// `wt_status_locate_end`: where a scissors line cuts the message, capped
/// at `len`.
fn locate_cut_line(text: &str, len: usize) -> usize {
    if memchr::memchr(b'#', text.as_bytes()).is_none() {
        len
    } else if text.starts_with(&CUT_LINE[1..]) {
        0
    } else if let Some(p) = text.find(CUT_LINE) {
        (p + 1).min(len)
    } else {
        len
    }
}

/// `ignored_log_message_bytes`: how many bytes at the end of `text[..len]`
/// are trailing comments, empty lines, an old `Conflicts:` block, or below
/// the scissors line.
fn ignored_log_message_bytes(text: &str, len: usize) -> usize {
    let buf = text.as_bytes();
    let cutoff = locate_cut_line(text, len);
    // As in git, 0 doubles as "no run of ignorable lines yet" (so a run that
    // starts at the very first line is never ignored).
    let mut boc = 0;
    let mut bol = 0;
    let mut in_old_conflicts_block = false;
    while bol < cutoff {
        let next = match memchr::memchr(b'\n', &buf[bol..len]) {
            Some(nl) => bol + nl + 1,
            None => len,
        };
        if buf[bol..cutoff].starts_with(COMMENT) || buf[bol] == b'\n' {
            if boc == 0 {
                boc = bol;
            }
        } else if buf[bol..].starts_with(b"Conflicts:\n") {
            in_old_conflicts_block = true;
            if boc == 0 {
                boc = bol;
            }
        } else if in_old_conflicts_block && buf[bol] == b'\t' {
            // A pathname in the conflicts block.
        } else if boc != 0 {
            boc = 0;
            in_old_conflicts_block = false;
        }
        bol = next;
    }
    if boc != 0 { len - boc } else { len - cutoff }
}

/// `find_end_of_log_message` (with the `---` divider honoured).
fn find_end_of_log_message(text: &str) -> usize {
    let buf = text.as_bytes();
    let mut end = buf.len();
    let mut s = 0;
    while s < buf.len() {
        if buf[s..].starts_with(b"---") && buf.get(s + 3).is_some_and(|&c| is_space(c)) {
            end = s;
            break;
        }
        s = next_line(buf, s);
    }
    end - ignored_log_message_bytes(text, end)
}

/// `find_trailer_block_start`: offset of the first line of the trailer
/// block in `buf[..len]`, or `len` if there is none.
fn find_trailer_block_start(buf: &[u8], len: usize) -> usize {
    // The first paragraph is the title and cannot hold trailers.
    let mut s = 0;
    while s < len {
        if buf[s..len].starts_with(COMMENT) {
            s = next_line(buf, s);
            continue;
        }
        if is_blank_line(buf, s) {
            break;
        }
        s = next_line(buf, s);
    }
    let end_of_title = s;

    let mut only_spaces = true;
    let mut recognized_prefix = false;
    let mut trailer_lines = 0usize;
    let mut non_trailer_lines = 0usize;
    // Lines starting with whitespace: continuations of a trailer if one
    // precedes them, otherwise non-trailer lines.
    let mut possible_continuation_lines = 0usize;

    let mut cursor = last_line(buf, len);
    while let Some(bol) = cursor.filter(|&l| l >= end_of_title) {
        cursor = last_line(buf, bol);
        let line = &buf[bol..];

        if buf[bol..len].starts_with(COMMENT) {
            non_trailer_lines += possible_continuation_lines;
            possible_continuation_lines = 0;
            continue;
        }
        if is_blank_line(buf, bol) {
            if only_spaces {
                continue;
            }
            non_trailer_lines += possible_continuation_lines;
            let qualifies = (recognized_prefix && trailer_lines * 3 >= non_trailer_lines)
                || (trailer_lines > 0 && non_trailer_lines == 0);
            return if qualifies { next_line(buf, bol) } else { len };
        }
        only_spaces = false;

        if GIT_GENERATED_PREFIXES.iter().any(|p| line.starts_with(p)) {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            recognized_prefix = true;
            continue;
        }

        let starts_with_space = is_space(buf[bol]);
        match find_separator(line) {
            Some(pos) if pos >= 1 && !starts_with_space => {
                trailer_lines += 1;
                possible_continuation_lines = 0;
            }
            _ if starts_with_space => possible_continuation_lines += 1,
            _ => {
                non_trailer_lines += 1 + possible_continuation_lines;
                possible_continuation_lines = 0;
            }
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trailers");

    fn t(key: &str, value: &str) -> Trailer {
        Trailer {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    /// Formats trailers the way `git interpret-trailers --parse` prints them.
    fn render(trailers: &[Trailer]) -> String {
        trailers.iter().fold(String::new(), |mut out, t| {
            out.push_str(&t.key);
            out.push_str(": ");
            out.push_str(&t.value);
            out.push('\n');
            out
        })
    }

    #[test]
    fn table() {
        let sob = |v: &str| t("Signed-off-by", v);
        let rows: Vec<(&str, Vec<Trailer>)> = vec![
            // No body / single paragraph.
            ("", vec![]),
            ("\n", vec![]),
            ("Just a subject", vec![]),
            ("Signed-off-by: A\n", vec![]),
            ("Subject\nKey: v\n", vec![]),
            // A `:` in the title only: no trailers.
            ("feat: x\n\nSigned-off-by A\n", vec![]),
            // A leading blank line ends an (empty) title.
            ("\nKey: v\n", vec![t("Key", "v")]),
            // Basic blocks.
            ("S\n\nSigned-off-by: A <a@x>\n", vec![sob("A <a@x>")]),
            (
                "S\n\nbody\n\nFixes: 1\nRefs: 2",
                vec![t("Fixes", "1"), t("Refs", "2")],
            ),
            // Only the last paragraph counts.
            ("S\n\nA: 1\n\nprose\n", vec![]),
            // 25% rule.
            ("S\n\nx\ny\nz\nSigned-off-by: A\n", vec![sob("A")]),
            ("S\n\nw\nx\ny\nz\nSigned-off-by: A\n", vec![]),
            ("S\n\nKey: v\nprose\n", vec![]),
            ("S\n\nprose\nSigned-off-by:A\n", vec![]),
            ("S\n\nprose\nsigned-off-by: A\n", vec![]),
            ("S\n\nprose\n(cherry picked from commit abc)\n", vec![]),
            (
                "S\n\nA: 1\n(cherry picked from commit abc)\n",
                vec![t("A", "1")],
            ),
            // Continuations.
            (
                "S\n\nA: x\n  y\n\tz\nB: 2\n",
                vec![t("A", "x y z"), t("B", "2")],
            ),
            ("S\n\n  A: 1\nB: 2\n", vec![]),
            ("S\n\nfoo\n  Bar: x\nSigned-off-by: a\n", vec![sob("a")]),
            ("S\n\nA: 1\n# c\n  more\n", vec![]),
            // Key syntax.
            ("S\n\nKey \t: v\n", vec![t("Key", "v")]),
            ("S\n\n-: v\n", vec![t("-", "v")]),
            ("S\n\n: v\nA: b\n", vec![]),
            ("S\n\nBREAKING CHANGE: x\n", vec![]),
            ("S\n\nBREAKING-CHANGE: x\n", vec![t("BREAKING-CHANGE", "x")]),
            ("S\n\nCloses #12\n", vec![]),
            ("S\n\nKéy: v\n", vec![]),
            ("S\n\nLink: http://a/b:c\n", vec![t("Link", "http://a/b:c")]),
            ("S\n\nCc:\nTo: \n", vec![t("Cc", ""), t("To", "")]),
            // Divider, scissors, comments, conflicts.
            ("S\n\nA: 1\n---\nB: 2\n", vec![t("A", "1")]),
            ("S\n\nA: 1\n---", vec![t("A", "1")]),
            ("S\n\nA: 1\n---\tx\n", vec![t("A", "1")]),
            ("S\n\nA: 1\n---x\n", vec![]),
            ("S\n\nA: 1\n----\n", vec![]),
            (
                "S\n\nA: 1\n# ------------------------ >8 ------------------------\nB: 2\n",
                vec![t("A", "1")],
            ),
            (
                "# ------------------------ >8 ------------------------\nS\n\nA: 1\n",
                vec![],
            ),
            (
                "S\n\nA: 1\n# c\nB: 2\n# end\n#\n",
                vec![t("A", "1"), t("B", "2")],
            ),
            ("# c\nS\n\nA: 1\n", vec![t("A", "1")]),
            ("S\n\nA: 1\n\nConflicts:\n\tfile.c\n", vec![t("A", "1")]),
            // Line endings and whitespace.
            ("S\r\n\r\nA: 1\r\nB: 2\r\n", vec![t("A", "1"), t("B", "2")]),
            ("S\r\n\r\nA: a\r\n  b\r\n", vec![t("A", "a\r b")]),
            ("S\n\nA: 1\n\n\n", vec![t("A", "1")]),
            ("S\n\nA: 1\n  \n\t\n", vec![t("A", "1")]),
            ("S\n\nA: v\x0c\n", vec![t("A", "v\x0c")]),
            ("S\n\nA: v\n\x0ccont\n", vec![]),
            ("S\n\nA: v\n\rcont\n", vec![t("A", "v cont")]),
            // NUL ends the message, like git's C strings.
            ("S\n\nA: 1\n\0B: 2\n", vec![t("A", "1")]),
        ];
        for (msg, expected) in rows {
            assert_eq!(parse(msg), expected, "message: {msg:?}");
        }
    }

    #[test]
    fn find_is_case_insensitive() {
        let trailers = parse("S\n\nsigned-off-by: A\nAcked-by: B\nSIGNED-OFF-BY: C\n");
        assert_eq!(
            find(&trailers, "Signed-off-by").collect::<Vec<_>>(),
            ["A", "C"]
        );
        assert_eq!(find(&trailers, "acked-BY").collect::<Vec<_>>(), ["B"]);
        assert_eq!(find(&trailers, "Nope").count(), 0);
    }

    /// Mirrors the doc examples on [`parse`] and [`find`] verbatim.
    #[test]
    fn doc_examples() {
        let trailers = parse("Subject\n\nsigned-off-by: A\nSigned-Off-By: B\nAcked-by: C\n");
        let signers: Vec<&str> = find(&trailers, "Signed-off-by").collect();
        assert_eq!(signers, ["A", "B"]);

        let msg = "Fix crash\n\nSome details.\n\nReviewed-by: Bob\n  and Carol\nSigned-off-by: Alice <a@example.com>\n";
        assert_eq!(
            parse(msg),
            [
                t("Reviewed-by", "Bob and Carol"),
                t("Signed-off-by", "Alice <a@example.com>")
            ]
        );
    }

    #[test]
    fn huge_inputs_are_fast_and_do_not_panic() {
        let started = std::time::Instant::now();
        let n = 200_000;
        let inputs = [
            format!("S\n\n{}", "Key: v\n".repeat(n)),
            format!("S\n\nKey: v\n{}", "  cont\n".repeat(n)),
            format!("S\n\n{}Signed-off-by: x\n", "prose line\n".repeat(n)),
            format!("S\n\n{}", "\n".repeat(n)),
            format!("S\n\n{}", "#\n".repeat(n)),
            format!("S\n\n{}", "---\n".repeat(n)),
            format!("S\n\nA{}: v\n", "a".repeat(n * 5)),
            format!("S\n\n{}", "  \n".repeat(n)),
            "\n".repeat(n),
            "x".repeat(n * 5),
        ];
        assert_eq!(parse(&inputs[0]).len(), n);
        assert_eq!(parse(&inputs[1])[0].value.len(), "v".len() + n * 5);
        for input in &inputs[2..] {
            let _ = parse(input);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "parsing took {:?}",
            started.elapsed()
        );
    }

    /// Runs the real `git interpret-trailers --parse` hermetically.
    fn git_parse(input: &[u8], cwd: &Path) -> String {
        let tmp = std::env::temp_dir();
        let mut cmd = Command::new("git");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("GIT_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .args(["interpret-trailers", "--parse"])
            .current_dir(cwd)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", &tmp)
            .env("HOME", &tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the differential test needs `git` on PATH");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let payload = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&payload));
        let out = child.wait_with_output().expect("git interpret-trailers");
        writer.join().expect("stdin writer").expect("write stdin");
        assert!(
            out.status.success(),
            "git failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A directory outside any repository, so no repo config leaks in.
    fn scratch_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("git-release-trailer-test")
            .tempdir_in(std::env::temp_dir())
            .expect("temp dir")
    }

    #[test]
    fn corpus_matches_git() {
        let scratch = scratch_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
            .expect("fixture dir")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        assert!(files.len() >= 30, "only {} fixtures", files.len());

        let mut failures = Vec::new();
        for file in &files {
            let bytes = std::fs::read(file).expect("read fixture");
            let expected = git_parse(&bytes, scratch.path());
            let actual = render(&parse(&String::from_utf8_lossy(&bytes)));
            if actual != expected {
                failures.push(format!(
                    "{}:\n  git:   {expected:?}\n  parse: {actual:?}",
                    file.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} fixtures differ from git:\n{}",
            failures.len(),
            files.len(),
            failures.join("\n")
        );
    }

    /// Random messages built from tricky lines, compared against git.
    #[test]
    fn random_messages_match_git() {
        const LINES: &[&str] = &[
            "Subject line",
            "",
            "",
            "  ",
            "\t",
            "\r",
            "Signed-off-by: A U Thor <a@example.com>",
            "(cherry picked from commit 0123abcd)",
            "Key: value",
            "Key : spaced",
            "lower-case: v",
            "Empty:",
            "Url: https://example.com/a:b",
            "prose line",
            "prose: with a colon",
            "BREAKING CHANGE: big",
            "Closes #12",
            "  continued",
            "\tcontinued by tab",
            "# comment",
            "---",
            "--- a/file",
            "----",
            "---x",
            "Conflicts:",
            "\tfile.c",
            "# ------------------------ >8 ------------------------",
            ": starts with colon",
            "Kéy: unicode key",
            "Reviewed-by: Zoë",
            "Signed-off-by:NoSpace",
        ];
        let scratch = scratch_dir();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap_or(0)
        };
        let mut failures = Vec::new();
        for _ in 0..300 {
            let mut msg = String::new();
            for _ in 0..=next(10) {
                msg.push_str(LINES[next(LINES.len())]);
                msg.push_str(if next(8) == 0 { "\r\n" } else { "\n" });
            }
            if next(6) == 0 {
                msg.pop();
            }
            let expected = git_parse(msg.as_bytes(), scratch.path());
            let actual = render(&parse(&msg));
            if actual != expected {
                failures.push(format!(
                    "{msg:?}\n  git:   {expected:?}\n  parse: {actual:?}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "differs from git:\n{}",
            failures.join("\n")
        );
    }
}
