//! The finitely many values the analyses try for each finding: every value of a finite type,
//! and for numbers and measures the bounds, the protocol's constants and two values strictly
//! between each pair of them (whole numbers when the type is integral, else the roundest
//! numbers in the interval: `2.5 mm`, not `2.333 mm`). Comparisons with constants and between
//! findings are decided exactly on these values. A finding that is only ever compared with
//! constants needs only those it is compared with (no other constant changes a test of it);
//! one compared with another finding, summed or used as an argument takes them all.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use crate::ir::{Expr, Phase, Program, Value, ValueType};

/// A finding the analyses assign: which block (`None`: the visit's findings) and its slot.
pub type Var = (Option<Phase>, u32);

/// The candidate values of every finding of one program, computed once per indicator.
pub struct Domains {
    /// Every number the protocol compares with.
    constants: Vec<f64>,
    /// Per indicator only ever compared with constants: those constants (sorted); `None`
    /// for an indicator that takes every constant.
    own: Vec<Option<Vec<f64>>>,
    /// Each indicator's candidates once asked for (every finding of an indicator has the
    /// same), by indicator index of the program the domains are of.
    memo: Vec<OnceLock<Arc<[Value]>>>,
}

impl Domains {
    /// The candidates of `program`'s findings.
    pub fn new(program: &Program) -> Self {
        let mut domains = Domains::with_constants(program, program_constants(program));
        domains.own = own_constants(program);
        domains
    }

    /// The candidates of the findings of `shared`, the program over which two versions of a
    /// protocol are compared (`sot diff`): the constants of both cut the intervals, so a
    /// threshold moved from 6 to 4 leaves a value between them.
    pub fn of_both(shared: &Program, old: &Program, new: &Program) -> Self {
        let mut constants = program_constants(old);
        constants.extend(program_constants(new));
        constants.sort_by(f64::total_cmp);
        constants.dedup();
        Domains::with_constants(shared, constants)
    }

    fn with_constants(program: &Program, constants: Vec<f64>) -> Self {
        Domains {
            constants,
            own: Vec::new(),
            memo: program.indicators.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The candidate values of a finding of `program` (the program the domains are of).
    pub fn candidates(&self, program: &Program, slot: u32) -> Arc<[Value]> {
        let Some(index) = program
            .slot_indicator
            .get(slot as usize)
            .map(|i| *i as usize)
        else {
            return Arc::from([]);
        };
        match self.memo.get(index) {
            Some(memo) => memo
                .get_or_init(|| self.compute(program, index).into())
                .clone(),
            None => self.compute(program, index).into(),
        }
    }

    fn compute(&self, program: &Program, index: usize) -> Vec<Value> {
        let Some(indicator) = program.indicators.get(index) else {
            return Vec::new();
        };
        let mut values: Vec<f64> = match (&indicator.ty, indicator.range) {
            (ValueType::Bool, _) => vec![0.0, 1.0],
            (ValueType::Symbols { values, .. }, None) => {
                (0..values.len()).map(|i| i as f64).collect()
            }
            (ValueType::Symbols { .. }, Some((lo, hi))) if hi - lo < 64.0 => {
                (lo as i64..=hi as i64).map(|i| i as f64).collect()
            }
            (ValueType::Int, Some((lo, hi))) if hi - lo < 64.0 => {
                (lo as i64..=hi as i64).map(|i| i as f64).collect()
            }
            (ty, Some((lo, hi))) => {
                let integral = !matches!(ty, ValueType::Measure { .. });
                let constants = match self.own.get(index) {
                    Some(Some(own)) => own,
                    _ => &self.constants,
                };
                grid(lo, hi, constants, integral)
            }
            (_, None) => Vec::new(),
        };
        values.dedup();
        let mut out: Vec<Value> = values.into_iter().map(Value::Num).collect();
        if indicator.optional {
            out.push(Value::None);
        }
        out
    }
}

/// The findings an expression reads, in order of first appearance (every finding of a
/// parametric indicator whose arguments are computed).
pub fn variables(program: &Program, e: &Expr, out: &mut Vec<Var>) {
    let push = |v: Var, out: &mut Vec<Var>| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    match e {
        Expr::Const(_) => {}
        Expr::Slot(phase, slot) | Expr::Test(phase, slot, ..) => push((*phase, *slot), out),
        Expr::DynSlot(phase, indicator, args) => {
            args.iter().for_each(|a| variables(program, a, out));
            if let Some(ind) = program.indicators.get(*indicator as usize) {
                for slot in ind.first_slot..ind.first_slot + ind.slots {
                    push((*phase, slot), out);
                }
            }
        }
        Expr::Not(x) | Expr::InSet(x, _) => variables(program, x, out),
        Expr::And(items) | Expr::Or(items) | Expr::AtLeast(_, items) | Expr::Table(_, items) => {
            items.iter().for_each(|i| variables(program, i, out));
        }
        Expr::Compare(_, l, r) | Expr::Add(l, r, _) => {
            variables(program, l, out);
            variables(program, r, out);
        }
    }
}

/// Per indicator, the constants it is compared with when it is only ever compared with
/// constants (`finding OP constant`, `finding in {…}`), else `None`.
fn own_constants(program: &Program) -> Vec<Option<Vec<f64>>> {
    struct Uses<'p> {
        program: &'p Program,
        own: Vec<Option<BTreeSet<u64>>>,
    }
    impl Uses<'_> {
        fn get(&mut self, slot: u32) -> Option<&mut Option<BTreeSet<u64>>> {
            let indicator = *self.program.slot_indicator.get(slot as usize)?;
            self.own.get_mut(indicator as usize)
        }
        fn constant(&mut self, slot: u32, n: f64) {
            if let Some(Some(set)) = self.get(slot) {
                set.insert(n.to_bits());
            }
        }
        fn mixed(&mut self, slot: u32) {
            if let Some(own) = self.get(slot) {
                *own = None;
            }
        }
        /// `e`'s findings, where one not directly compared with a constant takes every
        /// constant.
        fn walk(&mut self, e: &Expr) {
            match e {
                Expr::Const(_) => {}
                Expr::Test(_, slot, _, value) => {
                    if let Value::Num(n) = value {
                        self.constant(*slot, *n);
                    }
                }
                Expr::InSet(x, set) => match &**x {
                    Expr::Slot(_, slot) => {
                        for v in set {
                            if let Value::Num(n) = v {
                                self.constant(*slot, *n);
                            }
                        }
                    }
                    other => self.walk(other),
                },
                Expr::Compare(_, l, r) => match (&**l, &**r) {
                    (Expr::Slot(_, slot), Expr::Const(Value::Num(n)))
                    | (Expr::Const(Value::Num(n)), Expr::Slot(_, slot)) => {
                        self.constant(*slot, *n);
                    }
                    _ => {
                        self.walk(l);
                        self.walk(r);
                    }
                },
                Expr::Slot(_, slot) => self.mixed(*slot),
                Expr::DynSlot(_, indicator, args) => {
                    if let Some(own) = self.own.get_mut(*indicator as usize) {
                        *own = None;
                    }
                    args.iter().for_each(|a| self.walk(a));
                }
                Expr::Not(x) => self.walk(x),
                Expr::And(items)
                | Expr::Or(items)
                | Expr::AtLeast(_, items)
                | Expr::Table(_, items) => {
                    items.iter().for_each(|i| self.walk(i));
                }
                Expr::Add(l, r, _) => {
                    self.walk(l);
                    self.walk(r);
                }
            }
        }
    }
    let mut uses = Uses {
        program,
        own: program
            .indicators
            .iter()
            .map(|_| Some(BTreeSet::new()))
            .collect(),
    };
    for e in conditions(program) {
        uses.walk(e);
    }
    for rule in &program.rules {
        for arg in rule
            .instances
            .iter()
            .flat_map(|i| &i.then)
            .flat_map(|c| &c.args)
        {
            uses.walk(arg);
        }
    }
    uses.own
        .into_iter()
        .map(|own| own.map(|bits| bits.into_iter().map(f64::from_bits).collect()))
        .collect()
}

/// Every condition of the program: categories, red flags, rules' `when` and `unless`,
/// checks' tests.
fn conditions(program: &Program) -> impl Iterator<Item = &Expr> {
    program
        .categories
        .iter()
        .map(|c| &c.when)
        .chain(program.red_flags.iter().map(|r| &r.when))
        .chain(program.rules.iter().flat_map(|r| {
            r.instances
                .iter()
                .flat_map(|i| std::iter::once(&i.when).chain(i.unless.as_ref()))
        }))
        .chain(program.checks.iter().flat_map(|c| {
            c.instances.iter().flat_map(|i| {
                [&i.need, &i.complete]
                    .into_iter()
                    .chain(i.marginal.as_ref())
            })
        }))
}

/// Every number constant in the program's conditions (and table values), sorted.
fn program_constants(program: &Program) -> Vec<f64> {
    fn walk(e: &Expr, out: &mut BTreeSet<u64>) {
        match e {
            Expr::Const(Value::Num(n)) | Expr::Test(_, _, _, Value::Num(n)) => {
                out.insert(n.to_bits());
            }
            Expr::Test(_, _, _, Value::None) => {}
            Expr::Const(Value::None) | Expr::Slot(..) => {}
            Expr::InSet(x, set) => {
                walk(x, out);
                for v in set {
                    if let Value::Num(n) = v {
                        out.insert(n.to_bits());
                    }
                }
            }
            Expr::Not(x) => walk(x, out),
            Expr::DynSlot(_, _, items)
            | Expr::And(items)
            | Expr::Or(items)
            | Expr::AtLeast(_, items)
            | Expr::Table(_, items) => items.iter().for_each(|i| walk(i, out)),
            Expr::Compare(_, l, r) | Expr::Add(l, r, _) => {
                walk(l, out);
                walk(r, out);
            }
        }
    }
    let mut bits = BTreeSet::new();
    for e in conditions(program) {
        walk(e, &mut bits);
    }
    for table in &program.tables {
        for v in &table.entries {
            if let Value::Num(n) = v {
                bits.insert(n.to_bits());
            }
        }
    }
    let mut constants: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
    constants.sort_by(f64::total_cmp);
    constants
}

/// Candidate numbers in `lo..=hi`: the bounds, each constant inside, and two values strictly
/// inside every interval between them (whole numbers when `integral`, else round ones).
fn grid(lo: f64, hi: f64, constants: &[f64], integral: bool) -> Vec<f64> {
    let mut points: Vec<f64> = std::iter::once(lo)
        .chain(constants.iter().copied().filter(|c| *c > lo && *c < hi))
        .chain(std::iter::once(hi))
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        out.push(a);
        if integral {
            for v in [a + 1.0, b - 1.0] {
                if v > a && v < b && out.last() != Some(&v) {
                    out.push(v);
                }
            }
        } else if let Some(first) = roundest_between(a, b) {
            out.push(first);
            out.extend(roundest_between(first, b));
        }
    }
    out.extend(points.last());
    out
}

/// The number with the fewest decimals strictly between `a` and `b` (the smallest such, at
/// that precision), as a person would write it: `2.5` between 2 and 3.
fn roundest_between(a: f64, b: f64) -> Option<f64> {
    let mut step = 10f64.powi(((b - a).abs().max(f64::MIN_POSITIVE)).log10().ceil() as i32);
    for _ in 0..40 {
        for factor in [1.0, 0.5, 0.2] {
            let s = step * factor;
            let candidate = ((a / s).floor() + 1.0) * s;
            // Rounded to the step's decimals, so that 0.1 * 3 is written 0.3.
            let decimals = (-s.log10().floor()).max(0.0) as i32 + 1;
            let scale = 10f64.powi(decimals);
            let candidate = (candidate * scale).round() / scale;
            if candidate > a && candidate < b && !near(candidate, a) && !near(candidate, b) {
                return Some(candidate);
            }
        }
        step /= 10.0;
    }
    None
}

/// Equal within the evaluator's tolerance (so a candidate is never read as a constant).
fn near(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::{grid, roundest_between, Domains};
    use crate::ir::{Category, Cmp, Expr, Indicator, Program, Value, ValueType};

    /// Two lengths `0.0..40.0 mm` in slots 0 and 1, and a category per condition.
    fn lengths(conditions: Vec<Expr>) -> Program {
        let length = |name: &str, slot| Indicator {
            name: name.into(),
            doc: None,
            params: Vec::new(),
            ty: ValueType::Measure { unit: "mm".into() },
            optional: false,
            range: Some((0.0, 40.0)),
            first_slot: slot,
            slots: 1,
        };
        let n = conditions.len();
        Program {
            slot_count: 2,
            slot_indicator: vec![0, 1],
            indicators: vec![length("x", 0), length("y", 1)],
            categories: conditions
                .into_iter()
                .enumerate()
                .map(|(i, when)| Category {
                    file: String::new(),
                    name: format!("C{i}"),
                    title: None,
                    doc: None,
                    when,
                })
                .collect(),
            outranks: vec![vec![false; n]; n],
            ..Program::default()
        }
    }

    fn numbers(domains: &Domains, program: &Program, slot: u32) -> Vec<f64> {
        domains
            .candidates(program, slot)
            .iter()
            .filter_map(|v| match v {
                Value::Num(n) => Some(*n),
                Value::None => None,
            })
            .collect()
    }

    #[test]
    fn a_finding_compared_only_with_constants_takes_only_its_own() {
        let x_over_2 = Expr::Test(None, 0, Cmp::Gt, Value::Num(2.0));
        let y_under_30 = Expr::Test(None, 1, Cmp::Lt, Value::Num(30.0));
        let program = lengths(vec![x_over_2.clone(), y_under_30.clone()]);
        let domains = Domains::new(&program);
        assert_eq!(
            numbers(&domains, &program, 0),
            grid(0.0, 40.0, &[2.0], false)
        );
        assert_eq!(
            numbers(&domains, &program, 1),
            grid(0.0, 40.0, &[30.0], false)
        );
        // Asked again: the same values (from the memo).
        assert_eq!(
            numbers(&domains, &program, 0),
            grid(0.0, 40.0, &[2.0], false)
        );

        // Compared with each other, both take every constant: `x > y` with x = 2.5 and
        // y = 30 differs from x = 2.5 and y = 2.6.
        let x_over_y = Expr::Compare(
            Cmp::Gt,
            Box::new(Expr::Slot(None, 0)),
            Box::new(Expr::Slot(None, 1)),
        );
        let program = lengths(vec![x_over_2, y_under_30, x_over_y]);
        let domains = Domains::new(&program);
        let all = grid(0.0, 40.0, &[2.0, 30.0], false);
        assert_eq!(numbers(&domains, &program, 0), all);
        assert_eq!(numbers(&domains, &program, 1), all);
    }

    #[test]
    fn values_between_constants_are_round() {
        assert_eq!(roundest_between(2.0, 3.0), Some(2.5));
        assert_eq!(roundest_between(2.5, 3.0), Some(2.6));
        assert_eq!(roundest_between(0.0, 10.0), Some(5.0));
        assert_eq!(roundest_between(6.0, 7.5), Some(7.0));
        assert_eq!(roundest_between(1.25, 1.26), Some(1.255));
        assert_eq!(
            grid(0.0, 3.0, &[2.0], false),
            vec![0.0, 1.0, 1.5, 2.0, 2.5, 2.6, 3.0]
        );
        assert_eq!(
            grid(0.0, 10.0, &[2.0, 3.0], true),
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 9.0, 10.0]
        );
    }
}
