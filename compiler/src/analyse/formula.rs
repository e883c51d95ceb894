//! Formulas over conditions for `sot diff`'s semantic questions ([`super::compare`]): "the
//! condition is true", "is false", "the value is known", combined with `not`, `all` and
//! `any`. Each is built twice at once: as a literal of the SAT encoding ([`Encoder`]) and as
//! a tree that is evaluated in Kleene logic on findings, to check the solver's model and cut
//! it to a minimal example.

use foldhash::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use rustsat::types::Lit;

use super::domains::{variables, Var};
use super::encode::{Encoder, Rail, TooLarge};
use super::solver::Blocks;
use crate::eval::{truth, value, Env, Tri};
use crate::ir::{Expr, Program, Value};

/// A formula, evaluated on findings.
#[derive(Clone, Debug)]
pub enum F<'a> {
    /// Always true or always false.
    Const(bool),
    /// The condition is true.
    True(&'a Expr),
    /// The condition is false.
    False(&'a Expr),
    /// The value is known.
    Known(&'a Expr),
    /// Negation.
    Not(Rc<F<'a>>),
    /// Conjunction.
    All(Rc<[F<'a>]>),
    /// Disjunction.
    Any(Rc<[F<'a>]>),
}

/// A formula with the literal that encodes it.
#[derive(Clone, Debug)]
pub struct Term<'a> {
    /// True exactly when the formula is (on complete findings).
    pub lit: Lit,
    /// The formula.
    pub f: F<'a>,
}

/// Terms being built over one encoding; each condition is encoded once.
pub struct Builder<'a> {
    /// The clauses.
    pub enc: Encoder<'a>,
    /// Conditions encoded so far, by [`fingerprint`].
    rails: HashMap<u64, Vec<(&'a Expr, Rail)>>,
}

impl<'a> Builder<'a> {
    /// A builder writing into `enc`.
    pub fn new(enc: Encoder<'a>) -> Self {
        Builder {
            enc,
            rails: HashMap::default(),
        }
    }

    /// The condition's rail; a condition equal to one encoded before (the same `when` in
    /// both versions) gets its literals, so that "true in one version and not in the other"
    /// of an unchanged condition is refuted at once, however hard the condition.
    fn rail(&mut self, e: &'a Expr) -> Result<Rail, TooLarge> {
        let key = fingerprint(e);
        if let Some(same) = self.rails.get(&key) {
            if let Some((_, r)) = same.iter().find(|(other, _)| *other == e) {
                return Ok(*r);
            }
        }
        let r = self.enc.condition(e)?;
        self.rails.entry(key).or_default().push((e, r));
        Ok(r)
    }

    /// Always `b`.
    pub fn constant(&mut self, b: bool) -> Term<'a> {
        let top = self.enc.and(&[]);
        Term {
            lit: if b { top } else { !top },
            f: F::Const(b),
        }
    }

    /// `e` is true.
    pub fn is_true(&mut self, e: &'a Expr) -> Result<Term<'a>, TooLarge> {
        Ok(Term {
            lit: self.rail(e)?.t,
            f: F::True(e),
        })
    }

    /// `e` is false.
    pub fn is_false(&mut self, e: &'a Expr) -> Result<Term<'a>, TooLarge> {
        Ok(Term {
            lit: self.rail(e)?.f,
            f: F::False(e),
        })
    }

    /// The value of `e` is known.
    pub fn known(&mut self, e: &'a Expr) -> Result<Term<'a>, TooLarge> {
        let lits: Vec<Lit> = self.enc.value(e)?.iter().map(|(_, l)| *l).collect();
        Ok(Term {
            lit: self.enc.or(&lits),
            f: F::Known(e),
        })
    }

    /// Not `t`.
    pub fn not(&mut self, t: Term<'a>) -> Term<'a> {
        Term {
            lit: !t.lit,
            f: F::Not(Rc::new(t.f)),
        }
    }

    /// All of `ts`.
    pub fn all(&mut self, ts: Vec<Term<'a>>) -> Term<'a> {
        let lits: Vec<Lit> = ts.iter().map(|t| t.lit).collect();
        Term {
            lit: self.enc.and(&lits),
            f: F::All(ts.into_iter().map(|t| t.f).collect()),
        }
    }

    /// Any of `ts`.
    pub fn any(&mut self, ts: Vec<Term<'a>>) -> Term<'a> {
        let lits: Vec<Lit> = ts.iter().map(|t| t.lit).collect();
        Term {
            lit: self.enc.or(&lits),
            f: F::Any(ts.into_iter().map(|t| t.f).collect()),
        }
    }

    /// Exactly one of `a` and `b`.
    pub fn xor(&mut self, a: Term<'a>, b: Term<'a>) -> Term<'a> {
        let (na, nb) = (self.not(a.clone()), self.not(b.clone()));
        let left = self.all(vec![a, nb]);
        let right = self.all(vec![na, b]);
        self.any(vec![left, right])
    }
}

/// A hash of an expression's structure (numbers by their bits).
fn fingerprint(e: &Expr) -> u64 {
    fn walk(e: &Expr, h: &mut impl Hasher) {
        std::mem::discriminant(e).hash(h);
        let value = |v: &Value, h: &mut _| match v {
            Value::None => 0u64.hash(h),
            Value::Num(n) => (n + 0.0).to_bits().hash(h),
        };
        match e {
            Expr::Const(v) => value(v, h),
            Expr::Slot(p, s) => (p, s).hash(h),
            Expr::Test(p, s, op, v) => {
                (p, s, *op as u8).hash(h);
                value(v, h);
            }
            Expr::DynSlot(p, i, args) => {
                (p, i).hash(h);
                args.iter().for_each(|a| walk(a, h));
            }
            Expr::Not(x) => walk(x, h),
            Expr::InSet(x, set) => {
                walk(x, h);
                set.iter().for_each(|v| value(v, h));
            }
            Expr::And(items) | Expr::Or(items) => {
                items.len().hash(h);
                items.iter().for_each(|i| walk(i, h));
            }
            Expr::AtLeast(n, items) | Expr::Table(n, items) => {
                (n, items.len()).hash(h);
                items.iter().for_each(|i| walk(i, h));
            }
            Expr::Compare(op, l, r) => {
                (*op as u8).hash(h);
                walk(l, h);
                walk(r, h);
            }
            Expr::Add(l, r, negate) => {
                negate.hash(h);
                walk(l, h);
                walk(r, h);
            }
        }
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    walk(e, &mut h);
    h.finish()
}

/// The formula's value on findings: Kleene logic when the findings may be partial (true
/// means true whatever the missing findings are); on `complete` findings an unknown
/// condition is neither true nor false, as the encoding has it.
pub fn eval(program: &Program, f: &F, env: Env, complete: bool) -> Tri {
    let atom = |t: Tri| match t {
        Tri::Unknown if complete => Tri::False,
        t => t,
    };
    match f {
        F::Const(b) => tri(*b),
        F::True(e) => atom(truth(program, e, env)),
        F::False(e) => atom(!truth(program, e, env)),
        F::Known(e) => match value(program, e, env) {
            Some(_) => Tri::True,
            None => atom(Tri::Unknown),
        },
        F::Not(x) => !eval(program, x, env, complete),
        F::All(xs) => xs
            .iter()
            .fold(Tri::True, |acc, x| acc & eval(program, x, env, complete)),
        F::Any(xs) => !xs
            .iter()
            .fold(Tri::True, |acc, x| acc & !eval(program, x, env, complete)),
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

/// The findings a formula reads.
pub fn reads(program: &Program, f: &F, out: &mut Vec<Var>) {
    match f {
        F::Const(_) => {}
        F::True(e) | F::False(e) | F::Known(e) => variables(program, e, out),
        F::Not(x) => reads(program, x, out),
        F::All(xs) | F::Any(xs) => xs.iter().for_each(|x| reads(program, x, out)),
    }
}

/// The solver's model cut to a minimal example for `parts` (a conjunction wanted true):
/// each finding is left out when every part that was true on the model stays true without
/// it (so it is true whatever that finding is); a part true only because its findings are
/// complete (an order comparison with `none`, say) keeps all its findings. `None` when the
/// model itself does not make the parts true (a fault of the encoding).
pub fn minimal(
    program: &Program,
    parts: &[F],
    model: Vec<(Var, Value)>,
) -> Option<Vec<(Var, Value)>> {
    let mut read = Vec::new();
    for p in parts {
        reads(program, p, &mut read);
    }
    let mut example: Vec<(Var, Value)> = model
        .into_iter()
        .filter(|(v, _)| read.contains(v))
        .collect();
    let mut blocks = Blocks::new(program.slot_count);
    for (var, value) in &example {
        blocks.put(*var, Some(*value));
    }
    let complete = parts
        .iter()
        .all(|p| eval(program, p, blocks.env(), true) == Tri::True);
    if !complete {
        return None;
    }
    let mut keep: Vec<Var> = Vec::new();
    let mut firm = Vec::with_capacity(parts.len());
    for p in parts {
        let is = eval(program, p, blocks.env(), false) == Tri::True;
        if !is {
            reads(program, p, &mut keep);
        }
        firm.push(is);
    }
    let mut i = 0;
    while i < example.len() {
        let (var, value) = example[i];
        if keep.contains(&var) {
            i += 1;
            continue;
        }
        blocks.put(var, None);
        let still = parts
            .iter()
            .zip(&firm)
            .all(|(p, firm)| !firm || eval(program, p, blocks.env(), false) == Tri::True);
        if still {
            example.remove(i);
        } else {
            blocks.put(var, Some(value));
            i += 1;
        }
    }
    Some(example)
}
