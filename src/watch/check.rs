//! Running one health check: `sh -c CMD` in a process group of its own
//! (so a Ctrl-C at the terminal reaches only the watcher, and a hanging
//! check is killed with everything it started), its output kept in a
//! temporary file (so a child that keeps the output open cannot block the
//! watcher), killed after a timeout or when the watch is interrupted.

use std::io::{Read, Seek};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::Error;

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Passed,
    /// Another exit status (or a signal): how, and the output's last line.
    Failed {
        /// `exit status: 1`, `signal: 9 (SIGKILL)`.
        status: String,
        /// The last non-empty line of its output, shortened.
        output: String,
    },
    /// Still running after the timeout: killed.
    TimedOut,
    /// The watch was interrupted: killed.
    Interrupted,
}

impl Outcome {
    /// Whether it counts as healthy.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Passed)
    }

    /// A short description.
    pub fn describe(&self, timeout: Duration) -> String {
        match self {
            Outcome::Passed => "passed".to_owned(),
            Outcome::Failed { status, output } if output.is_empty() => {
                format!("failed ({status})")
            }
            Outcome::Failed { status, output } => format!("failed ({status}): {output}"),
            Outcome::TimedOut => {
                format!("timed out after {} and was killed", super::human(timeout))
            }
            Outcome::Interrupted => "interrupted and killed".to_owned(),
        }
    }
}

/// Kills the check's whole process group, then the check itself.
fn kill(child: &mut Child) {
    // The shell's own `kill` reaches a process group without unsafe code.
    let _ = Command::new("sh")
        .args([
            "-c",
            "kill -KILL -- \"-$1\" 2>/dev/null",
            "kill",
            &child.id().to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// The last non-empty line of the output, at most 200 characters.
fn last_line(file: &mut std::fs::File) -> String {
    let mut text = Vec::new();
    let _ = file.rewind();
    let _ = file.take(1 << 20).read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text);
    let line = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// Runs `command` once with `vars` in its environment.
pub fn run(
    command: &str,
    vars: &[(&str, &str)],
    timeout: Duration,
    interrupted: &AtomicBool,
) -> Result<Outcome, Error> {
    let doing = || format!("running the health check `{command}`");
    let output = tempfile::tempfile().map_err(Error::io(doing()))?;
    let errors = output.try_clone().map_err(Error::io(doing()))?;
    let mut reader = output.try_clone().map_err(Error::io(doing()))?;
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command])
        .stdin(Stdio::null())
        .stdout(output)
        .stderr(errors)
        .process_group(0);
    for (key, value) in vars {
        cmd.env(key, value);
    }
    let mut child = cmd.spawn().map_err(Error::io(doing()))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(Error::io(doing()))? {
            return Ok(if status.success() {
                Outcome::Passed
            } else {
                Outcome::Failed {
                    status: status.to_string(),
                    output: last_line(&mut reader),
                }
            });
        }
        if interrupted.load(Ordering::SeqCst) {
            kill(&mut child);
            return Ok(Outcome::Interrupted);
        }
        if started.elapsed() >= timeout {
            kill(&mut child);
            return Ok(Outcome::TimedOut);
        }
        std::thread::sleep(
            Duration::from_millis(5)
                .min(timeout / 10)
                .max(Duration::from_millis(1)),
        );
    }
}
