//! W0608: a rule whose every recommendation another rule always makes too, under the same
//! findings (a hint: the rule adds nothing a student would see, though its reasons are listed).
//!
//! A rule instance fires when its `when` is true, its `unless` false, its category (if any) is
//! the visit's and not tied, no red flag is raised and its arguments are known (as the runtime
//! decides, `runtime/src/visit.rs`). One solver per adjustment holds the firing of every rule
//! instance that recommends it; each question assumes that one instance fires and that no
//! other rule makes the same call, and asks whether that can be. Rules whose arguments depend
//! on findings are not checked themselves (their calls differ by visit), but may cover others.

use rustsat::solvers::{Solve, SolveIncremental, SolverResult};
use rustsat::types::Lit;
use sot_grammar::ast::ItemKind;

use super::domains::Domains;
use super::encode::{Encoder, TooLarge};
use super::solver::{Limit, Undecided};
use super::{undecided, Own};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{value, Env};
use crate::ir::{Call, Program, Value};

/// The W0608 hints of a file's own rules.
pub(super) fn analyse(
    program: &Program,
    own: &Own,
    solver: &super::Solver,
    never_fire: &[usize],
    out: &mut Vec<Diagnostic>,
) {
    let domains = Domains::new(program);
    for adjustment in 0..program.adjustments.len() as u32 {
        let candidates: Vec<usize> = program
            .rules
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                !never_fire.contains(i)
                    && own.names.contains_key(&(ItemKind::Rule, r.name.clone()))
                    && r.instances.iter().any(|i| !i.then.is_empty())
                    && r.instances
                        .iter()
                        .flat_map(|i| &i.then)
                        .all(|c| constant_args(program, c).is_some())
                    && r.instances
                        .iter()
                        .flat_map(|i| &i.then)
                        .any(|c| c.adjustment == adjustment)
            })
            .map(|(r, _)| r)
            .collect();
        // Checked once, at the rule's first adjustment.
        let firsts: Vec<usize> = candidates
            .into_iter()
            .filter(|r| {
                program.rules[*r]
                    .instances
                    .iter()
                    .flat_map(|i| &i.then)
                    .map(|c| c.adjustment)
                    .min()
                    == Some(adjustment)
            })
            .collect();
        if firsts.is_empty() {
            continue;
        }
        solver.poll();
        for (rule, covered_by) in group(program, &domains, &firsts) {
            let r = &program.rules[rule];
            let Some(span) = own.names.get(&(ItemKind::Rule, r.name.clone())) else {
                continue;
            };
            match covered_by {
                Ok(Some(others)) => out.push(
                    Diagnostic::new(
                        Code::W0608,
                        *span,
                        format!("rule `{}` recommends nothing that other rules do not", r.name),
                    )
                    .label(match others.as_slice() {
                        [one] => format!("whenever it fires, {one} recommends the same"),
                        many => format!(
                            "whenever it fires, at least one of {} recommends the same",
                            many.join(", ")
                        ),
                    })
                    .help("a hint: the rule may stay as a second reason; remove it if it repeats another by mistake"),
                ),
                Ok(None) => {}
                Err(why) => {
                    let question = format!("whether rule `{}` recommends something no other rule does", r.name);
                    undecided(out, *span, &question, why);
                }
            }
        }
    }
}

/// The arguments of a call when they are constants (as after a `for` binding).
fn constant_args(program: &Program, call: &Call) -> Option<Vec<Value>> {
    let env = Env {
        now: None,
        previous: None,
        before: None,
        after: None,
    };
    call.args.iter().map(|a| value(program, a, env)).collect()
}

/// For each rule of `rules`: `Some(names)` of the rules that always make its calls too, `None`
/// when some finding makes it recommend something alone.
type Covered = Result<Option<Vec<String>>, Undecided>;

fn group(program: &Program, domains: &Domains, rules: &[usize]) -> Vec<(usize, Covered)> {
    match encode_group(program, domains, rules) {
        Ok(answers) => answers,
        Err(TooLarge) => rules
            .iter()
            .map(|r| (*r, Err(Undecided::TooLarge)))
            .collect(),
    }
}

fn encode_group(
    program: &Program,
    domains: &Domains,
    rules: &[usize],
) -> Result<Vec<(usize, Covered)>, TooLarge> {
    let mut encoder = Encoder::new(program, domains);
    let visit = encoder.visit_rules()?;
    let adjustments: Vec<u32> = rules
        .iter()
        .flat_map(|r| program.rules[*r].instances.iter().flat_map(|i| &i.then))
        .map(|c| c.adjustment)
        .collect();
    // Every instance that recommends one of the adjustments, with when it fires.
    let mut firing: Vec<(usize, usize, Lit)> = Vec::new();
    for (r, rule) in program.rules.iter().enumerate() {
        for (i, instance) in rule.instances.iter().enumerate() {
            if instance
                .then
                .iter()
                .any(|c| adjustments.contains(&c.adjustment))
            {
                let fires = encoder.fires(&visit, rule.category, instance)?;
                firing.push((r, i, fires));
            }
        }
    }
    let mut solver = rustsat_batsat::Solver::<Limit>::default();
    let mut answers = Vec::new();
    for &rule in rules {
        let mut cover: Vec<String> = Vec::new();
        let mut answer: Covered = Ok(Some(Vec::new()));
        'instances: for (i, instance) in program.rules[rule].instances.iter().enumerate() {
            let Some(&(_, _, fires)) = firing.iter().find(|(r, j, _)| *r == rule && *j == i) else {
                continue;
            };
            for call in &instance.then {
                let Some(args) = constant_args(program, call) else {
                    continue;
                };
                let mut assumptions = vec![fires];
                let mut others: Vec<(usize, Lit)> = Vec::new();
                for &(r, j, other_fires) in &firing {
                    if r == rule {
                        continue;
                    }
                    for other in &program.rules[r].instances[j].then {
                        if other.adjustment != call.adjustment {
                            continue;
                        }
                        let same = encoder.same_call(other, &args)?;
                        let covers = encoder.and(&[other_fires, same]);
                        assumptions.push(!covers);
                        others.push((r, covers));
                    }
                }
                let clauses = encoder.take_clauses();
                if solver.add_cnf(clauses).is_err() {
                    return Err(TooLarge);
                }
                match solver.solve_assumps(&assumptions) {
                    Ok(SolverResult::Unsat) => {
                        // The rules whose "does not make it" the proof needed (the core
                        // holds the negations of the assumptions it used).
                        let core = solver.core().unwrap_or_default();
                        let needed = |covers: &Lit| core.is_empty() || core.contains(covers);
                        for (r, covers) in others {
                            if !needed(&covers) {
                                continue;
                            }
                            let name = format!("`{}`", program.rules[r].name);
                            if !cover.contains(&name) {
                                cover.push(name);
                            }
                        }
                    }
                    Ok(SolverResult::Sat) => {
                        answer = Ok(None);
                        break 'instances;
                    }
                    _ => {
                        answer = Err(Undecided::TooHard);
                        break 'instances;
                    }
                }
            }
        }
        // A rule that can never fire has its W0602; it is not also "redundant".
        let fires_at_all: Vec<Lit> = firing
            .iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, _, l)| *l)
            .collect();
        let any = encoder.or(&fires_at_all);
        let clauses = encoder.take_clauses();
        if solver.add_cnf(clauses).is_err() {
            return Err(TooLarge);
        }
        if let Ok(Some(_)) = answer {
            answer = match solver.solve_assumps(&[any]) {
                Ok(SolverResult::Sat) => Ok(Some(cover)),
                Ok(SolverResult::Unsat) => Ok(None),
                _ => Err(Undecided::TooHard),
            };
        }
        answers.push((rule, answer));
    }
    Ok(answers)
}
