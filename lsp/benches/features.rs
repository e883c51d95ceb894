//! `cargo bench -p sot-lsp --bench features`: each editor feature's request on the
//! `tools/gen_protocol.py 10000` protocol (with one case of three visits appended, so that
//! the case features have something to evaluate), over the wire as an editor sends it (the
//! whole server, `sot_lsp::serve`, on in-process pipes: the answer written to bytes and
//! framed): the first request and the median, p95 and slowest of 20 more, each timed from
//! sending it to the last byte of its answer. The file is open and its diagnostics
//! published before the first request. Words after `--` keep only the rows that contain
//! one of them.

#[path = "../tests/common/wire.rs"]
mod wire;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wire::{generated, Wire};

const URI: &str = "file:///bench/big.sot";

const CASE: &str = "
case bench_case {
  visit 1 {
    findings {
      ind_0 = left
      ind_1 = 2
      ind_2 = 3 mm
    }
    expect category II
    expect adjustment adjust(level: T3)
  }
  visit 2 {
    findings {
      ind_0 = none
      ind_1 = 3
    }
    expect category I
  }
  visit 3 {
    findings {
      ind_2 = 20 mm
    }
    expect category III
  }
}
";

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The line and UTF-16 column of the first `needle` in `text`.
fn find(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or(0);
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[start..at].encode_utf16().count())
}

/// One request, and its answer's time and body.
async fn call(wire: &mut Wire, method: &str, params: Value) -> (Duration, Vec<u8>) {
    let sent = Instant::now();
    let id = wire.request(method, params).await;
    loop {
        let message = wire.next().await;
        // The answer ends with its id (tower-lsp-server's order, and `whole_file`'s).
        let tail = &message.body[message.body.len().saturating_sub(32)..];
        let end = format!("\"id\":{id}}}");
        if tail.ends_with(end.as_bytes()) {
            return (message.at - sent, message.body);
        }
    }
}

#[tokio::main]
async fn main() {
    let mut text = generated(10_000);
    text.push_str(CASE);
    let mut wire = Wire::start().await;
    wire.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}),
    )
    .await;
    // The checker's diagnostics, then (once typing pauses) the analyses' with T0001.
    let mut published = 0;
    while published < 2 {
        let message = tokio::time::timeout(Duration::from_secs(120), wire.next()).await;
        let Ok(message) = message else { break };
        if message.json()["method"] == "textDocument/publishDiagnostics" {
            published += 1;
        }
    }

    let doc = json!({"textDocument": {"uri": URI}});
    let pos = |needle: &str, plus: usize| {
        let (line, character) = find(&text, needle);
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character + plus}})
    };
    let lines = text.lines().count();
    let (rule_line, _) = find(&text, "rule r_5000 {");
    let (case_line, _) = find(&text, "case bench_case");
    let prepared = |body: Vec<u8>| {
        serde_json::from_slice::<Value>(&body).map_or(Value::Null, |v| v["result"][0].clone())
    };
    let indicator = prepared(
        call(
            &mut wire,
            "textDocument/prepareCallHierarchy",
            pos("indicator ind_7:", 10),
        )
        .await
        .1,
    );
    let adjustment = prepared(
        call(
            &mut wire,
            "textDocument/prepareCallHierarchy",
            pos("adjustment adjust", 11),
        )
        .await
        .1,
    );
    let requests: Vec<(&str, &'static str, Value)> = vec![
        (
            "folding ranges (whole file)",
            "textDocument/foldingRange",
            doc.clone(),
        ),
        (
            "selection ranges (one position in a rule)",
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": URI}, "positions": [pos("rule r_5000 {", 0)["position"]]}),
        ),
        (
            "document highlight (`adjust`, used by ~9,000 rules)",
            "textDocument/documentHighlight",
            pos("then adjust(level: T2)", 6),
        ),
        (
            "references (`adjust`, with its declaration)",
            "textDocument/references",
            {
                let mut p = pos("then adjust(level: T2)", 6);
                p["context"] = json!({"includeDeclaration": true});
                p
            },
        ),
        (
            "workspace symbols, fuzzy (`r5000`)",
            "workspace/symbol",
            json!({"query": "r5000"}),
        ),
        (
            "workspace symbols, fuzzy (`ind`, thousands of matches)",
            "workspace/symbol",
            json!({"query": "ind"}),
        ),
        (
            "signature help (a table call)",
            "textDocument/signatureHelp",
            pos("level(area)", 6),
        ),
        (
            "inlay hints (a screen: 60 lines of rules)",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": rule_line, "character": 0}, "end": {"line": rule_line + 60, "character": 0}}}),
        ),
        (
            "inlay hints (the case)",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": case_line, "character": 0}, "end": {"line": lines, "character": 0}}}),
        ),
        (
            "inlay hints (whole file)",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}}),
        ),
        (
            "pull diagnostics (document)",
            "textDocument/diagnostic",
            doc.clone(),
        ),
        (
            "pull diagnostics (workspace: the one file)",
            "workspace/diagnostic",
            json!({"previousResultIds": []}),
        ),
        (
            "call hierarchy: prepare",
            "textDocument/prepareCallHierarchy",
            pos("indicator ind_7:", 10),
        ),
        (
            "call hierarchy: outgoing of an indicator",
            "callHierarchy/outgoingCalls",
            json!({"item": indicator}),
        ),
        (
            "call hierarchy: incoming of `adjust` (~9,000 rules)",
            "callHierarchy/incomingCalls",
            json!({"item": adjustment}),
        ),
        (
            "code actions (on a rule no case covers: the case that exercises it)",
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": rule_line, "character": 5}, "end": {"line": rule_line, "character": 5}}, "context": {"diagnostics": []}}),
        ),
        (
            "code actions (on a failing expect line)",
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": case_line + 8, "character": 4}, "end": {"line": case_line + 8, "character": 4}}, "context": {"diagnostics": []}}),
        ),
    ];
    println!(
        "| request, 10,000-rule file | first | median of 20 | p95 of 20 | slowest of 20 | answer |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    // `cargo bench -p sot-lsp --bench features -- WORD`: only the rows that name WORD.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (what, method, params) in requests {
        if !only.is_empty() && !only.iter().any(|w| what.contains(w.as_str())) {
            continue;
        }
        let (first, body) = call(&mut wire, method, params.clone()).await;
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(call(&mut wire, method, params.clone()).await.0);
        }
        times.sort();
        let size = body.len();
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let answer = &answer["result"];
        let items = answer
            .as_array()
            .map(Vec::len)
            .or_else(|| answer["items"].as_array().map(Vec::len))
            .or_else(|| answer["signatures"].as_array().map(Vec::len));
        println!(
            "| {what} | {} | {} | {} | {} | {} items, {size} bytes |",
            ms(first),
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100 - 1]),
            ms(times[times.len() - 1]),
            items.map_or("-".into(), |n| n.to_string())
        );
    }
}
