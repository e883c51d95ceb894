//! Practice mode in words (`sot practice`, and JSON for the workbench's page): what an
//! examination revealed, the next examination a hint names, and an answer's score item by
//! item with the protocol's reasons (`sot why`'s answers, rendered by the same code). A
//! missed red flag is the first and loudest line of a score.

use std::fmt::Write as _;

use serde::Serialize;
use sot_runtime::practice::{
    Changed, Examined, HintReport, Revealed, Score, ScoreItem, Subject, Verdict,
};

use crate::run::words::findings_text;
use crate::why::answer_lines;

/// What each examination revealed, one line each.
pub fn examined_text(examined: &[Examined]) -> String {
    let mut out = String::new();
    for e in examined {
        let again = if e.again { " (examined before)" } else { "" };
        let _ = writeln!(out, "{}: {}{again}", e.finding, revealed(&e.revealed));
    }
    out
}

/// A revealed value in words.
pub fn revealed(r: &Revealed) -> String {
    match r {
        Revealed::Value {
            value,
            from_history: false,
        } => value.clone(),
        Revealed::Value {
            value,
            from_history: true,
        } => format!("{value} (from the case's history)"),
        Revealed::Untestable { reason: Some(r) } => format!("untestable (“{r}”)"),
        Revealed::Untestable { reason: None } => "untestable".into(),
        Revealed::NotRecorded => "not recorded in this case".into(),
    }
}

/// The hint: the most informative next examination and what its value can change, or that
/// nothing left can change the outcome.
pub fn hint_text(report: &HintReport) -> String {
    let mut out = String::new();
    match report.best() {
        None if report.together.is_empty() => {
            let _ = writeln!(
                out,
                "Hint: nothing left can change the outcome; commit your answer."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Hint: no finding left changes the outcome on its own, but it is still undecided: examine these together: {}.",
                report.together.join(", ")
            );
        }
        Some(best) => {
            let _ = writeln!(
                out,
                "Hint: examine {} next: its value can change {}.",
                best.finding,
                changes(&best.changes)
            );
            let others: Vec<&str> = report
                .ranked
                .iter()
                .skip(1)
                .take(3)
                .map(|h| h.finding.as_str())
                .collect();
            if !others.is_empty() {
                let _ = writeln!(out, "  Then: {}.", others.join(", "));
            }
        }
    }
    if !report.approximate.is_empty() {
        let _ = writeln!(
            out,
            "  (Only the values at the protocol's thresholds were tried for {}, which the protocol also compares with other findings or computes with: the ranking may miss a value that matters.)",
            report.approximate.join(", ")
        );
    }
    out
}

/// `the category, red flag cauda_equina and 2 rule decisions`.
fn changes(changes: &[Changed]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if changes.contains(&Changed::Category) {
        parts.push("the category".into());
    }
    for c in changes {
        if let Changed::RedFlag { name } = c {
            parts.push(format!("red flag {name}"));
        }
    }
    let rules: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Changed::Rule { name, binding } if binding.is_empty() => Some(name.clone()),
            Changed::Rule { name, binding } => Some(format!("{name} [{}]", binding.join(", "))),
            _ => None,
        })
        .collect();
    match rules.as_slice() {
        [] => {}
        [one] => parts.push(format!("rule {one}")),
        more if more.len() <= 3 => parts.push(format!("rules {}", more.join(", "))),
        more => parts.push(format!("{} rule decisions", more.len())),
    }
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}

/// An answer's score: every item (a missed red flag first, in capitals), each with the
/// protocol's reasons, then the findings examined that the decision did not need and the
/// ones it needed that were not examined, then the tally.
pub fn score_text(score: &Score) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Score of the answer for case {}, visit {}",
        score.case, score.visit
    );
    for item in &score.items {
        let _ = writeln!(out, "\n{}", heading(item));
        let mut lines = Vec::new();
        for answer in &item.why {
            answer_lines(answer, &mut lines);
        }
        for l in lines {
            let _ = writeln!(out, "{}{}", "  ".repeat(l.depth + 2), l.text);
        }
    }
    if !score.not_needed.is_empty() {
        let _ = writeln!(
            out,
            "\nExamined, but the protocol's decision did not need them: {}",
            findings_text(&score.not_needed)
        );
    }
    if !score.not_examined.is_empty() {
        let _ = writeln!(
            out,
            "\nThe protocol's decision needed these, not examined: {}",
            findings_text(&score.not_examined)
        );
    }
    let undecided = score.items.len() - score.scored;
    let not_scored = match undecided {
        0 => String::new(),
        n => format!(" ({n} not scored: the case does not record what decides them)"),
    };
    let _ = writeln!(
        out,
        "\n{} of {} correct{not_scored}.",
        score.correct, score.scored
    );
    if score.missed_red_flag {
        let _ = writeln!(
            out,
            "A red flag was missed: the protocol refers this visit and recommends no adjustment."
        );
    }
    out
}

/// An item's first line: the verdict, the item, what the protocol decides and the answer.
fn heading(item: &ScoreItem) -> String {
    let ScoreItem {
        item: name,
        protocol,
        answered,
        ..
    } = item;
    match (item.subject, item.verdict) {
        (Subject::RedFlag, Verdict::Missed) => format!(
            "MISSED RED FLAG {name} — the protocol refers this visit (“{protocol}”); the answer did not refer"
        ),
        (Subject::RedFlag, Verdict::Correct) => format!(
            "correct: red flag {name} — the protocol refers (“{protocol}”), as the answer does"
        ),
        (Subject::RedFlag, Verdict::Undecided) => format!(
            "not scored: red flag {name} is not ruled out by what the case records (answer: {answered})"
        ),
        (Subject::RedFlag, _) => {
            "wrong: the answer refers, but the protocol raises no red flag".to_string()
        }
        (Subject::Category, Verdict::Correct) => format!("correct: category {protocol}"),
        (Subject::Category, Verdict::Undecided) => format!(
            "not scored: category — the protocol cannot choose ({protocol}); answer: {answered}"
        ),
        (Subject::Category, _) => {
            format!("wrong: category — the protocol's is {protocol}; the answer: {answered}")
        }
        (Subject::Adjustment, Verdict::Correct) => {
            format!("correct: {name} — the protocol recommends it")
        }
        (Subject::Adjustment, Verdict::Missed) => {
            format!("missed: {name} — the protocol recommends it; the answer did not give it")
        }
        (Subject::Adjustment, Verdict::Undecided) => format!(
            "not scored: {name} — the case does not record what decides whether the protocol recommends it"
        ),
        (Subject::Adjustment, _) => {
            format!("not recommended: {name} — the answer gives it; the protocol does not recommend it")
        }
        (Subject::Check, Verdict::Correct) => format!("correct: check {name} {protocol}"),
        (Subject::Check, Verdict::Undecided) => format!(
            "not scored: check {name} — the case does not record what decides it (answer: {answered})"
        ),
        (Subject::Check, _) => {
            format!("wrong: check {name} — the protocol finds {protocol}; the answer: {answered}")
        }
    }
}

/// Any practice value (an examination, a hint, a score) as pretty JSON, for the
/// workbench's page.
pub fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// An answer's score as HTML for the workbench's practice page: the same items, headings and
/// reasons as [`score_text`] (a missed red flag first, in a red box), every value escaped by
/// maud.
pub fn score_html(score: &Score) -> String {
    use maud::html;
    let undecided = score.items.len() - score.scored;
    html! {
        section.score {
            h2 { "Score: " (score.correct) " of " (score.scored) " correct"
                @if undecided > 0 { " (" (undecided) " not scored: the case does not record what decides them)" } }
            @if score.missed_red_flag {
                p.flag { span.head { "A red flag was missed: the protocol refers this visit and recommends no adjustment." } }
            }
            @for item in &score.items {
                @let missed_flag = item.subject == Subject::RedFlag && item.verdict == Verdict::Missed;
                div class={ "item " (verdict_class(item.verdict)) @if missed_flag { " flag" } } {
                    p.head { (heading(item)) }
                    @let lines = {
                        let mut lines = Vec::new();
                        for answer in &item.why { answer_lines(answer, &mut lines); }
                        lines
                    };
                    @if !lines.is_empty() {
                        ul.why { @for l in &lines { li style={ "margin-left:" (l.depth) "rem" } { (l.text) } } }
                    }
                }
            }
            @if !score.not_needed.is_empty() {
                p { "Examined, but the protocol's decision did not need them: " (findings_text(&score.not_needed)) }
            }
            @if !score.not_examined.is_empty() {
                p { "The protocol's decision needed these, not examined: " (findings_text(&score.not_examined)) }
            }
        }
    }
    .into_string()
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Correct => "correct",
        Verdict::Missed => "missed",
        Verdict::Wrong => "wrong",
        Verdict::NotRecommended => "not-recommended",
        Verdict::Undecided => "undecided",
    }
}
