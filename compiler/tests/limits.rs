//! The limits of what `sot` reads of one file: past `MAX_ITEMS` items the rest is not read,
//! and the file's diagnostics say so (E0001 at the end of the last item read).

use std::path::Path;

use sot_compiler::{file_diagnostics, Code, Database};

#[test]
fn a_file_past_the_item_limit_says_where_reading_stopped() {
    // One item more than the limit (200,000), each a one-line indicator.
    let text: String = (0..=200_000)
        .map(|i| format!("indicator a{i}: bool\n"))
        .collect();
    let mut db = Database::default();
    let file = db.set_file(Path::new("many.sot"), text.clone());
    let limit: Vec<_> = file_diagnostics(&db, file)
        .iter()
        .filter(|d| d.code == Code::E0001)
        .collect();
    assert_eq!(limit.len(), 1, "{limit:?}");
    assert!(
        limit[0]
            .message
            .contains("more than 200000 items in one file: the rest is not read"),
        "{}",
        limit[0].message
    );
    // At the start of the item that was not read: the last line.
    let last = text.rfind("indicator").unwrap_or_default();
    assert_eq!(limit[0].primary.span.start as usize, last);

    // At the limit exactly, no such error.
    let under: String = text[..last].to_string();
    let file = db.set_file(Path::new("many.sot"), under);
    assert!(file_diagnostics(&db, file)
        .iter()
        .all(|d| d.code != Code::E0001));
}
