//! An index of the names each chunk of items writes, kept by salsa per chunk: for each name,
//! its uses (the name tokens, declarations included) and the declaration of it that
//! [`crate::analysis::resolve`] prefers, all item-relative. A request reads the index of
//! every chunk (a hash lookup each) and the items of only the chunks that have the name; an
//! edit rebuilds the index of its chunk only, and a chunk that moves keeps its index (it
//! reads neither the chunk's place nor the line index).

use std::collections::HashMap;

use sot_compiler::{chunk_items, item_tokens, visible_files, Chunk, Item, SourceFile};
use sot_grammar::ast::Span;
use sot_grammar::TokenKind;

use crate::analysis::{item_definitions, Def, DefKind};

/// One chunk's names.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ChunkNames {
    /// Each name → its name tokens, in order: (the item's index in the chunk, its
    /// item-relative span).
    uses: HashMap<String, Vec<(u32, Span)>>,
    /// Each name → the chunk's declaration of it that `resolve` prefers (the least kind,
    /// the first of those): its kind and the item's index in the chunk.
    declared: HashMap<String, (DefKind, u32)>,
}

/// The names of a chunk's items (see [`ChunkNames`]).
#[salsa::tracked(returns(ref))]
pub(crate) fn chunk_names(db: &dyn salsa::Database, chunk: Chunk) -> ChunkNames {
    let mut names = ChunkNames::default();
    let file = chunk.file(db);
    for (index, item) in chunk_items(db, chunk).enumerate() {
        let text = item.text(db);
        for token in item_tokens(db, item) {
            if token.kind != TokenKind::Name {
                continue;
            }
            let Some(word) = text.get(token.span.start as usize..token.span.end as usize) else {
                continue;
            };
            match names.uses.get_mut(word) {
                Some(uses) => uses.push((index as u32, token.span)),
                None => {
                    names
                        .uses
                        .insert(word.to_string(), vec![(index as u32, token.span)]);
                }
            }
        }
        for def in item_definitions(db, file, item, 0) {
            let better = names
                .declared
                .get(&def.name)
                .is_none_or(|(kind, _)| def.kind < *kind);
            if better {
                names.declared.insert(def.name, (def.kind, index as u32));
            }
        }
    }
    names
}

/// Every place in `file` where `name` is declared or referred to: its name tokens (not
/// labels, keywords, comments or strings), in order, as file byte ranges.
pub(crate) fn occurrences(
    db: &dyn salsa::Database,
    file: SourceFile,
    name: &str,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for chunk in file.chunks(db) {
        let Some(uses) = chunk_names(db, *chunk).uses.get(name) else {
            continue;
        };
        let (base, heads) = (chunk.offset(db), chunk.items(db));
        for (index, span) in uses {
            let Some(head) = heads.get(*index as usize) else {
                continue;
            };
            let start = base + head.start;
            out.push((start + span.start as usize, start + span.end as usize));
        }
    }
    out
}

/// The items of `file` that write `name`, in order (each once).
pub(crate) fn items_writing(db: &dyn salsa::Database, file: SourceFile, name: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for chunk in file.chunks(db) {
        let Some(uses) = chunk_names(db, *chunk).uses.get(name) else {
            continue;
        };
        let mut last = None;
        for (index, _) in uses {
            if last != Some(*index) {
                last = Some(*index);
                out.extend(chunk_items(db, *chunk).nth(*index as usize));
            }
        }
    }
    out
}

/// The declaration `name` means in `file`: the one [`crate::analysis::resolve`] picks among
/// [`crate::analysis::definitions`]`(file)`, found from the chunks' indexes, so only the declaring item's
/// definitions are built. Its signature is that item's: a category's without the `coexist`
/// lines that hover adds from other items.
pub(crate) fn lookup(db: &sot_compiler::Database, file: SourceFile, name: &str) -> Option<Def> {
    let mut best: Option<(DefKind, SourceFile, Chunk, u32)> = None;
    for f in visible_files(db, file) {
        for chunk in f.chunks(db) {
            if let Some((kind, index)) = chunk_names(db, *chunk).declared.get(name) {
                if best.is_none_or(|(k, ..)| *kind < k) {
                    best = Some((*kind, *f, *chunk, *index));
                }
            }
        }
    }
    let (kind, f, chunk, index) = best?;
    let item = chunk_items(db, chunk).nth(index as usize)?;
    item_definitions(db, f, item, item.offset(db))
        .into_iter()
        .find(|d| d.kind == kind && d.name == name)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    use sot_compiler::{file_items, Database, EventLog};

    use super::*;
    use crate::analysis::{definitions, resolve};

    /// A used file that declares `shared` and `level`, and a file with many rules (many
    /// chunks) that reads them and declares a rule named as an enum value it also reads.
    fn protocol() -> (String, String) {
        let used = "type Level = low | high\nindicator shared: Level\nadjustment adjust(level: Vertebra)\n".to_string();
        let mut main = "use \"used.sot\"\n\nindicator fiber(line: 1..3, area: 1..7): 0..3\n\ncategory II {\n  when shared == high\n}\n".to_string();
        for r in 0..300 {
            main += &format!(
                "\nrule r_{r} {{\n  when fiber(line: 1, area: {}) >= 2 and shared == low\n  then adjust(level: T1)\n}}\n",
                r % 7 + 1
            );
        }
        main +=
            "\nrule low {\n  in category II\n  when shared == low\n  then adjust(level: T2)\n}\n";
        (used, main)
    }

    /// The name tokens of `file` whose text is `name`, by scanning every item's tokens.
    fn scanned(db: &Database, file: SourceFile, name: &str) -> Vec<(usize, usize)> {
        let text = file.text(db);
        let mut out = Vec::new();
        for item in file_items(db, file) {
            let base = item.offset(db);
            for t in item_tokens(db, *item) {
                let (s, e) = (base + t.span.start as usize, base + t.span.end as usize);
                if t.kind == TokenKind::Name && text.get(s..e) == Some(name) {
                    out.push((s, e));
                }
            }
        }
        out
    }

    #[test]
    fn the_index_agrees_with_a_scan_and_with_resolve() {
        let mut db = Database::default();
        let (used, main) = protocol();
        db.set_file(Path::new("/p/used.sot"), used);
        let file = db.set_file(Path::new("/p/main.sot"), main);
        assert!(file.chunks(&db).len() > 4);
        let defs = definitions(&db, file);
        for name in [
            "shared",
            "adjust",
            "fiber",
            "II",
            "low",
            "high",
            "r_150",
            "Level",
            "none_such",
        ] {
            assert_eq!(
                occurrences(&db, file, name),
                scanned(&db, file, name),
                "{name}"
            );
            let expected = resolve(&defs, name).map(|d| (d.kind, d.file, d.span));
            let found = lookup(&db, file, name).map(|d| (d.kind, d.file, d.span));
            assert_eq!(found, expected, "{name}");
        }
        // `low` is an enum value (a value wins over a rule) and the rule's name.
        assert_eq!(
            lookup(&db, file, "low").map(|d| d.kind),
            Some(DefKind::EnumValue)
        );
        assert!(occurrences(&db, file, "shared").len() > 300);
    }

    #[test]
    fn an_edit_rebuilds_the_index_of_its_chunk_only() {
        let log: EventLog = Arc::new(Mutex::new(Vec::new()));
        let mut db = Database::with_event_log(log.clone());
        let (used, main) = protocol();
        db.set_file(Path::new("/p/used.sot"), used);
        let path = Path::new("/p/main.sot");
        let file = db.set_file(path, main.clone());
        let executions = |log: &EventLog| {
            log.lock()
                .map(|l| l.iter().filter(|e| e.starts_with("chunk_names(")).count())
                .unwrap_or_default()
        };
        let before = occurrences(&db, file, "shared").len();
        assert_eq!(executions(&log), file.chunks(&db).len());
        log.lock().map(|mut l| l.clear()).ok();
        // One more use of `shared` in `r_150`, the line longer, so later chunks move.
        let edited = main.replacen(
            "rule r_150 {\n  when fiber(line: 1, area: 4) >= 2 and shared == low",
            "rule r_150 {\n  when fiber(line: 1, area: 4) >= 2 and shared == low and shared != high",
            1,
        );
        assert!(edited != main, "r_150 is not in the protocol");
        db.set_file(path, edited);
        let after = occurrences(&db, file, "shared");
        assert_eq!(after.len(), before + 1);
        assert_eq!(after, scanned(&db, file, "shared"));
        assert_eq!(executions(&log), 1);
    }
}
