//! Selection ranges: from the word under the cursor outwards, through the expressions that
//! hold it (arguments, calls, comparisons, `and`/`or` groups), its clause (`when …`,
//! `then …`, a finding, an `expect` line), the `{ … }` blocks around it (a visit, a findings
//! block), to the whole item.

use sot_compiler::{file_items, parse_item};
use sot_grammar::ast::{Arg, Call, Expr, ExprKind, Finding, ItemData};
use tower_lsp_server::ls_types::*;

use crate::analysis::{braces, word_at};
use crate::{offset, range, Snapshot};

/// The selection ranges at each of `positions` (one chain each, innermost first).
pub(crate) fn selection_ranges(
    s: &Snapshot,
    uri: &Uri,
    positions: Vec<Position>,
) -> Option<Vec<SelectionRange>> {
    let file = s.file(uri)?;
    let index = s.index(file);
    let items = file_items(&s.db, file);
    let text = file.text(&s.db);
    let out = positions
        .into_iter()
        .map(|p| {
            let at = offset(index, p, s.encoding);
            let mut spans = Vec::new();
            if let Some((start, end, _)) = word_at(&s.db, file, at) {
                spans.push((start, end));
            }
            let item = items[..items.partition_point(|i| i.offset(&s.db) <= at)].last();
            if let Some(item) = item {
                let base = item.offset(&s.db);
                let item_text = item.text(&s.db);
                let mut inner = Vec::new();
                if let Some(parsed) = parse_item(&s.db, *item).item.as_ref() {
                    item_spans(&parsed.data, item_text, &mut inner);
                    inner.push((parsed.span.start as usize, parsed.span.end as usize));
                }
                // A block reads from the start of the line that opens it to its `}`.
                inner.extend(
                    braces(item_text)
                        .into_iter()
                        .map(|(open, close)| (line_start(item_text, open), close + 1)),
                );
                // An item that does not parse: its text without the blank lines around it.
                let leading = item_text.len() - item_text.trim_start().len();
                inner.push((leading, item_text.trim_end().len().max(leading)));
                let at = at - base;
                spans.extend(
                    inner
                        .into_iter()
                        .filter(|(start, end)| *start <= at && at <= *end)
                        .map(|(start, end)| (start + base, end + base)),
                );
            }
            chain(spans, |(start, end)| {
                range(index, start, end.min(text.len()), s.encoding)
            })
            .unwrap_or(SelectionRange {
                range: Range { start: p, end: p },
                parent: None,
            })
        })
        .collect();
    Some(out)
}

/// The spans, nested innermost first (each inside the next; equal ones once).
fn chain(
    mut spans: Vec<(usize, usize)>,
    to_range: impl Fn((usize, usize)) -> Range,
) -> Option<SelectionRange> {
    spans.sort_by_key(|(start, end)| (end - start, std::cmp::Reverse(*start)));
    spans.dedup();
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for span in spans {
        if kept
            .last()
            .is_none_or(|last| span.0 <= last.0 && last.1 <= span.1)
        {
            kept.push(span);
        }
    }
    kept.into_iter().rev().fold(None, |parent, span| {
        Some(SelectionRange {
            range: to_range(span),
            parent: parent.map(Box::new),
        })
    })
}

/// The start of the line that holds `at` (after its indentation).
fn line_start(text: &str, at: usize) -> usize {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    start + (text[start..].len() - text[start..].trim_start().len())
}

/// The item-relative spans of an item's expressions, calls, arguments and clauses.
fn item_spans(data: &ItemData, text: &str, out: &mut Vec<(usize, usize)>) {
    // A clause: from its keyword at the start of the line to the end of what it holds.
    let clause = |expr: &Expr, out: &mut Vec<(usize, usize)>| {
        expr_spans(expr, out);
        out.push((
            line_start(text, expr.span.start as usize),
            expr.span.end as usize,
        ));
    };
    match data {
        ItemData::Category(c) => clause(&c.when, out),
        ItemData::RedFlag(r) => clause(&r.when, out),
        ItemData::Rule(r) => {
            clause(&r.when, out);
            if let Some(unless) = &r.unless {
                clause(unless, out);
            }
            for call in &r.then {
                call_spans(call, out);
                out.push((
                    line_start(text, call.span.start as usize),
                    call.span.end as usize,
                ));
            }
            for b in &r.bindings {
                out.push((b.name.span.start as usize, b.domain.span.end as usize));
            }
        }
        ItemData::Check(c) => {
            for expr in [Some(&c.need), Some(&c.complete), c.marginal.as_ref()]
                .into_iter()
                .flatten()
            {
                clause(expr, out);
            }
        }
        ItemData::Case(c) => {
            let findings = |fs: &[Finding], out: &mut Vec<(usize, usize)>| {
                for f in fs {
                    out.push((f.span.start as usize, f.span.end as usize));
                    out.extend(
                        f.args
                            .iter()
                            .map(|a| (a.span.start as usize, a.span.end as usize)),
                    );
                }
            };
            findings(c.history.as_deref().unwrap_or_default(), out);
            for v in &c.visits {
                findings(&v.findings, out);
                findings(v.after.as_deref().unwrap_or_default(), out);
                for call in v.given.iter().flatten() {
                    call_spans(call, out);
                }
                for e in &v.expects {
                    out.push((e.span.start as usize, e.span.end as usize));
                }
            }
        }
        ItemData::Table(t) => {
            for e in &t.entries {
                out.push((
                    line_start(text, e.key_span.start as usize),
                    e.value.span.end as usize,
                ));
            }
        }
        _ => {}
    }
}

fn call_spans(call: &Call, out: &mut Vec<(usize, usize)>) {
    out.push((call.span.start as usize, call.span.end as usize));
    for Arg { value, span, .. } in call.args.iter().flatten() {
        out.push((span.start as usize, span.end as usize));
        expr_spans(value, out);
    }
}

fn expr_spans(expr: &Expr, out: &mut Vec<(usize, usize)>) {
    out.push((expr.span.start as usize, expr.span.end as usize));
    match &expr.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Ref(call) | ExprKind::Phase(_, call) => call_spans(call, out),
        ExprKind::Not(e) | ExprKind::Paren(e) | ExprKind::InSet(e, _) => expr_spans(e, out),
        ExprKind::Logic(_, es) | ExprKind::Quant(_, es) => {
            for e in es {
                expr_spans(e, out);
            }
        }
        ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            expr_spans(a, out);
            expr_spans(b, out);
        }
    }
}
