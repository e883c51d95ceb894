//! `sot run`'s reports of evaluated cases: text (for a terminal), Markdown, self-contained
//! HTML, and JSON (the serde form of [`CaseReport`]). Every form says a visit's raised red
//! flags first, most urgent first, then its category, recommendations, rules withheld and
//! not evaluated, then its checks grouped by outcome. Wording: "the protocol recommends",
//! never a diagnosis.

mod checks;
mod html;
mod markdown;
mod text;
pub(crate) mod words;

use sot_runtime::explain::CaseReport;

use crate::page::Frame;

/// The report as plain text (bindings of a check that share an outcome folded).
pub fn text(report: &CaseReport) -> String {
    text::text(report, false)
}

/// The report as plain text; `verbose` lists every binding of every check on its own line.
pub fn text_with(report: &CaseReport, verbose: bool) -> String {
    text::text(report, verbose)
}

/// The report as Markdown (protocol text escaped; bindings that share an outcome folded).
pub fn markdown(report: &CaseReport) -> String {
    markdown::markdown(report, false)
}

/// The report as Markdown; `verbose` lists every binding of every check on its own line.
pub fn markdown_with(report: &CaseReport, verbose: bool) -> String {
    markdown::markdown(report, verbose)
}

/// Cases as one self-contained HTML page (no external assets or scripts; all protocol text
/// escaped; bindings that share an outcome folded).
pub fn html(reports: &[CaseReport]) -> String {
    html::html(reports, false, &Frame::default())
}

/// Cases as one HTML page; `verbose` lists every binding of every check on its own line.
pub fn html_with(reports: &[CaseReport], verbose: bool) -> String {
    html::html(reports, verbose, &Frame::default())
}

/// Cases as one HTML page in a server's `frame` (its bar and scripts).
pub fn html_in(reports: &[CaseReport], frame: &Frame) -> String {
    html::html(reports, false, frame)
}

/// The cases as HTML articles without the page around them, for a page of a server that
/// shows a report live; its style is [`HTML_STYLE`].
pub fn html_fragment(reports: &[CaseReport]) -> String {
    html::fragment(reports, false)
}

/// The style sheet of the HTML report (after the page's base style).
pub const HTML_STYLE: &str = html::STYLE;

/// Cases as one JSON document: `{"cases": [...]}`, each case the serde form of its report.
pub fn json(reports: &[CaseReport]) -> String {
    let json = serde_json::json!({ "cases": reports });
    serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One visit in a case's summary.
struct SummaryRow {
    /// `Visit 2 (six weeks later)`.
    visit: String,
    /// `III`, `none (provisional)`.
    category: String,
    /// The raised red flags with their urgency, or `none`.
    referral: String,
    /// The adjustments recommended, or one line saying there are none.
    recommendations: Vec<String>,
}

/// A case's visits in a few words each.
fn summary(report: &CaseReport) -> Vec<SummaryRow> {
    report
        .visits
        .iter()
        .map(|v| SummaryRow {
            visit: match &v.label {
                Some(l) => format!("Visit {} ({l})", v.visit),
                None => format!("Visit {}", v.visit),
            },
            category: words::category_short(&v.category),
            referral: if v.red_flags.is_empty() {
                "none".into()
            } else {
                v.red_flags
                    .iter()
                    .map(|f| {
                        let name = f.title.clone().unwrap_or_else(|| f.red_flag.clone());
                        format!("{name} ({})", words::urgency(f))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            recommendations: if v.refer {
                vec!["no adjustment (referral)".into()]
            } else if v.recommendations.is_empty() {
                vec!["no adjustment".into()]
            } else {
                v.recommendations
                    .iter()
                    .map(|r| r.adjustment.clone())
                    .collect()
            },
        })
        .collect()
}
