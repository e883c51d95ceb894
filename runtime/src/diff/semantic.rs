//! The semantic section of `sot diff` as data: the compiler's solver compares the conditions
//! of both versions (`sot_ir::compare::Comparison`); here each of its examples is run
//! through both versions' programs as a visit, and kept only when it really changes the
//! outcome (an example that does not is reported as undecided, never as an answer), then
//! put into words: the relation of each item (equivalent, narrower, wider, incomparable),
//! each example's findings as a case writes them, and what each version does with them.

use schemars::JsonSchema;
use serde::Serialize;
use sot_ir::compare::{Compared, Comparison, Example, Finding, ItemComparison, Question};
use sot_ir::{Case, Findings, Phase, Program, Visit};

use super::items::ItemKind;
use crate::evaluate::Tri;
use crate::visit::{evaluate_case, CategoryState, RuleState, VisitState};

/// The semantic difference of two versions.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SemanticDiff {
    /// Each category, red flag and rule of both versions, in the new version's order:
    /// categories, red flags, rules.
    pub items: Vec<SemanticItem>,
    /// The findings under which the visit's category changes.
    pub category: CategoryShift,
    /// Indicators of both versions whose type changed: each version's findings of it are
    /// read apart, as two indicators.
    pub apart: Vec<String>,
}

/// How the new version of an item relates to the old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// It holds under exactly the same findings.
    Equivalent,
    /// It holds under fewer findings: wherever the new version holds, the old one does.
    Narrower,
    /// It holds under more findings: wherever the old version holds, the new one does.
    Wider,
    /// Each holds under findings where the other does not.
    Incomparable,
    /// A question was not decided (see `undecided`).
    Undecided,
}

impl Relation {
    /// In words.
    pub fn word(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::Narrower => "narrower",
            Relation::Wider => "wider",
            Relation::Incomparable => "incomparable",
            Relation::Undecided => "not decided",
        }
    }
}

/// One item in both versions.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SemanticItem {
    /// `category`, `red_flag` or `rule`.
    pub kind: ItemKind,
    /// Its name.
    pub name: String,
    /// The new version against the old.
    pub relation: Relation,
    /// Findings under which the old version holds and the new one does not.
    pub dropped: Option<Witness>,
    /// Findings under which the new version holds and the old one does not.
    pub added: Option<Witness>,
    /// Why a question was not decided, when one was not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<String>,
}

/// Example findings, verified by running both versions on them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Witness {
    /// The findings as a case writes them (`leg_length_difference = 5 mm`); a finding only
    /// one version reads says which (`(new version)`). Findings not listed are not examined.
    pub findings: Vec<String>,
    /// What the old version makes of them (`true`, `raised`, `fires`, a category).
    pub old: String,
    /// What the new version makes of them.
    pub new: String,
}

/// The visit's category as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CategoryShift {
    /// One example per change of the visit's category (old → new).
    pub changes: Vec<Witness>,
    /// Whether that list is every change: `complete`, `more` (the limit of
    /// [`Comparison::CATEGORY_CHANGES`] cut it) or `undecided`.
    pub rest: Rest,
    /// Why the search was not finished, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<String>,
}

/// Whether a list of changes is complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rest {
    /// No other change exists.
    Complete,
    /// Other changes exist that are not listed.
    More,
    /// Not decided.
    Undecided,
}

const UNVERIFIED: &str =
    "the solver's example did not change the outcome when both versions ran it (please report this)";

/// The comparison's examples verified on both programs and put into words.
pub fn semantic(old: &Program, new: &Program, comparison: &Comparison) -> SemanticDiff {
    let items = comparison
        .items
        .iter()
        .map(|item| semantic_item(old, new, item))
        .collect();
    let mut changes = Vec::new();
    let mut undecided = None;
    for example in &comparison.category.examples {
        match category_witness(old, new, example) {
            Some(w) => changes.push(w),
            None => undecided = Some(UNVERIFIED.to_string()),
        }
    }
    let mut rest = match &comparison.category.rest {
        Question::Never => Rest::Complete,
        Question::Example(_) => Rest::More,
        Question::Undecided(why) => {
            undecided = Some(why.clone());
            Rest::Undecided
        }
    };
    if undecided.is_some() {
        rest = Rest::Undecided;
    }
    SemanticDiff {
        items,
        category: CategoryShift {
            changes,
            rest,
            undecided,
        },
        apart: comparison.apart.clone(),
    }
}

impl SemanticDiff {
    /// Whether any item or the visit's category changes (or a question was not decided).
    pub fn has_changes(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.relation != Relation::Equivalent)
            || !self.category.changes.is_empty()
            || self.category.rest != Rest::Complete
    }
}

fn semantic_item(old: &Program, new: &Program, item: &ItemComparison) -> SemanticItem {
    let mut undecided = Vec::new();
    let mut side = |question: &Question, dropped: bool| -> Option<Witness> {
        match question {
            Question::Never => None,
            Question::Undecided(why) => {
                undecided.push(why.clone());
                None
            }
            Question::Example(example) => {
                let w = item_witness(old, new, item, example, dropped);
                if w.is_none() {
                    undecided.push(UNVERIFIED.to_string());
                }
                w
            }
        }
    };
    let dropped = side(&item.dropped, true);
    let added = side(&item.added, false);
    // Both questions stopped by one guard say so once.
    undecided.dedup();
    let relation = if !undecided.is_empty() {
        Relation::Undecided
    } else {
        match (&dropped, &added) {
            (None, None) => Relation::Equivalent,
            (Some(_), None) => Relation::Narrower,
            (None, Some(_)) => Relation::Wider,
            (Some(_), Some(_)) => Relation::Incomparable,
        }
    };
    SemanticItem {
        kind: match item.kind {
            Compared::Category => ItemKind::Category,
            Compared::RedFlag => ItemKind::RedFlag,
            Compared::Rule => ItemKind::Rule,
        },
        name: item.name.clone(),
        relation,
        dropped,
        added,
        undecided,
    }
}

/// The example run through both versions: a witness when the version it is for holds and
/// the other does not (`dropped`: the old one holds).
fn item_witness(
    old: &Program,
    new: &Program,
    item: &ItemComparison,
    example: &Example,
    dropped: bool,
) -> Option<Witness> {
    let (so, sn) = (run(old, &example.old)?, run(new, &example.new)?);
    let (i, j) = (item.old as usize, item.new as usize);
    let (wo, wn, ho, hn) = match item.kind {
        Compared::Category => {
            let (a, b) = (*so.categories.get(i)?, *sn.categories.get(j)?);
            (tri_word(a), tri_word(b), a == Tri::True, b == Tri::True)
        }
        Compared::RedFlag => {
            let (a, b) = (*so.red_flags.get(i)?, *sn.red_flags.get(j)?);
            (flag_word(a), flag_word(b), a == Tri::True, b == Tri::True)
        }
        Compared::Rule => {
            let (a, b) = (so.rule(i), sn.rule(j));
            let fired = |s: &[RuleState]| s.contains(&RuleState::Fired);
            (rule_word(a), rule_word(b), fired(a), fired(b))
        }
    };
    let verified = if dropped { ho && !hn } else { hn && !ho };
    verified.then(|| Witness {
        findings: findings_words(old, new, example),
        old: wo.to_string(),
        new: wn.to_string(),
    })
}

/// A change of the visit's category, verified: the two versions' categories differ.
fn category_witness(old: &Program, new: &Program, example: &Example) -> Option<Witness> {
    let (so, sn) = (run(old, &example.old)?, run(new, &example.new)?);
    let (wo, wn) = (category_words(old, &so), category_words(new, &sn));
    (wo != wn).then(|| Witness {
        findings: findings_words(old, new, example),
        old: wo,
        new: wn,
    })
}

/// The state of a visit with these findings (a previous visit first when they name one).
fn run(program: &Program, findings: &[Finding]) -> Option<VisitState> {
    let block = |phase: Option<Phase>| {
        let mut slots = vec![None; program.slot_count as usize];
        for f in findings.iter().filter(|f| f.phase == phase) {
            if let Some(s) = slots.get_mut(f.slot as usize) {
                *s = Some(f.value);
            }
        }
        Findings::examined(slots)
    };
    let visit = |number: i64, findings: Findings| Visit {
        number,
        label: None,
        findings,
        after: None,
        given: None,
        expects: Vec::new(),
    };
    let mut visits = Vec::with_capacity(2);
    if findings.iter().any(|f| f.phase == Some(Phase::Previous)) {
        visits.push(visit(1, block(Some(Phase::Previous))));
    }
    visits.push(visit(visits.len() as i64 + 1, block(None)));
    let case = Case {
        name: "example".into(),
        title: None,
        history: None,
        visits,
    };
    evaluate_case(program, &case).pop()
}

fn tri_word(t: Tri) -> &'static str {
    match t {
        Tri::True => "true",
        Tri::False => "false",
        Tri::Unknown => "unknown",
    }
}

fn flag_word(t: Tri) -> &'static str {
    match t {
        Tri::True => "raised",
        Tri::False => "ruled out",
        Tri::Unknown => "not ruled out",
    }
}

/// A rule's bindings in one word: `fires` when one fires, else the state that comes
/// nearest.
fn rule_word(states: &[RuleState]) -> &'static str {
    let rank = |s: &RuleState| match s {
        RuleState::Fired => (0, "fires"),
        RuleState::Withheld => (1, "withheld"),
        RuleState::NotEvaluated(_) => (2, "not evaluated"),
        RuleState::NotFired => (3, "does not fire"),
        RuleState::OtherCategory => (4, "not in its category"),
        RuleState::Suspended => (5, "suspended (a red flag is raised)"),
    };
    states
        .iter()
        .map(rank)
        .min()
        .map_or("no binding", |(_, w)| w)
}

/// The visit's category in words, as the case-bank section writes it.
fn category_words(program: &Program, state: &VisitState) -> String {
    let names = |cs: &[u32]| {
        cs.iter()
            .filter_map(|c| program.categories.get(*c as usize))
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let words = match &state.category {
        CategoryState::None => "none".to_string(),
        CategoryState::One(c) => names(std::slice::from_ref(c)),
        CategoryState::Coexisting(cs) => format!("{} (coexisting)", names(cs)),
        CategoryState::Ambiguous(cs) => format!("ambiguous: {}", names(cs)),
    };
    if state.provisional {
        format!("{words} (provisional)")
    } else {
        words
    }
}

/// The example's findings as a case writes them, each once; one that only one version
/// reads names the version.
fn findings_words(old: &Program, new: &Program, example: &Example) -> Vec<String> {
    let (wo, wn) = (words(old, &example.old), words(new, &example.new));
    let mut out: Vec<String> = wo
        .iter()
        .map(|w| {
            if wn.contains(w) {
                w.clone()
            } else {
                format!("{w} (old version)")
            }
        })
        .collect();
    out.extend(
        wn.iter()
            .filter(|w| !wo.contains(w))
            .map(|w| format!("{w} (new version)")),
    );
    out
}

fn words(program: &Program, findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter_map(|f| {
            let indicator = program
                .indicators
                .get(*program.slot_indicator.get(f.slot as usize)? as usize)?;
            let prefix = f
                .phase
                .map(|p| format!("{}.", p.word()))
                .unwrap_or_default();
            Some(format!(
                "{prefix}{} = {}",
                indicator.show_slot(f.slot),
                indicator.ty.show(f.value)
            ))
        })
        .collect()
}
