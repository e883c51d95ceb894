//! The most informative next examination: among the findings not yet examined that the
//! protocol's categories, red flags and rules read, the one whose value can change the most
//! of the visit's outcomes (the category, each red flag, each rule binding), given what has
//! been revealed. Computed exactly: the visit is evaluated with every unrevealed finding
//! unknown (Kleene), then once per possible value of the candidate (every value of a
//! yes/no, side or enum finding, and of a small integer range; for other numbers, a value
//! in each interval the protocol's constants cut, and the constants themselves), and each
//! outcome is compared with the one without it. The recorded value is never read.

use serde::Serialize;
use sot_ir::{Expr, Findings, Program, Value, ValueType};

use super::Session;
use crate::evaluate::{support, Env, FindingRef, Tri};
use crate::explain::binding;
use crate::visit::{could_change, RuleState, VisitState};

/// Integer indicators with at most this many values are tried at every value.
const ENUMERATED: f64 = 64.0;

/// An outcome of the visit that a finding's value can change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Changed {
    /// The visit's category (or whether it is provisional).
    Category,
    /// A red flag: raised, ruled out or not ruled out.
    RedFlag {
        /// Its name.
        name: String,
    },
    /// A rule binding: whether it fires (what the protocol recommends), is withheld,
    /// suspended, or undecided.
    Rule {
        /// Its name.
        name: String,
        /// Its `for` binding, as `name = value`.
        binding: Vec<String>,
    },
}

/// A finding worth examining next.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hint {
    /// The finding as a case writes it.
    pub finding: String,
    /// Its slot (what `Session::examine_slot` takes).
    pub slot: u32,
    /// The outcomes some value of it changes, category first, then red flags, then rules.
    pub changes: Vec<Changed>,
}

impl Hint {
    /// Whether some value of it changes a red flag.
    pub fn changes_red_flag(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Changed::RedFlag { .. }))
    }
}

/// The findings worth examining next, best first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HintReport {
    /// Every finding not yet examined whose value can change an outcome, ranked by how many
    /// outcomes it can change, then whether it can change a red flag, then the protocol's
    /// order of findings. Empty: nothing left can change the outcome.
    pub ranked: Vec<Hint>,
    /// When no finding changes an outcome on its own but the outcome is still undecided
    /// (a category that could change it, a red flag or a rule binding unknown): the
    /// findings not yet examined that decide it only together, in the protocol's order.
    pub together: Vec<String>,
    /// Indicators compared with other findings or computed into arguments and tables
    /// while their values were tried only where the protocol's constants cut them: for
    /// these the ranking may miss a value that matters (empty when it is exact).
    pub approximate: Vec<String>,
}

impl HintReport {
    /// The most informative next examination, if a finding left can change an outcome on
    /// its own.
    pub fn best(&self) -> Option<&Hint> {
        self.ranked.first()
    }
}

impl Session<'_> {
    /// The most informative next examinations (see the module's documentation).
    pub fn hint(&self) -> HintReport {
        let program = self.program;
        let reads = Reads::of(program);
        let base = self.evaluate_revealed(&self.revealed);
        let mut work: Findings = self.revealed.clone();
        let mut ranked = Vec::new();
        let mut approximate: Vec<String> = Vec::new();
        for (slot, read) in reads.slots.iter().enumerate() {
            let slot = slot as u32;
            if !read || self.examined.contains(&(None, slot)) {
                continue;
            }
            let Some(ind) = program.slot_indicator.get(slot as usize).copied() else {
                continue;
            };
            let (values, exact) = reads.values(program, ind);
            if !exact {
                if let Some(name) = program.indicators.get(ind as usize).map(|i| &i.name) {
                    if !approximate.contains(name) {
                        approximate.push(name.clone());
                    }
                }
            }
            let mut changes: Vec<Changed> = Vec::new();
            for v in values {
                if let Some(cell) = work.slots.get_mut(slot as usize) {
                    *cell = Some(v);
                }
                let state = self.evaluate_revealed(&work);
                for c in changed(program, &base, &state) {
                    if !changes.contains(&c) {
                        changes.push(c);
                    }
                }
            }
            if let Some(cell) = work.slots.get_mut(slot as usize) {
                *cell = None;
            }
            if !changes.is_empty() {
                changes.sort();
                ranked.push(Hint {
                    finding: self.show(None, slot),
                    slot,
                    changes,
                });
            }
        }
        ranked.sort_by(|a, b| {
            b.changes
                .len()
                .cmp(&a.changes.len())
                .then(b.changes_red_flag().cmp(&a.changes_red_flag()))
                .then(a.slot.cmp(&b.slot))
        });
        let together = if ranked.is_empty() {
            self.undecided_by(&base)
                .into_iter()
                .map(|slot| self.show(None, slot))
                .collect()
        } else {
            Vec::new()
        };
        HintReport {
            ranked,
            together,
            approximate,
        }
    }

    /// The findings not yet examined that the visit's undecided outcomes read.
    fn undecided_by(&self, base: &VisitState) -> Vec<u32> {
        let program = self.program;
        let previous = self.previous.as_ref().map(|(f, _)| f);
        let env = Env::visit(&self.revealed, previous);
        let mut refs: Vec<FindingRef> = Vec::new();
        for (u, category) in program.categories.iter().enumerate() {
            if base.categories.get(u) == Some(&Tri::Unknown)
                && could_change(program, &base.category, u)
            {
                support(program, &category.when, env, &mut refs);
            }
        }
        for (flag, t) in program.red_flags.iter().zip(&base.red_flags) {
            if *t == Tri::Unknown {
                support(program, &flag.when, env, &mut refs);
            }
        }
        for (rule, states) in program.rules.iter().zip(base.rules()) {
            for (instance, state) in rule.instances.iter().zip(states) {
                if let RuleState::NotEvaluated(_) = state {
                    support(program, &instance.when, env, &mut refs);
                    for e in instance
                        .unless
                        .iter()
                        .chain(instance.then.iter().flat_map(|c| &c.args))
                    {
                        support(program, e, env, &mut refs);
                    }
                }
            }
        }
        let mut slots: Vec<u32> = refs
            .into_iter()
            .filter(|(phase, slot)| {
                phase.is_none()
                    && env.slot(None, *slot).is_none()
                    && !self.examined.contains(&(None, *slot))
            })
            .map(|(_, slot)| slot)
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }
}

/// The outcomes that differ between two evaluations of the visit.
fn changed(program: &Program, base: &VisitState, other: &VisitState) -> Vec<Changed> {
    let mut out = Vec::new();
    if base.category != other.category || base.provisional != other.provisional {
        out.push(Changed::Category);
    }
    for ((flag, a), b) in program
        .red_flags
        .iter()
        .zip(&base.red_flags)
        .zip(&other.red_flags)
    {
        if a != b {
            out.push(Changed::RedFlag {
                name: flag.name.clone(),
            });
        }
    }
    for ((rule, a), b) in program.rules.iter().zip(base.rules()).zip(other.rules()) {
        for ((instance, x), y) in rule.instances.iter().zip(a).zip(b) {
            if x != y && !both_unevaluated(*x, *y) {
                out.push(Changed::Rule {
                    name: rule.name.clone(),
                    binding: binding(&instance.binding),
                });
            }
        }
    }
    out
}

/// Two ways of being undecided are no decision either.
fn both_unevaluated(a: RuleState, b: RuleState) -> bool {
    matches!(
        (a, b),
        (RuleState::NotEvaluated(_), RuleState::NotEvaluated(_))
    )
}

/// What the protocol's categories, red flags and rules read of the visit's findings.
struct Reads {
    /// Per slot: read by some condition or argument.
    slots: Vec<bool>,
    /// Per indicator: the constants it is compared with.
    cuts: Vec<Vec<f64>>,
    /// Per indicator: read otherwise than compared with a constant (arithmetic, another
    /// finding, a table key, a parametric argument).
    other: Vec<bool>,
}

impl Reads {
    fn of(program: &Program) -> Reads {
        let mut reads = Reads {
            slots: vec![false; program.slot_count as usize],
            cuts: vec![Vec::new(); program.indicators.len()],
            other: vec![false; program.indicators.len()],
        };
        let conditions = program
            .categories
            .iter()
            .map(|c| &c.when)
            .chain(program.red_flags.iter().map(|f| &f.when))
            .chain(program.rules.iter().flat_map(|r| {
                r.instances
                    .iter()
                    .flat_map(|i| std::iter::once(&i.when).chain(&i.unless))
            }));
        for e in conditions {
            reads.condition(program, e);
        }
        for call in program
            .rules
            .iter()
            .flat_map(|r| r.instances.iter().flat_map(|i| &i.then))
        {
            for arg in &call.args {
                reads.value(program, arg);
            }
        }
        reads
    }

    fn read(&mut self, program: &Program, slot: u32) -> Option<usize> {
        if let Some(cell) = self.slots.get_mut(slot as usize) {
            *cell = true;
        }
        program
            .slot_indicator
            .get(slot as usize)
            .map(|i| *i as usize)
    }

    fn read_all(&mut self, program: &Program, indicator: u32) -> Option<usize> {
        let ind = program.indicators.get(indicator as usize)?;
        for s in ind.first_slot..ind.first_slot + ind.slots {
            self.read(program, s);
        }
        Some(indicator as usize)
    }

    /// A finding compared with constants: the indicator it reads, if it is one.
    fn direct(&mut self, program: &Program, e: &Expr) -> Option<usize> {
        match e {
            Expr::Slot(None, slot) => self.read(program, *slot),
            Expr::DynSlot(None, indicator, args) => {
                for a in args {
                    self.value(program, a);
                }
                self.read_all(program, *indicator)
            }
            _ => None,
        }
    }

    fn cut(&mut self, indicator: Option<usize>, value: &Value) {
        if let (Some(i), Value::Num(n)) = (indicator, value) {
            if let Some(cuts) = self.cuts.get_mut(i) {
                cuts.push(*n);
            }
        }
    }

    fn condition(&mut self, program: &Program, e: &Expr) {
        match e {
            Expr::Not(x) => self.condition(program, x),
            Expr::And(items) | Expr::Or(items) | Expr::AtLeast(_, items) => {
                for item in items {
                    self.condition(program, item);
                }
            }
            Expr::Test(None, slot, _, constant) => {
                let ind = self.read(program, *slot);
                self.cut(ind, constant);
            }
            Expr::Compare(_, l, r) => match (l.as_ref(), r.as_ref()) {
                (x, Expr::Const(c)) | (Expr::Const(c), x) if is_direct(x) => {
                    let ind = self.direct(program, x);
                    self.cut(ind, c);
                }
                _ => {
                    self.value(program, l);
                    self.value(program, r);
                }
            },
            Expr::InSet(x, set) if is_direct(x) => {
                let ind = self.direct(program, x);
                for v in set {
                    self.cut(ind, v);
                }
            }
            Expr::Slot(..) | Expr::DynSlot(..) => {
                self.direct(program, e);
            }
            other => self.value(program, other),
        }
    }

    /// Every finding `e` reads, read otherwise than against a constant.
    fn value(&mut self, program: &Program, e: &Expr) {
        let ind = match e {
            Expr::Slot(None, slot) | Expr::Test(None, slot, ..) => self.read(program, *slot),
            Expr::DynSlot(None, indicator, _) => self.read_all(program, *indicator),
            _ => None,
        };
        if let Some(flag) = ind.and_then(|i| self.other.get_mut(i)) {
            *flag = true;
        }
        match e {
            Expr::Const(_) | Expr::Slot(..) => {}
            Expr::Test(..) => {}
            Expr::Not(x) | Expr::InSet(x, _) => self.value(program, x),
            Expr::Add(l, r, _) | Expr::Compare(_, l, r) => {
                self.value(program, l);
                self.value(program, r);
            }
            Expr::DynSlot(_, _, args)
            | Expr::Table(_, args)
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::AtLeast(_, args) => {
                for a in args {
                    self.value(program, a);
                }
            }
        }
    }

    /// The values to try for a finding of `indicator`, and whether they cover every
    /// outcome the protocol can distinguish.
    fn values(&self, program: &Program, indicator: u32) -> (Vec<Value>, bool) {
        let Some(ind) = program.indicators.get(indicator as usize) else {
            return (Vec::new(), true);
        };
        let i = indicator as usize;
        let mut values: Vec<Value> = Vec::new();
        let mut exact = true;
        match &ind.ty {
            ValueType::Bool => values.extend([Value::Num(0.0), Value::Num(1.0)]),
            ValueType::Symbols { values: names, .. } => {
                values.extend((0..names.len()).map(|n| Value::Num(n as f64)));
            }
            ValueType::Int => match ind.range {
                Some((lo, hi)) if hi - lo < ENUMERATED => {
                    let mut n = lo.ceil();
                    while n <= hi {
                        values.push(Value::Num(n));
                        n += 1.0;
                    }
                }
                range => {
                    exact = !self.other.get(i).copied().unwrap_or(false);
                    values.extend(cut_points(self.cuts.get(i), range, true));
                }
            },
            ValueType::Measure { .. } => {
                exact = !self.other.get(i).copied().unwrap_or(false);
                values.extend(cut_points(self.cuts.get(i), ind.range, false));
            }
        }
        if ind.optional {
            values.push(Value::None);
        }
        (values, exact)
    }
}

fn is_direct(e: &Expr) -> bool {
    matches!(e, Expr::Slot(None, _) | Expr::DynSlot(None, ..))
}

/// A value of each interval the constants cut `range` into, and the constants: every
/// outcome a comparison with those constants can give. Integers stay integers.
fn cut_points(cuts: Option<&Vec<f64>>, range: Option<(f64, f64)>, integer: bool) -> Vec<Value> {
    let mut cuts: Vec<f64> = cuts.cloned().unwrap_or_default();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let (lo, hi) = range.unwrap_or_else(|| {
        let first = cuts.first().copied().unwrap_or(0.0);
        let last = cuts.last().copied().unwrap_or(0.0);
        (first - 1.0, last + 1.0)
    });
    let inside = |x: f64| x >= lo && x <= hi;
    let mut points: Vec<f64> = vec![lo, hi];
    points.extend(cuts.iter().copied().filter(|c| inside(*c)));
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut out: Vec<f64> = points.clone();
    for pair in points.windows(2) {
        if let [a, b] = pair {
            let between = if integer {
                let n = a.floor() + 1.0;
                (n < *b).then_some(n)
            } else {
                Some((a + b) / 2.0)
            };
            out.extend(between);
        }
    }
    if integer {
        out.retain(|x| x.fract() == 0.0 || *x == lo || *x == hi);
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    out.into_iter().map(Value::Num).collect()
}
