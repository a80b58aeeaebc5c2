//! SIGINT and SIGTERM during a watch: instead of dying at once (leaving a
//! check running and the reason unsaid), the watcher sees a flag, kills
//! the running check, records nothing and exits with its own code.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::Error;

/// A flag set when SIGINT or SIGTERM arrives (from now on, for the rest
/// of the process).
pub fn interrupt_flag() -> Result<Arc<AtomicBool>, Error> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&flag))
            .map_err(Error::io("listening for SIGINT and SIGTERM"))?;
    }
    Ok(flag)
}
