//! The language server in process, through tower's `Service`: every feature, positions in
//! UTF-16 after non-ASCII text, and abuse (unknown documents, out-of-range positions,
//! invalid names, a burst of edits, a thousand edits with requests in flight and the memory
//! it takes).

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use sot_lsp::Backend;
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::LspService;

struct Harness {
    service: LspService<Backend>,
    from_server: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
}

impl Harness {
    async fn start(utf8: bool) -> Harness {
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
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let init = h
            .request(
                "initialize",
                json!({"capabilities": {"general": {"positionEncodings": encodings}}}),
            )
            .await;
        assert_eq!(
            init["capabilities"]["positionEncoding"],
            if utf8 { "utf-8" } else { "utf-16" }
        );
        h.notify("initialized", json!({})).await;
        h
    }

    async fn call(&mut self, request: Request) -> Option<Value> {
        let service = self.service.ready().await.expect("service ready");
        let response = service.call(request).await.expect("service alive")?;
        let (_, result) = response.into_parts();
        Some(match result {
            Ok(value) => value,
            Err(error) => json!({"error": error.code.code(), "message": error.message}),
        })
    }

    async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.next_id += 1;
        let request = Request::build(method)
            .id(self.next_id)
            .params(params)
            .finish();
        self.call(request).await.unwrap_or(Value::Null)
    }

    async fn notify(&mut self, method: &'static str, params: Value) {
        let request = Request::build(method).params(params).finish();
        assert!(self.call(request).await.is_none());
    }

    /// The next diagnostics published for `uri`.
    async fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
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

    async fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "sot", "version": 1, "text": text}}),
        )
        .await;
        self.diagnostics(uri).await
    }
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

const PROTOCOL: &str = "protocol \"LSP\"

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

const URI: &str = "file:///lsp-test/protocol.sot";

/// The line and UTF-16 column of the first `needle` in `text`.
fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() as u32;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[line_start..at].encode_utf16().count() as u32)
}

#[tokio::test]
async fn features_on_a_clean_protocol() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());

    let (l, c) = find(PROTOCOL, "short_leg != none");
    let hover = h.request("textDocument/hover", at(URI, l, c + 2)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("indicator short_leg: Side?"),
        "{hover}"
    );

    let (l, c) = find(PROTOCOL, "arm_fossa != none");
    let hover = h.request("textDocument/hover", at(URI, l, c)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("the arm weakens"),
        "doc comment: {hover}"
    );

    let definition = h.request("textDocument/definition", at(URI, l, c)).await;
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 4, "character": 10}),
        "{definition}"
    );

    let references = h
        .request("textDocument/references", json!({"textDocument": {"uri": URI}, "position": {"line": l, "character": c}, "context": {"includeDeclaration": true}}))
        .await;
    assert_eq!(
        references.as_array().map(Vec::len),
        Some(3),
        "declaration, category, finding: {references}"
    );

    let rename = h
        .request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": l, "character": c}, "newName": "fossa_test"}))
        .await;
    assert_eq!(
        rename["changes"][URI].as_array().map(Vec::len),
        Some(3),
        "{rename}"
    );
    let refused = h
        .request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": l, "character": c}, "newName": "when"}))
        .await;
    assert_eq!(refused["error"], -32602, "a keyword is refused: {refused}");

    // Completion after `==` on an indicator of an enum type: that type's values.
    let (l, c) = find(PROTOCOL, "limited\n");
    let values = h.request("textDocument/completion", at(URI, l, c)).await;
    let labels: Vec<&str> = values
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["label"].as_str())
        .collect();
    assert_eq!(labels, ["normal", "limited", "fixed"], "{values}");
    // After `then`: adjustments. Inside a call: parameter names.
    let (l, c) = find(PROTOCOL, "block(category: II");
    let adjustments = h.request("textDocument/completion", at(URI, l, c)).await;
    assert!(
        adjustments.to_string().contains("\"block\""),
        "{adjustments}"
    );
    let params = h
        .request("textDocument/completion", at(URI, l, c + 6))
        .await;
    let labels: Vec<&str> = params
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["label"].as_str())
        .collect();
    assert_eq!(labels, ["category", "short_leg"], "{params}");
    // In a `when`: indicators.
    let (l, c) = find(PROTOCOL, "short_leg != none and");
    let in_when = h.request("textDocument/completion", at(URI, l, c)).await;
    assert!(in_when.to_string().contains("\"arm_fossa\""), "{in_when}");

    let symbols = h
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let names: Vec<&str> = symbols
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Nutation",
            "arm_fossa",
            "sacral_nutation",
            "short_leg",
            "block",
            "II",
            "block_two",
            "maria"
        ]
    );
    let workspace = h
        .request("workspace/symbol", json!({"query": "fossa"}))
        .await;
    assert_eq!(workspace.as_array().map(Vec::len), Some(1), "{workspace}");

    let formatting = h
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    assert_eq!(
        formatting[0]["newText"],
        sot_grammar::format_file(PROTOCOL).unwrap_or_default(),
        "{formatting}"
    );

    let tokens = h
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert!(
        tokens["data"].as_array().map_or(0, Vec::len) > 5 * 20,
        "{tokens}"
    );

    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let title = lenses[0]["command"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        title, "category II · block(category: II, short_leg: right)",
        "{lenses}"
    );
}

#[tokio::test]
async fn the_code_lens_follows_the_protocol() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let changed = PROTOCOL.replace(
        "when short_leg != none and sacral_nutation == limited",
        "when short_leg != none and sacral_nutation == fixed",
    );
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": changed}]}),
    )
    .await;
    assert!(h.diagnostics(URI).await.is_empty());
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(
        lenses[0]["command"]["title"], "category II · no adjustment",
        "{lenses}"
    );
}

#[tokio::test]
async fn diagnostics_count_utf16_after_non_ascii_text() {
    let text = "/// Épaule 🙂 — «test»\nindicator épaule: bool\n";
    let mut h = Harness::start(false).await;
    let diagnostics = h.open("file:///lsp-test/accents.sot", text).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    // `é` is one UTF-16 unit: the name starts at character 10 and ends at 16.
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 1, "character": 10}, "end": {"line": 1, "character": 16}})
    );
    assert_eq!(diagnostics[0]["code"], "E0001");

    let mut h8 = Harness::start(true).await;
    let diagnostics = h8.open("file:///lsp-test/accents.sot", text).await;
    // In UTF-8 bytes, `é` counts 2.
    assert_eq!(
        diagnostics[0]["range"]["end"],
        json!({"line": 1, "character": 17})
    );
    // The emoji line: a position inside the surrogate pair, and past the line, answer without crashing.
    let hover = h
        .request(
            "textDocument/hover",
            at("file:///lsp-test/accents.sot", 0, 12),
        )
        .await;
    assert!(hover.is_null(), "{hover}");
    let hover = h
        .request(
            "textDocument/hover",
            at("file:///lsp-test/accents.sot", 40, 400),
        )
        .await;
    assert!(hover.is_null(), "{hover}");
}

#[tokio::test]
async fn code_actions_fix_what_they_can() {
    let broken = PROTOCOL
        .replace(
            "when short_leg != none and sacral_nutation == limited",
            "when sacral_nutation == limited",
        )
        .replace("when arm_fossa != none", "when arm_fosa != none");
    let mut h = Harness::start(false).await;
    let diagnostics = h.open(URI, &broken).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    // The misspelt name leaves `arm_fossa` unused, too.
    assert_eq!(codes, ["W0604", "E0101", "E0304"], "{diagnostics:?}");
    let mut titles = Vec::new();
    for d in &diagnostics {
        let actions = h
            .request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": [d]}}))
            .await;
        titles.extend(
            actions
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["title"].as_str().map(String::from)),
        );
    }
    assert!(
        titles.contains(&"Replace with `arm_fossa`".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Add `short_leg != none` to `when`".to_string()),
        "{titles:?}"
    );
}

#[tokio::test]
async fn a_changed_file_rediagnoses_the_files_that_use_it() {
    let dir = std::env::temp_dir().join(format!("sot-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let common = dir.join("common.sot");
    std::fs::write(&common, "indicator arm_fossa: Side?\n").expect("write");
    let main = dir.join("main.sot");
    let main_text = "use \"common.sot\"\nadjustment adjust(level: Vertebra)\nrule r {\n  when arm_fossa != none\n  then adjust(level: T1)\n}\n";
    std::fs::write(&main, main_text).expect("write");
    let main_uri = format!("file://{}", main.display());
    let common_uri = format!("file://{}", common.display());
    let mut h = Harness::start(false).await;
    assert!(
        h.open(&main_uri, main_text).await.is_empty(),
        "common.sot is loaded from disk"
    );
    h.open(&common_uri, "indicator arm_fossa: Side?\n").await;
    h.notify("textDocument/didChange", json!({"textDocument": {"uri": common_uri, "version": 2}, "contentChanges": [{"text": "indicator fossa: Side?\n"}]})).await;
    // Opening common.sot published main.sot's (clean) diagnostics too; the change brings the
    // unknown name (each wait times out with a failure after 20 s).
    loop {
        let diagnostics = h.diagnostics(&main_uri).await;
        if diagnostics.iter().any(|d| d["code"] == "E0101") {
            break;
        }
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }
}

#[tokio::test]
async fn unknown_documents_and_methods_are_answered_not_fatal() {
    let mut h = Harness::start(false).await;
    let hover = h
        .request("textDocument/hover", at("file:///nowhere.sot", 0, 0))
        .await;
    assert!(hover.is_null());
    let unknown = h.request("sot/noSuchMethod", json!({})).await;
    assert_eq!(unknown["error"], -32601, "{unknown}");
    let malformed = h
        .request("textDocument/hover", json!({"nonsense": true}))
        .await;
    assert_eq!(malformed["error"], -32602, "{malformed}");
    // Still serving.
    assert!(h.open(URI, PROTOCOL).await.is_empty());
}

#[tokio::test]
async fn a_burst_of_edits_ends_with_the_last_text() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    for version in 2..200 {
        let text = if version % 2 == 0 {
            PROTOCOL.replace("limited\n", "fixed\n")
        } else {
            PROTOCOL.to_string()
        };
        h.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]})).await;
    }
    let broken = PROTOCOL.replace("when arm_fossa != none", "when arm_fossa !=");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 200}, "contentChanges": [{"text": broken}]}),
    )
    .await;
    // Drain to the diagnostics of the last version.
    loop {
        let diagnostics = h.diagnostics(URI).await;
        if diagnostics.iter().any(|d| d["code"] == "E0001") {
            break;
        }
    }
    // An older version arriving late is ignored.
    h.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 150}, "contentChanges": [{"text": PROTOCOL}]})).await;
    let symbols = h
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    assert!(
        symbols.is_null(),
        "the broken text is still the document: {symbols}"
    );
}

#[tokio::test]
async fn the_static_analyses_follow_once_typing_pauses() {
    let text =
        "indicator a: bool\nindicator b: bool\ncategory I { when a }\ncategory II { when b }\n";
    let mut h = Harness::start(false).await;
    let first = h.open("file:///lsp-test/overlap.sot", text).await;
    assert!(
        first.is_empty(),
        "the checker's diagnostics come first: {first:?}"
    );
    let second = h.diagnostics("file:///lsp-test/overlap.sot").await;
    assert!(second.iter().any(|d| d["code"] == "W0601"), "{second:?}");
}

/// Resident memory of this process in kB (Linux), where the server runs.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_edits_with_requests_in_flight_keep_memory_flat() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let (line, character) = find(PROTOCOL, "arm_fossa != none");
    let mut in_flight = Vec::new();
    let (mut answered, mut cancelled) = (0, 0);
    let edit = |version: i64| {
        let text = format!(
            "// edit {version}\n{}",
            if version % 2 == 0 {
                PROTOCOL.replace("limited\n", "fixed\n")
            } else {
                PROTOCOL.to_string()
            }
        );
        Request::build("textDocument/didChange")
            .params(json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}))
            .finish()
    };
    let mut before = 0;
    for version in 2..=1001 {
        if version == 101 {
            before = rss_kb();
        }
        // Requests on the current text, left running while the next edit arrives: each is
        // answered, or cancelled with ContentModified, never lost and never a crash.
        for (i, method) in [
            "textDocument/hover",
            "textDocument/semanticTokens/full",
            "textDocument/codeLens",
        ]
        .into_iter()
        .enumerate()
        {
            let params = match i {
                0 => at(URI, line + 1, character),
                _ => json!({"textDocument": {"uri": URI}}),
            };
            let request = Request::build(method)
                .id(version * 10 + i as i64)
                .params(params)
                .finish();
            let service = h.service.ready().await.expect("service ready");
            in_flight.push(tokio::spawn(service.call(request)));
        }
        let service = h.service.ready().await.expect("service ready");
        service.call(edit(version)).await.expect("service alive");
        // What the server sent the client (diagnostics) is read, as an editor would.
        while h.from_server.try_recv().is_ok() {}
        for request in in_flight.drain(..) {
            let response = request
                .await
                .expect("no panic")
                .expect("service alive")
                .expect("a response");
            match response.into_parts().1 {
                Ok(_) => answered += 1,
                Err(e) if e.code.code() == -32801 => cancelled += 1,
                Err(e) => panic!("unexpected error {e:?}"),
            }
        }
    }
    assert_eq!(answered + cancelled, 3000);
    // The last version is the document: its hover still answers.
    let hover = h
        .request("textDocument/hover", at(URI, line + 1, character))
        .await;
    assert!(
        hover["contents"].to_string().contains("Arm fossa"),
        "{hover}"
    );
    let after = rss_kb();
    eprintln!(
        "RSS after 100 edits {before} kB, after 1,000 {after} kB; {answered} answered, {cancelled} cancelled"
    );
    assert!(
        after < before + 2 * 1024,
        "memory grew from {before} kB to {after} kB over 900 edits"
    );
}

#[tokio::test]
async fn a_document_over_the_size_limit_gets_a_diagnostic() {
    let mut h = Harness::start(false).await;
    let huge = "// a comment line of a protocol that is far too long\n".repeat(330_000);
    assert!(huge.len() > 16 << 20);
    let diagnostics = h.open("file:///lsp-test/huge.sot", &huge).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "E0001");
    assert!(diagnostics[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("more than the 16777216")));
    // Still serving.
    assert!(h.open(URI, PROTOCOL).await.is_empty());
}

#[tokio::test]
async fn incremental_edits_apply_at_utf16_positions() {
    let mut h = Harness::start(false).await;
    let text = PROTOCOL.replace("/// Arm fossa test", "/// 🙂 é Arm fossa test");
    assert!(h.open(URI, &text).await.is_empty());
    // Replace `limited` (after the emoji line) by a value the type lacks, by range.
    let (line, character) = find(&text, "limited\n");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": line, "character": character},
                       "end": {"line": line, "character": character + 7}},
             "text": "stiff"}
        ]}),
    )
    .await;
    let diagnostics = h.diagnostics(URI).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "E0101");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], line);
    assert_eq!(diagnostics[0]["range"]["start"]["character"], character);
    // Two edits in one notification, the second on the text the first made; then a
    // whole-text change.
    let (emoji_line, emoji_col) = find(&text, "é Arm");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": line, "character": character},
                       "end": {"line": line, "character": character + 5}},
             "text": "fixed"},
            {"range": {"start": {"line": emoji_line, "character": emoji_col},
                       "end": {"line": emoji_line, "character": emoji_col + 1}},
             "text": "e"}
        ]}),
    )
    .await;
    assert!(h.diagnostics(URI).await.is_empty());
    let hover = h
        .request("textDocument/hover", at(URI, emoji_line + 1, 12))
        .await;
    assert!(
        hover["contents"]
            .to_string()
            .contains("🙂 e Arm fossa test"),
        "{hover}"
    );
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": PROTOCOL}]}),
    )
    .await;
    assert!(h.diagnostics(URI).await.is_empty());
}
