//! JSON case data against a real protocol: any bytes give cases or diagnostics pointing
//! inside the JSON, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sot_compiler::{json_cases, lower_file, Database};

const PROTOCOL: &str = include_str!("../../protocols/examples/first_look.sot");

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    let mut db = Database::default();
    let file = db.set_file(Path::new("first_look.sot"), PROTOCOL.to_string());
    match json_cases(&db, file, json) {
        Ok(cases) => {
            let program = lower_file(&db, file).as_ref().expect("the protocol is clean");
            for case in &cases {
                let _ = sot_runtime::explain::explain_case(program, case);
            }
        }
        Err(diagnostics) => {
            for d in diagnostics {
                let (s, e) = (d.primary.span.start as usize, d.primary.span.end as usize);
                assert!(s <= e && e <= json.len().max(1), "{d:?}");
            }
        }
    }
});
