//! The first analyses' backtracking search, kept as the test oracle of the SAT encoding: it
//! assigns one finding at a time from the same candidate values ([`Domains`]) and evaluates the
//! conditions in Kleene logic with the rest unknown (a condition already false prunes the
//! branch; all of them decided as wanted end it). It gives up after a budget of steps, so it
//! answers only small questions; wherever it finishes, the solver must answer the same.

use super::domains::{variables, Domains, Var};
use crate::eval::{truth, Env, Tri};
use crate::ir::{Expr, Findings, Phase, Program, Value};

/// How many condition evaluations one question may take before the search gives up.
const BUDGET: usize = 200_000;

/// Whether findings exist under which every condition has its wanted truth value: `Some`
/// with the findings the search assigned (`Some(None)`: there are none), or `None` when the
/// search ran out of budget.
#[doc(hidden)]
pub fn search(program: &Program, goals: &[(&Expr, Tri)]) -> Option<Option<Vec<(Var, Value)>>> {
    let domains = Domains::new(program);
    let empty = Findings::examined(vec![None; program.slot_count as usize]);
    let mut search = Search {
        program,
        blocks: [empty.clone(), empty.clone(), empty.clone(), empty],
        steps: 0,
    };
    let mut vars = Vec::new();
    for (e, _) in goals {
        variables(program, e, &mut vars);
    }
    let candidates: Vec<Vec<Value>> = vars
        .iter()
        .map(|(_, slot)| domains.candidates(program, *slot))
        .collect();
    let mut assigned = Vec::new();
    let found = search.assign(goals, &vars, &candidates, 0, &mut assigned);
    match (found, search.steps > BUDGET) {
        (true, _) => Some(Some(assigned)),
        (false, false) => Some(None),
        (false, true) => None,
    }
}

struct Search<'p> {
    program: &'p Program,
    /// Findings being assigned: the visit's, `before`, `after`, `previous`.
    blocks: [Findings; 4],
    steps: usize,
}

fn block_index(phase: Option<Phase>) -> usize {
    match phase {
        None => 0,
        Some(Phase::Before) => 1,
        Some(Phase::After) => 2,
        Some(Phase::Previous) => 3,
    }
}

impl Search<'_> {
    fn status(&self, goals: &[(&Expr, Tri)]) -> Option<bool> {
        let env = Env {
            now: Some(&self.blocks[0]),
            previous: Some(&self.blocks[3]),
            before: Some(&self.blocks[1]),
            after: Some(&self.blocks[2]),
        };
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
        domains: &[Vec<Value>],
        next: usize,
        assigned: &mut Vec<(Var, Value)>,
    ) -> bool {
        self.steps += 1;
        if self.steps > BUDGET {
            return false;
        }
        match self.status(goals) {
            Some(result) => return result,
            None if next == vars.len() => return false,
            None => {}
        }
        let (phase, slot) = vars[next];
        for value in &domains[next] {
            self.blocks[block_index(phase)].slots[slot as usize] = Some(*value);
            assigned.push(((phase, slot), *value));
            if self.assign(goals, vars, domains, next + 1, assigned) {
                return true;
            }
            assigned.pop();
        }
        self.blocks[block_index(phase)].slots[slot as usize] = None;
        false
    }
}
