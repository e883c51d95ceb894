//! `cargo bench -p sot-compiler`: how long `sot check`'s work takes on generated protocols
//! (`tools/gen_protocol.py`), from scratch. Prints a Markdown table for BENCHMARKS.md. The
//! re-check after an edit is measured by `sot-bench` (bench/), with the peers.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sot_compiler::{file_analyses, file_diagnostics, Code, Database};

fn generate(rules: usize) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(rules.to_string())
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok().filter(|s| !s.is_empty())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn full_check(text: &str) -> Duration {
    let start = Instant::now();
    let mut db = Database::default();
    let file = db.set_file(Path::new("big.sot"), text.to_string());
    let n = file_diagnostics(&db, file).len();
    let elapsed = start.elapsed();
    std::hint::black_box(n);
    elapsed
}

/// The static analyses (lowering included) after a full check, in the same database, and
/// how many questions they left undecided (W0600).
fn analyses(path: &Path, text: &str) -> (Duration, usize) {
    let mut db = Database::default();
    let file = db.set_file(path, text.to_string());
    std::hint::black_box(file_diagnostics(&db, file).len());
    let start = Instant::now();
    let undecided = file_analyses(&db, file)
        .iter()
        .filter(|d| d.code == Code::W0600)
        .count();
    (start.elapsed(), undecided)
}

fn main() {
    println!("| work | size | median | spread (min–max) |");
    println!("| --- | --- | --- | --- |");
    for rules in [1_000, 10_000] {
        let Some(text) = generate(rules) else {
            eprintln!("python3 tools/gen_protocol.py failed; is python3 installed?");
            return;
        };
        let samples: Vec<Duration> = (0..7).map(|_| full_check(&text)).collect();
        let (min, max) = (samples.iter().min().copied(), samples.iter().max().copied());
        println!(
            "| full check | {rules} rules, {:.2} MB | {} | {}–{} |",
            text.len() as f64 / 1e6,
            ms(median(samples.clone())),
            ms(min.unwrap_or_default()),
            ms(max.unwrap_or_default()),
        );
        let mb_per_s = text.len() as f64 / 1e6 / median(samples).as_secs_f64();
        println!("| parse + check throughput | {rules} rules | {mb_per_s:.1} MB/s | |");
        let runs: Vec<(Duration, usize)> = (0..7)
            .map(|_| analyses(Path::new("big.sot"), &text))
            .collect();
        let undecided = runs.iter().map(|(_, u)| *u).max().unwrap_or_default();
        let samples: Vec<Duration> = runs.into_iter().map(|(d, _)| d).collect();
        let (min, max) = (samples.iter().min().copied(), samples.iter().max().copied());
        println!(
            "| static analyses W0600–W0608 (lowering included; {undecided} undecided) | {rules} rules | {} | {}–{} |",
            ms(median(samples)),
            ms(min.unwrap_or_default()),
            ms(max.unwrap_or_default()),
        );
    }
}
