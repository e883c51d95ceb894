//! The plan evaluator against the expression-tree evaluator: a random `when` (conjunctions of
//! tests and yes/no findings, with `not`, `or`, `in {…}` and `at least` mixed in so
//! that some are not flat), laid out by `Plan::of`, must give the same truth from its flat
//! tests as the tree walk gives, on random findings with unknowns, `none` and values on both
//! sides of every comparison (typed as the checker types them: yes/no findings hold yes or no).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sot_ir::eval::{conjunction, truth, Env};
use sot_ir::{Cmp, Expr, Findings, Program, Rule, RuleInstance, Value};

/// Slots `0..BOOLS` are yes/no findings (as the checker types them: a plain finding as a
/// condition is one); the others hold `none` or numbers.
const BOOLS: u32 = 3;
const SLOTS: u32 = 6;
const CMPS: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];

/// Bytes read one at a time; zeros once they run out.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    /// A value for `slot`: `no`/`yes` for a yes/no one; else `none` or a number.
    fn value(&mut self, slot: u32) -> Value {
        match self.next() % 5 {
            n if slot < BOOLS => Value::Num(f64::from(n % 2)),
            0 => Value::None,
            n => Value::Num(f64::from(n) - 2.0),
        }
    }

    /// An expression at most `depth` deep.
    fn expr(&mut self, depth: u32) -> Expr {
        let slot = u32::from(self.next()) % SLOTS;
        let flag = slot % BOOLS;
        let kind = if depth == 0 { self.next() % 3 } else { self.next() % 9 };
        match kind {
            0 => {
                let op = CMPS[usize::from(self.next()) % CMPS.len()];
                Expr::Test(None, slot, op, self.value(slot))
            }
            1 => Expr::Slot(None, flag),
            2 => Expr::Not(Box::new(Expr::Slot(None, flag))),
            3..=5 => {
                let n = 1 + self.next() % 4;
                Expr::And((0..n).map(|_| self.expr(depth - 1)).collect())
            }
            6 => {
                let n = 1 + self.next() % 3;
                Expr::Or((0..n).map(|_| self.expr(depth - 1)).collect())
            }
            7 => Expr::InSet(Box::new(Expr::Slot(None, slot)), vec![self.value(slot), self.value(slot)]),
            _ => {
                let n = 1 + self.next() % 3;
                let items: Vec<Expr> = (0..n).map(|_| self.expr(depth - 1)).collect();
                Expr::AtLeast(u32::from(self.next()) % (n as u32 + 1), items)
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data.iter());
    let when = bytes.expr(3);
    let findings = Findings::examined(
        (0..SLOTS)
            .map(|slot| match bytes.next() % 4 {
                0 => None,
                _ => Some(bytes.value(slot)),
            })
            .collect(),
    );
    let rule = Rule {
        file: "fuzz.sot".into(),
        name: "r".into(),
        title: None,
        doc: None,
        category: None,
        instances: vec![RuleInstance {
            binding: Vec::new(),
            when: when.clone(),
            unless: None,
            then: Vec::new(),
        }],
    };
    let plan = sot_ir::Plan::of(std::slice::from_ref(&rule));
    let program = Program::default();
    let tree = truth(&program, &when, Env::visit(&findings, None));
    if let Some((start, len)) = plan.steps[0].tests {
        let tests = &plan.tests[start as usize..(start + len) as usize];
        let flat = conjunction(tests, &findings);
        assert_eq!(flat, tree, "plan and tree disagree on {when:?} with {findings:?}");
    }
});
