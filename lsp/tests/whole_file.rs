//! The whole-file requests (semantic tokens full and delta, document symbols) over the wire
//! (`sot_lsp::serve`), which answers them from the backend straight to bytes: complete
//! JSON-RPC answers, and what the specification asks before `initialized` and after
//! `shutdown`.

#[path = "common/wire.rs"]
mod wire;

use serde_json::{json, Value};
use wire::Wire;

const URI: &str = "file:///lsp-test/whole.sot";
const TEXT: &str = "indicator arm_fossa: Side?\nadjustment adjust(level: Vertebra)\n\
rule r {\n  when arm_fossa != none\n  then adjust(level: T1)\n}\n";

async fn open(wire: &mut Wire) {
    wire.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": TEXT}}),
    )
    .await;
}

async fn ask(wire: &mut Wire, method: &str, params: Value) -> Value {
    let id = wire.request(method, params).await;
    let answer = wire.response(id).await;
    assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
    assert_eq!(answer["id"], id, "{answer}");
    answer
}

#[tokio::test]
async fn tokens_and_symbols_are_whole_answers() {
    let mut wire = Wire::start().await;
    open(&mut wire).await;
    let doc = json!({"textDocument": {"uri": URI}});
    let tokens = ask(&mut wire, "textDocument/semanticTokens/full", doc.clone()).await;
    let data = tokens["result"]["data"].as_array().expect("data").clone();
    // Five numbers a token; the first is `indicator` at 0:0, nine characters, a keyword (0).
    assert_eq!(data.len() % 5, 0, "{tokens}");
    assert_eq!(
        data[..4],
        [json!(0), json!(0), json!(9), json!(0)],
        "{tokens}"
    );
    let result_id = tokens["result"]["resultId"].as_str().expect("result id");

    // The same text again: a delta with no edits.
    let delta = ask(
        &mut wire,
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": URI}, "previousResultId": result_id}),
    )
    .await;
    assert_eq!(delta["result"]["edits"], json!([]), "{delta}");

    let symbols = ask(&mut wire, "textDocument/documentSymbol", doc.clone()).await;
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["arm_fossa", "adjust", "r"], "{symbols}");
    assert_eq!(
        symbols["result"][2]["location"]["range"]["start"]["line"],
        2
    );

    // Parameters of the wrong shape: invalid params, and the session goes on.
    let bad = ask(&mut wire, "textDocument/documentSymbol", json!({"uri": 3})).await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = ask(
        &mut wire,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///lsp-test/not-open.sot"}}),
    )
    .await;
    assert_eq!(unknown["result"], Value::Null, "{unknown}");

    // After `shutdown`, every request but `exit` is an invalid request.
    let shutdown = ask(&mut wire, "shutdown", Value::Null).await;
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    let late = ask(&mut wire, "textDocument/semanticTokens/full", doc).await;
    assert_eq!(late["error"]["code"], -32600, "{late}");
}

#[tokio::test]
async fn before_initialized_they_are_refused() {
    let mut wire = Wire::connect();
    let doc = json!({"textDocument": {"uri": URI}});
    let early = ask(&mut wire, "textDocument/documentSymbol", doc).await;
    // ServerNotInitialized.
    assert_eq!(early["error"]["code"], -32002, "{early}");
}

/// Every token of a generated protocol (and of an item with non-ASCII text) decodes, over
/// the wire, to the text it colours: keywords to keywords, indicators to indicator names.
#[tokio::test]
async fn every_token_points_at_its_text() {
    let text = format!(
        "{}\n/// Épaule — «test» 🙂\nindicator shoulder: bool\ncategory X \"Épaule 🙂\" {{ when shoulder }}\n",
        wire::generated(300)
    );
    let mut wire = Wire::start().await;
    wire.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}),
    )
    .await;
    let tokens = ask(
        &mut wire,
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    let data: Vec<u64> = tokens["result"]["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    let lines: Vec<Vec<u16>> = text.lines().map(|l| l.encode_utf16().collect()).collect();
    let (mut line, mut start) = (0usize, 0usize);
    let mut seen = std::collections::HashMap::<u64, usize>::new();
    let mut at = Vec::new();
    for t in data.chunks(5) {
        line += t[0] as usize;
        start = if t[0] == 0 {
            start + t[1] as usize
        } else {
            t[1] as usize
        };
        let units = &lines[line][start..start + t[2] as usize];
        let word = String::from_utf16_lossy(units);
        match t[3] {
            0 => assert!(
                word.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "keyword {word:?} at {line}:{start}"
            ),
            1 => assert!(word.starts_with("//"), "comment {word:?} at {line}:{start}"),
            2 => assert!(word.starts_with('"'), "string {word:?} at {line}:{start}"),
            6 => assert!(
                word.starts_with("ind_") || word == "fiber" || word == "shoulder",
                "indicator {word:?} at {line}:{start}"
            ),
            _ => assert!(!word.trim().is_empty(), "{word:?} at {line}:{start}"),
        }
        *seen.entry(t[3]).or_default() += 1;
        at.push((line, start, t[2] as usize, t[3]));
    }
    // The non-ASCII items' comment, names and the keyword after a string, in UTF-16 columns.
    let n = lines.len();
    let last = &at[at.len() - 7..];
    assert!(at.contains(&(n - 3, 0, lines[n - 3].len(), 1)), "{last:?}");
    assert!(at.contains(&(n - 2, 10, 8, 6)), "{last:?}");
    // `category X "Épaule 🙂" { when shoulder }`: 🙂 is two UTF-16 units.
    assert!(at.contains(&(n - 1, 11, 11, 2)), "{last:?}");
    assert!(at.contains(&(n - 1, 25, 4, 0)), "{last:?}");
    assert!(at.contains(&(n - 1, 30, 8, 6)), "{last:?}");
    assert!(seen[&0] > 1000 && seen[&6] > 300, "{seen:?}");
}
