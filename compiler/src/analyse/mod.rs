//! Static analyses over the lowered program, exact over finite domains: W0601 (categories
//! that overlap with no precedence), W0602 (conditions that can never hold), W0603 (a rule or
//! red flag that contradicts its category), W0605 (a check after an adjustment no rule
//! recommends), W0606 (an `unless` that never or always holds), W0607 (a category that is
//! never the visit's category), W0608 (a rule every recommendation of which another rule
//! always makes too), and W0600 for a question that a guard against hostile input stopped:
//! no analysis is silent about giving up.
//!
//! Each question ("can these conditions have these truth values together?") is decided by a
//! SAT solver ([`solver`]) on an encoding of the conditions over the findings' candidate
//! values ([`domains`], [`encode`]); the first analyses' backtracking search ([`search`]) is
//! kept as its test oracle.

use foldhash::HashMap;

use sot_grammar::ast::{ItemData, ItemKind, Span};

use crate::db::{file_items, parse_item, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Program, Value};
use crate::lower::lower_file;

mod categories;
mod compare;
pub mod domains;
mod encode;
pub mod exercise;
mod formula;
mod redundant;
mod rules;
#[doc(hidden)]
pub mod search;
mod shared;
pub mod solver;

pub use categories::category_overlaps;
pub use compare::compare_programs;
use domains::Var;
use solver::{Solver, Undecided};

/// The warnings of the static analyses for a file's own items (none while it has errors).
#[salsa::tracked(returns(ref))]
pub fn file_analyses(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let Some(program) = lower_file(db, file) else {
        return Vec::new();
    };
    let own = own_items(db, file);
    let poll = || salsa::Database::unwind_if_revision_cancelled(db);
    let solver = Solver::new(program, &poll);
    let mut out = Vec::new();
    categories::analyse(program, &own, &solver, &mut out);
    rules::analyse(program, &own, &solver, &mut out);
    redundant::analyse(program, &own, &solver, &mut out);
    out.sort_by_key(|d| (d.primary.span.start, d.code));
    out
}

/// W0600: a question not decided, at the item it was about.
fn undecided(out: &mut Vec<Diagnostic>, span: Span, question: &str, why: Undecided) {
    out.push(
        Diagnostic::new(Code::W0600, span, format!("analysis not decided: {question}"))
            .label(format!("not decided: {}", why.words()))
            .help("the protocol may still be right; make the conditions smaller (split the item, or use fewer distinct constants) so the analysis can decide it"),
    );
}

/// Where the items of a file are: name spans and clause spans, file-relative.
#[derive(Default)]
pub(crate) struct Own {
    /// `(kind, name)` → the name's span.
    names: HashMap<(ItemKind, String), Span>,
    /// rule name → span of its `in category` name.
    in_category: HashMap<String, Span>,
    /// red flag name → span of its `in category` name.
    flag_in_category: HashMap<String, Span>,
    /// The file's `coexist` lines: their category names and the line's span.
    coexist: Vec<(Vec<String>, Span)>,
    /// rule name → span of its `unless` condition.
    unless: HashMap<String, Span>,
    /// check name → spans of its `after` adjustment, `need` and `complete`.
    check_after: HashMap<String, Span>,
    need: HashMap<String, Span>,
    complete: HashMap<String, Span>,
}

pub(crate) fn own_items(db: &dyn salsa::Database, file: SourceFile) -> Own {
    let mut own = Own::default();
    for item in file_items(db, file) {
        let Some(parsed) = &parse_item(db, *item).item else {
            continue;
        };
        let at = |span: Span| span.shift(item.offset(db));
        let (kind, name) = match &parsed.data {
            ItemData::Category(c) => (ItemKind::Category, &c.name),
            ItemData::RedFlag(r) => {
                if let Some(c) = &r.in_category {
                    own.flag_in_category.insert(r.name.text.clone(), at(c.span));
                }
                (ItemKind::RedFlag, &r.name)
            }
            ItemData::Coexist(names) => {
                if let (Some(first), Some(last)) = (names.first(), names.last()) {
                    let names = names.iter().map(|n| n.text.clone()).collect();
                    own.coexist.push((names, at(first.span.to(last.span))));
                }
                continue;
            }
            ItemData::Rule(r) => {
                if let Some(c) = &r.in_category {
                    own.in_category.insert(r.name.text.clone(), at(c.span));
                }
                if let Some(u) = &r.unless {
                    own.unless.insert(r.name.text.clone(), at(u.span));
                }
                (ItemKind::Rule, &r.name)
            }
            ItemData::Check(c) => {
                if let Some(a) = &c.after {
                    own.check_after.insert(c.name.text.clone(), at(a.span));
                }
                own.need.insert(c.name.text.clone(), at(c.need.span));
                own.complete
                    .insert(c.name.text.clone(), at(c.complete.span));
                (ItemKind::Check, &c.name)
            }
            _ => continue,
        };
        own.names.insert((kind, name.text.clone()), at(name.span));
    }
    own
}

/// The example findings, written as in a case.
pub(crate) fn show_example(program: &Program, example: &[(Var, Value)]) -> String {
    example
        .iter()
        .filter_map(|((phase, slot), value)| {
            let prefix = phase.map(|p| format!("{}.", p.word())).unwrap_or_default();
            Some(format!(
                "{prefix}{}",
                exercise::show_finding(program, *slot, *value)?
            ))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
