//! Call hierarchy, as a protocol's findings flow: outgoing from an indicator (or a table, a
//! category, a red flag) are the categories, red flags, rules and checks that read it;
//! outgoing from a rule are the adjustments it recommends; incoming is the way back (an
//! adjustment ← the rules that recommend it ← the indicators they read). A check's
//! `after ADJ` reads the adjustment. Cases are not part of it. Each call's ranges are where
//! the name is written, in the item that writes it.

use std::collections::HashMap;
use std::sync::Arc;

use sot_compiler::{file_items, item_tokens, parse_item, visible_files, Database, SourceFile};
use sot_grammar::ast::{ItemData, Span};
use sot_grammar::TokenKind;
use tower_lsp_server::ls_types::*;

use crate::analysis::{item_definitions, word_at, Def, DefKind};
use crate::name_index::{items_writing, lookup};
use crate::{offset, range, Snapshot};

/// The item at `p`, for a call hierarchy.
pub(crate) fn prepare(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Option<Vec<CallHierarchyItem>> {
    let file = s.file(&p.text_document.uri)?;
    let (_, _, word) = word_at(&s.db, file, offset(s.index(file), p.position, s.encoding))?;
    let def = lookup(&s.db, file, word).filter(|d| in_hierarchy(d.kind))?;
    Some(vec![item(s, &def, None)?])
}

/// The items that read the given one (or, from a rule, the adjustments it recommends).
pub(crate) fn outgoing(
    s: &Snapshot,
    from: CallHierarchyItem,
) -> Option<Vec<CallHierarchyOutgoingCall>> {
    let def = def_of(s, &from)?;
    let calls = edges(s, &def)
        .into_iter()
        .filter(|e| e.from.name == def.name && e.from.kind == def.kind)
        .filter_map(|e| {
            Some(CallHierarchyOutgoingCall {
                to: item(s, &e.to, e.whole(&e.to))?,
                from_ranges: ranges(s, e.file, &e.spans),
            })
        })
        .collect();
    Some(calls)
}

/// The items the given one reads (or, for an adjustment, the rules that recommend it).
pub(crate) fn incoming(
    s: &Snapshot,
    to: CallHierarchyItem,
) -> Option<Vec<CallHierarchyIncomingCall>> {
    let def = def_of(s, &to)?;
    let calls = edges(s, &def)
        .into_iter()
        .filter(|e| e.to.name == def.name && e.to.kind == def.kind)
        .filter_map(|e| {
            Some(CallHierarchyIncomingCall {
                from: item(s, &e.from, e.whole(&e.from))?,
                from_ranges: ranges(s, e.file, &e.spans),
            })
        })
        .collect();
    Some(calls)
}

/// What a call hierarchy shows.
fn in_hierarchy(kind: DefKind) -> bool {
    matches!(
        kind,
        DefKind::Indicator
            | DefKind::Table
            | DefKind::Adjustment
            | DefKind::Category
            | DefKind::Rule
            | DefKind::Check
            | DefKind::RedFlag
    )
}

/// One edge: `from` flows into `to`, written at `spans` of `file`, in the item of `owner`
/// (one of the two), whose whole span is `owner_span`.
struct Edge {
    from: Arc<Def>,
    to: Arc<Def>,
    owner: Arc<Def>,
    owner_span: Span,
    file: SourceFile,
    spans: Vec<Span>,
}

impl Edge {
    /// The whole item of `end` (one of the edge's ends) when it is the owner's.
    fn whole(&self, end: &Arc<Def>) -> Option<Span> {
        Arc::ptr_eq(end, &self.owner).then_some(self.owner_span)
    }
}

/// The edges that touch `def`: in every file that sees its file, each protocol item that
/// names it (or that it names, when it is the item itself). Only the items that write the
/// name are read (the per-chunk index of names), and each other name an item writes is
/// looked up once per file.
fn edges(s: &Snapshot, def: &Def) -> Vec<Edge> {
    let db = &s.db;
    let mut out: Vec<Edge> = Vec::new();
    // Where each edge is in `out`: (from, to, the file that writes it).
    let mut seen: HashMap<_, usize> = HashMap::new();
    for file in s.db.workspace().files(db).values() {
        if *file != def.file && !visible_files(db, *file).contains(&def.file) {
            continue;
        }
        // Only where the name means this declaration.
        let same = |d: &Def| d.file == def.file && d.span == def.span;
        if !lookup(db, *file, &def.name).is_some_and(|d| same(&d)) {
            continue;
        }
        // What each name the items write means in this file.
        let mut names: HashMap<String, Option<Arc<Def>>> = HashMap::new();
        names.insert(def.name.clone(), Some(Arc::new(def.clone())));
        for item in items_writing(db, *file, &def.name) {
            salsa::Database::unwind_if_revision_cancelled(db);
            let Some(parsed) = parse_item(db, item).item.as_ref() else {
                continue;
            };
            let (owner, then) = match &parsed.data {
                ItemData::Category(c) => (&c.name, Vec::new()),
                ItemData::RedFlag(r) => (&r.name, Vec::new()),
                ItemData::Rule(r) => (&r.name, r.then.iter().map(|c| c.span).collect()),
                ItemData::Check(c) => (&c.name, Vec::new()),
                _ => continue,
            };
            let base = item.offset(db);
            let owner_at = owner.span.shift(base);
            let mine = def.file == *file && def.span == owner_at;
            let text = item.text(db);
            // The names the item writes that matter here: all of them in the item itself,
            // else the declaration's name only.
            let written: Vec<(Span, &str)> = item_tokens(db, item)
                .iter()
                .filter(|t| t.kind == TokenKind::Name && t.span.shift(base) != owner_at)
                .filter_map(|t| {
                    Some((
                        t.span,
                        text.get(t.span.start as usize..t.span.end as usize)?,
                    ))
                })
                .filter(|(_, w)| mine || *w == def.name)
                .collect();
            if written.is_empty() {
                continue;
            }
            // The item's own declaration.
            let Some(owner) = item_definitions(db, *file, item, base)
                .into_iter()
                .find(|d| d.span == owner_at)
                .map(Arc::new)
            else {
                continue;
            };
            let owner_span = parsed.span.shift(base);
            for (span, name) in written {
                let named = names
                    .entry(name.to_string())
                    .or_insert_with(|| lookup(db, *file, name).map(Arc::new));
                let Some(named) = named.as_ref().filter(|d| in_hierarchy(d.kind)) else {
                    continue;
                };
                if named.name == owner.name && named.kind == owner.kind {
                    continue;
                }
                // A rule's `then` recommends: the rule flows into the adjustment. Anything
                // else the item reads flows into it.
                let recommends = named.kind == DefKind::Adjustment
                    && then
                        .iter()
                        .any(|c| c.start <= span.start && span.end <= c.end);
                let (from, to) = if recommends {
                    (&owner, named)
                } else {
                    (named, &owner)
                };
                let key = (from.file, from.span.start, to.file, to.span.start, *file);
                let at = span.shift(base);
                match seen.get(&key) {
                    Some(i) => out[*i].spans.push(at),
                    None => {
                        seen.insert(key, out.len());
                        out.push(Edge {
                            from: from.clone(),
                            to: to.clone(),
                            owner: owner.clone(),
                            owner_span,
                            file: *file,
                            spans: vec![at],
                        });
                    }
                }
            }
        }
    }
    out
}

fn ranges(s: &Snapshot, file: SourceFile, spans: &[Span]) -> Vec<Range> {
    let index = s.index(file);
    spans
        .iter()
        .map(|sp| range(index, sp.start as usize, sp.end as usize, s.encoding))
        .collect()
}

/// A declaration as a call hierarchy item: its whole item (`whole`, when known), its name
/// selected.
fn item(s: &Snapshot, def: &Def, whole: Option<Span>) -> Option<CallHierarchyItem> {
    let index = s.index(def.file);
    let whole = whole
        .or_else(|| item_span(&s.db, def.file, def.span))
        .unwrap_or(def.span);
    Some(CallHierarchyItem {
        name: def.name.clone(),
        kind: match def.kind {
            DefKind::Indicator => SymbolKind::VARIABLE,
            DefKind::Table => SymbolKind::ARRAY,
            DefKind::Adjustment | DefKind::Rule => SymbolKind::FUNCTION,
            DefKind::Category => SymbolKind::CLASS,
            DefKind::Check => SymbolKind::EVENT,
            _ => SymbolKind::CONSTANT,
        },
        tags: None,
        detail: Some(def.signature.lines().next().unwrap_or_default().to_string()),
        uri: s.uri(def.file)?,
        range: range(index, whole.start as usize, whole.end as usize, s.encoding),
        selection_range: range(
            index,
            def.span.start as usize,
            def.span.end as usize,
            s.encoding,
        ),
        data: None,
    })
}

/// The span of the item that declares the name at `name`.
fn item_span(db: &Database, file: SourceFile, name: Span) -> Option<Span> {
    let items = file_items(db, file);
    let item = items[..items.partition_point(|i| i.offset(db) <= name.start as usize)].last()?;
    let parsed = parse_item(db, *item).item.as_ref()?;
    Some(parsed.span.shift(item.offset(db)))
}

/// The declaration a call hierarchy item stands for (found again from its name and place,
/// among the definitions of the item there).
fn def_of(s: &Snapshot, item: &CallHierarchyItem) -> Option<Def> {
    let file = s.file(&item.uri).or_else(|| {
        s.db.workspace()
            .files(&s.db)
            .get(&sot_compiler::normalize(&crate::doc_path(&item.uri)))
            .copied()
    })?;
    let at = offset(s.index(file), item.selection_range.start, s.encoding);
    let items = file_items(&s.db, file);
    let declaring = items[..items.partition_point(|i| i.offset(&s.db) <= at)].last()?;
    item_definitions(&s.db, file, *declaring, declaring.offset(&s.db))
        .into_iter()
        .find(|d| d.span.start as usize == at && d.name == item.name)
}
