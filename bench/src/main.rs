//! `cargo run --release -p sot-bench --features peers`: `sot` side by side with native Rust
//! and peer rule engines (datalogic-rs, Rhai) on the same generated work (see
//! `workload.rs`). Every engine's result (category and fired rules, per visit) is compared
//! before anything is timed. Prints the Markdown tables of BENCHMARKS.md.
//!
//! Without the `peers` feature it measures `sot` against native Rust only.
//! `sot-bench evaluate|check|recheck|memory` runs one part (`memory` in this process; the
//! whole run measures memory in a child process of its own).

mod native;
#[cfg(feature = "peers")]
mod peers;
mod workload;

use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sot_compiler::{
    file_diagnostics, json_cases, lower_file, parse_in_parallel, Database, EventLog, Severity,
};
use sot_runtime::visit::{evaluate_case, CategoryState, RuleState, VisitState};
use workload::{edited, Val, Workload, CATEGORIES, EVAL_RULES, SEED};

/// A visit's result as every engine reports it: the category (0 for none, `c + 1` for the
/// `c`-th category) and the fired rules in declaration order.
type Outcome = (u32, Vec<u32>);

/// Patients and visits of the evaluation cohort.
const PATIENTS: usize = 100;
const VISITS: usize = 5;
/// The size of the protocol for the checking and memory measurements.
const CHECK_RULES: usize = 10_000;
/// The rule that the re-check and memory measurements edit (in the middle of the protocol).
const EDITED_RULE: usize = 5_000;

fn main() -> ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        None => evaluation()
            .and_then(|()| compile_and_check())
            .and_then(|()| recheck())
            .and_then(|()| memory_in_child()),
        Some("evaluate") => evaluation(),
        Some("check") => compile_and_check(),
        Some("recheck") => recheck(),
        Some("memory") => memory(),
        Some(other) => Err(format!(
            "unknown argument `{other}`; run with none (everything) or one of \
             `evaluate`, `check`, `recheck`, `memory`"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sot-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Samples of one measurement.
struct Samples(Vec<Duration>);

impl Samples {
    /// Runs `f` `n` times, timing each.
    fn take(n: usize, mut f: impl FnMut()) -> Samples {
        let mut samples: Vec<Duration> = (0..n)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        samples.sort();
        Samples(samples)
    }

    fn at(&self, p: f64) -> Duration {
        let i = ((self.0.len() as f64 * p).ceil() as usize).clamp(1, self.0.len().max(1)) - 1;
        self.0.get(i).copied().unwrap_or_default()
    }

    fn median(&self) -> Duration {
        self.0.get(self.0.len() / 2).copied().unwrap_or_default()
    }

    fn spread(&self, unit: f64, suffix: &str) -> String {
        let (min, max) = (self.0.first(), self.0.last());
        let f = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * unit);
        format!("{:.2}–{:.2} {suffix}", f(min), f(max))
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The protocol in a fresh database, with its error diagnostics.
fn load(text: &str) -> (Database, sot_compiler::SourceFile) {
    let mut db = Database::default();
    let file = db.set_file(Path::new("bench.sot"), text.to_string());
    (db, file)
}

fn errors(db: &Database, file: sot_compiler::SourceFile) -> usize {
    file_diagnostics(db, file)
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count()
}

fn sot_outcome(state: &VisitState) -> Outcome {
    let category = match &state.category {
        CategoryState::None => 0,
        CategoryState::One(c) => c + 1,
        // The workload has no `coexist` lines: several categories are one outcome, as tied.
        CategoryState::Coexisting(_) | CategoryState::Ambiguous(_) => u32::MAX,
    };
    let fired = state
        .rules()
        .enumerate()
        .filter(|(_, s)| s.contains(&RuleState::Fired))
        .map(|(r, _)| r as u32)
        .collect();
    (category, fired)
}

/// The evaluation work for `sot`: the lowered protocol and the cohort read from JSON case data.
struct SotWork {
    program: sot_ir::Program,
    cases: Vec<sot_ir::Case>,
}

impl SotWork {
    fn new(work: &Workload, cohort: &[Vec<Vec<Val>>]) -> Result<SotWork, String> {
        let (db, file) = load(&work.sot());
        let n = errors(&db, file);
        if n > 0 {
            return Err(format!("the generated protocol has {n} error(s)"));
        }
        let program = lower_file(&db, file)
            .clone()
            .ok_or("the generated protocol does not lower")?;
        let cases = json_cases(&db, file, &work.cases_json(cohort))
            .map_err(|d| format!("the generated case data has {} problem(s)", d.len()))?;
        Ok(SotWork { program, cases })
    }

    fn outcomes(&self) -> Vec<Outcome> {
        self.cases
            .iter()
            .flat_map(|case| evaluate_case(&self.program, case))
            .map(|state| sot_outcome(&state))
            .collect()
    }
}

/// The native function's results for every visit of the cohort.
fn native_outcomes(findings: &[native::Findings]) -> Vec<Outcome> {
    let mut fired = Vec::new();
    findings
        .iter()
        .map(|f| {
            let category = native::evaluate(f, &mut fired);
            (category, fired.clone())
        })
        .collect()
}

/// Compares two engines' results visit by visit.
fn agree(name: &str, expected: &[Outcome], got: &[Outcome]) -> Result<(), String> {
    if expected.len() != got.len() {
        return Err(format!(
            "{name} evaluated {} visits, sot {}",
            got.len(),
            expected.len()
        ));
    }
    match expected.iter().zip(got).position(|(a, b)| a != b) {
        None => Ok(()),
        Some(v) => Err(format!(
            "{name} differs from sot at visit {v}: sot {:?}, {name} {:?}",
            expected[v], got[v]
        )),
    }
}

/// Times one engine over every visit of the cohort: 7 samples, each long enough to time
/// (at least 50 ms), as time per visit.
fn per_visit(visits: usize, mut pass: impl FnMut()) -> Samples {
    let start = Instant::now();
    pass();
    let once = start.elapsed().as_secs_f64().max(1e-9);
    let passes = ((0.05 / once).ceil() as usize).max(1);
    let samples = Samples::take(7, || {
        for _ in 0..passes {
            pass();
        }
    });
    Samples(
        samples
            .0
            .iter()
            .map(|d| d.div_f64((passes * visits) as f64))
            .collect(),
    )
}

/// One row of the evaluation table.
struct EvalRow {
    engine: &'static str,
    samples: Samples,
}

/// Metric (4): visits per second with the 1,000-rule protocol, every engine.
fn evaluation() -> Result<(), String> {
    let work = Workload::generate(SEED, EVAL_RULES, CATEGORIES);
    if work.native() != include_str!(concat!(env!("OUT_DIR"), "/native.rs")) {
        return Err("the native function is older than the workload; rebuild".into());
    }
    let cohort = work.cohort(SEED, PATIENTS, VISITS);
    let visits: Vec<&Vec<Val>> = cohort.iter().flatten().collect();
    let n = visits.len();

    // The same results from every engine, before anything is timed.
    let sot = SotWork::new(&work, &cohort)?;
    let expected = sot.outcomes();
    let natives: Vec<native::Findings> = visits
        .iter()
        .map(|v| native::findings(v))
        .collect::<Option<_>>()
        .ok_or("the cohort does not fit the native findings")?;
    agree("native", &expected, &native_outcomes(&natives))?;
    let fired: usize = expected.iter().map(|o| o.1.len()).sum();
    let categorised = expected.iter().filter(|o| o.0 != 0).count();
    println!(
        "Evaluation workload: {EVAL_RULES} rules, {} indicators, {CATEGORIES} categories, {} checks; \
         {PATIENTS} patients × {VISITS} visits = {n} visits ({categorised} with a category, \
         {:.1} rules fired per visit). Results identical across engines: native ✓",
        work.kinds.len(),
        work.checks.len(),
        fired as f64 / n as f64
    );

    let mut rows = vec![
        EvalRow {
            engine: "native Rust (generated at build time)",
            samples: per_visit(n, || {
                std::hint::black_box(native_outcomes(&natives));
            }),
        },
        EvalRow {
            engine: "sot (IR interpreter, Kleene logic, checks too)",
            samples: per_visit(n, || {
                for case in &sot.cases {
                    std::hint::black_box(evaluate_case(&sot.program, case));
                }
            }),
        },
    ];
    rows.extend(peer_rows(&work, &visits, &expected)?);

    println!();
    println!("| engine | per visit (median) | spread | visits/s | ns per rule | ratio to native | sot is faster by |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let native_time = rows[0].samples.median().as_secs_f64();
    let sot_time = rows[1].samples.median().as_secs_f64();
    for row in &rows {
        let t = row.samples.median().as_secs_f64();
        println!(
            "| {} | {:.2} µs | {} | {:.0} | {:.1} | {:.1}× | {} |",
            row.engine,
            t * 1e6,
            row.samples.spread(1e6, "µs"),
            1.0 / t,
            t * 1e9 / EVAL_RULES as f64,
            t / native_time,
            if row.engine.starts_with("sot") || row.engine.starts_with("native") {
                "".to_string()
            } else {
                format!("{:.1}×", t / sot_time)
            }
        );
    }
    Ok(())
}

#[cfg(not(feature = "peers"))]
fn peer_rows(_: &Workload, _: &[&Vec<Val>], _: &[Outcome]) -> Result<Vec<EvalRow>, String> {
    println!("(peers left out: build with `--features peers`)");
    Ok(Vec::new())
}

#[cfg(feature = "peers")]
fn peer_rows(
    work: &Workload,
    visits: &[&Vec<Val>],
    expected: &[Outcome],
) -> Result<Vec<EvalRow>, String> {
    use datalogic_rs::bumpalo::Bump;

    let n = visits.len();
    let logic = peers::DataLogic::compile(&work.jsonlogic())?;
    let data: Vec<_> = visits
        .iter()
        .map(|v| peers::DataLogic::data(v))
        .collect::<Result<_, _>>()?;
    let mut arena = Bump::new();
    let run_logic = |arena: &mut Bump| -> Result<Vec<Outcome>, String> {
        data.iter()
            .map(|d| {
                arena.reset();
                logic.evaluate(d, arena)
            })
            .collect()
    };
    agree("datalogic-rs", expected, &run_logic(&mut arena)?)?;

    let rhai = peers::Rhai::compile(&work.rhai())?;
    let maps: Vec<_> = visits.iter().map(|v| peers::Rhai::data(v)).collect();
    let run_rhai =
        || -> Result<Vec<Outcome>, String> { maps.iter().map(|m| rhai.evaluate(m)).collect() };
    agree("rhai", expected, &run_rhai()?)?;
    println!("Results identical across engines: datalogic-rs ✓ rhai ✓");

    Ok(vec![
        EvalRow {
            engine: "datalogic-rs 5.4 (JSONLogic, compiled once)",
            samples: per_visit(n, || {
                std::hint::black_box(run_logic(&mut arena).ok());
            }),
        },
        EvalRow {
            engine: "Rhai 1.27 (script compiled once)",
            samples: per_visit(n, || {
                std::hint::black_box(run_rhai().ok());
            }),
        },
    ])
}

/// A measured compile step: what, the bytes compiled, the samples.
type CompileRow = (&'static str, usize, Samples);

#[cfg(not(feature = "peers"))]
fn peer_compile_rows(_: &Workload) -> Vec<CompileRow> {
    Vec::new()
}

/// The peers' compile step on the same rules.
#[cfg(feature = "peers")]
fn peer_compile_rows(work: &Workload) -> Vec<CompileRow> {
    let json = work.jsonlogic();
    let engine = datalogic_rs::Engine::new();
    let logic = Samples::take(7, || {
        std::hint::black_box(engine.compile(json.as_str()).is_ok());
    });
    let script = work.rhai();
    let engine = rhai::Engine::new();
    let rhai = Samples::take(7, || {
        std::hint::black_box(engine.compile(script.as_str()).is_ok());
    });
    vec![
        ("datalogic-rs: compile", json.len(), logic),
        ("rhai: compile", script.len(), rhai),
    ]
}

/// Metrics (1) and (2): parse+check throughput and the full check of 10,000 rules, with the
/// peers' compile step on the same rules.
fn compile_and_check() -> Result<(), String> {
    let work = Workload::generate(SEED, CHECK_RULES, CATEGORIES);
    let text = work.sot();
    let (db, file) = load(&text);
    let n = errors(&db, file);
    if n > 0 {
        return Err(format!("the {CHECK_RULES}-rule protocol has {n} error(s)"));
    }
    drop(db);
    let check = Samples::take(7, || {
        let (db, file) = load(&text);
        std::hint::black_box(file_diagnostics(&db, file).len());
    });
    let parallel = Samples::take(7, || {
        let (db, file) = load(&text);
        parse_in_parallel(&db, file);
        std::hint::black_box(file_diagnostics(&db, file).len());
    });
    let mut rows: Vec<CompileRow> = vec![
        (
            "sot: parse + check (fresh database, every diagnostic)",
            text.len(),
            check,
        ),
        (
            "sot: the same, items parsed on every core first",
            text.len(),
            parallel,
        ),
    ];
    rows.extend(peer_compile_rows(&work));
    println!();
    println!("| {CHECK_RULES} rules | text | median | spread | throughput |");
    println!("| --- | --- | --- | --- | --- |");
    for (what, bytes, samples) in &rows {
        println!(
            "| {what} | {:.2} MB | {} | {} | {:.1} MB/s |",
            *bytes as f64 / 1e6,
            ms(samples.median()),
            samples.spread(1e3, "ms"),
            *bytes as f64 / 1e6 / samples.median().as_secs_f64()
        );
    }
    Ok(())
}

/// Metric (3): re-check after a one-rule edit through one salsa database; the salsa
/// executions per edit are counted in a second database with an event log (logging slows
/// salsa down, so the timed one has none).
fn recheck() -> Result<(), String> {
    let text = Workload::generate(SEED, CHECK_RULES, CATEGORIES).sot();
    let edits: Vec<String> = (0..100)
        .map(|i| edited(&text, EDITED_RULE, i % 3 + 1))
        .collect::<Option<_>>()
        .ok_or("rule r_5000 is not in the generated protocol")?;
    let path = Path::new("bench.sot");
    let mut db = Database::default();
    let file = db.set_file(path, text.clone());
    let full = Instant::now();
    file_diagnostics(&db, file);
    let full = full.elapsed();
    let mut next = edits.iter();
    let samples = Samples::take(edits.len(), || {
        if let Some(edit) = next.next() {
            db.set_file(path, edit.clone());
            std::hint::black_box(file_diagnostics(&db, file).len());
        }
    });

    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let file = db.set_file(path, text.clone());
    file_diagnostics(&db, file);
    let mut executions = Vec::new();
    for edit in edits.iter().take(10) {
        log.lock().map(|mut l| l.clear()).ok();
        db.set_file(path, edit.clone());
        file_diagnostics(&db, file);
        executions.push(log.lock().map(|l| l.len()).unwrap_or_default());
    }
    executions.sort();
    println!();
    println!("| re-check after a one-rule edit ({CHECK_RULES} rules) | median | p95 | spread | salsa executions | faster than the full check |");
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| through one salsa database (100 edits) | {} | {} | {} | {} | {:.0}× ({}) |",
        ms(samples.median()),
        ms(samples.at(0.95)),
        samples.spread(1e3, "ms"),
        executions
            .get(executions.len() / 2)
            .copied()
            .unwrap_or_default(),
        full.as_secs_f64() / samples.median().as_secs_f64(),
        ms(full)
    );
    Ok(())
}

/// A line of `/proc/self/status` in kB.
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Metric (5), in a process of its own: resident memory with the 10,000-rule protocol
/// checked, after 10 one-rule edits and after 1,000; printed as four numbers in kB.
fn memory() -> Result<(), String> {
    let text = Workload::generate(SEED, CHECK_RULES, CATEGORIES).sot();
    let mut db = Database::default();
    let path = Path::new("bench.sot");
    let file = db.set_file(path, text.clone());
    file_diagnostics(&db, file);
    let loaded = status_kb("VmRSS:");
    let mut after = Vec::new();
    for i in 0..1000 {
        let edit = edited(&text, EDITED_RULE, i % 3 + 1).ok_or("rule r_5000 is missing")?;
        db.set_file(path, edit);
        file_diagnostics(&db, file);
        if i == 9 || i == 999 {
            after.push(status_kb("VmRSS:"));
        }
    }
    let values = [loaded, after[0], after[1], status_kb("VmHWM:")];
    let values: Vec<String> = values.iter().map(|v| v.unwrap_or(0).to_string()).collect();
    println!("{}", values.join(" "));
    Ok(())
}

fn memory_in_child() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("memory")
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kb: Vec<f64> = text
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let [loaded, ten, thousand, peak] = kb.as_slice() else {
        return Err(format!("the memory child printed `{}`", text.trim()));
    };
    println!();
    println!("| resident memory, {CHECK_RULES}-rule protocol checked | MB |");
    println!("| --- | --- |");
    println!("| loaded and checked | {:.0} |", loaded / 1024.0);
    println!("| after 10 one-rule edits | {:.0} |", ten / 1024.0);
    println!("| after 1,000 one-rule edits | {:.0} |", thousand / 1024.0);
    println!("| peak (VmHWM) | {:.0} |", peak / 1024.0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sot` and the generated native function agree on every visit of a cohort, and the
    /// work is not trivial: categories are chosen and rules fire.
    #[test]
    fn sot_and_native_agree() {
        let work = Workload::generate(SEED, EVAL_RULES, CATEGORIES);
        let cohort = work.cohort(SEED, 20, 3);
        let sot = SotWork::new(&work, &cohort).expect("the generated work loads");
        let expected = sot.outcomes();
        let natives: Vec<native::Findings> = cohort
            .iter()
            .flatten()
            .map(|v| native::findings(v).expect("typed findings"))
            .collect();
        assert_eq!(expected.len(), 60);
        agree("native", &expected, &native_outcomes(&natives)).expect("identical results");
        assert!(expected.iter().any(|o| o.0 != 0));
        assert!(expected.iter().any(|o| o.0 == 0));
        assert!(expected.iter().all(|o| !o.1.is_empty()));
    }

    /// The peers compute the same categories and fired rules as `sot` on every visit.
    #[cfg(feature = "peers")]
    #[test]
    fn the_peers_agree_with_sot() {
        let work = Workload::generate(SEED, EVAL_RULES, CATEGORIES);
        let cohort = work.cohort(SEED, 10, 3);
        let visits: Vec<&Vec<Val>> = cohort.iter().flatten().collect();
        let expected = SotWork::new(&work, &cohort).expect("loads").outcomes();
        let rows = peer_rows(&work, &visits, &expected).expect("the peers agree");
        assert_eq!(rows.len(), 2);
    }

    /// The edit used by the re-check and memory measurements changes the rule and moves the
    /// rest of the text.
    #[test]
    fn the_edit_lengthens_one_rule() {
        let text = Workload::generate(SEED, CHECK_RULES, CATEGORIES).sot();
        let edit = edited(&text, EDITED_RULE, 2).expect("rule r_5000 exists");
        assert!(edit.len() > text.len());
        let (db, file) = load(&edit);
        assert_eq!(errors(&db, file), 0);
    }
}
