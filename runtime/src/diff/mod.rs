//! `sot diff` as data: what a change to a protocol does. Two lowered programs (the old
//! version and the new) are compared item by item (which categories, red flags, rules,
//! checks, indicators, adjustments and tables were added or removed, in [`items`]) and
//! case by case: every case visit is run under both versions and every visit whose outcome
//! changes is listed with each change ([`visits`]), with a summary that counts the visits
//! per change. The report renders it (`sot_report::diff`). The semantic section
//! ([`semantic`]) verifies the compiler's comparison of the two versions' conditions by
//! running its examples.

mod items;
pub mod semantic;
mod visits;

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Serialize;
use sot_ir::{Case, Program};

pub use items::{ItemChanges, ItemKind, ItemName};
pub use semantic::{semantic, SemanticDiff};
pub use visits::{outcome, Change, Direction, RedFlagState, VisitChange};

use crate::explain::explain_case;

/// The code of the error for two files that share no item: not two versions of one
/// protocol (docs/language.md, "`sot diff`").
pub const UNRELATED: &str = "E0701";

/// What a change to a protocol does.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ProtocolDiff {
    /// The old version, as the command names it (a path, or `REV:path`).
    pub old: String,
    /// The new version.
    pub new: String,
    /// Items added and removed.
    pub items: ItemChanges,
    /// What the change does to the cases.
    pub cases: CaseImpact,
    /// What the change does to the conditions, exactly (by the solver), when computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<SemanticDiff>,
}

/// Which version of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Version {
    /// The old one.
    Old,
    /// The new one.
    New,
}

/// A case that could not run under a version (it names something that version lacks, say).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct CaseNotRun {
    /// The case's name (or the case data file's, when none of its cases could be read).
    pub case: String,
    /// Where the case comes from (a file).
    pub source: String,
    /// The version it does not fit.
    pub version: Version,
    /// Each problem, with its code and place (`E0501 line 12: …`).
    pub problems: Vec<String>,
}

/// One case, lowered for each version.
#[derive(Clone, Debug, PartialEq)]
pub struct CasePair {
    /// Where the case comes from (a file).
    pub source: String,
    /// The case lowered against the old version.
    pub old: Case,
    /// The same case lowered against the new version.
    pub new: Case,
}

/// The case-bank impact: every visit whose outcome changes.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct CaseImpact {
    /// How many cases ran under both versions.
    pub cases: usize,
    /// How many visits they have.
    pub visits: usize,
    /// The visits whose outcome changes, in case order.
    pub changed: Vec<VisitChange>,
    /// How many visits each change affects ("Category II → III: 4 visits"), red flags and
    /// referrals first, then category, recommendations, withheld, not evaluated and checks;
    /// within each, the most visits first.
    pub summary: Vec<SummaryLine>,
    /// Cases that could not run under one of the versions: not compared.
    pub not_run: Vec<CaseNotRun>,
}

/// One line of the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SummaryLine {
    /// The change in words (`category II → III`, `block added`).
    pub change: String,
    /// How many visits it affects.
    pub visits: usize,
}

/// Why two programs cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffError {
    /// They share no item: not versions of one protocol ([`UNRELATED`]).
    Unrelated,
}

/// Compares two versions of a protocol on the cases given (each lowered for both versions);
/// `not_run` lists the cases that could not be lowered for one of them.
pub fn diff<'a>(
    (old_name, old): (&str, &'a Program),
    (new_name, new): (&str, &'a Program),
    cases: &[CasePair],
    not_run: Vec<CaseNotRun>,
) -> Result<ProtocolDiff, DiffError> {
    let items = items::compare(old, new).ok_or(DiffError::Unrelated)?;
    let flags = |p: &'a Program| -> HashSet<&'a str> {
        p.red_flags.iter().map(|f| f.name.as_str()).collect()
    };
    let declared = (flags(old), flags(new));
    let mut changed = Vec::new();
    let mut visits = 0;
    for pair in cases {
        let before = explain_case(old, &pair.old);
        let after = explain_case(new, &pair.new);
        visits += after.visits.len();
        for (o, n) in before.visits.iter().zip(&after.visits) {
            let changes = visits::compare(o, n, (&declared.0, &declared.1));
            if !changes.is_empty() {
                changed.push(VisitChange {
                    case: after.case.clone(),
                    source: pair.source.clone(),
                    visit: n.visit,
                    label: n.label.clone(),
                    changes,
                });
            }
        }
    }
    let summary = visits::summary(&changed);
    Ok(ProtocolDiff {
        old: old_name.to_string(),
        new: new_name.to_string(),
        items,
        cases: CaseImpact {
            cases: cases.len(),
            visits,
            changed,
            summary,
            not_run,
        },
        semantic: None,
    })
}

impl ProtocolDiff {
    /// Whether anything changed: an item added or removed, a visit's outcome, a case
    /// that runs under one version only, or (when computed) an item's conditions or the
    /// visit's category (what `--fail-on-change` fails on).
    pub fn has_changes(&self) -> bool {
        self.semantic
            .as_ref()
            .is_some_and(SemanticDiff::has_changes)
            || !self.items.added.is_empty()
            || !self.items.removed.is_empty()
            || !self.cases.changed.is_empty()
            || !self.cases.not_run.is_empty()
    }
}
