//! The code lens of an edit's effect on the cases, in process: a protocol saved on disk,
//! opened, then edited (a rule's `unless` added, the pair of `tests/fixtures/diff/`): once
//! typing pauses, the changed rule carries "this edit changes N of M case outcomes compared
//! with the saved file", counted by running the cases (its own and a case bank's that uses
//! it) under both versions; back to the saved text, the lens goes.

mod common;

use std::time::{Duration, Instant};

use common::{find, Harness};
use serde_json::{json, Value};

const OLD: &str = include_str!("../../tests/fixtures/diff/unless.old.sot");
const NEW: &str = include_str!("../../tests/fixtures/diff/unless.new.sot");

/// The titles of the edit lenses of `uri` (those that compare with the saved file).
async fn edit_lenses(h: &mut Harness, uri: &str) -> Vec<(u32, String)> {
    let lenses = h
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    lenses
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| {
            let title = l["command"]["title"].as_str()?;
            let line = l["range"]["start"]["line"].as_u64()? as u32;
            title
                .contains("the saved file")
                .then(|| (line, title.to_string()))
        })
        .collect()
}

/// Asks for the lenses until `wanted` holds (they are computed once typing pauses; 60 s at
/// most, for a busy machine).
async fn lenses_until(
    h: &mut Harness,
    uri: &str,
    wanted: impl Fn(&[(u32, String)]) -> bool,
) -> Vec<(u32, String)> {
    let start = Instant::now();
    loop {
        let found = edit_lenses(h, uri).await;
        if wanted(&found) {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no such lenses in time: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn change(uri: &str, version: i32, text: &str) -> Value {
    json!({
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"text": text}],
    })
}

#[tokio::test]
async fn an_edit_says_how_many_case_outcomes_it_changes_against_the_saved_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("edit_impact");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("protocol.sot");
    std::fs::write(&path, OLD).expect("write");
    let uri = format!("file://{}", path.display());

    // A case bank in another file that uses the protocol: its visits count too.
    let bank = "use \"protocol.sot\"\n\ncase extra \"From another file\" {\n  visit 1 {\n    findings {\n      arm_fossa = right\n      short_leg = left\n      osteoporosis = yes\n    }\n  }\n}\n";
    let bank_path = dir.join("bank.sot");
    std::fs::write(&bank_path, bank).expect("write");
    let bank_uri = format!("file://{}", bank_path.display());

    let mut h = Harness::start(false).await;
    h.open(&uri, OLD).await;
    h.open(&bank_uri, bank).await;
    // As saved: no edit lens (the visits' own lenses only).
    assert!(edit_lenses(&mut h, &uri).await.is_empty());

    h.notify("textDocument/didChange", change(&uri, 2, NEW))
        .await;
    let found = lenses_until(&mut h, &uri, |l| !l.is_empty()).await;
    // Visits 1 (osteoporosis) and 2 (not examined) change, visit 3 does not; and the bank's
    // visit (osteoporosis).
    let (rule_line, _) = find(NEW, "rule block_category_two");
    assert_eq!(
        found,
        [(
            rule_line,
            "this edit changes 3 of 4 case outcomes compared with the saved file".to_string()
        )]
    );

    // Back to the saved text: nothing to compare.
    h.notify("textDocument/didChange", change(&uri, 3, OLD))
        .await;
    lenses_until(&mut h, &uri, <[_]>::is_empty).await;
    // The bank itself is as saved: no lens.
    assert!(edit_lenses(&mut h, &bank_uri).await.is_empty());

    // An edit whose protocol is unchanged (a comment in a case) changes no outcome, and the
    // lens goes on no item but the first line.
    let commented = OLD.replace(
        "  visit 2 \"not examined\" {",
        "  // x\n  visit 2 \"not examined\" {",
    );
    h.notify("textDocument/didChange", change(&uri, 4, &commented))
        .await;
    let found = lenses_until(&mut h, &uri, |l| !l.is_empty()).await;
    assert_eq!(
        found,
        [(
            0,
            "this edit changes 0 of 4 case outcomes compared with the saved file".to_string()
        )]
    );
}
