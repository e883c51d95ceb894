//! The framing of messages from the client: each message is read and parsed once, here. A
//! malformed message (bad header, body that is not JSON or not an object, too large) is
//! replaced by a request that the server answers with a JSON-RPC parse error, and the
//! session goes on.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

/// The method the replacement requests call; the server answers it with a parse error.
pub const MALFORMED: &str = "sot/malformedMessage";

/// The largest message accepted (a protocol file of 64 MiB is far beyond any real one).
const MAX_BODY: usize = 64 << 20;

/// A request in place of a malformed message. It needs an id to be answered (tower-lsp reads
/// `"id": null` as a notification), so the parse error comes back with id
/// `"sot/malformed/N"` rather than `null`.
fn malformed(reason: &str, count: &mut u64) -> Value {
    *count += 1;
    let id = format!("sot/malformed/{count}");
    serde_json::json!({"jsonrpc": "2.0", "id": id, "method": MALFORMED, "params": {"reason": reason}})
}

/// Reads framed messages from `input` and sends each, parsed, to the receiver returned: a
/// JSON object, or the replacement request of a malformed one. The receiver ends when
/// `input` does (or a message's body is cut short).
pub fn messages(input: impl AsyncRead + Unpin + Send + 'static) -> mpsc::Receiver<Value> {
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        let mut count = 0u64;
        loop {
            // Headers: lines until an empty one.
            let mut length: Option<usize> = None;
            let mut bad_header = false;
            let mut header_bytes = 0usize;
            loop {
                let mut line = Vec::new();
                match input.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => header_bytes += n,
                }
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if text.is_empty() {
                    if length.is_some() || bad_header {
                        break;
                    }
                    continue;
                }
                match text.split_once(':') {
                    Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                        length = value.trim().parse().ok();
                        bad_header |= length.is_none();
                    }
                    Some(_) => {}
                    None => bad_header = true,
                }
                if header_bytes > 8192 {
                    bad_header = true;
                    break;
                }
            }
            let out = match length {
                Some(len) if !bad_header && len <= MAX_BODY => {
                    let mut body = vec![0; len];
                    if input.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(value) if value.is_object() => value,
                        Ok(_) => malformed("a message must be a JSON object", &mut count),
                        Err(e) => malformed(&format!("the body is not JSON: {e}"), &mut count),
                    }
                }
                Some(len) if len > MAX_BODY => {
                    // Skip the body, in pieces.
                    let mut rest = len;
                    let mut buffer = vec![0; 1 << 16];
                    while rest > 0 {
                        let n = rest.min(buffer.len());
                        if input.read_exact(&mut buffer[..n]).await.is_err() {
                            return;
                        }
                        rest -= n;
                    }
                    malformed("the message is larger than 64 MiB", &mut count)
                }
                _ => malformed("the header has no valid Content-Length", &mut count),
            };
            if sender.send(out).await.is_err() {
                return;
            }
        }
    });
    receiver
}
