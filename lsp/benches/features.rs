//! `cargo bench -p sot-lsp --bench features`: each editor feature's request on the
//! `tools/gen_protocol.py 10000` protocol (with one case of three visits appended, so that
//! the case features have something to evaluate), through the server's tower `Service`:
//! the first request and the median and slowest of 20 more. The file is open and its
//! diagnostics published before the first request.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

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

/// One request (or notification) and its result.
async fn call(
    service: &mut tower_lsp_server::LspService<sot_lsp::Backend>,
    method: &'static str,
    params: Value,
) -> Value {
    static ID: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let request = if method.starts_with("textDocument/did") || method == "initialized" {
        Request::build(method).params(params).finish()
    } else {
        let id = ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Request::build(method).id(id).params(params).finish()
    };
    let ready = service.ready().await.expect("ready");
    let response = ready.call(request).await.expect("alive");
    response
        .and_then(|r| r.into_parts().1.ok())
        .unwrap_or(Value::Null)
}

#[tokio::main]
async fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let Some(mut text) = Command::new("python3")
        .arg(script)
        .arg("10000")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
    else {
        eprintln!("python3 tools/gen_protocol.py failed");
        return;
    };
    text.push_str(CASE);
    let (mut service, socket) = sot_lsp::service();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    tokio::spawn(async move {
        let mut socket = socket;
        while let Some(message) = socket.next().await {
            let (method, _, params) = message.into_parts();
            if method == "textDocument/publishDiagnostics"
                && tx.send(params.unwrap_or(Value::Null)).is_err()
            {
                break;
            }
        }
    });
    call(&mut service, "initialize", json!({"capabilities": {}})).await;
    call(&mut service, "initialized", json!({})).await;
    call(
        &mut service,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}),
    )
    .await;
    // The checker's diagnostics, then (once typing pauses) the analyses' with T0001.
    for _ in 0..2 {
        let _ = tokio::time::timeout(Duration::from_secs(120), rx.recv()).await;
    }

    let doc = json!({"textDocument": {"uri": URI}});
    let pos = |needle: &str, plus: usize| {
        let (line, character) = find(&text, needle);
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character + plus}})
    };
    let lines = text.lines().count();
    let (rule_line, _) = find(&text, "rule r_5000 {");
    let (case_line, _) = find(&text, "case bench_case");
    let indicator = call(
        &mut service,
        "textDocument/prepareCallHierarchy",
        pos("indicator ind_7:", 10),
    )
    .await;
    let adjustment = call(
        &mut service,
        "textDocument/prepareCallHierarchy",
        pos("adjustment adjust", 11),
    )
    .await;
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
            json!({"item": indicator[0]}),
        ),
        (
            "call hierarchy: incoming of `adjust` (~9,000 rules)",
            "callHierarchy/incomingCalls",
            json!({"item": adjustment[0]}),
        ),
        (
            "code actions (on a failing expect line)",
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": case_line + 8, "character": 4}, "end": {"line": case_line + 8, "character": 4}}, "context": {"diagnostics": []}}),
        ),
    ];
    println!("| request, 10,000-rule file | first | median of 20 | slowest of 20 | answer |");
    println!("| --- | --- | --- | --- | --- |");
    for (what, method, params) in requests {
        let start = Instant::now();
        let answer = call(&mut service, method, params.clone()).await;
        let first = start.elapsed();
        let mut times = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            call(&mut service, method, params.clone()).await;
            times.push(start.elapsed());
        }
        times.sort();
        let size = serde_json::to_string(&answer).map_or(0, |s| s.len());
        let items = answer
            .as_array()
            .map(Vec::len)
            .or_else(|| answer["items"].as_array().map(Vec::len))
            .or_else(|| answer["signatures"].as_array().map(Vec::len));
        println!(
            "| {what} | {} | {} | {} | {} items, {size} bytes |",
            ms(first),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            items.map_or("-".into(), |n| n.to_string())
        );
    }
}
