//! Verification: checking an armored `SSHSIG` over a payload against
//! [`AllowedSigners`], in process.
//!
//! Verification never starts a process: it parses the armored signature
//! with the `ssh-key` crate, checks the namespace and the cryptographic
//! signature, and then looks the signing key up in [`AllowedSigners`] for
//! the claimed principal, honouring the `namespaces`, `valid-after` and
//! `valid-before` options.
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

use jiff::Timestamp;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey, SshSig};

use super::allowed_signers::{AllowedSigners, match_pattern_list};
use super::certificate::{certificate_signature, certificate_type, check_certificate};
use super::{ARMOR_BEGIN, NAMESPACE, shorten};

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
    for entry in signers.entries() {
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
    use crate::gate::signatures::test_support::{Fixture, PAYLOAD, Rng, at, ts};

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
    fn validity_times_agree_with_ssh_keygen() {
        let fx = Fixture::new();
        let key = fx.ed25519("k");
        let armored = fx.sign(&key, PAYLOAD);
        let when = ts("2025-06-01T12:00:00Z");
        let values = [
            "99991231",
            "99991231Z",
            "00000101",
            "00000101Z",
            "19700101Z",
            "19691231Z",
            "20230229",
            "20230431",
            "20230432",
            "20231301",
            "20230001",
            "20240102UTC",
            "20240102utc",
            "20240102z",
            "2025060112Z",
            "202506011260Z",
            "202506012400Z",
            "20250601120061Z",
            "20250601120062Z",
            "2025-06-01",
            "Z",
            "UTC",
        ];
        for value in values {
            for option in ["valid-after", "valid-before"] {
                let allowed = format!("alice@example.com {option}=\"{value}\" {}\n", key.public);
                let ours = AllowedSigners::parse(&allowed).ok().is_some_and(|signers| {
                    verify(PAYLOAD, &armored, &signers, "alice@example.com", when).is_ok()
                });
                let theirs =
                    fx.openssh_accepts(&allowed, "alice@example.com", PAYLOAD, &armored, when);
                assert_eq!(
                    ours, theirs,
                    "{option}=\"{value}\": ours {ours}, ssh-keygen {theirs}"
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
}
