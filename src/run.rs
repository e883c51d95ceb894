//! `sot run`: evaluate the cases of a protocol file and print what the protocol recommends
//! for each visit, with the reasons.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{lower_file, visible_files};
use sot_report::run as report;
use sot_runtime::explain::{explain_case, explain_case_with_rules, CaseReport};

use crate::check::print_errors;
use crate::load::load_one;
use crate::report::Renderer;

/// Arguments of `sot run`.
#[derive(Args)]
pub struct RunArgs {
    /// A `.sot` file with cases (and the files it `use`s).
    file: PathBuf,
    /// Case data as JSON to run instead of the file's own cases (same as `--cases`).
    #[arg(value_name = "CASES.json", conflicts_with = "cases")]
    data: Option<PathBuf>,
    /// Only the case with this name.
    #[arg(long, value_name = "NAME")]
    case: Option<String>,
    /// Run the cases of this JSON file (see `sot schema FILE`) instead of the file's own.
    #[arg(long, value_name = "DATA.json")]
    cases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// List every binding of every check on its own line (by default the bindings of a
    /// check that are `not_needed` share one line).
    #[arg(long, short)]
    verbose: bool,
    /// Instead of the report, say why the protocol did or did not decide ITEM at every
    /// visit shown (as `sot why`; `--format` text, json or markdown).
    #[arg(long, value_name = "ITEM")]
    why: Option<String>,
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
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    let Some(program) = lower_file(db, file) else {
        let errors = print_errors(db, visible_files(db, file), color);
        eprintln!("sot run: {errors} error(s); fix them first (`sot check` lists warnings too)");
        return ExitCode::from(1);
    };
    let json_cases;
    let all_cases = match args.cases.as_ref().or(args.data.as_ref()) {
        None => &program.cases,
        Some(path) => match read_json_cases(db, file, path, color) {
            Ok(cases) => {
                json_cases = cases;
                &json_cases
            }
            Err(code) => return code,
        },
    };
    let cases: Vec<_> = all_cases
        .iter()
        .filter(|c| args.case.as_ref().is_none_or(|n| *n == c.name))
        .collect();
    if cases.is_empty() {
        let names: Vec<&str> = all_cases.iter().map(|c| c.name.as_str()).collect();
        let source = args
            .cases
            .as_ref()
            .or(args.data.as_ref())
            .unwrap_or(&args.file);
        match (&args.case, names.is_empty()) {
            (_, true) => eprintln!("error: `{}` has no case to run", source.display()),
            (Some(name), false) => eprintln!(
                "error: no case named `{name}` in `{}`; its cases are {}",
                source.display(),
                names.join(", ")
            ),
            (None, false) => {}
        }
        return ExitCode::from(2);
    }
    if let Some(item) = &args.why {
        let format = match args.format {
            Format::Text => crate::why::WhyFormat::Text,
            Format::Json => crate::why::WhyFormat::Json,
            Format::Markdown => crate::why::WhyFormat::Markdown,
            Format::Html => {
                eprintln!("error: `--why` prints text, json or markdown, not html");
                return ExitCode::from(2);
            }
        };
        return crate::why::answer(program, &cases, item, None, format);
    }
    // Only the JSON report gives every rule binding's state.
    let explain = match args.format {
        Format::Json => explain_case_with_rules,
        _ => explain_case,
    };
    let reports: Vec<CaseReport> = cases.iter().map(|c| explain(program, c)).collect();
    let out = match args.format {
        Format::Text => reports
            .iter()
            .map(|r| report::text_with(r, args.verbose))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Markdown => reports
            .iter()
            .map(|r| report::markdown_with(r, args.verbose))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Html => report::html_with(&reports, args.verbose),
        Format::Json => report::json(&reports),
    };
    outln!("{}", out.trim_end());
    ExitCode::SUCCESS
}

/// The cases of a JSON file, or the exit status after reporting why there are none.
pub fn read_json_cases(
    db: &sot_compiler::Database,
    file: sot_compiler::SourceFile,
    path: &std::path::Path,
    color: bool,
) -> Result<Vec<sot_ir::Case>, ExitCode> {
    let text = match crate::load::read_text(path) {
        Ok(text) => text,
        Err(crate::load::ReadError::Io(message)) => {
            eprintln!("error: {message}");
            return Err(ExitCode::from(2));
        }
        Err(crate::load::ReadError::Content(problem)) => {
            eprintln!("error[E0501]: `{}` is {problem}", path.display());
            return Err(ExitCode::from(1));
        }
    };
    sot_compiler::json_cases(db, file, &text).map_err(|diagnostics| {
        let renderer = Renderer::new(color);
        for d in &diagnostics {
            eprint!("{}", renderer.render(path, &text, d));
        }
        eprintln!(
            "sot run: {} problem(s) in `{}`",
            diagnostics.len(),
            path.display()
        );
        ExitCode::from(1)
    })
}
