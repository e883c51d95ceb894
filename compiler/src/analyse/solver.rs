//! The analyses' questions ("can these conditions have these truth values together?"),
//! decided by a SAT solver on the encoding of [`super::encode`]: every question gets an
//! answer, or an honest "not decided" when a guard against hostile input stopped it. An
//! answer "possible" comes with example findings that are minimal (no finding can be left
//! out) and verified by the evaluator: the conditions have their wanted values for them
//! whatever the other findings are.

use std::cell::RefCell;

use rustsat::solvers::{Solve, SolverResult};
use rustsat::types::{Lit, TernaryVal};

use super::domains::{variables, Domains, Var};
use super::encode::{Encoder, Rail, TooLarge};
use super::search;
use crate::eval::{truth, Env, Tri};
use crate::ir::{Expr, Findings, Phase, Program, Value};

/// How many clauses one question may learn before it is given up: a guard against hostile
/// input (pigeonhole-like questions are handled by their encoding, see `distinct`).
const LEARNT_LIMIT: usize = 1_000_000;

/// The steps of the short search tried before the solver.
const QUICK_STEPS: usize = 500;

/// What a condition of a question must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// This truth value.
    Is(Tri),
    /// False or unknown.
    NotTrue,
}

/// A question's answer.
#[derive(Debug)]
pub enum Answer {
    /// Findings that give every condition its wanted value (minimal, verified).
    Possible(Vec<(Var, Value)>),
    /// No findings do.
    Impossible,
    /// Not decided, and why.
    Undecided(Undecided),
}

/// Why a question was not decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// Its encoding grew past the limit on clauses or value combinations.
    TooLarge,
    /// The solver reached its limit of learnt clauses.
    TooHard,
    /// The solver's findings did not give the wanted values when evaluated (a fault of the
    /// encoding; never reported as an answer).
    Unverified,
}

impl Undecided {
    /// In words, for the W0600 note.
    pub fn words(self) -> &'static str {
        match self {
            Undecided::TooLarge => "the conditions are too large to encode (more than 2,000,000 clauses or 100,000 value combinations)",
            Undecided::TooHard => "the solver gave up after learning 1,000,000 clauses",
            Undecided::Unverified => "the solver's example did not hold when evaluated (please report this)",
        }
    }
}

/// The answers to a file's questions.
pub struct Solver<'p> {
    program: &'p Program,
    domains: Domains,
    /// Every finding not examined between questions: an example is set, tried and unset,
    /// so a question does not allocate findings for every slot.
    blocks: RefCell<Blocks>,
    /// Whether a short search is tried before the solver (off only for the tests that hold
    /// the solver to that search, its oracle).
    quick: bool,
    /// Called before each question: in the database, it unwinds the analyses when an edit
    /// made their revision stale.
    poll: &'p dyn Fn(),
}

/// Stops the solver at [`LEARNT_LIMIT`].
#[derive(Default)]
pub(super) struct Limit {
    learnt: usize,
}

impl batsat::Callbacks for Limit {
    fn on_new_clause(&mut self, _c: &[batsat::Lit], _src: batsat::clause::Kind) {
        self.learnt += 1;
    }

    fn stop(&self) -> bool {
        self.learnt > LEARNT_LIMIT
    }
}

impl<'p> Solver<'p> {
    /// A solver for `program`'s questions.
    pub fn new(program: &'p Program, poll: &'p dyn Fn()) -> Self {
        Solver {
            program,
            domains: Domains::new(program),
            blocks: RefCell::new(Blocks::new(program.slot_count)),
            quick: true,
            poll,
        }
    }

    /// A solver that asks the SAT solver every question, without the short search first: for
    /// the tests that hold it to that search.
    pub fn sat_only(program: &'p Program, poll: &'p dyn Fn()) -> Self {
        Solver {
            quick: false,
            ..Solver::new(program, poll)
        }
    }

    /// The candidate values of the program's findings.
    pub(super) fn domains(&self) -> &Domains {
        &self.domains
    }

    /// Unwinds when an edit made the analyses' revision stale (in the database).
    pub fn poll(&self) {
        (self.poll)();
    }

    /// Whether findings exist that give each condition its wanted value. Most questions are
    /// small: a short search (the oracle's, [`super::search`], exact where it finishes)
    /// answers them before a solver is set up; the solver answers the rest.
    pub fn ask(&self, goals: &[(&Expr, Want)]) -> Answer {
        (self.poll)();
        if let Some(answer) = self.quick_answer(goals) {
            return answer;
        }
        match self.solve(goals) {
            Ok(answer) => answer,
            Err(TooLarge) => Answer::Undecided(Undecided::TooLarge),
        }
    }

    /// [`Solver::ask`] with every condition wanted true or false.
    pub fn ask_truth(&self, goals: &[(&Expr, Tri)]) -> Answer {
        let goals: Vec<(&Expr, Want)> = goals.iter().map(|(e, t)| (*e, Want::Is(*t))).collect();
        self.ask(&goals)
    }

    /// Whether findings exist that give each condition its truth value.
    pub fn possible(&self, goals: &[(&Expr, Tri)]) -> Result<bool, Undecided> {
        match self.ask_truth(goals) {
            Answer::Possible(_) => Ok(true),
            Answer::Impossible => Ok(false),
            Answer::Undecided(why) => Err(why),
        }
    }

    /// [`Solver::possible`] with any wanted values.
    pub fn possible_wanting(&self, goals: &[(&Expr, Want)]) -> Result<bool, Undecided> {
        match self.ask(goals) {
            Answer::Possible(_) => Ok(true),
            Answer::Impossible => Ok(false),
            Answer::Undecided(why) => Err(why),
        }
    }

    fn quick_answer(&self, goals: &[(&Expr, Want)]) -> Option<Answer> {
        if !self.quick {
            return None;
        }
        let truths: Vec<(&Expr, Tri)> = goals
            .iter()
            .map(|(e, want)| match want {
                Want::Is(t @ (Tri::True | Tri::False)) => Some((*e, *t)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let mut blocks = self.blocks.borrow_mut();
        let found = search::within(
            self.program,
            &self.domains,
            &mut blocks,
            &truths,
            QUICK_STEPS,
        )?;
        Some(match found {
            None => Answer::Impossible,
            Some(model) => Answer::Possible(minimal(self.program, goals, model, &mut blocks)?),
        })
    }

    fn solve(&self, goals: &[(&Expr, Want)]) -> Result<Answer, TooLarge> {
        let mut encoder = Encoder::new(self.program, &self.domains);
        let mut rails = Vec::with_capacity(goals.len());
        for (e, want) in goals {
            let rail = encoder.condition(e)?;
            require(&mut encoder, rail, *want);
            rails.push(rail);
        }
        distinct(&mut encoder, goals)?;
        let (cnf, vars) = encoder.into_parts();
        let mut solver = rustsat_batsat::Solver::<Limit>::default();
        if solver.add_cnf(cnf).is_err() {
            return Err(TooLarge);
        }
        match solver.solve() {
            Ok(SolverResult::Sat) => {}
            Ok(SolverResult::Unsat) => return Ok(Answer::Impossible),
            Ok(SolverResult::Interrupted) | Err(_) => {
                return Ok(Answer::Undecided(Undecided::TooHard))
            }
        }
        let mut model = Vec::with_capacity(vars.len());
        for (var, dist) in &vars {
            let value = dist
                .iter()
                .find(|(_, lit)| solver.lit_val(*lit).ok() == Some(TernaryVal::True));
            if let Some((value, _)) = value {
                model.push((*var, *value));
            }
        }
        Ok(
            match minimal(self.program, goals, model, &mut self.blocks.borrow_mut()) {
                Some(example) => Answer::Possible(example),
                None => Answer::Undecided(Undecided::Unverified),
            },
        )
    }
}

fn require(encoder: &mut Encoder, rail: Rail, want: Want) {
    match want {
        Want::Is(Tri::True) => encoder.require(rail.t),
        Want::Is(Tri::False) => encoder.require(rail.f),
        Want::Is(Tri::Unknown) => {
            encoder.require(!rail.t);
            encoder.require(!rail.f);
        }
        Want::NotTrue => encoder.require(!rail.t),
    }
}

/// Findings that must all differ (`a != b` of two findings in a condition wanted true, below
/// `and`s) take as many distinct values as there are of them: said as a cardinality
/// constraint, which the solver cannot find by itself in reasonable time (pigeonhole: 14
/// findings of a 13-value type, pairwise different, take a resolution proof of exponential
/// size). The constraint follows from the conditions, so answers are unchanged.
fn distinct(encoder: &mut Encoder, goals: &[(&Expr, Want)]) -> Result<(), TooLarge> {
    for enough in distinct_hints(encoder, goals)? {
        encoder.require(enough);
    }
    Ok(())
}

/// The literals of [`distinct`]'s cardinality constraints, each implied by the goals having
/// their wanted values (a caller that asks several questions of one encoding requires them
/// under the question's literal only).
pub(super) fn distinct_hints(
    encoder: &mut Encoder,
    goals: &[(&Expr, Want)],
) -> Result<Vec<Lit>, TooLarge> {
    let mut hints = Vec::new();
    let mut pairs: Vec<(Var, Var)> = Vec::new();
    for (e, want) in goals {
        if let Want::Is(t @ (Tri::True | Tri::False)) = want {
            different(e, *t == Tri::True, &mut pairs);
        }
    }
    if pairs.len() < 3 {
        return Ok(hints);
    }
    let mut members: Vec<Var> = Vec::new();
    for (a, b) in &pairs {
        for v in [a, b] {
            if !members.contains(v) {
                members.push(*v);
            }
        }
    }
    let apart = |a: Var, b: Var| pairs.contains(&(a, b)) || pairs.contains(&(b, a));
    // Greedy cliques: any clique gives a sound constraint.
    let mut done = vec![false; members.len()];
    for start in 0..members.len() {
        if done[start] {
            continue;
        }
        let mut clique = vec![members[start]];
        for (i, m) in members.iter().enumerate().skip(start + 1) {
            if clique.iter().all(|c| apart(*c, *m)) {
                clique.push(*m);
                done[i] = true;
            }
        }
        if clique.len() < 3 {
            continue;
        }
        // "Value v is taken" for every value any member can take; at least |clique| taken.
        let mut taken: Vec<(Value, Vec<Lit>)> = Vec::new();
        for member in &clique {
            for (v, lit) in encoder.finding(*member)? {
                match taken.iter_mut().find(|(w, _)| *w == v) {
                    Some((_, lits)) => lits.push(lit),
                    None => taken.push((v, vec![lit])),
                }
            }
        }
        let taken: Vec<Lit> = taken.iter().map(|(_, lits)| encoder.or(lits)).collect();
        hints.push(encoder.at_least(clique.len(), &taken)?);
    }
    Ok(hints)
}

/// The pairs of findings `e` requires to differ when it has truth value `wanted`.
fn different(e: &Expr, wanted: bool, out: &mut Vec<(Var, Var)>) {
    match (e, wanted) {
        (Expr::And(items), true) | (Expr::Or(items), false) => {
            items.iter().for_each(|i| different(i, wanted, out));
        }
        (Expr::Not(inner), _) => different(inner, !wanted, out),
        (Expr::Compare(op, l, r), _) => {
            let ne = matches!(
                (op, wanted),
                (sot_ir::Cmp::Ne, true) | (sot_ir::Cmp::Eq, false)
            );
            if let (true, Expr::Slot(pa, a), Expr::Slot(pb, b)) = (ne, &**l, &**r) {
                if (pa, a) != (pb, b) {
                    out.push(((*pa, *a), (*pb, *b)));
                }
            }
        }
        _ => {}
    }
}

/// The model cut to a minimal example: each finding left out when the conditions keep their
/// wanted values without it. `None` when the model itself does not give them.
fn minimal(
    program: &Program,
    goals: &[(&Expr, Want)],
    model: Vec<(Var, Value)>,
    blocks: &mut Blocks,
) -> Option<Vec<(Var, Value)>> {
    let reads: Vec<Vec<Var>> = goals
        .iter()
        .map(|(e, _)| {
            let mut vars = Vec::new();
            variables(program, e, &mut vars);
            vars
        })
        .collect();
    let mut example: Vec<(Var, Value)> = model
        .into_iter()
        .filter(|(v, _)| reads.iter().any(|r| r.contains(v)))
        .collect();
    blocks.set(&example);
    let answer = cut(program, goals, &reads, &mut example, blocks);
    blocks.unset(&example);
    answer.then_some(example)
}

/// Leaves out of `example` (set in `blocks`) each finding the conditions keep their wanted
/// values without; false when the example itself does not give them.
fn cut(
    program: &Program,
    goals: &[(&Expr, Want)],
    reads: &[Vec<Var>],
    example: &mut Vec<(Var, Value)>,
    blocks: &mut Blocks,
) -> bool {
    // The model's own findings decide every condition, unknown ones included.
    let complete: Vec<bool> = goals.iter().map(|_| true).collect();
    if !holds(program, goals, blocks, &complete) {
        return false;
    }
    let mut i = 0;
    while i < example.len() {
        let (var, value) = example[i];
        blocks.put(var, None);
        // A condition wanted unknown (or not true and unknown) must keep all its findings.
        let keeps: Vec<bool> = reads.iter().map(|r| !r.contains(&var)).collect();
        if holds(program, goals, blocks, &keeps) {
            example.remove(i);
        } else {
            blocks.put(var, Some(value));
            i += 1;
        }
    }
    true
}

/// Whether every condition has its wanted value on the findings; `complete[i]`: condition
/// `i`'s findings are all there, so an unknown value is its value and not a gap.
fn holds(program: &Program, goals: &[(&Expr, Want)], blocks: &Blocks, complete: &[bool]) -> bool {
    let env = blocks.env();
    goals.iter().zip(complete).all(
        |((e, want), complete)| match (truth(program, e, env), want) {
            (Tri::Unknown, Want::Is(Tri::Unknown) | Want::NotTrue) => *complete,
            (t, Want::Is(w)) => t == *w,
            (t, Want::NotTrue) => t == Tri::False,
        },
    )
}

/// Findings of the four blocks a question reads.
pub struct Blocks([Findings; 4]);

impl Blocks {
    /// No finding of any block examined, `slots` in each.
    pub fn new(slots: u32) -> Self {
        let empty = Findings::examined(vec![None; slots as usize]);
        Blocks([empty.clone(), empty.clone(), empty.clone(), empty])
    }

    /// One finding set (`Some`) or not examined (`None`).
    pub fn put(&mut self, (phase, slot): Var, value: Option<Value>) {
        let block = match phase {
            None => 0,
            Some(Phase::Before) => 1,
            Some(Phase::After) => 2,
            Some(Phase::Previous) => 3,
        };
        if let Some(s) = self.0[block].slots.get_mut(slot as usize) {
            *s = value;
        }
    }

    /// The example's findings examined.
    pub(super) fn set(&mut self, example: &[(Var, Value)]) {
        for (var, value) in example {
            self.put(*var, Some(*value));
        }
    }

    /// The example's findings not examined again.
    pub(super) fn unset(&mut self, example: &[(Var, Value)]) {
        for (var, _) in example {
            self.put(*var, None);
        }
    }

    /// The blocks as the evaluator reads them.
    pub fn env(&self) -> Env<'_> {
        Env {
            now: Some(&self.0[0]),
            previous: Some(&self.0[3]),
            before: Some(&self.0[1]),
            after: Some(&self.0[2]),
        }
    }
}
