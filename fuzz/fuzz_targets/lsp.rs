//! The whole language server as an editor reaches it: `sot_lsp::serve` (the framing, the
//! message loop, every handler) over in-process pipes, fed a structured sequence of up to a
//! few hundred operations: two documents opened (one `use`s the other), edited whole or by
//! ranges at random positions (past the ends of lines and of the text, inside characters),
//! saved, closed and reopened, files changed on disk, every request at random positions,
//! cancellations, and malformed frames. Every request must be answered (a result or an
//! error), never a panic or a hang; after `shutdown` and `exit` the server ends.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const PROTOCOL: &str = include_str!("../../protocols/examples/first_look.sot");
const MAIN: &str = "file:///fuzz/protocol.sot";
const CASE: &str = "file:///fuzz/case.sot";
const CASE_TEXT: &str = "use \"protocol.sot\"\n\ncase c {\n  visit 1 {\n    findings {\n      arm_fossa = left\n    }\n  }\n}\n";

/// The requests, each at a position where it takes one.
const REQUESTS: [&str; 18] = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/rename",
    "textDocument/prepareRename",
    "textDocument/codeAction",
    "textDocument/codeLens",
    "textDocument/formatting",
    "textDocument/rangeFormatting",
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/full/delta",
    "textDocument/semanticTokens/range",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/documentLink",
    "textDocument/documentHighlight",
    "workspace/symbol",
];

/// What ranged edits insert: nothing, characters of one, two and four UTF-16 units, line
/// ends, and pieces of the language.
const TEXTS: [&str; 12] = ["", "x", "\n", "é", "😀", "rule r {\n", "}", " and ", "(", "\r\n", "use \"case.sot\"\n", "//"];

/// New names for rename, and queries for workspace symbols.
const NAMES: [&str; 6] = ["renamed", "rule", "", "a b", "x", "é"];

/// Fields are small and fixed in size, so that a few kilobytes of input are hundreds of
/// operations.
#[derive(Arbitrary, Debug)]
enum Op {
    /// Insert a character at a byte place (as a char), or cut up to 15 bytes, sent whole.
    Splice { case: bool, at: u16, ch: u8, cut: bool },
    /// A ranged edit at any position, some past the end or inside characters.
    Ranged { case: bool, line: u8, character: u8, lines: u8, end: u8, text: u8 },
    /// A request at a position.
    Request { case: bool, which: u8, line: u8, character: u8, new_name: u8 },
    /// `$/cancelRequest` for a request sent before.
    Cancel { back: u8 },
    /// Save, close (then reopen), or a file changed on disk.
    Lifecycle { case: bool, what: u8 },
    /// A frame that is not a message: bad header, length off, a body that is not JSON.
    Garbage { kind: u8, body: [u8; 12] },
}

#[derive(Debug)]
struct Session {
    utf8: bool,
    ops: Vec<Op>,
}

impl Session {
    /// Operations one after the other until the bytes run out (every input is a session of
    /// about one operation per 5 bytes).
    fn of(data: &[u8]) -> Session {
        let mut u = arbitrary::Unstructured::new(data);
        let utf8 = bool::arbitrary(&mut u).unwrap_or(false);
        let mut ops = Vec::new();
        while !u.is_empty() && ops.len() < MAX_OPS {
            match Op::arbitrary(&mut u) {
                Ok(op) => ops.push(op),
                Err(_) => break,
            }
        }
        Session { utf8, ops }
    }
}

/// The most operations in a session.
const MAX_OPS: usize = 400;

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

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn message(value: Value) -> Vec<u8> {
    frame(value.to_string().as_bytes())
}

fn params(method: &str, uri: &str, line: u32, character: u32, new_name: &str) -> Value {
    let doc = json!({"uri": uri});
    let position = json!({"line": line, "character": character});
    let range = json!({"start": position, "end": {"line": line + 3, "character": 0}});
    match method {
        "textDocument/references" => {
            json!({"textDocument": doc, "position": position, "context": {"includeDeclaration": line % 2 == 0}})
        }
        "textDocument/rename" => json!({"textDocument": doc, "position": position, "newName": new_name}),
        "textDocument/codeAction" => json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}}),
        "textDocument/formatting" => json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
        "textDocument/rangeFormatting" => {
            json!({"textDocument": doc, "range": range, "options": {"tabSize": 2, "insertSpaces": true}})
        }
        "textDocument/semanticTokens/full/delta" => {
            json!({"textDocument": doc, "previousResultId": line.to_string()})
        }
        "textDocument/semanticTokens/range" => json!({"textDocument": doc, "range": range}),
        "workspace/symbol" => json!({"query": new_name}),
        "textDocument/codeLens"
        | "textDocument/semanticTokens/full"
        | "textDocument/documentSymbol"
        | "textDocument/foldingRange"
        | "textDocument/documentLink" => json!({"textDocument": doc}),
        _ => json!({"textDocument": doc, "position": position}),
    }
}

/// The bytes a session sends after `initialize` up to `shutdown` (`exit` is sent once every
/// answer is in, as an editor does), and the ids of the requests in it.
fn script(session: &Session) -> (Vec<u8>, HashSet<i64>) {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    out.extend(message(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})));
    let mut texts = [PROTOCOL.to_string(), CASE_TEXT.to_string()];
    let mut versions = [1i64, 1];
    let open = |uri: &str, version: i64, text: &str| {
        message(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "sot", "version": version, "text": text}}}))
    };
    out.extend(open(MAIN, 1, &texts[0]));
    out.extend(open(CASE, 1, &texts[1]));
    let mut next_id = 1i64;
    for op in &session.ops {
        match op {
            Op::Splice { case, at, ch, cut } => {
                let d = usize::from(*case);
                let text = &mut texts[d];
                let mut at = usize::from(*at) % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if *cut {
                    let mut end = (at + usize::from(ch % 16)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                } else {
                    text.insert(at, char::from((*ch).max(b' ')));
                }
                versions[d] += 1;
                let uri = if *case { CASE } else { MAIN };
                out.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri, "version": versions[d]}, "contentChanges": [{"text": text}]}})));
            }
            Op::Ranged { case, line, character, lines, end, text } => {
                // The server's text is no longer the one kept here: the next whole edit
                // (a splice) sets it back.
                let d = usize::from(*case);
                versions[d] += 1;
                let uri = if *case { CASE } else { MAIN };
                let start = json!({"line": line, "character": u32::from(*character) * 2});
                let stop = json!({"line": u32::from(*line) + u32::from(lines % 4), "character": end});
                out.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri, "version": versions[d]},
                    "contentChanges": [{"range": {"start": start, "end": stop}, "text": TEXTS[usize::from(*text) % TEXTS.len()]}]}})));
            }
            Op::Request { case, which, line, character, new_name } => {
                let method = REQUESTS[usize::from(*which) % REQUESTS.len()];
                let uri = if *case { CASE } else { MAIN };
                let new_name = NAMES[usize::from(*new_name) % NAMES.len()];
                let p = params(method, uri, u32::from(*line) % 130, u32::from(*character), new_name);
                out.extend(message(json!({"jsonrpc": "2.0", "id": next_id, "method": method, "params": p})));
                ids.insert(next_id);
                next_id += 1;
            }
            Op::Cancel { back } => {
                let id = (next_id - 1 - i64::from(*back)).max(0);
                out.extend(message(json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}})));
            }
            Op::Lifecycle { case, what } => {
                let d = usize::from(*case);
                let uri = if *case { CASE } else { MAIN };
                match what % 3 {
                    0 => out.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {
                        "textDocument": {"uri": uri}}}))),
                    1 => {
                        out.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
                            "textDocument": {"uri": uri}}})));
                        versions[d] += 1;
                        out.extend(open(uri, versions[d], &texts[d]));
                    }
                    _ => out.extend(message(json!({"jsonrpc": "2.0", "method": "workspace/didChangeWatchedFiles", "params": {
                        "changes": [{"uri": uri, "type": 1 + u32::from(*what) % 3}]}}))),
                }
            }
            // A body that holds `exit` could end the session early (then the requests after
            // it go unanswered, rightly): left out.
            Op::Garbage { body, .. } if body.windows(4).any(|w| w == b"exit") => {}
            Op::Garbage { kind, body } => match kind % 5 {
                0 => out.extend(frame(body)),
                1 => {
                    out.extend(format!("Content-Length: {}\r\n\r\n", body.len() + 5).bytes());
                    out.extend(body);
                    // The 5 bytes the length promised, then the stream goes on.
                    out.extend(b"{}\r\n\r");
                }
                2 => {
                    // Bytes with no line end and no header in them, before the next header.
                    out.extend(b"Content-Length: abc\r\n\r\n");
                    out.extend(body.iter().filter(|b| !b"\r\ncC".contains(*b)));
                }
                3 if body.len() >= 5 => {
                    // A length 5 short: the body's last 5 bytes run into the next header.
                    out.extend(format!("Content-Length: {}\r\n\r\n", body.len() - 5).bytes());
                    out.extend(body);
                }
                _ => {
                    out.extend(b"Content-Type: x\r\n\r\n");
                }
            },
        }
    }
    out.extend(message(json!({"jsonrpc": "2.0", "id": next_id, "method": "shutdown"})));
    ids.insert(next_id);
    (out, ids)
}

/// Reads the server's messages until every id in `ids` has its answer.
async fn answers(input: &mut BufReader<tokio::io::DuplexStream>, ids: &mut HashSet<i64>, debug: bool) {
    while !ids.is_empty() {
        let mut length = None;
        loop {
            let mut line = String::new();
            let n = input.read_line(&mut line).await.expect("read");
            assert!(n > 0, "the server stopped with requests unanswered: {ids:?}");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length")];
        input.read_exact(&mut body).await.expect("body");
        let value: Value = serde_json::from_slice(&body).expect("the server writes JSON");
        if debug {
            let text = value.to_string();
            eprintln!("<- {}", &text[..text.floor_char_boundary(200)]);
        }
        if value.get("method").is_none() {
            if let Some(id) = value["id"].as_i64() {
                ids.remove(&id);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let session = Session::of(data);
    let debug = std::env::var_os("SOT_FUZZ_DEBUG").is_some();
    if debug {
        eprintln!("{session:#?}");
    }
    let (bytes, mut ids) = script(&session);
    if debug {
        eprintln!("-> {}", String::from_utf8_lossy(&bytes).escape_debug());
    }
    runtime().block_on(async move {
        let (mut client_out, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, client_in) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(sot_lsp::serve(server_in, server_out));
        let mut input = BufReader::new(client_in);
        // As an editor does: nothing before the answer to `initialize`.
        let encodings = if session.utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
        let initialize = message(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "capabilities": {"general": {"positionEncodings": encodings}}}}));
        client_out.write_all(&initialize).await.expect("write");
        answers(&mut input, &mut HashSet::from([0]), debug).await;
        let writer = tokio::spawn(async move {
            let _ = client_out.write_all(&bytes).await;
            client_out
        });
        // Every request answered; libFuzzer's -timeout catches a hang.
        answers(&mut input, &mut ids, debug).await;
        let mut client_out = writer.await.expect("writer");
        let exit = message(json!({"jsonrpc": "2.0", "method": "exit"}));
        client_out.write_all(&exit).await.expect("write exit");
        let ended = server.await.expect("no panic in the server");
        assert_eq!(ended, sot_lsp::Ended::AfterShutdown);
    });
});
