//! What the language-server tests share: a server in process with its client side, and a
//! small protocol. Each test binary uses part of it.
#![allow(dead_code)]

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use sot_lsp::Backend;
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::LspService;

pub struct Harness {
    pub service: LspService<Backend>,
    pub from_server: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
}

impl Harness {
    pub async fn start(utf8: bool) -> Harness {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        Harness::start_with(json!({"capabilities": {"general": {"positionEncodings": encodings}}}))
            .await
    }

    /// A server initialized with `params` (UTF-16 unless they ask for UTF-8 first).
    pub async fn start_with(params: Value) -> Harness {
        let utf8 = params["capabilities"]["general"]["positionEncodings"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e == "utf-8"));
        let (service, socket) = LspService::new(Backend::new);
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut socket = socket;
            while let Some(message) = socket.next().await {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut h = Harness {
            service,
            from_server: rx,
            next_id: 0,
        };
        let init = h.request("initialize", params).await;
        assert_eq!(
            init["capabilities"]["positionEncoding"],
            if utf8 { "utf-8" } else { "utf-16" }
        );
        h.notify("initialized", json!({})).await;
        h
    }

    pub async fn call(&mut self, request: Request) -> Option<Value> {
        let service = self.service.ready().await.expect("service ready");
        let response = service.call(request).await.expect("service alive")?;
        let (_, result) = response.into_parts();
        Some(match result {
            Ok(value) => value,
            Err(error) => json!({"error": error.code.code(), "message": error.message}),
        })
    }

    pub async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.next_id += 1;
        let request = Request::build(method)
            .id(self.next_id)
            .params(params)
            .finish();
        self.call(request).await.unwrap_or(Value::Null)
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let request = Request::build(method).params(params).finish();
        assert!(self.call(request).await.is_none());
    }

    /// The next diagnostics published for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.from_server.recv())
                .await
                .expect("diagnostics in time")
                .expect("server alive");
            let (method, _, params) = message.into_parts();
            let params = params.unwrap_or(Value::Null);
            if method == "textDocument/publishDiagnostics" && params["uri"] == uri {
                return params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    /// Diagnostics published for `uri` until `wanted` holds for them (20 s at most each).
    pub async fn diagnostics_until(
        &mut self,
        uri: &str,
        wanted: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        loop {
            let found = self.diagnostics(uri).await;
            if wanted(&found) {
                return found;
            }
            eprintln!("not yet: {found:?}");
        }
    }

    pub async fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "sot", "version": 1, "text": text}}),
        )
        .await;
        self.diagnostics(uri).await
    }
}

pub fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

pub const PROTOCOL: &str = "protocol \"LSP\"

type Nutation = normal | limited | fixed
/// Arm fossa test: the arm weakens on the involved side.
indicator arm_fossa: Side?
indicator sacral_nutation: Nutation
indicator short_leg: Side?
adjustment block(category: Category, short_leg: Side)

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

rule block_two {
  in category II
  when short_leg != none and sacral_nutation == limited
  then block(category: II, short_leg: short_leg)
}

case maria {
  visit 1 {
    findings {
      arm_fossa = left
      short_leg = right
      sacral_nutation = limited
    }
    expect category II
  }
}
";

pub const URI: &str = "file:///lsp-test/protocol.sot";

/// The line and UTF-16 column of the first `needle` in `text`.
pub fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() as u32;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[line_start..at].encode_utf16().count() as u32)
}

/// The semantic tokens of a document, decoded: `(line, character, length, type)`.
pub async fn semantic_tokens(h: &mut Harness, uri: &str) -> Vec<(u32, u32, u32, u32)> {
    let tokens = h
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    decode_tokens(&tokens)
}

/// A semantic tokens answer (full or range) decoded: `(line, character, length, type)`.
pub fn decode_tokens(tokens: &Value) -> Vec<(u32, u32, u32, u32)> {
    let data: Vec<u32> = tokens["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_u64().map(|n| n as u32))
        .collect();
    let (mut line, mut character) = (0, 0);
    data.chunks(5)
        .map(|t| {
            line += t[0];
            character = if t[0] == 0 { character + t[1] } else { t[1] };
            (line, character, t[2], t[3])
        })
        .collect()
}

/// The labels of a completion answer.
pub fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect()
}
