//! SSH signatures over evidence records: signing by shelling out to
//! `ssh-keygen -Y sign`, and verification in process against an OpenSSH
//! `allowed_signers` file.
//!
//! Signing runs the real `ssh-keygen`, because the private key may live in
//! ssh-agent (that is how git's `user.signingKey` works). Verification never
//! starts a process: it parses the armored signature with the `ssh-key`
//! crate, checks the namespace and the cryptographic signature, and then
//! looks the signing key up in [`AllowedSigners`] for the claimed principal,
//! honouring the `namespaces`, `valid-after` and `valid-before` options.
//!
//! Differences from `ssh-keygen -Y verify`, all on the side of refusing:
//!
//! - The whole `allowed_signers` text is parsed up front, and any malformed
//!   line is an error naming the line (OpenSSH logs such a line and skips
//!   it). The file comes from a trusted revision, so a typo there should stop
//!   the gate rather than silently drop a signer or an option.
//! - Times in `valid-after` / `valid-before` without a trailing `Z` are read
//!   as UTC, not in the local time zone, so a result never depends on the
//!   machine's `TZ`.
//! - A signature made with an OpenSSH certificate matches `cert-authority`
//!   lines only, as in OpenSSH; the certificate must be a user certificate
//!   signed by that authority, valid at the time checked, and name the
//!   principal. Certificates with critical options are refused (OpenSSH
//!   ignores the ones that do not apply to signatures).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, Certificate, EcdsaCurve, HashAlg, PublicKey, SshSig};
use tempfile::TempDir;

/// The SSH signature namespace of this tool (`ssh-keygen -n git-release`).
pub const NAMESPACE: &str = "git-release";

/// The program [`sign`] runs.
const SSH_KEYGEN: &str = "ssh-keygen";

/// The PEM header of an armored SSH signature.
const ARMOR_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";

/// OpenSSH's limit on one sub-pattern of a pattern list (`match.c`): longer
/// sub-patterns never match.
const MAX_SUBPATTERN: usize = 1023;

/// How much of `ssh-keygen`'s stderr an error message quotes.
const MAX_STDERR: usize = 2000;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// What went wrong signing a payload.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// `ssh-keygen` could not be started because it is not installed.
    #[error("`{program}` was not found")]
    SshKeygenMissing {
        /// The program we tried to run.
        program: String,
    },
    /// The key file does not exist.
    #[error("signing key `{path}` does not exist")]
    KeyMissing {
        /// The path we were given.
        path: PathBuf,
    },
    /// The configured signing key is empty.
    #[error("no signing key is configured")]
    NoKey,
    /// A literal public key in the configuration does not parse.
    #[error("`{value}` is not an ssh public key: {reason}")]
    InvalidKeyString {
        /// The configured value.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// `ssh-keygen -Y sign` ran and failed.
    #[error("`ssh-keygen -Y sign` failed with key `{key}` ({status}): {stderr}")]
    Failed {
        /// The key we signed with.
        key: PathBuf,
        /// How the process ended.
        status: String,
        /// What it said on stderr.
        stderr: String,
    },
    /// `ssh-keygen` succeeded but did not print an armored signature.
    #[error("`ssh-keygen -Y sign` did not print an ssh signature: {reason}")]
    NotArmored {
        /// What was wrong with its output.
        reason: String,
    },
    /// A file or pipe could not be used.
    #[error("{doing}: {source}")]
    Io {
        /// What we were doing.
        doing: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl SigningError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            SigningError::SshKeygenMissing { .. } => vec![
                "install OpenSSH 8.2 or later so that `ssh-keygen` is on `PATH` (Debian and Ubuntu: `apt install openssh-client`)".to_owned(),
            ],
            SigningError::KeyMissing { .. } | SigningError::NoKey => vec![
                "set `user.signingKey` to a private key file, or to a public key file or `key::ssh-ed25519 AAAA…` whose private half is in ssh-agent".to_owned(),
                "to make a key: `ssh-keygen -t ed25519`".to_owned(),
            ],
            SigningError::InvalidKeyString { .. } => vec![
                "give the whole line of the `.pub` file, e.g. `key::ssh-ed25519 AAAA… you@example.com`".to_owned(),
            ],
            SigningError::Failed { key, .. } => vec![
                format!(
                    "if `{}` is a public key, add its private half to the agent: `ssh-add <private key>`",
                    key.display()
                ),
                format!(
                    "check that `ssh-keygen -Y sign -f {} -n {NAMESPACE}` works in a terminal",
                    key.display()
                ),
            ],
            SigningError::NotArmored { .. } => vec![
                "check that `ssh-keygen` is OpenSSH 8.2 or later: `ssh -V`".to_owned(),
            ],
            SigningError::Io { .. } => Vec::new(),
        }
    }
}

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

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The text is not an armored SSH signature.
    #[error("not a valid ssh signature: {reason}")]
    Malformed {
        /// What the decoder said.
        reason: String,
    },
    /// The signature was made for another namespace.
    #[error("signature namespace is `{found}`, expected `{NAMESPACE}`")]
    WrongNamespace {
        /// The namespace in the signature.
        found: String,
    },
    /// The signature was made with an OpenSSH certificate that cannot be
    /// read.
    #[error("the signature's certificate (`{algorithm}`) cannot be read: {reason}")]
    Certificate {
        /// The certificate type.
        algorithm: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate was read, and a `cert-authority` line names its
    /// authority for the principal, but the certificate does not allow this
    /// signature.
    #[error(
        "certificate `{id}` signed by `{authority}` (allowed_signers line {line}) is refused: {reason}"
    )]
    CertificateRefused {
        /// The certificate's key id.
        id: String,
        /// The certificate authority's fingerprint.
        authority: String,
        /// The `cert-authority` line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The key or signature algorithm cannot be verified here.
    #[error("unsupported signature algorithm `{algorithm}`")]
    UnsupportedAlgorithm {
        /// The algorithm.
        algorithm: String,
    },
    /// The signature does not verify over the payload.
    #[error("signature by key `{fingerprint}` does not match the payload")]
    BadSignature {
        /// The signing key's fingerprint.
        fingerprint: String,
    },
    /// The signing key is not in `allowed_signers` at all.
    #[error("key `{fingerprint}` is not in allowed_signers")]
    KeyNotAllowed {
        /// The signing key's fingerprint.
        fingerprint: String,
    },
    /// The signing key is listed, but not for this principal.
    #[error("key `{fingerprint}` is not allowed to sign as `{principal}`")]
    PrincipalMismatch {
        /// The principal the record claims.
        principal: String,
        /// The signing key's fingerprint.
        fingerprint: String,
        /// The principal patterns the key is listed for.
        listed_for: Vec<String>,
    },
    /// The matching line restricts namespaces and excludes ours.
    #[error(
        "allowed_signers line {line} does not allow namespace `{NAMESPACE}` (namespaces=\"{namespaces}\")"
    )]
    NamespaceNotAllowed {
        /// The line number.
        line: usize,
        /// The line's `namespaces` value.
        namespaces: String,
    },
    /// The matching line's key is not valid yet at the given time.
    #[error(
        "key `{fingerprint}` is not valid until {valid_after} (allowed_signers line {line}), checked at {at}"
    )]
    NotYetValid {
        /// The line number.
        line: usize,
        /// The signing key's fingerprint.
        fingerprint: String,
        /// The line's `valid-after`.
        valid_after: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
    /// The matching line's key expired before the given time.
    #[error(
        "key `{fingerprint}` expired at {valid_before} (allowed_signers line {line}), checked at {at}"
    )]
    Expired {
        /// The line number.
        line: usize,
        /// The signing key's fingerprint.
        fingerprint: String,
        /// The line's `valid-before`.
        valid_before: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
}

impl VerifyError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            VerifyError::Malformed { .. } => vec![format!(
                "expected an armored `{ARMOR_BEGIN}` block made by `ssh-keygen -Y sign -n {NAMESPACE}`"
            )],
            VerifyError::WrongNamespace { .. } => vec![format!(
                "sign evidence with `ssh-keygen -Y sign -n {NAMESPACE}` (git-release does this); a signature made for another purpose cannot be reused"
            )],
            VerifyError::Certificate { .. } => vec![
                "sign with a certificate made by `ssh-keygen -s` for an ed25519, ecdsa-sha2-nistp256 or rsa key, or with a plain key listed in allowed_signers".to_owned(),
            ],
            VerifyError::CertificateRefused { .. } => vec![
                "have the certificate authority issue a user certificate that names this principal (`ssh-keygen -s CA -I ID -n PRINCIPAL`) and is valid now".to_owned(),
            ],
            VerifyError::UnsupportedAlgorithm { .. } => vec![
                "use an ed25519 or ecdsa-sha2-nistp256 key, or an rsa key of 2048 to 4096 bits".to_owned(),
            ],
            VerifyError::BadSignature { .. } => vec![
                "the record or its signature was changed after signing; record the evidence again".to_owned(),
            ],
            VerifyError::KeyNotAllowed { .. } => vec![
                "add a line `<principal> <keytype> <base64-key>` for this key to allowed_signers in the trusted revision".to_owned(),
            ],
            VerifyError::PrincipalMismatch { listed_for, .. } => vec![format!(
                "allowed_signers lists this key for `{}`; record the evidence as one of those, or add the principal to its line",
                listed_for.join("`, `")
            )],
            VerifyError::NamespaceNotAllowed { .. } => vec![format!(
                "add `{NAMESPACE}` to the line's `namespaces` option, e.g. `namespaces=\"git,{NAMESPACE}\"`"
            )],
            VerifyError::NotYetValid { .. } | VerifyError::Expired { .. } => vec![
                "record the evidence with a key that is valid now, or update the line's `valid-after` / `valid-before`".to_owned(),
            ],
        }
    }
}

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

/// A signing key as `ssh-keygen -f` takes it: a path, which for a literal
/// public key from the configuration is a temporary file that lives as long
/// as this value.
#[derive(Debug)]
pub struct KeyFile {
    path: PathBuf,
    temp: Option<TempDir>,
}

impl KeyFile {
    /// The path to give `ssh-keygen -f`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the configuration held the key itself rather than a path.
    pub fn is_literal(&self) -> bool {
        self.temp.is_some()
    }
}

/// Turns git's `user.signingKey` value into a key file, the way git does
/// for `gpg.format=ssh`: `key::<public key>` and (deprecated in git) a value
/// starting with `ssh-` are literal public keys, written to a temporary file
/// whose private half must be in ssh-agent; anything else is a path, with a
/// leading `~/` expanded from `HOME`.
pub fn key_path_from_config(value: &str) -> Result<KeyFile, SigningError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SigningError::NoKey);
    }
    let literal = value
        .strip_prefix("key::")
        .or_else(|| value.starts_with("ssh-").then_some(value));
    if let Some(literal) = literal {
        let literal = literal.trim();
        let key = PublicKey::from_openssh(literal).map_err(|e| SigningError::InvalidKeyString {
            value: shorten(value, 80),
            reason: e.to_string(),
        })?;
        let line = key
            .to_openssh()
            .map_err(|e| SigningError::InvalidKeyString {
                value: shorten(value, 80),
                reason: e.to_string(),
            })?;
        let temp = TempDir::new().map_err(|source| SigningError::Io {
            doing: "creating a temporary directory for the signing key".to_owned(),
            source,
        })?;
        let path = temp.path().join("signing-key.pub");
        std::fs::write(&path, format!("{line}\n")).map_err(|source| SigningError::Io {
            doing: format!("writing the signing key to `{}`", path.display()),
            source,
        })?;
        return Ok(KeyFile {
            path,
            temp: Some(temp),
        });
    }
    let path = match value.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => PathBuf::from(value),
        },
        None => PathBuf::from(value),
    };
    Ok(KeyFile { path, temp: None })
}

/// Signs `payload` with `ssh-keygen -Y sign -f KEY -n git-release` and
/// returns the armored signature (`-----BEGIN SSH SIGNATURE-----…`).
///
/// `key` is a private key file, or a public key file whose private half is
/// in ssh-agent. A passphrase-protected key makes `ssh-keygen` ask on the
/// terminal.
pub fn sign(payload: &[u8], key: &Path) -> Result<String, SigningError> {
    sign_with(Path::new(SSH_KEYGEN), payload, key)
}

/// [`sign`] with another `ssh-keygen` program (git's `gpg.ssh.program`).
pub fn sign_with(program: &Path, payload: &[u8], key: &Path) -> Result<String, SigningError> {
    sign_command(Command::new(program), payload, key)
}

/// Runs `cmd` (an `ssh-keygen`) as a signer; tests pass one with a fixed
/// environment.
fn sign_command(mut cmd: Command, payload: &[u8], key: &Path) -> Result<String, SigningError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    if !key.exists() {
        return Err(SigningError::KeyMissing {
            path: key.to_path_buf(),
        });
    }
    // With no file arguments, `ssh-keygen -Y sign` signs standard input and
    // prints the signature on standard output.
    cmd.arg("-Y")
        .arg("sign")
        .arg("-f")
        .arg(key)
        .arg("-n")
        .arg(NAMESPACE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SigningError::SshKeygenMissing {
                program: program.clone(),
            }
        } else {
            SigningError::Io {
                doing: format!("running `{program}`"),
                source,
            }
        }
    })?;
    let stdin = child.stdin.take();
    // Write on another thread so a failing ssh-keygen that stops reading
    // cannot dead-lock us while we wait for its output.
    let (written, output) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || match stdin {
            Some(mut stdin) => stdin.write_all(payload),
            None => Ok(()),
        });
        let output = child.wait_with_output();
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the stdin writer panicked")));
        (written, output)
    });
    let output = output.map_err(|source| SigningError::Io {
        doing: format!("waiting for `{program}`"),
        source,
    })?;
    if !output.status.success() {
        return Err(SigningError::Failed {
            key: key.to_path_buf(),
            status: output.status.to_string(),
            stderr: clean_stderr(&output.stderr),
        });
    }
    written.map_err(|source| SigningError::Io {
        doing: format!("writing the payload to `{program}`"),
        source,
    })?;
    let armored = String::from_utf8(output.stdout).map_err(|_| SigningError::NotArmored {
        reason: "the output is not UTF-8".to_owned(),
    })?;
    if !armored.trim_start().starts_with(ARMOR_BEGIN) {
        return Err(SigningError::NotArmored {
            reason: format!("expected `{ARMOR_BEGIN}`"),
        });
    }
    if let Err(e) = SshSig::from_pem(armored.trim()) {
        // A signature made with a certificate is read here, not by `ssh-key`.
        if certificate_type(&armored).is_none() || certificate_signature(&armored).is_err() {
            return Err(SigningError::NotArmored {
                reason: e.to_string(),
            });
        }
    }
    Ok(armored)
}

/// ssh-keygen's stderr as one line, without its "Signing data on standard
/// input" chatter, cut to a readable length.
fn clean_stderr(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Signing data on standard input")
        .collect();
    if lines.is_empty() {
        return "no error message".to_owned();
    }
    shorten(&lines.join("; "), MAX_STDERR)
}

/// At most `max` characters of `s`, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

// ---------------------------------------------------------------------------
// allowed_signers
// ---------------------------------------------------------------------------

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
    let digits = value.strip_suffix('Z').unwrap_or(value);
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
    let small = |n: i64| i8::try_from(n).ok();
    let datetime = DateTime::new(
        i16::try_from(number(0..4)?).ok()?,
        small(number(4..6)?)?,
        small(number(6..8)?)?,
        small(hour)?,
        small(minute)?,
        small(second)?,
        0,
    )
    .ok()?;
    TimeZone::UTC.to_timestamp(datetime).ok()
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
fn match_pattern_list(s: &str, list: &str) -> bool {
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

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// An accepted signature: who signed, with which key, by which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The principal that was checked (the `principal` argument).
    pub principal: String,
    /// The `allowed_signers` principals pattern list that matched it.
    pub pattern: String,
    /// The signing key's SHA256 fingerprint, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The 1-based `allowed_signers` line that allowed it.
    pub line: usize,
}

/// The certificate type an armored signature's key claims, if it is a
/// certificate: the key type string inside `SSHSIG`, read without the
/// `ssh-key` decoder (which cannot decode certificates).
fn certificate_type(armored: &str) -> Option<String> {
    let body: String = armored
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    // "SSHSIG", version, key blob length, key type length, key type: the
    // longest certificate type fits in 128 base64 characters.
    let prefix = body.get(..body.len().min(128) / 4 * 4)?;
    let bytes = decode_base64(prefix)?;
    let rest = bytes.strip_prefix(b"SSHSIG")?;
    let len = u32::from_be_bytes(rest.get(8..12)?.try_into().ok()?);
    let name = rest.get(12..12 + usize::try_from(len).ok()?)?;
    let name = std::str::from_utf8(name).ok()?;
    name.ends_with("-cert-v01@openssh.com")
        .then(|| name.to_owned())
}

/// Reads an armored `SSHSIG` whose key is a certificate (see
/// `PROTOCOL.sshsig`): the signature, with the certificate's own key as its
/// key, and the certificate.
fn certificate_signature(armored: &str) -> Result<(SshSig, SignedCertificate), String> {
    let body: String = armored
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    let bytes = decode_base64(&body).ok_or("invalid base64")?;
    let mut rest = bytes.strip_prefix(b"SSHSIG").ok_or("no SSHSIG preamble")?;
    let mut take = |n: usize| -> Result<&[u8], String> {
        if rest.len() < n {
            return Err("the signature is cut short".to_owned());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let version = u32::from_be_bytes(take(4)?.try_into().map_err(|_| "bad version")?);
    if version != 1 {
        return Err(format!("signature version {version}"));
    }
    let mut string = || -> Result<&[u8], String> {
        let len = u32::from_be_bytes(take(4)?.try_into().map_err(|_| "bad length")?);
        take(usize::try_from(len).map_err(|_| "bad length")?)
    };
    let blob = string()?;
    let namespace = std::str::from_utf8(string()?).map_err(|_| "namespace is not UTF-8")?;
    let _reserved = string()?;
    let hash = std::str::from_utf8(string()?).map_err(|_| "hash name is not UTF-8")?;
    let signature = string()?;
    let certificate = read_certificate(blob)?;
    let hash = HashAlg::new(hash).map_err(|e| e.to_string())?;
    let signature = ssh_key::Signature::try_from(signature).map_err(|e| e.to_string())?;
    let sig = SshSig::new(
        certificate.cert.public_key().clone(),
        namespace,
        hash,
        signature,
    )
    .map_err(|e| e.to_string())?;
    Ok((sig, certificate))
}

/// A certificate as read from a signature, with what `ssh-key` cannot keep:
/// the validity bounds as written (it refuses `forever`, the default of
/// `ssh-keygen -s`) and the signed bytes, to check the authority's
/// signature on them.
struct SignedCertificate {
    /// The fields, decoded with `valid-before` capped where `ssh-key` needs it.
    cert: Certificate,
    valid_after: u64,
    valid_before: u64,
    /// Everything the authority signed.
    signed: Vec<u8>,
    /// The authority's signature.
    signature: ssh_key::Signature,
}

/// Reads an OpenSSH certificate blob (`PROTOCOL.certkeys`).
fn read_certificate(blob: &[u8]) -> Result<SignedCertificate, String> {
    let short = || "the certificate is cut short".to_owned();
    let mut at = 0usize;
    let skip = |n: usize, at: &mut usize| -> Result<std::ops::Range<usize>, String> {
        let end = at
            .checked_add(n)
            .filter(|&e| e <= blob.len())
            .ok_or_else(short)?;
        let range = *at..end;
        *at = end;
        Ok(range)
    };
    let string = |at: &mut usize| -> Result<std::ops::Range<usize>, String> {
        let len = skip(4, at)?;
        let len = u32::from_be_bytes(blob[len].try_into().map_err(|_| short())?);
        skip(usize::try_from(len).map_err(|_| short())?, at)
    };
    let kind = string(&mut at)?;
    let kind = std::str::from_utf8(&blob[kind]).map_err(|_| "bad certificate type")?;
    let key_fields = match kind {
        "ssh-ed25519-cert-v01@openssh.com" => 1,
        "ssh-rsa-cert-v01@openssh.com"
        | "sk-ssh-ed25519-cert-v01@openssh.com"
        | "ecdsa-sha2-nistp256-cert-v01@openssh.com"
        | "ecdsa-sha2-nistp384-cert-v01@openssh.com"
        | "ecdsa-sha2-nistp521-cert-v01@openssh.com" => 2,
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com" => 3,
        "ssh-dss-cert-v01@openssh.com" => 4,
        other => return Err(format!("unknown certificate type `{}`", shorten(other, 60))),
    };
    string(&mut at)?; // nonce
    for _ in 0..key_fields {
        string(&mut at)?;
    }
    skip(8 + 4, &mut at)?; // serial, type
    string(&mut at)?; // key id
    string(&mut at)?; // principals
    let after = skip(8, &mut at)?;
    let before = skip(8, &mut at)?;
    let read_u64 =
        |r: std::ops::Range<usize>| u64::from_be_bytes(blob[r].try_into().unwrap_or([0; 8]));
    let (valid_after, valid_before) = (read_u64(after.clone()), read_u64(before.clone()));
    for _ in 0..4 {
        string(&mut at)?; // critical options, extensions, reserved, signature key
    }
    let signed = blob[..at].to_vec();
    let signature = string(&mut at)?;
    if at != blob.len() {
        return Err("the certificate has trailing bytes".to_owned());
    }
    let signature = ssh_key::Signature::try_from(&blob[signature]).map_err(|e| e.to_string())?;
    let cap = i64::MAX as u64;
    let mut capped = blob.to_vec();
    capped[after].copy_from_slice(&valid_after.min(cap).to_be_bytes());
    capped[before].copy_from_slice(&valid_before.min(cap).to_be_bytes());
    let cert = Certificate::from_bytes(&capped).map_err(|e| e.to_string())?;
    Ok(SignedCertificate {
        cert,
        valid_after,
        valid_before,
        signed,
        signature,
    })
}

/// What `ssh-keygen -Y verify` requires of a certificate found through a
/// `cert-authority` line: signed by that authority, a user certificate,
/// valid at `at`, naming `principal` among its principals, and without
/// critical options (none of which apply to signatures made with
/// `ssh-keygen -Y sign`).
fn check_certificate(
    signed: &SignedCertificate,
    authority: &PublicKey,
    principal: &str,
    at: Timestamp,
) -> Result<(), String> {
    use signature::Verifier;
    let cert = &signed.cert;
    if cert.cert_type() != ssh_key::certificate::CertType::User {
        return Err("it is a host certificate, not a user certificate".to_owned());
    }
    if cert.signature_key() != authority.key_data()
        || authority
            .key_data()
            .verify(&signed.signed, &signed.signature)
            .is_err()
    {
        return Err("the authority's signature on it does not verify".to_owned());
    }
    // valid-after <= time < valid-before, in whole seconds.
    let second = u64::try_from(at.as_second()).unwrap_or(0);
    if second < signed.valid_after || second >= signed.valid_before {
        let time = |seconds: u64| {
            i64::try_from(seconds)
                .ok()
                .and_then(|s| Timestamp::from_second(s).ok())
                .map_or_else(|| "forever".to_owned(), |t| t.to_string())
        };
        return Err(format!(
            "it is valid from {} to {}, not at {at}",
            time(signed.valid_after),
            time(signed.valid_before)
        ));
    }
    if !cert.valid_principals().iter().any(|p| p == principal) {
        return Err(if cert.valid_principals().is_empty() {
            "it names no principals".to_owned()
        } else {
            format!(
                "it is for `{}`, not `{principal}`",
                cert.valid_principals().join("`, `")
            )
        });
    }
    if let Some((name, _)) = cert.critical_options().iter().next() {
        return Err(format!("it has the critical option `{name}`"));
    }
    Ok(())
}

/// Decodes standard padded base64; `None` on any invalid character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.as_bytes().chunks(4) {
        let data: Vec<u8> = chunk.iter().copied().take_while(|&c| c != b'=').collect();
        let mut n = 0u32;
        for (i, &c) in data.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..data.len().saturating_sub(1)]);
    }
    Some(out)
}

/// The RSA key sizes the `rsa` crate verifies (OpenSSH also takes 1024 to
/// 2047 and above 4096 bits).
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// The size of an RSA modulus in bits.
fn rsa_bits(key: &ssh_key::public::RsaPublicKey) -> usize {
    match key.n.as_positive_bytes() {
        Some([first, rest @ ..]) => rest.len() * 8 + (8 - first.leading_zeros() as usize),
        _ => 0,
    }
}

/// Whether a key of this algorithm (and size) can be verified here.
fn supported(key: &KeyData) -> bool {
    match key.algorithm() {
        Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => true,
        Algorithm::Rsa { .. } => key.rsa().is_some_and(|k| RSA_BITS.contains(&rsa_bits(k))),
        Algorithm::Ecdsa { curve } => curve == EcdsaCurve::NistP256,
        _ => false,
    }
}

/// Whether the signature's algorithm fits the key's (`sshkey_verify` checks
/// the same); RSA must use SHA-2.
fn algorithms_agree(key: &KeyData, signature: Algorithm) -> bool {
    match key.algorithm() {
        Algorithm::Rsa { .. } => matches!(signature, Algorithm::Rsa { hash: Some(_) }),
        key => key == signature,
    }
}

/// How far a line got in matching; the furthest is reported.
enum Miss {
    Principal,
    Namespace(VerifyError),
    Time(VerifyError),
}

/// Verifies `armored` over `payload` for `principal` at time `at`, in
/// process.
///
/// Checks, in order: the signature parses; its namespace is
/// [`NAMESPACE`]; its algorithm is supported and fits the key (for a
/// certificate, the certificate's key); it verifies over `payload`; and
/// some `allowed_signers` line lists the signing key (a plain line), or the
/// certificate's authority (a `cert-authority` line), for a principal
/// pattern matching `principal`, allows [`NAMESPACE`] if it has a
/// `namespaces` option, and has `valid-after <= at <= valid-before`
/// (compared in whole seconds, as OpenSSH does). A certificate must then
/// pass [`check_certificate`].
pub fn verify(
    payload: &[u8],
    armored: &str,
    signers: &AllowedSigners,
    principal: &str,
    at: Timestamp,
) -> Result<Verified, VerifyError> {
    // The decoder cannot read a signature whose key is a certificate; such
    // signatures are read here, and verified with the certificate's key.
    let (sig, certificate) = match SshSig::from_pem(armored.trim()) {
        Ok(sig) => (sig, None),
        Err(e) => match certificate_type(armored) {
            Some(algorithm) => {
                let (sig, certificate) =
                    certificate_signature(armored).map_err(|reason| VerifyError::Certificate {
                        algorithm: algorithm.clone(),
                        reason,
                    })?;
                (sig, Some(certificate))
            }
            None => {
                return Err(VerifyError::Malformed {
                    reason: e.to_string(),
                });
            }
        },
    };
    if sig.namespace() != NAMESPACE {
        return Err(VerifyError::WrongNamespace {
            found: shorten(sig.namespace(), 80),
        });
    }
    let key = sig.public_key();
    let algorithm = key.algorithm();
    if !supported(key) {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: match key.rsa() {
                Some(rsa) => format!("{} with {} bits", algorithm.as_str(), rsa_bits(rsa)),
                None => shorten(algorithm.as_str(), 80),
            },
        });
    }
    if !algorithms_agree(key, sig.algorithm()) {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: format!("{} with a {} key", sig.algorithm(), algorithm),
        });
    }
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    PublicKey::from(key.clone())
        .verify(NAMESPACE, payload, &sig)
        .map_err(|_| VerifyError::BadSignature {
            fingerprint: fingerprint.clone(),
        })?;

    let at_second = at.as_second();
    let mut listed_for = Vec::new();
    let mut furthest: Option<Miss> = None;
    let mut note = |miss: Miss| {
        let rank = |m: &Miss| match m {
            Miss::Principal => 0,
            Miss::Namespace(_) => 1,
            Miss::Time(_) => 2,
        };
        if furthest.as_ref().is_none_or(|f| rank(&miss) > rank(f)) {
            furthest = Some(miss);
        }
    };
    for entry in &signers.entries {
        // A certificate matches the lines of its authority, a plain key its
        // own lines (as `ssh-keygen -Y verify`).
        let listed = match &certificate {
            Some(signed) => {
                entry.cert_authority && entry.key.key_data() == signed.cert.signature_key()
            }
            None => !entry.cert_authority && entry.key.key_data() == key,
        };
        if !listed {
            continue;
        }
        if !match_pattern_list(principal, &entry.principals) {
            listed_for.push(entry.principals.clone());
            note(Miss::Principal);
            continue;
        }
        if let Some(namespaces) = &entry.namespaces {
            if !match_pattern_list(NAMESPACE, namespaces) {
                note(Miss::Namespace(VerifyError::NamespaceNotAllowed {
                    line: entry.line,
                    namespaces: shorten(namespaces, 80),
                }));
                continue;
            }
        }
        if let Some(valid_after) = entry.valid_after {
            if at_second < valid_after.as_second() {
                note(Miss::Time(VerifyError::NotYetValid {
                    line: entry.line,
                    fingerprint: fingerprint.clone(),
                    valid_after,
                    at,
                }));
                continue;
            }
        }
        if let Some(valid_before) = entry.valid_before {
            if at_second > valid_before.as_second() {
                note(Miss::Time(VerifyError::Expired {
                    line: entry.line,
                    fingerprint: fingerprint.clone(),
                    valid_before,
                    at,
                }));
                continue;
            }
        }
        if let Some(cert) = &certificate {
            check_certificate(cert, &entry.key, principal, at).map_err(|reason| {
                VerifyError::CertificateRefused {
                    id: shorten(cert.cert.key_id(), 80),
                    authority: entry.key.fingerprint(HashAlg::Sha256).to_string(),
                    line: entry.line,
                    reason,
                }
            })?;
        }
        return Ok(Verified {
            principal: principal.to_owned(),
            pattern: entry.principals.clone(),
            fingerprint,
            line: entry.line,
        });
    }
    Err(match furthest {
        Some(Miss::Time(e) | Miss::Namespace(e)) => e,
        Some(Miss::Principal) => VerifyError::PrincipalMismatch {
            principal: shorten(principal, 80),
            fingerprint,
            listed_for,
        },
        None => VerifyError::KeyNotAllowed { fingerprint },
    })
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "good signature for `{}` with key `{}` (allowed_signers line {})",
            self.principal, self.fingerprint, self.line
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verification time used unless a test says otherwise.
    fn at() -> Timestamp {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A key made by the real `ssh-keygen`.
    struct Key {
        private: PathBuf,
        /// `keytype base64`, without the comment.
        public: String,
    }

    /// A temp dir that is also `HOME` for every subprocess.
    struct Fixture {
        dir: TempDir,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                dir: TempDir::new().unwrap(),
            }
        }

        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// `ssh-keygen` with a hermetic environment: no agent, fixed HOME,
        /// UTC.
        fn ssh_keygen(&self) -> Command {
            let mut cmd = Command::new(SSH_KEYGEN);
            cmd.env("HOME", self.dir.path())
                .env("TZ", "UTC")
                .env("LC_ALL", "C")
                .env_remove("SSH_AUTH_SOCK")
                .env_remove("SSH_AGENT_PID");
            cmd
        }

        fn keygen(&self, name: &str, kind: &[&str]) -> Key {
            let private = self.path(name);
            let status = self
                .ssh_keygen()
                .args(kind)
                .args(["-q", "-N", "", "-C", "test@example.com", "-f"])
                .arg(&private)
                .stdin(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "ssh-keygen {kind:?} failed");
            let text = std::fs::read_to_string(private.with_extension("pub")).unwrap();
            let public = text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            Key { private, public }
        }

        fn ed25519(&self, name: &str) -> Key {
            self.keygen(name, &["-t", "ed25519"])
        }

        /// Signs through this module's signer, hermetically.
        fn sign(&self, key: &Key, payload: &[u8]) -> String {
            sign_command(self.ssh_keygen(), payload, &key.private).unwrap()
        }

        /// Signs with the real `ssh-keygen` in any namespace.
        fn sign_in(&self, key: &Key, payload: &[u8], namespace: &str) -> String {
            let mut child = self
                .ssh_keygen()
                .args(["-Y", "sign", "-n", namespace, "-f"])
                .arg(&key.private)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(payload).unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success());
            String::from_utf8(output.stdout).unwrap()
        }

        /// Whether `ssh-keygen -Y verify` accepts the same inputs.
        fn openssh_accepts(
            &self,
            allowed: &str,
            principal: &str,
            payload: &[u8],
            armored: &str,
            at: Timestamp,
        ) -> bool {
            self.openssh(allowed, principal, payload, armored, at).0
        }

        /// What `ssh-keygen -Y verify` says about the same inputs: whether
        /// it accepts, and its stderr.
        fn openssh(
            &self,
            allowed: &str,
            principal: &str,
            payload: &[u8],
            armored: &str,
            at: Timestamp,
        ) -> (bool, String) {
            let allowed_path = self.path("allowed_signers");
            let sig_path = self.path("payload.sig");
            std::fs::write(&allowed_path, allowed).unwrap();
            std::fs::write(&sig_path, armored).unwrap();
            let mut child = self
                .ssh_keygen()
                .args(["-Y", "verify", "-f"])
                .arg(&allowed_path)
                .args(["-I", principal, "-n", NAMESPACE, "-s"])
                .arg(&sig_path)
                .arg(format!("-Overify-time={}", at.strftime("%Y%m%d%H%M%SZ")))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // ssh-keygen may exit before reading a payload it cannot use.
            let _ = child.stdin.take().unwrap().write_all(payload);
            let output = child.wait_with_output().unwrap();
            (
                output.status.success(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        }

        /// Verifies in process and with `ssh-keygen -Y verify`, asserts
        /// they agree, and returns ours.
        fn check(
            &self,
            allowed: &str,
            principal: &str,
            payload: &[u8],
            armored: &str,
            at: Timestamp,
        ) -> Result<Verified, VerifyError> {
            let signers = AllowedSigners::parse(allowed).unwrap();
            let ours = verify(payload, armored, &signers, principal, at);
            let theirs = self.openssh_accepts(allowed, principal, payload, armored, at);
            assert_eq!(
                ours.is_ok(),
                theirs,
                "in-process {ours:?} but ssh-keygen accepted={theirs} for\n{allowed}"
            );
            ours
        }
    }

    const PAYLOAD: &[u8] = b"Tested-by: alice@example.com tree=4b825dc commit=1234abcd\n";

    #[test]
    fn round_trip_with_every_supported_key_type() {
        let fx = Fixture::new();
        for (name, kind) in [
            ("ed", &["-t", "ed25519"][..]),
            ("rsa", &["-t", "rsa", "-b", "2048"][..]),
            ("ecdsa", &["-t", "ecdsa", "-b", "256"][..]),
        ] {
            let key = fx.keygen(name, kind);
            let armored = fx.sign(&key, PAYLOAD);
            assert!(armored.starts_with(ARMOR_BEGIN), "{armored}");
            let allowed = format!("alice@example.com {}\n", key.public);
            let verified = fx
                .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = PublicKey::from_openssh(&key.public)
                .unwrap()
                .fingerprint(HashAlg::Sha256)
                .to_string();
            assert_eq!(
                verified,
                Verified {
                    principal: "alice@example.com".to_owned(),
                    pattern: "alice@example.com".to_owned(),
                    fingerprint: expected,
                    line: 1,
                }
            );
        }
    }

    #[test]
    fn tampered_payload_fails() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("alice@example.com {}\n", key.public);
        let err = fx
            .check(
                &allowed,
                "alice@example.com",
                b"Tested-by: mallory\n",
                &armored,
                at(),
            )
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature { .. }), "{err:?}");
        assert!(!err.hints().is_empty());
    }

    #[test]
    fn small_rsa_keys_are_unsupported_not_bad() {
        let fx = Fixture::new();
        let key = fx.keygen("rsa1024", &["-t", "rsa", "-b", "1024"]);
        let armored = fx.sign(&key, PAYLOAD);
        let signers =
            AllowedSigners::parse(&format!("alice@example.com {}\n", key.public)).unwrap();
        let err = verify(PAYLOAD, &armored, &signers, "alice@example.com", at()).unwrap_err();
        assert_eq!(
            err,
            VerifyError::UnsupportedAlgorithm {
                algorithm: "ssh-rsa with 1024 bits".to_owned()
            }
        );
    }

    #[test]
    fn tampered_rsa_payload_fails() {
        let fx = Fixture::new();
        let key = fx.keygen("rsa", &["-t", "rsa", "-b", "2048"]);
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("alice@example.com {}\n", key.public);
        let err = fx
            .check(&allowed, "alice@example.com", b"x", &armored, at())
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature { .. }), "{err:?}");
    }

    #[test]
    fn wrong_namespace_fails() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign_in(&key, PAYLOAD, "other");
        let allowed = format!("alice@example.com {}\n", key.public);
        let err = fx
            .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert_eq!(
            err,
            VerifyError::WrongNamespace {
                found: "other".to_owned()
            }
        );
        assert_eq!(
            err.to_string(),
            "signature namespace is `other`, expected `git-release`"
        );
    }

    #[test]
    fn key_not_in_allowed_signers_fails() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let other = fx.ed25519("other");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("# only the other key\nalice@example.com {}\n", other.public);
        let err = fx
            .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert!(matches!(err, VerifyError::KeyNotAllowed { .. }), "{err:?}");
        // An empty file allows nobody.
        let err = fx
            .check("", "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert!(matches!(err, VerifyError::KeyNotAllowed { .. }), "{err:?}");
    }

    #[test]
    fn principal_mismatch_fails() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("alice@example.com,carol@example.com {}\n", key.public);
        let err = fx
            .check(&allowed, "bob@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        let VerifyError::PrincipalMismatch {
            principal,
            listed_for,
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(principal, "bob@example.com");
        assert_eq!(listed_for, &["alice@example.com,carol@example.com"]);
        assert!(err.hints()[0].contains("alice@example.com,carol@example.com"));
        // A prefix or a case change is not a match.
        for principal in ["alice", "ALICE@example.com", "alice@example.co"] {
            assert!(
                fx.check(&allowed, principal, PAYLOAD, &armored, at())
                    .is_err()
            );
        }
    }

    #[test]
    fn wildcard_and_negated_principals() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("*@example.com,!mallory@example.com {}\n", key.public);
        let verified = fx
            .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap();
        assert_eq!(verified.pattern, "*@example.com,!mallory@example.com");
        for (principal, ok) in [
            ("bob@example.com", true),
            ("@example.com", true),
            ("mallory@example.com", false),
            ("alice@example.org", false),
            ("alice@sub.example.com", false),
        ] {
            let result = fx.check(&allowed, principal, PAYLOAD, &armored, at());
            assert_eq!(result.is_ok(), ok, "{principal}: {result:?}");
        }
        let allowed = format!("alice@example.??? {}\n", key.public);
        assert!(
            fx.check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
                .is_ok()
        );
        assert!(
            fx.check(&allowed, "alice@example.co", PAYLOAD, &armored, at())
                .is_err()
        );
    }

    #[test]
    fn a_later_line_can_allow_what_an_earlier_one_does_not() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!(
            "alice@example.com namespaces=\"git\" {k}\nalice@example.com {k}\n",
            k = key.public
        );
        let verified = fx
            .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap();
        assert_eq!(verified.line, 2);
    }

    #[test]
    fn namespaces_option() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        for (namespaces, ok) in [
            ("git-release", true),
            ("git,git-release", true),
            ("git-*", true),
            ("*,!git-release", false),
            ("git", false),
            ("", false),
        ] {
            let allowed = format!(
                "alice@example.com namespaces=\"{namespaces}\" {}\n",
                key.public
            );
            let result = fx.check(&allowed, "alice@example.com", PAYLOAD, &armored, at());
            assert_eq!(result.is_ok(), ok, "namespaces={namespaces:?}: {result:?}");
            if !ok {
                assert_eq!(
                    result.unwrap_err(),
                    VerifyError::NamespaceNotAllowed {
                        line: 1,
                        namespaces: namespaces.to_owned()
                    }
                );
            }
        }
    }

    #[test]
    fn validity_window() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let line = |options: &str| format!("alice@example.com {options} {}\n", key.public);

        let future = line("valid-after=\"20300101Z\"");
        let err = fx
            .check(&future, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert_eq!(
            err,
            VerifyError::NotYetValid {
                line: 1,
                fingerprint: PublicKey::from_openssh(&key.public)
                    .unwrap()
                    .fingerprint(HashAlg::Sha256)
                    .to_string(),
                valid_after: ts("2030-01-01T00:00:00Z"),
                at: at(),
            }
        );
        let past = line("valid-before=\"20200101Z\"");
        let err = fx
            .check(&past, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert!(
            matches!(err, VerifyError::Expired { line: 1, .. }),
            "{err:?}"
        );

        // Inside the window, at its edges (inclusive, in whole seconds), and
        // the times that fall outside again.
        let window = line("valid-after=\"202506011200Z\",valid-before=\"20250601120030Z\"");
        for (time, ok) in [
            ("2025-06-01T12:00:00Z", true),
            ("2025-06-01T12:00:30Z", true),
            ("2025-06-01T12:00:30.999Z", true),
            ("2025-06-01T11:59:59Z", false),
            ("2025-06-01T12:00:31Z", false),
        ] {
            let result = verify(
                PAYLOAD,
                &armored,
                &AllowedSigners::parse(&window).unwrap(),
                "alice@example.com",
                ts(time),
            );
            assert_eq!(result.is_ok(), ok, "{time}: {result:?}");
            if !time.contains('.') {
                assert_eq!(
                    fx.openssh_accepts(&window, "alice@example.com", PAYLOAD, &armored, ts(time)),
                    ok,
                    "ssh-keygen at {time}"
                );
            }
        }

        // Without `Z` the time is read as UTC (ssh-keygen runs with TZ=UTC
        // here, so it agrees).
        let local = line("valid-before=\"20250601\"");
        assert!(
            fx.check(&local, "alice@example.com", PAYLOAD, &armored, at())
                .is_err()
        );
        assert!(
            fx.check(
                &local,
                "alice@example.com",
                PAYLOAD,
                &armored,
                ts("2025-05-31T23:59:59Z")
            )
            .is_ok()
        );
    }

    #[test]
    fn cert_authority_lines_never_match_plain_keys() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let allowed = format!("*@example.com cert-authority {}\n", key.public);
        let signers = AllowedSigners::parse(&allowed).unwrap();
        assert!(signers.entries()[0].cert_authority);
        let err = fx
            .check(&allowed, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert!(matches!(err, VerifyError::KeyNotAllowed { .. }), "{err:?}");
    }

    /// Certifies `user`'s public key with `ca`; extra `ssh-keygen -s`
    /// arguments (principals, validity, options) come before the key.
    fn certify(fx: &Fixture, ca: &Key, user: &Key, extra: &[&str]) -> Key {
        let status = fx
            .ssh_keygen()
            .args(["-q", "-s"])
            .arg(&ca.private)
            .args(["-I", "alice-laptop"])
            .args(extra)
            .arg(user.private.with_extension("pub"))
            .status()
            .unwrap();
        assert!(status.success(), "ssh-keygen -s {extra:?}");
        // `ssh-keygen -Y sign -f user` signs with `user-cert.pub` when it
        // exists; signing with the certificate file does the same.
        Key {
            private: PathBuf::from(format!("{}-cert.pub", user.private.display())),
            public: String::new(),
        }
    }

    #[test]
    fn certificates_verify_like_openssh() {
        let fx = Fixture::new();
        let ca = fx.ed25519("ca");
        let other_ca = fx.ed25519("other-ca");
        let user = fx.ed25519("user");
        let cert = certify(&fx, &ca, &user, &["-n", "alice@example.com,al@example.com"]);
        let armored = fx.sign_in(&cert, PAYLOAD, NAMESPACE);
        let by_ca = format!("*@example.com cert-authority {}\n", ca.public);

        let ok = fx
            .check(&by_ca, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap();
        assert_eq!(ok.line, 1);
        // The fingerprint that counts is the user's key, not the authority's.
        let user_key = PublicKey::from_openssh(&user.public).unwrap();
        assert_eq!(
            ok.fingerprint,
            user_key.fingerprint(HashAlg::Sha256).to_string()
        );
        fx.check(&by_ca, "al@example.com", PAYLOAD, &armored, at())
            .unwrap();

        // A principal the line allows but the certificate does not name.
        let err = fx
            .check(&by_ca, "bob@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        assert!(
            matches!(&err, VerifyError::CertificateRefused { reason, .. } if reason.contains("not `bob@example.com`")),
            "{err}"
        );
        // Another authority, or only the user's plain key listed.
        let err = fx
            .check(
                &format!("*@example.com cert-authority {}\n", other_ca.public),
                "alice@example.com",
                PAYLOAD,
                &armored,
                at(),
            )
            .unwrap_err();
        assert!(matches!(err, VerifyError::KeyNotAllowed { .. }), "{err:?}");
        let plain = format!("alice@example.com {}\n", user.public);
        fx.check(&plain, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap_err();
        // The line's own options still apply.
        let wrong_namespace = format!(
            "*@example.com cert-authority,namespaces=\"git\" {}\n",
            ca.public
        );
        fx.check(
            &wrong_namespace,
            "alice@example.com",
            PAYLOAD,
            &armored,
            at(),
        )
        .unwrap_err();
        // A changed payload.
        let err = fx
            .check(&by_ca, "alice@example.com", b"other", &armored, at())
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature { .. }), "{err:?}");
    }

    #[test]
    fn certificates_out_of_their_terms_are_refused_like_openssh() {
        let fx = Fixture::new();
        let ca = fx.ed25519("ca");
        let by_ca = format!("*@example.com cert-authority {}\n", ca.public);
        let cases: [(&str, &[&str], &str); 3] = [
            (
                "expired",
                &["-n", "alice@example.com", "-V", "20200101:20200102"],
                "valid from 2020-01-01",
            ),
            (
                "host",
                &["-h", "-n", "alice@example.com"],
                "host certificate",
            ),
            ("anyone", &[], "names no principals"),
        ];
        for (name, extra, expected) in cases {
            let user = fx.ed25519(name);
            let cert = certify(&fx, &ca, &user, extra);
            let armored = fx.sign_in(&cert, PAYLOAD, NAMESPACE);
            let err = fx
                .check(&by_ca, "alice@example.com", PAYLOAD, &armored, at())
                .unwrap_err();
            assert!(err.to_string().contains(expected), "{name}: {err}");
            assert!(!err.hints().is_empty());
        }
        // Critical options (such as a source address) are refused, with the
        // option named.
        let user = fx.ed25519("critical");
        let cert = certify(
            &fx,
            &ca,
            &user,
            &["-n", "alice@example.com", "-O", "source-address=10.0.0.1"],
        );
        let armored = fx.sign_in(&cert, PAYLOAD, NAMESPACE);
        let signers = AllowedSigners::parse(&by_ca).unwrap();
        let err = verify(PAYLOAD, &armored, &signers, "alice@example.com", at()).unwrap_err();
        assert!(
            err.to_string().contains("critical option `source-address`"),
            "{err}"
        );
        // Damaged certificate signatures are errors, never panics.
        let body: String = armored
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        for cut in (8..body.len()).step_by(5) {
            let damaged = format!(
                "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
                &body[..cut / 4 * 4]
            );
            assert!(verify(PAYLOAD, &damaged, &signers, "alice@example.com", at()).is_err());
        }
        // Valid at the time checked, not now.
        let user = fx.ed25519("window");
        let cert = certify(
            &fx,
            &ca,
            &user,
            &["-n", "alice@example.com", "-V", "20250101:20251231"],
        );
        let armored = fx.sign_in(&cert, PAYLOAD, NAMESPACE);
        fx.check(&by_ca, "alice@example.com", PAYLOAD, &armored, at())
            .unwrap();
        fx.check(
            &by_ca,
            "alice@example.com",
            PAYLOAD,
            &armored,
            ts("2026-01-01T00:00:00Z"),
        )
        .unwrap_err();
    }

    #[test]
    fn garbage_signatures_are_errors_not_panics() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let signers =
            AllowedSigners::parse(&format!("alice@example.com {}\n", key.public)).unwrap();
        let body: Vec<&str> = armored.lines().collect();
        let truncated = format!("{}\n{}\n{}\n", body[0], body[1], body[body.len() - 1]);
        let relabelled = armored.replace("SSH SIGNATURE", "PGP SIGNATURE");
        for garbage in [
            "",
            "   ",
            "not a signature",
            "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
            "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n",
            truncated.as_str(),
            relabelled.as_str(),
            &armored[..armored.len() / 2],
        ] {
            let err = verify(PAYLOAD, garbage, &signers, "alice@example.com", at()).unwrap_err();
            assert!(
                matches!(err, VerifyError::Malformed { .. }),
                "{garbage:?}: {err:?}"
            );
            assert!(err.to_string().starts_with("not a valid ssh signature: "));
        }
        // Every single-character change to the armored text is refused or
        // decodes to the same signature; none panics.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let bytes = armored.as_bytes();
        for _ in 0..500 {
            let mut mutated = bytes.to_vec();
            let i = rng.below(mutated.len());
            let replacements = b"AZaz09+/=-\n \0\x7f";
            mutated[i] = replacements[rng.below(replacements.len())];
            let Ok(text) = String::from_utf8(mutated) else {
                continue;
            };
            let result = verify(PAYLOAD, &text, &signers, "alice@example.com", at());
            if result.is_ok() {
                assert_eq!(
                    SshSig::from_pem(text.trim()).unwrap(),
                    SshSig::from_pem(armored.trim()).unwrap()
                );
            }
        }
    }

    /// A tiny deterministic generator (xorshift64) for the hostile-input
    /// tests.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";

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
                format!("alice@example.com valid-after=\"20240230\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-after=\"2024010112\" {ED}"),
                "is invalid",
            ),
            (
                format!("alice@example.com valid-before=\"20240101z\" {ED}"),
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
            ("20230229", None),
            ("2024010", None),
            ("2024-01-02", None),
            ("+2024010", None),
            ("20240102130460", None),
            ("", None),
            ("Z", None),
            ("２０２４０１０２", None),
        ] {
            assert_eq!(parse_time(text), expected.map(ts), "{text:?}");
        }
    }

    #[test]
    fn sign_reports_missing_key_and_program() {
        let fx = Fixture::new();
        let err = sign(PAYLOAD, &fx.path("nope")).unwrap_err();
        assert!(matches!(err, SigningError::KeyMissing { .. }), "{err:?}");
        assert!(err.to_string().starts_with("signing key `"));
        assert!(!err.hints().is_empty());

        let key = fx.ed25519("k");
        let err = sign_with(&fx.path("no-ssh-keygen"), PAYLOAD, &key.private).unwrap_err();
        assert!(
            matches!(err, SigningError::SshKeygenMissing { .. }),
            "{err:?}"
        );
        assert!(err.hints()[0].contains("ssh-keygen"));
    }

    #[test]
    fn signing_with_a_public_key_and_no_agent_fails_with_a_hint() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let public = fx.path("lonely.pub");
        std::fs::write(&public, format!("{}\n", key.public)).unwrap();
        let err = sign_command(fx.ssh_keygen(), PAYLOAD, &public).unwrap_err();
        let SigningError::Failed { stderr, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(
            !stderr.contains("Signing data on standard input"),
            "{stderr}"
        );
        assert!(err.hints()[0].contains("ssh-add"));
    }

    #[test]
    fn sign_signs_exactly_the_payload() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let signers =
            AllowedSigners::parse(&format!("alice@example.com {}\n", key.public)).unwrap();
        // Empty, binary and larger-than-a-pipe payloads.
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for payload in [&b""[..], b"\0\xff\n\r\n", &big] {
            let armored = fx.sign(&key, payload);
            verify(payload, &armored, &signers, "alice@example.com", at()).unwrap();
            assert!(verify(b"other", &armored, &signers, "alice@example.com", at()).is_err());
        }
    }

    #[test]
    fn key_path_from_config_handles_paths_and_literal_keys() {
        let path = key_path_from_config("/home/alice/.ssh/id_ed25519").unwrap();
        assert_eq!(path.path(), Path::new("/home/alice/.ssh/id_ed25519"));
        assert!(!path.is_literal());

        for value in [format!("key::{ED} alice@example.com"), format!("  {ED}  ")] {
            let file = key_path_from_config(&value).unwrap();
            assert!(file.is_literal());
            let written = std::fs::read_to_string(file.path()).unwrap();
            assert!(
                written.starts_with(ED) && written.ends_with('\n'),
                "{written}"
            );
            let dir = file.path().parent().unwrap().to_path_buf();
            drop(file);
            assert!(!dir.exists(), "the temporary key is removed");
        }

        let err = key_path_from_config("key::ssh-ed25519 AAAAnope").unwrap_err();
        assert!(
            matches!(err, SigningError::InvalidKeyString { .. }),
            "{err:?}"
        );
        assert!(matches!(
            key_path_from_config("  "),
            Err(SigningError::NoKey)
        ));
    }

    #[test]
    fn a_literal_key_signs_through_the_agent_only() {
        // With no agent, a literal public key cannot sign; the error says
        // how to fix it rather than that the file is missing.
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let file = key_path_from_config(&format!("key::{}", key.public)).unwrap();
        let err = sign_command(fx.ssh_keygen(), PAYLOAD, file.path()).unwrap_err();
        assert!(matches!(err, SigningError::Failed { .. }), "{err:?}");
    }
}
