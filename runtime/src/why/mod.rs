//! `sot why`: why the protocol did or did not decide an item at a visit, as data. For a
//! rule, which findings made it fire, withheld it, or, for a rule that did not fire, the
//! part of its `when` that was false (with the value each test needed and the value
//! found); for an adjustment, the rules that recommend it or every rule that could have
//! and why each did not; for a category, a red flag or a check, what decided it.
//!
//! Only what could change the answer is named (`condition::deciding`); the values are the
//! evaluator's, never computed a second way.

mod items;
mod query;

use serde::Serialize;
use sot_ir::{Case, Findings, Program, Urgency, Visit};

use crate::explain::Sources;
use crate::visit::{case_findings, evaluate_case, VisitState};

pub(crate) use items::rule_whys;
pub use items::{
    AdjustmentWhy, CategoryOutcome, CategoryWhy, CheckWhy, FlagOutcome, NotApplicable,
    RecommendedCall, RedFlagWhy, RuleOutcome, RuleWhy, UndecidedPart,
};
pub(crate) use query::parse_value;
pub use query::{resolve, Kind, Query, ResolveError, Target};

/// What the explanations of one visit read.
#[derive(Clone, Copy)]
pub(crate) struct VisitContext<'a> {
    /// The program.
    pub(crate) program: &'a Program,
    /// The visit as written.
    pub(crate) visit: &'a Visit,
    /// The visit before it, as written, and what it evaluated to (`None` when the caller
    /// does not need it: only checks read it).
    pub(crate) previous: Option<(&'a Visit, Option<&'a VisitState>)>,
    /// The case's history.
    pub(crate) history: Option<&'a Findings>,
    /// What the visit evaluated to.
    pub(crate) state: &'a VisitState,
    /// Where its rules, categories and red flags read findings.
    pub(crate) src: Sources<'a>,
}

/// A red flag raised at the visit: what every answer of the visit says first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Referral {
    /// The red flag.
    pub red_flag: String,
    /// Its title.
    pub title: Option<String>,
    /// The referral text.
    pub refer: String,
    /// Its urgency (`null`: not stated).
    pub urgency: Option<Urgency>,
}

/// The answer about one item at one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A rule: each binding asked for.
    Rule {
        /// The rule's name.
        rule: String,
        /// Its title.
        title: Option<String>,
        /// One explanation per binding, in order.
        bindings: Vec<RuleWhy>,
    },
    /// An adjustment, or a call of it.
    Adjustment(AdjustmentWhy),
    /// A category.
    Category(CategoryWhy),
    /// A red flag.
    RedFlag(RedFlagWhy),
    /// A check: each binding asked for.
    Check {
        /// The check's name.
        check: String,
        /// Its title.
        title: Option<String>,
        /// One explanation per binding, in order.
        bindings: Vec<CheckWhy>,
    },
}

/// The answers of one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisitWhy {
    /// The visit's number.
    pub visit: i64,
    /// Its label.
    pub label: Option<String>,
    /// The red flags raised, most urgent first: a referral comes before any answer.
    pub red_flags: Vec<Referral>,
    /// One answer per item the name resolved to (a name may be a rule and a check).
    pub answers: Vec<Answer>,
}

/// The answers of one case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseWhy {
    /// The case's name.
    pub case: String,
    /// Its title.
    pub title: Option<String>,
    /// The protocol's title.
    pub protocol: Option<String>,
    /// The item as asked.
    pub item: String,
    /// The visits asked about, in order.
    pub visits: Vec<VisitWhy>,
}

/// Explains `targets` (see [`resolve`]) at the visits of `case` (every visit, or the one
/// numbered `visit`); `item` is the item as asked, for the report.
pub fn why_case(
    program: &Program,
    case: &Case,
    targets: &[Target],
    item: &str,
    visit: Option<i64>,
) -> CaseWhy {
    let states = evaluate_case(program, case);
    let findings = case_findings(case);
    let mut visits = Vec::new();
    for (i, v) in case.visits.iter().enumerate() {
        if visit.is_some_and(|n| n != v.number) {
            continue;
        }
        let Some(cx) = context(program, case, &states, &findings, i) else {
            continue;
        };
        visits.push(VisitWhy {
            visit: v.number,
            label: v.label.clone(),
            red_flags: referrals(program, cx.state),
            answers: targets
                .iter()
                .filter_map(|t| items::answer(&cx, t))
                .collect(),
        });
    }
    CaseWhy {
        case: case.name.clone(),
        title: case.title.clone(),
        protocol: program.title.clone(),
        item: item.to_string(),
        visits,
    }
}

/// The answers about `targets` at the visit at `index` (0-based) of `case`, one per target
/// in order (`None` for a target the program does not have): what practice mode gives as
/// the protocol's reasons.
pub(crate) fn answers_at(
    program: &Program,
    case: &Case,
    index: usize,
    targets: &[Target],
) -> Vec<Option<Answer>> {
    let states = evaluate_case(program, case);
    let findings = case_findings(case);
    match context(program, case, &states, &findings, index) {
        Some(cx) => targets.iter().map(|t| items::answer(&cx, t)).collect(),
        None => vec![None; targets.len()],
    }
}

/// What the explanations of the visit at `index` read.
fn context<'a>(
    program: &'a Program,
    case: &'a Case,
    states: &'a [VisitState],
    findings: &'a [std::borrow::Cow<'a, Findings>],
    i: usize,
) -> Option<VisitContext<'a>> {
    let v = case.visits.get(i)?;
    let now = findings.get(i)?;
    let state = states.get(i)?;
    let previous = i.checked_sub(1).and_then(|p| {
        Some((
            case.visits.get(p)?,
            findings.get(p)?.as_ref(),
            states.get(p),
        ))
    });
    Some(VisitContext {
        program,
        visit: v,
        previous: previous.map(|(pv, _, ps)| (pv, ps)),
        history: case.history.as_ref(),
        state,
        src: Sources::visit(now, v, previous.map(|(pv, pf, _)| (pv, pf))),
    })
}

/// The red flags raised, most urgent first (emergency, urgent, routine, unstated), then in
/// declaration order, as the run report lists them.
fn referrals(program: &Program, state: &VisitState) -> Vec<Referral> {
    let mut raised: Vec<&sot_ir::RedFlag> = program
        .red_flags
        .iter()
        .zip(&state.red_flags)
        .filter(|(_, t)| **t == crate::evaluate::Tri::True)
        .map(|(f, _)| f)
        .collect();
    raised.sort_by_key(|f| (f.urgency.is_none(), f.urgency));
    raised
        .into_iter()
        .map(|f| Referral {
            red_flag: f.name.clone(),
            title: f.title.clone(),
            refer: f.refer.clone(),
            urgency: f.urgency,
        })
        .collect()
}
