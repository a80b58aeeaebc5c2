//! Making signatures: `ssh-keygen -Y sign` over a payload, and the signing
//! key from git's `user.signingKey`.
//!
//! Signing runs the real `ssh-keygen`, because the private key may live in
//! ssh-agent (that is how git's `user.signingKey` works).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_key::{PublicKey, SshSig};
use tempfile::TempDir;

use super::certificate::{certificate_signature, certificate_type};
use super::{ARMOR_BEGIN, NAMESPACE, shorten};

/// The program [`sign`] runs.
pub(super) const SSH_KEYGEN: &str = "ssh-keygen";

/// How much of `ssh-keygen`'s stderr an error message quotes.
const MAX_STDERR: usize = 2000;

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
pub(super) fn sign_command(
    mut cmd: Command,
    payload: &[u8],
    key: &Path,
) -> Result<String, SigningError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::signatures::test_support::{ED, Fixture, PAYLOAD, at};
    use crate::gate::signatures::{AllowedSigners, verify};

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
