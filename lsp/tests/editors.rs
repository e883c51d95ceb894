//! What real clients asked for, in process: plain-text hover for a client that prefers it
//! (eglot), completion items that say which text they replace (so a client filters against
//! the typed word, not `==`), code lenses that lead with red flags, and `use` paths as links
//! and definitions.

mod common;

use common::{at, find, Harness, PROTOCOL, URI};
use serde_json::{json, Value};

fn labels(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["label"].as_str())
        .collect()
}

#[tokio::test]
async fn hover_is_plain_text_for_a_client_that_prefers_it() {
    let mut h = Harness::start_with(json!({"capabilities": {
        "textDocument": {"hover": {"contentFormat": ["plaintext", "markdown"]}}
    }}))
    .await;
    h.open(URI, PROTOCOL).await;
    let (l, c) = find(PROTOCOL, "arm_fossa != none");
    let hover = h.request("textDocument/hover", at(URI, l, c)).await;
    assert_eq!(hover["contents"]["kind"], "plaintext", "{hover}");
    assert_eq!(
        hover["contents"]["value"],
        "indicator arm_fossa: Side?\n\nArm fossa test: the arm weakens on the involved side.",
        "no Markdown fences: {hover}"
    );

    // A client that prefers Markdown (or says nothing) gets the fenced signature.
    let mut h = Harness::start_with(json!({"capabilities": {
        "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}
    }}))
    .await;
    h.open(URI, PROTOCOL).await;
    let hover = h.request("textDocument/hover", at(URI, l, c)).await;
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.starts_with("```sot\nindicator arm_fossa: Side?\n```")),
        "{hover}"
    );
}

/// The `textEdit` of every item, as (start line, start character, end character, new text).
fn edits(items: &Value) -> Vec<(u64, u64, u64, String)> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let e = &v["textEdit"];
            assert_eq!(v["filterText"], v["label"], "{v}");
            assert_eq!(
                e["range"]["start"]["line"], e["range"]["end"]["line"],
                "{v}"
            );
            (
                e["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                e["range"]["start"]["character"]
                    .as_u64()
                    .unwrap_or(u64::MAX),
                e["range"]["end"]["character"].as_u64().unwrap_or(u64::MAX),
                e["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn completion_items_replace_the_typed_word_after_operators() {
    let mut h = Harness::start(false).await;
    // After `== ` with nothing typed: an empty range at the cursor.
    let text = PROTOCOL.replace("sacral_nutation == limited\n", "sacral_nutation == \n");
    h.open(URI, &text).await;
    let (l, c) = find(&text, "sacral_nutation == \n");
    let c = c + "sacral_nutation == ".len() as u32;
    let items = h.request("textDocument/completion", at(URI, l, c)).await;
    assert_eq!(labels(&items), ["normal", "limited", "fixed"], "{items}");
    for (line, start, end, new_text) in edits(&items) {
        assert_eq!(
            (line, start, end),
            (l as u64, c as u64, c as u64),
            "{new_text}"
        );
    }

    // After `==` with a word begun and no space: the range is the word, never the `==`.
    let text = PROTOCOL.replace("sacral_nutation == limited\n", "sacral_nutation ==li\n");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": text}]}),
    )
    .await;
    h.diagnostics(URI).await;
    let (l, c) = find(&text, "li\n");
    let items = h
        .request("textDocument/completion", at(URI, l, c + 2))
        .await;
    let edits = edits(&items);
    assert!(!edits.is_empty(), "{items}");
    for (line, start, end, _) in &edits {
        assert_eq!((*line, *start, *end), (l as u64, c as u64, c as u64 + 2));
    }
    assert!(edits.iter().any(|e| e.3 == "limited"), "{items}");

    // Inside a call after `(`: parameter names, inserted with their colon.
    let (l, c) = find(&text, "block(category: II");
    let items = h
        .request("textDocument/completion", at(URI, l, c + 6))
        .await;
    let edits = edits_of(&items);
    assert!(
        edits.contains(&("short_leg".into(), "short_leg: ".into())),
        "{items}"
    );

    // After `then `: adjustments, replacing the word typed after it.
    let (l, c) = find(&text, "then block");
    let items = h
        .request("textDocument/completion", at(URI, l, c + 7))
        .await;
    let block = items
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["label"] == "block")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        block["textEdit"]["range"]["start"]["character"],
        c + 5,
        "{block}"
    );
    assert_eq!(
        block["textEdit"]["range"]["end"]["character"],
        c + 7,
        "{block}"
    );
}

fn edits_of(items: &Value) -> Vec<(String, String)> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["label"].as_str().unwrap_or_default().to_string(),
                v["textEdit"]["newText"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

const FLAGS: &str = "protocol \"Flags\"

indicator saddle_anaesthesia: bool
indicator night_pain: bool
indicator arm_fossa: Side?
adjustment block(side: Side)

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

red_flag cauda_equina \"Possible cauda equina syndrome\" {
  when saddle_anaesthesia
  refer \"Urgent medical referral; do not adjust\"
}

red_flag tumour \"Possible tumour\" {
  when night_pain
  refer \"Refer for imaging\"
}

rule block_two {
  in category II
  when arm_fossa != none
  then block(side: arm_fossa)
}

case ann {
  visit 1 {
    findings {
      saddle_anaesthesia = yes
      night_pain = no
      arm_fossa = left
    }
  }
  visit 2 {
    findings {
      saddle_anaesthesia = no
      arm_fossa = left
    }
  }
  visit 3 {
    findings {
      saddle_anaesthesia = no
      night_pain = no
      arm_fossa = left
    }
  }
}
";

#[tokio::test]
async fn code_lenses_lead_with_the_red_flags() {
    let uri = "file:///lsp-test/flags.sot";
    let mut h = Harness::start(false).await;
    assert!(h.open(uri, FLAGS).await.is_empty());
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
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
            "refer: cauda_equina · category II · no adjustment",
            "not ruled out: tumour · category II · block(side: left)",
            "category II · block(side: left)",
        ],
        "{lenses}"
    );
}

#[tokio::test]
async fn use_paths_are_links_and_go_to_their_file() {
    let dir = std::env::temp_dir().join(format!("sot-lsp-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("common.sot"), "indicator short_leg: Side?\n").expect("write");
    let text = "use \"common.sot\"\nuse \"missing.sot\"\n\nindicator arm_fossa: bool\n";
    let path = dir.join("main.sot");
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display());
    let common = format!("file://{}", dir.join("common.sot").display());

    let mut h = Harness::start(false).await;
    h.open(&uri, text).await;
    let links = h
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(
        links,
        json!([{
            "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 16}},
            "target": common,
            "tooltip": format!("open {}", dir.join("common.sot").display()),
        }]),
        "one link, on the path that exists"
    );
    let definition = h.request("textDocument/definition", at(&uri, 0, 8)).await;
    assert_eq!(definition["uri"], common.as_str(), "{definition}");
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    // On the missing file's path: nothing to go to.
    let definition = h.request("textDocument/definition", at(&uri, 1, 8)).await;
    assert!(definition.is_null(), "{definition}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_used_file_is_read_from_disk_as_the_command_line_reads_it() {
    // Windows editors write a byte order mark; `sot check` drops it, and so must the server
    // when it loads a used file from disk (else the file's first item is E0001 and every
    // name it declares is unknown in the open document).
    let dir = std::env::temp_dir().join(format!("sot-lsp-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("common.sot"),
        "\u{feff}indicator short_leg: Side?\n",
    )
    .expect("write");
    let text = "use \"common.sot\"\n\nrule r {\n  when short_leg != none\n  then rest\n}\nadjustment rest\n";
    let path = dir.join("main.sot");
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display());
    let mut h = Harness::start(false).await;
    let diagnostics = h.open(&uri, text).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
