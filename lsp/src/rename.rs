//! Rename: every reference of the name under the cursor, renamed, once the new name is valid.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use sot_grammar::TokenKind;

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

/// Names the language has built in: types, sides, vertebrae, `yes`, `no`, `none`.
fn built_in(word: &str) -> bool {
    matches!(
        word,
        "bool" | "Side" | "Vertebra" | "Category" | "left" | "right" | "yes" | "no" | "none"
    ) || sot_compiler::types_vertebra(word)
}

/// `textDocument/prepareRename`: the range of the declared name at `p`, or why it cannot be
/// renamed (a keyword, a built-in name, a label, a number, a string, a comment, blank space,
/// a name declared nowhere the file sees).
pub(crate) fn prepare(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let refuse = |why: String| Err(Error::invalid_params(why));
    let Some(file) = s.file(&p.text_document.uri) else {
        return refuse("the document is not open".into());
    };
    let index = s.index(file);
    let at = crate::offset(index, p.position, s.encoding);
    let Some((start, end, word)) = analysis::word_at(&s.db, file, at) else {
        return refuse(
            "only a declared name can be renamed, not a number, string, comment or blank".into(),
        );
    };
    let kind = analysis::token_kind_at(&s.db, file, start);
    match kind {
        Some(TokenKind::Name) => {}
        Some(TokenKind::Label) => {
            return refuse(format!(
                "`{word}` is a label here; rename the parameter it names instead"
            ))
        }
        _ => return refuse(format!("`{word}` is a keyword and cannot be renamed")),
    }
    if crate::name_index::lookup(&s.db, file, word).is_none() {
        return refuse(if built_in(word) {
            format!("`{word}` is built into the language and cannot be renamed")
        } else {
            format!("`{word}` is declared nowhere this file sees")
        });
    }
    Ok(Some(PrepareRenameResponse::Range(range(
        index, start, end, s.encoding,
    ))))
}
