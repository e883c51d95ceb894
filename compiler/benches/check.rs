//! `cargo bench -p sot-compiler`: how long `sot check`'s work takes on generated protocols
//! (`tools/gen_protocol.py`), from scratch and after a one-rule edit. Prints a Markdown table
//! for BENCHMARKS.md.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sot_compiler::{file_diagnostics, Database, EventLog};

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

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[i]
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
    }

    // Re-check after editing one rule's body, 100 times, in one database.
    let Some(text) = generate(10_000) else { return };
    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let path = Path::new("big.sot");
    let file = db.set_file(path, text.clone());
    let full = Instant::now();
    file_diagnostics(&db, file);
    let full = full.elapsed();
    let mut samples = Vec::new();
    let mut executions = Vec::new();
    let target = "rule r_5000 {";
    let Some(at) = text.find(target) else { return };
    for i in 0..100 {
        let mut edited = text.clone();
        // Change the rule's body, and its length (so later items move), differently each time.
        let extra = " and ind_0 != none".repeat(i % 3 + 1);
        let when = at + edited[at..].find("\n  when ").unwrap_or(0);
        let line_end = when + 1 + edited[when + 1..].find('\n').unwrap_or(0);
        edited.insert_str(line_end, &extra);
        log.lock().map(|mut l| l.clear()).ok();
        let start = Instant::now();
        db.set_file(path, edited);
        std::hint::black_box(file_diagnostics(&db, file).len());
        samples.push(start.elapsed());
        executions.push(log.lock().map(|l| l.len()).unwrap_or_default());
        if i == 0 && std::env::var_os("SOT_BENCH_LOG").is_some() {
            eprintln!("{:?}", log.lock().map(|l| l.clone()).unwrap_or_default());
        }
    }
    executions.sort();
    println!(
        "| re-check after a one-rule edit | 10000 rules | {} (p95 {}) | {}–{}; {} salsa executions per edit; {:.0}× faster than the full check ({}) |",
        ms(median(samples.clone())),
        ms(percentile(samples.clone(), 0.95)),
        ms(samples.iter().min().copied().unwrap_or_default()),
        ms(samples.iter().max().copied().unwrap_or_default()),
        executions[executions.len() / 2],
        full.as_secs_f64() / median(samples).as_secs_f64(),
        ms(full),
    );
}
