//! One visit under two versions of a protocol: what changes in its outcome (red flags and
//! referral, category, recommendations, rules withheld or not evaluated, check outcomes),
//! and the summary that counts the visits per change.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Serialize;

use crate::explain::{CategoryReport, CheckReport, RuleReport, VisitReport};
use crate::visit::Outcome;

/// A visit whose outcome changes.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct VisitChange {
    /// The case.
    pub case: String,
    /// Where the case comes from (a file).
    pub source: String,
    /// The visit's number.
    pub visit: i64,
    /// Its label.
    pub label: Option<String>,
    /// What changes, red flags and referral first.
    pub changes: Vec<Change>,
}

/// Added (made by the new version only) or removed (by the old only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only under the new version.
    Added,
    /// Only under the old version.
    Removed,
}

impl Direction {
    /// `added` or `removed`.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Added => "added",
            Direction::Removed => "removed",
        }
    }
}

/// A red flag's state at a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagState {
    /// Raised: refer.
    Raised,
    /// Unknown: not ruled out.
    NotRuledOut,
    /// False.
    RuledOut,
    /// The version does not declare it.
    NotDeclared,
}

impl RedFlagState {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            RedFlagState::Raised => "raised",
            RedFlagState::NotRuledOut => "not ruled out",
            RedFlagState::RuledOut => "ruled out",
            RedFlagState::NotDeclared => "not in this version",
        }
    }
}

/// One change in a visit's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Whether the visit refers changes.
    Referral {
        /// Under the old version.
        old: bool,
        /// Under the new version.
        new: bool,
    },
    /// A red flag's state changes.
    RedFlag {
        /// The red flag.
        red_flag: String,
        /// Under the old version.
        old: RedFlagState,
        /// Under the new version.
        new: RedFlagState,
    },
    /// The visit's category changes (or only whether it is provisional).
    Category {
        /// Under the old version, in words (`II`, `II (provisional)`, `none`,
        /// `ambiguous: I, II`, `III, II (coexisting)`).
        old: String,
        /// Under the new version.
        new: String,
    },
    /// An adjustment is recommended by one version only.
    Recommendation {
        /// The call (`block(category: II, short_leg: right)`).
        adjustment: String,
        /// The adjustment's name (`block`).
        name: String,
        /// Added or removed.
        change: Direction,
        /// The rules that recommend it in the version that does.
        because: Vec<String>,
    },
    /// A rule's `unless` holds it back under one version only.
    Withheld {
        /// The rule, with its binding (`block_ii [side = left]`).
        rule: String,
        /// Added or removed.
        change: Direction,
    },
    /// A rule cannot be decided under one version only.
    NotEvaluated {
        /// The rule, with its binding.
        rule: String,
        /// Added or removed.
        change: Direction,
    },
    /// A check's outcome changes.
    Check {
        /// The check, with its binding.
        check: String,
        /// Under the old version (`null`: not in that version).
        old: Option<Outcome>,
        /// Under the new version.
        new: Option<Outcome>,
    },
}

impl Change {
    /// The change as a summary counts it: the same words for the same change at any visit
    /// (`category II → III`, `block added`); the rank of its kind.
    fn summary(&self) -> (u8, String) {
        match self {
            Change::Referral { new, .. } => (
                0,
                if *new {
                    "referral added"
                } else {
                    "referral removed"
                }
                .into(),
            ),
            Change::RedFlag { red_flag, old, new } => (
                1,
                format!("red flag {red_flag}: {} → {}", old.words(), new.words()),
            ),
            Change::Category { old, new } => (2, format!("category {old} → {new}")),
            Change::Recommendation { name, change, .. } => (3, format!("{name} {}", change.word())),
            Change::Withheld { rule, change } => (
                4,
                match change {
                    Direction::Added => format!("rule {} now withheld", base(rule)),
                    Direction::Removed => format!("rule {} no longer withheld", base(rule)),
                },
            ),
            Change::NotEvaluated { rule, change } => (
                5,
                match change {
                    Direction::Added => format!("rule {} now undecided", base(rule)),
                    Direction::Removed => format!("rule {} now decided", base(rule)),
                },
            ),
            Change::Check { check, old, new } => (
                6,
                format!(
                    "check {}: {} → {}",
                    base(check),
                    outcome(*old),
                    outcome(*new)
                ),
            ),
        }
    }
}

/// A rule's or check's name without its binding.
fn base(named: &str) -> &str {
    named.split(" [").next().unwrap_or(named)
}

/// A check outcome in words (`not applicable`), or `not in this version`.
pub fn outcome(outcome: Option<Outcome>) -> String {
    outcome.map_or("not in this version".into(), |o| o.word().replace('_', " "))
}

/// The names of the red flags each version declares (old, new).
pub(super) type Declared<'a> = (&'a HashSet<&'a str>, &'a HashSet<&'a str>);

/// Every change between a visit's reports under the old and the new version.
pub(super) fn compare(old: &VisitReport, new: &VisitReport, declared: Declared) -> Vec<Change> {
    let mut out = Vec::new();
    if old.refer != new.refer {
        out.push(Change::Referral {
            old: old.refer,
            new: new.refer,
        });
    }
    red_flags((old, new), declared, &mut out);
    let (was, is) = (category(&old.category), category(&new.category));
    if was != is {
        out.push(Change::Category { old: was, new: is });
    }
    recommendations(old, new, &mut out);
    for (mine, theirs, change) in [(new, old, Direction::Added), (old, new, Direction::Removed)] {
        for rule in only(&mine.withheld, &theirs.withheld) {
            out.push(Change::Withheld { rule, change });
        }
    }
    for (mine, theirs, change) in [(new, old, Direction::Added), (old, new, Direction::Removed)] {
        for rule in only(&mine.not_evaluated, &theirs.not_evaluated) {
            out.push(Change::NotEvaluated { rule, change });
        }
    }
    checks(&old.checks, &new.checks, &mut out);
    out
}

fn red_flags((old, new): (&VisitReport, &VisitReport), declared: Declared, out: &mut Vec<Change>) {
    let state = |v: &VisitReport, declared: &HashSet<&str>, name: &str| {
        if !declared.contains(name) {
            RedFlagState::NotDeclared
        } else if v.red_flags.iter().any(|f| f.red_flag == name) {
            RedFlagState::Raised
        } else if v.not_ruled_out.iter().any(|f| f.red_flag == name) {
            RedFlagState::NotRuledOut
        } else {
            RedFlagState::RuledOut
        }
    };
    let mut seen = HashSet::new();
    let named = [new, old]
        .into_iter()
        .flat_map(|v| v.red_flags.iter().chain(&v.not_ruled_out));
    for flag in named {
        let name = flag.red_flag.as_str();
        if !seen.insert(name) {
            continue;
        }
        let (was, is) = (state(old, declared.0, name), state(new, declared.1, name));
        if was != is {
            out.push(Change::RedFlag {
                red_flag: name.to_string(),
                old: was,
                new: is,
            });
        }
    }
}

/// A visit's category in words.
pub(super) fn category(c: &CategoryReport) -> String {
    let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
    let words = match c.state {
        "category" => names.join(", "),
        "coexisting" => format!("{} (coexisting)", names.join(", ")),
        "ambiguous" => format!("ambiguous: {}", names.join(", ")),
        _ => "none".to_string(),
    };
    if c.provisional {
        format!("{words} (provisional)")
    } else {
        words
    }
}

fn recommendations(old: &VisitReport, new: &VisitReport, out: &mut Vec<Change>) {
    for (mine, theirs, change) in [(new, old, Direction::Added), (old, new, Direction::Removed)] {
        let theirs: HashSet<&str> = theirs
            .recommendations
            .iter()
            .map(|r| r.adjustment.as_str())
            .collect();
        for r in &mine.recommendations {
            if theirs.contains(r.adjustment.as_str()) {
                continue;
            }
            out.push(Change::Recommendation {
                adjustment: r.adjustment.clone(),
                name: base_call(&r.adjustment).to_string(),
                change,
                because: r.because.iter().map(rule_name).collect(),
            });
        }
    }
}

/// An adjustment call's name (`block` of `block(category: II)`).
fn base_call(call: &str) -> &str {
    call.split('(').next().unwrap_or(call)
}

/// A rule with its binding: `block_ii [side = left]`.
fn rule_name(r: &RuleReport) -> String {
    if r.binding.is_empty() {
        r.rule.clone()
    } else {
        format!("{} [{}]", r.rule, r.binding.join(", "))
    }
}

/// The rules of `mine` that `theirs` does not list, by name and binding.
fn only(mine: &[RuleReport], theirs: &[RuleReport]) -> Vec<String> {
    let theirs: HashSet<String> = theirs.iter().map(rule_name).collect();
    mine.iter()
        .map(rule_name)
        .filter(|r| !theirs.contains(r))
        .collect()
}

fn checks(old: &[CheckReport], new: &[CheckReport], out: &mut Vec<Change>) {
    let name = |c: &CheckReport| {
        if c.binding.is_empty() {
            c.check.clone()
        } else {
            format!("{} [{}]", c.check, c.binding.join(", "))
        }
    };
    let before: Vec<(String, Outcome)> = old.iter().map(|c| (name(c), c.outcome)).collect();
    let after: Vec<(String, Outcome)> = new.iter().map(|c| (name(c), c.outcome)).collect();
    let find = |list: &[(String, Outcome)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, o)| *o)
    };
    for (key, outcome) in &after {
        let was = find(&before, key);
        if was != Some(*outcome) {
            out.push(Change::Check {
                check: key.clone(),
                old: was,
                new: Some(*outcome),
            });
        }
    }
    for (key, outcome) in &before {
        if find(&after, key).is_none() {
            out.push(Change::Check {
                check: key.clone(),
                old: Some(*outcome),
                new: None,
            });
        }
    }
}

/// How many visits each change affects, red flags and referral first, then by kind, the most
/// visits first within a kind, then in the order first seen.
pub(super) fn summary(changed: &[VisitChange]) -> Vec<super::SummaryLine> {
    let mut counts: Vec<((u8, String), usize)> = Vec::new();
    for visit in changed {
        let mut seen = HashSet::new();
        for change in &visit.changes {
            let key = change.summary();
            if !seen.insert(key.clone()) {
                continue;
            }
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
    }
    // A stable sort keeps the order first seen among equals.
    counts.sort_by(|((ra, _), na), ((rb, _), nb)| ra.cmp(rb).then(nb.cmp(na)));
    counts
        .into_iter()
        .map(|((_, change), visits)| super::SummaryLine { change, visits })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(n: i64, changes: Vec<Change>) -> VisitChange {
        VisitChange {
            case: "c".into(),
            source: "f.sot".into(),
            visit: n,
            label: None,
            changes,
        }
    }

    fn category(old: &str, new: &str) -> Change {
        Change::Category {
            old: old.into(),
            new: new.into(),
        }
    }

    fn block(args: &str) -> Change {
        Change::Recommendation {
            adjustment: format!("block({args})"),
            name: "block".into(),
            change: Direction::Added,
            because: vec!["r".into()],
        }
    }

    #[test]
    fn the_summary_counts_visits_referrals_first_then_the_most_visits_within_a_kind() {
        let changed = [
            visit(1, vec![category("I", "II")]),
            visit(2, vec![category("II", "III"), block("side: left")]),
            // Two calls of one adjustment at one visit: that visit counts once.
            visit(
                3,
                vec![
                    category("II", "III"),
                    block("side: left"),
                    block("side: right"),
                    Change::Referral {
                        old: false,
                        new: true,
                    },
                ],
            ),
        ];
        let summary: Vec<(String, usize)> = summary(&changed)
            .into_iter()
            .map(|l| (l.change, l.visits))
            .collect();
        assert_eq!(
            summary,
            [
                ("referral added".to_string(), 1),
                ("category II → III".to_string(), 2),
                ("category I → II".to_string(), 1),
                ("block added".to_string(), 2),
            ]
        );
    }
}
