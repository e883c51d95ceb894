//! A client on the wire: the whole server (`sot_lsp::serve`, tower-lsp-server's framing and
//! its concurrency limit, what an editor talks to) over in-process pipes. Messages are sent
//! without waiting; everything the server sends comes back with the time it arrived. Shared
//! by the big-file test and the editor-flow benchmark (`#[path]`).
#![allow(dead_code)]

use std::time::Instant;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// A message from the server: when its last byte arrived, and its body (parsed on demand,
/// so a big response does not delay the time of the next message).
pub struct Incoming {
    pub at: Instant,
    pub body: Vec<u8>,
}

impl Incoming {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The message, but for a large answer only its id and result id (tower-lsp-server
    /// writes `{"jsonrpc","result","id"}`, semantic tokens with `resultId` first): an editor
    /// parses answers in its own process, here it would take the server's cores.
    pub fn summary(&self) -> Value {
        let n = self.body.len();
        if n < 1 << 16 {
            return self.json();
        }
        let tail = String::from_utf8_lossy(&self.body[n - 32..]);
        let id = tail.rfind("\"id\":").and_then(|at| {
            let digits: String = tail[at + 5..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<i64>().ok()
        });
        let head = String::from_utf8_lossy(&self.body[..128]);
        let result_id = head.find("\"resultId\":\"").and_then(|at| {
            let rest = &head[at + 12..];
            rest.find('"').map(|end| rest[..end].to_string())
        });
        json!({"id": id, "result": {"resultId": result_id}})
    }
}

pub struct Wire {
    to_server: DuplexStream,
    pub from_server: mpsc::UnboundedReceiver<Incoming>,
    next_id: i64,
}

impl Wire {
    /// Starts a server on pipes and initializes it (UTF-16 positions, as VS Code).
    pub async fn start() -> Wire {
        let mut wire = Wire::connect();
        let id = wire
            .request("initialize", json!({"capabilities": {}}))
            .await;
        wire.response(id).await;
        wire.notify("initialized", json!({})).await;
        wire
    }

    /// Starts a server on pipes, not initialized.
    pub fn connect() -> Wire {
        let (client_out, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, client_in) = tokio::io::duplex(1 << 20);
        tokio::spawn(sot_lsp::serve(server_in, server_out));
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut input = BufReader::new(client_in);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    match input.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if input.read_exact(&mut body).await.is_err() {
                    return;
                }
                let message = Incoming {
                    at: Instant::now(),
                    body,
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Wire {
            to_server: client_out,
            from_server: rx,
            next_id: 0,
        }
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.to_server
            .write_all(frame.as_bytes())
            .await
            .expect("server reading");
    }

    /// Sends a request without waiting for its answer; its id.
    pub async fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// The next message from the server (panics when the server is gone).
    pub async fn next(&mut self) -> Incoming {
        self.from_server.recv().await.expect("server alive")
    }

    /// Waits for the answer to request `id`, dropping other messages.
    pub async fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.next().await.json();
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }
}

/// The document of `tools/gen_protocol.py RULES` (python3 is on every machine here).
pub fn generated(rules: usize) -> String {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(rules.to_string())
        .output()
        .expect("python3 runs tools/gen_protocol.py");
    assert!(output.status.success(), "tools/gen_protocol.py failed");
    String::from_utf8(output.stdout).expect("UTF-8 protocol")
}

/// An edit of the generated protocol that rewrites the end of rule `r_5000`'s `when` line:
/// `change(i)` is the `didChange` content change of edit `i` (a ranged edit, as editors send;
/// each replaces what the previous one inserted).
pub struct WhenEdit {
    line: usize,
    column: usize,
    previous: usize,
}

impl WhenEdit {
    pub fn new(text: &str) -> WhenEdit {
        let at = text.find("rule r_5000 {").expect("rule r_5000");
        let when = at + text[at..].find("\n  when ").expect("a when line");
        let line_end = when + 1 + text[when + 1..].find('\n').expect("line end");
        WhenEdit {
            line: text[..line_end].matches('\n').count(),
            column: line_end - text[..line_end].rfind('\n').map_or(0, |n| n + 1),
            previous: 0,
        }
    }

    pub fn change(&mut self, i: usize) -> Value {
        let extra = " and ind_0 != none".repeat(i % 3 + 1);
        let (line, column) = (self.line, self.column);
        let event = json!({"range": {"start": {"line": line, "character": column},
                                     "end": {"line": line, "character": column + self.previous}},
                           "text": extra});
        self.previous = extra.len();
        event
    }
}
