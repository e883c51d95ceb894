//! `sot check`: every diagnostic of the named files, for people or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{
    all_diagnostics, file_diagnostics, visible_files, Code, Diagnostic, LineIndex, Severity,
    SourceFile,
};
use sot_grammar::ast::Span;

use crate::color::Colors;
use crate::load::load_paths;
use crate::report::{json, DiagnosticJson, Renderer};

/// Arguments of `sot check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders to check (folders: every `*.sot` below), or `-` for a protocol on
    /// standard input (named `<stdin>`; its `use` paths start from the current folder).
    /// Default: the current folder.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// Check again whenever a file checked (or one it `use`s) changes, or a `*.sot` file is
    /// added below a folder named; until interrupted (Ctrl-C).
    #[arg(long)]
    watch: bool,
}

/// Output formats of `sot check`.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// miette's graphical report.
    Human,
    /// One JSON array of every diagnostic (see docs/language.md).
    Json,
}

/// What `--deny` can make fatal.
#[derive(Clone, Copy, ValueEnum)]
enum Deny {
    /// Warnings make the exit status 1.
    Warnings,
}

/// Runs `sot check` (once, or with `--watch` until interrupted).
pub fn run(args: &CheckArgs, colors: Colors) -> ExitCode {
    if args.watch {
        return crate::watch::watch("check", &args.paths, colors, |read| {
            once(args, colors.stderr, read)
        });
    }
    once(args, colors.stderr, &mut Vec::new())
}

/// Checks once; pushes every file read (or looked for) onto `read`.
fn once(args: &CheckArgs, color: bool, read: &mut Vec<PathBuf>) -> ExitCode {
    let loaded = match load_paths(&args.paths) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    read.extend(loaded.read.iter().cloned());
    let db = &loaded.db;
    // (path, text, diagnostics) of every file with something to say.
    let mut results: Vec<(PathBuf, String, Vec<Diagnostic>)> = Vec::new();
    for (path, problem) in &loaded.not_text {
        let d = Diagnostic::new(
            Code::E0001,
            Span::new(0, 0),
            format!("`{}` is {problem}", path.display()),
        );
        results.push((path.clone(), String::new(), vec![d]));
    }
    for file in &loaded.roots {
        let diagnostics = all_diagnostics(db, *file);
        results.push((
            file.path(db).clone(),
            file.text(db).clone(),
            diagnostics.clone(),
        ));
    }
    // The errors of the files they `use` (and that were not named themselves): `run`,
    // `test` and `doc` refuse a protocol with them, so `check` must not pass it.
    let mut used = 0;
    let mut seen: std::collections::HashSet<SourceFile> = loaded.roots.iter().copied().collect();
    for root in &loaded.roots {
        for file in visible_files(db, *root) {
            if !seen.insert(*file) {
                continue;
            }
            used += 1;
            let errors: Vec<Diagnostic> = file_diagnostics(db, *file)
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .cloned()
                .collect();
            if !errors.is_empty() {
                results.push((file.path(db).clone(), file.text(db).clone(), errors));
            }
        }
    }
    let errors = results
        .iter()
        .flat_map(|r| &r.2)
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = results
        .iter()
        .flat_map(|r| &r.2)
        .filter(|d| d.severity() == Severity::Warning)
        .count();
    match args.format {
        Format::Json => {
            let all: Vec<DiagnosticJson> = results
                .iter()
                .flat_map(|(path, text, ds)| {
                    let index = LineIndex::new(text);
                    ds.iter()
                        .map(move |d| json(path, text, &index, d))
                        .collect::<Vec<_>>()
                })
                .collect();
            match serde_json::to_string(&all) {
                Ok(text) => outln!("{text}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        Format::Human => {
            let renderer = Renderer::new(color);
            for (path, text, ds) in &results {
                for d in ds {
                    eprint!("{}", renderer.render(path, text, d));
                }
            }
            let files = loaded.roots.len();
            eprintln!("{}", summary(files, used, errors, warnings));
        }
    }
    for message in &loaded.io_errors {
        eprintln!("error: {message}");
    }
    let denied = matches!(args.deny, Some(Deny::Warnings)) && warnings > 0;
    if !loaded.io_errors.is_empty() {
        ExitCode::from(2)
    } else if errors > 0 || denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(files: usize, used: usize, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let checked = match used {
        0 => plural(files, "file"),
        _ => format!(
            "{} (and {} they use)",
            plural(files, "file"),
            plural(used, "file")
        ),
    };
    match (errors, warnings) {
        (0, 0) => format!("checked {checked}: no problems"),
        _ => format!(
            "checked {checked}: {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}

/// Prints the errors of `files` (human form, to standard error); returns how many there were.
/// `sot run` and `sot test` refuse to evaluate a protocol with errors and show them this way.
pub fn print_errors(
    db: &sot_compiler::Database,
    files: &[sot_compiler::SourceFile],
    color: bool,
) -> usize {
    let renderer = Renderer::new(color);
    let mut count = 0;
    for file in files {
        for d in file_diagnostics(db, *file) {
            if d.severity() == Severity::Error {
                eprint!("{}", renderer.render(file.path(db), file.text(db), d));
                count += 1;
            }
        }
    }
    count
}
