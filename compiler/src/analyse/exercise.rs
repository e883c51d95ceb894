//! Findings that exercise a rule: one binding's `when` true, its `unless` false, its category
//! (with `in category`) the visit's, and its `then` arguments known, asked of the analyses'
//! solver as W0601's examples are. The answer is minimal (no finding can be left out) and
//! verified by the evaluator, with the solver's round values. For the editor's "write a case
//! that exercises this rule".

use super::categories::chosen_goals;
use super::domains::variables;
use super::solver::{Answer, Solver, Want};
use crate::eval::Tri;
use crate::ir::{Cmp, Expr, Program, Value};

/// How strictly the rest of the visit is held still while a rule is made to fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Only the rule's own conditions (and its category's): the smallest findings.
    Rule,
    /// Also no red flag raised and no category true beside the rule's that it does not
    /// outrank (so the visit is neither referred nor ambiguous): for a rule whose smallest
    /// findings raise a red flag or tie categories.
    Visit,
}

/// Findings under which binding `instance` of rule `rule` fires, whatever the findings not
/// given are (see [`Strictness`]); `Answer::Impossible` when none do, `Answer::Undecided`
/// when a guard against hostile input stopped the question. `poll` is called before the
/// question (the database's cancellation).
pub fn exercise_rule(
    program: &Program,
    rule: usize,
    instance: usize,
    strictness: Strictness,
    poll: &dyn Fn(),
) -> Answer {
    let Some(r) = program.rules.get(rule) else {
        return Answer::Impossible;
    };
    let Some(binding) = r.instances.get(instance) else {
        return Answer::Impossible;
    };
    // `a == a` is true exactly when `a` is known: a `then` argument read from findings.
    let known: Vec<Expr> = binding
        .then
        .iter()
        .flat_map(|call| &call.args)
        .filter(|arg| {
            let mut read = Vec::new();
            variables(program, arg, &mut read);
            !read.is_empty()
        })
        .map(|arg| Expr::Compare(Cmp::Eq, Box::new(arg.clone()), Box::new(arg.clone())))
        .collect();
    let mut goals: Vec<(&Expr, Want)> = vec![(&binding.when, Want::Is(Tri::True))];
    if let Some(unless) = &binding.unless {
        goals.push((unless, Want::Is(Tri::False)));
    }
    goals.extend(known.iter().map(|e| (e, Want::Is(Tri::True))));
    let category = r
        .category
        .map(|c| c as usize)
        .filter(|c| *c < program.categories.len());
    if let Some(c) = category {
        goals.extend(chosen_goals(program, c));
    }
    if strictness == Strictness::Visit {
        goals.extend(program.red_flags.iter().map(|f| (&f.when, Want::NotTrue)));
        for (o, other) in program.categories.iter().enumerate() {
            let below = category.is_some_and(|c| program.outranks[c][o]);
            if Some(o) != category && !below && !goals.iter().any(|(e, _)| *e == &other.when) {
                goals.push((&other.when, Want::NotTrue));
            }
        }
    }
    let solver = Solver::new(program, poll);
    solver.ask(&goals)
}

/// A finding of an example as a case writes it, without its phase: `x = left`,
/// `occipital_fiber(line: 2, area: 3) = 2`; `None` for a slot the program does not have.
pub fn show_finding(program: &Program, slot: u32, value: Value) -> Option<String> {
    let indicator = program
        .indicators
        .get(*program.slot_indicator.get(slot as usize)? as usize)?;
    Some(format!(
        "{} = {}",
        indicator.show_slot(slot),
        indicator.ty.show(value)
    ))
}
