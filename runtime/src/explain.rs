//! Explanations: a visit's state turned into a report that says, for every recommendation,
//! which rule and which findings produced it, and for everything undecided, which findings
//! to examine. The report is what `sot run` prints (text, JSON, Markdown, HTML).

use schemars::JsonSchema;
use serde::Serialize;
use sot_ir::{Case, Expr, Findings, Phase, Program, Urgency, Visit};

use crate::evaluate::{support, support_all, Env, FindingRef, Tri};
use crate::visit::{
    case_findings, could_change, evaluate_case, CategoryState, Outcome, RuleState, Undecided,
    VisitState,
};

/// A finding and its value as found (or "not examined").
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct FindingValue {
    /// The finding, as written in a case (`occipital_fiber(line: 2, area: 3)`).
    pub finding: String,
    /// `before`, `after`, `previous`, or absent for the visit's findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    /// The value, or `null` when unknown.
    pub value: Option<String>,
    /// Whether the value (or `untestable`) came from the case's history (LANGUAGE.md §7.2).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_history: bool,
    /// Why the value is unknown when examining it now would not decide it; absent for a
    /// finding simply not examined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<Unknown>,
    /// The reason written with `untestable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// In a check: not examined in the visit's block, though the case's history has it
    /// (checks read the visits' own findings, LANGUAGE.md §7.2).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub history_only: bool,
}

impl FindingValue {
    /// Whether examining the finding now would decide it: unknown, and neither untestable nor
    /// of the previous visit.
    pub fn to_examine(&self) -> bool {
        self.value.is_none() && self.unknown.is_none()
    }
}

/// Why a finding is unknown, beyond "not examined" (LANGUAGE.md §7.3, §7.6, §7.9): nothing a
/// report asks to examine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// The examiner tried and could not test it.
    Untestable,
    /// `previous.x` at the first visit.
    NoPreviousVisit,
    /// `previous.x` that the previous visit did not examine (the past cannot be re-examined).
    NotExaminedPreviously,
}

/// A red flag raised or not ruled out.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct RedFlagReport {
    /// Its name.
    pub red_flag: String,
    /// Its title.
    pub title: Option<String>,
    /// The referral text.
    pub refer: String,
    /// How urgent the referral is (`null`: not stated).
    pub urgency: Option<Urgency>,
    /// The category it is bound to (`in category`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The findings that raised it (every true finding of its condition, each true disjunct
    /// of an `or`), or the ones not examined that would decide it.
    pub findings: Vec<FindingValue>,
    /// Not ruled out: the unknown findings that would decide it but cannot be examined now
    /// (untestable, or of the previous visit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_examinable: Vec<FindingValue>,
}

/// A category by name and title.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct NamedCategory {
    /// Its name (`II`).
    pub name: String,
    /// Its title.
    pub title: Option<String>,
}

/// The visit's category.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct CategoryReport {
    /// `"category"` (one), `"coexisting"` (several, all the visit's, from a `coexist`
    /// line), `"ambiguous"` (several tied) or `"none"`.
    pub state: &'static str,
    /// The category, the coexisting ones in their line's order, or the tied ones.
    pub categories: Vec<NamedCategory>,
    /// Whether a category that is unknown could change it.
    pub provisional: bool,
    /// The findings not examined that would decide it.
    pub missing: Vec<String>,
    /// The unknown findings that would decide it but cannot be examined now (untestable, or
    /// of the previous visit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_examinable: Vec<FindingValue>,
}

/// One rule (and binding) that supports a recommendation or was held back.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct RuleReport {
    /// The rule.
    pub rule: String,
    /// Its title.
    pub title: Option<String>,
    /// Its `for` binding as `name = value`, empty without `for`.
    pub binding: Vec<String>,
    /// Why (for rules held back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The findings that made it so, or (not evaluated) the ones to examine.
    pub findings: Vec<FindingValue>,
    /// Not evaluated: the unknown findings that would decide it but cannot be examined now
    /// (untestable, or of the previous visit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_examinable: Vec<FindingValue>,
    /// For a rule that fired: the findings that ruled out its `unless`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ruled_out: Vec<FindingValue>,
    /// The category the rule belongs to (`in category`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// A recommended adjustment with its explanation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct RecommendationReport {
    /// The call as the protocol writes it (`block(category: II, short_leg: right)`).
    pub adjustment: String,
    /// The rules that recommend it, with the findings that made them fire.
    pub because: Vec<RuleReport>,
}

/// A check's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The check.
    pub check: String,
    /// Its title.
    pub title: Option<String>,
    /// Its `for` binding.
    pub binding: Vec<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// The findings compared (or missing).
    pub findings: Vec<FindingValue>,
}

/// One visit's report.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct VisitReport {
    /// The visit's number.
    pub visit: i64,
    /// Its label.
    pub label: Option<String>,
    /// Whether a red flag was raised: refer, no adjustment.
    pub refer: bool,
    /// Red flags raised, most urgent first, then in declaration order.
    pub red_flags: Vec<RedFlagReport>,
    /// Red flags not ruled out (unknown), in the same order.
    pub not_ruled_out: Vec<RedFlagReport>,
    /// The category.
    pub category: CategoryReport,
    /// What the protocol recommends, in rule order.
    pub recommendations: Vec<RecommendationReport>,
    /// Rules whose `unless` held them back.
    pub withheld: Vec<RuleReport>,
    /// Rules that could not be decided, with what to examine.
    pub not_evaluated: Vec<RuleReport>,
    /// Rules not evaluated because a red flag was raised.
    pub suspended: Vec<String>,
    /// Check outcomes.
    pub checks: Vec<CheckReport>,
    /// Every rule binding's state with the findings that decided it (`sot why` says the
    /// same in words), rule after rule; only from [`explain_case_with_rules`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<crate::why::RuleWhy>>,
}

/// A case's report.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct CaseReport {
    /// The case's name.
    pub case: String,
    /// Its title.
    pub title: Option<String>,
    /// The protocol's title.
    pub protocol: Option<String>,
    /// Every visit.
    pub visits: Vec<VisitReport>,
}

/// Evaluates a case and explains every visit.
pub fn explain_case(program: &Program, case: &Case) -> CaseReport {
    explain(program, case, false)
}

/// Like [`explain_case`], and every visit also gives every rule binding's state with the
/// findings that decided it (`rules`, as the JSON report prints it): more to compute and
/// to hold, so only for the reports that show it.
pub fn explain_case_with_rules(program: &Program, case: &Case) -> CaseReport {
    explain(program, case, true)
}

fn explain(program: &Program, case: &Case, with_rules: bool) -> CaseReport {
    let states = evaluate_case(program, case);
    let findings = case_findings(case);
    let visits = case
        .visits
        .iter()
        .zip(&findings)
        .zip(&states)
        .enumerate()
        .map(|(i, ((visit, now), state))| {
            let previous = i
                .checked_sub(1)
                .and_then(|p| Some((case.visits.get(p)?, findings.get(p)?.as_ref())));
            explain_visit(
                program,
                (visit, now),
                previous,
                case.history.as_ref(),
                state,
                with_rules,
            )
        })
        .collect();
    CaseReport {
        case: case.name.clone(),
        title: case.title.clone(),
        protocol: program.title.clone(),
        visits,
    }
}

/// What an explanation reads findings from, to say where each value came from.
#[derive(Clone, Copy)]
pub(crate) struct Sources<'a> {
    /// The findings the expressions read.
    pub(crate) env: Env<'a>,
    /// The visit's own findings (without the history); `None` in a check.
    own: Option<&'a Findings>,
    /// The previous visit's own findings; `None` at the first visit and in a check.
    previous_own: Option<&'a Findings>,
    /// In a check, the case's history, which the check does not read.
    unread_history: Option<&'a Findings>,
}

impl<'a> Sources<'a> {
    /// A visit's: its findings with the history applied (`now`), its own, and the previous
    /// visit's (as written, and with the history applied).
    pub(crate) fn visit(
        now: &'a Findings,
        visit: &'a Visit,
        previous: Option<(&'a Visit, &'a Findings)>,
    ) -> Self {
        Sources {
            env: Env::visit(now, previous.map(|(_, f)| f)),
            own: Some(&visit.findings),
            previous_own: previous.map(|(p, _)| &p.findings),
            unread_history: None,
        }
    }

    /// A check's: its `before` and `after` blocks, the visits' own findings, and the case's
    /// history that it does not read.
    pub(crate) fn check(
        before: Option<&'a Findings>,
        after: Option<&'a Findings>,
        history: Option<&'a Findings>,
    ) -> Self {
        Sources {
            env: Env::check(before, after),
            own: None,
            previous_own: None,
            unread_history: history,
        }
    }
}

pub(crate) fn finding_values(
    program: &Program,
    src: Sources,
    refs: &[FindingRef],
) -> Vec<FindingValue> {
    let env = src.env;
    refs.iter()
        .map(|(phase, slot)| {
            let indicator = program
                .slot_indicator
                .get(*slot as usize)
                .and_then(|i| program.indicators.get(*i as usize));
            let (finding, value) = match indicator {
                Some(ind) => (
                    ind.show_slot(*slot),
                    env.slot(*phase, *slot).map(|v| ind.ty.show(v)),
                ),
                None => (format!("#{slot}"), None),
            };
            let (block, own) = match phase {
                None => (env.now, src.own),
                Some(Phase::Previous) => (env.previous, src.previous_own),
                Some(Phase::Before) => (env.before, env.before),
                Some(Phase::After) => (env.after, env.after),
            };
            let untestable = block.and_then(|b| b.untestable(*slot));
            let unknown = match (&value, untestable, phase) {
                (Some(_), _, _) => None,
                (None, Some(_), _) => Some(Unknown::Untestable),
                (None, None, Some(Phase::Previous)) if block.is_none() => {
                    Some(Unknown::NoPreviousVisit)
                }
                (None, None, Some(Phase::Previous)) => Some(Unknown::NotExaminedPreviously),
                (None, None, _) => None,
            };
            let history_only = value.is_none()
                && untestable.is_none()
                && src.unread_history.is_some_and(|h| h.covers(*slot));
            FindingValue {
                finding,
                phase: phase.map(Phase::word),
                value,
                from_history: block.is_some_and(|b| b.covers(*slot))
                    && own.is_some_and(|o| !o.covers(*slot)),
                unknown,
                reason: untestable.and_then(|u| u.reason.clone()),
                history_only,
            }
        })
        .collect()
}

/// The findings of an undecided value, and apart from them the unknown ones that cannot be
/// examined now (untestable, or of the previous visit), which no report asks for.
fn apart(findings: Vec<FindingValue>) -> (Vec<FindingValue>, Vec<FindingValue>) {
    findings.into_iter().partition(|f| f.unknown.is_none())
}

fn supporting(program: &Program, e: &Expr, src: Sources) -> Vec<FindingValue> {
    let mut refs = Vec::new();
    support(program, e, src.env, &mut refs);
    finding_values(program, src, &refs)
}

pub(crate) fn binding(b: &[(String, String)]) -> Vec<String> {
    b.iter().map(|(n, v)| format!("{n} = {v}")).collect()
}

/// A call written as in the protocol.
pub fn show_call(program: &Program, adjustment: u32, args: &[sot_ir::Value]) -> String {
    let Some(adj) = program.adjustments.get(adjustment as usize) else {
        return format!("#{adjustment}");
    };
    if adj.params.is_empty() {
        return adj.name.clone();
    }
    let args: Vec<String> = adj
        .params
        .iter()
        .zip(args)
        .map(|((name, ty), v)| format!("{name}: {}", ty.show(*v)))
        .collect();
    format!("{}({})", adj.name, args.join(", "))
}

/// A visit's report: `visit` with its findings (history applied), `previous` likewise,
/// `history` the case's (for its checks, which do not read it); `with_rules`: every rule
/// binding's state too.
fn explain_visit(
    program: &Program,
    (visit, now): (&Visit, &Findings),
    previous: Option<(&Visit, &Findings)>,
    history: Option<&Findings>,
    state: &VisitState,
    with_rules: bool,
) -> VisitReport {
    let src = Sources::visit(now, visit, previous);
    let env = src.env;
    let mut red_flags = Vec::new();
    let mut not_ruled_out = Vec::new();
    // Most urgent first (emergency, urgent, routine, unstated), then declaration order.
    let mut order: Vec<usize> = (0..program.red_flags.len()).collect();
    order.sort_by_key(|&f| {
        let urgency = program.red_flags.get(f).and_then(|r| r.urgency);
        (urgency.is_none(), urgency)
    });
    for f in order {
        let (Some(flag), Some(t)) = (program.red_flags.get(f), state.red_flags.get(f)) else {
            continue;
        };
        let category = flag
            .category
            .and_then(|c| program.categories.get(c as usize));
        // A raised red flag names every true finding of its condition: for a referral every
        // positive sign matters, not only the first that decided it. One not ruled out
        // names what would decide it, its category's findings too when that is unknown.
        let findings = match t {
            Tri::True => {
                let mut refs = Vec::new();
                support_all(program, &flag.when, env, &mut refs);
                finding_values(program, src, &refs)
            }
            _ => {
                let mut refs = Vec::new();
                support(program, &flag.when, src.env, &mut refs);
                let unknown_category = flag.category.filter(|&c| {
                    state.categories.get(c as usize) == Some(&Tri::Unknown)
                        && !state.category.named().contains(&c)
                });
                if let Some(c) = unknown_category.and_then(|c| program.categories.get(c as usize)) {
                    support(program, &c.when, src.env, &mut refs);
                }
                finding_values(program, src, &refs)
            }
        };
        let (findings, not_examinable) = apart(findings);
        let report = RedFlagReport {
            red_flag: flag.name.clone(),
            title: flag.title.clone(),
            refer: flag.refer.clone(),
            urgency: flag.urgency,
            category: category.map(|c| c.name.clone()),
            findings,
            not_examinable,
        };
        match t {
            Tri::True => red_flags.push(report),
            Tri::Unknown => not_ruled_out.push(report),
            Tri::False => {}
        }
    }

    let category = category_report(program, state, src);

    let recommendations = state
        .recommended
        .iter()
        .map(|rec| RecommendationReport {
            adjustment: show_call(program, rec.adjustment, &rec.args),
            because: rec
                .by
                .iter()
                .filter_map(|(r, i)| {
                    let rule = program.rules.get(*r as usize)?;
                    let instance = rule.instances.get(*i as usize)?;
                    Some(RuleReport {
                        rule: rule.name.clone(),
                        title: rule.title.clone(),
                        binding: binding(&instance.binding),
                        reason: None,
                        findings: supporting(program, &instance.when, src),
                        not_examinable: Vec::new(),
                        ruled_out: instance
                            .unless
                            .as_ref()
                            .map(|u| supporting(program, u, src))
                            .unwrap_or_default(),
                        category: rule
                            .category
                            .and_then(|c| program.categories.get(c as usize))
                            .map(|c| c.name.clone()),
                    })
                })
                .collect(),
        })
        .collect();

    let mut withheld = Vec::new();
    let mut not_evaluated = Vec::new();
    let mut suspended = Vec::new();
    for (rule, states) in program.rules.iter().zip(state.rules()) {
        for (instance, rule_state) in rule.instances.iter().zip(states) {
            let report = |reason: String, findings: Vec<FindingValue>| {
                let (findings, not_examinable) = apart(findings);
                RuleReport {
                    rule: rule.name.clone(),
                    title: rule.title.clone(),
                    binding: binding(&instance.binding),
                    reason: Some(reason),
                    findings,
                    not_examinable,
                    ruled_out: Vec::new(),
                    category: rule
                        .category
                        .and_then(|c| program.categories.get(c as usize))
                        .map(|c| c.name.clone()),
                }
            };
            match rule_state {
                RuleState::Withheld => {
                    let findings = instance
                        .unless
                        .as_ref()
                        .map(|u| supporting(program, u, src))
                        .unwrap_or_default();
                    withheld.push(report("its `unless` holds".into(), findings));
                }
                RuleState::NotEvaluated(why) => {
                    let (reason, findings) = match why {
                        Undecided::When => (
                            "its `when` depends on findings not examined",
                            supporting(program, &instance.when, src),
                        ),
                        Undecided::Unless => (
                            "its contraindication (`unless`) was not ruled out",
                            instance
                                .unless
                                .as_ref()
                                .map(|u| supporting(program, u, src))
                                .unwrap_or_default(),
                        ),
                        Undecided::Arguments => {
                            let mut refs = Vec::new();
                            for call in &instance.then {
                                for arg in &call.args {
                                    support(program, arg, env, &mut refs);
                                }
                            }
                            refs.retain(|(p, s)| env.slot(*p, *s).is_none());
                            (
                                "its adjustment depends on findings not examined",
                                finding_values(program, src, &refs),
                            )
                        }
                        Undecided::AmbiguousCategory => ("the category is ambiguous", Vec::new()),
                    };
                    // Unknown only through findings that cannot be examined now (untestable,
                    // or of the previous visit): the reason does not speak of examining.
                    let examinable =
                        findings.is_empty() || findings.iter().any(FindingValue::to_examine);
                    let reason = match (why, examinable) {
                        (Undecided::When, false) => {
                            "its `when` depends on findings that cannot be examined now"
                        }
                        (Undecided::Arguments, false) => {
                            "its adjustment depends on findings that cannot be examined now"
                        }
                        _ => reason,
                    };
                    not_evaluated.push(report(reason.into(), findings));
                }
                RuleState::Suspended if !suspended.contains(&rule.name) => {
                    suspended.push(rule.name.clone())
                }
                _ => {}
            }
        }
    }

    let checks = program
        .checks
        .iter()
        .zip(&state.checks)
        .flat_map(|(check, outcomes)| {
            check
                .instances
                .iter()
                .zip(outcomes)
                .map(move |(instance, outcome)| (check, instance, *outcome))
        })
        .map(|(check, instance, outcome)| {
            let (before, after): (Option<&Findings>, Option<&Findings>) = match check.scope {
                sot_ir::CheckScope::WithinVisit => (Some(&visit.findings), visit.after.as_ref()),
                sot_ir::CheckScope::AcrossVisits => {
                    (previous.map(|(p, _)| &p.findings), Some(&visit.findings))
                }
            };
            let src = Sources::check(before, after, history);
            let env = src.env;
            // The conditions that decided the outcome, in the order they are tried.
            let tried = std::iter::once(&instance.need)
                .chain(std::iter::once(&instance.complete))
                .chain(instance.marginal.as_ref());
            let deciding: Vec<&Expr> = match outcome {
                Outcome::NotApplicable => Vec::new(),
                Outcome::NotNeeded => vec![&instance.need],
                Outcome::Complete => vec![&instance.need, &instance.complete],
                Outcome::Marginal | Outcome::Ineffective => tried.collect(),
                Outcome::Unknown => {
                    let mut upto = Vec::new();
                    for e in tried {
                        upto.push(e);
                        if crate::evaluate::truth(program, e, env) == Tri::Unknown {
                            break;
                        }
                    }
                    upto
                }
            };
            let mut refs = Vec::new();
            for e in deciding {
                support(program, e, env, &mut refs);
            }
            let findings = finding_values(program, src, &refs);
            CheckReport {
                check: check.name.clone(),
                title: check.title.clone(),
                binding: binding(&instance.binding),
                outcome,
                findings,
            }
        })
        .collect();

    let rules = with_rules.then(|| {
        crate::why::rule_whys(&crate::why::VisitContext {
            program,
            visit,
            previous: previous.map(|(p, _)| (p, None)),
            history,
            state,
            src,
        })
    });
    VisitReport {
        visit: visit.number,
        label: visit.label.clone(),
        refer: state.referred(),
        red_flags,
        not_ruled_out,
        category,
        recommendations,
        withheld,
        not_evaluated,
        suspended,
        checks,
        rules,
    }
}

fn category_report(program: &Program, state: &VisitState, src: Sources) -> CategoryReport {
    let name = |c: &u32| NamedCategory {
        name: program
            .categories
            .get(*c as usize)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        title: program
            .categories
            .get(*c as usize)
            .and_then(|c| c.title.clone()),
    };
    let kind = match &state.category {
        CategoryState::None => "none",
        CategoryState::One(_) => "category",
        CategoryState::Coexisting(_) => "coexisting",
        CategoryState::Ambiguous(_) => "ambiguous",
    };
    let categories = state.category.named().iter().map(name).collect();
    let mut missing = Vec::new();
    let mut not_examinable = Vec::new();
    if state.provisional {
        // The unknown categories that could change the result: outranked by none of the
        // visit's categories (of the tied ones), or any unknown one when there is none.
        let mut refs = Vec::new();
        for (u, (category, t)) in program.categories.iter().zip(&state.categories).enumerate() {
            if *t == Tri::Unknown && could_change(program, &state.category, u) {
                support(program, &category.when, src.env, &mut refs);
            }
        }
        let (to_examine, rest): (Vec<FindingValue>, Vec<FindingValue>) =
            finding_values(program, src, &refs)
                .into_iter()
                .partition(FindingValue::to_examine);
        missing = to_examine.into_iter().map(|f| f.finding).collect();
        not_examinable = rest;
    }
    CategoryReport {
        state: kind,
        categories,
        provisional: state.provisional,
        missing,
        not_examinable,
    }
}
