//! `sot diff`'s semantic difference, exact, by the solver: for each category, red flag and
//! rule of both versions (matched by name), findings under which the old version holds and
//! the new one does not, and the reverse (neither: equivalent; one: narrower or wider; both:
//! incomparable); and the findings under which the visit's category changes, one example
//! per change. Both versions are encoded over one set of finding variables ([`Shared`]);
//! the findings are complete, as in the other analyses (every finding has a value, `none`
//! included; a condition can still be unknown, say an order comparison with `none`), and
//! "holds" means true. Examples are minimal and checked on the formulas here; the runtime
//! runs both versions on them (`sot_runtime::diff::semantic`).
//!
//! What holds means, per item, as the runtime evaluates a visit:
//! - a category: its `when` is true;
//! - a red flag: its `when` is true and, when it is bound to a category, that category is
//!   one of the visit's (true, and no category that outranks it is true);
//! - a rule, as a whole (not per binding): one of its bindings fires: the visit is in its
//!   category (if it has one; not ambiguous), its `when` is true, its `unless` false, and
//!   every argument of its `then` known. Rules are compared where neither version raises a
//!   red flag (a raised red flag suspends every rule; a red flag's change is its own item).

use std::collections::HashMap;

use rustsat::solvers::{Solve, SolveIncremental, SolverResult};
use rustsat::types::{Clause, Lit, TernaryVal};
use sot_ir::compare::{CategoryChanges, Compared, Comparison, ItemComparison, Question};

use super::domains::{Domains, Var};
use super::encode::{Encoder, TooLarge, CLAUSE_LIMIT};
use super::formula::{minimal, Builder, Term, F};
use super::shared::Shared;
use super::solver::{distinct_hints, Limit, Undecided, Want};
use crate::eval::Tri;
use crate::ir::{Expr, Program, Value};

/// One rule binding's conditions.
struct Instance {
    when: Expr,
    unless: Option<Expr>,
    args: Vec<Expr>,
}

/// One version: its program (precedence, `coexist` lines, `in category`) and its conditions
/// in the shared slots.
struct Version<'p> {
    program: &'p Program,
    categories: Vec<Expr>,
    red_flags: Vec<Expr>,
    rules: Vec<Vec<Instance>>,
}

impl<'p> Version<'p> {
    fn new(program: &'p Program, rewrite: impl Fn(&Expr) -> Expr) -> Self {
        Version {
            program,
            categories: program
                .categories
                .iter()
                .map(|c| rewrite(&c.when))
                .collect(),
            red_flags: program.red_flags.iter().map(|r| rewrite(&r.when)).collect(),
            rules: program
                .rules
                .iter()
                .map(|r| {
                    r.instances
                        .iter()
                        .map(|i| Instance {
                            when: rewrite(&i.when),
                            unless: i.unless.as_ref().map(&rewrite),
                            args: i
                                .then
                                .iter()
                                .flat_map(|c| c.args.iter().map(&rewrite))
                                .collect(),
                        })
                        .collect()
                })
                .collect(),
        }
    }

    fn category(&self, name: &str) -> Option<usize> {
        self.program.categories.iter().position(|c| c.name == name)
    }

    /// Category `c` is true and none that outranks it is.
    fn chosen<'a>(&'a self, b: &mut Builder<'a>, c: usize) -> Result<Term<'a>, TooLarge> {
        let mut parts = vec![b.is_true(&self.categories[c])?];
        for (o, when) in self.categories.iter().enumerate() {
            if o != c && self.program.outranks[o][c] {
                let t = b.is_true(when)?;
                parts.push(b.not(t));
            }
        }
        Ok(b.all(parts))
    }

    /// Every category's [`Version::chosen`].
    fn chosen_all<'a>(&'a self, b: &mut Builder<'a>) -> Result<Vec<Term<'a>>, TooLarge> {
        (0..self.categories.len())
            .map(|d| self.chosen(b, d))
            .collect()
    }

    /// Category `c` is one of the visit's categories: chosen, alone or with the others
    /// chosen all on one `coexist` line with it (`chosen`: [`Version::chosen_all`]).
    fn visit_in<'a>(&'a self, b: &mut Builder<'a>, c: usize, chosen: &[Term<'a>]) -> Term<'a> {
        let none_but = |b: &mut Builder<'a>, allowed: &dyn Fn(usize) -> bool| {
            let parts = chosen
                .iter()
                .enumerate()
                .filter(|(d, _)| !allowed(*d))
                .map(|(_, t)| b.not(t.clone()))
                .collect();
            b.all(parts)
        };
        let mut ways = vec![none_but(b, &|d| d == c)];
        for line in &self.program.coexist {
            if line.categories.contains(&(c as u32)) {
                ways.push(none_but(b, &|d| line.categories.contains(&(d as u32))));
            }
        }
        let together = b.any(ways);
        b.all(vec![chosen[c].clone(), together])
    }

    /// Red flag `r` is raised.
    fn raised<'a>(&'a self, b: &mut Builder<'a>, r: usize) -> Result<Term<'a>, TooLarge> {
        let mut parts = vec![b.is_true(&self.red_flags[r])?];
        if let Some(c) = self.program.red_flags[r].category {
            parts.push(self.chosen(b, c as usize)?);
        }
        Ok(b.all(parts))
    }

    /// No red flag is raised.
    fn calm<'a>(&'a self, b: &mut Builder<'a>) -> Result<Term<'a>, TooLarge> {
        let mut parts = Vec::with_capacity(self.red_flags.len());
        for r in 0..self.red_flags.len() {
            let t = self.raised(b, r)?;
            parts.push(b.not(t));
        }
        Ok(b.all(parts))
    }

    /// One of rule `r`'s bindings fires (no red flag considered).
    fn fires<'a>(&'a self, b: &mut Builder<'a>, r: usize) -> Result<Term<'a>, TooLarge> {
        let gate = match self.program.rules[r].category {
            Some(c) => {
                let chosen = self.chosen_all(b)?;
                Some(self.visit_in(b, c as usize, &chosen))
            }
            None => None,
        };
        let mut any = Vec::with_capacity(self.rules[r].len());
        for instance in &self.rules[r] {
            let mut parts: Vec<Term> = gate.iter().cloned().collect();
            parts.push(b.is_true(&instance.when)?);
            if let Some(u) = &instance.unless {
                parts.push(b.is_false(u)?);
            }
            for a in &instance.args {
                parts.push(b.known(a)?);
            }
            any.push(b.all(parts));
        }
        Ok(b.any(any))
    }

    /// Whether item `i` of `kind` holds, with what it must hold beside (rules: no red flag).
    fn holds<'a>(
        &'a self,
        b: &mut Builder<'a>,
        kind: Compared,
        i: usize,
    ) -> Result<(Term<'a>, Option<Term<'a>>), TooLarge> {
        Ok(match kind {
            Compared::Category => (b.is_true(&self.categories[i])?, None),
            Compared::RedFlag => (self.raised(b, i)?, None),
            Compared::Rule => (self.fires(b, i)?, Some(self.calm(b)?)),
        })
    }
}

/// The semantic difference of two versions of a protocol: every category, red flag and rule
/// of both, and the visit's category. Every question ends with an answer, or with
/// `Undecided` when a guard against hostile input stopped it.
pub fn compare_programs(old: &Program, new: &Program) -> Comparison {
    let shared = Shared::new(old, new);
    let domains = Domains::of_both(&shared.program, old, new);
    let o = Version::new(old, Expr::clone);
    let n = Version::new(new, |e| shared.expr(e));
    let mut items = Vec::new();
    let pairs = |kind: Compared, names: &dyn Fn(&Program) -> Vec<&str>| {
        let before: HashMap<&str, usize> = names(old)
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, i))
            .collect();
        names(new)
            .into_iter()
            .enumerate()
            .filter_map(|(j, name)| {
                let i = *before.get(name)?;
                Some((kind, name.to_string(), i, j))
            })
            .collect::<Vec<_>>()
    };
    let mut all = pairs(Compared::Category, &|p| {
        p.categories.iter().map(|c| c.name.as_str()).collect()
    });
    all.extend(pairs(Compared::RedFlag, &|p| {
        p.red_flags.iter().map(|c| c.name.as_str()).collect()
    }));
    all.extend(pairs(Compared::Rule, &|p| {
        p.rules.iter().map(|c| c.name.as_str()).collect()
    }));
    for (kind, name, i, j) in all {
        let (dropped, added) = match item(&shared, &domains, (&o, &n), kind, (i, j)) {
            Ok(answers) => answers,
            Err(TooLarge) => {
                let why = Undecided::TooLarge.words().to_string();
                (Question::Undecided(why.clone()), Question::Undecided(why))
            }
        };
        items.push(ItemComparison {
            kind,
            name,
            old: i as u32,
            new: j as u32,
            dropped,
            added,
        });
    }
    let category = match visit_category(&shared, &domains, (&o, &n)) {
        Ok(changes) => changes,
        Err(TooLarge) => CategoryChanges {
            examples: Vec::new(),
            rest: Question::Undecided(Undecided::TooLarge.words().to_string()),
        },
    };
    Comparison {
        items,
        category,
        apart: shared.apart.clone(),
    }
}

type Sat = rustsat_batsat::Solver<Limit>;

/// The two questions of one item: findings under which it holds in the old version only,
/// and in the new only.
fn item(
    shared: &Shared,
    domains: &Domains,
    (o, n): (&Version, &Version),
    kind: Compared,
    (i, j): (usize, usize),
) -> Result<(Question, Question), TooLarge> {
    let mut b = Builder::new(Encoder::new(&shared.program, domains));
    let (old_holds, old_beside) = o.holds(&mut b, kind, i)?;
    let (new_holds, new_beside) = n.holds(&mut b, kind, j)?;
    let beside: Vec<Term> = old_beside.into_iter().chain(new_beside).collect();
    let (dropped_lit, dropped) = goal(&mut b, &old_holds, &new_holds, &beside)?;
    let (added_lit, added) = goal(&mut b, &new_holds, &old_holds, &beside)?;
    // An unchanged item: both questions false by their encoding alone (the same literals
    // in both versions), no solver needed.
    let never = b.constant(false).lit;
    if dropped_lit == never && added_lit == never {
        return Ok((Question::Never, Question::Never));
    }
    let (cnf, vars) = b.enc.into_parts();
    let mut sat = Sat::default();
    if sat.add_cnf(cnf).is_err() {
        return Err(TooLarge);
    }
    let mut ask = |lit: Lit, parts: &[F]| match solve(&mut sat, lit, &vars) {
        Ok(Some(model)) => example(shared, parts, model),
        Ok(None) => Question::Never,
        Err(why) => Question::Undecided(why.words().to_string()),
    };
    Ok((ask(dropped_lit, &dropped), ask(added_lit, &added)))
}

/// `yes` holds, `no` does not, and everything `beside` holds: its literal and its parts.
/// The pigeonhole hints of the conditions it requires ([`distinct_hints`]) hold under its
/// literal.
fn goal<'a>(
    b: &mut Builder<'a>,
    yes: &Term<'a>,
    no: &Term<'a>,
    beside: &[Term<'a>],
) -> Result<(Lit, Vec<F<'a>>), TooLarge> {
    let not = b.not(no.clone());
    let mut terms = vec![yes.clone(), not];
    terms.extend(beside.iter().cloned());
    let parts: Vec<F> = terms.iter().map(|t| t.f.clone()).collect();
    let lit = b.all(terms).lit;
    let mut required = Vec::new();
    for p in &parts {
        requires(p, true, &mut required);
    }
    for hint in distinct_hints(&mut b.enc, &required)? {
        let implied = b.enc.or(&[!lit, hint]);
        b.enc.require(implied);
    }
    Ok((lit, parts))
}

/// The conditions a formula requires true or false when it is `wanted` (below `all`, `not`
/// and one-armed `any`).
fn requires<'a>(f: &F<'a>, wanted: bool, out: &mut Vec<(&'a Expr, Want)>) {
    match (f, wanted) {
        (F::True(e), true) => out.push((e, Want::Is(Tri::True))),
        (F::False(e), true) => out.push((e, Want::Is(Tri::False))),
        (F::Not(x), _) => requires(x, !wanted, out),
        (F::All(xs), true) | (F::Any(xs), false) => {
            xs.iter().for_each(|x| requires(x, wanted, out));
        }
        (F::Any(xs), true) | (F::All(xs), false) if xs.len() == 1 => {
            requires(&xs[0], wanted, out);
        }
        _ => {}
    }
}

/// The model cut to a minimal example, in each version's slots.
fn example(shared: &Shared, parts: &[F], model: Vec<(Var, Value)>) -> Question {
    match minimal(&shared.program, parts, model) {
        Some(found) => Question::Example(shared.split(&found)),
        None => Question::Undecided(Undecided::Unverified.words().to_string()),
    }
}

/// Solves under the assumption `lit`: the model's findings, or `None` when unsatisfiable.
fn solve(
    sat: &mut Sat,
    lit: Lit,
    vars: &[(Var, Vec<(Value, Lit)>)],
) -> Result<Option<Vec<(Var, Value)>>, Undecided> {
    if sat.reserve(lit.var()).is_err() {
        return Err(Undecided::TooLarge);
    }
    match sat.solve_assumps(&[lit]) {
        Ok(SolverResult::Sat) => {}
        Ok(SolverResult::Unsat) => return Ok(None),
        Ok(SolverResult::Interrupted) | Err(_) => return Err(Undecided::TooHard),
    }
    let model = vars
        .iter()
        .filter_map(|(var, dist)| {
            dist.iter()
                .find(|(_, l)| sat.lit_val(*l).ok() == Some(TernaryVal::True))
                .map(|(value, _)| (*var, *value))
        })
        .collect();
    Ok(Some(model))
}

/// The visit's category as a whole: one example for each change of the visit's categories
/// (which categories are chosen in each version decides it), up to
/// [`Comparison::CATEGORY_CHANGES`], then whether there is another.
fn visit_category(
    shared: &Shared,
    domains: &Domains,
    (o, n): (&Version, &Version),
) -> Result<CategoryChanges, TooLarge> {
    // Each category's "one of the visit's" reads every other's "chosen", per `coexist` line:
    // a guard against hostile input (thousands of categories).
    let size = |v: &Version| v.categories.len().pow(2) * (1 + v.program.coexist.len());
    if size(o) + size(n) > CLAUSE_LIMIT {
        return Err(TooLarge);
    }
    let mut b = Builder::new(Encoder::new(&shared.program, domains));
    let mut names: Vec<&str> = o
        .program
        .categories
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    for c in &n.program.categories {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    // Per category name: chosen in each version, and one of the visit's in each.
    let all = [o.chosen_all(&mut b)?, n.chosen_all(&mut b)?];
    let mut chosen: Vec<Term> = Vec::new();
    let mut differ = Vec::new();
    for name in &names {
        let mut pair = Vec::with_capacity(2);
        for (v, all) in [o, n].into_iter().zip(&all) {
            pair.push(match v.category(name) {
                Some(c) => (all[c].clone(), v.visit_in(&mut b, c, all)),
                None => (b.constant(false), b.constant(false)),
            });
        }
        let [(co, io), (cn, inn)] = [pair[0].clone(), pair[1].clone()];
        let a = b.xor(co.clone(), cn.clone());
        let c = b.xor(io, inn);
        differ.push(a);
        differ.push(c);
        chosen.push(co);
        chosen.push(cn);
    }
    let changes = b.any(differ);
    let (cnf, vars) = b.enc.into_parts();
    let mut sat = Sat::default();
    if sat.add_cnf(cnf).is_err() {
        return Err(TooLarge);
    }
    let mut examples = Vec::new();
    loop {
        let model = match solve(&mut sat, changes.lit, &vars) {
            Ok(Some(model)) => model,
            Ok(None) => {
                return Ok(CategoryChanges {
                    examples,
                    rest: Question::Never,
                })
            }
            Err(why) => {
                return Ok(CategoryChanges {
                    examples,
                    rest: Question::Undecided(why.words().to_string()),
                })
            }
        };
        // This change: which categories are chosen in each version, as the model has it.
        let mut parts = Vec::with_capacity(chosen.len());
        let mut block = Clause::new();
        for t in &chosen {
            let on = sat.lit_val(t.lit).ok() == Some(TernaryVal::True);
            parts.push(if on {
                t.f.clone()
            } else {
                F::Not(t.f.clone().into())
            });
            block.add(if on { !t.lit } else { t.lit });
        }
        let found = example(shared, &parts, model);
        if examples.len() == Comparison::CATEGORY_CHANGES {
            return Ok(CategoryChanges {
                examples,
                rest: found,
            });
        }
        match found {
            Question::Example(e) => examples.push(e),
            other => {
                return Ok(CategoryChanges {
                    examples,
                    rest: other,
                })
            }
        }
        if sat.add_clause(block).is_err() {
            return Err(TooLarge);
        }
    }
}
