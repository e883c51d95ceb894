//! `sot test`: the `expect` lines of a case checked against its evaluation, and coverage of
//! what the cases exercised.

use std::collections::BTreeSet;

use sot_ir::{Case, Expect, ExpectLine, Program, Value};

use crate::evaluate::Tri;
use crate::explain::show_call;
use crate::visit::{coexist_line, evaluate_case, CategoryState, Outcome, RuleState, VisitState};

/// The verdict on one `expect` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The case.
    pub case: String,
    /// The visit's number.
    pub visit: i64,
    /// The 1-based line of the `expect`.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// `None` when it holds; otherwise what was found instead.
    pub failure: Option<String>,
}

/// What the cases exercised, for `sot test --coverage`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// `(rule, instance)` that fired in some visit.
    pub fired: BTreeSet<(u32, u32)>,
    /// Categories that were a visit's category (or tied in an ambiguous one).
    pub categories: BTreeSet<u32>,
    /// Red flags raised.
    pub red_flags: BTreeSet<u32>,
    /// `coexist` lines that gave a visit its categories.
    pub coexist: BTreeSet<u32>,
    /// `(check, outcome word)` seen.
    pub outcomes: BTreeSet<(u32, &'static str)>,
}

impl Coverage {
    /// Adds what a visit exercised.
    pub fn add(&mut self, program: &Program, state: &VisitState) {
        for (r, states) in state.rules().enumerate() {
            for (i, s) in states.iter().enumerate() {
                if *s == RuleState::Fired {
                    self.fired.insert((r as u32, i as u32));
                }
            }
        }
        self.categories
            .extend(state.category.named().iter().copied());
        if let CategoryState::Coexisting(cs) = &state.category {
            self.coexist
                .extend(coexist_line(program, cs).map(|l| l as u32));
        }
        for (f, t) in state.red_flags.iter().enumerate() {
            if *t == Tri::True {
                self.red_flags.insert(f as u32);
            }
        }
        for (c, outcomes) in state.checks.iter().enumerate() {
            for o in outcomes {
                self.outcomes.insert((c as u32, o.word()));
            }
        }
    }
}

/// Checks every `expect` of a case; also returns the visits' states for coverage.
pub fn test_case(program: &Program, case: &Case) -> (Vec<Verdict>, Vec<VisitState>) {
    let states = evaluate_case(program, case);
    let verdicts = case
        .visits
        .iter()
        .zip(&states)
        .flat_map(|(visit, state)| {
            visit.expects.iter().map(move |line| Verdict {
                case: case.name.clone(),
                visit: visit.number,
                line: line.line,
                text: line.text.clone(),
                failure: judge(program, line, state).err(),
            })
        })
        .collect();
    (verdicts, states)
}

fn category_found(program: &Program, state: &VisitState) -> String {
    let name = |c: &u32| {
        program
            .categories
            .get(*c as usize)
            .map(|c| c.name.as_str())
            .unwrap_or("?")
    };
    let provisional = if state.provisional {
        " (provisional)"
    } else {
        ""
    };
    match &state.category {
        CategoryState::None => format!("category none{provisional}"),
        CategoryState::One(c) => format!("category {}{provisional}", name(c)),
        CategoryState::Coexisting(cs) => format!(
            "categories {}, coexisting{provisional}",
            cs.iter().map(name).collect::<Vec<_>>().join(" and ")
        ),
        CategoryState::Ambiguous(cs) => format!(
            "ambiguous between {}{provisional}",
            cs.iter().map(name).collect::<Vec<_>>().join(" and ")
        ),
    }
}

/// The red flags raised in a visit, in words.
fn raised_list(program: &Program, state: &VisitState) -> String {
    let raised: Vec<&str> = program
        .red_flags
        .iter()
        .zip(&state.red_flags)
        .filter(|(_, t)| **t == Tri::True)
        .map(|(f, _)| f.name.as_str())
        .collect();
    if raised.is_empty() {
        "no red flag raised".into()
    } else {
        format!("red flags raised: {}", raised.join(", "))
    }
}

fn recommended_list(program: &Program, state: &VisitState) -> String {
    if state.recommended.is_empty() {
        return "no adjustment".into();
    }
    state
        .recommended
        .iter()
        .map(|r| show_call(program, r.adjustment, &r.args))
        .collect::<Vec<_>>()
        .join(", ")
}

fn recommends(state: &VisitState, adjustment: u32, args: &Option<Vec<Value>>) -> bool {
    state
        .recommended
        .iter()
        .any(|r| r.adjustment == adjustment && args.as_ref().is_none_or(|a| *a == r.args))
}

/// `Ok` when the expectation holds, else what was found.
fn judge(program: &Program, line: &ExpectLine, state: &VisitState) -> Result<(), String> {
    let fail = |found: String| Err(found);
    match &line.expect {
        Expect::Category(expected) => {
            let holds = match (expected, &state.category) {
                (None, CategoryState::None) => true,
                (Some(c), chosen) => chosen.categories().contains(c),
                _ => false,
            };
            if holds {
                Ok(())
            } else {
                fail(category_found(program, state))
            }
        }
        Expect::Categories(expected) => {
            // Set equality; an ambiguous visit has no category.
            let found = state.category.categories();
            let holds = expected.iter().all(|c| found.contains(c))
                && found.iter().all(|c| expected.contains(c));
            if holds {
                Ok(())
            } else {
                fail(category_found(program, state))
            }
        }
        Expect::Ambiguous => match state.category {
            CategoryState::Ambiguous(_) => Ok(()),
            _ => fail(category_found(program, state)),
        },
        Expect::Provisional => {
            if state.provisional {
                Ok(())
            } else {
                fail(category_found(program, state))
            }
        }
        Expect::Refer => {
            if state.referred() {
                Ok(())
            } else {
                fail("no red flag raised".into())
            }
        }
        Expect::RedFlag(f) => {
            if state.red_flags.get(*f as usize) == Some(&Tri::True) {
                Ok(())
            } else {
                fail(raised_list(program, state))
            }
        }
        Expect::NoRefer => {
            if state.referred() {
                fail(raised_list(program, state))
            } else {
                Ok(())
            }
        }
        Expect::NoRedFlag(f) | Expect::NotRuledOut(f) | Expect::RuledOut(f) => {
            let wanted = match &line.expect {
                Expect::NoRedFlag(_) => [Tri::False, Tri::Unknown].as_slice(),
                Expect::NotRuledOut(_) => &[Tri::Unknown],
                _ => &[Tri::False],
            };
            match state.red_flags.get(*f as usize) {
                Some(t) if wanted.contains(t) => Ok(()),
                Some(t) => fail(format!(
                    "red flag {}",
                    match t {
                        Tri::True => "raised",
                        Tri::Unknown => "not ruled out",
                        Tri::False => "ruled out",
                    }
                )),
                None => fail("no such red flag".into()),
            }
        }
        Expect::Adjustment(a, args) => {
            if recommends(state, *a, args) {
                Ok(())
            } else {
                fail(recommended_list(program, state))
            }
        }
        Expect::NoAdjustment(a, args) => {
            if recommends(state, *a, args) {
                fail(recommended_list(program, state))
            } else {
                Ok(())
            }
        }
        Expect::Check(c, instance, word) => {
            let outcomes = state
                .checks
                .get(*c as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let found = outcomes.get(instance.unwrap_or(0) as usize).copied();
            match found {
                Some(o) if o.word() == word => Ok(()),
                Some(o) => fail(format!("outcome {}", o.word())),
                None => fail("no such check binding".into()),
            }
        }
        Expect::Withheld(r, instance) => {
            let states = state.rule(*r as usize);
            let holds = match instance {
                Some(i) => states.get(*i as usize) == Some(&RuleState::Withheld),
                None => states.contains(&RuleState::Withheld),
            };
            if holds {
                Ok(())
            } else {
                let shown: Vec<String> = match instance {
                    Some(i) => states
                        .get(*i as usize)
                        .map(|s| describe(*s))
                        .into_iter()
                        .collect(),
                    None => states
                        .iter()
                        .map(|s| describe(*s))
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                };
                fail(format!("rule {}", shown.join(", ")))
            }
        }
    }
}

/// A rule state in words.
pub fn describe(state: RuleState) -> String {
    match state {
        RuleState::Fired => "fired".into(),
        RuleState::Withheld => "withheld".into(),
        RuleState::NotEvaluated(_) => "not evaluated".into(),
        RuleState::NotFired => "did not fire".into(),
        RuleState::OtherCategory => "in another category".into(),
        RuleState::Suspended => "suspended by a red flag".into(),
    }
}

/// Every outcome word, for coverage listings.
pub fn outcome_words() -> impl Iterator<Item = &'static str> {
    Outcome::ALL.iter().map(|o| o.word())
}
