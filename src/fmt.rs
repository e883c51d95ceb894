//! `sot fmt`: format files in the canonical style (or check that they are).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{syntax_code, LineIndex};

use crate::load::{read_source_marked, sot_files, ReadError};

/// Arguments of `sot fmt`.
#[derive(Args)]
pub struct FmtArgs {
    /// Files or folders to format (folders: every `*.sot` below), or `-` for standard input
    /// to standard output. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    check: bool,
}

/// Runs `sot fmt`.
pub fn run(args: &FmtArgs) -> ExitCode {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        let limit = sot_compiler::MAX_FILE_BYTES as u64;
        if let Err(e) = std::io::stdin().take(limit + 1).read_to_string(&mut text) {
            eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        if text.len() as u64 > limit {
            eprintln!(
                "error[E0001]: <stdin> is more than the {limit} bytes `sot` reads; not formatted"
            );
            return ExitCode::from(1);
        }
        return match sot_grammar::format_file(&text) {
            Ok(out) => {
                out!("{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                let at = LineIndex::new(&text).line_column(&text, e.offset);
                eprintln!(
                    "error[{}]: <stdin>:{}:{}: {}; not formatted",
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
                if args.check {
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
    } else if broken > 0 || (args.check && changed > 0) {
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
