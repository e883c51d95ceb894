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

/// The symbols of a document: its named items.
pub(crate) fn document_symbols(
    s: &Snapshot,
    params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let file = s.file(&params.text_document.uri)?;
    let index = s.index(file);
    #[allow(deprecated)]
    let symbols = symbols(&s.db, file)
        .into_iter()
        .map(|(kind, name, span, name_span)| DocumentSymbol {
            name,
            detail: Some(kind.keyword().into()),
            kind: symbol_kind(kind),
            tags: None,
            deprecated: None,
            range: range(index, span.start as usize, span.end as usize, s.encoding),
            selection_range: range(
                index,
                name_span.start as usize,
                name_span.end as usize,
                s.encoding,
            ),
            children: None,
        })
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
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
