//! The items two versions of a protocol declare: which were added and which removed, kind
//! by kind, in declaration order.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Serialize;
use sot_ir::Program;

/// A kind of item that a protocol declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// `red_flag`.
    RedFlag,
    /// `category`.
    Category,
    /// `rule`.
    Rule,
    /// `check`.
    Check,
    /// `indicator`.
    Indicator,
    /// `adjustment`.
    Adjustment,
    /// `table`.
    Table,
}

impl ItemKind {
    /// The keyword that declares it.
    pub fn word(self) -> &'static str {
        match self {
            ItemKind::RedFlag => "red_flag",
            ItemKind::Category => "category",
            ItemKind::Rule => "rule",
            ItemKind::Check => "check",
            ItemKind::Indicator => "indicator",
            ItemKind::Adjustment => "adjustment",
            ItemKind::Table => "table",
        }
    }
}

/// An item by kind and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ItemName {
    /// Its kind.
    pub kind: ItemKind,
    /// Its name.
    pub name: String,
}

/// The items added and removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ItemChanges {
    /// Declared by the new version only, red flags first, then categories, rules, checks,
    /// indicators, adjustments, tables, each in declaration order.
    pub added: Vec<ItemName>,
    /// Declared by the old version only, in the same order.
    pub removed: Vec<ItemName>,
    /// How many items both declare.
    pub shared: usize,
}

/// The names a program declares, kind by kind.
fn names(program: &Program) -> Vec<(ItemKind, Vec<&str>)> {
    vec![
        (
            ItemKind::RedFlag,
            program.red_flags.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            ItemKind::Category,
            program.categories.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            ItemKind::Rule,
            program.rules.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            ItemKind::Check,
            program.checks.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            ItemKind::Indicator,
            program.indicators.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            ItemKind::Adjustment,
            program
                .adjustments
                .iter()
                .map(|i| i.name.as_str())
                .collect(),
        ),
        (
            ItemKind::Table,
            program.tables.iter().map(|i| i.name.as_str()).collect(),
        ),
    ]
}

/// The items added and removed from `old` to `new`; `None` when the two share no item (not
/// versions of one protocol).
pub(super) fn compare(old: &Program, new: &Program) -> Option<ItemChanges> {
    let mut out = ItemChanges::default();
    for ((kind, before), (_, after)) in names(old).into_iter().zip(names(new)) {
        let only = |these: &[&str], those: &[&str]| -> Vec<ItemName> {
            let those: HashSet<&str> = those.iter().copied().collect();
            these
                .iter()
                .filter(|n| !those.contains(*n))
                .map(|n| ItemName {
                    kind,
                    name: n.to_string(),
                })
                .collect()
        };
        let added = only(&after, &before);
        out.shared += after.len() - added.len();
        out.added.extend(added);
        out.removed.extend(only(&before, &after));
    }
    (out.shared > 0).then_some(out)
}
