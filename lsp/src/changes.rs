//! A document's changes applied to its text: `didOpen`'s whole text, `didChange`'s edits.

use sot_compiler::{Encoding, LineIndex};
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use crate::offset;

/// A document's new text: all of it when opened, or the edits of a `didChange`.
pub(crate) enum Change {
    Open(String),
    Edits(Vec<TextDocumentContentChangeEvent>),
}

/// The text after a `didChange`'s edits, in order: one with a range replaces that range
/// (positions clamped to the text, as everywhere), one without replaces the whole text. The
/// first edit's positions use `index`, the current text's; each later one indexes the text
/// it applies to.
pub(crate) fn apply_edits(
    mut text: String,
    index: Option<&LineIndex>,
    edits: Vec<TextDocumentContentChangeEvent>,
    encoding: Encoding,
) -> String {
    let (mut first, mut fresh) = (index, None);
    for edit in edits {
        match edit.range {
            None => text = edit.text,
            Some(r) => {
                let current = match first {
                    Some(index) => index,
                    None => fresh.insert(LineIndex::new(&text)),
                };
                let start = offset(current, r.start, encoding);
                let end = offset(current, r.end, encoding).max(start);
                text.replace_range(start..end, &edit.text);
            }
        }
        first = None;
    }
    text
}
