//! Rename: every reference of the name under the cursor, renamed, once the new name is valid.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::references::occurrences;
use crate::{range, Snapshot};

/// Refuses a new name that is not a name an item can have.
pub(crate) fn check_name(new_name: &str) -> Result<()> {
    if !analysis::valid_name(new_name) {
        return Err(Error::invalid_params(format!(
                "`{}` is not a valid name: use letters, digits and `_`, not starting with a digit, and not a keyword",
                new_name
            )));
    }
    Ok(())
}

/// The edit that renames the name at `p` to `new_name` everywhere it means the same thing.
pub(crate) fn rename(
    s: &Snapshot,
    p: TextDocumentPositionParams,
    new_name: String,
) -> Option<WorkspaceEdit> {
    let (_, locations) = occurrences(s, &p.text_document.uri, p.position)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (f, (start, end)) in locations {
        changes.entry(s.uri(f)?).or_default().push(TextEdit {
            range: range(s.index(f), start, end, s.encoding),
            new_text: new_name.clone(),
        });
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
