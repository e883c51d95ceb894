//! Go to definition: where the name under the cursor is declared, or the file a `use` path
//! names; and the document links of `use` paths.

use std::path::PathBuf;

use sot_compiler::{file_items, file_uses, parse_item, Database, SourceFile};
use sot_grammar::ast::{ItemData, Span};
use tower_lsp_server::ls_types::*;

use crate::analysis::{self, definitions, resolve};
use crate::{offset, range, Snapshot};

/// The declaration of the name at `p`, or the file of the `use` path at `p`.
pub(crate) fn definition(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Option<GotoDefinitionResponse> {
    let file = s.file(&p.text_document.uri)?;
    let index = s.index(file);
    let at = offset(index, p.position, s.encoding);
    if let Some((_, target)) = use_paths(&s.db, file)
        .into_iter()
        .find(|(span, _)| (span.start as usize..=span.end as usize).contains(&at))
    {
        return Some(GotoDefinitionResponse::Scalar(Location {
            uri: Uri::from_file_path(target)?,
            range: Range::default(),
        }));
    }
    let (_, _, word) = analysis::word_at(&s.db, file, at)?;
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

/// A link on each `use` path whose file exists.
pub(crate) fn document_links(
    s: &Snapshot,
    params: DocumentLinkParams,
) -> Option<Vec<DocumentLink>> {
    let file = s.file(&params.text_document.uri)?;
    let index = s.index(file);
    Some(
        use_paths(&s.db, file)
            .into_iter()
            .filter_map(|(span, target)| {
                Some(DocumentLink {
                    range: range(index, span.start as usize, span.end as usize, s.encoding),
                    tooltip: Some(format!("open {}", target.display())),
                    target: Some(Uri::from_file_path(&target)?),
                    data: None,
                })
            })
            .collect(),
    )
}

/// Each `use` path of a file whose file is loaded: the span of its string (quotes included,
/// in the file's text) and the file's path.
fn use_paths(db: &Database, file: SourceFile) -> Vec<(Span, PathBuf)> {
    // `file_uses` resolves the `use` lines in the order of the items.
    let mut edges = file_uses(db, file).iter();
    let mut out = Vec::new();
    for item in file_items(db, file) {
        let Some(parsed) = parse_item(db, *item).item.as_ref() else {
            continue;
        };
        if let ItemData::Use { path } = &parsed.data {
            let Some(edge) = edges.next() else { break };
            if edge.target.is_some() {
                out.push((path.span.shift(item.offset(db)), edge.path.clone()));
            }
        }
    }
    out
}
