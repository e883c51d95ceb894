//! Inlay hints: the value a table call with constant arguments yields (`line2_level(3)`
//! ⇒ `T3`), how many bindings a rule's or check's `for` lines expand to, and in a case the
//! category the protocol computes after each visit header and, after each `expect` line,
//! whether it holds (✓, or ✗ with what was found). A case in a file that does not lower
//! (errors in it or what it uses) says after its name that it was not evaluated.

use std::collections::HashMap;

use sot_compiler::{
    domain_size, file_items, file_scope, parse_item, visible_files, Database, SourceFile,
};
use sot_grammar::ast::{Call, Expr, ExprKind, ItemData, LiteralKind, Table};
use tower_lsp_server::ls_types::*;

use crate::analysis::{by_name, definitions, DefKind};
use crate::{offset, position, Snapshot};

/// The inlay hints of the items that overlap `wanted`.
pub(crate) fn inlay_hints(s: &Snapshot, uri: &Uri, wanted: Range) -> Option<Vec<InlayHint>> {
    let file = s.file(uri)?;
    let index = s.index(file);
    let (from, to) = (
        offset(index, wanted.start, s.encoding),
        offset(index, wanted.end, s.encoding),
    );
    let db = &s.db;
    let defs = definitions(db, file);
    let names = by_name(&defs);
    let tables = tables(db, file);
    let scope = file_scope(db, file);
    let mut out = Vec::new();
    let hint = |at: usize, label: String, kind: Option<InlayHintKind>| InlayHint {
        position: position(index, at, s.encoding),
        label: InlayHintLabel::String(label),
        kind,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    };
    let mut has_cases = false;
    for item in file_items(db, file) {
        let base = item.offset(db);
        if base + item.text(db).len() < from || base > to {
            continue;
        }
        salsa::Database::unwind_if_revision_cancelled(db);
        let Some(parsed) = parse_item(db, *item).item.as_ref() else {
            continue;
        };
        let (bindings, exprs, calls): (&[_], Vec<&Expr>, &[Call]) = match &parsed.data {
            ItemData::Category(c) => (&[], vec![&c.when], &[]),
            ItemData::RedFlag(r) => (&[], vec![&r.when], &[]),
            ItemData::Rule(r) => (
                &r.bindings,
                std::iter::once(&r.when).chain(&r.unless).collect(),
                &r.then,
            ),
            ItemData::Check(c) => (
                &c.bindings,
                [Some(&c.need), Some(&c.complete), c.marginal.as_ref()]
                    .into_iter()
                    .flatten()
                    .collect(),
                &[],
            ),
            ItemData::Case(_) => {
                has_cases = true;
                continue;
            }
            _ => continue,
        };
        // The `for` expansion, after the last `for` line.
        if let Some(last) = bindings.last() {
            let declared = match &parsed.data {
                ItemData::Rule(r) => scope.rules.get(&r.name.text),
                ItemData::Check(c) => scope.checks.get(&c.name.text),
                _ => None,
            };
            let count = declared.and_then(|bound| {
                bound.iter().try_fold(1u64, |n, (_, ty)| {
                    Some(n.saturating_mul(domain_size(ty, scope.categories.len())?))
                })
            });
            if let Some(n) = count {
                let words = if n == 1 { "binding" } else { "bindings" };
                out.push(hint(
                    base + last.domain.span.end as usize,
                    format!("{n} {words}"),
                    None,
                ));
            }
        }
        // Constant table calls.
        let bound: Vec<&str> = bindings.iter().map(|b| b.name.text.as_str()).collect();
        let mut found = Vec::new();
        for e in exprs {
            table_calls_in(e, &mut found);
        }
        for c in calls {
            call_args(c, &mut found);
        }
        for call in found {
            let value = tables.get(call.name.text.as_str()).and_then(|table| {
                let constant = |e: &Expr| -> Option<LiteralKind> {
                    match &e.kind {
                        ExprKind::Literal(l) => Some(l.kind.clone()),
                        ExprKind::Ref(Call {
                            name, args: None, ..
                        }) if !bound.contains(&name.text.as_str())
                            && names
                                .get(name.text.as_str())
                                .is_none_or(|d| d.kind == DefKind::EnumValue) =>
                        {
                            Some(LiteralKind::Name(name.text.clone()))
                        }
                        _ => None,
                    }
                };
                table_value(table, call, constant)
            });
            if let Some(value) = value {
                out.push(hint(
                    base + call.span.end as usize,
                    format!("⇒ {value}"),
                    Some(InlayHintKind::TYPE),
                ));
            }
        }
    }
    if has_cases {
        case_hints(db, file, from, to, &mut |at, label| {
            out.push(hint(at, label, None))
        });
    }
    out.sort_by_key(|h| (h.position.line, h.position.character));
    Some(out)
}

/// The hints of the cases that overlap `from..to`: each visit's category, each `expect`
/// line's verdict; or, when the file does not lower, that the case was not evaluated.
fn case_hints(
    db: &Database,
    file: SourceFile,
    from: usize,
    to: usize,
    push: &mut dyn FnMut(usize, String),
) {
    let inside = |start: u32, end: u32| end as usize >= from && start as usize <= to;
    let Some((lines, visits)) = crate::expectations::judged(db, file) else {
        for item in file_items(db, file) {
            let Some(parsed) = parse_item(db, *item).item.as_ref() else {
                continue;
            };
            if let ItemData::Case(case) = &parsed.data {
                let name = case.name.span.shift(item.offset(db));
                if inside(name.start, name.end) {
                    push(
                        name.end as usize,
                        "not evaluated: the protocol has errors".into(),
                    );
                }
            }
        }
        return;
    };
    for visit in visits {
        if inside(visit.header.start, visit.header.end) {
            push(visit.header.end as usize, visit.category);
        }
    }
    for line in lines {
        if inside(line.span.start, line.span.end) {
            let label = if line.verdict.passed {
                "✓".to_string()
            } else {
                format!("✗ found {}", line.verdict.found)
            };
            push(line.span.end as usize, label);
        }
    }
}

/// The tables a file sees, by name.
fn tables(db: &Database, file: SourceFile) -> HashMap<&str, &Table> {
    let mut out = HashMap::new();
    for f in visible_files(db, file) {
        for item in file_items(db, *f) {
            if item.kind(db) != Some(sot_grammar::ast::ItemKind::Table) {
                continue;
            }
            if let Some(ItemData::Table(t)) = parse_item(db, *item).item.as_ref().map(|i| &i.data) {
                out.entry(t.name.text.as_str()).or_insert(t);
            }
        }
    }
    out
}

/// The value a table yields for a call whose arguments are all constants (`constant` reads
/// one), as the table writes it: the entry with those keys, else the `_` entry.
fn table_value(
    table: &Table,
    call: &Call,
    constant: impl Fn(&Expr) -> Option<LiteralKind>,
) -> Option<String> {
    let args = call.args.as_ref()?;
    if args.len() != table.params.len() {
        return None;
    }
    // The arguments in the order of the parameters (labelled ones by their label).
    let mut keys = Vec::with_capacity(args.len());
    for (i, p) in table.params.iter().enumerate() {
        let arg = match args
            .iter()
            .find(|a| a.label.as_ref().is_some_and(|l| l.text == p.name.text))
        {
            Some(a) => a,
            None => args.get(i).filter(|a| a.label.is_none())?,
        };
        keys.push(constant(&arg.value)?);
    }
    let exact = table.entries.iter().find(|e| {
        e.key.as_ref().is_some_and(|key| {
            key.len() == keys.len() && key.iter().zip(&keys).all(|(k, v)| k.kind == *v)
        })
    });
    let entry = exact.or_else(|| table.entries.iter().find(|e| e.key.is_none()))?;
    Some(sot_grammar::format_literal(&entry.value))
}

/// Every call with arguments in an expression (table calls among them).
fn table_calls_in<'e>(expr: &'e Expr, out: &mut Vec<&'e Call>) {
    match &expr.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Ref(call) | ExprKind::Phase(_, call) => call_args(call, out),
        ExprKind::Not(e) | ExprKind::Paren(e) | ExprKind::InSet(e, _) => table_calls_in(e, out),
        ExprKind::Logic(_, es) | ExprKind::Quant(_, es) => {
            for e in es {
                table_calls_in(e, out);
            }
        }
        ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            table_calls_in(a, out);
            table_calls_in(b, out);
        }
    }
}

/// A call with arguments, and the calls in its arguments.
fn call_args<'e>(call: &'e Call, out: &mut Vec<&'e Call>) {
    if let Some(args) = &call.args {
        out.push(call);
        for a in args {
            table_calls_in(&a.value, out);
        }
    }
}
