//! The language server on the v0.2 case forms (LANGUAGE.md §7.2, §7.3, §7.6): completion of
//! `history`, `previous.` and `untestable`, hover on the new keywords, semantic tokens, and
//! the code lens of a visit with the history applied and untestable findings named.

mod common;

use common::{at, find, labels, semantic_tokens, Harness, URI};
use serde_json::{json, Value};

const PROTOCOL: &str = "protocol \"Case forms\"

indicator arm_fossa: Side?
indicator short_leg: Side?
indicator osteoporosis: bool
adjustment block(short_leg: Side)

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

rule block_previous {
  when previous.short_leg != none
  unless osteoporosis
  then block(short_leg: previous.short_leg)
}

case tom {
  history {
    osteoporosis = no
  }
  visit 1 {
    findings {
      arm_fossa = untestable \"acute pain\"
      short_leg = left
    }
  }
  visit 2 {
    findings {
      arm_fossa = left
    }
  }
}
";

#[tokio::test]
async fn completion_offers_the_case_forms() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    // After `=` in a findings block: the values and `untestable`.
    let (l, c) = find(PROTOCOL, "untestable \"acute");
    let values = labels(&h.request("textDocument/completion", at(URI, l, c)).await);
    assert_eq!(values, ["left", "right", "none", "untestable"]);
    // In a rule's `when`: `previous.`, and after it the indicators.
    let (l, c) = find(PROTOCOL, "previous.short_leg != none");
    let in_when = labels(&h.request("textDocument/completion", at(URI, l, c)).await);
    assert!(in_when.iter().any(|w| w == "previous."), "{in_when:?}");
    let after_dot = labels(
        &h.request("textDocument/completion", at(URI, l, c + 9))
            .await,
    );
    assert_eq!(after_dot, ["arm_fossa", "short_leg", "osteoporosis"]);
    // In a `then` argument: `previous.` too.
    let (l, c) = find(PROTOCOL, "previous.short_leg)");
    let in_then = labels(&h.request("textDocument/completion", at(URI, l, c)).await);
    assert!(in_then.iter().any(|w| w == "previous."), "{in_then:?}");
    // At the start of a line in a case: `history`.
    let (l, _) = find(PROTOCOL, "  history {");
    let clauses = labels(&h.request("textDocument/completion", at(URI, l, 2)).await);
    assert!(clauses.iter().any(|w| w == "history"), "{clauses:?}");
}

#[tokio::test]
async fn hover_explains_the_new_keywords() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    for (needle, wanted) in [
        ("history {", "before the first visit"),
        ("previous.short_leg != none", "first visit"),
        ("untestable \"acute", "could not test"),
    ] {
        let (l, c) = find(PROTOCOL, needle);
        let hover = h.request("textDocument/hover", at(URI, l, c + 1)).await;
        let value = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(value.contains(wanted), "{needle}: {hover}");
    }
}

#[tokio::test]
async fn the_new_keywords_are_keyword_tokens() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let keywords: Vec<(u32, u32, u32)> = semantic_tokens(&mut h, URI)
        .await
        .into_iter()
        .filter(|t| t.3 == 0)
        .map(|(line, character, length, _)| (line, character, length))
        .collect();
    for needle in [
        "history {",
        "previous.short_leg != none",
        "untestable \"acute",
    ] {
        let (l, c) = find(PROTOCOL, needle);
        let len = needle.split(['.', ' ']).next().unwrap_or_default().len() as u32;
        assert!(
            keywords.contains(&(l, c, len)),
            "{needle} is no keyword token: {keywords:?}"
        );
    }
}

#[tokio::test]
async fn the_code_lens_applies_the_history_and_names_untestable_findings() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let titles: Vec<&str> = lenses
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "no category, provisional · no adjustment · untestable: arm_fossa",
            "category II · block(short_leg: left)",
        ]
    );
}

#[tokio::test]
async fn previous_in_a_check_is_fixed_to_before() {
    let text = format!(
        "{PROTOCOL}\ncheck clears {{\n  across visits\n  need     previous.arm_fossa != none\n  complete after.arm_fossa == none\n}}\n"
    );
    let mut h = Harness::start(false).await;
    let diagnostics = h.open(URI, &text).await;
    let e0307: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "E0307")
        .collect();
    assert_eq!(e0307.len(), 1, "{diagnostics:?}");
    let actions = h
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": e0307[0]["range"], "context": {"diagnostics": [e0307[0]]}}),
        )
        .await;
    let fix = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["title"] == "Write `before.arm_fossa`")
        .unwrap_or_else(|| panic!("no fix: {actions}"));
    let edit = &fix["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "before.arm_fossa", "{fix}");
    let (l, c) = find(&text, "previous.arm_fossa != none\n  complete");
    assert_eq!(edit["range"]["start"], json!({"line": l, "character": c}));
    assert_eq!(
        edit["range"]["end"],
        json!({"line": l, "character": c + "previous.arm_fossa".len() as u32})
    );
}

#[tokio::test]
async fn the_code_lens_names_a_wildcard_untestable_finding_once() {
    let protocol = "protocol \"Wildcards\"

indicator occipital_fiber(line: 1..3, area: 1..7): 0..3
indicator tender(side: Side): bool

case drill {
  visit 1 {
    findings {
      occipital_fiber(line: _, area: _) = untestable \"acute pain\"
      tender(side: _) = untestable
    }
  }
  visit 2 {
    findings {
      occipital_fiber(line: _, area: _) = untestable
      occipital_fiber(line: 2, area: 3) = 1
      occipital_fiber(line: 1, area: _) = untestable
    }
  }
}
";
    let mut h = Harness::start(false).await;
    h.open(URI, protocol).await;
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let titles: Vec<&str> = lenses
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "no category · no adjustment · untestable: occipital_fiber(line: _, area: _), tender(side: _)",
            "no category · no adjustment · untestable: occipital_fiber(line: _, area: _) (20 of 21)",
        ]
    );
}
