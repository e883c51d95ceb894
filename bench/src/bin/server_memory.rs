//! `server_memory SOT`: the resident memory of the language server as editors run it, the
//! `sot` binary at SOT started as `SOT lsp` (its own global allocator included), with the
//! benchmark's 10,000-rule protocol open and edited: one rule's `when` lengthened and
//! shortened again by ranged edits, each waited for until its diagnostics are published, a
//! pause of 400 ms after every 100th (so the static analyses run too). Prints a Markdown
//! table row of resident memory (VmRSS) after the open, after 100, 1,000 and 3,000 edits,
//! and the peak (VmHWM), in MB; and the time from each `didChange` sent to its diagnostics
//! read (median and p95 over the 3,000 edits).
//!
//! ```sh
//! cargo build --release --bin sot && cargo run --release -p sot-bench --bin server_memory -- target/release/sot
//! ```

#[path = "../workload.rs"]
#[allow(dead_code)]
mod workload;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use workload::{Workload, CATEGORIES, SEED};

/// The edits after which resident memory is read.
const CHECKPOINTS: [usize; 3] = [100, 1_000, 3_000];
const URI: &str = "file:///server-memory/bench.sot";

fn main() -> ExitCode {
    let Some(sot) = std::env::args().nth(1) else {
        eprintln!("usage: server_memory PATH/TO/sot");
        return ExitCode::from(2);
    };
    match measure(&sot) {
        Ok(row) => {
            println!("| resident memory (MB) | open | after 100 edits | after 1,000 | after 3,000 | peak (VmHWM) | didChange → diagnostics, median | p95 |");
            println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
            println!("| `{sot} lsp` | {row} |");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("server_memory: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The server started, the document opened and edited; the row's cells.
fn measure(sot: &str) -> Result<String, String> {
    let text = Workload::generate(SEED, 10_000, CATEGORIES).sot();
    let (line, column) = edit_place(&text).ok_or("rule r_5000 has no `when` line")?;
    let mut server = Server::start(sot)?;
    server.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}))?;
    server.wait(|m| m["id"] == 1)?;
    server.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    server.send(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": URI, "languageId": "sot", "version": 1, "text": text}}}),
    )?;
    server.diagnostics_of(1)?;
    let mut cells = vec![server.status_mb("VmRSS:")?];
    let extra = " and ind_0 != none";
    let last = CHECKPOINTS[CHECKPOINTS.len() - 1];
    let mut latencies = Vec::with_capacity(last);
    for edit in 1..=last {
        let version = edit as i64 + 1;
        // Odd edits lengthen the line, even ones take the addition away again.
        let (end, new_text) = if edit % 2 == 1 {
            (column, extra)
        } else {
            (column + extra.len(), "")
        };
        let sent = Instant::now();
        server.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": version},
            "contentChanges": [{"range": {
                "start": {"line": line, "character": column},
                "end": {"line": line, "character": end}}, "text": new_text}]}}),
        )?;
        server.diagnostics_of(version)?;
        latencies.push(sent.elapsed());
        if edit % 100 == 0 {
            std::thread::sleep(Duration::from_millis(400));
        }
        if CHECKPOINTS.contains(&edit) {
            cells.push(server.status_mb("VmRSS:")?);
        }
    }
    cells.push(server.status_mb("VmHWM:")?);
    latencies.sort();
    for p in [0.5, 0.95] {
        let at = ((latencies.len() as f64 * p) as usize).min(latencies.len() - 1);
        cells.push(format!("{:.1} ms", latencies[at].as_secs_f64() * 1e3));
    }
    server.stop()?;
    Ok(cells.join(" | "))
}

/// The 0-based line of rule `r_5000`'s `when` and its length (the place of the edits).
fn edit_place(text: &str) -> Option<(usize, usize)> {
    let rule = text.find("rule r_5000 ")?;
    let when = rule + text[rule..].find("\n  when ")? + 1;
    let end = when + text[when..].find('\n')?;
    Some((text[..when].matches('\n').count(), end - when))
}

/// A running `sot lsp` and the messages it sends, read on a thread of their own.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
}

impl Server {
    fn start(sot: &str) -> Result<Server, String> {
        let mut child = Command::new(sot)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start `{sot} lsp`: {e}"))?;
        let stdin = child.stdin.take().ok_or("no standard input")?;
        let stdout = child.stdout.take().ok_or("no standard output")?;
        let (send, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            messages,
        })
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("cannot write to the server: {e}"))
    }

    /// Waits (at most a minute) for the first message that `wanted` accepts.
    fn wait(&self, wanted: impl Fn(&Value) -> bool) -> Result<Value, String> {
        loop {
            match self.messages.recv_timeout(Duration::from_secs(60)) {
                Ok(message) if wanted(&message) => return Ok(message),
                Ok(_) => {}
                Err(e) => return Err(format!("no answer from the server: {e}")),
            }
        }
    }

    fn diagnostics_of(&self, version: i64) -> Result<Value, String> {
        self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == URI
                && m["params"]["version"] == version
        })
    }

    /// A line of the server's `/proc/PID/status`, in MB (the kernel gives kB).
    fn status_mb(&self, key: &str) -> Result<String, String> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or_else(|| format!("{path} has no {key}"))?;
        Ok(format!("{:.0}", kb / 1024.0))
    }

    fn stop(mut self) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))?;
        self.wait(|m| m["id"] == 2)?;
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
        drop(self.stdin);
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("the server did not end: {e}"))
    }
}

/// One message of the base protocol (`Content-Length` framing); `None` at the end.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
