//! The message loop: framed JSON-RPC read from the client, notifications handled in order,
//! each request in a task of its own (see [`serve`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{self, Error, Request, Response};

use crate::{content_modified, service, transport, whole_file};

/// Serves the language server on standard input and output until the client exits; see
/// [`serve`] for what the result says.
pub async fn serve_stdio() -> Ended {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// How a session ended. The specification asks a server to exit with status 0 when it
/// received `shutdown` before `exit`, and 1 otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `shutdown`, then `exit` or the end of the input.
    AfterShutdown,
    /// `exit`, or the end of the input, without `shutdown` before it.
    WithoutShutdown,
}

/// The methods that change a document.
const EDITS: [&str; 3] = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
];

/// Serves the language server on `input` and `output` (framed JSON-RPC) until the client
/// exits: standard input and output, or pipes in process (the tests and benchmarks).
///
/// The loop of tower-lsp-server's `Server` is replaced, for what it did in its one task:
/// every handler's future ran there, the serialising of an answer included (10,000 document
/// symbols take tens of milliseconds to turn into JSON and to free), and that task also
/// read the next `didChange` and wrote the diagnostics; at most four messages ran at once.
/// Here notifications (the document's edits, whose order matters) are handled one after
/// the other in a task of their own; each request runs in its own task, which also writes
/// its answer to bytes; one task writes bytes to `output`. A request starts once every
/// notification received before it has been handled (its edits applied, their checker
/// diagnostics published), so it answers on the text the client sent it after.
///
/// The whole-file requests editors send after every change (`whole_file::METHODS`) take one
/// lane: one at a time, so that they never take both cores from the next edit's
/// diagnostics; and one that a newer edit made stale answers `ContentModified` at once,
/// before it starts or instead of its (megabytes of) answer. The backend answers them
/// itself, from their typed results straight to bytes (`whole_file`), on the background
/// thread of lower priority (`background`). So are the requests whose answer grows with
/// the uses of a name (`whole_file::LARGE`: highlight, references, rename, calls), outside
/// the lane.
pub async fn serve(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl tokio::io::AsyncWrite + Unpin + Send + 'static,
) -> Ended {
    use futures::{SinkExt, StreamExt};
    use tokio::io::AsyncWriteExt;
    use tower::{Service, ServiceExt};

    let (mut service, socket) = service();
    let (mut to_server, mut client_responses) = socket.split();
    let (write, mut writes) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let mut output = output;
        while let Some(bytes) = writes.recv().await {
            if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });
    let frame = |body: Vec<u8>| {
        let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend(body);
        bytes
    };
    // The server's own messages to the client (diagnostics first of all).
    let to_client = write.clone();
    tokio::spawn(async move {
        while let Some(request) = to_server.next().await {
            let Ok(body) = serde_json::to_vec(&request) else {
                continue;
            };
            if to_client.send(frame(body)).is_err() {
                break;
            }
        }
    });
    // Notifications, one after the other.
    type Handling = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;
    let (notify, mut notifications) = tokio::sync::mpsc::unbounded_channel::<Handling>();
    tokio::spawn(async move {
        while let Some(handling) = notifications.recv().await {
            handling.await;
        }
    });
    let handled = Arc::new(tokio::sync::watch::channel(0u64).0);
    let mut received = 0u64;
    // Edits received (when read, not when handled), and the whole-file lane.
    let edits = Arc::new(AtomicU64::new(0));
    let lane = Arc::new(tokio::sync::Semaphore::new(1));
    let mut messages = transport::messages(input);
    let mut ended = Ended::WithoutShutdown;
    // Between `initialized` and `shutdown` (before and after, the library answers what the
    // specification asks: not initialized, invalid request).
    let mut initialized = false;
    while let Some(value) = messages.recv().await {
        if value.get("method").is_none() && value.get("id").is_some() {
            // The client's answer to a request of the server's.
            if let Ok(response) = serde_json::from_value::<Response>(value) {
                if client_responses.send(response).await.is_err() {
                    return ended;
                }
            }
            continue;
        }
        let Ok(request) = serde_json::from_value::<Request>(value) else {
            let error = Response::from_error(jsonrpc::Id::Null, Error::invalid_request());
            if let Ok(body) = serde_json::to_vec(&error) {
                let _ = write.send(frame(body));
            }
            continue;
        };
        let exit = request.method() == "exit";
        match request.method() {
            "initialized" => initialized = true,
            "shutdown" => (ended, initialized) = (Ended::AfterShutdown, false),
            _ => {}
        }
        let whole = whole_file::METHODS.contains(&request.method());
        let large = whole_file::LARGE.contains(&request.method());
        if EDITS.contains(&request.method()) {
            edits.fetch_add(1, Ordering::SeqCst);
        }
        if (whole || large) && initialized {
            // Answered by the backend itself, straight to bytes (see `whole_file`).
            let (method, id, params) = request.into_parts();
            let Some(id) = id else { continue };
            let before = received;
            let mut mark = handled.subscribe();
            let (write, edits, lane) = (write.clone(), edits.clone(), lane.clone());
            let backend = service.inner().clone();
            let edits_then = edits.load(Ordering::SeqCst);
            tokio::spawn(async move {
                // Err: the server is gone.
                let _ = mark.wait_for(|m| *m >= before).await;
                let _permit = match whole {
                    true => lane.acquire_owned().await.ok(),
                    false => None,
                };
                let stale = || edits.load(Ordering::SeqCst) != edits_then;
                let body = match stale() {
                    true => serde_json::to_vec(&Response::from_error(id, content_modified())).ok(),
                    false => whole_file::answer(backend, &method, id, params, stale).await,
                };
                if let Some(body) = body {
                    let _ = write.send(frame(body));
                }
            });
            continue;
        }
        let id = request.id().cloned();
        let Ok(ready) = service.ready().await else {
            return ended;
        };
        let future = ready.call(request);
        match id {
            None => {
                received += 1;
                let (handled, n) = (handled.clone(), received);
                let handling = Box::pin(async move {
                    let _ = future.await;
                    handled.send_modify(|mark| *mark = (*mark).max(n));
                });
                if notify.send(handling).is_err() {
                    return ended;
                }
            }
            Some(id) => {
                let before = received;
                let mut mark = handled.subscribe();
                let write = write.clone();
                tokio::spawn(async move {
                    // Err: the server is gone.
                    let _ = mark.wait_for(|m| *m >= before).await;
                    let response = match future.await {
                        Ok(Some(response)) => response,
                        Ok(None) => return,
                        Err(_) => Response::from_error(id, Error::internal_error()),
                    };
                    // Written to bytes here, not in the writer: a large answer costs this
                    // task only.
                    if let Ok(body) = serde_json::to_vec(&response) {
                        let _ = write.send(frame(body));
                    }
                });
            }
        }
        if exit {
            // As the specification asks: nothing is read after `exit`.
            return ended;
        }
    }
    ended
}
