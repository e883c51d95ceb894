//! Two versions of a protocol over one set of finding variables, for `sot diff`'s semantic
//! section ([`super::compare`]). An indicator of the new version with the name and the type
//! (value type, parameters, `?`, range) of one of the old version's shares its findings; one
//! that the old version lacks, or whose type changed, gets findings of its own, so each
//! version reads its own (a type change is read as two indicators). The new version's
//! conditions are rewritten into these shared slots, and its tables follow the old one's.

use std::collections::HashMap;

use sot_ir::compare::{Example, Finding};

use super::domains::Var;
use crate::ir::{Expr, Indicator, Program, Value};

/// The old version's indicators and tables followed by the new version's that are not
/// shared: a program whose slots are the findings of both versions.
pub struct Shared {
    /// Indicators, slots and tables only (no items).
    pub program: Program,
    /// The new version's slot → its shared slot.
    new_slot: Vec<u32>,
    /// The new version's indicator → its shared indicator.
    new_indicator: Vec<u32>,
    /// Shared slot → the new version's slot, if it has it.
    to_new: Vec<Option<u32>>,
    /// The old version's number of slots: shared slots below it are the old version's.
    old_slots: u32,
    /// Where the new version's tables start.
    table_offset: u32,
    /// Indicators in both versions whose type changed, read apart.
    pub apart: Vec<String>,
}

/// Same name and the same type: values mean the same in both versions.
fn same_type(a: &Indicator, b: &Indicator) -> bool {
    a.ty == b.ty && a.params == b.params && a.optional == b.optional && a.range == b.range
}

impl Shared {
    /// The shared findings of `old` and `new`.
    pub fn new(old: &Program, new: &Program) -> Self {
        let by_name: HashMap<&str, usize> = old
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.name.as_str(), i))
            .collect();
        let mut program = Program {
            indicators: old.indicators.clone(),
            slot_count: old.slot_count,
            slot_indicator: old.slot_indicator.clone(),
            tables: old.tables.clone(),
            ..Program::default()
        };
        let mut to_new: Vec<Option<u32>> = vec![None; old.slot_count as usize];
        let mut new_slot = vec![0; new.slot_count as usize];
        let mut new_indicator = Vec::with_capacity(new.indicators.len());
        let mut apart = Vec::new();
        for ind in &new.indicators {
            let matched = by_name
                .get(ind.name.as_str())
                .map(|i| (*i, &old.indicators[*i]));
            let (index, first) = match matched {
                Some((i, o)) if same_type(o, ind) => (i as u32, o.first_slot),
                other => {
                    if other.is_some() {
                        apart.push(ind.name.clone());
                    }
                    let index = program.indicators.len() as u32;
                    let first = program.slot_count;
                    let mut copy = ind.clone();
                    copy.first_slot = first;
                    program.indicators.push(copy);
                    program.slot_count += ind.slots;
                    program
                        .slot_indicator
                        .extend(std::iter::repeat_n(index, ind.slots as usize));
                    to_new.extend(std::iter::repeat_n(None, ind.slots as usize));
                    (index, first)
                }
            };
            new_indicator.push(index);
            for k in 0..ind.slots {
                let (from, to) = ((ind.first_slot + k) as usize, first + k);
                if let Some(s) = new_slot.get_mut(from) {
                    *s = to;
                }
                if let Some(t) = to_new.get_mut(to as usize) {
                    *t = Some(ind.first_slot + k);
                }
            }
        }
        let table_offset = program.tables.len() as u32;
        program.tables.extend(new.tables.iter().cloned());
        Shared {
            program,
            new_slot,
            new_indicator,
            to_new,
            old_slots: old.slot_count,
            table_offset,
            apart,
        }
    }

    /// A condition of the new version in the shared slots.
    pub fn expr(&self, e: &Expr) -> Expr {
        let slot = |s: &u32| self.new_slot.get(*s as usize).copied().unwrap_or(u32::MAX);
        let all = |items: &[Expr]| items.iter().map(|i| self.expr(i)).collect::<Vec<_>>();
        match e {
            Expr::Const(v) => Expr::Const(*v),
            Expr::Slot(phase, s) => Expr::Slot(*phase, slot(s)),
            Expr::Test(phase, s, op, v) => Expr::Test(*phase, slot(s), *op, *v),
            Expr::DynSlot(phase, ind, args) => Expr::DynSlot(
                *phase,
                self.new_indicator
                    .get(*ind as usize)
                    .copied()
                    .unwrap_or(u32::MAX),
                all(args),
            ),
            Expr::Not(x) => Expr::Not(Box::new(self.expr(x))),
            Expr::And(items) => Expr::And(all(items)),
            Expr::Or(items) => Expr::Or(all(items)),
            Expr::AtLeast(n, items) => Expr::AtLeast(*n, all(items)),
            Expr::Compare(op, l, r) => {
                Expr::Compare(*op, Box::new(self.expr(l)), Box::new(self.expr(r)))
            }
            Expr::InSet(x, set) => Expr::InSet(Box::new(self.expr(x)), set.clone()),
            Expr::Add(l, r, negate) => {
                Expr::Add(Box::new(self.expr(l)), Box::new(self.expr(r)), *negate)
            }
            Expr::Table(id, args) => Expr::Table(id + self.table_offset, all(args)),
        }
    }

    /// Findings in shared slots, written in each version's own slots.
    pub fn split(&self, findings: &[(Var, Value)]) -> Example {
        let mut example = Example::default();
        for ((phase, slot), value) in findings {
            if *slot < self.old_slots {
                example.old.push(Finding {
                    phase: *phase,
                    slot: *slot,
                    value: *value,
                });
            }
            if let Some(Some(n)) = self.to_new.get(*slot as usize) {
                example.new.push(Finding {
                    phase: *phase,
                    slot: *n,
                    value: *value,
                });
            }
        }
        example
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;
    use crate::db::Database;
    use crate::ir::{Expr, Phase, Program, Value};
    use crate::lower::lower_file;

    fn program(text: &str) -> Program {
        let mut db = Database::default();
        let file = db.set_file(std::path::Path::new("p.sot"), text.to_string());
        lower_file(&db, file).clone().expect("lowers")
    }

    #[test]
    fn indicators_of_one_name_and_type_share_findings_the_others_get_their_own() {
        let old = program(
            "indicator a: bool\nindicator grade: 0..3\nadjustment adj\n\
             rule r {\n  when a and grade > 1\n  then adj\n}\n",
        );
        // `d` is new, `grade` changed its range, `a` moved.
        let new = program(
            "indicator d: bool\nindicator grade: 0..5\nindicator a: bool\nadjustment adj\n\
             rule r {\n  when a and d and grade > 1\n  then adj\n}\n",
        );
        let shared = Shared::new(&old, &new);
        assert_eq!(shared.apart, ["grade"]);
        // Old's two slots, then new's `d` and `grade`: `a` is shared.
        assert_eq!(shared.program.slot_count, 4);
        let slot = |p: &Program, name: &str| {
            p.indicators
                .iter()
                .find(|i| i.name == name)
                .map(|i| i.first_slot)
                .expect("indicator")
        };
        let (a_old, a_new) = (slot(&old, "a"), slot(&new, "a"));
        assert_eq!(
            shared.expr(&Expr::Slot(None, a_new)),
            Expr::Slot(None, a_old)
        );
        let d = match shared.expr(&Expr::Slot(Some(Phase::Previous), slot(&new, "d"))) {
            Expr::Slot(Some(Phase::Previous), s) => s,
            other => panic!("{other:?}"),
        };
        assert!(d >= old.slot_count, "{d}");
        let grade = match shared.expr(&Expr::Test(
            None,
            slot(&new, "grade"),
            sot_ir::Cmp::Gt,
            Value::Num(1.0),
        )) {
            Expr::Test(None, s, ..) => s,
            other => panic!("{other:?}"),
        };
        assert!(grade >= old.slot_count && grade != d, "{grade}");
        // Shared findings back in each version's slots: `a` in both, `d` in the new only,
        // each version's `grade` in its own.
        let yes = Value::Num(1.0);
        let example = shared.split(&[
            ((None, a_old), yes),
            ((None, d), yes),
            ((None, slot(&old, "grade")), Value::Num(2.0)),
            ((None, grade), Value::Num(4.0)),
        ]);
        let slots = |f: &[sot_ir::compare::Finding]| {
            f.iter().map(|f| (f.slot, f.value)).collect::<Vec<_>>()
        };
        assert_eq!(
            slots(&example.old),
            [(a_old, yes), (slot(&old, "grade"), Value::Num(2.0))]
        );
        assert_eq!(
            slots(&example.new),
            [
                (a_new, yes),
                (slot(&new, "d"), yes),
                (slot(&new, "grade"), Value::Num(4.0))
            ]
        );
    }
}
