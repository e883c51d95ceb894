//! `sot diff`'s report of what a protocol change does ([`ProtocolDiff`]): as text, Markdown
//! and JSON. Every form gives the items added and removed, the summary of the visits whose
//! outcome changes, then each such visit with its changes (referral and red flags first),
//! then the cases that could not run under one version, then the semantic difference (each
//! changed item's relation with its example findings, and the changes of the visit's
//! category). Wording: what "the protocol
//! recommends", never what the patient has.

use sot_runtime::diff::semantic::{Relation, Rest, SemanticDiff, Witness};
use sot_runtime::diff::{outcome, Change, Direction, ItemKind, ItemName, ProtocolDiff, Version};

use crate::escape::markdown_escape;

/// The diff as plain text.
pub fn text(diff: &ProtocolDiff) -> String {
    let mut out = format!("sot diff: {} → {}\n", diff.old, diff.new);
    out.push_str(&format!("\n{}\n", items_line(diff)));
    for (word, items) in [
        ("added", &diff.items.added),
        ("removed", &diff.items.removed),
    ] {
        for item in items {
            out.push_str(&format!("  {word}: {}\n", item_words(item)));
        }
    }
    out.push_str(&format!("\n{}\n", cases_line(diff)));
    if !diff.cases.summary.is_empty() {
        out.push_str("\nSummary\n");
        for line in &diff.cases.summary {
            out.push_str(&format!("  {}: {}\n", line.change, visits(line.visits)));
        }
    }
    for visit in &diff.cases.changed {
        out.push_str(&format!(
            "\nCase {}, visit {}{} ({})\n",
            visit.case,
            visit.visit,
            visit
                .label
                .as_ref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default(),
            visit.source
        ));
        for change in &visit.changes {
            out.push_str(&format!("  {}\n", change_words(change)));
        }
    }
    not_run(
        diff,
        &mut out,
        |s| s.to_string(),
        "\nNot compared",
        ("  ", "    "),
    );
    if let Some(sem) = &diff.semantic {
        for (heading, lines) in semantic_lines(sem) {
            out.push_str(&format!("\n{heading}\n"));
            for (depth, line) in lines {
                out.push_str(&format!("{}{line}\n", "  ".repeat(depth + 1)));
            }
        }
    }
    out
}

/// The diff as Markdown (protocol text escaped).
pub fn markdown(diff: &ProtocolDiff) -> String {
    let e = markdown_escape;
    let mut out = format!("# sot diff: {} → {}\n\n", e(&diff.old), e(&diff.new));
    out.push_str(&format!("## Items\n\n{}\n", items_line(diff)));
    let mut list = String::new();
    for (word, items) in [
        ("added", &diff.items.added),
        ("removed", &diff.items.removed),
    ] {
        for item in items {
            list.push_str(&format!("- {word}: {}\n", e(&item_words(item))));
        }
    }
    if !list.is_empty() {
        out.push('\n');
        out.push_str(&list);
    }
    out.push_str(&format!("\n## Cases\n\n{}\n", cases_line(diff)));
    if !diff.cases.summary.is_empty() {
        out.push_str("\n| change | visits |\n| --- | --- |\n");
        for line in &diff.cases.summary {
            out.push_str(&format!(
                "| {} | {} |\n",
                e(&line.change).replace('|', "\\|"),
                line.visits
            ));
        }
    }
    for visit in &diff.cases.changed {
        out.push_str(&format!(
            "\n### Case {}, visit {}{}\n\nFrom {}.\n\n",
            e(&visit.case),
            visit.visit,
            visit
                .label
                .as_ref()
                .map(|l| format!(" “{}”", e(l)))
                .unwrap_or_default(),
            e(&visit.source)
        ));
        for change in &visit.changes {
            out.push_str(&format!("- {}\n", e(&change_words(change))));
        }
    }
    not_run(
        diff,
        &mut out,
        markdown_escape,
        "\n## Not compared\n",
        ("- ", "  - "),
    );
    if let Some(sem) = &diff.semantic {
        for (heading, lines) in semantic_lines(sem) {
            out.push_str(&format!("\n## {heading}\n\n"));
            for (depth, line) in lines {
                out.push_str(&format!("{}- {}\n", "  ".repeat(depth), e(&line)));
            }
        }
    }
    out
}

/// The diff as JSON: the serde form of [`ProtocolDiff`] (`sot schema --output diff`).
pub fn json(diff: &ProtocolDiff) -> String {
    serde_json::to_string_pretty(diff).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// `Items: 1 added, 0 removed, 24 in both versions.`
fn items_line(diff: &ProtocolDiff) -> String {
    format!(
        "Items: {} added, {} removed, {} in both versions.",
        diff.items.added.len(),
        diff.items.removed.len(),
        diff.items.shared
    )
}

/// `rule block_iii`.
fn item_words(item: &ItemName) -> String {
    format!("{} {}", item.kind.word(), item.name)
}

/// `Cases: 3 run under both versions, 7 visits; 2 visits change.`
fn cases_line(diff: &ProtocolDiff) -> String {
    let c = &diff.cases;
    let changed = match c.changed.len() {
        0 => "no visit's outcome changes".to_string(),
        1 => "1 visit's outcome changes".to_string(),
        n => format!("{n} visits' outcomes change"),
    };
    format!(
        "Cases: {} run under both versions, {}; {changed}.",
        c.cases,
        visits(c.visits)
    )
}

fn visits(n: usize) -> String {
    if n == 1 {
        "1 visit".into()
    } else {
        format!("{n} visits")
    }
}

/// One change in words: what the protocol decided before, and now.
fn change_words(change: &Change) -> String {
    match change {
        Change::Referral { new: true, .. } => {
            "referral: the protocol now refers (a red flag is raised; no adjustment)".into()
        }
        Change::Referral { new: false, .. } => "referral: the protocol no longer refers".into(),
        Change::RedFlag { red_flag, old, new } => {
            format!("red flag {red_flag}: {} → {}", old.words(), new.words())
        }
        Change::Category { old, new } => format!("category: {old} → {new}"),
        Change::Recommendation {
            adjustment,
            change,
            because,
            ..
        } => {
            let rules = because.join(", ");
            match change {
                Direction::Added => {
                    format!("the protocol now recommends {adjustment} (because of {rules})")
                }
                Direction::Removed => format!(
                    "the protocol no longer recommends {adjustment} (recommended before by {rules})"
                ),
            }
        }
        Change::Withheld { rule, change } => match change {
            Direction::Added => format!("rule {rule} is now withheld by its `unless`"),
            Direction::Removed => format!("rule {rule} is no longer withheld"),
        },
        Change::NotEvaluated { rule, change } => match change {
            Direction::Added => format!("rule {rule} can no longer be decided (findings missing)"),
            Direction::Removed => format!("rule {rule} is now decided"),
        },
        Change::Check { check, old, new } => {
            format!("check {check}: {} → {}", outcome(*old), outcome(*new))
        }
    }
}

/// The section on the cases that could not run under one version.
fn not_run(
    diff: &ProtocolDiff,
    out: &mut String,
    escape: impl Fn(&str) -> String,
    heading: &str,
    (bullet, nested): (&str, &str),
) {
    if diff.cases.not_run.is_empty() {
        return;
    }
    out.push_str(heading);
    out.push('\n');
    for case in &diff.cases.not_run {
        let version = match case.version {
            Version::Old => "old",
            Version::New => "new",
        };
        // Case data that could not be read names no case: the file is named once.
        let what = if case.case == case.source {
            format!("the case data of {}", case.source)
        } else {
            format!("case {} ({})", case.case, case.source)
        };
        out.push_str(&format!(
            "{bullet}{}\n",
            escape(&format!("{what} does not fit the {version} version:"))
        ));
        for problem in &case.problems {
            out.push_str(&format!("{nested}{}\n", escape(problem)));
        }
    }
}

/// Up to how many equivalent items are named (more are counted by kind).
const EQUIVALENT_NAMED: usize = 12;

/// A section's heading and its lines, each with its depth.
type Section = (&'static str, Vec<(usize, String)>);

/// The semantic section: the items whose conditions changed, each with its example
/// findings, then the changes of the visit's category.
fn semantic_lines(sem: &SemanticDiff) -> Vec<Section> {
    let mut items = Vec::new();
    let mut same = Vec::new();
    for item in &sem.items {
        let name = format!("{} {}", item.kind.word(), item.name);
        let what = match item.relation {
            Relation::Equivalent => {
                same.push(name);
                continue;
            }
            Relation::Narrower => "narrower: it holds under fewer findings",
            Relation::Wider => "wider: it holds under more findings",
            Relation::Incomparable => "incomparable: each version holds where the other does not",
            Relation::Undecided => "not decided",
        };
        items.push((0, format!("{name}: {what}")));
        for (who, w) in [("old", &item.dropped), ("new", &item.added)] {
            if let Some(w) = w {
                items.push((
                    1,
                    format!("only the {who} version holds with: {}", witness(w)),
                ));
            }
        }
        for why in &item.undecided {
            items.push((1, format!("not decided: {why}")));
        }
    }
    if items.is_empty() {
        items.push((0, "no condition changes".into()));
    }
    if same.len() > EQUIVALENT_NAMED {
        let count = |kind: ItemKind, one: &str, many: &str| match sem
            .items
            .iter()
            .filter(|i| i.kind == kind && i.relation == Relation::Equivalent)
            .count()
        {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let counts: Vec<String> = [
            count(ItemKind::Category, "category", "categories"),
            count(ItemKind::RedFlag, "red flag", "red flags"),
            count(ItemKind::Rule, "rule", "rules"),
        ]
        .into_iter()
        .flatten()
        .collect();
        items.push((0, format!("equivalent: {}", counts.join(", "))));
    } else if !same.is_empty() {
        items.push((0, format!("equivalent: {}", same.join(", "))));
    }
    if !sem.apart.is_empty() {
        items.push((
            0,
            format!(
                "type changed, each version's findings read apart: {}",
                sem.apart.join(", ")
            ),
        ));
    }
    let c = &sem.category;
    let mut category: Vec<(usize, String)> = c
        .changes
        .iter()
        .map(|w| {
            let findings = if w.findings.is_empty() {
                "no findings".to_string()
            } else {
                w.findings.join(", ")
            };
            (0, format!("{} → {}: {findings}", w.old, w.new))
        })
        .collect();
    category.push((
        0,
        match (c.rest, &c.undecided) {
            (Rest::Complete, _) if c.changes.is_empty() => {
                "the visit's category is the same for every finding".into()
            }
            (Rest::Complete, _) => "every change is listed".into(),
            (Rest::More, _) => format!(
                "more changes exist: only the first {} are listed",
                c.changes.len()
            ),
            (Rest::Undecided, why) => format!(
                "not decided whether other changes exist: {}",
                why.as_deref().unwrap_or("the search stopped")
            ),
        },
    ));
    vec![
        ("Semantic difference (exact, by the solver)", items),
        ("The visit's category", category),
    ]
}

/// `leg_length_difference = 5 mm (old: false, new: true)`.
fn witness(w: &Witness) -> String {
    let findings = if w.findings.is_empty() {
        "no findings".to_string()
    } else {
        w.findings.join(", ")
    };
    format!("{findings} (old: {}, new: {})", w.old, w.new)
}
