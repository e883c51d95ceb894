//! `sot run`: evaluate the cases of a protocol file and print what the protocol recommends
//! for each visit, with the reasons.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use sot_compiler::{lower_file, visible_files};
use sot_report::run as report;
use sot_runtime::explain::{explain_case, explain_case_with_rules, CaseReport};

use crate::check::print_errors;
use crate::color::{paint, Colors, BAD, HEADING, NOTE};
use crate::load::load_one;
use crate::report::{json, whole_file_json, DiagnosticJson, Renderer};

/// Arguments of `sot run`.
#[derive(Args)]
pub struct RunArgs {
    /// A `.sot` file with cases (and the files it `use`s), or `-` for a protocol on standard
    /// input (named `<stdin>`; its `use` paths start from the current folder).
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
    /// Run again whenever the file (or one it `use`s, or the case data) changes; until
    /// interrupted (Ctrl-C).
    #[arg(long)]
    watch: bool,
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

/// Runs `sot run` (once, or with `--watch` until interrupted).
pub fn run(args: &RunArgs, colors: Colors) -> ExitCode {
    if args.watch {
        let named = [args.file.clone()];
        return crate::watch::watch("run", &named, colors, |read| once(args, colors, read));
    }
    once(args, colors, &mut Vec::new())
}

/// Runs the cases once; pushes every file read (or looked for) onto `read`.
fn once(args: &RunArgs, colors: Colors, read: &mut Vec<PathBuf>) -> ExitCode {
    read.extend(args.cases.iter().chain(&args.data).cloned());
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    read.extend(loaded.read.iter().cloned());
    let db = &loaded.db;
    let Some(program) = lower_file(db, file) else {
        let errors = print_errors(db, visible_files(db, file), colors.stderr);
        eprintln!("sot run: {errors} error(s); fix them first (`sot check` lists warnings too)");
        return ExitCode::from(1);
    };
    let json_cases;
    let all_cases = match args.cases.as_ref().or(args.data.as_ref()) {
        None => &program.cases,
        Some(path) => match read_json_cases(db, file, path) {
            Ok((cases, _)) => {
                json_cases = cases;
                &json_cases
            }
            Err(problem) => return problem.print(path, colors.stderr),
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
    // Cases are evaluated, and written, on every core; `collect` keeps their order.
    let reports: Vec<CaseReport> = cases.par_iter().map(|c| explain(program, c)).collect();
    let out = match args.format {
        // The reports joined by blank lines, each line painted: each report's lines are
        // painted on a core of its own, with the separator that follows it (so its last line
        // ends as it would in the joined text).
        Format::Text => {
            let last = reports.len().saturating_sub(1);
            reports
                .par_iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut text = report::text_with(r, args.verbose);
                    if i < last {
                        text.push('\n');
                    }
                    text.lines()
                        .map(|line| paint_line(line, colors.stdout))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Format::Markdown => reports
            .par_iter()
            .map(|r| report::markdown_with(r, args.verbose))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Html => report::html_with(&reports, args.verbose),
        Format::Json => report::json(&reports),
    };
    outln!("{}", out.trim_end());
    ExitCode::SUCCESS
}

/// Why the cases of a JSON file could not be had.
pub enum CasesProblem {
    /// The file could not be read (exit status 2): the whole message.
    Io(String),
    /// The file is not text (E0501): what it is.
    NotText(String),
    /// The data does not fit the protocol: the JSON text and every problem in it.
    Invalid(String, Vec<sot_compiler::Diagnostic>),
}

impl CasesProblem {
    /// Reports the problem with case data at `path` on standard error, as people read it;
    /// returns the exit status.
    pub fn print(&self, path: &std::path::Path, color: bool) -> ExitCode {
        match self {
            CasesProblem::Io(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            CasesProblem::NotText(problem) => {
                eprintln!("error[E0501]: `{}` is {problem}", path.display());
                ExitCode::from(1)
            }
            CasesProblem::Invalid(text, diagnostics) => {
                let renderer = Renderer::new(color);
                for d in diagnostics {
                    eprint!("{}", renderer.render(path, text, d));
                }
                eprintln!(
                    "sot run: {} problem(s) in `{}`",
                    diagnostics.len(),
                    path.display()
                );
                ExitCode::from(1)
            }
        }
    }

    /// The problem as JSON diagnostics (nothing for an I/O error, which is no diagnostic).
    pub fn json(&self, path: &std::path::Path) -> Vec<DiagnosticJson> {
        match self {
            CasesProblem::Io(_) => Vec::new(),
            CasesProblem::NotText(problem) => {
                let message = format!("`{}` is {problem}", path.display());
                vec![whole_file_json(path, sot_compiler::Code::E0501, &message)]
            }
            CasesProblem::Invalid(text, diagnostics) => {
                let index = sot_compiler::LineIndex::new(text);
                diagnostics
                    .iter()
                    .map(|d| json(path, text, &index, d))
                    .collect()
            }
        }
    }
}

/// The cases of a JSON file, with its text, or why there are none.
pub fn read_json_cases(
    db: &sot_compiler::Database,
    file: sot_compiler::SourceFile,
    path: &std::path::Path,
) -> Result<(Vec<sot_ir::Case>, String), CasesProblem> {
    let text = match crate::load::read_text(path) {
        Ok(text) => text,
        Err(crate::load::ReadError::Io(message)) => return Err(CasesProblem::Io(message)),
        Err(crate::load::ReadError::Content(problem)) => {
            return Err(CasesProblem::NotText(problem))
        }
    };
    match sot_compiler::json_cases(db, file, &text) {
        Ok(cases) => Ok((cases, text)),
        Err(diagnostics) => Err(CasesProblem::Invalid(text, diagnostics)),
    }
}

/// A line of the text report, in colour when `color`: case and visit headings in bold, a
/// raised red flag in red, a red flag not ruled out in yellow. The text is the renderer's
/// (`sot_report::run`); only its look changes.
fn paint_line(line: &str, color: bool) -> String {
    let body = line.trim_start();
    let style = if !color {
        None
    } else if body.starts_with("RED FLAG") {
        Some(BAD)
    } else if body.starts_with("Red flag") && body.contains("not ruled out") {
        Some(NOTE)
    } else if line.starts_with("Case ") || line.starts_with("Visit ") {
        Some(HEADING)
    } else {
        None
    };
    match style {
        Some(style) => {
            let indent = &line[..line.len() - body.len()];
            format!("{indent}{}", paint(true, style, body))
        }
        None => line.to_string(),
    }
}
