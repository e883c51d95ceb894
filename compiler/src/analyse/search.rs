//! The first analyses' backtracking search, kept as the test oracle of the SAT encoding: it
//! assigns one finding at a time from the same candidate values ([`Domains`]) and evaluates the
//! conditions in Kleene logic with the rest unknown (a condition already false prunes the
//! branch; all of them decided as wanted end it). It gives up after a budget of steps, so it
//! answers only small questions; wherever it finishes, the solver must answer the same.
//! The solver also tries it with a small budget first ([`within`]): most questions are small.

use std::sync::Arc;

use super::domains::{variables, Domains, Var};
use super::solver::Blocks;
use crate::eval::{truth, Tri};
use crate::ir::{Expr, Program, Value};

/// How many condition evaluations one question may take before the search gives up.
const BUDGET: usize = 200_000;

/// Whether findings exist under which every condition has its wanted truth value: `Some`
/// with the findings the search assigned (`Some(None)`: there are none), or `None` when the
/// search ran out of budget.
#[doc(hidden)]
pub fn search(program: &Program, goals: &[(&Expr, Tri)]) -> Option<Option<Vec<(Var, Value)>>> {
    let domains = Domains::new(program);
    within(
        program,
        &domains,
        &mut Blocks::new(program.slot_count),
        goals,
        BUDGET,
    )
}

/// [`search`] with the candidates of `domains`, on `blocks` (every finding not examined, and
/// so again after), giving up after `budget` steps: a quick first try for questions that are
/// usually small.
pub(super) fn within(
    program: &Program,
    domains: &Domains,
    blocks: &mut Blocks,
    goals: &[(&Expr, Tri)],
    budget: usize,
) -> Option<Option<Vec<(Var, Value)>>> {
    let mut vars = Vec::new();
    for (e, _) in goals {
        variables(program, e, &mut vars);
    }
    let candidates: Vec<Arc<[Value]>> = vars
        .iter()
        .map(|(_, slot)| domains.candidates(program, *slot))
        .collect();
    let mut search = Search {
        program,
        blocks,
        steps: 0,
        budget,
    };
    let mut assigned = Vec::new();
    let found = search.assign(goals, &vars, &candidates, 0, &mut assigned);
    let over = search.steps > budget;
    search.blocks.unset(&assigned);
    match (found, over) {
        (true, _) => Some(Some(assigned)),
        (false, false) => Some(None),
        (false, true) => None,
    }
}

struct Search<'p, 'b> {
    program: &'p Program,
    /// Findings being assigned: the visit's, `before`, `after`, `previous`.
    blocks: &'b mut Blocks,
    steps: usize,
    budget: usize,
}

impl Search<'_, '_> {
    fn status(&self, goals: &[(&Expr, Tri)]) -> Option<bool> {
        let env = self.blocks.env();
        let mut all = true;
        for (e, wanted) in goals {
            match truth(self.program, e, env) {
                Tri::Unknown => all = false,
                t if t == *wanted => {}
                _ => return Some(false),
            }
        }
        all.then_some(true)
    }

    fn assign(
        &mut self,
        goals: &[(&Expr, Tri)],
        vars: &[Var],
        domains: &[Arc<[Value]>],
        next: usize,
        assigned: &mut Vec<(Var, Value)>,
    ) -> bool {
        self.steps += 1;
        if self.steps > self.budget {
            return false;
        }
        match self.status(goals) {
            Some(result) => return result,
            None if next == vars.len() => return false,
            None => {}
        }
        let var = vars[next];
        for value in domains[next].iter() {
            self.blocks.put(var, Some(*value));
            assigned.push((var, *value));
            if self.assign(goals, vars, domains, next + 1, assigned) {
                return true;
            }
            assigned.pop();
        }
        self.blocks.put(var, None);
        false
    }
}
