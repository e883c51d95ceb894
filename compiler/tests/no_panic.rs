//! Property tests: no input, random or mutated from real protocols, makes the parser or the
//! checker panic, and every diagnostic points inside the text, on character boundaries.

use std::path::Path;

use proptest::prelude::*;
use sot_compiler::{file_diagnostics, Database};

/// Checks `text` and asserts the diagnostics are well-formed.
fn check_text(text: &str) {
    let mut db = Database::default();
    let file = db.set_file(Path::new("fuzz.sot"), text.to_string());
    for d in file_diagnostics(&db, file) {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(
                start <= end && end <= text.len(),
                "{d:?} outside {} bytes",
                text.len()
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{d:?}"
            );
        }
        assert!(!d.message.is_empty());
    }
}

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/check");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "sot"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    texts.sort();
    texts
}

/// Pieces of the language, so random text gets past the first token often.
const TOKENS: &[&str] = &[
    "rule ",
    "category ",
    "indicator ",
    "table ",
    "check ",
    "case ",
    "visit 1 ",
    "findings ",
    "when ",
    "then ",
    "unless ",
    "{",
    "}",
    "(",
    ")",
    ",",
    ":",
    "=",
    "==",
    "!=",
    ">=",
    " and ",
    " or ",
    "not ",
    "none",
    "yes",
    "2",
    "6.5 mm",
    "T1",
    "left",
    "_",
    "\n",
    "\"é🙂\"",
    "x",
    "..",
    "before.",
    "at least 2 of ",
    "=>",
    "?",
    "use \"a.sot\"\n",
    "precedence I > II\n",
    "// c\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..80)) {
        check_text(&tokens.concat());
    }

    #[test]
    fn random_unicode_never_panics(text in "\\PC{0,200}") {
        check_text(&text);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), 0usize..12, prop::sample::select(TOKENS)), 1..6),
    ) {
        let corpus = corpus();
        prop_assume!(!corpus.is_empty());
        let mut text = corpus[pick.index(corpus.len())].clone();
        for (at, len, insert) in cuts {
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(start..end, insert);
        }
        check_text(&text);
    }
}
