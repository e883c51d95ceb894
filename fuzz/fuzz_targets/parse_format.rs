//! The parser and the formatter: any text parses without panicking; text that formats keeps
//! its comments, formats the same twice, and keeps its syntax trees.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = sot_grammar::parse_file(text);
    if let Ok(once) = sot_grammar::format_file(text) {
        let twice = sot_grammar::format_file(&once).expect("formatted text parses");
        assert_eq!(once, twice, "not idempotent");
        let count = |t: &str| t.matches("//").count();
        // Every `//` of the input is still there (in comments or strings).
        assert_eq!(count(text), count(&once), "a comment was lost");
        let items = sot_grammar::parse_file(&once);
        assert_eq!(items.len(), parsed.len(), "items changed");
    }
});
