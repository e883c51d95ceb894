//! Formatting: the whole document as `sot fmt` writes it.

use tower_lsp_server::ls_types::*;

use crate::{range, Snapshot};

/// One edit replacing the document with its formatted text (none when already formatted).
pub(crate) fn formatting(s: &Snapshot, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = s.file(&params.text_document.uri)?;
    let text = file.text(&s.db);
    let formatted = sot_grammar::format_file(text).ok()?;
    if formatted == *text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit {
        range: range(s.index(file), 0, text.len(), s.encoding),
        new_text: formatted,
    }])
}
