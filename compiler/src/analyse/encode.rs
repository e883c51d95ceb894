//! Conditions over findings as clauses (CNF), for the SAT solver.
//!
//! Every finding is one of its candidate values ([`Domains`]): one literal per value, exactly
//! one of them true. A condition is two literals, `t` (it is true) and `f` (it is false),
//! never both: neither is Kleene's unknown, which complete findings still give (an order
//! comparison with `none`, a table key outside the table). A value (a finding, a sum, a table
//! entry) is its possible values, each with the literal that says the value is that one, at
//! most one of them true (none: unknown). Each definition is an equivalence (Tseitin), so a
//! literal may be used under `not` and in either direction. `at least N of` is a totalizer.

use foldhash::HashMap;

use rustsat::encodings::am1::{Encode as _, Ladder};
use rustsat::encodings::card::{BoundBoth, BoundLower, BoundUpper, Totalizer};
use rustsat::instances::{BasicVarManager, Cnf, ManageVars};
use rustsat::types::{Clause, Lit};

use super::domains::{Domains, Var};
use crate::eval::{compare, Tri};
use crate::ir::{Cmp, Expr, Program, Value};

/// How many clauses one question may take: a guard against hostile input only (the
/// library's questions take tens to thousands).
pub const CLAUSE_LIMIT: usize = 2_000_000;

/// How many value combinations one sum, table lookup or computed argument may enumerate.
const COMBINATION_LIMIT: usize = 100_000;

/// The encoding grew past a limit.
#[derive(Debug)]
pub struct TooLarge;

/// A condition's two literals: true, false (neither: unknown).
#[derive(Clone, Copy, Debug)]
pub struct Rail {
    /// The condition is true.
    pub t: Lit,
    /// The condition is false.
    pub f: Lit,
}

/// A value's possible values, each with its literal; at most one literal is true.
type Dist = Vec<(Value, Lit)>;

/// Clauses being written for one question.
pub struct Encoder<'p> {
    program: &'p Program,
    domains: &'p Domains,
    vm: BasicVarManager,
    cnf: Cnf,
    top: Lit,
    /// Each finding met so far with its values' literals, in order of first use.
    vars: Vec<(Var, Dist)>,
    index: HashMap<Var, usize>,
    /// Whether a finding may also be not examined (no value's literal true), as in a visit.
    unexamined: bool,
}

impl<'p> Encoder<'p> {
    /// An empty encoding over `program`'s findings.
    pub fn new(program: &'p Program, domains: &'p Domains) -> Self {
        let mut vm = BasicVarManager::default();
        let mut cnf = Cnf::new();
        let top = vm.new_lit();
        cnf.add_unit(top);
        Encoder {
            program,
            domains,
            vm,
            cnf,
            top,
            vars: Vec::new(),
            index: HashMap::default(),
            unexamined: false,
        }
    }

    /// The same, where every finding may also be not examined: its conditions are then
    /// unknown, as the runtime evaluates them (Kleene logic).
    pub fn with_unexamined(program: &'p Program, domains: &'p Domains) -> Self {
        Encoder {
            unexamined: true,
            ..Encoder::new(program, domains)
        }
    }

    /// Requires `lit` to be true.
    pub fn require(&mut self, lit: Lit) {
        self.cnf.add_unit(lit);
    }

    /// The clauses written since the last call, to add to an incremental solver.
    pub fn take_clauses(&mut self) -> Cnf {
        std::mem::take(&mut self.cnf)
    }

    /// The findings that have a value in a solver's model (`true_in`: whether a literal is
    /// true in it); findings with none are not examined.
    pub fn model(&self, true_in: impl Fn(Lit) -> bool) -> Vec<(Var, Value)> {
        self.vars
            .iter()
            .filter_map(|(var, dist)| {
                let (value, _) = dist.iter().find(|(_, lit)| true_in(*lit))?;
                Some((*var, *value))
            })
            .collect()
    }

    /// The clauses written, to hand to a solver.
    pub fn into_parts(self) -> (Cnf, Vec<(Var, Dist)>) {
        (self.cnf, self.vars)
    }

    fn check_size(&self) -> Result<(), TooLarge> {
        if self.cnf.len() > CLAUSE_LIMIT {
            Err(TooLarge)
        } else {
            Ok(())
        }
    }

    fn fresh(&mut self) -> Lit {
        self.vm.new_lit()
    }

    /// A literal equivalent to the conjunction.
    pub fn and(&mut self, lits: &[Lit]) -> Lit {
        let (top, bottom) = (self.top, !self.top);
        let mut parts: Vec<Lit> = lits.iter().copied().filter(|l| *l != top).collect();
        parts.sort_unstable();
        parts.dedup();
        if parts.contains(&bottom) || parts.windows(2).any(|w| w[0] == !w[1]) {
            return bottom;
        }
        match parts.as_slice() {
            [] => top,
            [one] => *one,
            _ => {
                let y = self.fresh();
                let mut back: Clause = parts.iter().map(|l| !*l).collect();
                back.add(y);
                for l in &parts {
                    self.cnf.add_binary(!y, *l);
                }
                self.cnf.add_clause(back);
                y
            }
        }
    }

    /// A literal equivalent to the disjunction.
    pub fn or(&mut self, lits: &[Lit]) -> Lit {
        let negated: Vec<Lit> = lits.iter().map(|l| !*l).collect();
        !self.and(&negated)
    }

    /// A literal equivalent to "at least `n` of `lits` are true".
    pub fn at_least(&mut self, n: usize, lits: &[Lit]) -> Result<Lit, TooLarge> {
        if n == 0 {
            return Ok(self.top);
        }
        if n > lits.len() {
            return Ok(!self.top);
        }
        if n == 1 {
            return Ok(self.or(lits));
        }
        if n == lits.len() {
            return Ok(self.and(lits));
        }
        let mut totalizer: Totalizer = lits.iter().copied().collect();
        totalizer
            .encode_both(n - 1..=n, &mut self.cnf, &mut self.vm)
            .map_err(|_| TooLarge)?;
        let lower = totalizer.enforce_lb(n).map_err(|_| TooLarge)?;
        let upper = totalizer.enforce_ub(n - 1).map_err(|_| TooLarge)?;
        // `lower` forces at least n, `upper` at most n - 1: the literal is the first, and
        // when it is false, the second holds.
        let y = self.and(&lower);
        for u in upper {
            self.cnf.add_binary(y, u);
        }
        self.check_size()?;
        Ok(y)
    }

    /// The values of a finding.
    pub fn finding(&mut self, var: Var) -> Result<Dist, TooLarge> {
        if let Some(i) = self.index.get(&var) {
            return Ok(self.vars[*i].1.clone());
        }
        let values = self.domains.candidates(self.program, var.1);
        let dist: Dist = match &values[..] {
            [] => Vec::new(),
            [one] if !self.unexamined => vec![(*one, self.top)],
            _ => {
                let lits: Vec<Lit> = values.iter().map(|_| self.fresh()).collect();
                if !self.unexamined {
                    self.cnf.add_clause(lits.iter().copied().collect());
                }
                let mut amo: Ladder = lits.iter().copied().collect();
                amo.encode(&mut self.cnf, &mut self.vm)
                    .map_err(|_| TooLarge)?;
                values.iter().copied().zip(lits).collect()
            }
        };
        self.check_size()?;
        self.index.insert(var, self.vars.len());
        self.vars.push((var, dist.clone()));
        Ok(dist)
    }

    /// The two literals of a condition.
    pub fn condition(&mut self, e: &Expr) -> Result<Rail, TooLarge> {
        let rail = match e {
            Expr::Not(inner) => {
                let r = self.condition(inner)?;
                Rail { t: r.f, f: r.t }
            }
            Expr::And(items) | Expr::Or(items) => {
                let rails = items
                    .iter()
                    .map(|i| self.condition(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let ts: Vec<Lit> = rails.iter().map(|r| r.t).collect();
                let fs: Vec<Lit> = rails.iter().map(|r| r.f).collect();
                if matches!(e, Expr::And(_)) {
                    Rail {
                        t: self.and(&ts),
                        f: self.or(&fs),
                    }
                } else {
                    Rail {
                        t: self.or(&ts),
                        f: self.and(&fs),
                    }
                }
            }
            Expr::AtLeast(n, items) => {
                let rails = items
                    .iter()
                    .map(|i| self.condition(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let ts: Vec<Lit> = rails.iter().map(|r| r.t).collect();
                let fs: Vec<Lit> = rails.iter().map(|r| r.f).collect();
                let n = *n as usize;
                // False when fewer than n can still be true: more than len - n are false.
                let t = self.at_least(n, &ts)?;
                let f = match (items.len() + 1).checked_sub(n) {
                    Some(m) => self.at_least(m, &fs)?,
                    None => self.top,
                };
                Rail { t, f }
            }
            Expr::Test(phase, slot, op, constant) => {
                let dist = self.finding((*phase, *slot))?;
                self.compare_dist(&dist, |v| compare(*op, v, *constant))
            }
            Expr::Compare(op, l, r) => {
                let (l, r) = (self.value(l)?, self.value(r)?);
                let mut ts = Vec::new();
                let mut fs = Vec::new();
                combinations(l.len(), r.len())?;
                for (a, la) in &l {
                    for (b, lb) in &r {
                        match compare(*op, *a, *b) {
                            Tri::True => ts.push(self.and(&[*la, *lb])),
                            Tri::False => fs.push(self.and(&[*la, *lb])),
                            Tri::Unknown => {}
                        }
                    }
                }
                Rail {
                    t: self.or(&ts),
                    f: self.or(&fs),
                }
            }
            Expr::InSet(x, set) => {
                let dist = self.value(x)?;
                self.compare_dist(&dist, |v| {
                    if set.iter().any(|s| compare(Cmp::Eq, v, *s) == Tri::True) {
                        Tri::True
                    } else {
                        Tri::False
                    }
                })
            }
            // A plain value as a condition: a yes/no finding (`none` and 0 are false).
            other => {
                let dist = self.value(other)?;
                self.compare_dist(&dist, |v| match v {
                    Value::Num(n) if n != 0.0 => Tri::True,
                    _ => Tri::False,
                })
            }
        };
        self.check_size()?;
        Ok(rail)
    }

    fn compare_dist(&mut self, dist: &Dist, test: impl Fn(Value) -> Tri) -> Rail {
        let mut ts = Vec::new();
        let mut fs = Vec::new();
        for (v, l) in dist {
            match test(*v) {
                Tri::True => ts.push(*l),
                Tri::False => fs.push(*l),
                Tri::Unknown => {}
            }
        }
        Rail {
            t: self.or(&ts),
            f: self.or(&fs),
        }
    }

    /// The possible values of an expression.
    pub fn value(&mut self, e: &Expr) -> Result<Dist, TooLarge> {
        let dist = match e {
            Expr::Const(v) => vec![(*v, self.top)],
            Expr::Slot(phase, slot) => self.finding((*phase, *slot))?,
            Expr::DynSlot(phase, indicator, args) => {
                let Some(ind) = self.program.indicators.get(*indicator as usize) else {
                    return Ok(Vec::new());
                };
                let domains: Vec<_> = ind.params.iter().map(|(_, d)| d.clone()).collect();
                let first = ind.first_slot;
                let mut cases = Vec::new();
                for (index, lit) in self.keys(&domains, args)? {
                    for (v, l) in self.finding((*phase, first + index))? {
                        cases.push((v, self.and(&[lit, l])));
                    }
                }
                self.merge(cases)
            }
            Expr::Add(l, r, negate) => {
                let (l, r) = (self.value(l)?, self.value(r)?);
                combinations(l.len(), r.len())?;
                let mut cases = Vec::new();
                for (a, la) in &l {
                    for (b, lb) in &r {
                        if let (Value::Num(a), Value::Num(b)) = (a, b) {
                            let sum = if *negate { a - b } else { a + b };
                            cases.push((Value::Num(sum), self.and(&[*la, *lb])));
                        }
                    }
                }
                self.merge(cases)
            }
            Expr::Table(id, args) => {
                let Some(table) = self.program.tables.get(*id as usize) else {
                    return Ok(Vec::new());
                };
                let mut cases = Vec::new();
                for (index, lit) in self.keys(&table.params, args)? {
                    if let Some(v) = table.entries.get(index as usize) {
                        cases.push((*v, lit));
                    }
                }
                self.merge(cases)
            }
            // A condition as a value: 1 or 0.
            other => {
                let r = self.condition(other)?;
                vec![(Value::Num(1.0), r.t), (Value::Num(0.0), r.f)]
            }
        };
        self.check_size()?;
        Ok(dist)
    }

    /// Every key the arguments can make (its mixed-radix index in `domains`), with its
    /// literal; a key outside the domains is left out (unknown).
    fn keys(
        &mut self,
        domains: &[sot_ir::Domain],
        args: &[Expr],
    ) -> Result<Vec<(u32, Lit)>, TooLarge> {
        let mut keys = vec![(0u32, self.top)];
        for (domain, arg) in domains.iter().zip(args) {
            let dist = self.value(arg)?;
            combinations(keys.len(), dist.len())?;
            let mut next = Vec::new();
            for (index, lit) in &keys {
                for (v, l) in &dist {
                    let Some(i) = domain.index(*v) else { continue };
                    let Some(key) = index
                        .checked_mul(domain.size)
                        .and_then(|k| k.checked_add(i))
                    else {
                        continue;
                    };
                    next.push((key, self.and(&[*lit, *l])));
                }
            }
            keys = next;
        }
        Ok(keys)
    }

    /// Cases of equal values joined (their literals `or`ed).
    fn merge(&mut self, cases: Vec<(Value, Lit)>) -> Dist {
        let mut groups: Vec<(Value, Vec<Lit>)> = Vec::new();
        let mut at: HashMap<Option<u64>, usize> = HashMap::default();
        for (v, l) in cases {
            let key = match v {
                Value::None => None,
                Value::Num(n) => Some((n + 0.0).to_bits()),
            };
            match at.get(&key) {
                Some(i) => groups[*i].1.push(l),
                None => {
                    at.insert(key, groups.len());
                    groups.push((v, vec![l]));
                }
            }
        }
        groups
            .into_iter()
            .map(|(v, lits)| (v, self.or(&lits)))
            .collect()
    }
}

/// The visit's decisions that every rule depends on (`runtime/src/visit.rs`).
pub struct VisitLits {
    /// Per category: it is one of the visit's categories (true, and nothing that outranks it
    /// is true).
    named: Vec<Lit>,
    /// Several categories are named and no `coexist` line names them all.
    ambiguous: Lit,
    /// No red flag is raised.
    quiet: Lit,
}

impl Encoder<'_> {
    /// The categories and red flags of a visit.
    pub fn visit_rules(&mut self) -> Result<VisitLits, TooLarge> {
        let program = self.program;
        let truths = program
            .categories
            .iter()
            .map(|c| Ok(self.condition(&c.when)?.t))
            .collect::<Result<Vec<Lit>, TooLarge>>()?;
        let mut named = Vec::with_capacity(truths.len());
        for (c, t) in truths.iter().enumerate() {
            let mut parts = vec![*t];
            parts.extend(
                truths
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != c && program.outranks[*o][c])
                    .map(|(_, o)| !*o),
            );
            named.push(self.and(&parts));
        }
        let several = self.at_least(2, &named)?;
        let mut parts = vec![several];
        for line in &program.coexist {
            let outside: Vec<Lit> = named
                .iter()
                .enumerate()
                .filter(|(c, _)| !line.categories.contains(&(*c as u32)))
                .map(|(_, n)| !*n)
                .collect();
            let covered = self.and(&outside);
            parts.push(!covered);
        }
        let ambiguous = self.and(&parts);
        let mut quiet = Vec::with_capacity(program.red_flags.len());
        for flag in &program.red_flags {
            let when = self.condition(&flag.when)?.t;
            let bound = flag
                .category
                .and_then(|c| named.get(c as usize).copied())
                .unwrap_or(self.top);
            let raised = self.and(&[when, bound]);
            quiet.push(!raised);
        }
        let quiet = self.and(&quiet);
        Ok(VisitLits {
            named,
            ambiguous,
            quiet,
        })
    }

    /// A rule instance fires: `when` true, `unless` false, its category the visit's and not
    /// tied, no red flag raised, every argument known.
    pub fn fires(
        &mut self,
        visit: &VisitLits,
        category: Option<u32>,
        instance: &sot_ir::RuleInstance,
    ) -> Result<Lit, TooLarge> {
        let mut parts = vec![self.condition(&instance.when)?.t, visit.quiet];
        if let Some(unless) = &instance.unless {
            parts.push(self.condition(unless)?.f);
        }
        if let Some(c) = category {
            let named = visit.named.get(c as usize).copied().unwrap_or(!self.top);
            parts.extend([named, !visit.ambiguous]);
        }
        for call in &instance.then {
            for arg in &call.args {
                let dist = self.value(arg)?;
                let lits: Vec<Lit> = dist.iter().map(|(_, l)| *l).collect();
                parts.push(self.or(&lits));
            }
        }
        Ok(self.and(&parts))
    }

    /// The call's arguments are `args`.
    pub fn same_call(&mut self, call: &sot_ir::Call, args: &[Value]) -> Result<Lit, TooLarge> {
        let mut parts = Vec::with_capacity(args.len());
        for (arg, wanted) in call.args.iter().zip(args) {
            let dist = self.value(arg)?;
            let rail = self.compare_dist(&dist, |v| compare(Cmp::Eq, v, *wanted));
            parts.push(rail.t);
        }
        Ok(self.and(&parts))
    }
}

/// Refuses an enumeration of more than [`COMBINATION_LIMIT`] pairs.
fn combinations(a: usize, b: usize) -> Result<(), TooLarge> {
    if a.saturating_mul(b) > COMBINATION_LIMIT {
        Err(TooLarge)
    } else {
        Ok(())
    }
}
