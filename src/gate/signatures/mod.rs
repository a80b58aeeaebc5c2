//! SSH signatures over evidence records. In: a record's payload and its
//! armored signature (`-----BEGIN SSH SIGNATURE-----`), checked against the
//! trusted `allowed_signers` text for the principal the record claims, at a
//! given time. Out: the signing key's fingerprint and the line that allowed
//! it ([`Verified`]), or the reason the signature is refused
//! ([`VerifyError`]). Signing goes the other way: a payload in, an armored
//! signature out.
//!
//! - `sign`: making signatures with `ssh-keygen -Y sign` ([`sign()`],
//!   [`KeyFile`]);
//! - `allowed_signers`: the OpenSSH `allowed_signers` file
//!   ([`AllowedSigners`]);
//! - `certificate`: OpenSSH user certificates inside signatures;
//! - `sshsig`: verification in process ([`verify`]).

mod allowed_signers;
mod certificate;
mod sign;
mod sshsig;
#[cfg(test)]
mod test_support;

pub use allowed_signers::{AllowedSigner, AllowedSigners, AllowedSignersError};
pub use sign::{KeyFile, SigningError, key_path_from_config, sign, sign_with};
pub use sshsig::{Verified, VerifyError, verify};

/// The SSH signature namespace of this tool (`ssh-keygen -n git-release`).
pub const NAMESPACE: &str = "git-release";

/// The PEM header of an armored SSH signature.
const ARMOR_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";

/// At most `max` characters of `s`, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
