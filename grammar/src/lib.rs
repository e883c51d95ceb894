//! The syntax of the sot protocol language: the pest grammar (`sot.pest`), the cut of a file
//! into items, the parser that turns one item into an owned syntax tree with spans, and the
//! tokens of an item (for editors).
//!
//! Architecture invariant: this crate knows nothing of salsa, types or diagnostics codes; it
//! never fails and never panics on any input.

pub mod ast;
mod format;
mod parse;
mod split;
mod tokens;

pub use format::{
    call as format_call, expr as format_expr, format_file, literal as format_literal,
    type_expr as format_type, FormatError,
};
pub use parse::{
    parse_call, parse_expect, parse_item, parse_literal, ParsedItem, SyntaxError, SyntaxErrorKind,
    MAX_NESTING, MAX_STRING,
};
pub use split::{split, ItemSource};
pub use tokens::{is_keyword, tokens, Token, TokenKind};

/// Every item of a file, parsed: `(item source, parse result)` in file order.
pub fn parse_file(text: &str) -> Vec<(ItemSource, ParsedItem)> {
    split(text)
        .into_iter()
        .map(|source| {
            let parsed = parse_item(&text[source.start..source.end]);
            (source, parsed)
        })
        .collect()
}
