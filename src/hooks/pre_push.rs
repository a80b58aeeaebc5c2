//! git's pre-push protocol: the lines git writes to the hook's stdin,
//! `<local ref> SP <local oid> SP <remote ref> SP <remote oid> LF`, parsed
//! strictly (anything malformed fails closed), and what each update does to
//! a release tag. Pure.

/// One ref update being pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The local ref (`(delete)` for deletions).
    pub local_ref: String,
    /// The local object id (all zeros for deletions).
    pub local_oid: String,
    /// The remote ref.
    pub remote_ref: String,
    /// The remote's current object id (all zeros when it does not exist).
    pub remote_oid: String,
}

/// What an update does to a tag on the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The tag is new on the remote.
    Create,
    /// The tag is removed from the remote.
    Delete,
    /// The tag exists on the remote and would point elsewhere.
    Move,
    /// The remote already has exactly this.
    Unchanged,
}

/// The most input accepted; more fails closed.
pub const MAX_INPUT: usize = 8 << 20;

fn is_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64)
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn is_zero(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

/// Parses the hook's stdin. Blank lines are skipped; any other line that is
/// not exactly four well-formed fields is an error naming the line.
pub fn parse(input: &[u8]) -> Result<Vec<Update>, String> {
    if input.len() > MAX_INPUT {
        return Err(format!("the input is over {} bytes", MAX_INPUT));
    }
    let text = std::str::from_utf8(input).map_err(|_| "the input is not UTF-8".to_owned())?;
    let mut updates = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(format!(
                "line {}: expected `<local ref> <local oid> <remote ref> <remote oid>`",
                n + 1
            ));
        };
        if !is_oid(local_oid) || !is_oid(remote_oid) || local_oid.len() != remote_oid.len() {
            return Err(format!("line {}: malformed object id", n + 1));
        }
        let bad_ref = |r: &str| r.is_empty() || r.chars().any(|c| c.is_control() || c == ' ');
        if bad_ref(local_ref) || bad_ref(remote_ref) || !remote_ref.starts_with("refs/") {
            return Err(format!("line {}: malformed ref name", n + 1));
        }
        if is_zero(local_oid) != (local_ref == "(delete)") {
            return Err(format!(
                "line {}: a deletion must read `(delete)` with a zero id",
                n + 1
            ));
        }
        updates.push(Update {
            local_ref: local_ref.to_owned(),
            local_oid: local_oid.to_owned(),
            remote_ref: remote_ref.to_owned(),
            remote_oid: remote_oid.to_owned(),
        });
    }
    Ok(updates)
}

impl Update {
    /// The tag name, if the remote ref is a tag.
    pub fn tag(&self) -> Option<&str> {
        self.remote_ref.strip_prefix("refs/tags/")
    }

    /// What the update does.
    pub fn action(&self) -> Action {
        if is_zero(&self.local_oid) {
            Action::Delete
        } else if is_zero(&self.remote_oid) {
            Action::Create
        } else if self.remote_oid == self.local_oid {
            Action::Unchanged
        } else {
            Action::Move
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn well_formed() {
        let input = format!(
            "refs/tags/v1.0.0 {A} refs/tags/v1.0.0 {Z}\n(delete) {Z} refs/tags/v0.9.0 {B}\nrefs/tags/v2 {A} refs/tags/v2 {B}\nrefs/heads/main {A} refs/heads/main {A}\n\n"
        );
        let updates = parse(input.as_bytes()).unwrap();
        let actions: Vec<Action> = updates.iter().map(Update::action).collect();
        assert_eq!(
            actions,
            [
                Action::Create,
                Action::Delete,
                Action::Move,
                Action::Unchanged
            ]
        );
        assert_eq!(updates[0].tag(), Some("v1.0.0"));
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn malformed_fails_closed() {
        for bad in [
            format!("refs/tags/v1 {A} refs/tags/v1"),
            format!("refs/tags/v1 {A} refs/tags/v1 {Z} extra"),
            format!("refs/tags/v1  {A} refs/tags/v1 {Z}"),
            format!("refs/tags/v1 {} refs/tags/v1 {Z}", &A[..39]),
            format!("refs/tags/v1 {} refs/tags/v1 {Z}", "ABCDEF0123".repeat(4)),
            format!("refs/tags/v1 {A} tags/v1 {Z}"),
            format!("(delete) {A} refs/tags/v1 {Z}"),
            format!("refs/tags/v1 {Z} refs/tags/v1 {A}"),
            format!("refs/tags/v1 {A}\r refs/tags/v1 {Z}"),
            format!("refs/tags/v1 {A} refs/tags/v1 {Z}\r"),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse(&[0xff, 0xfe]).is_err());
    }

    /// Property: random bytes never panic, and whatever parses is made of
    /// well-formed updates only (so nothing malformed slips through).
    #[test]
    fn random_input_never_panics_and_never_passes_garbage() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces = [
            "refs/tags/v1.0.0",
            "(delete)",
            A,
            B,
            Z,
            " ",
            "\n",
            "refs/heads/x",
            "\r",
            "\0",
            "é",
            "0",
            "refs/",
        ];
        for _ in 0..20_000 {
            let n = next() % 12;
            let mut input = Vec::new();
            for _ in 0..n {
                if next() % 5 == 0 {
                    input.push((next() % 256) as u8);
                } else {
                    input.extend_from_slice(
                        pieces[(next() % pieces.len() as u64) as usize].as_bytes(),
                    );
                }
            }
            if let Ok(updates) = parse(&input) {
                for u in updates {
                    assert!(is_oid(&u.local_oid) && is_oid(&u.remote_oid));
                    assert!(u.remote_ref.starts_with("refs/"));
                    assert!(!u.local_ref.contains(' ') && !u.remote_ref.contains(' '));
                }
            }
        }
    }
}
