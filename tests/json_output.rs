//! The JSON outputs of `sot run`, `sot check`, `sot test` and `sot diff` against the JSON Schemas that
//! `sot schema --output` prints: real outputs (the protocol library, every fixture, files with
//! many errors, failing tests) validate, and the schemas are strict enough that a field
//! renamed, missing or added does not.

mod common;

use common::{repo, sot, stderr, stdout, tempdir};
use serde_json::Value;

fn schema(output: &str) -> jsonschema::Validator {
    let out = sot(&["schema", "--output", output]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let schema: Value = serde_json::from_str(&stdout(&out)).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{schema}"
    );
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// Asserts that `instance` (what `what` printed) fits `validator`.
fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// The JSON a command printed on standard output.
fn json_of(args: &[&str]) -> Value {
    let out = sot(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{}", stdout(&out)))
}

/// `*.sot` files of a folder of the repository, sorted, as paths relative to it.
fn sot_files(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo().join(folder))
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sot"))
        .map(|n| format!("{folder}/{n}"))
        .collect();
    files.sort();
    files
}

/// The JSON pointers of every object in `value` (itself included).
fn object_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                object_pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                object_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A change made to one object of an output.
type Change = fn(&mut serde_json::Map<String, Value>);

/// Renames a field of an object, adds one: in every object of `output` (at
/// most `limit` of them, spread over the output), each change must make it invalid.
fn assert_strict(validator: &jsonschema::Validator, output: &Value, limit: usize, what: &str) {
    let mut pointers = Vec::new();
    object_pointers(output, String::new(), &mut pointers);
    assert!(!pointers.is_empty(), "{what}: no object to change");
    let step = pointers.len().div_ceil(limit).max(1);
    let mut checked = 0;
    for pointer in pointers.iter().step_by(step) {
        let changes: [(&str, Change); 2] = [
            ("a field renamed", |map| {
                if let Some(key) = map.keys().next().cloned() {
                    let value = map.remove(&key).unwrap_or(Value::Null);
                    map.insert(format!("{key}_renamed"), value);
                }
            }),
            ("a field added", |map| {
                map.insert("unheard_of".into(), Value::Bool(true));
            }),
        ];
        for (change, apply) in changes {
            let mut changed = output.clone();
            let Some(Value::Object(map)) = changed.pointer_mut(pointer) else {
                panic!("{what}: no object at {pointer}");
            };
            if map.is_empty() {
                continue;
            }
            apply(map);
            assert!(
                !validator.is_valid(&changed),
                "{what}: still valid with {change} at `{pointer}`"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "{what}: nothing changed");
}

/// Removes a field that is always there (`field` of the object at `pointer`): invalid.
fn assert_required(validator: &jsonschema::Validator, output: &Value, pointer: &str, field: &str) {
    let mut changed = output.clone();
    let removed = changed
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(field));
    assert!(removed.is_some(), "no `{field}` at `{pointer}`");
    assert!(
        !validator.is_valid(&changed),
        "still valid without `{field}` at `{pointer}`"
    );
}

#[test]
fn run_output_fits_its_schema() {
    let validator = schema("run");
    let mut files = sot_files("protocols/cases");
    files.extend(sot_files("protocols/examples"));
    files.extend(sot_files("tests/fixtures/run"));
    let mut visits = 0;
    for file in &files {
        for verbose in [false, true] {
            let mut args = vec!["run", "--format", "json", file.as_str()];
            if verbose {
                args.push("--verbose");
            }
            let output = json_of(&args);
            assert_valid(&validator, &output, &format!("{args:?}"));
            visits += output["cases"].as_array().map_or(0, |cases| {
                cases
                    .iter()
                    .map(|c| c["visits"].as_array().map_or(0, Vec::len))
                    .sum()
            });
        }
    }
    assert!(visits > 100, "only {visits} visits run");
    // Case data as JSON, with history and untestable findings.
    for (protocol, data) in [
        (
            "protocols/examples/first_look.sot",
            "tests/fixtures/json/maria.json",
        ),
        (
            "tests/fixtures/run/untestable_findings.sot",
            "tests/fixtures/json/untestable.json",
        ),
    ] {
        let output = json_of(&["run", "--format", "json", protocol, "--cases", data]);
        assert_valid(&validator, &output, data);
    }
    let output = json_of(&[
        "run",
        "--format",
        "json",
        "protocols/cases/red_flag_stops_care.sot",
    ]);
    assert_strict(&validator, &output, 150, "sot run");
    assert_required(&validator, &output, "/cases/0/visits/0", "refer");
    assert_required(&validator, &output, "/cases/0/visits/0/category", "state");
    // Each visit's rules (from the `sot why` work) are in the schema too, conditions and all.
    let rules = output["cases"][0]["visits"][0]["rules"]
        .as_array()
        .expect("a visit's rules");
    assert!(!rules.is_empty());
    let (r, _) = rules
        .iter()
        .enumerate()
        .find(|(_, r)| r["when"]["kind"].is_string())
        .expect("a rule with a deciding `when`");
    let mut bad = output.clone();
    bad["cases"][0]["visits"][0]["rules"][r]["when"]["kind"] = "maybe".into();
    assert!(
        !validator.is_valid(&bad),
        "a condition of kind `maybe` accepted"
    );
}

#[test]
fn check_output_fits_its_schema() {
    let validator = schema("check");
    let many = json_of(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/check/many_errors.sot",
    ]);
    assert!(many.as_array().is_some_and(|a| a.len() > 5), "{many}");
    assert_valid(&validator, &many, "many_errors.sot");
    // Every diagnostic code has a fixture: every kind of diagnostic, and warnings too.
    let fixtures = json_of(&["check", "--format", "json", "tests/fixtures/check"]);
    assert_valid(&validator, &fixtures, "tests/fixtures/check");
    let severities: std::collections::BTreeSet<&str> = fixtures
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|d| d["severity"].as_str())
        .collect();
    assert_eq!(
        severities.into_iter().collect::<Vec<_>>(),
        ["error", "warning"]
    );
    let library = json_of(&["check", "--format", "json", "protocols"]);
    assert_valid(&validator, &library, "protocols");
    assert_strict(&validator, &many, 50, "sot check");
    assert_required(&validator, &many, "/0", "line");
    assert_required(&validator, &many, "/0", "help");
    let mut bad = many.clone();
    bad[0]["severity"] = "fatal".into();
    assert!(!validator.is_valid(&bad), "severity `fatal` accepted");
}

#[test]
fn test_output_fits_its_schema() {
    let validator = schema("test");
    for args in [
        &["test", "--format", "json", "protocols"][..],
        &["test", "--format", "json", "--coverage", "protocols"],
        &["test", "--format", "json", "tests/fixtures/run"],
        &[
            "test",
            "--format",
            "json",
            "tests/fixtures/check/many_errors.sot",
        ],
        &[
            "test",
            "--format",
            "json",
            "tests/fixtures/run/untestable_findings.sot",
            "--cases",
            "tests/fixtures/json/untestable.json",
        ],
        &[
            "test",
            "--format",
            "json",
            "protocols/examples/first_look.sot",
            "--cases",
            "tests/fixtures/json/bad_values.json",
        ],
    ] {
        let output = json_of(args);
        assert_valid(&validator, &output, &format!("{args:?}"));
    }
    let output = json_of(&["test", "--format", "json", "--coverage", "protocols"]);
    assert_strict(&validator, &output, 150, "sot test");
    assert_required(&validator, &output, "/expectations/0", "found");
    assert_required(&validator, &output, "/totals", "files_with_errors");
}

/// `protocols/examples/first_look.sot` with three expectations made wrong.
fn failing_example(dir: &std::path::Path) {
    let text = std::fs::read_to_string(repo().join("protocols/examples/first_look.sot"))
        .expect("example")
        .replace("expect category II", "expect category III")
        .replace(
            "expect check arm_fossa_clears complete",
            "expect check arm_fossa_clears marginal",
        );
    std::fs::write(dir.join("first_look.sot"), text).expect("write");
}

#[test]
fn test_json_has_every_expectation_with_its_place_and_what_was_found() {
    let dir = tempdir("test_json_failing");
    failing_example(&dir);
    let path = dir.join("first_look.sot");
    let path = path.to_str().expect("UTF-8 path");
    let out = sot(&["test", "--format", "json", path]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let text = sot(&["test", path]);
    let (passed, failed) = common::tally(&text);
    assert_eq!(report["totals"]["passed"], passed);
    assert_eq!(report["totals"]["failed"], failed);
    assert_eq!(failed, 2);
    let expectations = report["expectations"].as_array().expect("expectations");
    assert_eq!(expectations.len(), passed + failed);
    let wrong = expectations
        .iter()
        .find(|e| e["expectation"] == "expect category III")
        .expect("the wrong category");
    assert_eq!(wrong["passed"], false);
    assert_eq!(wrong["expected"], "category III");
    assert_eq!(wrong["found"], "category II");
    assert_eq!(wrong["file"], path);
    assert_eq!(wrong["case"], "maria");
    assert_eq!(wrong["visit"], 1);
    // Line and column point at the `expect` in the file.
    let source = std::fs::read_to_string(dir.join("first_look.sot")).expect("read");
    let line = source
        .lines()
        .nth(wrong["line"].as_u64().expect("line") as usize - 1)
        .expect("the line");
    let column = wrong["column"].as_u64().expect("column") as usize;
    assert!(
        line[column - 1..].starts_with("expect category III"),
        "{line:?} at {column}"
    );
    let right = expectations
        .iter()
        .find(|e| e["passed"] == true)
        .expect("a pass");
    assert!(
        right["found"].as_str().is_some_and(|f| !f.is_empty()),
        "{right}"
    );
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["not_run"], serde_json::json!([]));
}

#[test]
fn test_json_reports_check_errors_as_diagnostics() {
    let out = sot(&[
        "test",
        "--format",
        "json",
        "tests/fixtures/check/many_errors.sot",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // JSON only: nothing for people on standard error, no `FAIL` line.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON, not text");
    let problems = report["problems"].as_array().expect("problems");
    assert!(problems.len() > 5, "{report}");
    assert!(problems
        .iter()
        .all(|p| p["severity"] == "error" && p["line"].as_u64() > Some(0)));
    assert_eq!(report["totals"]["files_with_errors"], 1);
    assert_eq!(
        report["not_run"],
        serde_json::json!(["tests/fixtures/check/many_errors.sot"])
    );
    // Bad case data: its problems, pointing into the JSON file.
    let out = sot(&[
        "test",
        "--format",
        "json",
        "protocols/examples/first_look.sot",
        "--cases",
        "tests/fixtures/json/bad_values.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON, not text");
    let problems = report["problems"].as_array().expect("problems");
    assert!(!problems.is_empty());
    assert!(problems
        .iter()
        .all(|p| p["file"] == "tests/fixtures/json/bad_values.json"));
}

#[test]
fn diff_output_fits_its_schema() {
    let validator = schema("diff");
    let pair = |name: &str| {
        [
            format!("tests/fixtures/diff/{name}.old.sot"),
            format!("tests/fixtures/diff/{name}.new.sot"),
        ]
    };
    let mut outputs = Vec::new();
    for name in ["threshold", "at_least", "precedence", "unless", "red_flag"] {
        let [old, new] = pair(name);
        let output = json_of(&["diff", "--format", "json", &old, &new]);
        assert_valid(&validator, &output, name);
        outputs.push(output);
    }
    // A case that does not fit one version (`not_run`), and JSON case data.
    let [old, new] = pair("threshold");
    for cases in [
        "tests/fixtures/diff/new_indicator_case.sot",
        "tests/fixtures/diff/threshold.cases.json",
    ] {
        let output = json_of(&["diff", "--format", "json", &old, &new, "--cases", cases]);
        assert_valid(&validator, &output, cases);
    }
    // Every kind of change at once: the red flag pair has a referral, a red flag and a
    // recommendation; the threshold pair a category and check outcomes.
    for output in &outputs {
        assert_strict(&validator, output, 60, "sot diff");
    }
    assert_required(&validator, &outputs[0], "/cases/changed/0", "changes");
    assert_required(&validator, &outputs[0], "/items", "shared");
}
