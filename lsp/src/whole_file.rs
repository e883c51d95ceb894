//! The whole-file requests editors send after every change (semantic tokens, document
//! symbols), answered straight from their typed results to JSON bytes. Through
//! tower-lsp-server's `Service` an answer becomes a `serde_json::Value` first: for the
//! 10,000-rule file that is a tree of hundreds of thousands of nodes (every token a number
//! node, every symbol a map), built, written out and freed after every change.

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

/// A JSON-RPC answer with its result, written as the `Response` of the library writes it.
#[derive(Serialize)]
struct Answer<'a, T> {
    jsonrpc: &'static str,
    result: T,
    id: &'a Id,
}

/// The answer's body (JSON bytes) to the request `id` for `method` (one of [`METHODS`]);
/// `stale` says, once the result is computed, that a newer edit made it worthless
/// (ContentModified instead of megabytes of answer). Written to bytes on the background
/// thread.
pub(crate) async fn answer(
    backend: Backend,
    method: &str,
    id: Id,
    params: Option<LSPAny>,
    stale: impl Fn() -> bool,
) -> Option<Vec<u8>> {
    let params = params.unwrap_or(LSPAny::Null);
    match method {
        "textDocument/semanticTokens/full" => match serde_json::from_value(params) {
            Ok(p) => reply(id, backend.semantic_tokens_full(p).await, stale).await,
            Err(e) => error(id, Error::invalid_params(e.to_string())),
        },
        "textDocument/semanticTokens/full/delta" => match serde_json::from_value(params) {
            Ok(p) => reply(id, backend.semantic_tokens_full_delta(p).await, stale).await,
            Err(e) => error(id, Error::invalid_params(e.to_string())),
        },
        "textDocument/documentSymbol" => match serde_json::from_value(params) {
            Ok(p) => reply(id, backend.document_symbol(p).await, stale).await,
            Err(e) => error(id, Error::invalid_params(e.to_string())),
        },
        _ => error(id, Error::method_not_found()),
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
