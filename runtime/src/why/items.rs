//! The explanation of each kind of item at one visit: rules (per binding), adjustments,
//! categories, red flags and checks.

use serde::Serialize;
use sot_ir::{CheckScope, Expr, Findings, Program, Urgency, Value};

use super::{Answer, Target, VisitContext};
use crate::condition::{deciding, Deciding, Truth};
use crate::evaluate::{support, truth, value, Tri};
use crate::explain::{binding, finding_values, show_call, FindingValue, NamedCategory, Sources};
use crate::visit::{could_change, given_adjustments, CategoryState, Outcome, RuleState, Undecided};

/// What happened to a rule binding, in words a report can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// Its `when` held and its `unless` did not: its adjustments are recommended.
    Fired,
    /// Its `when` held and its `unless` too.
    Withheld,
    /// Its `when` was false.
    NotFired,
    /// Something that decides it is unknown (see `undecided`).
    NotEvaluated,
    /// It belongs to a category that is not the visit's.
    OtherCategory,
    /// A red flag was raised: no rule is evaluated.
    Suspended,
}

/// Why a rule binding was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UndecidedPart {
    /// Its `when` is unknown.
    When,
    /// Its `when` holds and its `unless` is unknown.
    Unless,
    /// An argument of its `then` depends on a finding not known.
    Arguments,
    /// The visit is ambiguous between categories, the rule's among them.
    AmbiguousCategory,
}

/// One rule binding at one visit, and why it came out as it did.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RuleWhy {
    /// The rule's name.
    pub rule: String,
    /// Its title.
    pub title: Option<String>,
    /// Its `for` binding as `name = value`, empty without `for`.
    pub binding: Vec<String>,
    /// The category of its `in category`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What happened.
    pub state: RuleOutcome,
    /// Not evaluated: what was unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<UndecidedPart>,
    /// The part of its `when` that decided it (omitted when the rule was not evaluated at
    /// all: another category, ambiguous, suspended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Deciding>,
    /// The part of its `unless` that decided it (omitted when it was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unless: Option<Deciding>,
    /// Not evaluated because of its arguments: the findings they need.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<FindingValue>,
    /// Every finding named above, each once: the findings that decided it.
    pub findings: Vec<FindingValue>,
    /// Fired: the calls it recommends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recommends: Vec<String>,
    /// Another category, or ambiguous: the visit's categories (the tied ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_categories: Option<Vec<String>>,
    /// Suspended: the red flags raised.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub red_flags: Vec<String>,
}

/// Every rule binding of the visit, rule after rule.
pub(crate) fn rule_whys(cx: &VisitContext) -> Vec<RuleWhy> {
    let program = cx.program;
    (0..program.rules.len())
        .flat_map(|r| {
            let count = program.rules.get(r).map_or(0, |rule| rule.instances.len());
            (0..count).filter_map(move |i| rule_why(cx, r, i))
        })
        .collect()
}

fn category_name(program: &Program, c: u32) -> String {
    program
        .categories
        .get(c as usize)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// Rule `r`'s instance `i` at the visit.
fn rule_why(cx: &VisitContext, r: usize, i: usize) -> Option<RuleWhy> {
    let program = cx.program;
    let rule = program.rules.get(r)?;
    let instance = rule.instances.get(i)?;
    let state = *cx.state.rule(r).get(i)?;
    let src = cx.src;
    let when = || Some(deciding(program, &instance.when, src));
    let unless = || instance.unless.as_ref().map(|u| deciding(program, u, src));
    let mut why = RuleWhy {
        rule: rule.name.clone(),
        title: rule.title.clone(),
        binding: binding(&instance.binding),
        category: rule.category.map(|c| category_name(program, c)),
        state: RuleOutcome::NotFired,
        undecided: None,
        when: None,
        unless: None,
        arguments: Vec::new(),
        findings: Vec::new(),
        recommends: Vec::new(),
        visit_categories: None,
        red_flags: Vec::new(),
    };
    let names = |cs: &[u32]| cs.iter().map(|c| category_name(program, *c)).collect();
    match state {
        RuleState::Fired => {
            why.state = RuleOutcome::Fired;
            why.when = when();
            why.unless = unless();
            why.recommends = instance
                .then
                .iter()
                .map(|call| {
                    let args: Vec<Value> = call
                        .args
                        .iter()
                        .filter_map(|a| value(program, a, src.env))
                        .collect();
                    show_call(program, call.adjustment, &args)
                })
                .collect();
        }
        RuleState::Withheld => {
            why.state = RuleOutcome::Withheld;
            why.when = when();
            why.unless = unless();
        }
        RuleState::NotFired => why.when = when(),
        RuleState::NotEvaluated(part) => {
            why.state = RuleOutcome::NotEvaluated;
            why.undecided = Some(match part {
                Undecided::When => UndecidedPart::When,
                Undecided::Unless => UndecidedPart::Unless,
                Undecided::Arguments => UndecidedPart::Arguments,
                Undecided::AmbiguousCategory => UndecidedPart::AmbiguousCategory,
            });
            match part {
                Undecided::When => why.when = when(),
                Undecided::Unless => {
                    why.when = when();
                    why.unless = unless();
                }
                Undecided::Arguments => {
                    why.when = when();
                    why.unless = unless();
                    let mut refs = Vec::new();
                    for arg in instance.then.iter().flat_map(|c| &c.args) {
                        support(program, arg, src.env, &mut refs);
                    }
                    refs.retain(|(p, s)| src.env.slot(*p, *s).is_none());
                    why.arguments = finding_values(program, src, &refs);
                }
                Undecided::AmbiguousCategory => {
                    why.visit_categories = Some(names(cx.state.category.named()));
                }
            }
        }
        RuleState::OtherCategory => {
            why.state = RuleOutcome::OtherCategory;
            why.visit_categories = Some(names(cx.state.category.categories()));
        }
        RuleState::Suspended => {
            why.state = RuleOutcome::Suspended;
            why.red_flags = program
                .red_flags
                .iter()
                .zip(&cx.state.red_flags)
                .filter(|(_, t)| **t == Tri::True)
                .map(|(f, _)| f.name.clone())
                .collect();
        }
    }
    let mut findings: Vec<FindingValue> = Vec::new();
    let decided = why
        .when
        .iter()
        .chain(&why.unless)
        .flat_map(Deciding::findings);
    for f in decided.chain(why.arguments.iter().cloned()) {
        if !findings.contains(&f) {
            findings.push(f);
        }
    }
    why.findings = findings;
    Some(why)
}

/// A recommended call that matches the one asked for, with the rules that recommend it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecommendedCall {
    /// The call as the protocol writes it.
    pub call: String,
    /// The rule bindings that recommend it, with why each fired.
    pub by: Vec<RuleWhy>,
}

/// An adjustment (or a call of it) at one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdjustmentWhy {
    /// The adjustment's name.
    pub adjustment: String,
    /// The call asked about, as the protocol writes calls (`cmrt(level: T8)`; only the
    /// arguments asked for).
    pub asked: String,
    /// The recommended calls that match it; empty when it is not recommended.
    pub recommended: Vec<RecommendedCall>,
    /// Every other rule binding whose `then` could give the call asked for, and why it
    /// did not (or, fired, the call it gives instead).
    pub candidates: Vec<RuleWhy>,
    /// The rules that call the adjustment only with other arguments than those asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_arguments: Vec<String>,
}

fn adjustment_why(cx: &VisitContext, a: u32, asked: &[Option<Value>]) -> AdjustmentWhy {
    let program = cx.program;
    let adjustment = program.adjustments.get(a as usize);
    let name = adjustment.map(|a| a.name.clone()).unwrap_or_default();
    let shown: Vec<String> = adjustment
        .map(|adj| {
            adj.params
                .iter()
                .zip(asked)
                .filter_map(|((p, ty), v)| v.map(|v| format!("{p}: {}", ty.show(v))))
                .collect()
        })
        .unwrap_or_default();
    let asked_text = if shown.is_empty() {
        name.clone()
    } else {
        format!("{name}({})", shown.join(", "))
    };
    let matches = |args: &[Value]| {
        asked
            .iter()
            .zip(args)
            .all(|(want, got)| want.is_none_or(|w| w == *got))
    };
    let mut recommended = Vec::new();
    let mut recommenders: Vec<(u32, u32)> = Vec::new();
    for rec in cx.state.recommended.iter().filter(|r| r.adjustment == a) {
        if !matches(&rec.args) {
            continue;
        }
        recommenders.extend(&rec.by);
        recommended.push(RecommendedCall {
            call: show_call(program, a, &rec.args),
            by: rec
                .by
                .iter()
                .filter_map(|(r, i)| rule_why(cx, *r as usize, *i as usize))
                .collect(),
        });
    }
    let mut candidates = Vec::new();
    let mut other_arguments: Vec<String> = Vec::new();
    for (r, rule) in program.rules.iter().enumerate() {
        for (i, instance) in rule.instances.iter().enumerate() {
            if recommenders.contains(&(r as u32, i as u32)) {
                continue;
            }
            let calls: Vec<&sot_ir::Call> =
                instance.then.iter().filter(|c| c.adjustment == a).collect();
            if calls.is_empty() {
                continue;
            }
            // A rule that did not fire could give any value an argument computed from
            // findings; a constant argument is the one it would give.
            // A rule could give the call asked for when each constant argument is the
            // value asked for: an argument computed from findings could be any value
            // (a rule that fired with another value is listed with the call it gives).
            let could = calls.iter().any(|call| {
                call.args
                    .iter()
                    .zip(asked)
                    .all(|(arg, want)| match (want, arg) {
                        (Some(w), Expr::Const(v)) => w == v,
                        _ => true,
                    })
            });
            if could {
                if let Some(why) = rule_why(cx, r, i) {
                    candidates.push(why);
                }
            } else if !other_arguments.contains(&rule.name) {
                other_arguments.push(rule.name.clone());
            }
        }
    }
    AdjustmentWhy {
        adjustment: name,
        asked: asked_text,
        recommended,
        candidates,
        other_arguments,
    }
}

/// What became of a category at the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryOutcome {
    /// It is the visit's category.
    VisitCategory,
    /// It is one of the visit's coexisting categories.
    Coexisting,
    /// It is true, tied with others that no precedence orders: the visit is ambiguous.
    Ambiguous,
    /// It is true, but a true category outranks it.
    Outranked,
    /// Its condition is false.
    NotTrue,
    /// Its condition is unknown.
    Unknown,
}

/// A category at one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryWhy {
    /// Its name.
    pub category: String,
    /// Its title.
    pub title: Option<String>,
    /// What became of it.
    pub state: CategoryOutcome,
    /// The part of its condition that decided it.
    pub condition: Deciding,
    /// Outranked: the true categories that outrank it; unknown: the visit's categories
    /// that outrank it (so it cannot change the result).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outranked_by: Vec<NamedCategory>,
    /// The visit's categories, or the tied ones of an ambiguous visit.
    pub visit_categories: Vec<NamedCategory>,
    /// Unknown: whether it makes the visit's category provisional.
    pub provisional: bool,
}

fn named(program: &Program, c: u32) -> NamedCategory {
    let category = program.categories.get(c as usize);
    NamedCategory {
        name: category.map(|c| c.name.clone()).unwrap_or_default(),
        title: category.and_then(|c| c.title.clone()),
    }
}

fn outranks(program: &Program, a: u32, b: u32) -> bool {
    program
        .outranks
        .get(a as usize)
        .and_then(|row| row.get(b as usize))
        .copied()
        .unwrap_or(false)
}

fn category_why(cx: &VisitContext, c: u32) -> Option<CategoryWhy> {
    let program = cx.program;
    let category = program.categories.get(c as usize)?;
    let t = *cx.state.categories.get(c as usize)?;
    let chosen = &cx.state.category;
    let visit: Vec<u32> = chosen.named().to_vec();
    let true_ones = (0..program.categories.len() as u32)
        .filter(|&o| cx.state.categories.get(o as usize) == Some(&Tri::True));
    let (state, outranked_by): (CategoryOutcome, Vec<u32>) = match t {
        Tri::False => (CategoryOutcome::NotTrue, Vec::new()),
        Tri::Unknown => (
            CategoryOutcome::Unknown,
            visit
                .iter()
                .copied()
                .filter(|&o| outranks(program, o, c))
                .collect(),
        ),
        Tri::True => match chosen {
            CategoryState::Ambiguous(tied) if tied.contains(&c) => {
                (CategoryOutcome::Ambiguous, Vec::new())
            }
            CategoryState::Coexisting(cs) if cs.contains(&c) => {
                (CategoryOutcome::Coexisting, Vec::new())
            }
            CategoryState::One(one) if *one == c => (CategoryOutcome::VisitCategory, Vec::new()),
            _ => (
                CategoryOutcome::Outranked,
                true_ones.filter(|&o| outranks(program, o, c)).collect(),
            ),
        },
    };
    Some(CategoryWhy {
        category: category.name.clone(),
        title: category.title.clone(),
        state,
        condition: deciding(program, &category.when, cx.src),
        outranked_by: outranked_by.iter().map(|&o| named(program, o)).collect(),
        visit_categories: visit.iter().map(|&o| named(program, o)).collect(),
        provisional: t == Tri::Unknown && could_change(program, chosen, c as usize),
    })
}

/// What became of a red flag at the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagOutcome {
    /// Raised: refer, no adjustment.
    Raised,
    /// Ruled out: its condition (or its category) is known false.
    RuledOut,
    /// Neither raised nor ruled out.
    NotRuledOut,
}

/// A red flag at one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedFlagWhy {
    /// Its name.
    pub red_flag: String,
    /// Its title.
    pub title: Option<String>,
    /// The referral text.
    pub refer: String,
    /// Its urgency (`null`: not stated).
    pub urgency: Option<Urgency>,
    /// What became of it.
    pub state: FlagOutcome,
    /// The part of its `when` that decided it: raised, every true finding.
    pub condition: Deciding,
    /// The category of its `in category`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Bound to a category: whether the visit is in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_category: Option<Truth>,
    /// Bound to a category whose condition is unknown: the part of it that would decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_condition: Option<Deciding>,
    /// Bound to a category: the visit's categories (the tied ones, when ambiguous).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_categories: Option<Vec<String>>,
}

fn red_flag_why(cx: &VisitContext, f: u32) -> Option<RedFlagWhy> {
    let program = cx.program;
    let flag = program.red_flags.get(f as usize)?;
    let t = *cx.state.red_flags.get(f as usize)?;
    let in_category = flag.category.map(|c| {
        let named = cx.state.category.named();
        if named.contains(&c) {
            Tri::True
        } else if cx.state.categories.get(c as usize) == Some(&Tri::Unknown)
            && could_change(program, &cx.state.category, c as usize)
        {
            Tri::Unknown
        } else {
            Tri::False
        }
    });
    let category_condition = match (flag.category, in_category) {
        (Some(c), Some(Tri::Unknown)) => program
            .categories
            .get(c as usize)
            .map(|cat| deciding(program, &cat.when, cx.src)),
        _ => None,
    };
    Some(RedFlagWhy {
        red_flag: flag.name.clone(),
        title: flag.title.clone(),
        refer: flag.refer.clone(),
        urgency: flag.urgency,
        state: match t {
            Tri::True => FlagOutcome::Raised,
            Tri::False => FlagOutcome::RuledOut,
            Tri::Unknown => FlagOutcome::NotRuledOut,
        },
        condition: deciding(program, &flag.when, cx.src),
        category: flag.category.map(|c| category_name(program, c)),
        in_category: in_category.map(Truth::from),
        category_condition,
        visit_categories: flag.category.map(|_| {
            cx.state
                .category
                .named()
                .iter()
                .map(|&c| category_name(program, c))
                .collect()
        }),
    })
}

/// Why a check did not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// Its `after ADJ` adjustment was not given at the visit `before` belongs to.
    NotGiven,
    /// Across visits, at the first visit: no previous visit to compare with.
    FirstVisit,
    /// Within a visit that has no `after` block.
    NoAfter,
}

/// One check binding at one visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckWhy {
    /// The check's name.
    pub check: String,
    /// Its title.
    pub title: Option<String>,
    /// Its `for` binding.
    pub binding: Vec<String>,
    /// Within a visit or across visits.
    pub scope: CheckScope,
    /// The outcome.
    pub outcome: Outcome,
    /// Not applicable: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<NotApplicable>,
    /// Its `after ADJ`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Not given: the number of the visit whose adjustments count, and the adjustments
    /// given there (its `given`, or what the protocol recommended when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_at: Option<i64>,
    /// Not given: those adjustments, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<Vec<String>>,
    /// Not given: whether they are the recommended ones (the visit has no `given`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub given_as_recommended: bool,
    /// `need`, explained (omitted when not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<Deciding>,
    /// `complete`, explained (omitted when not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<Deciding>,
    /// `marginal`, explained (omitted when not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marginal: Option<Deciding>,
}

fn check_why(cx: &VisitContext, c: u32, i: u32) -> Option<CheckWhy> {
    let program = cx.program;
    let check = program.checks.get(c as usize)?;
    let instance = check.instances.get(i as usize)?;
    let outcome = *cx.state.checks.get(c as usize)?.get(i as usize)?;
    let previous = cx.previous.map(|(v, _)| v);
    let (before, after, given_in): (Option<&Findings>, Option<&Findings>, _) = match check.scope {
        CheckScope::WithinVisit => (
            Some(&cx.visit.findings),
            cx.visit.after.as_ref(),
            Some((cx.visit, Some(cx.state))),
        ),
        CheckScope::AcrossVisits => (
            previous.map(|p| &p.findings),
            Some(&cx.visit.findings),
            cx.previous,
        ),
    };
    let mut why = CheckWhy {
        check: check.name.clone(),
        title: check.title.clone(),
        binding: binding(&instance.binding),
        scope: check.scope,
        outcome,
        not_applicable: None,
        after: check
            .after
            .and_then(|a| program.adjustments.get(a as usize))
            .map(|a| a.name.clone()),
        given_at: None,
        given: None,
        given_as_recommended: false,
        need: None,
        complete: None,
        marginal: None,
    };
    if outcome == Outcome::NotApplicable {
        why.not_applicable = Some(match (check.scope, before, after) {
            (CheckScope::AcrossVisits, None, _) => NotApplicable::FirstVisit,
            (CheckScope::WithinVisit, _, None) => NotApplicable::NoAfter,
            _ => {
                if let Some((visit, Some(state))) = given_in {
                    why.given_at = Some(visit.number);
                    why.given_as_recommended = visit.given.is_none();
                    why.given = Some(
                        given_adjustments(visit, state)
                            .iter()
                            .filter_map(|a| program.adjustments.get(*a as usize))
                            .map(|a| a.name.clone())
                            .fold(Vec::new(), |mut names, n| {
                                if !names.contains(&n) {
                                    names.push(n);
                                }
                                names
                            }),
                    );
                }
                NotApplicable::NotGiven
            }
        });
        return Some(why);
    }
    let src = Sources::check(before, after, cx.history);
    let need = truth(program, &instance.need, src.env);
    why.need = Some(deciding(program, &instance.need, src));
    if need == Tri::True {
        why.complete = Some(deciding(program, &instance.complete, src));
        if truth(program, &instance.complete, src.env) == Tri::False {
            why.marginal = instance
                .marginal
                .as_ref()
                .map(|m| deciding(program, m, src));
        }
    }
    Some(why)
}

/// The answer about `target` at the visit (`None` for an index the program does not have).
pub(super) fn answer(cx: &VisitContext, target: &Target) -> Option<Answer> {
    let program = cx.program;
    Some(match target {
        Target::Rule(r, instances) => {
            let rule = program.rules.get(*r as usize)?;
            Answer::Rule {
                rule: rule.name.clone(),
                title: rule.title.clone(),
                bindings: instances
                    .iter()
                    .filter_map(|i| rule_why(cx, *r as usize, *i as usize))
                    .collect(),
            }
        }
        Target::Adjustment(a, asked) => Answer::Adjustment(adjustment_why(cx, *a, asked)),
        Target::Category(c) => Answer::Category(category_why(cx, *c)?),
        Target::RedFlag(f) => Answer::RedFlag(red_flag_why(cx, *f)?),
        Target::Check(c, instances) => {
            let check = program.checks.get(*c as usize)?;
            Answer::Check {
                check: check.name.clone(),
                title: check.title.clone(),
                bindings: instances
                    .iter()
                    .filter_map(|i| check_why(cx, *c, *i))
                    .collect(),
            }
        }
    })
}
