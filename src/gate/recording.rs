//! Recording evidence: who records (git's committer identity), the check
//! that the work tree is what was committed, signing, and appending a record
//! to its notes ref by compare-and-swap, in the order of recording.
//!
//! In: the repository, a record and where it goes. Out: the line as the
//! notes ref now holds it (the commands say so).

use crate::Error;
use crate::gate::evidence::Record;
use crate::gate::{record_order, signatures};
use crate::git::identity::{self, Ident};
use crate::git::repo::Repo;
use crate::git::writer::notes;

/// Who is recording: git's committer identity, exactly as `git commit`
/// would use it (`git -c user.email=…`, `GIT_COMMITTER_*` included),
/// refusing without one.
pub fn identity(repo: &Repo) -> Result<Ident, Error> {
    Ok(identity::committer(repo)?)
}

/// Refuses when the work tree has uncommitted changes, including edits
/// hidden by `--assume-unchanged` or `--skip-worktree` (files a sparse
/// checkout leaves off disk are not changes).
pub fn ensure_clean(repo: &Repo, what: &str) -> Result<(), Error> {
    let dirty = repo.dirty_paths()?;
    if dirty.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = dirty.iter().take(5).map(String::as_str).collect();
    let more = if dirty.len() > 5 {
        format!(" and {} more", dirty.len() - 5)
    } else {
        String::new()
    };
    let mut hints = vec![
        "commit or stash them first (`git stash -u`), or ignore build outputs in .gitignore"
            .to_owned(),
    ];
    let hidden: Vec<String> = repo
        .hidden_entries()?
        .into_iter()
        .map(|e| e.path)
        .filter(|p| dirty.contains(p))
        .collect();
    if !hidden.is_empty() {
        hints.push(format!(
            "`git status` does not show {} because of `--assume-unchanged` or `--skip-worktree`: `git update-index --no-assume-unchanged --no-skip-worktree -- {}` makes git look again",
            hidden.join(", "),
            hidden.join(" ")
        ));
    }
    Err(Error::Refused {
        message: format!(
            "the work tree has uncommitted changes ({}{more}), so {what}",
            shown.join(", ")
        ),
        hints,
    })
}

/// The signing key from `user.signingkey`, checked before any work is done.
pub fn signing_key(repo: &Repo) -> Result<signatures::KeyFile, Error> {
    let Some(value) = repo.config_value("user.signingkey") else {
        return Err(Error::refused(
            "signing needs an SSH key, and `user.signingkey` is not set",
            &[
                "point it at your key: `git config user.signingkey ~/.ssh/id_ed25519.pub` (the private key may be in ssh-agent)",
            ],
        ));
    };
    Ok(signatures::key_path_from_config(&value)?)
}

/// Signs a record's canonical payload with the user's SSH key.
pub fn sign(repo: &Repo, key: &signatures::KeyFile, record: &mut Record) -> Result<(), Error> {
    let program = repo
        .config_value("gpg.ssh.program")
        .unwrap_or_else(|| "ssh-keygen".to_owned());
    let armored = signatures::sign_with(
        std::path::Path::new(&program),
        &record.payload(),
        key.path(),
    )?;
    record.set_signature(&armored);
    Ok(())
}

/// The current time as an RFC 3339 string in UTC, to the second.
pub fn now_rfc3339() -> Result<String, Error> {
    let now = crate::clock::now()?;
    Ok(jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string())
}

/// Where a record goes and who writes it.
pub struct Store<'a> {
    /// The notes ref.
    pub notes_ref: &'a str,
    /// Who records (the notes commit's identity).
    pub ident: &'a Ident,
    /// The command, for the notes commit message (`git release approve`).
    pub command: &'a str,
    /// The key to sign with, if signing.
    pub key: Option<&'a signatures::KeyFile>,
}

/// Appends the record — given its `seq` in the order of recording, and
/// signed if asked — and returns its line once the notes ref holds it.
pub fn store(repo: &Repo, to: &Store<'_>, record: &mut Record) -> Result<String, Error> {
    let commit = git2::Oid::from_str(&record.commit)
        .map_err(|e| Error::refused(e.message().to_owned(), &[]))?;
    let now = crate::clock::now()?;
    let update = notes::Append {
        notes_ref: to.notes_ref,
        target: commit,
        ident: to.ident,
        command: to.command,
    };
    let line = notes::append(repo, &update, |snapshot| {
        record.seq = Some(record_order::next(
            snapshot.iter().map(|(_, text)| text.as_str()),
            now,
        ));
        if let Some(key) = to.key {
            sign(repo, key, record)?;
        }
        Ok(record.to_line())
    })?;
    Ok(line)
}
