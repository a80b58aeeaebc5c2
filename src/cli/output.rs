//! The output layer: the only code that prints. Text or JSON on stdout,
//! warnings and errors on stderr, colour when wanted.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::Error;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs: one JSON document on stdout.
    Json,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
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

/// Where output goes and how it looks.
pub struct Output {
    /// Text or JSON.
    pub format: Format,
    color: bool,
    quiet: bool,
    verbose: u8,
}

impl Output {
    /// Sets up output from the global flags.
    pub fn new(format: Format, color: ColorChoice, quiet: bool, verbose: u8) -> Output {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Output {
            format,
            color,
            quiet,
            verbose,
        }
    }

    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Paints text in a style (or not, without colour).
    pub fn paint(&self, style: Style, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match style {
            Style::Bold => "1",
            Style::Good => "32",
            Style::Bad => "31",
            Style::Warn => "33",
            Style::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// Writes text to stdout as is.
    pub fn write(&self, text: &str) -> Result<(), Error> {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(Error::io("writing to stdout"))
    }

    /// Writes one line to stdout.
    pub fn line(&self, text: &str) -> Result<(), Error> {
        self.write(&format!("{text}\n"))
    }

    /// Writes what the command exists to print — a version, release notes,
    /// a script, a man page — to stdout as is.
    pub fn data(&self, text: &str) -> Result<(), Error> {
        self.write(text)
    }

    /// Writes what the command exists to print, as pretty JSON.
    pub fn data_json<T: Serialize>(&self, value: &T) -> Result<(), Error> {
        self.json_value(value)
    }

    /// Writes a value as pretty JSON to stdout.
    pub fn json_value<T: Serialize>(&self, value: &T) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(value).map_err(|e| Error::Io {
            doing: "writing JSON".to_owned(),
            source: std::io::Error::other(e),
        })?;
        self.line(&text)
    }

    /// A warning on stderr (suppressed by `-q`).
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("{} {text}", self.paint_err(Style::Warn, "warning:"));
        }
    }

    /// A note on stderr, only with `-v`.
    pub fn info(&self, text: &str) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{text}");
        }
    }

    /// A plain message on stderr (a reason for exit 1).
    pub fn say(&self, text: &str) {
        eprintln!("{text}");
    }

    /// The error, its cause chain once, and its hints, on stderr.
    pub fn error(&self, error: &Error) {
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
        eprintln!("{} {message}", self.paint_err(Style::Bad, "error:"));
        for hint in error.hints() {
            eprintln!("{} {hint}", self.paint_err(Style::Dim, "hint:"));
        }
    }

    fn paint_err(&self, style: Style, text: &str) -> String {
        if self.color && std::io::stderr().is_terminal() {
            self.paint(style, text)
        } else {
            text.to_owned()
        }
    }
}
