//! The meaning of IR expressions: evaluation over findings in three-valued (Kleene) logic.
//! The runtime evaluates visits with it; the static analyses search assignments with it.
//!
//! Evaluation allocates nothing, and its depth is bounded by the parser's nesting limit.

use crate::{Cmp, Expr, Findings, Phase, Program, Test, Value};

/// A truth value that may be unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Known false.
    False,
    /// Known true.
    True,
    /// Depends on a finding that was not examined.
    Unknown,
}

impl std::ops::Not for Tri {
    type Output = Tri;

    /// Kleene negation.
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

impl std::ops::BitAnd for Tri {
    type Output = Tri;

    /// Kleene conjunction: false wins, then unknown.
    fn bitand(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
}

/// The findings an expression reads.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// The visit's findings, history applied (rules, categories, red flags).
    pub now: Option<&'a Findings>,
    /// The previous visit's findings, history applied (`previous.`); `None` at the first
    /// visit.
    pub previous: Option<&'a Findings>,
    /// `before.` findings (checks).
    pub before: Option<&'a Findings>,
    /// `after.` findings (checks).
    pub after: Option<&'a Findings>,
}

impl<'a> Env<'a> {
    /// The environment of a visit's rules: its findings and the previous visit's.
    pub fn visit(findings: &'a Findings, previous: Option<&'a Findings>) -> Self {
        Env {
            now: Some(findings),
            previous,
            before: None,
            after: None,
        }
    }

    /// The environment of a check: the findings `before.` and `after.` read.
    pub fn check(before: Option<&'a Findings>, after: Option<&'a Findings>) -> Self {
        Env {
            now: None,
            previous: None,
            before,
            after,
        }
    }

    /// The value of a finding, `None` when not examined.
    pub fn slot(&self, phase: Option<Phase>, slot: u32) -> Option<Value> {
        let findings = match phase {
            None => self.now,
            Some(Phase::Before) => self.before,
            Some(Phase::After) => self.after,
            Some(Phase::Previous) => self.previous,
        }?;
        findings.slots.get(slot as usize).copied().flatten()
    }
}

/// Equality and order of numbers, tolerant of the rounding of unit conversion (1.2 cm).
fn compare_numbers(a: f64, b: f64) -> std::cmp::Ordering {
    let tolerance = 1e-9 * a.abs().max(b.abs()).max(1.0);
    if (a - b).abs() <= tolerance {
        std::cmp::Ordering::Equal
    } else if a < b {
        std::cmp::Ordering::Less
    } else {
        std::cmp::Ordering::Greater
    }
}

fn same(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Num(x), Value::Num(y)) => compare_numbers(x, y).is_eq(),
        _ => false,
    }
}

/// `a OP b` of two known values (unknown: an order comparison with `none`).
#[inline]
pub fn compare(op: Cmp, a: Value, b: Value) -> Tri {
    let holds = match op {
        Cmp::Eq => same(a, b),
        Cmp::Ne => !same(a, b),
        ordering => {
            let (Value::Num(x), Value::Num(y)) = (a, b) else {
                return Tri::Unknown;
            };
            let o = compare_numbers(x, y);
            match ordering {
                Cmp::Lt => o.is_lt(),
                Cmp::Le => o.is_le(),
                Cmp::Gt => o.is_gt(),
                _ => o.is_ge(),
            }
        }
    };
    if holds {
        Tri::True
    } else {
        Tri::False
    }
}

/// The value of an expression; `None` when it depends on a finding not examined.
pub fn value(program: &Program, e: &Expr, env: Env) -> Option<Value> {
    match e {
        Expr::Const(v) => Some(*v),
        Expr::Slot(phase, slot) => env.slot(*phase, *slot),
        Expr::DynSlot(phase, indicator, args) => {
            env.slot(*phase, dyn_slot(program, *indicator, args, env)?)
        }
        Expr::Add(l, r, negate) => match (value(program, l, env)?, value(program, r, env)?) {
            (Value::Num(a), Value::Num(b)) => Some(Value::Num(if *negate { a - b } else { a + b })),
            _ => None,
        },
        Expr::Table(id, args) => {
            let table = program.tables.get(*id as usize)?;
            let mut index = 0u32;
            for (domain, arg) in table.params.iter().zip(args) {
                let i = domain.index(value(program, arg, env)?)?;
                index = index.checked_mul(domain.size)?.checked_add(i)?;
            }
            table.entries.get(index as usize).copied()
        }
        other => match truth(program, other, env) {
            Tri::True => Some(Value::Num(1.0)),
            Tri::False => Some(Value::Num(0.0)),
            Tri::Unknown => None,
        },
    }
}

/// The slot of a parametric finding whose arguments are computed from findings.
pub fn dyn_slot(program: &Program, indicator: u32, args: &[Expr], env: Env) -> Option<u32> {
    let indicator = program.indicators.get(indicator as usize)?;
    let mut index = 0u32;
    for ((_, domain), arg) in indicator.params.iter().zip(args) {
        let i = domain.index(value(program, arg, env)?)?;
        index = index.checked_mul(domain.size)?.checked_add(i)?;
    }
    Some(indicator.first_slot + index)
}

/// The truth of a conjunction of tests on a visit's findings (a [`crate::Plan`] step):
/// the same as `truth` of the expression the tests came from.
#[inline]
pub fn conjunction(tests: &[Test], findings: &Findings) -> Tri {
    let mut result = Tri::True;
    for test in tests {
        let known = findings.slots.get(test.slot as usize).copied().flatten();
        match known.map(|v| compare(test.op, v, test.value)) {
            Some(Tri::False) => return Tri::False,
            Some(Tri::True) => {}
            _ => result = Tri::Unknown,
        }
    }
    result
}

/// The truth of a condition.
pub fn truth(program: &Program, e: &Expr, env: Env) -> Tri {
    match e {
        Expr::Not(inner) => !truth(program, inner, env),
        Expr::And(items) => {
            let mut result = Tri::True;
            for item in items {
                match truth(program, item, env) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => result = Tri::Unknown,
                    Tri::True => {}
                }
            }
            result
        }
        Expr::Or(items) => {
            let mut result = Tri::False;
            for item in items {
                match truth(program, item, env) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => result = Tri::Unknown,
                    Tri::False => {}
                }
            }
            result
        }
        Expr::AtLeast(n, items) => {
            let (mut yes, mut unknown) = (0u32, 0u32);
            for item in items {
                match truth(program, item, env) {
                    Tri::True => yes += 1,
                    Tri::Unknown => unknown += 1,
                    Tri::False => {}
                }
            }
            if yes >= *n {
                Tri::True
            } else if yes + unknown < *n {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
        Expr::Compare(op, l, r) => {
            let (Some(a), Some(b)) = (value(program, l, env), value(program, r, env)) else {
                return Tri::Unknown;
            };
            compare(*op, a, b)
        }
        Expr::Test(phase, slot, op, constant) => match env.slot(*phase, *slot) {
            Some(a) => compare(*op, a, *constant),
            None => Tri::Unknown,
        },
        Expr::InSet(x, set) => match value(program, x, env) {
            None => Tri::Unknown,
            Some(v) if set.iter().any(|s| same(v, *s)) => Tri::True,
            Some(_) => Tri::False,
        },
        // A plain value as a condition: a yes/no finding.
        other => match value(program, other, env) {
            None => Tri::Unknown,
            Some(Value::Num(n)) if n != 0.0 => Tri::True,
            Some(_) => Tri::False,
        },
    }
}
