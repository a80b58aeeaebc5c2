//! Deferring SIGINT, SIGTERM and SIGHUP while work must not be cut short
//! (writing a release, running a test command in a temporary worktree): the
//! signal is noted, the work reaches a point where it can be undone or
//! finished, and the caller decides. A second signal stops the process at
//! once (exit 2); what that leaves is repaired by the next run.
//!
//! Outside a [`Deferral`], the signals keep their default action.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::Error;

/// The process-wide state the signal handlers share.
struct Handlers {
    /// No deferral is active: signals act as by default.
    passthrough: Arc<AtomicBool>,
    /// A signal arrived during the active deferral.
    seen: Arc<AtomicBool>,
    /// Which signal arrived last (0: none).
    which: Arc<AtomicUsize>,
}

static HANDLERS: OnceLock<Result<Handlers, String>> = OnceLock::new();

#[cfg(unix)]
const SIGNALS: &[(i32, &str)] = &[
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGTERM, "SIGTERM"),
    (signal_hook::consts::SIGHUP, "SIGHUP"),
];

#[cfg(unix)]
fn install() -> Result<Handlers, String> {
    use signal_hook::flag;
    let handlers = Handlers {
        passthrough: Arc::new(AtomicBool::new(true)),
        seen: Arc::new(AtomicBool::new(false)),
        which: Arc::new(AtomicUsize::new(0)),
    };
    for &(signal, _) in SIGNALS {
        // In order: a second signal while deferring stops at once; the
        // first is noted; outside a deferral the default action runs.
        flag::register_conditional_shutdown(signal, 2, Arc::clone(&handlers.seen))
            .and_then(|_| flag::register(signal, Arc::clone(&handlers.seen)))
            .and_then(|_| {
                flag::register_usize(
                    signal,
                    Arc::clone(&handlers.which),
                    usize::try_from(signal).unwrap_or(0),
                )
            })
            .and_then(|_| {
                flag::register_conditional_default(signal, Arc::clone(&handlers.passthrough))
            })
            .map_err(|e| e.to_string())?;
    }
    Ok(handlers)
}

#[cfg(not(unix))]
fn install() -> Result<Handlers, String> {
    Ok(Handlers {
        passthrough: Arc::new(AtomicBool::new(true)),
        seen: Arc::new(AtomicBool::new(false)),
        which: Arc::new(AtomicUsize::new(0)),
    })
}

/// While alive, SIGINT, SIGTERM and SIGHUP are noted instead of ending the
/// process. Dropping it restores their default action.
pub struct Deferral {
    handlers: &'static Handlers,
}

/// Starts deferring signals.
pub fn defer() -> Result<Deferral, Error> {
    let handlers = HANDLERS.get_or_init(install).as_ref().map_err(|e| {
        Error::refused(
            format!("cannot handle interruptions: {e}"),
            &["this is a bug in git-release; please report it"],
        )
    })?;
    handlers.which.store(0, Ordering::SeqCst);
    handlers.seen.store(false, Ordering::SeqCst);
    handlers.passthrough.store(false, Ordering::SeqCst);
    Ok(Deferral { handlers })
}

impl Deferral {
    /// The signal that arrived since deferring began, by name.
    pub fn received(&self) -> Option<&'static str> {
        if !self.handlers.seen.load(Ordering::SeqCst) {
            return None;
        }
        let which = self.handlers.which.load(Ordering::SeqCst);
        #[cfg(unix)]
        let name = SIGNALS
            .iter()
            .find(|(signal, _)| usize::try_from(*signal).ok() == Some(which))
            .map_or("a signal", |(_, name)| name);
        #[cfg(not(unix))]
        let name = {
            let _ = which;
            "a signal"
        };
        Some(name)
    }
}

impl Drop for Deferral {
    fn drop(&mut self) {
        self.handlers.passthrough.store(true, Ordering::SeqCst);
        self.handlers.seen.store(false, Ordering::SeqCst);
    }
}
