//! Document highlight: every place in the document where the name under the cursor means
//! the same declaration (the declaration itself marked as the write, the uses as reads),
//! from the per-chunk index of names.

use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::name_index;
use crate::{offset, range, Snapshot};

/// The highlights of the name at `p` in its document.
pub(crate) fn document_highlights(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Option<Vec<DocumentHighlight>> {
    let file = s.file(&p.text_document.uri)?;
    let index = s.index(file);
    let (_, _, word) = analysis::word_at(&s.db, file, offset(index, p.position, s.encoding))?;
    let def = name_index::lookup(&s.db, file, word)?;
    let declared_here = def.file == file;
    Some(
        name_index::occurrences(&s.db, file, &def.name)
            .into_iter()
            .map(|(start, end)| DocumentHighlight {
                range: range(index, start, end, s.encoding),
                kind: Some(if declared_here && start == def.span.start as usize {
                    DocumentHighlightKind::WRITE
                } else {
                    DocumentHighlightKind::READ
                }),
            })
            .collect(),
    )
}
