//! End-to-end tests of the v0.2 case additions (LANGUAGE.md §7.2, §7.3, §7.6): a case's
//! `history`, `previous.x` and `untestable` findings, in every report format, in JSON case
//! data and in `sot schema`.

mod common;

use common::{repo, sot, stderr, stdout, tally, tempdir};

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

/// The new forms of each fixture matter: without a `history` block, with `previous.x` read
/// as `x`, or without its `untestable` findings (which hide the history's values), some
/// expectation of the fixture fails.
#[test]
fn the_new_forms_decide_expectations() {
    let (repo, dir) = (repo(), tempdir("history_mutants"));
    let mut mutants = 0;
    for fixture in FIXTURES {
        let text = std::fs::read_to_string(repo.join(format!("tests/fixtures/run/{fixture}.sot")))
            .expect("fixture");
        let lines: Vec<&str> = text.lines().collect();
        // Each history block dropped, one at a time.
        let mut variants: Vec<(String, String)> = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() == "history {" {
                let end = lines[i..]
                    .iter()
                    .position(|l| l.trim() == "}")
                    .map_or(i, |e| i + e);
                // A history of untestable findings only decides nothing (untestable is unknown,
                // as a finding left out is): only the reports show it.
                if lines[i + 1..end].iter().all(|l| l.contains("= untestable")) {
                    continue;
                }
                let kept: Vec<&str> = lines[..i]
                    .iter()
                    .chain(&lines[end + 1..])
                    .copied()
                    .collect();
                variants.push((format!("{fixture}_no_history_{i}"), kept.join("\n")));
            }
        }
        if text.contains("previous.") {
            variants.push((
                format!("{fixture}_no_previous"),
                text.replace("previous.", ""),
            ));
        }
        // Every `untestable` line dropped: the history's values show through.
        if fixture == "untestable_findings" {
            let kept: Vec<&str> = lines
                .iter()
                .filter(|l| !l.contains("= untestable"))
                .copied()
                .collect();
            variants.push((format!("{fixture}_no_untestable"), kept.join("\n")));
        }
        for (name, variant) in variants {
            let path = dir.join(format!("{name}.sot"));
            std::fs::write(&path, variant).expect("write");
            let out = sot(&["test", &path.display().to_string()]);
            let (_, failed) = tally(&out);
            assert!(
                failed > 0,
                "{name}: every expectation still holds:\n{}",
                stdout(&out)
            );
            mutants += 1;
        }
    }
    assert!(mutants >= 8, "{mutants} mutants");
}

#[test]
fn the_handbook_reads_previous_as_the_previous_visit() {
    let out = sot(&["doc", "tests/fixtures/run/previous_visit.sot"]);
    let text = stdout(&out);
    assert!(
        text.contains("is less than toe extension strength (side right) at the previous visit"),
        "{text}"
    );
    assert!(
        text.contains("or arm fossa at the previous visit is found"),
        "{text}"
    );
}

/// A wildcard `untestable` finding reads once in the reports, every combination it covers
/// folded into one name (the code lens does the same, `lsp/tests/case_forms.rs`).
#[test]
fn a_wildcard_untestable_finding_reads_once() {
    let dir = tempdir("wildcard_untestable");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    let protocol = "protocol \"Wildcards\"

type Fossa = upper | middle | lower
indicator arm_fossa(side: Side, fossa: Fossa): bool
indicator short_leg: Side?
adjustment block(short_leg: Side)

category II {
  when any of (arm_fossa(side: left, fossa: upper), arm_fossa(side: left, fossa: lower), arm_fossa(side: right, fossa: upper), arm_fossa(side: right, fossa: lower))
}

rule block_two {
  in category II
  when short_leg != none
  then block(short_leg: short_leg)
}

case w {
  visit 1 {
    findings {
      arm_fossa(side: _, fossa: _) = untestable \"acute pain\"
      short_leg = right
    }
  }
}
";
    std::fs::write(dir.join("w.sot"), protocol).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["run", "w.sot"])
        .current_dir(&dir)
        .output()
        .expect("sot runs");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "It may change, but these cannot be examined now: arm_fossa(side: left/right, \
             fossa: upper/lower) untestable (“acute pain”)"
        ),
        "{text}"
    );
    assert_eq!(text.matches("arm_fossa(").count(), 1, "{text}");
}
