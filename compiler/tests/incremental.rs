//! Per-chunk incrementality, proven with salsa's event log: editing one rule's body re-parses
//! and re-checks only its chunk of items, and leaves the scope alone.

use std::path::Path;
use std::sync::{Arc, Mutex};

use salsa::plumbing::AsId;
use sot_compiler::{check_item, file_diagnostics, file_items, Database, EventLog};

const PROTOCOL: &str = r#"protocol "Incremental" version "1"

type Grade = 0..3
indicator fiber(line: 1..3, area: 1..7): Grade
indicator short_leg: Side?
adjustment adjust(level: Vertebra)
adjustment block(side: Side)

rule first {
  when fiber(line: 1, area: 1) >= 2
  then adjust(level: T1)
}

rule second {
  when fiber(line: 2, area: 2) >= 2
  then adjust(level: T2)
}

rule third {
  when short_leg != none
  then block(side: short_leg)
}
"#;

/// The log entries of `query` since the log was last cleared.
fn executions(log: &EventLog, query: &str) -> Vec<String> {
    log.lock()
        .map(|l| {
            l.iter()
                .filter(|e| e.starts_with(&format!("{query}(")))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The protocol with 300 more rules, so that it spans many chunks.
fn long_protocol() -> String {
    let mut text = PROTOCOL.to_string();
    for r in 0..300 {
        text += &format!(
            "\nrule r_{r} {{\n  when fiber(line: 1, area: {}) >= 2\n  then adjust(level: T1)\n}}\n",
            r % 7 + 1
        );
    }
    text
}

#[test]
fn editing_one_rule_body_rechecks_only_its_chunk() {
    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let path = Path::new("protocol.sot");
    let text = long_protocol();
    let file = db.set_file(path, text.clone());
    assert!(
        file_diagnostics(&db, file).is_empty(),
        "{:?}",
        file_diagnostics(&db, file)
    );
    let chunks = file.chunks(&db).len();
    assert!(chunks > 4, "only {chunks} chunks");
    assert_eq!(executions(&log, "chunk_parse").len(), chunks);
    assert_eq!(executions(&log, "names_may_clash").len(), 1);
    assert_eq!(executions(&log, "unused_names").len(), 1);
    log.lock().map(|mut l| l.clear()).ok();

    // Edit the body of `r_150` (and make the line longer, so later items move).
    let at = text.find("rule r_150 {").expect("r_150");
    let mut edited = text.clone();
    edited.replace_range(at.., &text[at..].replacen(">= 2", ">= 3 ", 1));
    db.set_file(path, edited);
    let diagnostics = file_diagnostics(&db, file).clone();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let edited_item = file_items(&db, file)
        .iter()
        .copied()
        .find(|i| i.name(&db) == "r_150")
        .expect("rule `r_150` exists");
    assert!(edited_item.text(&db).contains(">= 3 "));
    let chunk_id = format!("{:?}", edited_item.chunk().as_id());
    let parses = executions(&log, "chunk_parse");
    let checks = executions(&log, "chunk_check");
    assert_eq!(parses.len(), 1, "re-parsed: {parses:?}");
    assert_eq!(checks.len(), 1, "re-checked: {checks:?}");
    assert!(
        parses[0].contains(&chunk_id),
        "{parses:?} is not {chunk_id}"
    );
    assert!(
        checks[0].contains(&chunk_id),
        "{checks:?} is not {chunk_id}"
    );
    assert!(
        executions(&log, "file_scope").is_empty(),
        "the scope was rebuilt"
    );
    // The names and uses did not change: neither the search for names declared twice nor
    // the one for names never used ran again, though every item below moved.
    for query in ["names_may_clash", "unused_names"] {
        assert!(
            executions(&log, query).is_empty(),
            "{query}: {:?}",
            executions(&log, query)
        );
    }
    // The other items' results are still there, unchanged, and the item moved after it
    // is found at its new place.
    assert!(file_items(&db, file)
        .iter()
        .all(|item| check_item(&db, *item).diagnostics.is_empty()));
    let last = file_items(&db, file).last().copied().expect("items");
    assert_eq!(
        &db.file(path).expect("loaded").text(&db)[last.offset(&db)..][..last.text(&db).len()],
        last.text(&db)
    );
}

/// Chunks are cut by item names, so inserting an item changes one chunk, not every chunk
/// after it.
#[test]
fn inserting_an_item_leaves_the_other_chunks_alone() {
    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let path = Path::new("protocol.sot");
    let text = long_protocol();
    let file = db.set_file(path, text.clone());
    file_diagnostics(&db, file);
    let before = file.chunks(&db).clone();
    log.lock().map(|mut l| l.clear()).ok();

    let at = text.find("rule r_100 {").expect("r_100");
    let mut edited = text.clone();
    edited.insert_str(
        at,
        "rule inserted {\n  when fiber(line: 3, area: 3) >= 1\n  then adjust(level: T2)\n}\n\n",
    );
    db.set_file(path, edited);
    assert!(file_diagnostics(&db, file).is_empty());
    let after = file.chunks(&db);
    let kept = after.iter().filter(|c| before.contains(c)).count();
    assert!(
        kept >= before.len() - 1,
        "{kept} of {} chunks kept",
        before.len()
    );
    assert!(executions(&log, "chunk_parse").len() <= 2);
}

#[test]
fn renaming_an_indicator_rechecks_its_users() {
    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let path = Path::new("protocol.sot");
    let file = db.set_file(path, PROTOCOL.to_string());
    file_diagnostics(&db, file);
    log.lock().map(|mut l| l.clear()).ok();

    db.set_file(
        path,
        PROTOCOL.replace("indicator short_leg", "indicator long_leg"),
    );
    let diagnostics = file_diagnostics(&db, file);
    assert!(
        diagnostics.iter().any(|d| d.code.as_str() == "E0101"),
        "{diagnostics:?}"
    );
    assert_eq!(executions(&log, "file_scope").len(), 1);
}

/// The chunks after any sequence of edits are the chunks of the text cut from scratch: the
/// edits below insert and delete item keywords, comments, blank lines and whole items at
/// random places, so chunks are re-cut around them, merged and split.
#[test]
fn rechunking_around_edits_cuts_as_from_scratch() {
    let snippets = [
        "\nrule extra {\n  when fiber(line: 1, area: 1) >= 1\n  then adjust(level: T1)\n}\n",
        "// a comment\n",
        "\n\n",
        "rule ",
        "indicator stray: bool\n",
        "x",
        "/// doc\n",
        "}",
    ];
    let mut seed = 11u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let path = Path::new("protocol.sot");
    let mut db = Database::default();
    let mut text = long_protocol();
    let file = db.set_file(path, text.clone());
    for round in 0..300 {
        let mut at = next(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        if next(3) == 0 {
            let mut end = (at + next(200)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(at..end, "");
        } else {
            text.insert_str(at, snippets[next(snippets.len())]);
        }
        db.set_file(path, text.clone());
        let mut fresh = Database::default();
        let reference = fresh.set_file(path, text.clone());
        let cut = |db: &Database,
                   f: sot_compiler::SourceFile|
         -> Vec<(usize, String, Vec<sot_compiler::ItemHead>)> {
            f.chunks(db)
                .iter()
                .map(|c| (c.offset(db), c.text(db).clone(), c.items(db).clone()))
                .collect()
        };
        assert_eq!(cut(&db, file), cut(&fresh, reference), "round {round}");
    }
}

/// The codes of a file's diagnostics, in order.
fn codes(db: &Database, file: sot_compiler::SourceFile) -> Vec<String> {
    file_diagnostics(db, file)
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect()
}

/// W0604 (never used) and E0102 (declared twice) follow edits far from the first uses of
/// the names: the use scan stops early and the clash search runs only when names change,
/// and neither may miss what the edit did.
#[test]
fn unused_and_duplicate_names_follow_edits() {
    let mut db = Database::default();
    let path = Path::new("protocol.sot");
    // `late` is used only by the last rule, 300 rules below the others' uses.
    let text = long_protocol()
        + "\nindicator late: bool\nadjustment rest()\n\nrule uses_late {\n  when late\n  then rest()\n}\n";
    let file = db.set_file(path, text.clone());
    assert!(codes(&db, file).is_empty(), "{:?}", codes(&db, file));

    // The last use goes: `late` is never used.
    let unused = text.replace("  when late\n", "  when short_leg != none\n");
    db.set_file(path, unused.clone());
    assert_eq!(codes(&db, file), ["W0604"]);
    assert!(file_diagnostics(&db, file)[0].message.contains("`late`"));
    // And comes back.
    db.set_file(path, text.clone());
    assert!(codes(&db, file).is_empty(), "{:?}", codes(&db, file));

    // A rule renamed to the name of another: E0102, and gone when renamed back.
    let twice = text.replace("rule r_299 {", "rule r_3 {");
    db.set_file(path, twice);
    assert_eq!(codes(&db, file), ["E0102"]);
    db.set_file(path, text);
    assert!(codes(&db, file).is_empty(), "{:?}", codes(&db, file));
}
