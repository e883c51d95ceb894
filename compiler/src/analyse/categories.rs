//! The analyses of categories: W0601 (two categories true together with no precedence and
//! no `coexist` line), W0602 (a category that can never be true, a `coexist` line whose
//! categories can never all be true), W0607 (a category that is never the visit's category:
//! whenever it is true, one that outranks it is true too).

use sot_grammar::ast::ItemKind;

use super::domains::Var;
use super::solver::{Answer, Solver, Undecided, Want};
use super::{show_example, undecided, Own};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Tri;
use crate::ir::{Expr, Program, Value};

/// Two categories and findings that make both true (see [`category_overlaps`]).
pub type Overlap = (u32, u32, Vec<(Var, Value)>);

/// Pairs of categories that can both be true with no precedence between them and no
/// `coexist` line naming both, with findings that make both true: `(a, b, findings)`. The
/// findings are a real example: both conditions are true for them whatever the other
/// findings are. A pair whose question was not decided is left out (the analyses say so with
/// W0600).
pub fn category_overlaps(program: &Program) -> Vec<Overlap> {
    let solver = Solver::new(program, &|| {});
    overlaps(program, &solver)
        .into_iter()
        .filter_map(|(a, b, answer)| match answer {
            Ok(example) => Some((a, b, example)),
            Err(_) => None,
        })
        .collect()
}

type PairAnswer = (u32, u32, Result<Vec<(Var, Value)>, Undecided>);

fn overlaps(program: &Program, solver: &Solver) -> Vec<PairAnswer> {
    let mut out = Vec::new();
    let n = program.categories.len();
    for b in 0..n {
        for a in 0..b {
            let ranked = program.outranks[a][b] || program.outranks[b][a];
            let coexist = program.coexist.iter().any(|line| {
                line.categories.contains(&(a as u32)) && line.categories.contains(&(b as u32))
            });
            if ranked || coexist {
                continue;
            }
            let goals = [
                (&program.categories[a].when, Tri::True),
                (&program.categories[b].when, Tri::True),
            ];
            match solver.ask_truth(&goals) {
                Answer::Possible(example) => out.push((a as u32, b as u32, Ok(example))),
                Answer::Impossible => {}
                Answer::Undecided(why) => out.push((a as u32, b as u32, Err(why))),
            }
        }
    }
    out
}

/// The category analyses of a file's own categories and `coexist` lines.
pub(super) fn analyse(program: &Program, own: &Own, solver: &Solver, out: &mut Vec<Diagnostic>) {
    for (a, b, answer) in overlaps(program, solver) {
        let (ca, cb) = (
            &program.categories[a as usize],
            &program.categories[b as usize],
        );
        let Some(span) = own.names.get(&(ItemKind::Category, cb.name.clone())) else {
            continue;
        };
        let example = match answer {
            Ok(example) => example,
            Err(why) => {
                let question = format!(
                    "whether categories {} and {} can both be true",
                    ca.name, cb.name
                );
                undecided(out, *span, &question, why);
                continue;
            }
        };
        out.push(
            Diagnostic::new(
                Code::W0601,
                *span,
                format!(
                    "categories {} and {} can both be true, with no precedence between them",
                    ca.name, cb.name
                ),
            )
            .label(format!(
                "both true with: {}",
                show_example(program, &example)
            ))
            .help(format!(
                "add `precedence {} > {}` (or the reverse), or make the conditions exclusive",
                cb.name, ca.name
            )),
        );
    }
    for (i, c) in program.categories.iter().enumerate() {
        let Some(span) = own.names.get(&(ItemKind::Category, c.name.clone())) else {
            continue;
        };
        match solver.possible(&[(&c.when, Tri::True)]) {
            Ok(true) => {}
            Ok(false) => {
                out.push(
                    Diagnostic::new(Code::W0602, *span, format!("category {} can never be true", c.name))
                        .label("its `when` holds for no findings")
                        .help("check the comparisons in its `when`; as written no visit can be in this category"),
                );
                continue;
            }
            Err(why) => {
                let question = format!("whether category {} can be true", c.name);
                undecided(out, *span, &question, why);
                continue;
            }
        }
        never_chosen(program, i, *span, solver, out);
    }
    for (names, span) in &own.coexist {
        let conditions: Vec<(&Expr, Tri)> = names
            .iter()
            .filter_map(|n| program.categories.iter().find(|c| c.name == *n))
            .map(|c| (&c.when, Tri::True))
            .collect();
        match solver.possible(&conditions) {
            Ok(true) => {}
            Ok(false) => out.push(
                Diagnostic::new(
                    Code::W0602,
                    *span,
                    format!("categories {} can never all be true together", names.join(", ")),
                )
                .label("no findings make every category of this line true")
                .help("this `coexist` line never applies: make the categories' conditions compatible, or remove it"),
            ),
            Err(why) => {
                let question = format!(
                    "whether categories {} can all be true together",
                    names.join(", ")
                );
                undecided(out, *span, &question, why);
            }
        }
    }
}

/// The conditions under which category `c` is one of the visit's categories: it is true and
/// no category that outranks it is true.
pub(super) fn chosen_goals(program: &Program, c: usize) -> Vec<(&Expr, Want)> {
    let mut goals = vec![(&program.categories[c].when, Want::Is(Tri::True))];
    for (o, other) in program.categories.iter().enumerate() {
        if o != c && program.outranks[o][c] {
            goals.push((&other.when, Want::NotTrue));
        }
    }
    goals
}

/// W0607 for a category that can be true but is never the visit's category.
fn never_chosen(
    program: &Program,
    c: usize,
    span: sot_grammar::ast::Span,
    solver: &Solver,
    out: &mut Vec<Diagnostic>,
) {
    let goals = chosen_goals(program, c);
    if goals.len() == 1 {
        return;
    }
    let name = &program.categories[c].name;
    match solver.ask(&goals) {
        Answer::Possible(_) => {}
        Answer::Impossible => {
            let above: Vec<&str> = program
                .categories
                .iter()
                .enumerate()
                .filter(|(o, _)| *o != c && program.outranks[*o][c])
                .map(|(_, other)| other.name.as_str())
                .collect();
            out.push(
                Diagnostic::new(
                    Code::W0607,
                    span,
                    format!("category {name} is never the visit's category"),
                )
                .label(format!(
                    "whenever it is true, a category that outranks it is true too ({})",
                    above.join(", ")
                ))
                .help(format!(
                    "as written no visit is in category {name} and its rules never apply: \
                     check the `precedence` line, or make its `when` hold without the others'"
                )),
            );
        }
        Answer::Undecided(why) => {
            let question = format!("whether category {name} can be the visit's category");
            undecided(out, span, &question, why);
        }
    }
}
