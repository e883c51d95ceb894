//! Document and workspace symbols: the named items of a file; those of every loaded file
//! that match a query fuzzily.

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

/// At most this many workspace symbols are answered, the best matches (a client asks again
/// as the query grows).
const WORKSPACE_SYMBOLS_KEPT: usize = 500;

/// The items of every loaded file whose name matches the query fuzzily (its characters in
/// order, case-insensitive: `blktwo` finds `block_two`), best match first (nucleo's score:
/// word starts and consecutive characters count more), ties by name; at most
/// [`WORKSPACE_SYMBOLS_KEPT`]. An empty query matches every item.
pub(crate) fn workspace_symbols(
    s: &Snapshot,
    params: WorkspaceSymbolParams,
) -> Option<WorkspaceSymbolResponse> {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    let pattern = Pattern::parse(&params.query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut found = Vec::new();
    for file in s.db.workspace().files(&s.db).values() {
        for (kind, name, _, name_span) in symbols(&s.db, *file) {
            let haystack = nucleo_matcher::Utf32Str::new(&name, &mut buffer);
            if let Some(score) = pattern.score(haystack, &mut matcher) {
                found.push((score, name, kind, *file, name_span));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.truncate(WORKSPACE_SYMBOLS_KEPT);
    let out = found
        .into_iter()
        .filter_map(|(_, name, kind, file, name_span)| {
            let index = s.index(file);
            #[allow(deprecated)]
            Some(SymbolInformation {
                name,
                kind: symbol_kind(kind),
                tags: None,
                deprecated: None,
                location: Location {
                    uri: s.uri(file)?,
                    range: range(
                        index,
                        name_span.start as usize,
                        name_span.end as usize,
                        s.encoding,
                    ),
                },
                container_name: None,
            })
        })
        .collect();
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
