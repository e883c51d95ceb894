//! `sot run`: evaluate the cases of a protocol file and print what the protocol recommends
//! for each visit, with the reasons.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{lower_file, visible_files};
use sot_runtime::explain::{explain_case, CaseReport};
use sot_runtime::report;

use crate::check::print_errors;
use crate::load::load;

/// Arguments of `sot run`.
#[derive(Args)]
pub struct RunArgs {
    /// A `.sot` file with cases (and the files it `use`s).
    file: PathBuf,
    /// Only the case with this name.
    #[arg(long, value_name = "NAME")]
    case: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Output formats of `sot run`.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Plain text for a terminal.
    Text,
    /// JSON: `{"cases": [...]}` (see docs/language.md, "Reports").
    Json,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// Runs `sot run`.
pub fn run(args: &RunArgs, color: bool) -> ExitCode {
    let loaded = match load(std::slice::from_ref(&args.file)) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    for message in &loaded.io_errors {
        eprintln!("error: {message}");
    }
    let db = &loaded.db;
    let Some(file) = loaded.roots.first().copied() else {
        for (path, problem) in &loaded.not_text {
            eprintln!("error[E0001]: `{}` is {problem}", path.display());
        }
        return ExitCode::from(if loaded.io_errors.is_empty() { 1 } else { 2 });
    };
    let Some(program) = lower_file(db, file) else {
        let errors = print_errors(db, visible_files(db, file), color);
        eprintln!("sot run: {errors} error(s); fix them first (`sot check` lists warnings too)");
        return ExitCode::from(1);
    };
    let cases: Vec<_> = program
        .cases
        .iter()
        .filter(|c| args.case.as_ref().is_none_or(|n| *n == c.name))
        .collect();
    if cases.is_empty() {
        let names: Vec<&str> = program.cases.iter().map(|c| c.name.as_str()).collect();
        match (&args.case, names.is_empty()) {
            (_, true) => eprintln!(
                "error: `{}` has no case; add a `case` item to run",
                args.file.display()
            ),
            (Some(name), false) => eprintln!(
                "error: no case named `{name}` in `{}`; its cases are {}",
                args.file.display(),
                names.join(", ")
            ),
            (None, false) => {}
        }
        return ExitCode::from(2);
    }
    let reports: Vec<CaseReport> = cases.iter().map(|c| explain_case(program, c)).collect();
    let out = match args.format {
        Format::Text => reports
            .iter()
            .map(report::text)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Markdown => reports
            .iter()
            .map(report::markdown)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Html => report::html(&reports),
        Format::Json => {
            let json = serde_json::json!({ "cases": reports });
            serde_json::to_string_pretty(&json)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        }
    };
    println!("{}", out.trim_end());
    ExitCode::SUCCESS
}
