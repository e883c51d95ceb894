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
    /// Whether it holds.
    pub passed: bool,
    /// What was found, in the words of a failure (`category II`, `no adjustment`, `outcome
    /// complete`), whether it holds or not.
    pub found: String,
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
            visit.expects.iter().map(move |line| {
                let (passed, found) = judge(program, line, state);
                Verdict {
                    case: case.name.clone(),
                    visit: visit.number,
                    line: line.line,
                    text: line.text.clone(),
                    passed,
                    found,
                }
            })
        })
        .collect();
    (verdicts, states)
}

/// The `expect` lines that hold for a visit evaluated as `state`: its category (`expect
/// category C`, `expect category A, B` when coexisting, `expect category none`, `expect
/// ambiguous`), `expect provisional` when it is, each raised red flag, and each recommended
/// adjustment with its arguments. What a new case written from findings asserts.
pub fn holding_lines(program: &Program, state: &VisitState) -> Vec<String> {
    let name = |c: &u32| program.categories.get(*c as usize).map(|c| c.name.as_str());
    let mut out = vec![match &state.category {
        CategoryState::None => "expect category none".to_string(),
        CategoryState::Ambiguous(_) => "expect ambiguous".to_string(),
        chosen => format!(
            "expect category {}",
            chosen
                .categories()
                .iter()
                .filter_map(name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }];
    if state.provisional {
        out.push("expect provisional".into());
    }
    for (flag, t) in program.red_flags.iter().zip(&state.red_flags) {
        if *t == Tri::True {
            out.push(format!("expect red_flag {}", flag.name));
        }
    }
    for r in &state.recommended {
        out.push(format!(
            "expect adjustment {}",
            show_call(program, r.adjustment, &r.args)
        ));
    }
    out
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

/// Whether the expectation holds, and what was found (in the words a failure shows).
fn judge(program: &Program, line: &ExpectLine, state: &VisitState) -> (bool, String) {
    match &line.expect {
        Expect::Category(expected) => {
            let holds = match (expected, &state.category) {
                (None, CategoryState::None) => true,
                (Some(c), chosen) => chosen.categories().contains(c),
                _ => false,
            };
            (holds, category_found(program, state))
        }
        Expect::Categories(expected) => {
            // Set equality; an ambiguous visit has no category.
            let found = state.category.categories();
            let holds = expected.iter().all(|c| found.contains(c))
                && found.iter().all(|c| expected.contains(c));
            (holds, category_found(program, state))
        }
        Expect::Ambiguous => (
            matches!(state.category, CategoryState::Ambiguous(_)),
            category_found(program, state),
        ),
        Expect::Provisional => (state.provisional, category_found(program, state)),
        Expect::Refer | Expect::NoRefer => {
            let holds = state.referred() == matches!(line.expect, Expect::Refer);
            (holds, raised_list(program, state))
        }
        Expect::RedFlag(f) => (
            state.red_flags.get(*f as usize) == Some(&Tri::True),
            raised_list(program, state),
        ),
        Expect::NoRedFlag(f) | Expect::NotRuledOut(f) | Expect::RuledOut(f) => {
            let wanted = match &line.expect {
                Expect::NoRedFlag(_) => [Tri::False, Tri::Unknown].as_slice(),
                Expect::NotRuledOut(_) => &[Tri::Unknown],
                _ => &[Tri::False],
            };
            match state.red_flags.get(*f as usize) {
                Some(t) => (
                    wanted.contains(t),
                    format!(
                        "red flag {}",
                        match t {
                            Tri::True => "raised",
                            Tri::Unknown => "not ruled out",
                            Tri::False => "ruled out",
                        }
                    ),
                ),
                None => (false, "no such red flag".into()),
            }
        }
        Expect::Adjustment(a, args) | Expect::NoAdjustment(a, args) => {
            let holds =
                recommends(state, *a, args) == matches!(line.expect, Expect::Adjustment(..));
            (holds, recommended_list(program, state))
        }
        Expect::Check(c, instance, word) => {
            let outcomes = state
                .checks
                .get(*c as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            match outcomes.get(instance.unwrap_or(0) as usize).copied() {
                Some(o) => (o.word() == word, format!("outcome {}", o.word())),
                None => (false, "no such check binding".into()),
            }
        }
        Expect::Withheld(r, instance) => {
            let states = state.rule(*r as usize);
            let holds = match instance {
                Some(i) => states.get(*i as usize) == Some(&RuleState::Withheld),
                None => states.contains(&RuleState::Withheld),
            };
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
            (holds, format!("rule {}", shown.join(", ")))
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
