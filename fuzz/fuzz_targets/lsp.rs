//! The language server under a random sequence of messages: opens, edits (bytes spliced into
//! a real protocol, so the text is often almost valid, sent whole or as ranges at random
//! positions), and every request at random
//! positions, some of them past the end or inside characters. Every request must be answered
//! (a result or an error), never a panic or a hang.
#![no_main]

use std::sync::OnceLock;

use futures::StreamExt;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

const PROTOCOL: &str = include_str!("../../protocols/examples/first_look.sot");
const URI: &str = "file:///fuzz/protocol.sot";
const METHODS: [&str; 10] = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/rename",
    "textDocument/codeAction",
    "textDocument/codeLens",
    "textDocument/formatting",
    "textDocument/semanticTokens/full",
    "textDocument/documentSymbol",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn params(method: &str, line: u32, character: u32) -> Value {
    let doc = json!({"uri": URI});
    let position = json!({"line": line, "character": character});
    let range = json!({"start": position, "end": {"line": line + 1, "character": 0}});
    match method {
        "textDocument/references" => json!({"textDocument": doc, "position": position, "context": {"includeDeclaration": true}}),
        "textDocument/rename" => json!({"textDocument": doc, "position": position, "newName": "renamed"}),
        "textDocument/codeAction" => json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}}),
        "textDocument/formatting" => json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
        "textDocument/codeLens" | "textDocument/semanticTokens/full" | "textDocument/documentSymbol" => {
            json!({"textDocument": doc})
        }
        _ => json!({"textDocument": doc, "position": position}),
    }
}

async fn call(
    service: &mut tower_lsp_server::LspService<sot_lsp::Backend>,
    request: Request,
) -> Option<tower_lsp_server::jsonrpc::Response> {
    let ready = service.ready().await.expect("service alive");
    ready.call(request).await.expect("service alive")
}

fuzz_target!(|data: &[u8]| {
    runtime().block_on(async {
        let (mut service, socket) = sot_lsp::service();
        let drain = tokio::spawn(socket.for_each(|_| async {}));
        call(&mut service, Request::build("initialize").id(0).params(json!({"capabilities": {}})).finish()).await;
        let mut text = PROTOCOL.to_string();
        call(&mut service, Request::build("textDocument/didOpen")
            .params(json!({"textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}))
            .finish())
        .await;
        let mut version = 1;
        for (i, chunk) in data.chunks(4).enumerate() {
            let [op, a, b, c] = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)];
            if op % 3 == 0 && c % 4 == 3 {
                // A ranged edit (incremental sync) at random positions, some past the end of a
                // line or of the text, some inside characters; the next whole-text edit puts
                // the document back to what this loop knows.
                version += 1;
                let start = json!({"line": u32::from(a) % 120, "character": u32::from(b) * 3});
                let end = json!({"line": u32::from(a) % 120 + u32::from(c % 3), "character": u32::from(c)});
                call(&mut service, Request::build("textDocument/didChange")
                    .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [
                        {"range": {"start": start, "end": end}, "text": char::from(b.max(b' ')).to_string()}
                    ]}))
                    .finish())
                .await;
            } else if op % 3 == 0 {
                // An edit: splice a byte (as a char) in at a place, or cut a few bytes out.
                let mut at = (usize::from(a) << 8 | usize::from(b)) % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if c % 2 == 0 {
                    text.insert(at, char::from(c.max(b' ')));
                } else {
                    let mut end = (at + usize::from(c % 16)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                version += 1;
                call(&mut service, Request::build("textDocument/didChange")
                    .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}))
                    .finish())
                .await;
            } else {
                let method = METHODS[usize::from(op) % METHODS.len()];
                let response = call(&mut service, Request::build(method).id(i as i64 + 1).params(params(method, u32::from(a) % 120, u32::from(b) * 3)).finish()).await;
                assert!(response.is_some(), "{method} was not answered");
            }
        }
        drop(service);
        drain.abort();
    });
});
