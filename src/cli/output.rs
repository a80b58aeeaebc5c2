//! The output layer: the only code that prints. Text or JSON on stdout,
//! warnings and errors on stderr, colour when wanted.
//!
//! The contract, for every command:
//!
//! - `--format json`: stdout carries exactly one JSON document, on success,
//!   on a clean "no" and on an error (`{"error", "hints", "exit"}`). A
//!   command that has no JSON of its own gets `{"exit", "output",
//!   "messages"}` with its text. stderr stays for people.
//! - `-q`: in text, stdout carries only what the command exists to print (a
//!   version, notes, a script, a man page), stderr only errors and the
//!   reason for a "no"; warnings, notes and success lines are silenced.
//! - `-v`: decisions and timings on stderr.
//! - Colour: `--color`, else git's `color.release`, else `color.ui` (`git -c`
//!   included), else `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM=dumb`
//!   and whether the stream is a terminal (anstream), for stdout and
//!   stderr each.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::cell::{Cell, RefCell};
use std::io::Write;

use serde::Serialize;

use crate::Error;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs: one JSON document on stdout, errors included.
    Json,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// As git's `color.release`/`color.ui` say, else when the stream is a
    /// terminal (`NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` and `TERM=dumb`
    /// are honoured).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// A style for a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Emphasis.
    Bold,
    /// Good news.
    Good,
    /// Bad news.
    Bad,
    /// Attention.
    Warn,
    /// Less important.
    Dim,
}

impl Style {
    fn anstyle(self) -> anstyle::Style {
        use anstyle::{AnsiColor, Effects};
        match self {
            Style::Bold => anstyle::Style::new().effects(Effects::BOLD),
            Style::Good => AnsiColor::Green.on_default(),
            Style::Bad => AnsiColor::Red.on_default(),
            Style::Warn => AnsiColor::Yellow.on_default(),
            Style::Dim => anstyle::Style::new().effects(Effects::DIMMED),
        }
    }
}

/// Where output goes and how it looks.
pub struct Output {
    /// Text or JSON.
    pub format: Format,
    stdout_color: anstream::ColorChoice,
    stderr_color: anstream::ColorChoice,
    quiet: bool,
    verbose: u8,
    /// Whether a JSON document went to stdout.
    documented: Cell<bool>,
    /// In JSON, what the command printed, for the document that carries it.
    collected: Box<RefCell<Collected>>,
}

/// In JSON, the text and messages of a command without a JSON document.
#[derive(Default)]
struct Collected {
    text: String,
    messages: Vec<String>,
}

impl Output {
    /// Sets up output from the global flags and the colour [`choice`].
    pub fn new(format: Format, color: anstream::ColorChoice, quiet: bool, verbose: u8) -> Output {
        let (stdout_color, stderr_color) = match color {
            anstream::ColorChoice::Auto => (
                anstream::AutoStream::choice(&std::io::stdout()),
                anstream::AutoStream::choice(&std::io::stderr()),
            ),
            fixed => (fixed, fixed),
        };
        Output {
            format,
            stdout_color,
            stderr_color,
            quiet,
            verbose,
            documented: Cell::new(false),
            collected: Box::default(),
        }
    }

    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Whether `-v` was given.
    pub fn verbose(&self) -> bool {
        self.verbose > 0 && !self.quiet
    }

    /// Paints text in a style for stdout (stripped again where colour is off).
    pub fn paint(&self, style: Style, text: &str) -> String {
        let style = style.anstyle();
        format!("{style}{text}{style:#}")
    }

    fn stdout(&self, text: &str) -> Result<(), Error> {
        let mut stdout = anstream::AutoStream::new(std::io::stdout().lock(), self.stdout_color);
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(Error::io("writing to stdout"))
    }

    fn stderr(&self, text: &str) {
        let mut stderr = anstream::AutoStream::new(std::io::stderr().lock(), self.stderr_color);
        let _ = writeln!(stderr, "{text}");
    }

    /// Writes report text to stdout as is: silenced by `-q`; with `--format
    /// json`, kept for the document that ends the command.
    pub fn write(&self, text: &str) -> Result<(), Error> {
        if self.json() {
            self.collected
                .borrow_mut()
                .text
                .push_str(&anstream::adapter::strip_str(text).to_string());
            return Ok(());
        }
        if self.quiet {
            return Ok(());
        }
        self.stdout(text)
    }

    /// Writes one line of report text to stdout (see [`Output::write`]).
    pub fn line(&self, text: &str) -> Result<(), Error> {
        self.write(&format!("{text}\n"))
    }

    /// Writes what the command exists to print — a version, release notes,
    /// a script, a man page — to stdout as is, `-q` or not.
    pub fn data(&self, text: &str) -> Result<(), Error> {
        if self.json() {
            return self.write(text);
        }
        self.stdout(text)
    }

    /// Writes what the command exists to print, as its JSON document.
    pub fn data_json<T: Serialize>(&self, value: &T) -> Result<(), Error> {
        self.json_value(value)
    }

    /// Writes the command's JSON document to stdout (pretty).
    pub fn json_value<T: Serialize>(&self, value: &T) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(value).map_err(|e| Error::Io {
            doing: "writing JSON".to_owned(),
            source: std::io::Error::other(e),
        })?;
        self.documented.set(true);
        self.stdout(&format!("{text}\n"))
    }

    /// A warning on stderr (silenced by `-q`).
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.stderr(&format!("{} {text}", self.paint(Style::Warn, "warning:")));
        }
    }

    /// A decision or a timing on stderr, only with `-v`.
    pub fn info(&self, text: &str) {
        if self.verbose() {
            self.stderr(text);
        }
    }

    /// A progress line on stderr (suppressed by `-q`), for long-running
    /// commands whose stdout says only the result.
    pub fn progress(&self, text: &str) {
        if !self.quiet {
            self.stderr(text);
        }
    }

    /// What a command did, on stderr (silenced by `-q`): `recorded: …`.
    pub fn done(&self, text: &str) {
        if self.json() {
            self.collected.borrow_mut().messages.push(text.to_owned());
        }
        if !self.quiet {
            self.stderr(text);
        }
    }

    /// The reason for a "no" (exit 1), on stderr, `-q` or not.
    pub fn say(&self, text: &str) {
        if self.json() {
            self.collected.borrow_mut().messages.push(text.to_owned());
        }
        self.stderr(text);
    }

    /// The error, its cause chain once, and its hints: on stderr, or with
    /// `--format json` as the document on stdout (on stderr if the command
    /// had printed its document already).
    pub fn error(&self, error: &Error, exit: u8) {
        let message = message(error);
        let hints = error.hints();
        if self.json() {
            let document = serde_json::json!({ "error": message, "hints": hints, "exit": exit });
            let text = serde_json::to_string_pretty(&document).unwrap_or_default();
            if self.documented.replace(true) {
                self.stderr(&text);
            } else {
                let _ = self.stdout(&format!("{text}\n"));
            }
            return;
        }
        self.stderr(&format!("{} {message}", self.paint(Style::Bad, "error:")));
        for hint in hints {
            self.stderr(&format!("{} {hint}", self.paint(Style::Dim, "hint:")));
        }
    }

    /// Ends a command that succeeded or said "no": with `--format json`,
    /// prints its text and messages as `{"exit", "output", "messages"}` if
    /// it printed no document of its own.
    pub fn finish(&self, exit: u8) {
        if !self.json() || self.documented.get() {
            return;
        }
        let collected = self.collected.borrow();
        let document = serde_json::json!({
            "exit": exit,
            "output": collected.text,
            "messages": collected.messages,
        });
        let _ = self.json_value(&document);
    }
}

/// Prints a usage error clap found (or help and version, which clap
/// reports the same way, coloured as clap was told) and returns the exit
/// code: 2, or 0 for help.
/// With `json`, the error is the JSON document on stdout.
pub fn usage_error(error: &clap::Error, json: bool) -> u8 {
    if !error.use_stderr() {
        // `--help`, `--version`: to stdout, as clap prints them.
        let _ = error.print();
        return 0;
    }
    if !json {
        let _ = error.print();
        return 2;
    }
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let message = lines
        .next()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_owned())
        .unwrap_or_default();
    let hints: Vec<String> = lines
        .filter(|l| !l.starts_with("Usage:"))
        .map(|l| l.strip_prefix("tip: ").unwrap_or(l).to_owned())
        .collect();
    let document = serde_json::json!({ "error": message, "hints": hints, "exit": 2 });
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    let _ = writeln!(std::io::stdout(), "{text}");
    2
}

/// The error's message with its cause chain, each cause once.
fn message(error: &Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Whether to colour: `--color always|never`, else git's `color.release`,
/// else `color.ui` (as `git_config` reads them, `git -c` included), else
/// `Auto`: each stream decides by `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`,
/// `TERM` and whether it is a terminal (in that order, as anstream does).
pub fn choice(
    flag: ColorChoice,
    git_config: &dyn Fn(&str) -> Option<String>,
) -> anstream::ColorChoice {
    match flag {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => ["color.release", "color.ui"]
            .into_iter()
            .find_map(|key| git_config(key).and_then(|v| git_color(&v)))
            .unwrap_or(anstream::ColorChoice::Auto),
    }
}

/// A git colour setting (`color.ui`, `color.release`) as git reads it:
/// `always`, `never`, `auto`, or a boolean where true means `auto`.
/// `None` for what git would not accept, so the next setting decides.
pub fn git_color(value: &str) -> Option<anstream::ColorChoice> {
    match value.trim().to_ascii_lowercase().as_str() {
        "always" => Some(anstream::ColorChoice::Always),
        "never" | "false" | "no" | "off" | "0" | "" => Some(anstream::ColorChoice::Never),
        "auto" | "true" | "yes" | "on" | "1" => Some(anstream::ColorChoice::Auto),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_colour_settings_read_as_git_reads_them() {
        use anstream::ColorChoice::{Always, Auto, Never};
        for (value, expected) in [
            ("always", Some(Always)),
            ("Never", Some(Never)),
            ("auto", Some(Auto)),
            ("true", Some(Auto)),
            ("false", Some(Never)),
            ("sometimes", None),
        ] {
            assert_eq!(git_color(value), expected, "{value}");
        }
    }

    #[test]
    fn color_release_wins_over_color_ui_and_the_flag_over_both() {
        use anstream::ColorChoice::{Always, Auto, Never};
        let config = |key: &str| match key {
            "color.release" => Some("always".to_owned()),
            "color.ui" => Some("never".to_owned()),
            _ => None,
        };
        assert_eq!(choice(ColorChoice::Auto, &config), Always);
        assert_eq!(choice(ColorChoice::Never, &config), Never);
        let ui_only = |key: &str| (key == "color.ui").then(|| "never".to_owned());
        assert_eq!(choice(ColorChoice::Auto, &ui_only), Never);
        let bad = |key: &str| (key == "color.release").then(|| "sometimes".to_owned());
        assert_eq!(choice(ColorChoice::Auto, &bad), Auto);
        assert_eq!(choice(ColorChoice::Auto, &|_| None), Auto);
    }
}
