//! The one decision of whether to colour, for each of standard output and standard error,
//! and the styles sot uses.
//!
//! `--color always|never` wins; with `auto` (the default) the environment decides as the clap
//! ecosystem reads it (`anstream`, `anstyle-query`): `NO_COLOR` (set and not empty) means
//! never, then `CLICOLOR_FORCE` (set and not empty) means always, even when not writing to a
//! terminal, then `CLICOLOR=0` means never; otherwise colour only on a terminal whose `TERM`
//! is set and not `dumb`.

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

/// When to colour output (`--color`).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Color {
    /// Colour as the terminal and the environment allow.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Whether to colour each stream; decided once, from `--color` and the environment.
#[derive(Clone, Copy, Debug)]
pub struct Colors {
    /// Colour on standard output (`sot run`, `sot test`, `sot fmt --diff`).
    pub stdout: bool,
    /// Colour on standard error (diagnostics).
    pub stderr: bool,
}

impl Colors {
    /// The decision for this run.
    pub fn decide(choice: Color) -> Colors {
        match choice {
            Color::Auto => {}
            Color::Always => ColorChoice::Always.write_global(),
            Color::Never => ColorChoice::Never.write_global(),
        }
        let on = |c: ColorChoice| c != ColorChoice::Never;
        Colors {
            stdout: on(AutoStream::choice(&std::io::stdout())),
            stderr: on(AutoStream::choice(&std::io::stderr())),
        }
    }
}

/// The `--color` of the command line as clap's own choice, for its help and errors, which
/// are written before the arguments are parsed (the last `--color` wins, as in parsing).
pub fn flag_in_args() -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.to_str() {
            Some("--") => break,
            Some("--color") => args.next(),
            Some(a) => a.strip_prefix("--color=").map(Into::into),
            None => None,
        };
        match value.as_ref().and_then(|v| v.to_str()) {
            Some("always") => choice = clap::ColorChoice::Always,
            Some("never") => choice = clap::ColorChoice::Never,
            Some("auto") => choice = clap::ColorChoice::Auto,
            _ => {}
        }
    }
    choice
}

/// `text` in `style` when `on`, else as it is.
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Failures, removed lines, red flags.
pub const BAD: Style = AnsiColor::Red.on_default().bold();
/// Passes, added lines.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// Warnings and what is missing.
pub const NOTE: Style = AnsiColor::Yellow.on_default();
/// Places (`@@` lines of a diff) and headers.
pub const PLACE: Style = AnsiColor::Cyan.on_default();
/// Headings.
pub const HEADING: Style = Style::new().bold();
