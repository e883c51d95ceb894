//! The big-file flow of the editors (VS Code, Neovim 0.11) as a test, through the whole
//! server (`sot_lsp::serve`, over pipes): the `tools/gen_protocol.py 10000` document open,
//! 20 edits, each followed at once by `semanticTokens/full` and `documentSymbol`. Every
//! edit's diagnostics arrive within 10 s (a generous bound: a debug build on a busy CI
//! machine; the tight figures are `cargo bench -p sot-lsp --bench flow`'s), and the answers
//! are complete. A test binary of its own, so it runs alone.

#[path = "common/wire.rs"]
mod wire;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wire::{generated, WhenEdit, Wire};

const URI: &str = "file:///lsp-test/big.sot";

/// Reads messages until the diagnostics of `version` and the answers to `ids` have all
/// arrived; the answers, and when the diagnostics came.
async fn collect(wire: &mut Wire, version: i64, ids: [i64; 2]) -> (Instant, Vec<Value>) {
    let (mut diagnostics, mut answers) = (None, vec![Value::Null; 2]);
    while diagnostics.is_none() || answers.iter().any(Value::is_null) {
        let message = wire.next().await;
        let body = message.json();
        if body["method"] == "textDocument/publishDiagnostics"
            && body["params"]["version"] == version
            && diagnostics.is_none()
        {
            diagnostics = Some(message.at);
        }
        for (i, id) in ids.iter().enumerate() {
            if body["id"] == *id && body.get("method").is_none() {
                answers[i] = body.clone();
            }
        }
    }
    (diagnostics.unwrap_or_else(Instant::now), answers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_file_edits_with_tokens_and_symbols_after_each() {
    let text = generated(10_000);
    let mut wire = Wire::start().await;
    wire.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}),
    )
    .await;
    let mut edit = WhenEdit::new(&text);
    for i in 0..20usize {
        let version = i as i64 + 2;
        let sent = Instant::now();
        wire.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [edit.change(i)]}),
        )
        .await;
        let doc = json!({"textDocument": {"uri": URI}});
        let tokens = wire
            .request("textDocument/semanticTokens/full", doc.clone())
            .await;
        let symbols = wire.request("textDocument/documentSymbol", doc).await;
        let (arrived, answers) = tokio::time::timeout(
            Duration::from_secs(60),
            collect(&mut wire, version, [tokens, symbols]),
        )
        .await
        .expect("diagnostics and answers within 60 s");
        let latency = arrived - sent;
        assert!(
            latency < Duration::from_secs(10),
            "edit {i}: diagnostics after {latency:?}"
        );
        // No newer edit was sent: the answers are complete, not ContentModified.
        let count = answers[0]["result"]["data"].as_array().map_or(0, Vec::len);
        assert!(count > 0, "edit {i}: no tokens: {}", answers[0]["error"]);
        let symbols = answers[1]["result"].as_array().map_or(0, Vec::len);
        assert!(
            symbols >= 10_000,
            "edit {i}: {symbols} symbols: {}",
            answers[1]["error"]
        );
    }
}
