//! A case report as plain text, for a terminal.

use std::fmt::Write as _;

use sot_runtime::explain::{CaseReport, RecommendationReport, VisitReport};
use sot_runtime::visit::Outcome;

use super::checks::{check_groups, outcome_meaning, outcome_word};
use super::words::{
    because, binding, by_rule, category_headline, category_open, flag_because, flag_name,
    group_findings, group_waits_for, rule_name, rules_name, undecided_text,
};

/// The report as plain text; `verbose` lists every binding of every check on its own line.
pub(super) fn text(report: &CaseReport, verbose: bool) -> String {
    let mut out = String::new();
    let title = report
        .title
        .as_deref()
        .map(|t| format!(" — {t}"))
        .unwrap_or_default();
    let _ = writeln!(out, "Case {}{title}", report.case);
    if let Some(p) = &report.protocol {
        let _ = writeln!(out, "Protocol: {p}");
    }
    for v in &report.visits {
        visit(&mut out, v, verbose);
    }
    out
}

fn visit(out: &mut String, v: &VisitReport, verbose: bool) {
    let label = v
        .label
        .as_deref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    let _ = writeln!(out, "\nVisit {}{label}", v.visit);
    // A raised red flag is the first thing a visit says.
    for f in &v.red_flags {
        let _ = writeln!(
            out,
            "  RED FLAG {}: {} — because {}",
            flag_name(f),
            f.refer,
            flag_because(f)
        );
    }
    for f in &v.not_ruled_out {
        let _ = writeln!(
            out,
            "  Red flag {} not ruled out: {}",
            flag_name(f),
            undecided_text(&f.findings, &f.not_examinable)
        );
    }
    let _ = writeln!(out, "  {}", category_headline(&v.category));
    for line in category_open(&v.category) {
        let _ = writeln!(out, "    {line}");
    }
    if v.refer {
        let _ = writeln!(
            out,
            "  The protocol recommends referral and no adjustment; rules suspended."
        );
    } else if v.recommendations.is_empty() {
        let _ = writeln!(out, "  The protocol recommends no adjustment.");
    } else {
        let _ = writeln!(out, "  The protocol recommends:");
        for r in &v.recommendations {
            let _ = writeln!(out, "    • {}", r.adjustment);
            recommendation(out, r);
        }
    }
    for w in by_rule(&v.withheld) {
        let _ = writeln!(
            out,
            "  Withheld: {} — {}",
            rules_name(&w),
            group_findings(&w)
        );
    }
    for n in by_rule(&v.not_evaluated) {
        let waits = group_waits_for(&n);
        let waits = if waits.is_empty() {
            waits
        } else {
            format!(": {waits}")
        };
        let reason = n[0].reason.as_deref().unwrap_or_default();
        let _ = writeln!(out, "  Not evaluated: {} — {reason}{waits}", rules_name(&n));
    }
    let groups = check_groups(v, verbose);
    if !groups.is_empty() {
        let _ = writeln!(out, "  Checks:");
    }
    for g in groups {
        let head = format!(
            "{} ({})",
            outcome_word(g.outcome),
            outcome_meaning(g.outcome)
        );
        if g.outcome == Outcome::NotApplicable && g.lines.iter().all(|l| l.detail.is_empty()) {
            let names: Vec<&str> = g.lines.iter().map(|l| l.name.as_str()).collect();
            let _ = writeln!(out, "    {head}:");
            for line in wrap(&names, 90) {
                let _ = writeln!(out, "      {line}");
            }
            continue;
        }
        let _ = writeln!(out, "    {head}:");
        for line in g.lines {
            let detail = if line.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", line.detail)
            };
            let _ = writeln!(out, "      {}{detail}", line.name);
        }
    }
}

/// Names joined by `, ` into lines of at most `width` characters (a longer name has a line
/// of its own).
fn wrap(names: &[&str], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let piece = if i + 1 == names.len() {
            name.to_string()
        } else {
            format!("{name},")
        };
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + piece.chars().count() <= width => {
                line.push(' ');
                line.push_str(&piece);
            }
            _ => lines.push(piece),
        }
    }
    lines
}

/// The rules behind a recommendation, each named once: a rule with several bindings lists
/// them under its name.
fn recommendation(out: &mut String, r: &RecommendationReport) {
    for same in by_rule(&r.because) {
        let b = same[0];
        if same.len() == 1 {
            let _ = writeln!(out, "        because {}: {}", rule_name(b), because(b));
            continue;
        }
        let title = b
            .title
            .as_deref()
            .map(|t| format!(" “{t}”"))
            .unwrap_or_default();
        let _ = writeln!(out, "        because {}{title}:", b.rule);
        for one in same {
            let _ = writeln!(out, "          {}: {}", binding(&one.binding), because(one));
        }
    }
}
