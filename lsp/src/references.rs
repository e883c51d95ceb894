//! Find references: every place a name means the same declaration, in the files that see it
//! (from the per-chunk index of names).

use sot_compiler::{visible_files, SourceFile};
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::name_index::{self, lookup};
use crate::{offset, range, Snapshot};

/// The references of the name at the request's position.
pub(crate) fn references(s: &Snapshot, params: ReferenceParams) -> Option<Vec<Location>> {
    let p = params.text_document_position;
    let (def, locations) = occurrences(s, &p.text_document.uri, p.position)?;
    Some(
        locations
            .into_iter()
            .filter(|(f, span)| {
                params.context.include_declaration || !(*f == def.0 && span.0 == def.1)
            })
            .filter_map(|(f, (start, end))| {
                Some(Location {
                    uri: s.uri(f)?,
                    range: range(s.index(f), start, end, s.encoding),
                })
            })
            .collect(),
    )
}

/// The definition under the cursor, `(file, start)`, and every occurrence of it in the files
/// that see its file.
#[allow(clippy::type_complexity)]
pub(crate) fn occurrences(
    s: &Snapshot,
    uri: &Uri,
    pos: Position,
) -> Option<((SourceFile, usize), Vec<(SourceFile, (usize, usize))>)> {
    let file = s.file(uri)?;
    let index = s.index(file);
    let (_, _, word) = analysis::word_at(&s.db, file, offset(index, pos, s.encoding))?;
    let def = lookup(&s.db, file, word)?;
    let mut out = Vec::new();
    for other in s.db.workspace().files(&s.db).values() {
        if *other != def.file && !visible_files(&s.db, *other).contains(&def.file) {
            continue;
        }
        // Only where the name means this definition (another file may declare its own).
        let same = lookup(&s.db, *other, &def.name)
            .is_some_and(|d| d.file == def.file && d.span == def.span);
        if !same {
            continue;
        }
        for occurrence in name_index::occurrences(&s.db, *other, &def.name) {
            out.push((*other, occurrence));
        }
    }
    Some(((def.file, def.span.start as usize), out))
}
