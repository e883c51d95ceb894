//! Lowering cases: the history, visits, the slots of findings blocks (values and
//! `untestable`), `given` adjustments and `expect` lines.
//!
//! Reports nothing: cases reach lowering only when they check without errors.

use sot_grammar::ast::{self, Arg};

use super::{combinations, dense_index, domain, Lowerer};
use crate::ir::{self, Domain, Expr, Findings, Value};
use crate::types::Ty;

impl Lowerer<'_> {
    /// A case; `place` gives the line and text of a span.
    pub(super) fn case(
        &mut self,
        case: &ast::Case,
        place: &dyn Fn(ast::Span) -> (usize, String),
    ) -> ir::Case {
        ir::Case {
            name: case.name.text.clone(),
            title: case.title.as_ref().map(|t| t.value.clone()),
            history: case.history.as_ref().map(|h| self.findings(h)),
            visits: case
                .visits
                .iter()
                .map(|v| ir::Visit {
                    number: v.number,
                    label: v.label.as_ref().map(|l| l.value.clone()),
                    findings: self.findings(&v.findings),
                    after: v.after.as_ref().map(|a| self.findings(a)),
                    given: v.given.as_ref().map(|calls| {
                        calls
                            .iter()
                            .filter_map(|c| self.constant_call(c))
                            .map(|(a, args)| (a, args.unwrap_or_default()))
                            .collect()
                    }),
                    expects: v
                        .expects
                        .iter()
                        .filter_map(|e| {
                            let (line, text) = place(e.span);
                            Some(ir::ExpectLine {
                                expect: self.expect(&e.kind)?,
                                text,
                                line,
                            })
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The slots of a findings block: exact findings beat those with fewer `_`; an
    /// `untestable` finding competes like a value and leaves its slots `None`.
    pub(crate) fn findings(&mut self, findings: &[ast::Finding]) -> Findings {
        // Per slot: the value, or the reason of an `untestable` (`Err`).
        let mut slots: Vec<Option<Result<Value, Option<String>>>> =
            vec![None; self.program.slot_count as usize];
        // Per slot, the number of `_` of the finding that set it (fewer wins).
        let mut wildcards = vec![usize::MAX; slots.len()];
        for f in findings {
            let Some(&id) = self.indicators.get(&f.indicator.text) else {
                continue;
            };
            let value = match &f.value {
                ast::FindingValue::Found(l) => Ok(self.literal(l)),
                ast::FindingValue::Untestable { reason, .. } => {
                    Err(reason.as_ref().map(|r| r.value.clone()))
                }
            };
            let indicator = &self.program.indicators[id as usize];
            if indicator.params.is_empty() {
                if let Some(slot) = slots.get_mut(indicator.first_slot as usize) {
                    *slot = Some(value);
                }
                continue;
            }
            // The pattern in parameter order: `None` for `_`.
            let pattern: Vec<Option<Value>> = indicator
                .params
                .iter()
                .enumerate()
                .map(|(i, (name, _))| {
                    let arg = f
                        .args
                        .iter()
                        .find(|a| a.label.as_ref().is_some_and(|l| l.text == *name))
                        .or_else(|| f.args.get(i).filter(|a| a.label.is_none()))?;
                    arg.value.as_ref().map(|l| self.literal(l))
                })
                .collect();
            let stars = pattern.iter().filter(|p| p.is_none()).count();
            let indicator = &self.program.indicators[id as usize];
            let domains: Vec<Domain> = indicator.params.iter().map(|(_, d)| d.clone()).collect();
            for (i, combo) in combinations(&domains).into_iter().enumerate() {
                let matches = pattern
                    .iter()
                    .zip(&combo)
                    .all(|(p, v)| p.is_none_or(|p| p == *v));
                let slot = indicator.first_slot as usize + i;
                if matches && wildcards.get(slot).is_some_and(|w| stars < *w) {
                    wildcards[slot] = stars;
                    slots[slot] = Some(value.clone());
                }
            }
        }
        let untestable = slots
            .iter()
            .enumerate()
            .filter_map(|(slot, s)| match s {
                Some(Err(reason)) => Some(ir::Untestable {
                    slot: slot as u32,
                    reason: reason.clone(),
                }),
                _ => None,
            })
            .collect();
        Findings {
            slots: slots.into_iter().map(|s| s.and_then(Result::ok)).collect(),
            untestable,
        }
    }

    /// An adjustment call with constant arguments (in `given` and `expect`).
    fn constant_call(&mut self, call: &ast::Call) -> Option<(u32, Option<Vec<Value>>)> {
        let c = self.call(call)?;
        if call.args.is_none() {
            return Some((c.adjustment, None));
        }
        let values = c
            .args
            .iter()
            .map(|a| match a {
                Expr::Const(v) => *v,
                _ => Value::None,
            })
            .collect();
        Some((c.adjustment, Some(values)))
    }

    /// The instance of a rule or check named by a binding in an `expect`.
    fn instance(&mut self, bindings: &[(String, Ty)], args: Option<&[Arg]>) -> Option<u32> {
        let args = args?;
        let domains: Vec<Domain> = bindings
            .iter()
            .map(|(_, t)| domain(t, self.scope))
            .collect();
        let values: Vec<Value> = self
            .ordered_args(bindings.iter().map(|(n, _)| n.as_str()), Some(args))
            .into_iter()
            .map(|e| match e {
                Expr::Const(v) => v,
                _ => Value::None,
            })
            .collect();
        dense_index(&domains, &values)
    }

    fn expect(&mut self, kind: &ast::ExpectKind) -> Option<ir::Expect> {
        use ast::ExpectKind as K;
        Some(match kind {
            K::Category(None) => ir::Expect::Category(None),
            K::Category(Some(c)) => ir::Expect::Category(Some(self.category(&c.text)?)),
            K::Ambiguous => ir::Expect::Ambiguous,
            K::Provisional => ir::Expect::Provisional,
            K::Refer => ir::Expect::Refer,
            K::Categories(names) => ir::Expect::Categories(
                names
                    .iter()
                    .map(|c| self.category(&c.text))
                    .collect::<Option<_>>()?,
            ),
            K::RedFlag(r) => ir::Expect::RedFlag(*self.red_flags.get(&r.text)?),
            K::NoRefer => ir::Expect::NoRefer,
            K::NoRedFlag(r) => ir::Expect::NoRedFlag(*self.red_flags.get(&r.text)?),
            K::NotRuledOut(r) => ir::Expect::NotRuledOut(*self.red_flags.get(&r.text)?),
            K::RuledOut(r) => ir::Expect::RuledOut(*self.red_flags.get(&r.text)?),
            K::Adjustment(call) => {
                let (a, args) = self.constant_call(call)?;
                ir::Expect::Adjustment(a, args)
            }
            K::NoAdjustment(call) => {
                let (a, args) = self.constant_call(call)?;
                ir::Expect::NoAdjustment(a, args)
            }
            K::Check {
                name,
                args,
                outcome,
            } => {
                let id = *self.checks.get(&name.text)?;
                let bindings = self.scope.checks.get(&name.text)?.clone();
                let instance = self.instance(&bindings, args.as_deref());
                ir::Expect::Check(id, instance, outcome.text.clone())
            }
            K::Withheld { name, args } => {
                let id = *self.rules.get(&name.text)?;
                let bindings = self.scope.rules.get(&name.text)?.clone();
                let instance = self.instance(&bindings, args.as_deref());
                ir::Expect::Withheld(id, instance)
            }
        })
    }
}
