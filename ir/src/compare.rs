//! The semantic difference of two versions of a protocol as the compiler's solver decides
//! it (`sot_compiler::compare_programs`): for each category, red flag and rule in both
//! versions, findings under which the old version holds and the new one does not, and the
//! reverse; and the findings under which the visit's category changes. Every example is in
//! each version's own slots, so that the runtime can run both versions on it and verify it
//! (`sot_runtime::diff::semantic`).

/// A kind of item compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compared {
    /// A category: its `when` is true.
    Category,
    /// A red flag: it is raised (its `when` true and, when bound to a category, the visit in
    /// that category).
    RedFlag,
    /// A rule: one of its bindings fires (the visit in its category, its `when` true, its
    /// `unless` false, its arguments known), where neither version raises a red flag.
    Rule,
}

/// One finding of an example: its block (`None`: the visit's own, or `previous`), slot and
/// value, in one version's slots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// `Some(Phase::Previous)`: the previous visit's finding.
    pub phase: Option<crate::Phase>,
    /// The slot, in the version's program.
    pub slot: u32,
    /// Its value.
    pub value: crate::Value,
}

/// Example findings, the same findings written in each version's slots. A finding that both
/// versions read (its indicator has one name and one type in both) is in both lists; a
/// finding of an indicator that one version lacks, or whose type changed, is in one list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Example {
    /// In the old version's slots.
    pub old: Vec<Finding>,
    /// In the new version's slots.
    pub new: Vec<Finding>,
}

/// The answer to "do findings exist under which …?".
#[derive(Clone, Debug, PartialEq)]
pub enum Question {
    /// No findings.
    Never,
    /// These findings (minimal: none can be left out).
    Example(Example),
    /// Not decided: a guard against hostile input stopped it, and why, in words.
    Undecided(String),
}

/// One item in both versions (matched by kind and name).
#[derive(Clone, Debug, PartialEq)]
pub struct ItemComparison {
    /// Its kind.
    pub kind: Compared,
    /// Its name.
    pub name: String,
    /// Its index in the old version's program (categories, red flags or rules).
    pub old: u32,
    /// Its index in the new version's.
    pub new: u32,
    /// Findings under which it holds in the old version and not in the new.
    pub dropped: Question,
    /// Findings under which it holds in the new version and not in the old.
    pub added: Question,
}

/// The findings under which the visit's category changes: one example for each change
/// found (old categories → new categories), at most [`Comparison::CATEGORY_CHANGES`].
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryChanges {
    /// One example per change.
    pub examples: Vec<Example>,
    /// Whether findings exist for a change not listed: `Never` when the list is complete,
    /// `Example` (of one more change) when the limit cut it, `Undecided` when a guard
    /// stopped the search.
    pub rest: Question,
}

/// The semantic difference of two versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The categories, red flags and rules of both versions, in the new version's order
    /// (categories, then red flags, then rules).
    pub items: Vec<ItemComparison>,
    /// The visit's category as a whole.
    pub category: CategoryChanges,
    /// Indicators of both versions whose type changed: each version's findings of it are
    /// read apart, as if they were two indicators.
    pub apart: Vec<String>,
}

impl Comparison {
    /// How many changes of the visit's category are listed at most.
    pub const CATEGORY_CHANGES: usize = 12;
}
