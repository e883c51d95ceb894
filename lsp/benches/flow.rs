//! `cargo bench -p sot-lsp --bench flow`: what VS Code does to the server, on the
//! `tools/gen_protocol.py 10000` document, over the wire (framing and tower-lsp-server's
//! concurrency limit included): open, then edits, each followed at once (without waiting)
//! by `semanticTokens/full` (or `full/delta` with the last result id) and `documentSymbol`.
//! Measured: `didChange` → the first `publishDiagnostics` of that version, and each request's
//! round trip (answered, or cancelled with ContentModified by the next edit).

#[path = "../tests/common/wire.rs"]
mod wire;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wire::{generated, WhenEdit, Wire};

const URI: &str = "file:///bench/big.sot";
const EDITS: usize = 200;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Median, p95, min–max of some times.
fn spread(mut times: Vec<Duration>) -> String {
    if times.is_empty() {
        return "| | | |".into();
    }
    times.sort();
    format!(
        "| {} | {} | {}–{} |",
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
        ms(times[0]),
        ms(times[times.len() - 1])
    )
}

/// A request sent and not yet answered.
struct Pending {
    kind: &'static str,
    sent: Instant,
}

/// What came back for the requests of one kind.
#[derive(Default)]
struct Answers {
    times: Vec<Duration>,
    cancelled: usize,
    bytes: Vec<usize>,
}

#[derive(Default)]
struct Flow {
    pending: HashMap<i64, Pending>,
    answers: HashMap<&'static str, Answers>,
    /// The last semantic tokens result id (for `full/delta`).
    result_id: Option<String>,
}

impl Flow {
    /// Handles one message from the server; the version when it is a `publishDiagnostics`.
    fn take(&mut self, message: wire::Incoming) -> Option<i64> {
        let body = message.summary();
        if body["method"] == "textDocument/publishDiagnostics" {
            return body["params"]["version"].as_i64();
        }
        let pending = body["id"]
            .as_i64()
            .and_then(|id| self.pending.remove(&id))?;
        let answers = self.answers.entry(pending.kind).or_default();
        if body["error"]["code"] == -32801 {
            answers.cancelled += 1;
        } else {
            answers.times.push(message.at - pending.sent);
            answers.bytes.push(message.body.len());
            if let Some(id) = body["result"]["resultId"].as_str() {
                self.result_id = Some(id.to_string());
            }
        }
        None
    }

    async fn request(&mut self, wire: &mut Wire, kind: &'static str, method: &str, params: Value) {
        let sent = Instant::now();
        let id = wire.request(method, params).await;
        self.pending.insert(id, Pending { kind, sent });
    }

    /// Sends what an editor asks after a change: tokens (full, or a delta) and symbols.
    async fn after_change(&mut self, wire: &mut Wire, delta: bool) {
        let doc = json!({"textDocument": {"uri": URI}});
        match (&self.result_id, delta) {
            (Some(previous), true) => {
                let params = json!({"textDocument": {"uri": URI}, "previousResultId": previous});
                self.request(
                    wire,
                    "tokens",
                    "textDocument/semanticTokens/full/delta",
                    params,
                )
                .await
            }
            _ => {
                self.request(
                    wire,
                    "tokens",
                    "textDocument/semanticTokens/full",
                    doc.clone(),
                )
                .await
            }
        }
        self.request(wire, "symbols", "textDocument/documentSymbol", doc)
            .await;
    }

    /// Reads messages until the first diagnostics of `version`; when they arrived.
    async fn until_diagnostics(&mut self, wire: &mut Wire, version: i64) -> Instant {
        loop {
            let message = wire.next().await;
            let at = message.at;
            if self.take(message) == Some(version) {
                return at;
            }
        }
    }

    /// Reads messages until every request is answered.
    async fn drain(&mut self, wire: &mut Wire) {
        while !self.pending.is_empty() {
            let message = wire.next().await;
            self.take(message);
        }
    }
}

/// One run: open, then `EDITS` edits with the requests after each. Pauses between edits
/// cycle through 0, 10, 30 and 60 ms (typing); every 50th edit comes after 400 ms, when the
/// static analyses (300 ms after typing pauses) are running.
async fn run(text: &str, delta: bool) {
    let mut wire = Wire::start().await;
    let mut flow = Flow::default();
    let start = Instant::now();
    wire.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}),
    )
    .await;
    let open = flow.until_diagnostics(&mut wire, 1).await - start;
    flow.after_change(&mut wire, delta).await;
    flow.drain(&mut wire).await;
    let first: Vec<(&str, Duration)> = ["tokens", "symbols"]
        .into_iter()
        .map(|k| {
            (
                k,
                flow.answers.get(k).map_or(Duration::ZERO, |a| a.times[0]),
            )
        })
        .collect();
    flow.answers.clear();

    let mut edit = WhenEdit::new(text);
    let (mut typing, mut paused) = (Vec::new(), Vec::new());
    for i in 0..EDITS {
        let pause = if i % 50 == 49 {
            400
        } else {
            [0, 10, 30, 60][i % 4]
        };
        // Keep reading (answers arrive meanwhile) while the user pauses.
        let until = Instant::now() + Duration::from_millis(pause);
        while let Ok(Some(message)) =
            tokio::time::timeout_at(until.into(), wire.from_server.recv()).await
        {
            flow.take(message);
        }
        let version = i as i64 + 2;
        let sent = Instant::now();
        wire.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [edit.change(i)]}),
        )
        .await;
        flow.after_change(&mut wire, delta).await;
        let latency = flow.until_diagnostics(&mut wire, version).await - sent;
        if pause == 400 {
            &mut paused
        } else {
            &mut typing
        }
        .push(latency);
    }
    flow.drain(&mut wire).await;

    let mode = if delta { "full/delta" } else { "full" };
    println!("\n### semantic tokens as `{mode}`, {EDITS} edits\n");
    println!("| work | median | p95 | spread (min–max) |");
    println!("| --- | --- | --- | --- |");
    println!("| open → first publishDiagnostics | {} | | |", ms(open));
    for (kind, time) in first {
        println!(
            "| first {kind} after open (round trip) | {} | | |",
            ms(time)
        );
    }
    println!(
        "| didChange → publishDiagnostics, typing ({} edits) {}",
        typing.len(),
        spread(typing)
    );
    println!(
        "| the same, the edit during the static analyses ({} edits) {}",
        paused.len(),
        spread(paused)
    );
    for kind in ["tokens", "symbols"] {
        let Some(a) = flow.answers.remove(kind) else {
            continue;
        };
        let mut bytes = a.bytes.clone();
        bytes.sort();
        let kb = bytes
            .get(bytes.len() / 2)
            .map_or(0.0, |b| *b as f64 / 1024.0);
        println!(
            "| {kind} round trip: {} answered ({kb:.0} KiB median), {} ContentModified {}",
            a.times.len(),
            a.cancelled,
            spread(a.times)
        );
    }
}

#[tokio::main]
async fn main() {
    let text = generated(10_000);
    run(&text, false).await;
    run(&text, true).await;
}
