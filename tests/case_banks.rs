//! Case banks on every core: `sot test` and `sot run` over many files and cases print byte
//! for byte what a one-thread run prints, in the same order.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{repo, tally, tempdir};

/// A bank of `cases` cases of two visits (`tools/gen_protocol.py RULES CASES`), each visit
/// with two `expect` lines of which at most one holds, so the bank both passes and fails.
fn write_bank(path: &Path, rules: usize, cases: usize) {
    let out = Command::new("python3")
        .arg(repo().join("tools/gen_protocol.py"))
        .args([rules.to_string(), cases.to_string()])
        .output()
        .expect("python3 runs tools/gen_protocol.py");
    assert!(out.status.success(), "gen_protocol.py failed");
    let text = String::from_utf8(out.stdout).expect("the generator writes UTF-8");
    // The end of a visit's findings, then of the visit.
    let text = text.replace(
        "\n    }\n  }\n",
        "\n    }\n    expect category II\n    expect category none\n  }\n",
    );
    std::fs::write(path, text).expect("write the bank");
}

/// Runs `sot ARGS` in `dir` on `threads` threads (rayon's pool), without colours.
fn sot_on(threads: usize, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("sot runs")
}

/// The same output, status included, on one thread and on four.
fn same_on_one_and_four_threads(dir: &Path, args: &[&str]) -> Output {
    let one = sot_on(1, dir, args);
    let four = sot_on(4, dir, args);
    assert_eq!(one.status.code(), four.status.code(), "sot {args:?}");
    assert!(
        one.stdout == four.stdout,
        "sot {args:?}: standard output differs between one and four threads"
    );
    assert!(
        one.stderr == four.stderr,
        "sot {args:?}: standard error differs between one and four threads"
    );
    one
}

#[test]
fn a_bank_of_cases_prints_the_same_on_every_core() {
    let dir = tempdir("case_bank");
    write_bank(&dir.join("a.sot"), 120, 150);
    write_bank(&dir.join("b.sot"), 40, 60);

    let test = same_on_one_and_four_threads(&dir, &["test", ".", "--coverage"]);
    assert_eq!(test.status.code(), Some(1), "the bank has failures");
    let (passed, failed) = tally(&test);
    // Two expectations per visit, two visits per case.
    assert_eq!(passed + failed, 2 * 2 * (150 + 60));
    assert!(passed > 0 && failed > 0, "{passed} passed, {failed} failed");
    let text = String::from_utf8_lossy(&test.stdout);
    // The failures of a.sot come before those of b.sot, each file's in case order.
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(failures.len(), failed);
    let first_b = failures.iter().position(|l| l.contains("b.sot:"));
    assert!(first_b.is_some_and(|b| failures[b..].iter().all(|l| l.contains("b.sot:"))));
    assert!(text.contains("coverage:"));

    let json = same_on_one_and_four_threads(&dir, &["test", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let expectations = json["expectations"].as_array().expect("expectations");
    assert_eq!(expectations.len(), passed + failed);
    let cases: Vec<&str> = expectations
        .iter()
        .filter(|e| e["file"] == "a.sot")
        .filter_map(|e| e["case"].as_str())
        .collect();
    assert_eq!(cases.len(), 2 * 2 * 150);
    assert_eq!(cases.first(), Some(&"c_0"));
    assert_eq!(cases.last(), Some(&"c_149"));

    let run = same_on_one_and_four_threads(&dir, &["run", "a.sot"]);
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8_lossy(&run.stdout);
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("Case ")).collect();
    let expected: Vec<String> = (0..150)
        .map(|c| format!("Case c_{c} — Synthetic case {c}"))
        .collect();
    assert_eq!(headings, expected);
    for format in ["json", "markdown", "html"] {
        let out = same_on_one_and_four_threads(&dir, &["run", "a.sot", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "--format {format}");
    }
}
