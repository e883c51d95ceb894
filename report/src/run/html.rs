//! Case reports as one HTML page a student can print: a table of contents, then per case a
//! summary table (visit, category, referral, recommendations) and each visit, its raised red
//! flags first. Titles are shown where the protocol gives them, code names in small type;
//! every value goes through maud, which escapes it.

use maud::{html, Markup};

use sot_runtime::explain::{
    CaseReport, RecommendationReport, RedFlagReport, RuleReport, VisitReport,
};
use sot_runtime::visit::Outcome;

use super::checks::{check_groups, outcome_meaning, outcome_word, CheckLine};
use super::summary;
use super::words::{
    because, binding, bindings, by_rule, category_headline, category_open, flag_because,
    group_findings, group_waits_for, undecided_text, urgency,
};
use crate::escape::{code_spans, Piece};
use crate::page::{Frame, Page};

/// The report page's own style (after the page's base style).
pub(super) const STYLE: &str = "\
.flag{border:2px solid #a00;background:#fff4f4;border-radius:4px;padding:.4rem .8rem;margin:.6rem 0}\
.flag .head{color:#a00;font-weight:700;margin:.2rem 0}.flag p{margin:.3rem 0}\
.open{border-left:3px solid #c80;padding-left:.7rem;margin:.6rem 0}.open h4{margin-top:.2rem}\
.category{font-weight:600;margin:.6rem 0 .2rem}.refer{color:#a00;font-weight:700}\
.outcome{margin:.5rem 0 .1rem}.visit{margin-top:1.4rem}.visit h3{border-bottom:1px dotted #bbb}\
table.summary td:nth-child(4) code{display:inline-block;margin:.05rem 0}\
@media (min-width:50rem){ul.names{columns:2;column-gap:2rem}}\
@media print{.flag{background:none}.visit{break-before:auto}}";

/// The cases' articles alone, for a page that already has its frame (a server's live report).
pub(super) fn fragment(reports: &[CaseReport], verbose: bool) -> String {
    html! { @for (i, r) in reports.iter().enumerate() { (case(r, i, verbose)) } }.into_string()
}

/// Cases as one page; `verbose` lists every binding of every check on its own line.
pub(super) fn html(reports: &[CaseReport], verbose: bool, frame: &Frame) -> String {
    let title = match reports {
        [one] => case_title(one),
        _ => reports
            .first()
            .and_then(|r| r.protocol.clone())
            .unwrap_or_else(|| "Cases".into()),
    };
    let heading = reports
        .first()
        .and_then(|r| r.protocol.clone())
        .unwrap_or_else(|| "Case report".into());
    let header = html! {
        h1 { (heading) }
        p.muted { "What the protocol recommends for each visit of "
            @if reports.len() == 1 { "this case" } @else { (reports.len()) " cases" }
            ", and why. It does not diagnose." }
    };
    let nav = html! {
        nav.toc aria-label="Contents" {
            h2 { "Contents" }
            ol {
                @for (i, r) in reports.iter().enumerate() {
                    li {
                        a href={ "#" (case_id(i)) } { (case_title(r)) }
                        ol {
                            @for v in &r.visits {
                                li {
                                    a href={ "#" (visit_id(i, v)) } { (visit_title(v)) }
                                    @if v.refer { " — " span.refer { "refer" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        @for (i, r) in reports.iter().enumerate() { (case(r, i, verbose)) }
    };
    Page {
        title: &title,
        style: STYLE,
        header,
        nav: Some(nav),
        body,
    }
    .render_in(frame)
}

fn case_title(report: &CaseReport) -> String {
    match &report.title {
        Some(t) => format!("Case {} — {t}", report.case),
        None => format!("Case {}", report.case),
    }
}

fn case_id(i: usize) -> String {
    format!("case-{}", i + 1)
}

fn visit_id(i: usize, v: &VisitReport) -> String {
    format!("case-{}-visit-{}", i + 1, v.visit)
}

fn visit_title(v: &VisitReport) -> String {
    match &v.label {
        Some(l) => format!("Visit {} ({l})", v.visit),
        None => format!("Visit {}", v.visit),
    }
}

/// Text whose pairs of backticks are code.
fn with_code(text: &str) -> Markup {
    html! {
        @for piece in code_spans(text) {
            @match piece {
                Piece::Text(t) => (t),
                Piece::Code(c) => code { (c) },
            }
        }
    }
}

/// A name shown by its title when it has one, the code name after it in small type.
fn titled(title: Option<&str>, name: &str) -> Markup {
    html! {
        @if let Some(t) = title { (t) " " code.id { (name) } } @else { code { (name) } }
    }
}

fn case(r: &CaseReport, i: usize, verbose: bool) -> Markup {
    html! {
        article.case {
            h2 id=(case_id(i)) { (case_title(r)) }
            @if let Some(p) = &r.protocol { p.muted { "Protocol: " (p) } }
            h3 { "Summary" }
            table.summary.stack {
                thead { tr { th { "Visit" } th { "Category" } th { "Referral" } th { "The protocol recommends" } } }
                tbody {
                    @for (v, row) in r.visits.iter().zip(summary(r)) {
                        tr {
                            td { a href={ "#" (visit_id(i, v)) } { (row.visit) } }
                            td data-label="Category" { (row.category) }
                            td data-label="Referral" {
                                @if v.refer { span.refer { (row.referral) } } @else { (row.referral) }
                            }
                            td data-label="Recommends" {
                                @for (k, rec) in row.recommendations.iter().enumerate() {
                                    @if k > 0 { br; }
                                    @if v.refer || v.recommendations.is_empty() { (rec) } @else { code { (rec) } }
                                }
                            }
                        }
                    }
                }
            }
            @for v in &r.visits { (visit(v, i, verbose)) }
        }
    }
}

fn visit(v: &VisitReport, i: usize, verbose: bool) -> Markup {
    html! {
        section.visit id=(visit_id(i, v)) {
            h3 { (visit_title(v)) }
            @for f in &v.red_flags { (raised(f)) }
            @if !v.not_ruled_out.is_empty() {
                div.open {
                    h4 { "Red flags not ruled out" }
                    ul { @for f in &v.not_ruled_out {
                        li { (titled(f.title.as_deref(), &f.red_flag)) " (" (urgency(f)) "): "
                             (undecided_text(&f.findings, &f.not_examinable)) }
                    } }
                }
            }
            p.category { (category_headline(&v.category)) }
            @let open = category_open(&v.category);
            @if !open.is_empty() { ul { @for line in open { li { (line) } } } }
            h4 { "The protocol recommends" }
            @if v.refer {
                p.refer { "Referral and no adjustment; the rules are suspended." }
            } @else if v.recommendations.is_empty() {
                p { "No adjustment." }
            } @else {
                ul { @for r in &v.recommendations { (recommendation(r)) } }
            }
            @if !v.withheld.is_empty() {
                h4 { "Withheld (a contraindication holds)" }
                ul { @for w in by_rule(&v.withheld) { li { (rules(&w)) ": " (group_findings(&w)) } } }
            }
            @if !v.not_evaluated.is_empty() {
                h4 { "Not evaluated" }
                ul { @for n in by_rule(&v.not_evaluated) { (not_evaluated(&n)) } }
            }
            (checks(v, verbose))
        }
    }
}

fn raised(f: &RedFlagReport) -> Markup {
    html! {
        div.flag role="alert" {
            p.head { "Red flag: " (titled(f.title.as_deref(), &f.red_flag))
                @if f.urgency.is_some() { " — " (urgency(f)) } }
            p { (with_code(&f.refer)) }
            p.muted { "Because " (flag_because(f)) "." }
        }
    }
}

fn rule(r: &RuleReport) -> Markup {
    let b = binding(&r.binding);
    html! { (titled(r.title.as_deref(), &r.rule)) @if !b.is_empty() { " " (b) } }
}

/// A rule named once for all its bindings in `group`.
fn rules(group: &[&RuleReport]) -> Markup {
    match group {
        [first, _, ..] => {
            let all: Vec<&[String]> = group.iter().map(|r| r.binding.as_slice()).collect();
            html! { (titled(first.title.as_deref(), &first.rule)) " " (bindings(&all)) }
        }
        [one] => rule(one),
        [] => html! {},
    }
}

/// A recommendation and the rules behind it, each rule named once (its bindings under it).
fn recommendation(r: &RecommendationReport) -> Markup {
    let rules: Vec<(&RuleReport, Vec<&RuleReport>)> =
        by_rule(&r.because).into_iter().map(|g| (g[0], g)).collect();
    html! {
        li {
            code { (r.adjustment) }
            ul { @for (first, all) in &rules {
                @if let [one] = all.as_slice() {
                    li { "because " (rule(one)) ": " (because(one)) }
                } @else {
                    li { "because " (titled(first.title.as_deref(), &first.rule)) ":"
                        ul { @for one in all { li { (binding(&one.binding)) ": " (because(one)) } } }
                    }
                }
            } }
        }
    }
}

fn not_evaluated(n: &[&RuleReport]) -> Markup {
    let waits = group_waits_for(n);
    let reason = n
        .first()
        .and_then(|r| r.reason.as_deref())
        .unwrap_or_default();
    html! {
        li {
            (rules(n)) " — " (with_code(reason))
            @if !waits.is_empty() { ": " (waits) }
        }
    }
}

fn check_line(line: &CheckLine) -> Markup {
    html! {
        (titled(line.title.as_deref(), &line.name))
        @if !line.detail.is_empty() { ": " span.muted { (line.detail) } }
    }
}

fn checks(v: &VisitReport, verbose: bool) -> Markup {
    let groups = check_groups(v, verbose);
    html! {
        @if !groups.is_empty() {
            h4 { "Checks" }
            @for g in &groups {
                p.outcome { strong { (outcome_word(g.outcome)) } " " span.muted { "(" (outcome_meaning(g.outcome)) ")" } }
                @if g.outcome == Outcome::NotApplicable && g.lines.iter().all(|l| l.detail.is_empty()) {
                    ul.names { @for line in &g.lines { li { (titled(line.title.as_deref(), &line.name)) } } }
                } @else {
                    ul { @for line in &g.lines { li { (check_line(line)) } } }
                }
            }
        }
    }
}
