//! The syntax of the sot protocol language: the pest grammar (`sot.pest`), the cut of a file
//! into items, and the parser that turns one item into an owned syntax tree with spans.
//!
//! Architecture invariant: this crate knows nothing of salsa, types or diagnostics codes; it
//! never fails and never panics on any input.

pub mod ast;
mod parse;
mod split;

pub use parse::{parse_item, ParsedItem, SyntaxError, SyntaxErrorKind, MAX_NESTING};
pub use split::{split, ItemSource};

/// Every item of a file, parsed: `(item source, parse result)` in file order.
pub fn parse_file(text: &str) -> Vec<(ItemSource, ParsedItem)> {
    split(text)
        .into_iter()
        .map(|source| {
            let parsed = match source.kind {
                Some(_) => parse_item(&text[source.start..source.end]),
                None => ParsedItem {
                    item: None,
                    errors: vec![SyntaxError {
                        kind: SyntaxErrorKind::Syntax,
                        message: "expected an item (`indicator`, `rule`, `category`, …)".into(),
                        help: Some("every line outside an item must be a comment (`//`)".into()),
                        span: ast::Span::new(0, source.end - source.start),
                    }],
                },
            };
            (source, parsed)
        })
        .collect()
}
