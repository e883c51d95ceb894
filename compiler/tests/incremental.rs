//! Per-item incrementality, proven with salsa's event log: editing one rule's body re-parses
//! and re-checks that rule only, and leaves the scope alone.

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
        .map(|l| l.iter().filter(|e| e.starts_with(query)).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn editing_one_rule_body_rechecks_only_that_rule() {
    let log: EventLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = Database::with_event_log(log.clone());
    let path = Path::new("protocol.sot");
    let file = db.set_file(path, PROTOCOL.to_string());
    assert!(
        file_diagnostics(&db, file).is_empty(),
        "{:?}",
        file_diagnostics(&db, file)
    );
    let items = file_items(&db, file).len();
    assert_eq!(executions(&log, "parse_item").len(), items);
    log.lock().map(|mut l| l.clear()).ok();

    // Edit the body of `second` (and make the line longer, so later items move).
    let edited = PROTOCOL.replace(
        "fiber(line: 2, area: 2) >= 2",
        "fiber(line: 2, area: 2) >= 3 ",
    );
    db.set_file(path, edited);
    let diagnostics = file_diagnostics(&db, file).clone();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let second = file_items(&db, file)
        .iter()
        .copied()
        .find(|i| i.name(&db) == "second")
        .expect("rule `second` exists");
    let second_id = format!("{:?}", second.as_id());
    let parses = executions(&log, "parse_item");
    let checks = executions(&log, "check_item");
    assert_eq!(parses.len(), 1, "re-parsed: {parses:?}");
    assert_eq!(checks.len(), 1, "re-checked: {checks:?}");
    assert!(
        parses[0].contains(&second_id),
        "{parses:?} is not {second_id}"
    );
    assert!(
        checks[0].contains(&second_id),
        "{checks:?} is not {second_id}"
    );
    assert!(
        executions(&log, "file_scope").is_empty(),
        "the scope was rebuilt"
    );
    // The other items' results are still there, unchanged.
    assert!(file_items(&db, file)
        .iter()
        .all(|item| check_item(&db, *item).diagnostics.is_empty()));
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
