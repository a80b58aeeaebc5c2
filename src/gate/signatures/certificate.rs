//! OpenSSH user certificates inside signatures: reading a signature whose
//! key is a certificate (which the `ssh-key` decoder cannot), and checking
//! the certificate against a `cert-authority` line.
//!
//! As in OpenSSH, the certificate must be a user certificate signed by that
//! authority, valid at the time checked, and name the principal.
//! Certificates with critical options are refused (OpenSSH ignores the ones
//! that do not apply to signatures).

use jiff::Timestamp;
use ssh_key::{Certificate, HashAlg, PublicKey, SshSig};

use super::shorten;

/// The certificate type an armored signature's key claims, if it is a
/// certificate: the key type string inside `SSHSIG`, read without the
/// `ssh-key` decoder (which cannot decode certificates).
pub(super) fn certificate_type(armored: &str) -> Option<String> {
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
pub(super) fn certificate_signature(armored: &str) -> Result<(SshSig, SignedCertificate), String> {
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
pub(super) struct SignedCertificate {
    /// The fields, decoded with `valid-before` capped where `ssh-key` needs it.
    pub(super) cert: Certificate,
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
pub(super) fn check_certificate(
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::gate::signatures::test_support::{Fixture, Key, PAYLOAD, at, ts};
    use crate::gate::signatures::{AllowedSigners, NAMESPACE, VerifyError, verify};

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
}
