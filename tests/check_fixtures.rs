//! The data-driven test of `sot check`: every fixture under `tests/fixtures/check/` marks
//! each expected diagnostic with `// error[CODE]` or `// warning[CODE]` on the line where it
//! starts; the diagnostics `sot check --format json` reports must be exactly those.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (file, line, code) → how many times.
type Expectations = BTreeMap<(String, usize, String), usize>;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

fn sot_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder is readable")
        .map(|e| e.expect("fixture entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sot_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sot") {
            out.push(path);
        }
    }
}

/// The annotations of one fixture.
fn annotations(path: &Path, text: &str, out: &mut Expectations) {
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.find("//").map(|at| &line[at..]) else {
            continue;
        };
        for kind in ["error[", "warning["] {
            let mut rest = comment;
            while let Some(at) = rest.find(kind) {
                rest = &rest[at + kind.len()..];
                let code: String = rest.chars().take_while(|c| *c != ']').collect();
                *out.entry((path.display().to_string(), i + 1, code))
                    .or_default() += 1;
            }
        }
    }
}

#[test]
fn every_fixture_reports_exactly_its_annotations() {
    let dir = fixtures_dir();
    let mut files = Vec::new();
    sot_files(&dir, &mut files);
    assert!(files.len() > 40, "fixtures are missing: {}", files.len());

    let mut expected = Expectations::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("fixture is UTF-8");
        annotations(file, &text, &mut expected);
    }

    let output = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("sot runs");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("sot check --format json prints JSON");
    let mut found = Expectations::new();
    let mut messages = BTreeMap::new();
    for d in json.as_array().expect("a JSON array") {
        let key = (
            d["file"].as_str().unwrap_or_default().to_string(),
            d["line"].as_u64().unwrap_or_default() as usize,
            d["code"].as_str().unwrap_or_default().to_string(),
        );
        messages.insert(
            key.clone(),
            d["message"].as_str().unwrap_or_default().to_string(),
        );
        *found.entry(key).or_default() += 1;
    }

    let mut problems = Vec::new();
    for (key, n) in &expected {
        let got = found.get(key).copied().unwrap_or(0);
        if got != *n {
            problems.push(format!(
                "{}:{}: expected {n}× {}, found {got}",
                key.0, key.1, key.2
            ));
        }
    }
    for (key, n) in &found {
        if !expected.contains_key(key) {
            problems.push(format!(
                "{}:{}: unexpected {n}× {}: {}",
                key.0, key.1, key.2, messages[key]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_code_has_a_fixture() {
    let mut files = Vec::new();
    sot_files(&fixtures_dir(), &mut files);
    let mut expected = Expectations::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("fixture is UTF-8");
        annotations(file, &text, &mut expected);
    }
    for code in [
        "E0001", "E0101", "E0102", "E0103", "E0201", "E0301", "E0302", "E0303", "E0304", "E0305",
        "E0306", "E0307", "E0401", "E0402", "E0403", "E0501", "E0502", "W0601", "W0602", "W0603",
        "W0604", "W0605", "W0606",
    ] {
        assert!(
            expected.keys().any(|(_, _, c)| c == code),
            "no fixture expects {code}"
        );
    }
}
