//! `sot test`: the `expect` lines of every case, as a test suite, with rule coverage.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{lower_file, visible_files};
use sot_runtime::expect::{test_case, Coverage};
use sot_runtime::visit::Outcome;

use crate::check::print_errors;
use crate::load::load_paths;

/// Arguments of `sot test`.
#[derive(Args)]
pub struct TestArgs {
    /// Files or folders (every `*.sot` below) whose cases to run. Default: the current folder.
    paths: Vec<PathBuf>,
    /// Also list the rules (and `for` bindings), categories, red flags and check outcomes
    /// that no case exercised, with the percentage covered.
    #[arg(long)]
    coverage: bool,
    /// Run the `expect` lines of this JSON case data against the one protocol file named.
    #[arg(long, value_name = "DATA.json")]
    cases: Option<PathBuf>,
}

/// What exists and what the cases exercised, by name, across every file tested.
#[derive(Default)]
struct Tally {
    all: BTreeSet<(&'static str, String)>,
    hit: BTreeSet<(&'static str, String)>,
}

/// Runs `sot test`.
pub fn run(args: &TestArgs, color: bool) -> ExitCode {
    let loaded = match load_paths(&args.paths) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    if args.cases.is_some() && loaded.roots.len() != 1 {
        eprintln!("error: `--cases` runs case data against one protocol file; name exactly one");
        return ExitCode::from(2);
    }
    let (mut passed, mut failed, mut broken_files) = (0usize, 0usize, 0usize);
    let mut tally = Tally::default();
    for (path, problem) in &loaded.not_text {
        eprintln!("error[E0001]: `{}` is {problem}", path.display());
        broken_files += 1;
    }
    for file in &loaded.roots {
        let path = file.path(db).display().to_string();
        let Some(program) = lower_file(db, *file) else {
            print_errors(db, visible_files(db, *file), color);
            outln!("FAIL {path}: the protocol has errors; its cases were not run");
            broken_files += 1;
            continue;
        };
        let json_cases;
        let (cases, path) = match &args.cases {
            None => (&program.cases, path),
            Some(data) => match crate::run::read_json_cases(db, *file, data, color) {
                Ok(cases) => {
                    json_cases = cases;
                    (&json_cases, data.display().to_string())
                }
                Err(_) => {
                    broken_files += 1;
                    continue;
                }
            },
        };
        for case in cases {
            let (verdicts, states) = test_case(program, case);
            for v in verdicts {
                match v.failure {
                    None => passed += 1,
                    Some(found) => {
                        failed += 1;
                        outln!(
                            "FAIL {path}:{}: case {}, visit {}: `{}`\n     found: {found}",
                            v.line,
                            v.case,
                            v.visit,
                            v.text
                        );
                    }
                }
            }
            let mut coverage = Coverage::default();
            states.iter().for_each(|s| coverage.add(program, s));
            tally_program(&mut tally, program, &coverage);
        }
        if cases.is_empty() {
            let empty = Coverage::default();
            tally_program(&mut tally, program, &empty);
        }
    }
    if args.coverage {
        print_coverage(&tally);
    }
    for message in &loaded.io_errors {
        eprintln!("error: {message}");
    }
    let files = if broken_files > 0 {
        format!(" ({broken_files} file(s) with errors)")
    } else {
        String::new()
    };
    outln!("{passed} passed, {failed} failed{files}");
    if !loaded.io_errors.is_empty() {
        ExitCode::from(2)
    } else if failed > 0 || broken_files > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

fn print_coverage(tally: &Tally) {
    outln!("coverage:");
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
        let missed: Vec<&String> = all
            .iter()
            .copied()
            .filter(|n| !tally.hit.contains(&(kind, (*n).clone())))
            .collect();
        let covered = all.len() - missed.len();
        let plural = if kind == "category" {
            "categories".to_string()
        } else {
            format!("{kind}s")
        };
        outln!("  {plural}: {covered} of {} exercised", all.len());
        for m in missed {
            outln!("    not exercised: {m}");
        }
    }
    let total = tally.all.len();
    let hit = tally.all.iter().filter(|k| tally.hit.contains(k)).count();
    let percent = if total == 0 {
        100.0
    } else {
        100.0 * hit as f64 / total as f64
    };
    outln!("  total: {hit} of {total} ({percent:.1}%)");
}
