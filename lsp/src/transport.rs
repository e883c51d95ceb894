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

/// The most bytes of headers one message may have.
const MAX_HEADER: usize = 8192;

/// Where `Content-Length:` starts in a header line (any case), if it is there.
fn header_start(line: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    line.windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))
}

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
            let mut other_header = false;
            loop {
                let mut line = Vec::new();
                // A line is read only up to the header limit: bytes with no line end (the
                // rest of a body whose length was short) are not gathered without end.
                let mut limited = (&mut input).take(MAX_HEADER as u64 + 1);
                match limited.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => header_bytes += n,
                }
                // Bytes before a `Content-Length:` on its line, or lines of them before it
                // (what was left of a frame whose length was wrong): they are answered with
                // a parse error, and the header starts the next message, so one bad frame
                // loses nothing after it.
                if let Some(at) = header_start(&line).filter(|at| *at > 0 || bad_header) {
                    let garbage = malformed("bytes before a Content-Length header", &mut count);
                    if sender.send(garbage).await.is_err() {
                        return;
                    }
                    line.drain(..at);
                    (length, bad_header, other_header) = (None, false, false);
                    header_bytes = line.len();
                }
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if text.is_empty() {
                    // A blank line before any header is skipped.
                    if length.is_some() || bad_header || other_header {
                        break;
                    }
                    continue;
                }
                match text.split_once(':') {
                    Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                        length = value.trim().parse().ok();
                        bad_header |= length.is_none();
                    }
                    // Another header (Content-Type): a frame, bad unless a length comes.
                    Some(_) => other_header = true,
                    None => bad_header = true,
                }
                if header_bytes > MAX_HEADER {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// What `messages` makes of `input`: each message's id (or the method of a replacement).
    async fn read(input: String) -> Vec<String> {
        let mut receiver = messages(std::io::Cursor::new(input.into_bytes()));
        let mut out = Vec::new();
        while let Some(value) = receiver.recv().await {
            out.push(match value["method"].as_str() {
                Some(MALFORMED) => "malformed".to_string(),
                _ => value["id"].to_string(),
            });
        }
        out
    }

    const ONE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
    const TWO: &str = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;

    #[tokio::test]
    async fn every_bad_frame_is_answered_and_the_next_message_read() {
        let cases = [
            // A length that is not a number; a header without one.
            format!("Content-Length: abc\r\n\r\n{}", frame(TWO)),
            format!("Content-Type: x\r\n\r\n{}", frame(TWO)),
            // A length 5 short: the body's tail runs into the next header.
            format!(
                "Content-Length: {}\r\n\r\n{ONE}{}",
                ONE.len() - 5,
                frame(TWO)
            ),
            // Bytes with no line end before a header.
            format!("garbage{}", frame(TWO)),
            // A line of bytes before a header (found by fuzzing: the header's message was
            // read as a bad frame's, and its request never answered).
            format!("garbage\r\n{}", frame(TWO)),
            format!(
                "Content-Length: {}\r\n\r\n{ONE}\n{}",
                ONE.len() - 5,
                frame(TWO)
            ),
        ];
        // Headers in any order, and a blank line before a message, are fine.
        let fine = format!(
            "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}",
            frame(TWO)
        );
        assert_eq!(read(fine).await, ["2"]);
        for input in cases {
            let read = read(input.clone()).await;
            assert_eq!(
                read.last().map(String::as_str),
                Some("2"),
                "{input:?}: {read:?}"
            );
            assert!(
                read[..read.len() - 1].iter().all(|m| m == "malformed"),
                "{input:?}: {read:?}"
            );
            assert!(!read[..read.len() - 1].is_empty(), "{input:?}: {read:?}");
        }
        // A length 5 long eats the start of the next header: that message is lost, and
        // said to be (parse errors for the pieces), and the one after it is read.
        let input = format!(
            "Content-Length: {}\r\n\r\n{ONE}{}{}",
            ONE.len() + 5,
            frame(ONE),
            frame(TWO)
        );
        let read = read(input).await;
        assert_eq!(read, ["malformed", "malformed", "malformed", "2"]);
    }

    #[tokio::test]
    async fn a_line_without_end_is_read_only_to_the_header_limit() {
        let input = format!("{}{}", "x".repeat(100_000), frame(TWO));
        let read = read(input).await;
        assert_eq!(read.last().map(String::as_str), Some("2"), "{read:?}");
    }
}
