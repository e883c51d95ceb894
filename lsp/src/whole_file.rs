//! The whole-file requests editors send after every change (semantic tokens, document
//! symbols), and the requests whose answer can be as large as the file (every use of a
//! name: highlight, references, rename, the call hierarchy's calls), answered straight from
//! their typed results to JSON bytes. Through tower-lsp-server's `Service` an answer becomes
//! a `serde_json::Value` first: for the 10,000-rule file that is a tree of hundreds of
//! thousands of nodes (every token a number node, every symbol or range a map), built,
//! written out and freed; building and freeing it was most of such a request's time.

use serde::Serialize;
use tower_lsp_server::jsonrpc::{Error, Id, Response};
use tower_lsp_server::ls_types::LSPAny;
use tower_lsp_server::LanguageServer;

use crate::{background, content_modified, Backend};

/// The requests for a whole document's worth of answer, which editors send after every
/// change.
pub(crate) const METHODS: [&str; 3] = [
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/full/delta",
    "textDocument/documentSymbol",
];

/// The requests whose answer grows with the uses of a name (7,846 ranges for `adjust` in the
/// 10,000-rule file): also answered straight to bytes, but not in the whole-file lane.
pub(crate) const LARGE: [&str; 5] = [
    "textDocument/documentHighlight",
    "textDocument/references",
    "textDocument/rename",
    "callHierarchy/incomingCalls",
    "callHierarchy/outgoingCalls",
];

/// A JSON-RPC answer with its result, written as the `Response` of the library writes it.
#[derive(Serialize)]
struct Answer<'a, T> {
    jsonrpc: &'static str,
    result: T,
    id: &'a Id,
}

/// The answer's body (JSON bytes) to the request `id` for `method` (one of [`METHODS`] or
/// [`LARGE`]); `stale` says, once the result is computed, that a newer edit made it
/// worthless (ContentModified instead of megabytes of answer). Written to bytes on the
/// background thread.
pub(crate) async fn answer(
    backend: Backend,
    method: &str,
    id: Id,
    params: Option<LSPAny>,
    stale: impl Fn() -> bool,
) -> Option<Vec<u8>> {
    let params = params.unwrap_or(LSPAny::Null);
    let b = &backend;
    match method {
        "textDocument/semanticTokens/full" => {
            typed(id, params, stale, |p| b.semantic_tokens_full(p)).await
        }
        "textDocument/semanticTokens/full/delta" => {
            typed(id, params, stale, |p| b.semantic_tokens_full_delta(p)).await
        }
        "textDocument/documentSymbol" => typed(id, params, stale, |p| b.document_symbol(p)).await,
        "textDocument/documentHighlight" => {
            typed(id, params, stale, |p| b.document_highlight(p)).await
        }
        "textDocument/references" => typed(id, params, stale, |p| b.references(p)).await,
        "textDocument/rename" => typed(id, params, stale, |p| b.rename(p)).await,
        "callHierarchy/incomingCalls" => typed(id, params, stale, |p| b.incoming_calls(p)).await,
        "callHierarchy/outgoingCalls" => typed(id, params, stale, |p| b.outgoing_calls(p)).await,
        _ => error(id, Error::method_not_found()),
    }
}

/// The request's parameters read as `P`, answered by `handle`, written to bytes.
async fn typed<P, T, F>(
    id: Id,
    params: LSPAny,
    stale: impl Fn() -> bool,
    handle: impl FnOnce(P) -> F,
) -> Option<Vec<u8>>
where
    P: serde::de::DeserializeOwned,
    T: Serialize + Send + 'static,
    F: std::future::Future<Output = tower_lsp_server::jsonrpc::Result<T>>,
{
    match serde_json::from_value(params) {
        Ok(p) => reply(id, handle(p).await, stale).await,
        Err(e) => error(id, Error::invalid_params(e.to_string())),
    }
}

async fn reply<T: Serialize + Send + 'static>(
    id: Id,
    result: tower_lsp_server::jsonrpc::Result<T>,
    stale: impl Fn() -> bool,
) -> Option<Vec<u8>> {
    match result {
        Ok(_) if stale() => error(id, content_modified()),
        Ok(result) => {
            background::run(move || {
                serde_json::to_vec(&Answer {
                    jsonrpc: "2.0",
                    result,
                    id: &id,
                })
                .ok()
            })
            .await?
        }
        Err(e) => error(id, e),
    }
}

fn error(id: Id, error: Error) -> Option<Vec<u8>> {
    serde_json::to_vec(&Response::from_error(id, error)).ok()
}
