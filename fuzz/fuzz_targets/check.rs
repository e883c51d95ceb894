//! The checker, the static analyses and lowering on any text: no panic, and every
//! diagnostic's span inside the text on character boundaries.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sot_compiler::{all_diagnostics, lower_file, Database};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut db = Database::default();
    let file = db.set_file(Path::new("fuzz.sot"), text.to_string());
    for d in all_diagnostics(&db, file) {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let (s, e) = (label.span.start as usize, label.span.end as usize);
            assert!(s <= e && e <= text.len(), "{d:?}");
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e), "{d:?}");
        }
    }
    if let Some(program) = lower_file(&db, file) {
        for case in &program.cases {
            let _ = sot_runtime::explain::explain_case(program, case);
        }
    }
});
