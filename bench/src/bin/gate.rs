//! `gate`: a speed regression gate that noise cannot fool. Each workload runs once in a
//! process of its own under Callgrind, which counts the instructions executed inside its
//! measured function only (`--toggle-collect`); the counts are compared with the committed
//! baseline (`bench/gate-baseline.json`), and a rise of more than [`TOLERANCE_PERCENT`] fails.
//!
//! ```sh
//! cargo build --release -p sot-bench --bin gate
//! target/release/gate            # measure and compare (exit status 1 on a rise)
//! target/release/gate --bless    # measure and write the baseline
//! ```
//!
//! The workloads (the benchmark's seeded generator, `workload.rs`):
//! - `parse_check`: a 1,000-rule protocol parsed and checked in a fresh database;
//! - `evaluate`: 100 visits (20 patients × 5) of the 1,000-rule protocol evaluated;
//! - `recheck`: 5 re-checks of the 10,000-rule protocol, each after a one-rule edit.

#[path = "../workload.rs"]
#[allow(dead_code)]
mod workload;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sot_compiler::{file_diagnostics, json_cases, lower_file, Database, SourceFile};
use sot_runtime::visit::{evaluate_case, RuleState};
use workload::{edited, Workload, CATEGORIES, EVAL_RULES, SEED};

/// A rise of more than this, in percent of the baseline's count, fails the gate.
const TOLERANCE_PERCENT: f64 = 3.0;
/// The rules of the protocol that `recheck` edits.
const RECHECK_RULES: usize = 10_000;
/// The workloads, by name; each is measured by the function `gate::measure_NAME`.
const WORKLOADS: [&str; 3] = ["parse_check", "evaluate", "recheck"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["measure", name] => measure(name).map(|()| true),
        [] => gate(&baseline_path(), false),
        ["--bless"] => gate(&baseline_path(), true),
        ["--baseline", path] => gate(Path::new(path), false),
        ["--baseline", path, "--bless"] | ["--bless", "--baseline", path] => {
            gate(Path::new(path), true)
        }
        _ => Err(
            "usage: gate [--bless] [--baseline FILE.json]  (or: gate measure NAME, \
             which the gate runs under valgrind)"
                .to_string(),
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("gate: {e}");
            ExitCode::from(2)
        }
    }
}

/// The committed baseline.
fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("gate-baseline.json")
}

/// Measures every workload under Callgrind; compares the counts with the baseline at `path`
/// (`Ok(false)` when one rose too much), or writes them there (`bless`).
fn gate(path: &Path, bless: bool) -> Result<bool, String> {
    let mut measured = BTreeMap::new();
    for name in WORKLOADS {
        let count = callgrind(name)?;
        eprintln!("gate: {name}: {count} instructions");
        measured.insert(name.to_string(), count);
    }
    if bless {
        let json = serde_json::json!({
            "about": "Instructions counted by Callgrind in each workload of bench/src/bin/gate.rs \
                      (release build). Written by `target/release/gate --bless`; see BENCHMARKS.md.",
            "instructions": measured,
        });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        println!("wrote the baseline `{}`", path.display());
        return Ok(true);
    }
    let baseline = read_baseline(path)?;
    let verdicts = compare(&baseline, &measured, TOLERANCE_PERCENT);
    println!("| workload | baseline | measured | change | verdict |");
    println!("| --- | --- | --- | --- | --- |");
    for v in &verdicts {
        println!("{}", v.row());
    }
    let passed = verdicts.iter().all(|v| v.passed());
    if !passed {
        println!(
            "the gate fails: a rise of more than {TOLERANCE_PERCENT} % (or a workload without \
             a baseline); if it is intended, `target/release/gate --bless` writes the new baseline"
        );
    }
    Ok(passed)
}

/// The baseline's counts by workload.
fn read_baseline(path: &Path) -> Result<BTreeMap<String, u64>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the baseline `{}`: {e}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("the baseline `{}` is not JSON: {e}", path.display()))?;
    let counts = json["instructions"]
        .as_object()
        .ok_or_else(|| format!("the baseline `{}` has no `instructions`", path.display()))?;
    counts
        .iter()
        .map(|(name, count)| match count.as_u64() {
            Some(count) => Ok((name.clone(), count)),
            None => Err(format!("the baseline's `{name}` is not a count: {count}")),
        })
        .collect()
}

/// One workload's count against its baseline.
#[derive(Debug, PartialEq)]
struct Verdict {
    name: String,
    baseline: Option<u64>,
    measured: u64,
    tolerance: f64,
}

impl Verdict {
    /// The change in percent of the baseline (`None` without a baseline).
    fn change(&self) -> Option<f64> {
        let base = self.baseline?;
        Some((self.measured as f64 - base as f64) / (base.max(1) as f64) * 100.0)
    }

    /// Within the tolerance (a fall always is); a workload without a baseline is not.
    fn passed(&self) -> bool {
        self.change().is_some_and(|c| c <= self.tolerance)
    }

    /// The verdict as a Markdown table row.
    fn row(&self) -> String {
        let (baseline, change) = match (self.baseline, self.change()) {
            (Some(b), Some(c)) => (b.to_string(), format!("{c:+.2} %")),
            _ => ("none".to_string(), String::new()),
        };
        let verdict = match (self.passed(), self.change()) {
            (true, Some(c)) if c < -self.tolerance => "pass (fell: `--bless` to keep it)",
            (true, _) => "pass",
            (false, None) => "FAIL (no baseline)",
            (false, Some(_)) => "FAIL (rose)",
        };
        format!(
            "| {} | {baseline} | {} | {change} | {verdict} |",
            self.name, self.measured
        )
    }
}

/// Each measured workload against the baseline, allowing a rise of `tolerance` percent.
fn compare(
    baseline: &BTreeMap<String, u64>,
    measured: &BTreeMap<String, u64>,
    tolerance: f64,
) -> Vec<Verdict> {
    measured
        .iter()
        .map(|(name, &measured)| Verdict {
            name: name.clone(),
            baseline: baseline.get(name).copied(),
            measured,
            tolerance,
        })
        .collect()
}

/// Runs `gate measure NAME` under Callgrind, counting only inside `gate::measure_NAME`;
/// the instructions counted.
fn callgrind(name: &str) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the gate binary: {e}"))?;
    let out_file =
        std::env::temp_dir().join(format!("sot-gate-{}-{name}.callgrind", std::process::id()));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect=gate::measure_{name}"))
        .arg(&exe)
        .args(["measure", name])
        .output()
        .map_err(|e| {
            format!("cannot run valgrind (install it: `apt-get install valgrind`): {e}")
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "`{name}` under valgrind failed ({}):\n{}",
            output.status,
            tail.join("\n")
        ));
    }
    let text = std::fs::read_to_string(&out_file)
        .map_err(|e| format!("cannot read `{}`: {e}", out_file.display()))?;
    let _ = std::fs::remove_file(&out_file);
    let count = summary(&text).ok_or_else(|| {
        format!(
            "`{}` has no `summary:` line of instructions",
            out_file.display()
        )
    })?;
    if count == 0 {
        return Err(format!(
            "no instruction was counted in `gate::measure_{name}`: the function was not found \
             (inlined, or its symbol renamed)"
        ));
    }
    Ok(count)
}

/// The total of the first event (instructions, `Ir`) in a Callgrind output file.
fn summary(text: &str) -> Option<u64> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("summary:"))
        .or_else(|| text.lines().find_map(|l| l.strip_prefix("totals:")))?;
    line.split_whitespace().next()?.parse().ok()
}

/// The child: prepares workload `name` outside the measured function, then runs it.
fn measure(name: &str) -> Result<(), String> {
    let done = match name {
        "parse_check" => {
            let text = Workload::generate(SEED, EVAL_RULES, CATEGORIES).sot();
            measure_parse_check(&text)
        }
        "evaluate" => {
            let work = Workload::generate(SEED, EVAL_RULES, CATEGORIES);
            let (db, file) = checked(&work.sot())?;
            let program = lower_file(&db, file)
                .as_ref()
                .ok_or("the generated protocol does not lower")?;
            let cases = json_cases(&db, file, &work.cases_json(&work.cohort(SEED, 20, 5)))
                .map_err(|d| format!("the generated case data has {} problem(s)", d.len()))?;
            measure_evaluate(program, &cases)
        }
        "recheck" => {
            let text = Workload::generate(SEED, RECHECK_RULES, CATEGORIES).sot();
            let edits: Vec<String> = (1..=5)
                .map(|extra| edited(&text, RECHECK_RULES / 2, extra))
                .collect::<Option<_>>()
                .ok_or("the rule to edit is not in the generated protocol")?;
            let (mut db, _) = checked(&text)?;
            measure_recheck(&mut db, &edits)
        }
        other => return Err(format!("no workload `{other}`; they are {WORKLOADS:?}")),
    };
    if done == 0 {
        return Err(format!("workload `{name}` did nothing"));
    }
    println!("{name}: {done}");
    Ok(())
}

/// The path every workload's protocol has.
const PATH: &str = "gate.sot";

/// `text` in a fresh database, checked without errors.
fn checked(text: &str) -> Result<(Database, SourceFile), String> {
    let mut db = Database::default();
    let file = db.set_file(Path::new(PATH), text.to_string());
    let errors = file_diagnostics(&db, file)
        .iter()
        .filter(|d| d.severity() == sot_compiler::Severity::Error)
        .count();
    match errors {
        0 => Ok((db, file)),
        n => Err(format!("the generated protocol has {n} error(s)")),
    }
}

/// Measured: a fresh database, the protocol set and fully checked; the diagnostics and the
/// text's length (so that a protocol without diagnostics counts as work done).
#[inline(never)]
fn measure_parse_check(text: &str) -> usize {
    let mut db = Database::default();
    let file = db.set_file(Path::new(PATH), text.to_string());
    std::hint::black_box(file_diagnostics(&db, file).len()) + text.len()
}

/// Measured: every visit of every case evaluated; the rules fired in all.
#[inline(never)]
fn measure_evaluate(program: &sot_ir::Program, cases: &[sot_ir::Case]) -> usize {
    let mut fired = 0;
    for case in cases {
        for state in evaluate_case(program, case) {
            fired += state
                .rules()
                .flatten()
                .filter(|s| **s == RuleState::Fired)
                .count();
        }
    }
    std::hint::black_box(fired)
}

/// Measured: each edit set and the file checked again; the diagnostics seen in all, plus
/// one per edit.
#[inline(never)]
fn measure_recheck(db: &mut Database, edits: &[String]) -> usize {
    let mut seen = 0;
    for edit in edits {
        let file = db.set_file(Path::new(PATH), edit.clone());
        seen += std::hint::black_box(file_diagnostics(db, file).len()) + 1;
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn a_rise_over_the_tolerance_fails_and_one_within_passes() {
        let baseline = counts(&[("a", 1_000_000), ("b", 1_000_000), ("c", 1_000_000)]);
        let measured = counts(&[("a", 1_030_000), ("b", 1_030_001), ("c", 900_000)]);
        let verdicts = compare(&baseline, &measured, 3.0);
        let passed: Vec<(&str, bool)> = verdicts
            .iter()
            .map(|v| (v.name.as_str(), v.passed()))
            .collect();
        assert_eq!(passed, [("a", true), ("b", false), ("c", true)]);
        assert!(
            verdicts[1].row().contains("FAIL (rose)"),
            "{}",
            verdicts[1].row()
        );
        assert!(
            verdicts[1].row().contains("+3.00 %"),
            "{}",
            verdicts[1].row()
        );
        assert!(verdicts[2].row().contains("fell"), "{}", verdicts[2].row());
    }

    #[test]
    fn a_workload_without_a_baseline_fails() {
        let verdicts = compare(&counts(&[]), &counts(&[("new", 5)]), 3.0);
        assert!(!verdicts[0].passed());
        assert!(verdicts[0].row().contains("no baseline"));
    }

    #[test]
    fn the_summary_line_is_read() {
        let text = "version: 1\nevents: Ir\nsummary: 450411\nfn=(1) x\ntotals: 450411\n";
        assert_eq!(summary(text), Some(450_411));
        assert_eq!(summary("events: Ir\ntotals: 12\n"), Some(12));
        assert_eq!(summary("events: Ir\n"), None);
    }

    #[test]
    fn the_committed_baseline_names_every_workload() {
        let baseline = read_baseline(&baseline_path()).expect("the committed baseline reads");
        for name in WORKLOADS {
            assert!(baseline.get(name).is_some_and(|c| *c > 0), "{name}");
        }
    }

    /// Each workload does its work (outside valgrind: the same code the gate measures).
    #[test]
    fn every_workload_runs() {
        for name in WORKLOADS {
            measure(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(measure("nothing").is_err());
    }
}
