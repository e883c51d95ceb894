//! A visit's checks grouped by outcome, in the order a clinician reads them (complete,
//! marginal, ineffective, unknown, not needed, not applicable), each outcome in words with
//! what it means. Unless verbose, a check's bindings that share an outcome and show no
//! findings are one line (`fibers_resolve [area = 1, 2, 4]`), two or more bindings that are
//! not needed are one line that names them (`arm_fossa_turns_negative for 5 of 6 bindings`),
//! and the checks that did not apply are one list of names.

use sot_runtime::explain::{CheckReport, VisitReport};
use sot_runtime::visit::Outcome;

use super::words::{bindings, findings_text};

/// One line of a group: the check (with its binding), its title, and the findings compared.
pub(crate) struct CheckLine {
    /// The check's name and binding: `sciatic_points_diminish [point = gluteal]`.
    pub name: String,
    /// Its title, if the protocol gives one.
    pub title: Option<String>,
    /// The findings compared, or a note on the bindings folded into the line.
    pub detail: String,
}

/// The checks of one outcome.
pub(crate) struct CheckGroup {
    /// The outcome.
    pub outcome: Outcome,
    /// Its lines.
    pub lines: Vec<CheckLine>,
}

/// The order outcomes are shown in.
const ORDER: [Outcome; 6] = [
    Outcome::Complete,
    Outcome::Marginal,
    Outcome::Ineffective,
    Outcome::Unknown,
    Outcome::NotNeeded,
    Outcome::NotApplicable,
];

/// An outcome as a clinician reads it: `not needed`.
pub(crate) fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Complete => "complete",
        Outcome::Marginal => "marginal",
        Outcome::Ineffective => "ineffective",
        Outcome::Unknown => "unknown",
        Outcome::NotNeeded => "not needed",
        Outcome::NotApplicable => "not applicable",
    }
}

/// What an outcome means (LANGUAGE.md §4, checks).
pub(crate) fn outcome_meaning(o: Outcome) -> &'static str {
    match o {
        Outcome::Complete => "the check's goal after the adjustment was met",
        Outcome::Marginal => "improved, short of complete",
        Outcome::Ineffective => "neither complete nor marginal",
        Outcome::Unknown => "a finding that decides it is not known",
        Outcome::NotNeeded => "before the adjustment there was nothing to correct",
        Outcome::NotApplicable => "its adjustment was not given, or there is nothing to compare",
    }
}

fn named(c: &CheckReport) -> String {
    if c.binding.is_empty() {
        c.check.clone()
    } else {
        format!("{} [{}]", c.check, c.binding.join(", "))
    }
}

/// The visit's checks grouped by outcome; empty groups are left out.
pub(crate) fn check_groups(v: &VisitReport, verbose: bool) -> Vec<CheckGroup> {
    ORDER
        .iter()
        .map(|&outcome| CheckGroup {
            outcome,
            lines: lines_of(v, outcome, verbose),
        })
        .filter(|g| !g.lines.is_empty())
        .collect()
}

fn lines_of(v: &VisitReport, outcome: Outcome, verbose: bool) -> Vec<CheckLine> {
    let of: Vec<&CheckReport> = v.checks.iter().filter(|c| c.outcome == outcome).collect();
    let mut lines = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for c in &of {
        if verbose {
            lines.push(CheckLine {
                name: named(c),
                title: c.title.clone(),
                detail: findings_text(&c.findings),
            });
            continue;
        }
        if done.contains(&c.check.as_str()) {
            continue;
        }
        let same: Vec<&&CheckReport> = of.iter().filter(|o| o.check == c.check).collect();
        let total = v.checks.iter().filter(|o| o.check == c.check).count();
        if same.len() == 1 || c.binding.is_empty() {
            // Not applicable says only that nothing was compared: its findings add nothing.
            let detail = if outcome == Outcome::NotApplicable {
                String::new()
            } else {
                findings_text(&c.findings)
            };
            let name = if outcome == Outcome::NotApplicable && same.len() == total {
                c.check.clone()
            } else {
                named(c)
            };
            lines.push(CheckLine {
                name,
                title: c.title.clone(),
                detail,
            });
            continue;
        }
        let with_findings = same.iter().any(|o| !o.findings.is_empty());
        if matches!(outcome, Outcome::NotNeeded | Outcome::NotApplicable) || !with_findings {
            done.push(&c.check);
            // The bindings named, or those left out when they are fewer.
            let others: Vec<&[String]> = v
                .checks
                .iter()
                .filter(|o| o.check == c.check && o.outcome != outcome)
                .map(|o| o.binding.as_slice())
                .collect();
            let these: Vec<&[String]> = same.iter().map(|o| o.binding.as_slice()).collect();
            let inner = |all: &[&[String]]| {
                let b = bindings(all);
                b.trim_start_matches('[').trim_end_matches(']').to_string()
            };
            let n = same.len();
            let (name, detail) = if n == total {
                (c.check.clone(), format!("all {total} bindings"))
            } else if others.len() < these.len() {
                (
                    c.check.clone(),
                    format!("{n} of {total} bindings, all but {}", inner(&others)),
                )
            } else {
                (
                    c.check.clone(),
                    format!("{n} of {total} bindings: {}", inner(&these)),
                )
            };
            let detail = if outcome == Outcome::NotApplicable && same.len() == total {
                String::new()
            } else {
                detail
            };
            lines.push(CheckLine {
                name,
                title: c.title.clone(),
                detail,
            });
        } else {
            lines.push(CheckLine {
                name: named(c),
                title: c.title.clone(),
                detail: findings_text(&c.findings),
            });
        }
    }
    lines
}
