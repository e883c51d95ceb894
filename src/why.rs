//! `sot why`: why the protocol did or did not decide an item (a rule, an adjustment, a
//! category, a red flag or a check) at a visit of a case, with the findings that decided it
//! and the value each test needed. `sot run --why ITEM` gives the same answers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{did_you_mean, lower_file, visible_files};
use sot_ir::{Case, Program};
use sot_report::why as report;
use sot_runtime::why::{resolve, why_case, Kind, Query, ResolveError};

use crate::check::print_errors;
use crate::load::load_one;

/// What `sot why` accepts as ITEM, for its help and its errors.
macro_rules! items_help {
    () => {
        "ITEM is one of:
  a rule          line_two_cmrt, or one binding: 'line_two_cmrt(area: 6)' or 'line_two_cmrt[area = 6]'
  an adjustment   cmrt, or a call with some of its arguments: 'cmrt(level: T8)'
  a category      II, or category II
  a red flag      cauda_equina, or red_flag cauda_equina
  a check         cmrt_reflex_point_falls, or one binding: 'cmrt_reflex_point_falls(side: left, area: 6)'
A name that is several of these (a rule and a check) is answered for each; write the kind
first (rule, adjustment, category, red_flag, check) to choose one."
    };
}

/// Arguments of `sot why`.
#[derive(Args)]
#[command(after_help = concat!(
    items_help!(),
    "\n\nExample: why CMRT at T8 was not recommended at Lena's third visit:\n",
    "  sot why protocols/cases/category_one_cmrt_lead.sot --case lena --visit 3 'cmrt(level: T8)'\n",
    "  …\n",
    "  Visit 3 (two weeks later)\n",
    "    The protocol does not recommend cmrt(level: T8) at this visit.\n",
    "      Every rule that could recommend it:\n",
    "        line_two_cmrt “Line 2 fiber: CMRT at the related vertebra”:\n",
    "          [area = 1, 2, 3, 4, 5, 7] not fired: its `when` needs occipital_fiber(side: left, line: 2, area: area) >= 2, found 0; …\n",
    "          [area = 6] not fired: its `when` needs occipital_fiber(side: left, line: 2, area: 6) >= 2, found 0; …"
))]
pub struct WhyArgs {
    /// A `.sot` file with cases (and the files it `use`s).
    file: PathBuf,
    /// The item to explain (see below); several words are read as one (`category II`).
    #[arg(value_name = "ITEM", required = true, num_args = 1..)]
    item: Vec<String>,
    /// The case to explain (needed when the file has several, unless every case is wanted).
    #[arg(long, value_name = "NAME")]
    case: Option<String>,
    /// Only this visit (by its number); every visit by default.
    #[arg(long, value_name = "N")]
    visit: Option<i64>,
    /// Explain the cases of this JSON file (see `sot schema FILE`) instead of the file's own.
    #[arg(long, value_name = "DATA.json")]
    cases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhyFormat::Text)]
    format: WhyFormat,
}

/// Output formats of `sot why` (and of `sot run --why`).
#[derive(Clone, Copy, ValueEnum)]
pub enum WhyFormat {
    /// Plain text for a terminal.
    Text,
    /// JSON: `{"cases": [...]}` (see docs/language.md, "`sot why`").
    Json,
    /// Markdown.
    Markdown,
}

/// Runs `sot why`.
pub fn run(args: &WhyArgs, color: bool) -> ExitCode {
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    let Some(program) = lower_file(db, file) else {
        let errors = print_errors(db, visible_files(db, file), color);
        eprintln!("sot why: {errors} error(s); fix them first (`sot check` lists warnings too)");
        return ExitCode::from(1);
    };
    let json_cases;
    let all_cases = match &args.cases {
        None => &program.cases,
        Some(path) => match crate::run::read_json_cases(db, file, path) {
            Ok((cases, _)) => {
                json_cases = cases;
                &json_cases
            }
            Err(problem) => return problem.print(path, color),
        },
    };
    let source = args.cases.as_ref().unwrap_or(&args.file);
    let cases: Vec<&Case> = all_cases
        .iter()
        .filter(|c| args.case.as_ref().is_none_or(|n| *n == c.name))
        .collect();
    if cases.is_empty() {
        let names: Vec<&str> = all_cases.iter().map(|c| c.name.as_str()).collect();
        match &args.case {
            Some(name) if !names.is_empty() => {
                let hint = did_you_mean(name, names.iter().copied())
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                eprintln!(
                    "error: no case named `{name}` in `{}`{hint}; its cases are {}",
                    source.display(),
                    names.join(", ")
                );
            }
            _ => eprintln!("error: `{}` has no case to explain", source.display()),
        }
        return ExitCode::from(2);
    }
    // With `--visit N`, the cases that have a visit N (an error when none has).
    let cases: Vec<&Case> = match args.visit {
        None => cases,
        Some(n) => {
            let with: Vec<&Case> = cases
                .iter()
                .copied()
                .filter(|c| c.visits.iter().any(|v| v.number == n))
                .collect();
            if with.is_empty() {
                for case in &cases {
                    let numbers: Vec<String> =
                        case.visits.iter().map(|v| v.number.to_string()).collect();
                    eprintln!(
                        "error: case `{}` has no visit {n}; its visits are {}",
                        case.name,
                        numbers.join(", ")
                    );
                }
                return ExitCode::from(2);
            }
            with
        }
    };
    answer(
        program,
        &cases,
        &args.item.join(" "),
        args.visit,
        args.format,
    )
}

/// Prints why the protocol did or did not decide `item` at the visits of `cases` (every
/// visit, or the one numbered `visit`); the exit status is 2 for an item the protocol does
/// not have. `sot run --why` calls this too.
pub fn answer(
    program: &Program,
    cases: &[&Case],
    item: &str,
    visit: Option<i64>,
    format: WhyFormat,
) -> ExitCode {
    let targets = match Query::parse(item).map_err(Some).and_then(|q| {
        resolve(program, &q).map_err(|e| {
            eprintln!("error: {}", unknown_item(&e));
            None
        })
    }) {
        Ok(targets) => targets,
        Err(message) => {
            if let Some(message) = message {
                eprintln!("error: {message}");
            }
            eprintln!("\n{}", items_help!());
            return ExitCode::from(2);
        }
    };
    let reports: Vec<_> = cases
        .iter()
        .map(|c| why_case(program, c, &targets, item.trim(), visit))
        .collect();
    let out = match format {
        WhyFormat::Text => reports
            .iter()
            .map(report::text)
            .collect::<Vec<_>>()
            .join("\n"),
        WhyFormat::Markdown => reports
            .iter()
            .map(report::markdown)
            .collect::<Vec<_>>()
            .join("\n"),
        WhyFormat::Json => report::json(&reports),
    };
    outln!("{}", out.trim_end());
    ExitCode::SUCCESS
}

/// An item that could not be resolved, in words, with the closest name when one is close.
fn unknown_item(e: &ResolveError) -> String {
    let ResolveError::Unknown { name, known, .. } = e else {
        return e.to_string();
    };
    // A name begun (`cmrt_lin`) suggests the shortest name it begins, before the closest.
    let begun = known
        .iter()
        .map(|(_, n)| n.as_str())
        .filter(|n| n.starts_with(name.as_str()) && n != name)
        .min_by_key(|n| n.len())
        .map(|n| format!("did you mean `{n}`?"));
    let closest = || did_you_mean(name, known.iter().map(|(_, n)| n.as_str()));
    let suggestion = begun.or_else(closest).map(|hint| {
        let kind = known
            .iter()
            .find(|(_, n)| hint.contains(&format!("`{n}`")))
            .map(|(k, _)| kind_words(*k))
            .unwrap_or_default();
        format!("; {} ({kind})", hint.trim_end_matches('?')) + "?"
    });
    format!("{e}{}", suggestion.unwrap_or_default())
}

fn kind_words(kind: Kind) -> String {
    let noun = kind.noun();
    let article = if noun.starts_with('a') { "an" } else { "a" };
    format!("{article} {noun}")
}
