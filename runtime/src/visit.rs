//! One visit, evaluated in the order of LANGUAGE.md §4 and §7.4: categories, red flags
//! (which may be bound to a category), rules, recommendations, checks. The result is compact
//! (states by index); `explain` turns it into a report with reasons.

use std::borrow::Cow;

use sot_ir::eval::conjunction;
use sot_ir::{CheckScope, Findings, Program, Step, Value, Visit};

use crate::evaluate::{truth, value, Env, Tri};

/// What happened to one binding of one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleState {
    /// `when` true, `unless` false: its adjustments are recommended.
    Fired,
    /// `when` true and `unless` true.
    Withheld,
    /// `when` or `unless` unknown, or an argument depends on an unknown finding.
    NotEvaluated(Undecided),
    /// `when` false.
    NotFired,
    /// In another category than the visit's.
    OtherCategory,
    /// A red flag was raised: no rule is evaluated.
    Suspended,
}

/// Why a rule was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// Its `when` is unknown.
    When,
    /// Its `when` is true and its `unless` unknown.
    Unless,
    /// An argument of its `then` depends on a finding not examined.
    Arguments,
    /// The visit is ambiguous between categories, one of them the rule's.
    AmbiguousCategory,
}

/// The outcome of a before/after check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The adjustment was not given, or there is nothing to compare.
    NotApplicable,
    /// `need` is false: nothing to correct.
    NotNeeded,
    /// `complete` is true.
    Complete,
    /// `marginal` is true.
    Marginal,
    /// Neither.
    Ineffective,
    /// A condition that decides it is unknown.
    Unknown,
}

impl Outcome {
    /// The word used in `expect check … OUTCOME`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::NotApplicable => "not_applicable",
            Outcome::NotNeeded => "not_needed",
            Outcome::Complete => "complete",
            Outcome::Marginal => "marginal",
            Outcome::Ineffective => "ineffective",
            Outcome::Unknown => "unknown",
        }
    }

    /// Every outcome.
    pub const ALL: [Outcome; 6] = [
        Outcome::NotApplicable,
        Outcome::NotNeeded,
        Outcome::Complete,
        Outcome::Marginal,
        Outcome::Ineffective,
        Outcome::Unknown,
    ];
}

/// The visit's category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CategoryState {
    /// No category is true.
    None,
    /// One category outranks every other true one.
    One(u32),
    /// Several true categories that nothing outranks, all on one `coexist` line: they are
    /// all the visit's categories, in the first such line's order (LANGUAGE.md §7.1).
    Coexisting(Vec<u32>),
    /// Several true categories, none outranking the others, not all on one `coexist` line.
    Ambiguous(Vec<u32>),
}

impl CategoryState {
    /// The visit's categories: one, several coexisting, or none (an ambiguous visit has
    /// none).
    pub fn categories(&self) -> &[u32] {
        match self {
            CategoryState::One(c) => std::slice::from_ref(c),
            CategoryState::Coexisting(cs) => cs,
            CategoryState::None | CategoryState::Ambiguous(_) => &[],
        }
    }

    /// The categories a report names: the visit's categories, or the tied ones of an
    /// ambiguous visit.
    pub fn named(&self) -> &[u32] {
        match self {
            CategoryState::Ambiguous(tied) => tied,
            other => other.categories(),
        }
    }
}

/// Whether category `a` outranks `b` (transitively).
fn outranks(program: &Program, a: usize, b: usize) -> bool {
    program
        .outranks
        .get(a)
        .and_then(|r| r.get(b))
        .copied()
        .unwrap_or(false)
}

/// Whether category `u`, were it true, could change the visit's result: it is outranked by
/// none of the visit's categories (none of the tied ones, when ambiguous; any category, when
/// the category is none). LANGUAGE.md §7.1 "Provisional".
pub fn could_change(program: &Program, category: &CategoryState, u: usize) -> bool {
    !category
        .named()
        .iter()
        .any(|&c| outranks(program, c as usize, u))
}

/// A recommended adjustment: the adjustment, its argument values, and the rule instances
/// (flat indices) that recommend it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommended {
    /// The adjustment.
    pub adjustment: u32,
    /// Its argument values.
    pub args: Vec<Value>,
    /// The `(rule, instance)` pairs that fired for it.
    pub by: Vec<(u32, u32)>,
}

/// Everything evaluated for one visit, by index into the program.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitState {
    /// Each red flag's truth.
    pub red_flags: Vec<Tri>,
    /// Each category's truth.
    pub categories: Vec<Tri>,
    /// The visit's category.
    pub category: CategoryState,
    /// Whether an unknown category could change it.
    pub provisional: bool,
    /// Per rule instance, rule after rule (see [`VisitState::rule`]).
    rule_states: Vec<RuleState>,
    /// Where each rule's instances start in `rule_states`.
    rule_start: Vec<u32>,
    /// The recommendations in rule declaration order, each once.
    pub recommended: Vec<Recommended>,
    /// Per check, per instance.
    pub checks: Vec<Vec<Outcome>>,
}

impl VisitState {
    /// The states of rule `r`'s instances.
    pub fn rule(&self, r: usize) -> &[RuleState] {
        let start = self.rule_start.get(r).copied().unwrap_or(0) as usize;
        let end = self
            .rule_start
            .get(r + 1)
            .map_or(self.rule_states.len(), |e| *e as usize);
        self.rule_states.get(start..end).unwrap_or_default()
    }

    /// The states of every rule's instances, rule after rule.
    pub fn rules(&self) -> impl Iterator<Item = &[RuleState]> {
        (0..self.rule_start.len()).map(|r| self.rule(r))
    }

    /// Whether a red flag is raised.
    pub fn referred(&self) -> bool {
        self.red_flags.contains(&Tri::True)
    }
}

/// The adjustments given in a visit: `given`, or the recommended ones when it has none.
pub(crate) fn given_adjustments(visit: &Visit, state: &VisitState) -> Vec<u32> {
    match &visit.given {
        Some(given) => given.iter().map(|(a, _)| *a).collect(),
        None => state.recommended.iter().map(|r| r.adjustment).collect(),
    }
}

/// The visit before the one evaluated: the visit, its state, and its findings with the
/// case's history applied.
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    /// The visit as written.
    pub visit: &'a Visit,
    /// What it evaluated to.
    pub state: &'a VisitState,
    /// Its findings, history applied (what `previous.` reads).
    pub findings: &'a Findings,
}

/// Each visit's findings with the case's history applied (LANGUAGE.md §7.2); borrowed when
/// the case has no history.
pub fn case_findings(case: &sot_ir::Case) -> Vec<Cow<'_, Findings>> {
    case.visits
        .iter()
        .map(|v| match &case.history {
            Some(history) => Cow::Owned(v.findings.with_history(history)),
            None => Cow::Borrowed(&v.findings),
        })
        .collect()
}

/// Evaluates a visit: `findings` are its findings with the history applied (what
/// categories, red flags and rules read; checks read the visits' own), `previous` the visit
/// before it.
pub fn evaluate_visit(
    program: &Program,
    visit: &Visit,
    findings: &Findings,
    previous: Option<Previous>,
) -> VisitState {
    let env = Env::visit(findings, previous.map(|p| p.findings));
    // Categories first: a red flag may be bound to one (LANGUAGE.md §7.4).
    let categories: Vec<Tri> = program
        .categories
        .iter()
        .map(|c| truth(program, &c.when, env))
        .collect();
    let (category, provisional) = choose_category(program, &categories);
    let red_flags: Vec<Tri> = program
        .red_flags
        .iter()
        .map(|r| {
            let when = truth(program, &r.when, env);
            match r.category {
                None => when,
                Some(c) => in_category(program, &category, &categories, c) & when,
            }
        })
        .collect();
    let referred = red_flags.contains(&Tri::True);

    // One allocation for every rule instance: nothing is allocated per rule. The plan lists
    // the instances in order, most of them with their `when` as flat tests.
    let plan = &program.plan;
    let mut rule_states = Vec::with_capacity(plan.steps.len());
    let mut recommended = Recommendations {
        list: Vec::new(),
        first: vec![u32::MAX; program.adjustments.len()],
    };
    for step in &plan.steps {
        let state = if referred {
            RuleState::Suspended
        } else {
            match (step.category, &category) {
                (None, _) => rule_state(program, step, findings, env, &mut recommended),
                (Some(c), CategoryState::Ambiguous(tied)) if tied.contains(&c) => {
                    RuleState::NotEvaluated(Undecided::AmbiguousCategory)
                }
                (Some(c), chosen) if chosen.categories().contains(&c) => {
                    rule_state(program, step, findings, env, &mut recommended)
                }
                (Some(_), _) => RuleState::OtherCategory,
            }
        };
        rule_states.push(state);
    }
    let rule_start = plan.rule_start.clone();
    let recommended = recommended.list;

    let mut state = VisitState {
        red_flags,
        categories,
        category,
        provisional,
        rule_states,
        rule_start,
        recommended,
        checks: Vec::new(),
    };
    let given_now = given_adjustments(visit, &state);
    let given_before = previous.map(|p| given_adjustments(p.visit, p.state));
    state.checks = program
        .checks
        .iter()
        .map(|check| {
            let (before, after, given_in) = match (check.scope, previous) {
                (CheckScope::WithinVisit, _) => (
                    Some(&visit.findings),
                    visit.after.as_ref(),
                    Some(&given_now),
                ),
                // A check reads the visits' own findings: a history value is not re-examined.
                (CheckScope::AcrossVisits, Some(prev)) => (
                    Some(&prev.visit.findings),
                    Some(&visit.findings),
                    given_before.as_ref(),
                ),
                (CheckScope::AcrossVisits, None) => (None, None, None),
            };
            check
                .instances
                .iter()
                .map(|instance| {
                    let applies = match (check.after, given_in) {
                        (Some(adj), Some(given)) => given.contains(&adj),
                        _ => true,
                    };
                    let (Some(before), Some(after), true) = (before, after, applies) else {
                        return Outcome::NotApplicable;
                    };
                    let env = Env::check(Some(before), Some(after));
                    match truth(program, &instance.need, env) {
                        Tri::False => return Outcome::NotNeeded,
                        Tri::Unknown => return Outcome::Unknown,
                        Tri::True => {}
                    }
                    match truth(program, &instance.complete, env) {
                        Tri::True => return Outcome::Complete,
                        Tri::Unknown => return Outcome::Unknown,
                        Tri::False => {}
                    }
                    match instance.marginal.as_ref().map(|m| truth(program, m, env)) {
                        Some(Tri::True) => Outcome::Marginal,
                        Some(Tri::Unknown) => Outcome::Unknown,
                        _ => Outcome::Ineffective,
                    }
                })
                .collect()
        })
        .collect();
    state
}

/// The recommendations of a visit as they are gathered, with where each adjustment's first
/// one is (`u32::MAX`: none yet), so that finding a repeated one does not scan the list.
struct Recommendations {
    list: Vec<Recommended>,
    first: Vec<u32>,
}

/// The state of a rule instance that matches the visit's category.
fn rule_state(
    program: &Program,
    step: &Step,
    findings: &Findings,
    env: Env,
    recommended: &mut Recommendations,
) -> RuleState {
    // The rule itself is read only when the tests do not decide (its expression) or when it
    // fires (its adjustments).
    let instance = || {
        program
            .rules
            .get(step.rule as usize)
            .and_then(|r| r.instances.get(step.instance as usize))
    };
    let when = match step.tests {
        Some((start, len)) => {
            let tests = program
                .plan
                .tests
                .get(start as usize..(start + len) as usize)
                .unwrap_or_default();
            conjunction(tests, findings)
        }
        None => instance().map_or(Tri::False, |i| truth(program, &i.when, env)),
    };
    if when != Tri::True {
        return if when == Tri::False {
            RuleState::NotFired
        } else {
            RuleState::NotEvaluated(Undecided::When)
        };
    }
    let Some(instance) = instance() else {
        return RuleState::NotFired;
    };
    match instance.unless.as_ref().map(|u| truth(program, u, env)) {
        Some(Tri::True) => RuleState::Withheld,
        Some(Tri::Unknown) => RuleState::NotEvaluated(Undecided::Unless),
        _ => recommend(
            program,
            instance,
            env,
            (step.rule, step.instance),
            recommended,
        ),
    }
}

/// Records the adjustments of a fired rule instance; an argument that depends on an unknown
/// finding makes the rule not evaluated instead.
fn recommend(
    program: &Program,
    instance: &sot_ir::RuleInstance,
    env: Env,
    id: (u32, u32),
    recommended: &mut Recommendations,
) -> RuleState {
    // Every argument must be known before anything is recorded.
    let known = |call: &sot_ir::Call| call.args.iter().all(|a| value(program, a, env).is_some());
    if !instance.then.iter().all(known) {
        return RuleState::NotEvaluated(Undecided::Arguments);
    }
    for call in &instance.then {
        // Known (checked above); an adjustment without arguments allocates nothing.
        let args: Vec<Value> = call
            .args
            .iter()
            .filter_map(|a| value(program, a, env))
            .collect();
        // The search starts at the first recommendation of this adjustment, if any.
        let from = recommended
            .first
            .get(call.adjustment as usize)
            .copied()
            .unwrap_or(0);
        let found = match from {
            u32::MAX => None,
            from => recommended
                .list
                .iter_mut()
                .skip(from as usize)
                .find(|r| r.adjustment == call.adjustment && r.args == args),
        };
        match found {
            // A rule that names the same call twice (`then rest, rest()`) is its reason once.
            Some(existing) if existing.by.contains(&id) => {}
            Some(existing) => existing.by.push(id),
            None => {
                if let Some(first) = recommended.first.get_mut(call.adjustment as usize) {
                    if *first == u32::MAX {
                        *first = recommended.list.len() as u32;
                    }
                }
                // Room for a few rules before the list grows: most adjustments are
                // recommended by one to a handful of rules.
                let mut by = Vec::with_capacity(4);
                by.push(id);
                recommended.list.push(Recommended {
                    adjustment: call.adjustment,
                    args,
                    by,
                });
            }
        }
    }
    RuleState::Fired
}

/// The first `coexist` line (declaration order) that names every one of `categories`.
pub fn coexist_line(program: &Program, categories: &[u32]) -> Option<usize> {
    program
        .coexist
        .iter()
        .position(|line| categories.iter().all(|c| line.categories.contains(c)))
}

/// `in category c` of a red flag (LANGUAGE.md §7.4): true when `c` is one of the visit's
/// categories or one of the tied ones of an ambiguous visit; unknown when `c`'s condition is
/// unknown and it could change the result (so the result is provisional); false otherwise.
fn in_category(program: &Program, category: &CategoryState, truth: &[Tri], c: u32) -> Tri {
    if category.named().contains(&c) {
        Tri::True
    } else if truth.get(c as usize) == Some(&Tri::Unknown)
        && could_change(program, category, c as usize)
    {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// The visit's categories: the true ones that no other true one outranks (several when they
/// are all on one `coexist` line, in that line's order; else ambiguous), and whether an
/// unknown category could change them.
fn choose_category(program: &Program, truth: &[Tri]) -> (CategoryState, bool) {
    let true_ones: Vec<usize> = (0..truth.len())
        .filter(|&c| truth[c] == Tri::True)
        .collect();
    let chosen: Vec<u32> = true_ones
        .iter()
        .copied()
        .filter(|&c| !true_ones.iter().any(|&o| o != c && outranks(program, o, c)))
        .map(|c| c as u32)
        .collect();
    let state = match chosen.as_slice() {
        [] => CategoryState::None,
        [one] => CategoryState::One(*one),
        many => match coexist_line(program, many).and_then(|l| program.coexist.get(l)) {
            Some(line) => CategoryState::Coexisting(
                line.categories
                    .iter()
                    .copied()
                    .filter(|c| many.contains(c))
                    .collect(),
            ),
            None => CategoryState::Ambiguous(many.to_vec()),
        },
    };
    let provisional =
        (0..truth.len()).any(|u| truth[u] == Tri::Unknown && could_change(program, &state, u));
    (state, provisional)
}

/// Every visit of a case, in order.
pub fn evaluate_case(program: &Program, case: &sot_ir::Case) -> Vec<VisitState> {
    let findings = case_findings(case);
    let mut states: Vec<VisitState> = Vec::with_capacity(case.visits.len());
    for (i, (visit, now)) in case.visits.iter().zip(&findings).enumerate() {
        let previous = i.checked_sub(1).and_then(|p| {
            Some(Previous {
                visit: case.visits.get(p)?,
                state: states.get(p)?,
                findings: findings.get(p)?,
            })
        });
        let state = evaluate_visit(program, visit, now, previous);
        states.push(state);
    }
    states
}
