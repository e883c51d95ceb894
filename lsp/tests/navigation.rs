//! Folding ranges, selection ranges, document highlight, fuzzy workspace symbols and
//! signature help, in process, on a protocol of the tests' own.

mod common;

use common::{at, find, Harness};
use serde_json::{json, Value};

pub const URI: &str = "file:///lsp-nav/levels.sot";

pub const LEVELS: &str = "protocol \"Levels\"

// Occipital fibers: line two is read
// area by area, as the handbook lists them.
indicator occipital_fiber(line: 1..3, area: 1..7): 0..3
/// The arm weakens on the involved side.
indicator arm_fossa: Side?
/// Adjusts one vertebra.
adjustment adjust(level: Vertebra)
adjustment block(category: Category, short_leg: Side)

table line2_level(area: 1..7): Vertebra {
  1 => T1
  2 => T2
  3 => T3
  _ => T4
}

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

rule occipital_line_two {
  for area in 1..7
  when occipital_fiber(line: 2, area: area) >= 2 and arm_fossa == left
  then adjust(level: line2_level(area))
}

rule fixed_level {
  in category II
  when arm_fossa == left
  then adjust(level: line2_level(3))
}

case ann {
  visit 1 {
    findings {
      arm_fossa = left
      occipital_fiber(line: 2, area: 3) = 2
      occipital_fiber(line: _, area: _) = 0
    }
    expect category II
    expect adjustment adjust(level: T3)
    expect adjustment adjust(level: T1)
  }
}
";

fn doc(uri: &str) -> Value {
    json!({"textDocument": {"uri": uri}})
}

#[tokio::test]
async fn folding_ranges_cover_blocks_and_comment_runs() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let folds = h.request("textDocument/foldingRange", doc(URI)).await;
    let got: Vec<(u64, u64, &str)> = folds
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap_or(u64::MAX),
                f["endLine"].as_u64().unwrap_or(u64::MAX),
                f["kind"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    let line = |needle: &str| find(LEVELS, needle).0 as u64;
    let case_end = LEVELS.lines().count() as u64 - 1;
    assert_eq!(
        got,
        [
            (line("// Occipital"), line("// area"), "comment"),
            (line("table line2"), line("_ => T4") + 1, "region"),
            (line("category II"), line("category II") + 2, "region"),
            (line("rule occipital"), line("rule fixed") - 2, "region"),
            (line("rule fixed"), line("case ann") - 2, "region"),
            (line("case ann"), case_end, "region"),
            (line("visit 1"), case_end - 1, "region"),
            (line("findings {"), line("expect category") - 1, "region"),
        ],
        "{folds}"
    );
}

#[tokio::test]
async fn a_brace_in_a_string_or_comment_is_no_block() {
    let text = "category II \"weight { bearing\" {\n  // not a block: {\n  when arm_fossa != none\n}\nindicator arm_fossa: Side?\n";
    let mut h = Harness::start(false).await;
    h.open(URI, text).await;
    let folds = h.request("textDocument/foldingRange", doc(URI)).await;
    assert_eq!(
        folds,
        json!([{"startLine": 0, "endLine": 3, "kind": "region"}]),
        "{folds}"
    );
}

/// The ranges of a selection chain, innermost first, as the text they select.
fn chain<'t>(text: &'t str, mut range: &Value) -> Vec<&'t str> {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let character = p["character"].as_u64().unwrap_or(0) as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + character
    };
    let mut out = Vec::new();
    while range.is_object() {
        let (a, b) = (
            offset(&range["range"]["start"]),
            offset(&range["range"]["end"]),
        );
        out.push(&text[a..b]);
        range = &range["parent"];
    }
    out
}

#[tokio::test]
async fn selection_grows_from_expression_to_clause_to_item() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let (l, c) = find(LEVELS, "area: area) >= 2");
    let answer = h
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": URI}, "positions": [{"line": l, "character": c + 7}]}),
        )
        .await;
    let rule_start = LEVELS.find("rule occipital").unwrap_or(0);
    let rule_end = LEVELS[rule_start..]
        .find("\n}")
        .map_or(0, |n| rule_start + n + 2);
    assert_eq!(
        chain(LEVELS, &answer[0]),
        [
            "area",
            "area: area",
            "occipital_fiber(line: 2, area: area)",
            "occipital_fiber(line: 2, area: area) >= 2",
            "occipital_fiber(line: 2, area: area) >= 2 and arm_fossa == left",
            "when occipital_fiber(line: 2, area: area) >= 2 and arm_fossa == left",
            &LEVELS[rule_start..rule_end],
        ],
        "{answer}"
    );

    // In a case: the value, the finding, the findings block, the visit, the case.
    let (l, c) = find(LEVELS, "arm_fossa = left");
    let answer = h
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": URI}, "positions": [{"line": l, "character": c + 1}]}),
        )
        .await;
    let got = chain(LEVELS, &answer[0]);
    assert_eq!(got[..2], ["arm_fossa", "arm_fossa = left"], "{answer}");
    assert!(
        got[2].starts_with("findings {") && got[2].ends_with('}'),
        "{got:?}"
    );
    assert!(got[3].starts_with("visit 1 {"), "{got:?}");
    assert!(got[4].starts_with("case ann {"), "{got:?}");
    assert_eq!(got.len(), 5, "{got:?}");
}

#[tokio::test]
async fn highlight_marks_every_use_and_the_declaration() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let (l, c) = find(LEVELS, "line2_level(area))");
    let answer = h
        .request("textDocument/documentHighlight", at(URI, l, c + 2))
        .await;
    let got: Vec<(u64, u64, u64)> = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["range"]["start"]["line"].as_u64().unwrap_or(0),
                h["range"]["start"]["character"].as_u64().unwrap_or(0),
                h["kind"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let (write, read) = (3, 2);
    let decl = find(LEVELS, "line2_level(area: 1..7)");
    let in_rule = find(LEVELS, "line2_level(area))");
    let fixed = find(LEVELS, "line2_level(3)");
    assert_eq!(
        got,
        [
            (decl.0 as u64, decl.1 as u64, write),
            (in_rule.0 as u64, in_rule.1 as u64, read),
            (fixed.0 as u64, fixed.1 as u64, read),
        ],
        "{answer}"
    );
    // A keyword has nothing to highlight.
    let (l, c) = find(LEVELS, "when arm_fossa != none");
    let answer = h
        .request("textDocument/documentHighlight", at(URI, l, c + 1))
        .await;
    assert!(answer.is_null(), "{answer}");
}

#[tokio::test]
async fn workspace_symbols_match_fuzzily_best_first() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let names = |answer: &Value| -> Vec<String> {
        answer
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["name"].as_str().map(String::from))
            .collect()
    };
    // The characters in order, not a substring.
    let answer = h
        .request("workspace/symbol", json!({"query": "occlt"}))
        .await;
    assert_eq!(names(&answer), ["occipital_line_two"], "{answer}");
    // A better match first: `adjust` itself before the names that merely hold its letters.
    let answer = h
        .request("workspace/symbol", json!({"query": "adjust"}))
        .await;
    assert_eq!(names(&answer), ["adjust"], "{answer}");
    let answer = h.request("workspace/symbol", json!({"query": "lvl"})).await;
    let mut found = names(&answer);
    found.sort();
    assert_eq!(found, ["fixed_level", "line2_level"], "{answer}");
    // A name that starts with the query ranks before one where it starts a later word.
    let answer = h
        .request("workspace/symbol", json!({"query": "line"}))
        .await;
    assert_eq!(
        names(&answer),
        ["line2_level", "occipital_line_two"],
        "{answer}"
    );
    assert_eq!(
        answer[0]["location"]["range"]["start"]["line"],
        find(LEVELS, "table line2_level").0,
        "{answer}"
    );
    let answer = h.request("workspace/symbol", json!({"query": "zzz"})).await;
    assert_eq!(answer, json!([]));
}

#[tokio::test]
async fn signature_help_inside_each_kind_of_call() {
    let mut h = Harness::start(false).await;
    // Half written: the item does not parse, the help still answers.
    let text = LEVELS.replace(
        "  then adjust(level: line2_level(3))\n",
        "  then block(category: II, \n",
    );
    h.open(URI, &text).await;
    let (l, c) = find(&text, "block(category: II, \n");
    let c = c + "block(category: II, ".len() as u32;
    let help = h.request("textDocument/signatureHelp", at(URI, l, c)).await;
    let signature = &help["signatures"][0];
    assert_eq!(
        signature["label"], "adjustment block(category: Category, short_leg: Side)",
        "{help}"
    );
    assert_eq!(help["activeParameter"], 1, "{help}");
    let label = signature["label"].as_str().unwrap_or_default();
    let params: Vec<&str> = signature["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let [a, b] = [&p["label"][0], &p["label"][1]].map(|n| n.as_u64().unwrap_or(0) as usize);
            &label[a..b]
        })
        .collect();
    assert_eq!(params, ["category: Category", "short_leg: Side"], "{help}");

    // A labelled argument picks its parameter, whatever its place.
    h.open(URI, LEVELS).await;
    let (l, c) = find(LEVELS, "area: area) >= 2");
    let help = h
        .request("textDocument/signatureHelp", at(URI, l, c + 6))
        .await;
    assert_eq!(
        help["signatures"][0]["label"], "indicator occipital_fiber(line: 1..3, area: 1..7)",
        "{help}"
    );
    assert_eq!(help["activeParameter"], 1, "{help}");

    // A table call inside an adjustment's argument: the innermost call, with its doc.
    let (l, c) = find(LEVELS, "line2_level(area))");
    let help = h
        .request(
            "textDocument/signatureHelp",
            at(URI, l, c + "line2_level(".len() as u32),
        )
        .await;
    assert_eq!(
        help["signatures"][0]["label"], "table line2_level(area: 1..7)",
        "{help}"
    );
    assert_eq!(help["activeParameter"], 0, "{help}");
    let (l, c) = find(LEVELS, "adjust(level: line2");
    let help = h
        .request("textDocument/signatureHelp", at(URI, l, c + 7))
        .await;
    assert_eq!(
        help["signatures"][0]["label"],
        "adjustment adjust(level: Vertebra)"
    );
    assert_eq!(
        help["signatures"][0]["documentation"]["value"],
        "Adjusts one vertebra."
    );

    // Not a name before the `(` (a letter outside ASCII, as typed by mistake): none.
    let text = LEVELS.replace("  then adjust(level: line2_level(3))\n", "  then é(\n");
    h.open(URI, &text).await;
    let (l, c) = find(&text, "é(");
    let help = h
        .request("textDocument/signatureHelp", at(URI, l, c + 2))
        .await;
    assert!(help.is_null(), "{help}");
    h.open(URI, LEVELS).await;

    // Outside any call: none.
    let (l, c) = find(LEVELS, "when arm_fossa != none");
    let help = h.request("textDocument/signatureHelp", at(URI, l, c)).await;
    assert!(help.is_null(), "{help}");
}

/// `(name, from range start lines)` of call hierarchy calls, in `key` ("to" or "from").
fn calls(answer: &Value, key: &str) -> Vec<(String, Vec<u64>)> {
    answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c[key]["name"].as_str().unwrap_or("?").to_string(),
                c["fromRanges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["start"]["line"].as_u64())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn call_hierarchy_follows_findings_to_adjustments_and_back() {
    let mut h = Harness::start(false).await;
    h.open(URI, LEVELS).await;
    let line = |needle: &str| find(LEVELS, needle).0 as u64;
    let (l, c) = find(LEVELS, "arm_fossa: Side?");
    let items = h
        .request("textDocument/prepareCallHierarchy", at(URI, l, c))
        .await;
    assert_eq!(items[0]["name"], "arm_fossa", "{items}");
    assert_eq!(items[0]["detail"], "indicator arm_fossa: Side?", "{items}");
    // An indicator → what reads it (the case's findings are not part of it).
    let out = h
        .request("callHierarchy/outgoingCalls", json!({"item": items[0]}))
        .await;
    assert_eq!(
        calls(&out, "to"),
        [
            ("II".to_string(), vec![line("when arm_fossa != none")]),
            (
                "occipital_line_two".to_string(),
                vec![line("and arm_fossa == left")]
            ),
            (
                "fixed_level".to_string(),
                vec![line("  when arm_fossa == left")]
            ),
        ],
        "{out}"
    );
    // A rule → the adjustments it recommends; back to what it reads.
    let rule = &out[2]["to"];
    let out = h
        .request("callHierarchy/outgoingCalls", json!({"item": rule}))
        .await;
    assert_eq!(
        calls(&out, "to"),
        [(
            "adjust".to_string(),
            vec![line("then adjust(level: line2_level(3))")]
        )],
        "{out}"
    );
    let back = h
        .request("callHierarchy/incomingCalls", json!({"item": rule}))
        .await;
    let mut from = calls(&back, "from");
    from.sort();
    assert_eq!(
        from,
        [
            ("II".to_string(), vec![line("  in category II")]),
            (
                "arm_fossa".to_string(),
                vec![line("  when arm_fossa == left")]
            ),
            (
                "line2_level".to_string(),
                vec![line("then adjust(level: line2_level(3))")]
            ),
        ],
        "{back}"
    );
    // An adjustment ← the rules that recommend it.
    let adjust = &out[0]["to"];
    let back = h
        .request("callHierarchy/incomingCalls", json!({"item": adjust}))
        .await;
    let names: Vec<String> = calls(&back, "from").into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["occipital_line_two", "fixed_level"], "{back}");
    let out = h
        .request("callHierarchy/outgoingCalls", json!({"item": adjust}))
        .await;
    assert_eq!(out, json!([]), "an adjustment flows nowhere: {out}");
}
