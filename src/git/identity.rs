//! Who is recording: the committer identity exactly as git computes it,
//! from `git var GIT_COMMITTER_IDENT`. git's rules — config files with
//! `include`/`includeIf`, `git -c` (`GIT_CONFIG_PARAMETERS`), then
//! `GIT_COMMITTER_NAME`/`GIT_COMMITTER_EMAIL`/`EMAIL`/`GIT_COMMITTER_DATE`,
//! `user.useConfigOnly` — are not libgit2's, which reads config files only,
//! so git is asked, once per recording command (never on a hot path).

use crate::git::repo::Repo;

/// A committer identity and the moment git gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
    /// Seconds since 1970.
    pub seconds: i64,
    /// The time zone's offset from UTC, in minutes.
    pub offset_minutes: i32,
}

/// Why there is no identity.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// git has none: nothing configured, and auto-detection failed or is off.
    #[error("git has no identity to record this as: {0}")]
    Unknown(String),
    /// `git` could not be started.
    #[error("cannot run `git var GIT_COMMITTER_IDENT` to learn who is recording: {0}")]
    NoGit(std::io::Error),
    /// git printed something that is not an identity.
    #[error("`git var GIT_COMMITTER_IDENT` printed `{0}`, which is not `Name <email> TIME ZONE`")]
    Unreadable(String),
    /// libgit2 refuses the identity (e.g. angle brackets in the name).
    #[error("git's identity `{0}` cannot be written into a commit: {1}")]
    Unusable(String, String),
}

impl IdentityError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            IdentityError::Unknown(_) | IdentityError::Unusable(..) => vec![
                "set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com`".to_owned(),
                "or for one run: `git -c user.name=… -c user.email=… release …`, or `GIT_COMMITTER_NAME` and `GIT_COMMITTER_EMAIL`".to_owned(),
            ],
            IdentityError::NoGit(_) => {
                vec!["install git and make sure it is on `PATH`".to_owned()]
            }
            IdentityError::Unreadable(_) => Vec::new(),
        }
    }
}

impl Ident {
    /// The identity as a libgit2 signature, for the commits that record it.
    pub fn signature(&self) -> Result<git2::Signature<'static>, IdentityError> {
        git2::Signature::new(
            &self.name,
            &self.email,
            &git2::Time::new(self.seconds, self.offset_minutes),
        )
        .map_err(|e| {
            IdentityError::Unusable(
                format!("{} <{}>", self.name, self.email),
                e.message().to_owned(),
            )
        })
    }
}

/// Parses git's ident line: `Name <email> 1700000000 +0100`.
pub fn parse(line: &str) -> Option<Ident> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (rest, zone) = line.rsplit_once(' ')?;
    let (who, seconds) = rest.rsplit_once(' ')?;
    let seconds: i64 = seconds.parse().ok()?;
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = zone.get(1..)?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    let (name, email) = who.strip_suffix('>')?.rsplit_once('<')?;
    Some(Ident {
        name: name.trim_end().to_owned(),
        email: email.to_owned(),
        seconds,
        offset_minutes: sign * (hours * 60 + minutes),
    })
}

/// The committer identity git would use in this repository now.
pub fn committer(repo: &Repo) -> Result<Ident, IdentityError> {
    let output = repo
        .git_command()
        .args(["var", "GIT_COMMITTER_IDENT"])
        .output()
        .map_err(IdentityError::NoGit)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // git explains at length; its last `fatal:` line says what is missing.
        let reason = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("fatal: "))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("git gave no reason")
            .trim()
            .to_owned();
        return Err(IdentityError::Unknown(reason));
    }
    let line = stdout.lines().next().unwrap_or("");
    parse(line).ok_or_else(|| IdentityError::Unreadable(line.chars().take(200).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_ident_lines() {
        let rows = [
            (
                "Ada Author <ada@example.com> 1700000000 +0000\n",
                Some(("Ada Author", "ada@example.com", 1_700_000_000, 0)),
            ),
            (
                "Bea <bea@x> 1700000000 -0130",
                Some(("Bea", "bea@x", 1_700_000_000, -90)),
            ),
            (
                "Name With <Angle> <c@x> 5 +0100",
                Some(("Name With <Angle>", "c@x", 5, 60)),
            ),
            (" <c@x> 5 +0100", Some(("", "c@x", 5, 60))),
            ("Ada <ada@x> soon +0000", None),
            ("Ada <ada@x> 5 0000", None),
            ("Ada <ada@x> 5 +00", None),
            ("Ada ada@x 5 +0000", None),
            ("", None),
        ];
        for (line, expected) in rows {
            let got = parse(line).map(|i| (i.name, i.email, i.seconds, i.offset_minutes));
            let expected = expected
                .map(|(n, e, s, o): (&str, &str, i64, i32)| (n.to_owned(), e.to_owned(), s, o));
            assert_eq!(got, expected, "{line:?}");
        }
    }
}
