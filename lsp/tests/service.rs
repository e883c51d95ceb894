//! The language server in process, through tower's `Service`: every feature, positions in
//! UTF-16 after non-ASCII text, and abuse (unknown documents, out-of-range positions,
//! invalid names, a burst of edits, incremental edits, a document over the size limit).
//! The memory under a thousand edits is measured in `memory.rs`, a process of its own.

mod common;

use common::{at, decode_tokens, find, semantic_tokens, Harness, PROTOCOL, URI};
use serde_json::json;

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

#[tokio::test]
async fn ranged_edits_past_the_end_or_backwards_are_clamped() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    // A range that ends before it starts, then one far past the end of the text: both are
    // clamped (the first inserts at its start, the second appends), never a panic.
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 2}},
             "text": ""},
            {"range": {"start": {"line": 900, "character": 4}, "end": {"line": 901, "character": 0}},
             "text": "\nindicator appended: bool\n"}
        ]}),
    )
    .await;
    let diagnostics = h.diagnostics(URI).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "W0604");
    assert!(diagnostics[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("appended")));
}

#[tokio::test]
async fn an_argument_label_spelled_like_a_keyword_is_a_parameter() {
    let mut h = Harness::start(false).await;
    assert!(h.open(URI, PROTOCOL).await.is_empty());
    let tokens = semantic_tokens(&mut h, URI).await;
    let type_at = |needle: &str, skip: u32| {
        let (l, c) = find(PROTOCOL, needle);
        tokens
            .iter()
            .find(|t| t.0 == l && t.1 == c + skip)
            .map(|t| (t.2, t.3))
    };
    // The legend: 0 keyword, 8 parameter.
    assert_eq!(type_at("category: II", 0), Some((8, 8)), "{tokens:?}");
    assert_eq!(type_at("category: Category", 0), Some((8, 8)));
    assert_eq!(type_at("in category II", 3), Some((8, 0)));
    assert_eq!(type_at("then block", 0), Some((4, 0)));
    // A comment, and a string, in UTF-16 units after non-ASCII text.
    let text = "// é🙂 comment\nindicator a: bool\ncategory C \"é🙂\" {\n  when a\n}\n";
    let uri = "file:///lsp-test/tokens.sot";
    h.open(uri, text).await;
    let tokens = semantic_tokens(&mut h, uri).await;
    assert_eq!(tokens[0], (0, 0, 14, 1), "{tokens:?}");
    assert!(tokens.contains(&(2, 11, 5, 2)), "{tokens:?}");
}

/// The whole-file answer (each item's tokens cached item-relative, placed where the item
/// starts) agrees with a range over the whole file (computed token by token from the line
/// index): items indented or after another on a line, a non-ASCII item among ASCII ones,
/// comments between items, and again after an edit moved every item below it.
#[tokio::test]
async fn whole_file_tokens_agree_with_a_range_over_the_file() {
    let mut h = Harness::start(false).await;
    let uri = "file:///lsp-test/placed.sot";
    let text = "indicator a: bool\n  indicator b: Side?\n// between\ncategory C \"é🙂\" {\n  when a\n}\nadjustment rest()\n\n/// doc\nrule r {\n  when a and b != none\n  then rest()\n}\nrule s { when b == left then rest() }\n";
    h.open(uri, text).await;
    let before = tokens_agree(&mut h, uri, text).await;
    // The indented keyword is at its column; the rule on one line has all its tokens.
    assert!(before.contains(&(1, 2, 9, 0)), "{before:?}");
    assert!(before.contains(&(13, 0, 4, 0)), "{before:?}");
    // Two lines inserted at the top: every item moves, none is re-tokenised.
    let edited = format!("// one\n// two\n{text}");
    h.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                             "end": {"line": 0, "character": 0}},
                                   "text": "// one\n// two\n"}]}),
    )
    .await;
    let after = tokens_agree(&mut h, uri, &edited).await;
    let moved: Vec<_> = before.iter().map(|t| (t.0 + 2, t.1, t.2, t.3)).collect();
    assert_eq!(&after[2..], &moved[..]);
}

/// The document's semantic tokens, full and as a range over all of `text`, which must agree.
async fn tokens_agree(h: &mut Harness, uri: &str, text: &str) -> Vec<(u32, u32, u32, u32)> {
    let lines = text.lines().count() as u32 + 1;
    let full = semantic_tokens(h, uri).await;
    let range = decode_tokens(
        &h.request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0},
                             "end": {"line": lines, "character": 0}}}),
        )
        .await,
    );
    assert!(full.len() > 20, "{full:?}");
    assert_eq!(full, range);
    full
}

/// A workspace folder on disk (a fresh one per test, below Cargo's temporary folder): a
/// protocol, three case files that `use` it, and a `.gitignore`d folder with a fourth.
mod disk {
    use std::path::{Path, PathBuf};

    pub const PROTOCOL: &str = "indicator osteo: bool
adjustment adjust(level: Vertebra)

rule r {
  when osteo
  then adjust(level: T4)
}
";

    pub fn case(name: &str) -> String {
        format!(
            "use \"../protocol.sot\"

case {name} {{
  visit 1 {{
    findings {{
      osteo = yes
    }}
  }}
}}
"
        )
    }

    pub fn workspace(test: &str) -> PathBuf {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("workspace-{test}"));
        let _ = std::fs::remove_dir_all(&root);
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            std::fs::write(path, text).expect("write");
        };
        write("protocol.sot", PROTOCOL);
        for name in ["a", "b", "c"] {
            write(&format!("cases/{name}.sot"), &case(name));
        }
        write("ignored/d.sot", &case("d"));
        write(".gitignore", "ignored/\n");
        root
    }

    pub fn uri(path: &Path) -> String {
        format!("file://{}", path.display())
    }
}

fn folders(root: &std::path::Path) -> serde_json::Value {
    json!({"capabilities": {}, "workspaceFolders": [{"uri": disk::uri(root), "name": "w"}]})
}

fn edit(line: u32, start: u32, end: u32, new_text: &str) -> serde_json::Value {
    json!({"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}, "newText": new_text})
}

#[tokio::test]
async fn rename_and_references_cover_the_workspace_folder() {
    let root = disk::workspace("rename");
    let mut h = Harness::start_with(folders(&root)).await;
    // Only `a` is open, with an unsaved line on top: its text wins over the disk's.
    let a = disk::uri(&root.join("cases/a.sot"));
    let unsaved = format!("// unsaved\n{}", disk::case("a"));
    assert!(h.open(&a, &unsaved).await.is_empty());

    let rename = h
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": a}, "position": {"line": 6, "character": 8}, "newName": "fragile"}),
        )
        .await;
    let mut changes = rename["changes"].as_object().cloned().unwrap_or_default();
    for edits in changes.values_mut() {
        if let Some(edits) = edits.as_array_mut() {
            edits.sort_by_key(|e| e["range"]["start"]["line"].as_u64());
        }
    }
    let case_edit = json!([edit(5, 6, 11, "fragile")]);
    let expected = json!({
        disk::uri(&root.join("protocol.sot")): [edit(0, 10, 15, "fragile"), edit(4, 7, 12, "fragile")],
        a.clone(): [edit(6, 6, 11, "fragile")],
        disk::uri(&root.join("cases/b.sot")): case_edit,
        disk::uri(&root.join("cases/c.sot")): case_edit,
    });
    // The `.gitignore`d `ignored/d.sot` is not among them.
    assert_eq!(serde_json::Value::Object(changes), expected, "{rename}");

    let references = h
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": a}, "position": {"line": 6, "character": 8}, "context": {"includeDeclaration": true}}),
        )
        .await;
    let mut found: Vec<String> = references
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let uri = l["uri"].as_str().unwrap_or_default();
            let file = uri.rsplit('/').next().unwrap_or_default();
            format!("{file} {}", l["range"]["start"]["line"])
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "a.sot 6",
            "b.sot 5",
            "c.sot 5",
            "protocol.sot 0",
            "protocol.sot 4"
        ],
        "{references}"
    );
}

#[tokio::test]
async fn prepare_rename_refuses_what_cannot_be_renamed() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let prepare = |l: u32, c: u32| at(URI, l, c);
    let refusals = [
        ("indicator arm_fossa", 0, "keyword"),
        ("left\n", 1, "built into"),
        ("Side?\nindicator sacral", 1, "built into"),
        ("1 {", 0, "not a number"),
        ("\"LSP\"", 1, "not a number"),
        ("Arm fossa", 0, "not a number"),
        ("category: II", 2, "label"),
    ];
    for (needle, shift, why) in refusals {
        let (l, c) = find(PROTOCOL, needle);
        let answer = h
            .request("textDocument/prepareRename", prepare(l, c + shift))
            .await;
        assert_eq!(answer["error"], -32602, "{needle}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        let why = if why == "not a number" {
            "not a number"
        } else {
            why
        };
        assert!(message.contains(why), "{needle}: {message}");
    }
    let (l, c) = find(PROTOCOL, "arm_fossa != none");
    let answer = h
        .request("textDocument/prepareRename", prepare(l, c + 3))
        .await;
    assert_eq!(
        answer,
        json!({"start": {"line": l, "character": c}, "end": {"line": l, "character": c + 9}})
    );
}

#[tokio::test]
async fn files_changed_on_disk_and_closed_documents_fall_back_to_the_disk() {
    let root = disk::workspace("watch");
    let mut h = Harness::start_with(folders(&root)).await;
    let a = disk::uri(&root.join("cases/a.sot"));
    assert!(h.open(&a, &disk::case("a")).await.is_empty());
    let has =
        |code: &'static str| move |d: &[serde_json::Value]| d.iter().any(|d| d["code"] == code);

    // The protocol changes on disk: `osteo` is no longer declared.
    let protocol = root.join("protocol.sot");
    let protocol_uri = disk::uri(&protocol);
    std::fs::write(&protocol, disk::PROTOCOL.replace("osteo", "brittle")).expect("write");
    h.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": protocol_uri, "type": 2}]}),
    )
    .await;
    h.diagnostics_until(&a, has("E0501")).await;

    // Opened with unsaved text that declares it again: that text wins over the disk's.
    h.open(&protocol_uri, disk::PROTOCOL).await;
    h.diagnostics_until(&a, |d| d.is_empty()).await;

    // Closed: back to the disk's text.
    h.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": protocol_uri}}),
    )
    .await;
    h.diagnostics_until(&a, has("E0501")).await;

    // Deleted: a missing file.
    std::fs::remove_file(&protocol).expect("delete");
    h.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": protocol_uri, "type": 3}]}),
    )
    .await;
    h.diagnostics_until(&a, has("E0103")).await;
}

/// Every `*.sot` below `dir`.
fn sot_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sot_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sot") {
            out.push(path);
        }
    }
}

/// The errors the compiler finds in every `*.sot` below `dir` (and what they use).
fn errors(dir: &std::path::Path) -> Vec<String> {
    let mut paths = Vec::new();
    sot_files(dir, &mut paths);
    let mut db = sot_compiler::Database::default();
    for path in &paths {
        db.set_file(path, std::fs::read_to_string(path).expect("read"));
    }
    db.load_uses(|db, path| {
        if let Ok(text) = std::fs::read_to_string(path) {
            db.set_file(path, text);
        }
    });
    let files: Vec<_> = db.workspace().files(&db).values().copied().collect();
    files
        .into_iter()
        .flat_map(|f| {
            let path = f.path(&db).display().to_string();
            sot_compiler::all_diagnostics(&db, f)
                .into_iter()
                .filter(|d| d.severity() == sot_compiler::Severity::Error)
                .map(move |d| format!("{path}: {} {}", d.code.as_str(), d.message))
        })
        .collect()
}

/// The bug report: renaming `osteoporosis` from one case file of the repository's
/// `protocols/` (a copy) must reach every file that names it, and leave them all checking.
#[tokio::test]
async fn renaming_in_the_repository_protocols_leaves_no_error() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocols");
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("protocols-rename");
    let _ = std::fs::remove_dir_all(&root);
    let mut originals = Vec::new();
    sot_files(&repo, &mut originals);
    for path in &originals {
        let to = root.join(path.strip_prefix(&repo).expect("below"));
        std::fs::create_dir_all(to.parent().expect("folder")).expect("folder");
        std::fs::copy(path, to).expect("copy");
    }
    assert_eq!(errors(&root), Vec::<String>::new(), "before the rename");

    let mut h = Harness::start_with(folders(&root)).await;
    let case = root.join("cases/contraindication.sot");
    let text = std::fs::read_to_string(&case).expect("read");
    let uri = disk::uri(&case);
    h.open(&uri, &text).await;
    let (l, c) = find(&text, "osteoporosis = yes");
    let rename = h
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": {"line": l, "character": c + 1}, "newName": "bone_fragility"}),
        )
        .await;
    let changes = rename["changes"].as_object().cloned().unwrap_or_default();
    // 17 case files (each records it in its history; language_example.sot names the first
    // look's own osteoporosis, which the rename must leave) and the protocol files that
    // declare and use it.
    let cases = changes.keys().filter(|u| u.contains("/cases/")).count();
    assert_eq!(cases, 17, "{rename}");
    assert!(
        !changes.keys().any(|u| u.ends_with("/language_example.sot")),
        "{rename}"
    );
    assert!(
        changes.keys().any(|u| u.ends_with("/sot/common.sot")),
        "{rename}"
    );
    for (uri, edits) in &changes {
        let path = uri.strip_prefix("file://").expect("a file URI");
        let mut text = std::fs::read_to_string(path).expect("read");
        let index = sot_compiler::LineIndex::new(&text);
        let mut spans: Vec<(usize, usize, String)> = edits
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let offset = |p: &serde_json::Value| {
                    let (line, character) = (p["line"].as_u64(), p["character"].as_u64());
                    index.offset(
                        line.unwrap_or_default() as usize,
                        character.unwrap_or_default() as usize,
                        sot_compiler::Encoding::Utf16,
                    )
                };
                let new = e["newText"].as_str().unwrap_or_default().to_owned();
                (
                    offset(&e["range"]["start"]),
                    offset(&e["range"]["end"]),
                    new,
                )
            })
            .collect();
        spans.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (start, end, new) in spans {
            assert_eq!(&text[start..end], "osteoporosis", "{uri}");
            text.replace_range(start..end, &new);
        }
        std::fs::write(path, text).expect("write");
    }
    assert_eq!(errors(&root), Vec::<String>::new(), "after the rename");
}

/// A long request in flight never holds back an edit: with a big document open, a
/// semantic tokens request is sent and, without waiting for it, an edit. The diagnostics of
/// the new version arrive, and the request answers either its tokens or ContentModified
/// (the edit cancelled it); no bound on the time but the 30 s of the whole exchange.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_is_not_held_back_by_a_tokens_request_in_flight() {
    use tower::{Service, ServiceExt};
    use tower_lsp_server::jsonrpc::Request;

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg("3000")
        .output()
        .expect("python3 runs tools/gen_protocol.py");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let uri = "file:///lsp-test/big.sot";
    let exchange = async {
        let mut h = Harness::start(false).await;
        h.open(uri, &text).await;
        let tokens = Request::build("textDocument/semanticTokens/full")
            .id(1000)
            .params(json!({"textDocument": {"uri": uri}}))
            .finish();
        let in_flight = tokio::spawn(h.service.ready().await.expect("service ready").call(tokens));
        let (line, _) = find(&text, "rule r_1500 {");
        h.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2},
                   "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                                 "end": {"line": line, "character": 0}},
                                       "text": "// edited\n"}]}),
        )
        .await;
        loop {
            let message = h.from_server.recv().await.expect("server alive");
            let (method, _, params) = message.into_parts();
            let params = params.unwrap_or_default();
            if method == "textDocument/publishDiagnostics"
                && params["uri"] == uri
                && params["version"] == 2
            {
                break;
            }
        }
        let response = in_flight
            .await
            .expect("request task")
            .expect("service alive")
            .expect("an answer");
        let (_, result) = response.into_parts();
        match result {
            Ok(tokens) => assert!(
                tokens["data"].as_array().is_some_and(|d| !d.is_empty()),
                "{tokens}"
            ),
            Err(error) => assert_eq!(
                error.code,
                tower_lsp_server::jsonrpc::ErrorCode::ContentModified
            ),
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), exchange)
        .await
        .expect("the edit's diagnostics and the request's answer within 30 s");
}

/// `use` in the server is confined as on the command line: outside the project of the open
/// document (no `.git` or `sot.toml` above it here, so the workspace folder; without one, the
/// document's folder), a path with `..`, or a symbolic link that leads out, is E0103 "outside
/// the project", and the file there is never read (its names stay unknown); a file inside is
/// read.
#[tokio::test]
async fn a_use_out_of_the_project_is_refused_and_not_read() {
    let root = std::env::temp_dir().join(format!("sot-lsp-confine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let ws = root.join("ws");
    std::fs::create_dir_all(ws.join("lib")).expect("folders");
    std::fs::write(root.join("outside.sot"), "indicator outside_canary: bool\n").expect("write");
    std::fs::write(ws.join("lib/b.sot"), "indicator inside: bool\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("outside.sot"), ws.join("link.sot")).expect("link");
    let text = "use \"../outside.sot\"\nuse \"lib/b.sot\"\nuse \"link.sot\"\n\nrule r {\n  when inside and outside_canary\n  then rest\n}\nadjustment rest\n";
    let a = disk::uri(&ws.join("a.sot"));
    for params in [folders(&ws), json!({"capabilities": {}})] {
        let mut h = Harness::start_with(params.clone()).await;
        let diagnostics = h.open(&a, text).await;
        // Line, code, and the message up to its first colon.
        let mut found: Vec<String> = diagnostics
            .iter()
            .map(|d| {
                let message = d["message"].as_str().unwrap_or_default();
                let head = message.split(": ").next().unwrap_or_default();
                format!(
                    "{} {} {head}",
                    d["range"]["start"]["line"],
                    d["code"].as_str().unwrap_or_default()
                )
            })
            .collect();
        found.sort();
        let outside =
            |path: &std::path::Path| format!("`{}` is outside the project", path.display());
        let mut expected = vec![
            format!("0 E0103 {}", outside(&root.join("outside.sot"))),
            // The canary's file was never read, so its name is unknown.
            "5 E0101 unknown name `outside_canary`".to_string(),
        ];
        if cfg!(unix) {
            expected.insert(1, format!("2 E0103 {}", outside(&ws.join("link.sot"))));
        }
        let help = diagnostics.iter().filter_map(|d| d["data"].as_str());
        let root_named = format!("project root `{}`", ws.display());
        assert!(
            help.clone().all(|h| h.contains(&root_named)),
            "{diagnostics:?}"
        );
        assert_eq!(found, expected, "{params}: {diagnostics:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
