//! End-to-end tests of the v0.2 case additions (LANGUAGE.md §7.2, §7.3, §7.6): a case's
//! `history`, `previous.x` and `untestable` findings, in every report format, in JSON case
//! data and in `sot schema`.

use std::path::Path;
use std::process::{Command, Output};

fn sot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .output()
        .expect("sot runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const FIXTURES: [&str; 4] = [
    "history_fills_visits",
    "history_not_in_after_or_checks",
    "previous_visit",
    "untestable_findings",
];

#[test]
fn text_reports_mark_history_untestable_and_the_previous_visit() {
    for fixture in FIXTURES {
        let out = sot(&["run", &format!("tests/fixtures/run/{fixture}.sot")]);
        assert_eq!(out.status.code(), Some(0), "{fixture}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("patient has"), "{text}");
        insta::assert_snapshot!(fixture, text);
    }
}

#[test]
fn untestable_findings_are_never_asked_for() {
    let out = sot(&["run", "tests/fixtures/run/untestable_findings.sot"]);
    for line in stdout(&out).lines() {
        if let Some((_, asked)) = line.split_once("examine ") {
            let asked = asked.split(';').next().unwrap_or_default();
            assert!(
                !asked.contains("arm_fossa") && !asked.contains("osteoporosis"),
                "an untestable finding is asked for: {line}"
            );
        }
    }
}

#[test]
fn the_past_is_never_asked_for() {
    let out = sot(&["run", "tests/fixtures/run/previous_visit.sot"]);
    let text = stdout(&out);
    for line in text.lines() {
        if let Some((_, asked)) = line.split_once("examine ") {
            let asked = asked.split(';').next().unwrap_or_default();
            assert!(!asked.contains("previous."), "{line}");
        }
    }
    assert!(
        text.contains("no previous visit for previous.short_leg"),
        "{text}"
    );
    assert!(
        text.contains("not examined at the previous visit: previous.short_leg"),
        "{text}"
    );
}

#[test]
fn markdown_html_and_json_reports_say_the_same() {
    let file = "tests/fixtures/run/untestable_findings.sot";
    let markdown = stdout(&sot(&["run", "--format", "markdown", file]));
    insta::assert_snapshot!("untestable_markdown", markdown);
    let html = stdout(&sot(&["run", "--format", "html", file]));
    for wanted in [
        "untestable: arm_fossa (“acute pain”)",
        "osteoporosis = no (history)",
        "examine short_leg; untestable: arm_fossa (“acute pain”)",
        "untestable: osteoporosis (“no records”; history)",
    ] {
        assert!(html.contains(wanted), "{wanted} not in {html}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&sot(&["run", "--format", "json", file]).stdout)
            .expect("valid JSON");
    insta::assert_json_snapshot!("untestable_json", json);
    let previous: serde_json::Value = serde_json::from_slice(
        &sot(&[
            "run",
            "--format",
            "json",
            "tests/fixtures/run/previous_visit.sot",
        ])
        .stdout,
    )
    .expect("valid JSON");
    let first = &previous["cases"][0]["visits"][0];
    assert_eq!(
        first["category"]["not_examinable"][0]["unknown"],
        "no_previous_visit"
    );
    assert_eq!(first["category"]["not_examinable"][0]["phase"], "previous");
    assert_eq!(first["category"]["missing"], serde_json::json!([]));
}

#[test]
fn json_case_data_with_history_and_untestable_runs_like_the_case_items() {
    let protocol = "tests/fixtures/run/untestable_findings.sot";
    let from_json = sot(&[
        "run",
        protocol,
        "--cases",
        "tests/fixtures/json/untestable.json",
    ]);
    assert_eq!(from_json.status.code(), Some(0), "{}", stderr(&from_json));
    assert_eq!(stdout(&from_json), stdout(&sot(&["run", protocol])));
    let tested = sot(&[
        "test",
        protocol,
        "--cases",
        "tests/fixtures/json/untestable.json",
    ]);
    assert!(
        stdout(&tested).ends_with("16 passed, 0 failed\n"),
        "{}",
        stdout(&tested)
    );
}

#[test]
fn bad_history_and_untestable_case_data_point_into_the_json_file() {
    let out = sot(&[
        "run",
        "--color",
        "never",
        "tests/fixtures/run/untestable_findings.sot",
        "--cases",
        "tests/fixtures/json/bad_history.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn the_schema_allows_a_history_and_untestable_findings() {
    let out = sot(&["schema", "tests/fixtures/run/untestable_findings.sot"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let case = &schema["anyOf"][1];
    let findings = &case["properties"]["history"]["allOf"][0];
    assert_eq!(
        findings,
        &case["properties"]["visits"]["items"]["properties"]["findings"]
    );
    let arm_fossa = findings["properties"]["arm_fossa"]["anyOf"]
        .as_array()
        .expect("options");
    assert!(arm_fossa.contains(
        &serde_json::json!({"const": "untestable", "description": "tried and could not test"})
    ));
    assert!(arm_fossa
        .iter()
        .any(|o| o["required"] == serde_json::json!(["untestable"])));
    let fiber = &findings["properties"]["occipital_fiber"]["items"]["properties"]["value"]["anyOf"];
    assert!(fiber
        .as_array()
        .is_some_and(|o| o.iter().any(|o| o["const"] == "untestable")));
}
