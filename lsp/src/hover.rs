//! Hover: the declaration and doc comment of the name under the cursor, as Markdown or as
//! plain text, whichever the client prefers.

use tower_lsp_server::ls_types::*;

use crate::analysis::{self, definitions, resolve};
use crate::{offset, Snapshot};

/// The hover of the name at `p`.
pub(crate) fn hover(s: &Snapshot, p: TextDocumentPositionParams) -> Option<Hover> {
    let file = s.file(&p.text_document.uri)?;
    let index = s.index(file);
    let (_, _, word) = analysis::word_at(&s.db, file, offset(index, p.position, s.encoding))?;
    let defs = definitions(&s.db, file);
    let def = resolve(&defs, word)?;
    let (kind, mut value) = if s.markdown_hover {
        (
            MarkupKind::Markdown,
            format!("```sot\n{}\n```", def.signature),
        )
    } else {
        (MarkupKind::PlainText, def.signature.clone())
    };
    if let Some(doc) = &def.doc {
        value.push_str("\n\n");
        value.push_str(doc);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range: None,
    })
}
