//! What the protocol computes, shown where it is written: inlay hints (table values, `for`
//! expansions, visit categories, `expect` verdicts), failing `expect` lines as T0001 with
//! the quick fix, and pull diagnostics; in process, on a protocol of the tests' own.

mod common;

use common::{find, Harness};
use serde_json::{json, Value};

const URI: &str = "file:///lsp-eval/levels.sot";

const LEVELS: &str = "protocol \"Levels\"

indicator occipital_fiber(line: 1..3, area: 1..7): 0..3
indicator arm_fossa: Side?
indicator side_of_pain: Side
adjustment adjust(level: Vertebra)

table line2_level(area: 1..7): Vertebra {
  1 => T1
  2 => T2
  3 => T3
  _ => T4
}

table pain_level(side: Side, area: 1..7): Vertebra {
  (left, 1) => C1
  _ => C2
}

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

rule occipital_line_two {
  for area in 1..7, side in Side
  when occipital_fiber(line: 2, area: area) >= 2 and side_of_pain == side
  then adjust(level: line2_level(area))
}

rule fixed_level {
  in category II
  when arm_fossa == left
  then adjust(level: line2_level(area: 6)), adjust(level: pain_level(left, 1))
}

case ann {
  visit 1 {
    findings {
      arm_fossa = left
      side_of_pain = right
      occipital_fiber(line: 2, area: 3) = 2
      occipital_fiber(line: _, area: _) = 0
    }
    expect category II
    expect adjustment adjust(level: T3)
    expect adjustment adjust(level: T1)
  }
}
";

/// The hints of a document as `(line, character, label)`.
async fn hints(h: &mut Harness, uri: &str, text: &str) -> Vec<(u64, u64, String)> {
    let end = text.lines().count() as u32;
    let answer = h
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": end, "character": 0}}}),
        )
        .await;
    answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap_or(u64::MAX),
                h["position"]["character"].as_u64().unwrap_or(u64::MAX),
                h["label"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// The position just after the first `needle` in `text`.
fn after(text: &str, needle: &str) -> (u64, u64) {
    let (l, c) = find(text, needle);
    (l as u64, c as u64 + needle.encode_utf16().count() as u64)
}

#[tokio::test]
async fn inlay_hints_show_what_the_protocol_computes() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let got = hints(&mut h, URI, LEVELS).await;
    let at = |needle: &str, label: &str| {
        let (l, c) = after(LEVELS, needle);
        (l, c, label.to_string())
    };
    assert_eq!(
        got,
        [
            at("side in Side", "14 bindings"),
            at("line2_level(area: 6)", "⇒ T4"),
            at("pain_level(left, 1)", "⇒ C1"),
            at("visit 1 {", "category II"),
            at("expect category II", "✓"),
            at("expect adjustment adjust(level: T3)", "✓"),
            at(
                "expect adjustment adjust(level: T1)",
                "✗ found adjust(level: T3), adjust(level: T4), adjust(level: C1)"
            ),
        ],
        "{got:?}"
    );
}

#[tokio::test]
async fn a_case_that_cannot_be_evaluated_says_so() {
    // An unknown name: the file does not lower, so no verdict is shown, and the case says why.
    let text = LEVELS.replace("when arm_fossa == left", "when arm_fosa == left");
    let mut h = Harness::start(false).await;
    h.open(URI, &text).await;
    let got = hints(&mut h, URI, &text).await;
    let (l, c) = after(&text, "case ann");
    assert!(
        got.contains(&(l, c, "not evaluated: the protocol has errors".into())),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(_, _, label)| label.starts_with('✓') || label.starts_with('✗')),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_failing_expect_line_is_a_warning_with_a_fix() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    // Once typing pauses: the analyses' diagnostics, T0001 among them.
    let found = h
        .diagnostics_until(URI, |d| d.iter().any(|d| d["code"] == "T0001"))
        .await;
    let failing: Vec<&Value> = found.iter().filter(|d| d["code"] == "T0001").collect();
    assert_eq!(failing.len(), 1, "{found:?}");
    let d = failing[0];
    assert_eq!(d["severity"], 2, "a warning: {d}");
    let (l, c) = find(LEVELS, "expect adjustment adjust(level: T1)");
    assert_eq!(
        d["range"]["start"],
        json!({"line": l, "character": c}),
        "{d}"
    );
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "expectation fails: found adjust(level: T3), adjust(level: T4), adjust(level: C1): case ann, visit 1"
        ),
        "{message}"
    );

    let actions = h
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
        .await;
    let fix = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Replace with what the protocol computes"))
        })
        .cloned()
        .unwrap_or_default();
    let edit = &fix["edit"]["changes"][URI][0];
    assert_eq!(
        edit["newText"], "expect adjustment adjust(level: T3)",
        "{actions}"
    );
    assert_eq!(edit["range"], d["range"], "{fix}");
}

#[tokio::test]
async fn every_kind_of_expect_line_gets_the_line_that_holds() {
    let text = LEVELS.replace(
        "    expect category II\n",
        "    expect category none\n    expect refer\n    expect no adjustment adjust(level: T3)\n",
    );
    let mut h = Harness::start(false).await;
    h.open(URI, &text).await;
    let mut fixes = Vec::new();
    for needle in [
        "expect category none",
        "expect refer",
        "expect no adjustment adjust(level: T3)",
    ] {
        let (l, c) = find(&text, needle);
        let actions = h
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": URI},
                       "range": {"start": {"line": l, "character": c}, "end": {"line": l, "character": c}},
                       "context": {"diagnostics": []}}),
            )
            .await;
        fixes.extend(actions.as_array().into_iter().flatten().filter_map(|a| {
            a["edit"]["changes"][URI][0]["newText"]
                .as_str()
                .map(String::from)
        }));
    }
    assert_eq!(
        fixes,
        [
            "expect category II",
            "expect no refer",
            "expect adjustment adjust(level: T3)"
        ]
    );
}

#[tokio::test]
async fn pull_diagnostics_answer_and_say_when_nothing_changed() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let report = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(report["kind"], "full", "{report}");
    let codes: Vec<&str> = report["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["T0001"], "{report}");
    let id = report["resultId"].clone();
    let again = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}, "previousResultId": id}),
        )
        .await;
    assert_eq!(again, json!({"kind": "unchanged", "resultId": id}));

    // After an edit that fixes the expectation: a full report again, without it.
    let fixed = LEVELS.replace("adjust(level: T1)", "adjust(level: C1)");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
    )
    .await;
    let after = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}, "previousResultId": id}),
        )
        .await;
    assert_eq!(after["kind"], "full", "{after}");
    assert_eq!(after["items"], json!([]), "{after}");
}

#[tokio::test]
async fn workspace_diagnostics_cover_a_file_that_is_not_open() {
    // main.sot uses common.sot; only common.sot is open. An edit to it that removes what
    // main.sot reads shows in main.sot's report, though main.sot is not open.
    let dir = std::env::temp_dir().join(format!("sot-lsp-pull-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).expect("temp dir");
    let common_text = "indicator arm_fossa: Side?\n";
    std::fs::write(dir.join("common.sot"), common_text).expect("write");
    let main_text =
        "use \"common.sot\"\nadjustment rest\nrule r {\n  when arm_fossa != none\n  then rest\n}\n";
    std::fs::write(dir.join("main.sot"), main_text).expect("write");
    let root = format!("file://{}", dir.display());
    let common = format!("{root}/common.sot");
    let main = format!("{root}/main.sot");
    let mut h = Harness::start_with(json!({"rootUri": root, "capabilities": {}})).await;
    h.open(&common, common_text).await;
    let codes_of = |report: &Value, uri: &str| -> Option<Vec<String>> {
        let item = report["items"]
            .as_array()?
            .iter()
            .find(|i| i["uri"] == uri)?;
        Some(
            item["items"]
                .as_array()?
                .iter()
                .filter_map(|d| d["code"].as_str().map(String::from))
                .collect(),
        )
    };
    let report = h
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    assert_eq!(codes_of(&report, &main), Some(vec![]), "{report}");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": common, "version": 2},
               "contentChanges": [{"text": "indicator short_leg: Side?\n"}]}),
    )
    .await;
    let report = h
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    assert_eq!(
        codes_of(&report, &main),
        Some(vec!["E0101".to_string()]),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
