//! Document and workspace symbols: the named items of a file, of every loaded file.

use sot_compiler::{file_items, parse_item, Database, SourceFile};
use sot_grammar::ast::{ItemData, ItemKind, Span};
use tower_lsp_server::ls_types::*;

use crate::{range, Snapshot};

fn symbol_kind(kind: ItemKind) -> SymbolKind {
    match kind {
        ItemKind::Indicator => SymbolKind::VARIABLE,
        ItemKind::Table => SymbolKind::ARRAY,
        ItemKind::Type => SymbolKind::ENUM,
        ItemKind::Adjustment | ItemKind::Rule => SymbolKind::FUNCTION,
        ItemKind::Category => SymbolKind::CLASS,
        ItemKind::Check => SymbolKind::EVENT,
        ItemKind::RedFlag => SymbolKind::CONSTANT,
        ItemKind::Case => SymbolKind::NAMESPACE,
        _ => SymbolKind::OBJECT,
    }
}

/// The symbols of a document: its named items, as a flat list (`SymbolInformation`, the
/// item's whole range; editors nest them by range). The items do not nest, and a flat
/// symbol is about half the JSON nodes of a `DocumentSymbol` (no selection range, no
/// detail): for 10,000 items the answer's serialising, most of its cost, halves too.
/// Cancellation is polled per item.
pub(crate) fn document_symbols(
    s: &Snapshot,
    params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let uri = params.text_document.uri;
    let file = s.file(&uri)?;
    let index = s.index(file);
    #[allow(deprecated)]
    let symbols = symbols(&s.db, file)
        .into_iter()
        .map(|(kind, name, span, _)| SymbolInformation {
            name,
            kind: symbol_kind(kind),
            tags: None,
            deprecated: None,
            location: Location {
                uri: uri.clone(),
                range: range(index, span.start as usize, span.end as usize, s.encoding),
            },
            container_name: None,
        })
        .collect();
    Some(DocumentSymbolResponse::Flat(symbols))
}

/// The items of every loaded file whose name contains the query (case-insensitive).
pub(crate) fn workspace_symbols(
    s: &Snapshot,
    params: WorkspaceSymbolParams,
) -> Option<WorkspaceSymbolResponse> {
    let query = params.query.to_lowercase();
    let mut out = Vec::new();
    for file in s.db.workspace().files(&s.db).values() {
        let Some(uri) = s.uri(*file) else { continue };
        let index = s.index(*file);
        for (kind, name, _, name_span) in symbols(&s.db, *file) {
            if name.to_lowercase().contains(&query) {
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name,
                    kind: symbol_kind(kind),
                    tags: None,
                    deprecated: None,
                    location: Location {
                        uri: uri.clone(),
                        range: range(
                            index,
                            name_span.start as usize,
                            name_span.end as usize,
                            s.encoding,
                        ),
                    },
                    container_name: None,
                });
            }
        }
    }
    Some(WorkspaceSymbolResponse::Flat(out))
}

/// The item kinds of a file with their spans, for document symbols: `(kind, name, item span,
/// name span)`.
fn symbols(db: &Database, file: SourceFile) -> Vec<(ItemKind, String, Span, Span)> {
    file_items(db, file)
        .iter()
        .filter_map(|item| {
            salsa::Database::unwind_if_revision_cancelled(db);
            let parsed = parse_item(db, *item).item.as_ref()?;
            let offset = item.offset(db);
            let name = match &parsed.data {
                ItemData::Indicator(i) => &i.name,
                ItemData::Table(t) => &t.name,
                ItemData::Adjustment(a) => &a.name,
                ItemData::Category(c) => &c.name,
                ItemData::Rule(r) => &r.name,
                ItemData::Check(c) => &c.name,
                ItemData::RedFlag(r) => &r.name,
                ItemData::Case(c) => &c.name,
                ItemData::Type(t) => &t.name,
                _ => return None,
            };
            let kind = item.kind(db)?;
            Some((
                kind,
                name.text.clone(),
                parsed.span.shift(offset),
                name.span.shift(offset),
            ))
        })
        .collect()
}
