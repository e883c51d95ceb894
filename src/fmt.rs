//! `sot fmt`: format files in the canonical style (or check that they are).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{syntax_code, LineIndex};

use crate::color::{paint, Colors, BAD, GOOD, PLACE};
use crate::load::{is_stdin, read_source_marked, read_stdin, sot_files, ReadError, STDIN_NAME};

/// Arguments of `sot fmt`.
#[derive(Args)]
pub struct FmtArgs {
    /// Files or folders to format (folders: every `*.sot` below), or `-` for standard input
    /// to standard output. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Change nothing; print a unified diff of what formatting would change (in colour on a
    /// terminal) and exit with 1 if anything would.
    #[arg(long)]
    diff: bool,
}

/// Runs `sot fmt`.
pub fn run(args: &FmtArgs, colors: Colors) -> ExitCode {
    let diff = args.diff.then_some(colors.stdout);
    if args.paths.iter().any(|p| is_stdin(p)) {
        let (text, marked) = match read_stdin() {
            Ok(read) => read,
            Err(ReadError::Io(message)) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            Err(ReadError::Content(problem)) => {
                eprintln!("error[E0001]: {STDIN_NAME} is {problem}; not formatted");
                return ExitCode::from(1);
            }
        };
        return match sot_grammar::format_file(&text) {
            Ok(out) => match diff {
                Some(color) if out != text || marked => {
                    print_diff(STDIN_NAME, &text, &out, color);
                    ExitCode::from(1)
                }
                Some(_) => ExitCode::SUCCESS,
                None => {
                    out!("{out}");
                    ExitCode::SUCCESS
                }
            },
            Err(e) => {
                let at = LineIndex::new(&text).line_column(&text, e.offset);
                eprintln!(
                    "error[{}]: {STDIN_NAME}:{}:{}: {}; not formatted",
                    syntax_code(e.kind).as_str(),
                    at.line,
                    at.column,
                    e.message
                );
                print_help(&e);
                ExitCode::from(1)
            }
        };
    }
    let default = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &default[..]
    } else {
        &args.paths[..]
    };
    let files = match sot_files(paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let (mut changed, mut broken, mut io_error) = (0, 0, false);
    for path in files {
        // The same rules as every command: regular files only, within the size limit.
        let (text, marked) = match read_source_marked(&path) {
            Ok(read) => read,
            Err(ReadError::Io(message)) => {
                eprintln!("error: {message}");
                io_error = true;
                continue;
            }
            Err(ReadError::Content(problem)) => {
                broken += 1;
                eprintln!(
                    "error[E0001]: `{}` is {problem}; not formatted",
                    path.display()
                );
                continue;
            }
        };
        match sot_grammar::format_file(&text) {
            // A byte order mark is dropped: a file that had one changes.
            Ok(out) if out == text && !marked => {}
            Ok(out) => {
                changed += 1;
                if let Some(color) = diff {
                    print_diff(&path.display().to_string(), &text, &out, color);
                } else if args.check {
                    outln!("{}", path.display());
                } else if let Err(e) = write_formatted(&path, &out) {
                    eprintln!(
                        "error: cannot write `{}`: {e}; the file is unchanged",
                        path.display()
                    );
                    io_error = true;
                }
            }
            Err(e) => {
                broken += 1;
                let at = LineIndex::new(&text).line_column(&text, e.offset);
                eprintln!(
                    "error[{}]: {}:{}:{}: {}; not formatted (`sot check` shows every problem)",
                    syntax_code(e.kind).as_str(),
                    path.display(),
                    at.line,
                    at.column,
                    e.message
                );
                print_help(&e);
            }
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if broken > 0 || ((args.check || args.diff) && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Replaces the file at `path` (its target, when it is a symbolic link) with `text`, keeping
/// its permissions; on an error the file is unchanged (see [`crate::write::replace`]).
fn write_formatted(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let target = path.canonicalize()?;
    let permissions = std::fs::metadata(&target)?.permissions();
    crate::write::replace(&target, text.as_bytes(), Some(permissions))
}

/// The parser's help for a syntax error, as `sot check` gives it.
fn print_help(e: &sot_grammar::FormatError) {
    if let Some(help) = &e.help {
        eprintln!("  help: {help}");
    }
}

/// Prints the unified diff (3 lines of context) from `old` to `new` of the file `name`, or,
/// when only a byte order mark would be dropped, says so.
fn print_diff(name: &str, old: &str, new: &str, color: bool) {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut unified = diff.unified_diff();
    let text = unified.context_radius(3).header(name, name).to_string();
    if text.is_empty() {
        outln!("--- {name}\n+++ {name}\n(formatting drops the byte order mark at the start)");
        return;
    }
    for line in text.lines() {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            Some(crate::color::HEADING)
        } else if line.starts_with('+') {
            Some(GOOD)
        } else if line.starts_with('-') {
            Some(BAD)
        } else if line.starts_with("@@") {
            Some(PLACE)
        } else {
            None
        };
        match style {
            Some(style) => outln!("{}", paint(color, style, line)),
            None => outln!("{line}"),
        }
    }
}
