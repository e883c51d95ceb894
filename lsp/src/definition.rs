//! Go to definition: where the name under the cursor is declared.

use tower_lsp_server::ls_types::*;

use crate::analysis::{self, definitions, resolve};
use crate::{offset, range, Snapshot};

/// The declaration of the name at `p`.
pub(crate) fn definition(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Option<GotoDefinitionResponse> {
    let file = s.file(&p.text_document.uri)?;
    let index = s.index(file);
    let (_, _, word) = analysis::word_at(&s.db, file, offset(index, p.position, s.encoding))?;
    let defs = definitions(&s.db, file);
    let def = resolve(&defs, word)?;
    let target = s.index(def.file);
    Some(GotoDefinitionResponse::Scalar(Location {
        uri: s.uri(def.file)?,
        range: range(
            target,
            def.span.start as usize,
            def.span.end as usize,
            s.encoding,
        ),
    }))
}
