//! Folding ranges: every `{ … }` block that spans lines (items, cases, visits, findings,
//! `after` and `history` blocks, table bodies), and every run of two or more comment lines.
//! Read from the text (braces in strings and comments are not blocks), so a file that does
//! not parse still folds.

use tower_lsp_server::ls_types::*;

use crate::analysis::braces;
use crate::Snapshot;

/// The folding ranges of a document, in the order they start (outer before inner).
pub(crate) fn folding_ranges(s: &Snapshot, uri: &Uri) -> Option<Vec<FoldingRange>> {
    let file = s.file(uri)?;
    let text = file.text(&s.db);
    let index = s.index(file);
    let fold = |start: usize, end: usize, kind| FoldingRange {
        start_line: start as u32,
        end_line: end as u32,
        kind: Some(kind),
        ..FoldingRange::default()
    };
    let mut out: Vec<FoldingRange> = braces(text)
        .into_iter()
        .map(|(open, close)| (index.line_of(open), index.line_of(close)))
        .filter(|(start, end)| start < end)
        .map(|(start, end)| fold(start, end, FoldingRangeKind::Region))
        .collect();
    // Comment runs: a line whose first word is `//` is a comment (a string never spans lines).
    let mut run: Option<(usize, usize)> = None;
    for (line, written) in text.lines().enumerate() {
        if written.trim_start().starts_with("//") {
            run = Some(run.map_or((line, line), |(start, _)| (start, line)));
        } else if let Some((start, end)) = run.take() {
            if start < end {
                out.push(fold(start, end, FoldingRangeKind::Comment));
            }
        }
    }
    if let Some((start, end)) = run.filter(|(s, e)| s < e) {
        out.push(fold(start, end, FoldingRangeKind::Comment));
    }
    out.sort_by_key(|r| (r.start_line, std::cmp::Reverse(r.end_line)));
    Some(out)
}
