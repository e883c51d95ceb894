//! W0608: a rule whose every recommendation another rule always makes too, under the same
//! findings (a hint: the rule adds nothing a student would see, though its reasons are listed).
//!
//! A rule instance fires when its `when` is true, its `unless` false, its category (if any) is
//! the visit's and not tied, no red flag is raised and its arguments are known (as the runtime
//! decides, `runtime/src/visit.rs`). Rules whose arguments depend on findings are not checked
//! themselves (their calls differ by visit), but may cover others.
//!
//! Each instance of a rule is first tried on a witness: minimal findings that make it fire,
//! every other finding not examined. When no other rule makes the same call on them, the rule
//! is not redundant, and only the few rules that read one of those findings had to be
//! evaluated. Otherwise the question is decided exactly ([`Prover`], one incremental solver
//! for the whole file, findings there may be not examined as in a visit): can the instance
//! fire while none of the instances found making its call does? Findings where it can are
//! evaluated; the instances that make the call there are assumed too, until the solver
//! proves cover or the evaluator finds the rule alone.

use foldhash::HashMap;

use rustsat::solvers::{Solve, SolveIncremental, SolverResult};
use rustsat::types::{Lit, TernaryVal};
use sot_grammar::ast::ItemKind;

use super::domains::{variables, Domains, Var};
use super::encode::{Encoder, TooLarge, VisitLits};
use super::solver::{Answer, Blocks, Limit, Solver, Undecided};
use super::{undecided, Own};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{truth, value, Env, Tri};
use crate::ir::{Call, Expr, Program, RuleInstance, Value};

/// A rule instance: `(rule, instance)` indices into the program.
type Instance = (usize, usize);

/// The W0608 hints of a file's own rules.
pub(super) fn analyse<'p>(
    program: &'p Program,
    own: &Own,
    solver: &'p Solver,
    out: &mut Vec<Diagnostic>,
) {
    let index = Index::new(program);
    let mut blocks = Blocks::new(program.slot_count);
    // Set up at the first question that needs it.
    let mut prover = None;
    for (r, rule) in program.rules.iter().enumerate() {
        let Some(span) = own.names.get(&(ItemKind::Rule, rule.name.clone())) else {
            continue;
        };
        let calls = rule.instances.iter().flat_map(|i| &i.then);
        if calls.clone().next().is_none()
            || !calls.clone().all(|c| constant_args(program, c).is_some())
        {
            continue;
        }
        // A call of an adjustment no other rule calls is this rule's alone (when the
        // instance that makes it can fire: one that never fires has its own warning).
        if calls
            .clone()
            .any(|c| index.callers.get(c.adjustment as usize).copied() == Some(1))
        {
            continue;
        }
        solver.poll();
        match covered(program, solver, &index, &mut blocks, &mut prover, r) {
            Ok(Some(mut others)) => {
                others.sort_unstable();
                others.dedup();
                let others: Vec<String> = others
                    .iter()
                    .map(|o| format!("`{}`", program.rules[*o].name))
                    .collect();
                out.push(
                    Diagnostic::new(
                        Code::W0608,
                        *span,
                        format!(
                            "rule `{}` recommends nothing that other rules do not",
                            rule.name
                        ),
                    )
                    .label(match others.as_slice() {
                        [one] => format!("whenever it fires, {one} recommends the same"),
                        many => format!(
                            "whenever it fires, at least one of {} recommends the same",
                            many.join(", ")
                        ),
                    })
                    .help("a hint: the rule may stay as a second reason; remove it if it repeats another by mistake"),
                );
            }
            Ok(None) => {}
            Err(why) => {
                let question = format!(
                    "whether rule `{}` recommends something no other rule does",
                    rule.name
                );
                undecided(out, *span, &question, why);
            }
        }
    }
}

/// The rules that call each adjustment, and the rule instances that read each finding.
struct Index {
    /// Per adjustment: how many rules have a call of it.
    callers: Vec<usize>,
    /// Per finding: the instances whose `when` can be true when it is known, as far as an
    /// instance's other findings are not (sorted by finding). An instance is under one
    /// finding its `when` needs known to be true, or under every finding it reads.
    readers: Vec<(Var, Instance)>,
    /// Instances whose `when` reads no finding.
    constant_when: Vec<Instance>,
}

impl Index {
    fn new(program: &Program) -> Self {
        let mut callers = vec![0; program.adjustments.len()];
        let mut reads: Vec<(Instance, Vec<Var>)> = Vec::new();
        for (r, rule) in program.rules.iter().enumerate() {
            let mut called: Vec<u32> = rule
                .instances
                .iter()
                .flat_map(|i| i.then.iter().map(|c| c.adjustment))
                .collect();
            called.sort_unstable();
            called.dedup();
            for a in called {
                if let Some(n) = callers.get_mut(a as usize) {
                    *n += 1;
                }
            }
            for (i, instance) in rule.instances.iter().enumerate() {
                if instance.then.is_empty() {
                    continue;
                }
                let mut vars = Vec::new();
                variables(program, &instance.when, &mut vars);
                reads.push(((r, i), vars));
            }
        }
        let mut count: HashMap<Var, usize> = HashMap::default();
        for var in reads.iter().flat_map(|(_, vars)| vars) {
            *count.entry(*var).or_default() += 1;
        }
        let mut readers = Vec::new();
        let mut constant_when = Vec::new();
        let mut needed = Vec::new();
        for ((r, i), vars) in reads {
            if vars.is_empty() {
                constant_when.push((r, i));
            }
            // An instance whose `when` is true only with some finding known is filed under
            // that finding alone (the one the fewest instances read), else under every
            // finding it reads.
            needed.clear();
            needed_for_true(&program.rules[r].instances[i].when, &mut needed);
            match needed
                .iter()
                .min_by_key(|v| count.get(*v).copied().unwrap_or_default())
            {
                Some(key) => readers.push((*key, (r, i))),
                None => readers.extend(vars.iter().map(|v| (*v, (r, i)))),
            }
        }
        readers.sort_unstable();
        readers.dedup();
        Index {
            callers,
            readers,
            constant_when,
        }
    }

    /// The instances whose `when` can be true when only `example`'s findings are known: those
    /// that read one of them, and those that read none.
    fn readers_of(&self, example: &[(Var, Value)]) -> Vec<Instance> {
        let mut out = self.constant_when.clone();
        for (var, _) in example {
            let start = self.readers.partition_point(|(v, _)| v < var);
            out.extend(
                self.readers[start..]
                    .iter()
                    .take_while(|(v, _)| v == var)
                    .map(|(_, i)| *i),
            );
        }
        // Runs sorted by instance, merged.
        out.sort();
        out.dedup();
        out
    }
}

/// Findings without which `e` cannot be true (when one of them is not examined, `e` is
/// false or unknown): a sound subset, empty when unsure.
fn needed_for_true(e: &Expr, out: &mut Vec<Var>) {
    match e {
        Expr::And(items) => items.iter().for_each(|i| needed_for_true(i, out)),
        // `at least 0 of` is always true.
        Expr::AtLeast(0, _) => {}
        Expr::AtLeast(n, items) if *n as usize >= items.len() => {
            items.iter().for_each(|i| needed_for_true(i, out));
        }
        // At least one item must be true: the findings every item needs.
        Expr::Or(items) | Expr::AtLeast(_, items) => {
            let mut common: Option<Vec<Var>> = None;
            for item in items {
                let mut needs = Vec::new();
                needed_for_true(item, &mut needs);
                common = Some(match common {
                    None => needs,
                    Some(c) => c.into_iter().filter(|v| needs.contains(v)).collect(),
                });
            }
            out.extend(common.unwrap_or_default());
        }
        other => needed_known(other, out),
    }
}

/// Findings without which `e`'s truth (or value) is unknown: a sound subset.
fn needed_known(e: &Expr, out: &mut Vec<Var>) {
    match e {
        Expr::Slot(phase, slot) | Expr::Test(phase, slot, ..) => out.push((*phase, *slot)),
        Expr::Not(x) | Expr::InSet(x, _) => needed_known(x, out),
        Expr::Compare(_, l, r) | Expr::Add(l, r, _) => {
            needed_known(l, out);
            needed_known(r, out);
        }
        // The finding read depends on the arguments, which must be known.
        Expr::DynSlot(_, _, args) | Expr::Table(_, args) => {
            args.iter().for_each(|a| needed_known(a, out));
        }
        Expr::Const(_) | Expr::And(_) | Expr::Or(_) | Expr::AtLeast(..) => {}
    }
}

/// `Some(rules)` that together always make rule `r`'s calls too, `None` when some findings
/// make it recommend something alone (or it never fires: it has its own warning then).
fn covered<'p>(
    program: &'p Program,
    solver: &'p Solver,
    index: &Index,
    blocks: &mut Blocks,
    prover: &mut Option<Prover<'p>>,
    r: usize,
) -> Result<Option<Vec<usize>>, Undecided> {
    let rule = &program.rules[r];
    let mut others = Vec::new();
    let mut fires_at_all = false;
    for (i, instance) in rule.instances.iter().enumerate() {
        let mut goals = vec![(&instance.when, Tri::True)];
        if let Some(unless) = &instance.unless {
            goals.push((unless, Tri::False));
        }
        if let Some(category) = rule
            .category
            .and_then(|c| program.categories.get(c as usize))
        {
            goals.push((&category.when, Tri::True));
        }
        let makers = match solver.ask_truth(&goals) {
            // Not even its own conditions: the instance never fires.
            Answer::Impossible => continue,
            Answer::Undecided(why) => return Err(why),
            Answer::Possible(example) => match makers(program, index, blocks, (r, i), &example) {
                Some(makers) if makers.iter().any(Vec::is_empty) => return Ok(None),
                Some(makers) => makers,
                None => vec![Vec::new(); instance.then.len()],
            },
        };
        let prover = match prover {
            Some(p) => p,
            None => prover
                .insert(Prover::new(program, solver.domains()).map_err(|_| Undecided::TooLarge)?),
        };
        let e = prover.decide(index, blocks, (r, i), makers);
        match e {
            Ok(Exact::Alone) => return Ok(None),
            Ok(Exact::Never) => {}
            Ok(Exact::CoveredBy(by)) => {
                fires_at_all = true;
                others.extend(by);
            }
            Err(why) => return Err(why),
        }
    }
    Ok(fires_at_all.then_some(others))
}

/// On findings where instance `at` fires (every other finding not examined), per call of it
/// the other rules' instances that make the same call; `None` when it does not fire there.
fn makers(
    program: &Program,
    index: &Index,
    blocks: &mut Blocks,
    at: Instance,
    findings: &[(Var, Value)],
) -> Option<Vec<Vec<Instance>>> {
    blocks.set(findings);
    let env = blocks.env();
    let visit = VisitTruths::new(program, env);
    let instance = &program.rules[at.0].instances[at.1];
    let answer = visit
        .fires(program, env, program.rules[at.0].category, instance)
        .then(|| {
            let firing: Vec<Instance> = index
                .readers_of(findings)
                .into_iter()
                .filter(|(r, i)| {
                    let rule = &program.rules[*r];
                    *r != at.0 && visit.fires(program, env, rule.category, &rule.instances[*i])
                })
                .collect();
            instance
                .then
                .iter()
                .map(|call| {
                    let wanted = args(program, call, env);
                    firing
                        .iter()
                        .copied()
                        .filter(|(r, i)| {
                            program.rules[*r].instances[*i].then.iter().any(|o| {
                                o.adjustment == call.adjustment && args(program, o, env) == wanted
                            })
                        })
                        .collect()
                })
                .collect()
        });
    blocks.unset(findings);
    answer
}

/// The categories and red flags of a visit, as the runtime decides them.
struct VisitTruths {
    /// Per category: it is one of the visit's categories.
    named: Vec<bool>,
    /// Several categories are named and no `coexist` line names them all.
    ambiguous: bool,
    /// A red flag is raised.
    referred: bool,
}

impl VisitTruths {
    fn new(program: &Program, env: Env) -> Self {
        let truths: Vec<bool> = program
            .categories
            .iter()
            .map(|c| truth(program, &c.when, env) == Tri::True)
            .collect();
        let named: Vec<bool> = (0..truths.len())
            .map(|c| {
                truths[c]
                    && !(0..truths.len()).any(|o| o != c && truths[o] && program.outranks[o][c])
            })
            .collect();
        let chosen: Vec<u32> = (0..named.len())
            .filter(|c| named[*c])
            .map(|c| c as u32)
            .collect();
        let ambiguous = chosen.len() > 1
            && !program
                .coexist
                .iter()
                .any(|line| chosen.iter().all(|c| line.categories.contains(c)));
        let referred = program.red_flags.iter().any(|flag| {
            truth(program, &flag.when, env) == Tri::True
                && flag
                    .category
                    .is_none_or(|c| named.get(c as usize) == Some(&true))
        });
        VisitTruths {
            named,
            ambiguous,
            referred,
        }
    }

    fn fires(&self, program: &Program, env: Env, category: Option<u32>, i: &RuleInstance) -> bool {
        !self.referred
            && category.is_none_or(|c| self.named.get(c as usize) == Some(&true) && !self.ambiguous)
            && truth(program, &i.when, env) == Tri::True
            && i.unless
                .as_ref()
                .is_none_or(|u| truth(program, u, env) == Tri::False)
            && i.then.iter().all(|c| args(program, c, env).is_some())
    }
}

/// A call's arguments on the findings of `env`, when all are known.
fn args(program: &Program, call: &Call, env: Env) -> Option<Vec<Value>> {
    call.args.iter().map(|a| value(program, a, env)).collect()
}

/// A call's arguments when they are constants (as after a `for` binding).
fn constant_args(program: &Program, call: &Call) -> Option<Vec<Value>> {
    let env = Env {
        now: None,
        previous: None,
        before: None,
        after: None,
    };
    args(program, call, env)
}

/// Whether instance `m` fires whenever `at` does and then makes `call` with the arguments
/// `wanted`, seen from the conditions alone: `m`'s category is none or `at`'s, each test of
/// its `when` is one of `at`'s `when` or category's, its `unless` is none or `at`'s, and its
/// calls' arguments are constants. (A sufficient condition; the solver decides the rest.)
fn implies(program: &Program, at: Instance, m: Instance, call: &Call, wanted: &[Value]) -> bool {
    let (rule, other) = (&program.rules[at.0], &program.rules[m.0]);
    let (a, o) = (&rule.instances[at.1], &other.instances[m.1]);
    if other.category.is_some() && other.category != rule.category
        || o.unless
            .as_ref()
            .is_some_and(|u| a.unless.as_ref() != Some(u))
        || !o.then.iter().all(|c| constant_args(program, c).is_some())
        || !o.then.iter().any(|c| {
            c.adjustment == call.adjustment
                && constant_args(program, c).is_some_and(|args| args == wanted)
        })
    {
        return false;
    }
    let category = rule
        .category
        .and_then(|c| program.categories.get(c as usize))
        .map(|c| &c.when);
    let known: Vec<&Expr> = conjuncts(&a.when)
        .chain(category.into_iter().flat_map(conjuncts))
        .collect();
    conjuncts(&o.when).all(|test| known.contains(&test))
}

/// The conjuncts of a condition (itself when it is not an `and`).
fn conjuncts(e: &Expr) -> Box<dyn Iterator<Item = &Expr> + '_> {
    match e {
        Expr::And(items) => Box::new(items.iter().flat_map(conjuncts)),
        other => Box::new(std::iter::once(other)),
    }
}

/// The exact answer for one instance.
enum Exact {
    /// It never fires.
    Never,
    /// Some findings make it fire and make one of its calls that no other rule makes.
    Alone,
    /// Whenever it fires, these rules make its calls too (those the proof needed).
    CoveredBy(Vec<usize>),
}

/// One encoding and one incremental solver for every exact question of a file: the visit's
/// categories and red flags are encoded once, each instance's firing once, and what the
/// solver learns serves the next question.
struct Prover<'p> {
    program: &'p Program,
    encoder: Encoder<'p>,
    visit: VisitLits,
    solver: rustsat_batsat::Solver<Limit>,
    /// Each instance's "fires", once encoded.
    fires: HashMap<Instance, Lit>,
    /// The findings the visit's categories and red flags read.
    visit_reads: Vec<Var>,
}

impl<'p> Prover<'p> {
    fn new(program: &'p Program, domains: &'p Domains) -> Result<Self, TooLarge> {
        let mut encoder = Encoder::with_unexamined(program, domains);
        let visit = encoder.visit_rules()?;
        let mut visit_reads = Vec::new();
        for c in &program.categories {
            variables(program, &c.when, &mut visit_reads);
        }
        for flag in &program.red_flags {
            variables(program, &flag.when, &mut visit_reads);
        }
        Ok(Prover {
            program,
            encoder,
            visit,
            solver: rustsat_batsat::Solver::default(),
            fires: HashMap::default(),
            visit_reads,
        })
    }

    fn fires(&mut self, (r, i): Instance) -> Result<Lit, TooLarge> {
        if let Some(lit) = self.fires.get(&(r, i)) {
            return Ok(*lit);
        }
        let rule = &self.program.rules[r];
        let lit = self
            .encoder
            .fires(&self.visit, rule.category, &rule.instances[i])?;
        self.fires.insert((r, i), lit);
        Ok(lit)
    }

    /// "Instance `at` fires and makes a call of `call`'s adjustment with the arguments
    /// `wanted`".
    fn cover(&mut self, at: Instance, call: &Call, wanted: &[Value]) -> Result<Lit, TooLarge> {
        let fires = self.fires(at)?;
        let program = self.program;
        let mut makes = Vec::new();
        for c in program.rules[at.0].instances[at.1]
            .then
            .iter()
            .filter(|c| c.adjustment == call.adjustment)
        {
            match constant_args(program, c) {
                Some(args) if args == wanted => return Ok(fires),
                Some(_) => {}
                None => makes.push(self.encoder.same_call(c, wanted)?),
            }
        }
        let makes = self.encoder.or(&makes);
        Ok(self.encoder.and(&[fires, makes]))
    }

    /// The findings of the solver's model that a question about `instances` reads (the rest
    /// not examined: they do not change its conditions).
    fn model(&self, instances: &[Instance]) -> Vec<(Var, Value)> {
        let mut reads = self.visit_reads.clone();
        for (r, i) in instances {
            let instance = &self.program.rules[*r].instances[*i];
            variables(self.program, &instance.when, &mut reads);
            if let Some(unless) = &instance.unless {
                variables(self.program, unless, &mut reads);
            }
            for arg in instance.then.iter().flat_map(|c| &c.args) {
                variables(self.program, arg, &mut reads);
            }
        }
        let solver = &self.solver;
        self.encoder
            .model(|lit| solver.lit_val(lit).ok() == Some(TernaryVal::True))
            .into_iter()
            .filter(|(var, _)| reads.contains(var))
            .collect()
    }

    /// Decides one instance exactly, call by call: can it fire while none of the instances
    /// assumed so far makes the call? Findings where it can are evaluated: when no other
    /// rule makes the call there, that is the answer; else the instances that do are assumed
    /// too and the question asked again. `first` are the first instances assumed, per call.
    fn decide(
        &mut self,
        index: &Index,
        blocks: &mut Blocks,
        at: Instance,
        first: Vec<Vec<Instance>>,
    ) -> Result<Exact, Undecided> {
        match self.encode_and_decide(index, blocks, at, first) {
            Ok(answer) => answer,
            Err(TooLarge) => Err(Undecided::TooLarge),
        }
    }

    fn encode_and_decide(
        &mut self,
        index: &Index,
        blocks: &mut Blocks,
        at: Instance,
        first: Vec<Vec<Instance>>,
    ) -> Result<Result<Exact, Undecided>, TooLarge> {
        let program = self.program;
        let instance = &program.rules[at.0].instances[at.1];
        let fires = self.fires(at)?;
        let mut by = Vec::new();
        for (k, (call, mut assumed)) in instance.then.iter().zip(first).enumerate() {
            let Some(wanted) = constant_args(program, call) else {
                continue;
            };
            // Most covers need no solver: another rule's conditions are among this one's.
            if let Some(by_one) = assumed
                .iter()
                .find(|m| implies(program, at, **m, call, &wanted))
            {
                by.push(by_one.0);
                continue;
            }
            let mut lits: Vec<(usize, Lit)> = Vec::with_capacity(assumed.len());
            let mut encoded = 0;
            loop {
                for &other in &assumed[encoded..] {
                    lits.push((other.0, self.cover(other, call, &wanted)?));
                }
                encoded = assumed.len();
                if self.solver.add_cnf(self.encoder.take_clauses()).is_err() {
                    return Err(TooLarge);
                }
                let mut assumptions = vec![fires];
                assumptions.extend(lits.iter().map(|(_, l)| !*l));
                match self.solver.solve_assumps(&assumptions) {
                    Ok(SolverResult::Sat) => {}
                    Ok(SolverResult::Unsat) => {
                        // The rules whose "does not make it" the proof needed (the core holds
                        // the negations of the assumptions it used); none when it never fires.
                        let core = self.solver.core().unwrap_or_default();
                        if !lits.iter().any(|(_, l)| core.contains(l)) {
                            return Ok(Ok(Exact::Never));
                        }
                        by.extend(
                            lits.iter()
                                .filter(|(_, l)| core.contains(l))
                                .map(|(o, _)| *o),
                        );
                        break;
                    }
                    Ok(SolverResult::Interrupted) | Err(_) => return Ok(Err(Undecided::TooHard)),
                }
                let mut question = assumed.clone();
                question.push(at);
                let model = self.model(&question);
                // The encoding says the instance fires there; the evaluator must agree.
                let Some(mut found) = makers(program, index, blocks, at, &model) else {
                    return Ok(Err(Undecided::Unverified));
                };
                let found = std::mem::take(&mut found[k]);
                if found.is_empty() {
                    return Ok(Ok(Exact::Alone));
                }
                let new: Vec<Instance> =
                    found.into_iter().filter(|m| !assumed.contains(m)).collect();
                if new.is_empty() {
                    return Ok(Err(Undecided::Unverified));
                }
                assumed.extend(new);
            }
        }
        Ok(Ok(Exact::CoveredBy(by)))
    }
}
