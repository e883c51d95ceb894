//! `sot test`: the `expect` lines of every case, as a test suite, with rule coverage.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use sot_compiler::{lower_file, visible_files, Code, Database, LineIndex, SourceFile};
use sot_runtime::expect::{test_case, Coverage};
use sot_runtime::visit::Outcome;

use crate::check::print_errors;
use crate::color::{paint, Colors, BAD, GOOD};
use crate::load::load_paths;
use crate::report::{errors_json, whole_file_json, DiagnosticJson};
use crate::run::{read_json_cases, CasesProblem};

/// Arguments of `sot test`.
#[derive(Args)]
pub struct TestArgs {
    /// Files or folders (every `*.sot` below) whose cases to run, or `-` for a protocol on
    /// standard input. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Also list the rules (and `for` bindings), categories, red flags and check outcomes
    /// that no case exercised, with the percentage covered.
    #[arg(long)]
    coverage: bool,
    /// Run the `expect` lines of this JSON case data against the one protocol file named.
    #[arg(long, value_name = "DATA.json")]
    cases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Run again whenever a file tested (or one it `use`s, or the case data) changes, or a
    /// `*.sot` file is added below a folder named; until interrupted (Ctrl-C).
    #[arg(long)]
    watch: bool,
}

/// Output formats of `sot test`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A line per failure and `N passed, M failed`.
    Text,
    /// One JSON object: every expectation, the problems that kept cases from running, the
    /// totals (`sot schema --output test` prints its JSON Schema).
    Json,
}

/// `sot test --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "sot test --format json")]
pub struct TestJson {
    /// Every `expect` line of every case run, passed or failed, in order.
    expectations: Vec<ExpectationJson>,
    /// The errors that kept a file's cases from running: errors of the protocol or of a file
    /// it uses, problems of the case data, files that are not protocol text.
    problems: Vec<DiagnosticJson>,
    /// The files whose cases did not run (a protocol with errors, case data that does not
    /// fit it, a file that is not protocol text): their problems are in `problems`.
    not_run: Vec<String>,
    /// What the cases exercised (with `--coverage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<CoverageJson>,
    /// The counts.
    totals: TotalsJson,
}

/// One `expect` line and its verdict.
#[derive(Serialize, JsonSchema)]
struct ExpectationJson {
    /// The file it is written in (the case data with `--cases`).
    file: String,
    /// Its 1-based line.
    #[schemars(range(min = 1))]
    line: usize,
    /// The 1-based column (characters) where its line's text starts.
    #[schemars(range(min = 1))]
    column: Option<usize>,
    /// The case.
    case: String,
    /// The visit's number.
    visit: i64,
    /// Whether it holds.
    passed: bool,
    /// The expectation as written (`expect category II`).
    expectation: String,
    /// What it expects, without the `expect` keyword (`category II`).
    expected: String,
    /// What the protocol gave for the visit, in the same words (`category I`).
    found: String,
}

/// The counts of a run of `sot test`.
#[derive(Serialize, JsonSchema)]
struct TotalsJson {
    /// Expectations that hold.
    passed: usize,
    /// Expectations that do not.
    failed: usize,
    /// Files whose cases could not run (see `problems`).
    files_with_errors: usize,
}

/// What the cases exercised, by kind.
#[derive(Serialize, JsonSchema)]
struct CoverageJson {
    /// Each kind: rules (and `for` bindings), categories, `coexist` lines, red flags, check
    /// outcomes.
    kinds: Vec<KindCoverageJson>,
    /// How many of everything were exercised.
    exercised: usize,
    /// How many there are.
    total: usize,
}

/// The coverage of one kind.
#[derive(Serialize, JsonSchema)]
struct KindCoverageJson {
    /// `rule`, `category`, `coexist line`, `red flag` or `check outcome`.
    kind: &'static str,
    /// How many some case exercised.
    exercised: usize,
    /// How many there are.
    total: usize,
    /// Those no case exercised (`name in file`).
    not_exercised: Vec<String>,
}

/// What exists and what the cases exercised, by name, across every file tested.
#[derive(Default)]
struct Tally {
    all: BTreeSet<(&'static str, String)>,
    hit: BTreeSet<(&'static str, String)>,
}

/// Runs `sot test` (once, or with `--watch` until interrupted).
pub fn run(args: &TestArgs, colors: Colors) -> ExitCode {
    if args.watch {
        return crate::watch::watch("test", &args.paths, colors, |read| once(args, colors, read));
    }
    once(args, colors, &mut Vec::new())
}

/// Tests once; pushes every file read (or looked for) onto `read`.
fn once(args: &TestArgs, colors: Colors, read: &mut Vec<PathBuf>) -> ExitCode {
    let json = args.format == Format::Json;
    let loaded = match load_paths(&args.paths) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    read.extend(loaded.read.iter().cloned());
    read.extend(args.cases.iter().cloned());
    let db = &loaded.db;
    if args.cases.is_some() && loaded.roots.len() != 1 {
        eprintln!("error: `--cases` runs case data against one protocol file; name exactly one");
        return ExitCode::from(2);
    }
    let mut report = TestJson {
        expectations: Vec::new(),
        problems: Vec::new(),
        not_run: Vec::new(),
        coverage: None,
        totals: TotalsJson {
            passed: 0,
            failed: 0,
            files_with_errors: 0,
        },
    };
    let mut io_error = false;
    let mut tally = Tally::default();
    for (path, problem) in &loaded.not_text {
        let message = format!("`{}` is {problem}", path.display());
        if json {
            report
                .problems
                .push(whole_file_json(path, Code::E0001, &message));
        } else {
            eprintln!("error[E0001]: {message}");
        }
        report.not_run.push(path.display().to_string());
        report.totals.files_with_errors += 1;
    }
    // Lowering goes file by file (one database); the cases of every file are then
    // evaluated on every core, and the results printed in the order of before.
    let files: Vec<Prepared> = loaded
        .roots
        .iter()
        .map(|file| prepare(db, *file, args.cases.as_deref()))
        .collect();
    let jobs: Vec<(&sot_ir::Program, &sot_ir::Case)> = files
        .iter()
        .filter_map(|f| match f {
            Prepared::Ready(ready) => Some(ready),
            _ => None,
        })
        .flat_map(|ready| ready.cases().iter().map(|case| (ready.program, case)))
        .collect();
    let mut results = jobs
        .par_iter()
        .map(|(program, case)| {
            let (verdicts, states) = test_case(program, case);
            let mut coverage = Coverage::default();
            states.iter().for_each(|s| coverage.add(program, s));
            (verdicts, coverage)
        })
        .collect::<Vec<_>>()
        .into_iter();
    for prepared in files {
        let ready = match prepared {
            Prepared::Errors(file) => {
                let path = file.path(db).display().to_string();
                if json {
                    report
                        .problems
                        .extend(errors_json(db, visible_files(db, file)));
                } else {
                    print_errors(db, visible_files(db, file), colors.stderr);
                    let fail = paint(colors.stdout, BAD, "FAIL");
                    outln!("{fail} {path}: the protocol has errors; its cases were not run");
                }
                report.not_run.push(path);
                report.totals.files_with_errors += 1;
                continue;
            }
            Prepared::DataProblem(data, problem) => {
                report.not_run.push(data.display().to_string());
                report.totals.files_with_errors += 1;
                match (json, problem) {
                    (_, CasesProblem::Io(message)) => {
                        eprintln!("error: {message}");
                        io_error = true;
                    }
                    (true, problem) => report.problems.extend(problem.json(&data)),
                    (false, problem) => {
                        problem.print(&data, colors.stderr);
                    }
                }
                continue;
            }
            Prepared::Ready(ready) => ready,
        };
        let (program, path, text) = (ready.program, &ready.path, &ready.text);
        let index = LineIndex::new(text);
        // What the file's cases exercised, together: one tally per file.
        let mut covered = Coverage::default();
        for (verdicts, coverage) in results.by_ref().take(ready.cases().len()) {
            for v in verdicts {
                if v.passed {
                    report.totals.passed += 1;
                } else {
                    report.totals.failed += 1;
                    if !json {
                        outln!(
                            "{} {path}:{}: case {}, visit {}: `{}`\n     found: {}",
                            paint(colors.stdout, BAD, "FAIL"),
                            v.line,
                            v.case,
                            v.visit,
                            v.text,
                            v.found
                        );
                    }
                }
                if json {
                    report.expectations.push(ExpectationJson {
                        file: path.clone(),
                        line: v.line,
                        column: line_start_column(text, &index, v.line),
                        expected: v
                            .text
                            .strip_prefix("expect ")
                            .unwrap_or(&v.text)
                            .to_string(),
                        case: v.case,
                        visit: v.visit,
                        passed: v.passed,
                        expectation: v.text,
                        found: v.found,
                    });
                }
            }
            merge(&mut covered, coverage);
        }
        tally_program(&mut tally, program, &covered);
    }
    if args.coverage {
        let coverage = coverage_of(&tally);
        if json {
            report.coverage = Some(coverage);
        } else {
            print_coverage(&coverage);
        }
    }
    for message in &loaded.io_errors {
        eprintln!("error: {message}");
    }
    let totals = &report.totals;
    let code = if !loaded.io_errors.is_empty() || io_error {
        ExitCode::from(2)
    } else if totals.failed > 0 || totals.files_with_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => outln!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        outln!("{}", summary(totals, colors.stdout));
    }
    code
}

/// A file to test, lowered, with its cases; or why its cases cannot run.
enum Prepared<'db> {
    /// The protocol, or a file it uses, has errors.
    Errors(SourceFile),
    /// The case data named by `--cases` cannot be had (its path, and why).
    DataProblem(PathBuf, CasesProblem),
    /// The cases can run.
    Ready(Ready<'db>),
}

/// A lowered protocol and the cases to test against it.
struct Ready<'db> {
    program: &'db sot_ir::Program,
    /// The cases of `--cases`; `None`: the file's own.
    data: Option<Vec<sot_ir::Case>>,
    /// The file the `expect` lines are written in, as shown.
    path: String,
    /// Its text.
    text: String,
}

impl Ready<'_> {
    /// The cases to test.
    fn cases(&self) -> &[sot_ir::Case] {
        self.data.as_deref().unwrap_or(&self.program.cases)
    }
}

/// Lowers `file` and reads the case data of `--cases` (`data`) for it.
fn prepare<'db>(db: &'db Database, file: SourceFile, data: Option<&Path>) -> Prepared<'db> {
    let Some(program) = lower_file(db, file) else {
        return Prepared::Errors(file);
    };
    match data {
        None => Prepared::Ready(Ready {
            program,
            data: None,
            path: file.path(db).display().to_string(),
            text: file.text(db).clone(),
        }),
        Some(data) => match read_json_cases(db, file, data) {
            Ok((cases, text)) => Prepared::Ready(Ready {
                program,
                data: Some(cases),
                path: data.display().to_string(),
                text,
            }),
            Err(problem) => Prepared::DataProblem(data.to_path_buf(), problem),
        },
    }
}

/// Adds what `from` exercised to `into`.
fn merge(into: &mut Coverage, from: Coverage) {
    into.fired.extend(from.fired);
    into.categories.extend(from.categories);
    into.red_flags.extend(from.red_flags);
    into.coexist.extend(from.coexist);
    into.outcomes.extend(from.outcomes);
}

/// `N passed, M failed`, and how many files had errors; the failures in colour.
fn summary(totals: &TotalsJson, color: bool) -> String {
    let passed = format!("{} passed", totals.passed);
    let failed = format!("{} failed", totals.failed);
    let failed = if totals.failed > 0 {
        paint(color, BAD, &failed)
    } else {
        failed
    };
    let files = match totals.files_with_errors {
        0 => String::new(),
        n => paint(color, BAD, &format!(" ({n} file(s) with errors)")),
    };
    let passed = if totals.failed == 0 && totals.files_with_errors == 0 {
        paint(color, GOOD, &passed)
    } else {
        passed
    };
    format!("{passed}, {failed}{files}")
}

/// The column where line `line` (1-based) of `text` starts, past its indentation.
fn line_start_column(text: &str, index: &LineIndex, line: usize) -> Option<usize> {
    let start = index.line_start(line.checked_sub(1)?)?;
    let rest = text.get(start..)?;
    let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Some(index.line_column(text, start + indent).column)
}

/// Adds a program's targets and what its cases hit, by name.
fn tally_program(tally: &mut Tally, program: &sot_ir::Program, coverage: &Coverage) {
    for (r, rule) in program.rules.iter().enumerate() {
        for (i, instance) in rule.instances.iter().enumerate() {
            let name = if instance.binding.is_empty() {
                rule.name.clone()
            } else {
                let b: Vec<String> = instance
                    .binding
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect();
                format!("{}({})", rule.name, b.join(", "))
            };
            // By file too: two protocols may each have a rule of that name.
            let name = format!("{name} in {}", rule.file);
            tally.all.insert(("rule", name.clone()));
            if coverage.fired.contains(&(r as u32, i as u32)) {
                tally.hit.insert(("rule", name));
            }
        }
    }
    for (c, category) in program.categories.iter().enumerate() {
        let name = format!("{} in {}", category.name, category.file);
        tally.all.insert(("category", name.clone()));
        if coverage.categories.contains(&(c as u32)) {
            tally.hit.insert(("category", name));
        }
    }
    for (l, line) in program.coexist.iter().enumerate() {
        let names: Vec<&str> = line
            .categories
            .iter()
            .filter_map(|c| program.categories.get(*c as usize))
            .map(|c| c.name.as_str())
            .collect();
        let name = format!("coexist {} in {}", names.join(", "), line.file);
        tally.all.insert(("coexist line", name.clone()));
        if coverage.coexist.contains(&(l as u32)) {
            tally.hit.insert(("coexist line", name));
        }
    }
    for (f, flag) in program.red_flags.iter().enumerate() {
        // A red flag with an urgency shows it: an emergency referral never exercised stands out.
        let urgency = flag
            .urgency
            .map(|u| format!(" ({})", u.word()))
            .unwrap_or_default();
        let name = format!("{}{urgency} in {}", flag.name, flag.file);
        tally.all.insert(("red flag", name.clone()));
        if coverage.red_flags.contains(&(f as u32)) {
            tally.hit.insert(("red flag", name));
        }
    }
    for (c, check) in program.checks.iter().enumerate() {
        // The outcomes that say something about care; `marginal` only where it is defined.
        let has_marginal = check.instances.iter().any(|i| i.marginal.is_some());
        for outcome in [
            Outcome::NotNeeded,
            Outcome::Complete,
            Outcome::Marginal,
            Outcome::Ineffective,
        ] {
            if outcome == Outcome::Marginal && !has_marginal {
                continue;
            }
            let name = format!("{} {} in {}", check.name, outcome.word(), check.file);
            tally.all.insert(("check outcome", name.clone()));
            if coverage.outcomes.contains(&(c as u32, outcome.word())) {
                tally.hit.insert(("check outcome", name));
            }
        }
    }
}

/// What the cases exercised, from the tally.
fn coverage_of(tally: &Tally) -> CoverageJson {
    let mut kinds = Vec::new();
    for kind in [
        "rule",
        "category",
        "coexist line",
        "red flag",
        "check outcome",
    ] {
        let all: Vec<&String> = tally
            .all
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n)
            .collect();
        // A protocol without `coexist` lines has nothing to say about them.
        if all.is_empty() && kind == "coexist line" {
            continue;
        }
        let not_exercised: Vec<String> = all
            .iter()
            .filter(|n| !tally.hit.contains(&(kind, (**n).clone())))
            .map(|n| (*n).clone())
            .collect();
        kinds.push(KindCoverageJson {
            kind,
            exercised: all.len() - not_exercised.len(),
            total: all.len(),
            not_exercised,
        });
    }
    CoverageJson {
        kinds,
        exercised: tally.all.iter().filter(|k| tally.hit.contains(k)).count(),
        total: tally.all.len(),
    }
}

fn print_coverage(coverage: &CoverageJson) {
    outln!("coverage:");
    for kind in &coverage.kinds {
        let plural = if kind.kind == "category" {
            "categories".to_string()
        } else {
            format!("{}s", kind.kind)
        };
        outln!("  {plural}: {} of {} exercised", kind.exercised, kind.total);
        for m in &kind.not_exercised {
            outln!("    not exercised: {m}");
        }
    }
    let (hit, total) = (coverage.exercised, coverage.total);
    let percent = if total == 0 {
        100.0
    } else {
        100.0 * hit as f64 / total as f64
    };
    outln!("  total: {hit} of {total} ({percent:.1}%)");
}
