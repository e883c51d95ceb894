//! `sot run`'s reports of evaluated cases: text (for a terminal), Markdown, self-contained
//! HTML, and JSON (the serde form of [`CaseReport`]). Wording: "the protocol recommends",
//! never a diagnosis.

use std::fmt::Write as _;

use sot_runtime::explain::{
    CaseReport, FindingValue, RedFlagReport, RuleReport, Unknown, VisitReport,
};

use crate::escape::{html_escape, markdown_escape};
use crate::page::page;

/// A finding's name as an expression reads it (`previous.x`, `after.x`, `x`).
fn finding_name(f: &FindingValue) -> String {
    let phase = f.phase.map(|p| format!("{p}.")).unwrap_or_default();
    format!("{phase}{}", f.finding)
}

/// `(“reason”)` of an untestable finding, ` (history)` of one from the case's history.
fn untestable_note(f: &FindingValue) -> String {
    match (&f.reason, f.from_history) {
        (Some(r), true) => format!(" (“{r}”; history)"),
        (Some(r), false) => format!(" (“{r}”)"),
        (None, true) => " (history)".into(),
        (None, false) => String::new(),
    }
}

fn findings_text(findings: &[FindingValue]) -> String {
    findings
        .iter()
        .map(|f| {
            let name = finding_name(f);
            match (&f.value, f.unknown) {
                (Some(v), _) if f.from_history => format!("{name} = {v} (history)"),
                (Some(v), _) => format!("{name} = {v}"),
                (None, Some(Unknown::Untestable)) => {
                    format!("{name} untestable{}", untestable_note(f))
                }
                (None, Some(Unknown::NoPreviousVisit)) => format!("{name}: no previous visit"),
                (None, Some(Unknown::NotExaminedPreviously)) => {
                    format!("{name} not examined at the previous visit")
                }
                (None, None) if f.history_only => {
                    format!("{name} not examined — a check does not read the history")
                }
                (None, None) => format!("{name} not examined"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What would decide an unknown value, in groups: the findings to examine now, the
/// untestable ones (with their reasons; never asked for), and those of the previous visit
/// (which cannot be examined now). `to_examine` and `not_examinable` are the report's two
/// lists.
fn undecided_text(to_examine: &[FindingValue], not_examinable: &[FindingValue]) -> String {
    let group = |pick: &dyn Fn(&FindingValue) -> bool, show: &dyn Fn(&FindingValue) -> String| {
        to_examine
            .iter()
            .chain(not_examinable)
            .filter(|f| pick(f))
            .map(show)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    let examine = group(&FindingValue::to_examine, &finding_name);
    if !examine.is_empty() {
        parts.push(format!("examine {examine}"));
    }
    let untestable = group(&|f| f.unknown == Some(Unknown::Untestable), &|f| {
        format!("{}{}", finding_name(f), untestable_note(f))
    });
    if !untestable.is_empty() {
        parts.push(format!("untestable: {untestable}"));
    }
    let first = group(
        &|f| f.unknown == Some(Unknown::NoPreviousVisit),
        &finding_name,
    );
    if !first.is_empty() {
        parts.push(format!("no previous visit for {first}"));
    }
    let past = group(
        &|f| f.unknown == Some(Unknown::NotExaminedPreviously),
        &finding_name,
    );
    if !past.is_empty() {
        parts.push(format!("not examined at the previous visit: {past}"));
    }
    parts.join("; ")
}

/// "; examine a, b" for a rule not evaluated, or nothing when no finding would decide it.
fn examine(r: &RuleReport) -> String {
    if r.findings.is_empty() && r.not_examinable.is_empty() {
        String::new()
    } else {
        format!("; {}", undecided_text(&r.findings, &r.not_examinable))
    }
}

fn rule_name(r: &RuleReport) -> String {
    let binding = if r.binding.is_empty() {
        String::new()
    } else {
        format!(" [{}]", r.binding.join(", "))
    };
    let title = r
        .title
        .as_deref()
        .map(|t| format!(" “{t}”"))
        .unwrap_or_default();
    format!("{}{binding}{title}", r.rule)
}

/// A red flag's name with its urgency in words: `cauda_equina (emergency referral)`.
fn flag_name(f: &RedFlagReport) -> String {
    match f.urgency {
        Some(u) => format!("{} ({} referral)", f.red_flag, u.word()),
        None => f.red_flag.clone(),
    }
}

/// Why a red flag was raised: its findings, and its category when it is bound to one.
fn flag_because(f: &RedFlagReport) -> String {
    let findings = findings_text(&f.findings);
    match (&f.category, findings.is_empty()) {
        (Some(c), true) => format!("category {c}"),
        (Some(c), false) => format!("category {c}; {findings}"),
        (None, _) => findings,
    }
}

/// Why a rule fired: its findings, its category, and what ruled out its contraindication.
fn because(r: &RuleReport) -> String {
    let mut parts = Vec::new();
    if !r.findings.is_empty() {
        parts.push(findings_text(&r.findings));
    }
    if let Some(c) = &r.category {
        parts.push(format!("category {c}"));
    }
    if !r.ruled_out.is_empty() {
        parts.push(format!(
            "not contraindicated: {}",
            findings_text(&r.ruled_out)
        ));
    }
    parts.join("; ")
}

/// Check lines, with the bindings that share an outcome and have no findings to show merged
/// (`fibers_resolve [area = 1, 2, 4]: not_applicable`). Unless `verbose`, the bindings of a
/// check that are `not_needed` (two or more) are folded into one line that names them
/// (`arm_fossa_turns_negative: not_needed for 5 of 6 bindings (side = left, fossa = upper; …)`);
/// every other outcome keeps its line and its findings.
fn check_lines(v: &VisitReport, verbose: bool) -> Vec<(String, String, String)> {
    let mut lines: Vec<(String, String, String)> = Vec::new();
    let mut merged: Vec<(String, &'static str, Vec<String>)> = Vec::new();
    let foldable = |c: &sot_runtime::explain::CheckReport| {
        !verbose && c.outcome.word() == "not_needed" && !c.binding.is_empty()
    };
    let mut folded: Vec<&str> = Vec::new();
    for c in &v.checks {
        if foldable(c) && !c.findings.is_empty() {
            let same: Vec<&_> = v
                .checks
                .iter()
                .filter(|o| o.check == c.check && foldable(o) && !o.findings.is_empty())
                .collect();
            if same.len() >= 2 {
                if !folded.contains(&c.check.as_str()) {
                    folded.push(&c.check);
                    let total = v.checks.iter().filter(|o| o.check == c.check).count();
                    let names: Vec<String> = same.iter().map(|o| o.binding.join(", ")).collect();
                    lines.push((
                        c.check.clone(),
                        format!("not_needed for {} of {total} bindings", same.len()),
                        names.join("; "),
                    ));
                }
                continue;
            }
        }
        if c.findings.is_empty() && !c.binding.is_empty() {
            let values: Vec<String> = c
                .binding
                .iter()
                .map(|b| b.split(" = ").nth(1).unwrap_or(b).to_string())
                .collect();
            match merged
                .iter_mut()
                .find(|(n, o, _)| *n == c.check && *o == c.outcome.word())
            {
                Some((_, _, bs)) => bs.push(values.join("/")),
                None => merged.push((c.check.clone(), c.outcome.word(), vec![values.join("/")])),
            }
            continue;
        }
        let binding = if c.binding.is_empty() {
            String::new()
        } else {
            format!(" [{}]", c.binding.join(", "))
        };
        lines.push((
            format!("{}{binding}", c.check),
            c.outcome.word().to_string(),
            findings_text(&c.findings),
        ));
    }
    // Checks that did not apply, in one line: they say only that nothing was compared.
    let (not_applicable, applied): (Vec<_>, Vec<_>) = merged
        .into_iter()
        .partition(|(_, o, _)| *o == "not_applicable");
    let mut idle: Vec<String> = lines
        .iter()
        .filter(|(_, o, f)| o == "not_applicable" && f.is_empty())
        .map(|(n, _, _)| n.clone())
        .collect();
    lines.retain(|(_, o, f)| !(o == "not_applicable" && f.is_empty()));
    idle.extend(not_applicable.into_iter().map(|(check, _, _)| check));
    let merged = applied;
    for (check, outcome, bindings) in merged {
        let vars = v
            .checks
            .iter()
            .find(|c| c.check == check)
            .map(|c| {
                c.binding
                    .iter()
                    .map(|b| b.split(" = ").next().unwrap_or(b).to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        lines.push((
            format!("{check} [{vars} = {}]", bindings.join(", ")),
            outcome.to_string(),
            String::new(),
        ));
    }
    if !idle.is_empty() {
        idle.dedup();
        lines.push((idle.join(", "), "not_applicable".into(), String::new()));
    }
    lines
}

fn category_line(v: &VisitReport) -> String {
    let c = &v.category;
    let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
    let mut line = match (c.state, c.categories.first()) {
        ("category", Some(one)) => match &one.title {
            Some(title) => format!("Category {} — {title}", one.name),
            None => format!("Category {}", one.name),
        },
        ("coexisting", _) => {
            let each: Vec<String> = c
                .categories
                .iter()
                .map(|one| match &one.title {
                    Some(title) => format!("Category {} ({title})", one.name),
                    None => format!("Category {}", one.name),
                })
                .collect();
            format!("{}, coexisting", each.join(" and "))
        }
        ("ambiguous", _) => format!("Ambiguous between categories {}", names.join(" and ")),
        _ => "No category".into(),
    };
    if c.provisional {
        let mut parts = Vec::new();
        if !c.missing.is_empty() {
            parts.push(format!("examine {}", c.missing.join(", ")));
        }
        if !c.not_examinable.is_empty() {
            parts.push(undecided_text(&[], &c.not_examinable));
        }
        let _ = write!(line, " (provisional: {})", parts.join("; "));
    }
    line
}

/// The report as plain text (bindings of a check that are `not_needed` folded).
pub fn text(report: &CaseReport) -> String {
    text_with(report, false)
}

/// The report as plain text; `verbose` lists every binding of every check on its own line.
pub fn text_with(report: &CaseReport, verbose: bool) -> String {
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
        let label = v
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(out, "\nVisit {}{label}", v.visit);
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
        // A raised red flag is the first thing a visit says; the category comes after it.
        let _ = writeln!(out, "  {}", category_line(v));
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
                for b in &r.because {
                    let _ = writeln!(out, "        because {}: {}", rule_name(b), because(b));
                }
            }
        }
        for w in &v.withheld {
            let _ = writeln!(
                out,
                "  Withheld: {} — {}",
                rule_name(w),
                findings_text(&w.findings)
            );
        }
        for n in &v.not_evaluated {
            let examine = if n.findings.is_empty() && n.not_examinable.is_empty() {
                String::new()
            } else {
                format!(": {}", undecided_text(&n.findings, &n.not_examinable))
            };
            let reason = n.reason.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  Not evaluated: {} — {reason}{examine}", rule_name(n));
        }
        for (name, outcome, findings) in check_lines(v, verbose) {
            let detail = if findings.is_empty() {
                String::new()
            } else {
                format!(" ({findings})")
            };
            let _ = writeln!(out, "  Check {name}: {outcome}{detail}");
        }
    }
    out
}

/// The report as Markdown (protocol text escaped; bindings that are `not_needed` folded).
pub fn markdown(report: &CaseReport) -> String {
    markdown_with(report, false)
}

/// The report as Markdown; `verbose` lists every binding of every check on its own row.
pub fn markdown_with(report: &CaseReport, verbose: bool) -> String {
    let esc = markdown_escape;
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
    for v in &report.visits {
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
        let _ = writeln!(out, "- **{}**", esc(&category_line(v)));
        if v.refer {
            let _ = writeln!(out, "- The protocol recommends referral and no adjustment.");
        } else if v.recommendations.is_empty() {
            let _ = writeln!(out, "- The protocol recommends no adjustment.");
        } else {
            let _ = writeln!(out, "- The protocol recommends:");
            for r in &v.recommendations {
                let _ = writeln!(out, "  - `{}`", r.adjustment.replace('`', "'"));
                for b in &r.because {
                    let _ = writeln!(
                        out,
                        "    - because {}: {}",
                        esc(&rule_name(b)),
                        esc(&because(b))
                    );
                }
            }
        }
        for w in &v.withheld {
            let _ = writeln!(
                out,
                "- Withheld: {} ({})",
                esc(&rule_name(w)),
                esc(&findings_text(&w.findings))
            );
        }
        for n in &v.not_evaluated {
            let _ = writeln!(
                out,
                "- Not evaluated: {}: {}{}",
                esc(&rule_name(n)),
                esc(n.reason.as_deref().unwrap_or_default()),
                esc(&examine(n))
            );
        }
        if !v.checks.is_empty() {
            let _ = writeln!(out, "\n| check | outcome | findings |\n| --- | --- | --- |");
            for (name, outcome, findings) in check_lines(v, verbose) {
                let _ = writeln!(out, "| {} | {outcome} | {} |", esc(&name), esc(&findings));
            }
        }
        out.push('\n');
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;margin-top:2rem}\
.category{font-weight:600}.flag{color:#a00;font-weight:600}.muted{color:#666}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}\
code{background:#f4f4f4;padding:0 .2rem}";

/// Cases as one self-contained HTML page (no external assets; all protocol text escaped;
/// bindings that are `not_needed` folded).
pub fn html(reports: &[CaseReport]) -> String {
    html_with(reports, false)
}

/// Cases as one HTML page; `verbose` lists every binding of every check on its own row.
pub fn html_with(reports: &[CaseReport], verbose: bool) -> String {
    let page_title = match reports {
        [one] => case_title(one),
        _ => reports
            .first()
            .and_then(|r| r.protocol.clone())
            .unwrap_or_else(|| "Cases".into()),
    };
    let mut body = String::new();
    for report in reports {
        html_case(&mut body, report, verbose);
    }
    page(&page_title, STYLE, &body)
}

/// Cases as one JSON document: `{"cases": [...]}`, each case the serde form of its report.
pub fn json(reports: &[CaseReport]) -> String {
    let json = serde_json::json!({ "cases": reports });
    serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn case_title(report: &CaseReport) -> String {
    format!(
        "Case {}{}",
        report.case,
        report
            .title
            .as_deref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default()
    )
}

fn html_case(out: &mut String, report: &CaseReport, verbose: bool) {
    let e = html_escape;
    let _ = writeln!(
        out,
        "<article class=\"case\"><h1>{}</h1>",
        e(&case_title(report))
    );
    if let Some(p) = &report.protocol {
        let _ = writeln!(out, "<p class=\"muted\">Protocol: {}</p>", e(p));
    }
    for v in &report.visits {
        let label = v
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<section class=\"visit\"><h2>Visit {}{}</h2>",
            v.visit,
            e(&label)
        );
        for f in &v.red_flags {
            let _ = writeln!(
                out,
                "<p class=\"flag\">Red flag {}: {} <span class=\"muted\">(because {})</span></p>",
                e(&flag_name(f)),
                e(&f.refer),
                e(&flag_because(f))
            );
        }
        for f in &v.not_ruled_out {
            let _ = writeln!(
                out,
                "<p>Red flag {} not ruled out: {}</p>",
                e(&flag_name(f)),
                e(&undecided_text(&f.findings, &f.not_examinable))
            );
        }
        let _ = writeln!(out, "<p class=\"category\">{}</p>", e(&category_line(v)));
        if v.refer {
            let _ = writeln!(
                out,
                "<p>The protocol recommends referral and no adjustment.</p>"
            );
        } else if v.recommendations.is_empty() {
            let _ = writeln!(out, "<p>The protocol recommends no adjustment.</p>");
        } else {
            let _ = writeln!(out, "<p>The protocol recommends:</p><ul>");
            for r in &v.recommendations {
                let _ = write!(out, "<li><code>{}</code><ul>", e(&r.adjustment));
                for b in &r.because {
                    let _ = write!(
                        out,
                        "<li>because {}: {}</li>",
                        e(&rule_name(b)),
                        e(&because(b))
                    );
                }
                let _ = writeln!(out, "</ul></li>");
            }
            let _ = writeln!(out, "</ul>");
        }
        for w in &v.withheld {
            let _ = writeln!(
                out,
                "<p>Withheld: {} <span class=\"muted\">({})</span></p>",
                e(&rule_name(w)),
                e(&findings_text(&w.findings))
            );
        }
        for n in &v.not_evaluated {
            let _ = writeln!(
                out,
                "<p>Not evaluated: {}: {}{}</p>",
                e(&rule_name(n)),
                e(n.reason.as_deref().unwrap_or_default()),
                e(&examine(n))
            );
        }
        if !v.checks.is_empty() {
            let _ = writeln!(
                out,
                "<table><tr><th>check</th><th>outcome</th><th>findings</th></tr>"
            );
            for (name, outcome, findings) in check_lines(v, verbose) {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{outcome}</td><td>{}</td></tr>",
                    e(&name),
                    e(&findings)
                );
            }
            let _ = writeln!(out, "</table>");
        }
        let _ = writeln!(out, "</section>");
    }
    let _ = writeln!(out, "</article>");
}
