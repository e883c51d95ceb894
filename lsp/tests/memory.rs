//! The language server's memory under a thousand edits with requests in flight, in a test
//! binary of its own: the memory counted is the whole process's, so no other test may run
//! beside it.
//!
//! The measure is the heap's live bytes, counted by this binary's allocator, not resident
//! memory: resident memory also moves with the allocator's caches and the threads a busy
//! machine wakes (a run beside other builds once grew by 2.3 MB with nothing leaked), while
//! live bytes only grow when something is kept.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use common::{at, find, Harness, PROTOCOL, URI};
use serde_json::json;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

/// The system allocator, counting the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above; `ptr` came from `alloc` or `realloc` of this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap's live bytes, in kB, once the server's background work has settled.
async fn live_kb() -> i64 {
    // The static analyses run in the background after a pause in typing.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    LIVE.load(Ordering::Relaxed) as i64 / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_edits_with_requests_in_flight_keep_memory_flat() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let (line, character) = find(PROTOCOL, "arm_fossa != none");
    let mut in_flight = Vec::new();
    let (mut answered, mut cancelled) = (0, 0);
    let edit = |version: i64| {
        // A long first line: a text kept per edit would add 4 MB over the 900 measured.
        let text = format!(
            "// edit {version} {}\n{}",
            "x".repeat(4096),
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
            before = live_kb().await;
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
    let after = live_kb().await;
    eprintln!(
        "heap after 100 edits {before} kB, after 1,000 {after} kB; {answered} answered, {cancelled} cancelled"
    );
    assert!(
        after < before + 512,
        "the heap grew from {before} kB to {after} kB over 900 edits"
    );
}
