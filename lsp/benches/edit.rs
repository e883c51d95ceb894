//! `cargo bench -p sot-lsp`: the time from `didChange` (one rule edited in a generated
//! 10,000-rule protocol) to the server's first `publishDiagnostics` for that version, through
//! the server's tower `Service`, against the time a full check takes (opening the file); and
//! the whole-file requests on that protocol (semantic tokens, document symbols), first and
//! again.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

const URI: &str = "file:///bench/big.sot";

/// The resident memory of this process, in MB (Linux).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let Some(text) = Command::new("python3")
        .arg(script)
        .arg("10000")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
    else {
        eprintln!("python3 tools/gen_protocol.py failed");
        return;
    };
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
    async fn call(service: &mut tower_lsp_server::LspService<sot_lsp::Backend>, request: Request) {
        let ready = service.ready().await.expect("ready");
        ready.call(request).await.expect("alive");
    }
    call(
        &mut service,
        Request::build("initialize")
            .id(1)
            .params(json!({"capabilities": {}}))
            .finish(),
    )
    .await;
    call(
        &mut service,
        Request::build("initialized").params(json!({})).finish(),
    )
    .await;

    // The first version of each edit's diagnostics.
    async fn wait_for(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>, version: i64) {
        while let Some(p) = rx.recv().await {
            if p["version"] == version {
                return;
            }
        }
    }

    let start = Instant::now();
    call(&mut service, Request::build("textDocument/didOpen")
        .params(json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}))
        .finish())
    .await;
    wait_for(&mut rx, 1).await;
    let full = start.elapsed();

    // Whole-file requests: the first builds the line index and the tokens, again reads the
    // caches.
    let mut whole_file = Vec::new();
    for (i, method) in [
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
    ]
    .into_iter()
    .enumerate()
    {
        let mut times = Vec::new();
        for round in 0..2 {
            let start = Instant::now();
            call(
                &mut service,
                Request::build(method)
                    .id(10 + 2 * i as i64 + round)
                    .params(json!({"textDocument": {"uri": URI}}))
                    .finish(),
            )
            .await;
            times.push(start.elapsed());
        }
        whole_file.push((method, times));
    }

    let target = "rule r_5000 {";
    let Some(at) = text.find(target) else { return };
    let when = at + text[at..].find("\n  when ").unwrap_or(0);
    let line_end = when + 1 + text[when + 1..].find('\n').unwrap_or(0);
    let rss_open = rss_mb();
    // Each edit rewrites the end of that `when` line: with incremental synchronisation (what
    // editors send) as the range it replaces; with full synchronisation as the whole text.
    let line = text[..line_end].matches('\n').count();
    let column = line_end - text[..line_end].rfind('\n').map_or(0, |n| n + 1);
    let mut previous = 0;
    let mut change = |i: i64, incremental: bool| {
        let extra = " and ind_0 != none".repeat((i % 3 + 1) as usize);
        let event = if incremental {
            json!({"range": {"start": {"line": line, "character": column},
                             "end": {"line": line, "character": column + previous}},
                   "text": extra})
        } else {
            let mut edited = text.clone();
            edited.insert_str(line_end, &extra);
            json!({"text": edited})
        };
        previous = extra.len();
        event
    };
    let mut samples = Vec::new();
    let mut full_sync = Vec::new();
    for i in 0..120i64 {
        let version = i + 2;
        let incremental = i >= 60;
        let event = change(i, incremental);
        let start = Instant::now();
        call(&mut service, Request::build("textDocument/didChange")
            .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [event]}))
            .finish())
        .await;
        wait_for(&mut rx, version).await;
        if incremental {
            &mut samples
        } else {
            &mut full_sync
        }
        .push(start.elapsed());
    }
    let rss_60 = rss_mb();
    // 1,000 more edits, for memory: it must not grow with the edits.
    for i in 120..1120i64 {
        let version = i + 2;
        let event = change(i, true);
        call(&mut service, Request::build("textDocument/didChange")
            .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [event]}))
            .finish())
        .await;
        wait_for(&mut rx, version).await;
    }
    let rss_1060 = rss_mb();
    full_sync.sort();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[samples.len() * 95 / 100];
    println!("| work | median | p95 | spread (min–max) |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| open (full check, first diagnostics), 10,000 rules | {} | | |",
        ms(full)
    );
    for (method, times) in &whole_file {
        println!(
            "| {method}, 10,000 rules: first / again | {} | | {} again |",
            ms(times[0]),
            ms(times[1])
        );
    }
    println!(
        "| didChange → publishDiagnostics, one rule edited (incremental sync) | {} | {} | {}–{} ({:.0}× faster than the full check) |",
        ms(median),
        ms(p95),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        full.as_secs_f64() / median.as_secs_f64()
    );
    println!(
        "| the same with full-text sync (1.4 MB per edit) | {} | {} | {}–{} |",
        ms(full_sync[full_sync.len() / 2]),
        ms(full_sync[full_sync.len() * 95 / 100]),
        ms(full_sync[0]),
        ms(full_sync[full_sync.len() - 1]),
    );
    println!(
        "| resident memory (RSS): file open / after 120 edits / after 1,120 edits | {rss_open:.0} MB | {rss_60:.0} MB | {rss_1060:.0} MB |"
    );
}
