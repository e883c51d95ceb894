//! The language server's memory under a thousand edits with requests in flight, in a test
//! binary of its own: resident memory is the whole process's, so no other test may run
//! beside it.

mod common;

use common::{at, find, Harness, PROTOCOL, URI};
use serde_json::json;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

/// Resident memory of this process in kB (Linux), where the server runs.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_edits_with_requests_in_flight_keep_memory_flat() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let (line, character) = find(PROTOCOL, "arm_fossa != none");
    let mut in_flight = Vec::new();
    let (mut answered, mut cancelled) = (0, 0);
    let edit = |version: i64| {
        let text = format!(
            "// edit {version}\n{}",
            if version % 2 == 0 {
                PROTOCOL.replace("limited\n", "fixed\n")
            } else {
                PROTOCOL.to_string()
            }
        );
        Request::build("textDocument/didChange")
            .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}))
            .finish()
    };
    let mut before = 0;
    for version in 2..=1001 {
        if version == 101 {
            before = rss_kb();
        }
        // Requests on the current text, left running while the next edit arrives: each is
        // answered, or cancelled with ContentModified, never lost and never a crash.
        for (i, method) in [
            "textDocument/hover",
            "textDocument/semanticTokens/full",
            "textDocument/codeLens",
        ]
        .into_iter()
        .enumerate()
        {
            let params = match i {
                0 => at(URI, line + 1, character),
                _ => json!({"textDocument": {"uri": URI}}),
            };
            let request = Request::build(method)
                .id(version * 10 + i as i64)
                .params(params)
                .finish();
            let service = h.service.ready().await.expect("service ready");
            in_flight.push(tokio::spawn(service.call(request)));
        }
        let service = h.service.ready().await.expect("service ready");
        service.call(edit(version)).await.expect("service alive");
        // What the server sent the client (diagnostics) is read, as an editor would.
        while h.from_server.try_recv().is_ok() {}
        for request in in_flight.drain(..) {
            let response = request
                .await
                .expect("no panic")
                .expect("service alive")
                .expect("a response");
            match response.into_parts().1 {
                Ok(_) => answered += 1,
                Err(e) if e.code.code() == -32801 => cancelled += 1,
                Err(e) => panic!("unexpected error {e:?}"),
            }
        }
    }
    assert_eq!(answered + cancelled, 3000);
    // The last version is the document: its hover still answers.
    let hover = h
        .request("textDocument/hover", at(URI, line + 1, character))
        .await;
    assert!(
        hover["contents"].to_string().contains("Arm fossa"),
        "{hover}"
    );
    let after = rss_kb();
    eprintln!(
        "RSS after 100 edits {before} kB, after 1,000 {after} kB; {answered} answered, {cancelled} cancelled"
    );
    assert!(
        after < before + 2 * 1024,
        "memory grew from {before} kB to {after} kB over 900 edits"
    );
}
