//! The top-level error: every concept's error, its hints, and the one
//! mapping from outcomes to exit codes.

use crate::config::ConfigError;
use crate::git::repo::RepoError;
use crate::git::tags::TemplateError;
use crate::history::bump::BumpError;

/// Any error a command can end with. All exit with code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Reading the repository.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// Deciding the version.
    #[error(transparent)]
    Bump(#[from] BumpError),
    /// A tag template.
    #[error(transparent)]
    TagTemplate(#[from] TemplateError),
    /// A Handlebars template.
    #[error(transparent)]
    Template(#[from] crate::render::templates::TemplateError),
    /// Who is recording.
    #[error(transparent)]
    Identity(#[from] crate::git::identity::IdentityError),
    /// Updating a notes ref.
    #[error(transparent)]
    Notes(#[from] crate::git::writer::notes::NotesError),
    /// Signing a record.
    #[error(transparent)]
    Signing(#[from] crate::gate::signatures::SigningError),
    /// Bad arguments or a state that forbids the action.
    #[error("{message}")]
    Refused {
        /// What is wrong.
        message: String,
        /// How to fix it.
        hints: Vec<String>,
    },
    /// A file could not be read or written.
    #[error("{doing}: {source}")]
    Io {
        /// What we were doing.
        doing: String,
        /// The cause.
        source: std::io::Error,
    },
    /// stdout was closed by the reader (`| head`): exit quietly.
    #[error("broken pipe")]
    BrokenPipe,
}

impl Error {
    /// A refusal with hints.
    pub fn refused(message: impl Into<String>, hints: &[&str]) -> Error {
        Error::Refused {
            message: message.into(),
            hints: hints.iter().map(|h| (*h).to_owned()).collect(),
        }
    }

    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Error::Config(e) => e.hints(),
            Error::Repo(e) => e.hints(),
            Error::Bump(e) => e.hints(),
            Error::Template(e) => e.hints(),
            Error::TagTemplate(_) => {
                vec!["set `tag` in `.release.toml` to a template such as `v{version}`".to_owned()]
            }
            Error::Signing(e) => e.hints(),
            Error::Identity(e) => e.hints(),
            Error::Notes(e) => e.hints(),
            Error::Refused { hints, .. } => hints.clone(),
            Error::Io { .. } | Error::BrokenPipe => Vec::new(),
        }
    }

    /// Wraps an I/O error with what we were doing.
    pub fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let doing = doing.into();
        move |source| {
            if source.kind() == std::io::ErrorKind::BrokenPipe {
                Error::BrokenPipe
            } else {
                Error::Io { doing, source }
            }
        }
    }
}

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked: exit 0.
    Success,
    /// A clean "no": gate unmet, lint failed, nothing to release: exit 1.
    No,
    /// Stopped by SIGINT or SIGTERM before it could finish (`watch`): exit 130.
    Interrupted,
}

/// The exit code for a command's result (DESIGN.md section 3).
pub fn exit_code(result: &Result<Outcome, Error>) -> u8 {
    match result {
        Ok(Outcome::Success) | Err(Error::BrokenPipe) => 0,
        Ok(Outcome::No) => 1,
        Ok(Outcome::Interrupted) => 130,
        Err(_) => 2,
    }
}
