//! `cargo bench -p sot-bench --bench evaluate`: how many visits per second the interpreter evaluates with a
//! generated 1,000-rule protocol (`tools/gen_protocol.py 1000 50`: 50 cases of 2 visits).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sot_compiler::{lower_file, Database};
use sot_runtime::visit::evaluate_case;

fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let Some(text) = Command::new("python3")
        .arg(script)
        .args(["1000", "50"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
    else {
        eprintln!("python3 tools/gen_protocol.py failed");
        return;
    };
    let mut db = Database::default();
    let file = db.set_file(Path::new("bench.sot"), text);
    let Some(program) = lower_file(&db, file) else {
        eprintln!("the generated protocol has errors");
        return;
    };
    let instances: usize = program.rules.iter().map(|r| r.instances.len()).sum();
    let visits_per_round: usize = program.cases.iter().map(|c| c.visits.len()).sum();
    let mut samples = Vec::new();
    for _ in 0..7 {
        let rounds = 40;
        let start = Instant::now();
        for _ in 0..rounds {
            for case in &program.cases {
                std::hint::black_box(evaluate_case(program, case));
            }
        }
        let per_visit = start.elapsed().as_secs_f64() / (rounds * visits_per_round) as f64;
        samples.push(per_visit);
    }
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!("| work | median | spread (min–max) |");
    println!("| --- | --- | --- |");
    println!(
        "| evaluate one visit, 1,000 rules ({instances} rule instances with `for` bindings expanded) | {:.1} µs ({:.0} visits/s, {:.0} ns per rule instance) | {:.1}–{:.1} µs |",
        median * 1e6,
        1.0 / median,
        median * 1e9 / instances as f64,
        samples[0] * 1e6,
        samples[samples.len() - 1] * 1e6,
    );
}
