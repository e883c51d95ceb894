//! The language server on what LANGUAGE.md §7.1, §7.4, §7.5 and §7.7 add: completion of the
//! new forms, hover on red flags, categories and the new words, urgency words as keywords only
//! after `refer`, and a code lens that shows coexisting categories and raised red flags.

mod common;

use common::{at, find, labels, semantic_tokens, Harness};
use serde_json::{json, Value};

const URI: &str = "file:///lsp-test/coexist.sot";

const PROTOCOL: &str = "protocol \"Coexist\"

type Priority = routine | urgent
indicator arm_fossa: Side?
indicator pain_on_cough: bool
indicator saddle_anaesthesia: bool
indicator triage: Priority

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}
category III \"Lumbar disc and sciatic involvement\" {
  when pain_on_cough
}
coexist III, II

red_flag cauda_equina \"Possible cauda equina syndrome\" {
  in category III
  when saddle_anaesthesia or triage == urgent
  refer emergency \"Emergency medical referral; do not adjust\"
}

case both {
  visit 1 {
    findings {
      arm_fossa = left
      pain_on_cough = yes
      saddle_anaesthesia = no
      triage = routine
    }
    expect category III, II
    expect ruled_out cauda_equina
  }
  visit 2 {
    findings {
      arm_fossa = left
      pain_on_cough = yes
      saddle_anaesthesia = yes
      triage = routine
    }
    expect red_flag cauda_equina
  }
}
";

async fn completion_after(h: &mut Harness, text: &str, needle: &str) -> Vec<String> {
    let (l, c) = find(text, needle);
    let at_end = at(URI, l, c + needle.len() as u32);
    labels(&h.request("textDocument/completion", at_end).await)
}

#[tokio::test]
async fn completion_offers_the_new_forms() {
    let mut h = Harness::start(false).await;
    let text = PROTOCOL.replace(
        "    expect ruled_out cauda_equina\n",
        "    expect ruled_out cauda_equina\n    expect \n    expect no \n    expect not_ruled_out \n",
    );
    h.open(URI, &text).await;
    let expect = completion_after(&mut h, &text, "    expect \n").await;
    for form in ["no refer", "no red_flag", "not_ruled_out", "ruled_out"] {
        assert!(expect.contains(&form.to_string()), "{form}: {expect:?}");
    }
    let no = completion_after(&mut h, &text, "    expect no \n").await;
    assert_eq!(no, ["adjustment", "refer", "red_flag"]);
    let flags = completion_after(&mut h, &text, "    expect not_ruled_out ").await;
    assert_eq!(flags, ["cauda_equina"]);
    let coexist = completion_after(&mut h, &text, "coexist III, ").await;
    assert_eq!(coexist, ["II", "III"]);
    let refer = completion_after(&mut h, &text, "  refer ").await;
    assert_eq!(refer, ["emergency", "urgent", "routine"]);
    let top = completion_after(&mut h, &text, "").await;
    assert!(top.contains(&"coexist".to_string()), "{top:?}");
}

fn hover_text(hover: &Value) -> String {
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn hover_shows_a_red_flags_category_and_urgency_and_a_categorys_coexist_lines() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    let (l, c) = find(PROTOCOL, "cauda_equina\n");
    let flag = hover_text(&h.request("textDocument/hover", at(URI, l, c)).await);
    assert!(flag.contains("in category III"), "{flag}");
    assert!(flag.contains("refer: emergency referral"), "{flag}");
    let (l, c) = find(PROTOCOL, "category II ");
    let category = hover_text(&h.request("textDocument/hover", at(URI, l, c + 9)).await);
    assert!(category.contains("coexist III, II"), "{category}");
    let (l, c) = find(PROTOCOL, "coexist III");
    let word = hover_text(&h.request("textDocument/hover", at(URI, l, c)).await);
    assert!(word.contains("hold in one visit together"), "{word}");
    let (l, c) = find(PROTOCOL, "emergency \"");
    let urgency = hover_text(&h.request("textDocument/hover", at(URI, l, c)).await);
    assert!(urgency.contains("most urgent first"), "{urgency}");
}

#[tokio::test]
async fn urgency_words_are_keywords_only_after_refer() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    let decoded = semantic_tokens(&mut h, URI).await;
    let type_at = |needle: &str| {
        let (l, c) = find(PROTOCOL, needle);
        decoded.iter().find(|t| t.0 == l && t.1 == c).map(|t| t.3)
    };
    // The legend: 0 keyword, 7 enum member.
    assert_eq!(type_at("emergency \""), Some(0), "{decoded:?}");
    assert_eq!(type_at("coexist III"), Some(0), "{decoded:?}");
    assert_eq!(type_at("urgent\n"), Some(7), "{decoded:?}");
    assert_eq!(type_at("ruled_out cauda"), Some(0), "{decoded:?}");
}

#[tokio::test]
async fn the_code_lens_shows_coexisting_categories_and_raised_red_flags() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(
        lenses[0]["command"]["title"], "categories III, II (coexisting) · no adjustment",
        "{lenses}"
    );
    assert_eq!(
        lenses[1]["command"]["title"],
        "refer: cauda_equina (emergency) · categories III, II (coexisting) · no adjustment",
        "{lenses}"
    );
}
