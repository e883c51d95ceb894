//! A case report as Markdown: a summary table of the visits, then each visit (protocol text
//! escaped; pairs of backticks in the runtime's reasons kept as code).

use std::fmt::Write as _;

use sot_runtime::explain::{CaseReport, RecommendationReport, VisitReport};
use sot_runtime::visit::Outcome;

use super::checks::{check_groups, outcome_meaning, outcome_word};
use super::summary;
use super::words::{
    because, binding, by_rule, category_headline, category_open, flag_because, flag_name,
    group_findings, group_waits_for, rule_name, rules_name, undecided_text,
};
use crate::escape::{markdown_escape as esc, markdown_with_code};

/// The report as Markdown; `verbose` lists every binding of every check on its own line.
pub(super) fn markdown(report: &CaseReport, verbose: bool) -> String {
    let mut out = String::new();
    let title = report
        .title
        .as_deref()
        .map(|t| format!(" — {}", esc(t)))
        .unwrap_or_default();
    let _ = writeln!(out, "# Case {}{title}\n", esc(&report.case));
    if let Some(p) = &report.protocol {
        let _ = writeln!(out, "Protocol: {}\n", esc(p));
    }
    let _ = writeln!(
        out,
        "| visit | category | referral | the protocol recommends |\n| --- | --- | --- | --- |"
    );
    for row in summary(report) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            esc(&row.visit),
            esc(&row.category),
            esc(&row.referral),
            esc(&row.recommendations.join("; "))
        );
    }
    out.push('\n');
    for v in &report.visits {
        visit(&mut out, v, verbose);
    }
    out
}

fn visit(out: &mut String, v: &VisitReport, verbose: bool) {
    let label = v
        .label
        .as_deref()
        .map(|l| format!(" ({})", esc(l)))
        .unwrap_or_default();
    let _ = writeln!(out, "## Visit {}{label}\n", v.visit);
    for f in &v.red_flags {
        let _ = writeln!(
            out,
            "- **Red flag {}**: {} (because {})",
            esc(&flag_name(f)),
            esc(&f.refer),
            esc(&flag_because(f))
        );
    }
    for f in &v.not_ruled_out {
        let _ = writeln!(
            out,
            "- Red flag {} not ruled out: {}",
            esc(&flag_name(f)),
            esc(&undecided_text(&f.findings, &f.not_examinable))
        );
    }
    let _ = writeln!(out, "- **{}**", esc(&category_headline(&v.category)));
    for line in category_open(&v.category) {
        let _ = writeln!(out, "  - {}", esc(&line));
    }
    if v.refer {
        let _ = writeln!(out, "- The protocol recommends referral and no adjustment.");
    } else if v.recommendations.is_empty() {
        let _ = writeln!(out, "- The protocol recommends no adjustment.");
    } else {
        let _ = writeln!(out, "- The protocol recommends:");
        for r in &v.recommendations {
            let _ = writeln!(out, "  - `{}`", r.adjustment.replace('`', "'"));
            recommendation(out, r);
        }
    }
    for w in by_rule(&v.withheld) {
        let _ = writeln!(
            out,
            "- Withheld: {} ({})",
            esc(&rules_name(&w)),
            esc(&group_findings(&w))
        );
    }
    for n in by_rule(&v.not_evaluated) {
        let waits = group_waits_for(&n);
        let waits = if waits.is_empty() {
            waits
        } else {
            format!("; {}", esc(&waits))
        };
        let _ = writeln!(
            out,
            "- Not evaluated: {}: {}{waits}",
            esc(&rules_name(&n)),
            markdown_with_code(n[0].reason.as_deref().unwrap_or_default()),
        );
    }
    let groups = check_groups(v, verbose);
    if !groups.is_empty() {
        let _ = writeln!(out, "\n### Checks\n");
    }
    for g in groups {
        let head = format!(
            "**{}** ({})",
            outcome_word(g.outcome),
            outcome_meaning(g.outcome)
        );
        if g.outcome == Outcome::NotApplicable && g.lines.iter().all(|l| l.detail.is_empty()) {
            let names: Vec<String> = g.lines.iter().map(|l| esc(&l.name)).collect();
            let _ = writeln!(out, "- {head}: {}", names.join(", "));
            continue;
        }
        let _ = writeln!(out, "- {head}:");
        for line in g.lines {
            let detail = if line.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", esc(&line.detail))
            };
            let _ = writeln!(out, "  - {}{detail}", esc(&line.name));
        }
    }
    out.push('\n');
}

/// The rules behind a recommendation, each named once.
fn recommendation(out: &mut String, r: &RecommendationReport) {
    for same in by_rule(&r.because) {
        let b = same[0];
        if same.len() == 1 {
            let _ = writeln!(
                out,
                "    - because {}: {}",
                esc(&rule_name(b)),
                esc(&because(b))
            );
            continue;
        }
        let title = b
            .title
            .as_deref()
            .map(|t| format!(" “{t}”"))
            .unwrap_or_default();
        let _ = writeln!(out, "    - because {}:", esc(&format!("{}{title}", b.rule)));
        for one in same {
            let _ = writeln!(
                out,
                "      - {}: {}",
                esc(&binding(&one.binding)),
                esc(&because(one))
            );
        }
    }
}
