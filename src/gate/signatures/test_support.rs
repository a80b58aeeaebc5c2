//! What the signature tests share: keys made by the real `ssh-keygen`, a
//! hermetic fixture that signs and compares with `ssh-keygen -Y verify`,
//! and fixed times, payloads and keys.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use jiff::Timestamp;
use tempfile::TempDir;

use super::sign::{SSH_KEYGEN, sign_command};
use super::{AllowedSigners, NAMESPACE, Verified, VerifyError, verify};

/// The verification time used unless a test says otherwise.
pub(super) fn at() -> Timestamp {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

pub(super) fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A key made by the real `ssh-keygen`.
pub(super) struct Key {
    pub(super) private: PathBuf,
    /// `keytype base64`, without the comment.
    pub(super) public: String,
}

/// A temp dir that is also `HOME` for every subprocess.
pub(super) struct Fixture {
    dir: TempDir,
}

impl Fixture {
    pub(super) fn new() -> Fixture {
        Fixture {
            dir: TempDir::new().unwrap(),
        }
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ssh-keygen` with a hermetic environment: no agent, fixed HOME,
    /// UTC.
    pub(super) fn ssh_keygen(&self) -> Command {
        let mut cmd = Command::new(SSH_KEYGEN);
        cmd.env("HOME", self.dir.path())
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SSH_AGENT_PID");
        cmd
    }

    pub(super) fn keygen(&self, name: &str, kind: &[&str]) -> Key {
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

    pub(super) fn ed25519(&self, name: &str) -> Key {
        self.keygen(name, &["-t", "ed25519"])
    }

    /// Signs through this module's signer, hermetically.
    pub(super) fn sign(&self, key: &Key, payload: &[u8]) -> String {
        sign_command(self.ssh_keygen(), payload, &key.private).unwrap()
    }

    /// Signs with the real `ssh-keygen` in any namespace.
    pub(super) fn sign_in(&self, key: &Key, payload: &[u8], namespace: &str) -> String {
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
    pub(super) fn openssh_accepts(
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
    pub(super) fn openssh(
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
    pub(super) fn check(
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

pub(super) const PAYLOAD: &[u8] = b"Tested-by: alice@example.com tree=4b825dc commit=1234abcd\n";

/// A tiny deterministic generator (xorshift64) for the hostile-input
/// tests.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

pub(super) const ED: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";
