//! `sot why`'s answers in words: text (for a terminal), Markdown, and JSON (the serde form
//! of [`CaseWhy`]). Each answer says what the protocol decided and the findings that
//! decided it, with the value each test needed and the value found. Wording: "the protocol
//! recommends", never a diagnosis; a raised red flag comes first in every visit.

use std::fmt::Write as _;

use sot_runtime::condition::{Deciding, Truth};
use sot_runtime::explain::{FindingValue, NamedCategory, Unknown};
use sot_runtime::visit::Outcome;
use sot_runtime::why::{
    AdjustmentWhy, Answer, CaseWhy, CategoryOutcome, CategoryWhy, CheckWhy, FlagOutcome,
    NotApplicable, RedFlagWhy, RuleOutcome, RuleWhy, UndecidedPart,
};

use crate::escape::markdown_escape;

/// A line of an answer and how deep it is nested under the visit.
pub(crate) struct Line {
    pub(crate) depth: usize,
    pub(crate) text: String,
}

pub(crate) fn line(depth: usize, text: String) -> Line {
    Line { depth, text }
}

/// The answers as plain text.
pub fn text(report: &CaseWhy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", case_heading(report));
    if let Some(p) = &report.protocol {
        let _ = writeln!(out, "Protocol: {p}");
    }
    let _ = writeln!(out, "Why: {}", report.item);
    for (heading, lines) in visits(report) {
        let _ = writeln!(out, "\n{heading}");
        for l in lines {
            let _ = writeln!(out, "{}{}", "  ".repeat(l.depth + 1), l.text);
        }
    }
    out
}

/// The answers as Markdown (protocol text escaped).
pub fn markdown(report: &CaseWhy) -> String {
    let esc = markdown_escape;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", esc(&case_heading(report)));
    if let Some(p) = &report.protocol {
        let _ = writeln!(out, "Protocol: {}\n", esc(p));
    }
    let _ = writeln!(out, "Why: `{}`\n", report.item.replace('`', "'"));
    for (heading, lines) in visits(report) {
        let _ = writeln!(out, "## {}\n", esc(&heading));
        for l in lines {
            let _ = writeln!(out, "{}- {}", "  ".repeat(l.depth), esc(&l.text));
        }
        out.push('\n');
    }
    out
}

/// Cases' answers as one JSON document: `{"cases": [...]}`.
pub fn json(reports: &[CaseWhy]) -> String {
    let json = serde_json::json!({ "cases": reports });
    serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn case_heading(report: &CaseWhy) -> String {
    match &report.title {
        Some(t) => format!("Case {} — {t}", report.case),
        None => format!("Case {}", report.case),
    }
}

/// Each visit's heading and lines: the red flags raised first, then each answer.
fn visits(report: &CaseWhy) -> Vec<(String, Vec<Line>)> {
    report
        .visits
        .iter()
        .map(|v| {
            let heading = match &v.label {
                Some(l) => format!("Visit {} ({l})", v.visit),
                None => format!("Visit {}", v.visit),
            };
            let mut lines = Vec::new();
            for f in &v.red_flags {
                let urgency = f
                    .urgency
                    .map(|u| format!(" ({} referral)", u.word()))
                    .unwrap_or_default();
                lines.push(line(
                    0,
                    format!("RED FLAG {}{urgency}: {}", f.red_flag, f.refer),
                ));
            }
            for answer in &v.answers {
                answer_lines(answer, &mut lines);
            }
            (heading, lines)
        })
        .collect()
}

/// The lines of one answer, at depth 0 and below.
pub(crate) fn answer_lines(answer: &Answer, lines: &mut Vec<Line>) {
    match answer {
        Answer::Rule {
            rule,
            title,
            bindings,
        } => {
            lines.push(line(0, format!("Rule {}", titled(rule, title.as_deref()))));
            let each = fold(bindings.iter().map(|b| (b.binding.clone(), rule_line(b))));
            lines.extend(under_heading(each).into_iter().map(|t| line(1, t)));
        }
        Answer::Adjustment(a) => adjustment(a, lines),
        Answer::Category(c) => lines.push(line(0, category(c))),
        Answer::RedFlag(f) => lines.push(line(0, red_flag(f))),
        Answer::Check {
            check,
            title,
            bindings,
        } => {
            let name = titled(check, title.as_deref());
            match bindings.as_slice() {
                [one] if one.binding.is_empty() => {
                    lines.push(line(0, format!("Check {name}: {}", check_line(one))))
                }
                _ => {
                    lines.push(line(0, format!("Check {name}")));
                    let each = fold(bindings.iter().map(|b| (b.binding.clone(), check_line(b))));
                    lines.extend(under_heading(each).into_iter().map(|t| line(1, t)));
                }
            }
        }
    }
}

fn titled(name: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!("{name} “{t}”"),
        None => name.to_string(),
    }
}

/// Bindings with the same answer together: each answer with its bindings shown as
/// `[area = 1, 2, 4]` (one variable) or `[side = left, area = 1; side = right, area = 1]`
/// (several), or nothing without `for`.
fn fold(items: impl Iterator<Item = (Vec<String>, String)>) -> Vec<(String, String)> {
    // Grouped by the answer with the binding's values written as its variables
    // (`area: 3` → `area: area`), so that bindings with the same answer for their own
    // findings share a line that reads like the protocol.
    let mut groups: Vec<(Vec<Vec<String>>, String, String)> = Vec::new();
    for (binding, text) in items {
        let general = generalised(&binding, &text);
        match groups.iter_mut().find(|(_, g, _)| *g == general) {
            Some((bindings, _, _)) => bindings.push(binding),
            None => groups.push((vec![binding], general, text)),
        }
    }
    groups
        .into_iter()
        .map(|(bindings, general, text)| {
            let text = if bindings.len() > 1 { general } else { text };
            let shown = match bindings.as_slice() {
                [] => String::new(),
                [one] if one.is_empty() => String::new(),
                [one] => format!("[{}]", one.join(", ")),
                many if many.iter().all(|b| b.len() == 1) => {
                    let variable = many
                        .first()
                        .and_then(|b| b.first())
                        .and_then(|b| b.split(" = ").next())
                        .unwrap_or_default();
                    let values: Vec<&str> = many
                        .iter()
                        .filter_map(|b| b.first())
                        .map(|b| b.split(" = ").nth(1).unwrap_or(b))
                        .collect();
                    format!("[{variable} = {}]", values.join(", "))
                }
                many => {
                    // `side = left, area = 1, 2; side = right, area = 1`: the last
                    // variable's values listed after the others'.
                    let mut rows: Vec<(String, String, Vec<&str>)> = Vec::new();
                    for b in many {
                        let Some((last, rest)) = b.split_last() else {
                            continue;
                        };
                        let (variable, value) = last.split_once(" = ").unwrap_or((last, ""));
                        let prefix = rest.join(", ");
                        match rows
                            .iter_mut()
                            .find(|(p, v, _)| *p == prefix && v == variable)
                        {
                            Some((_, _, values)) => values.push(value),
                            None => rows.push((prefix, variable.to_string(), vec![value])),
                        }
                    }
                    let rows: Vec<String> = rows
                        .iter()
                        .map(|(prefix, variable, values)| {
                            format!("{prefix}, {variable} = {}", values.join(", "))
                        })
                        .collect();
                    format!("[{}]", rows.join("; "))
                }
            };
            (shown, text)
        })
        .collect()
}

/// `text` with each argument `variable: value` of the binding (`area = 3`) written
/// `variable: variable`, where the argument ends (`,` or `)`).
fn generalised(binding: &[String], text: &str) -> String {
    let mut text = text.to_string();
    for b in binding {
        let Some((variable, value)) = b.split_once(" = ") else {
            continue;
        };
        for end in [",", ")"] {
            text = text.replace(
                &format!("{variable}: {value}{end}"),
                &format!("{variable}: {variable}{end}"),
            );
        }
    }
    text
}

/// `binding answer` lines of folded bindings, under a heading that names the item.
fn under_heading(folded: Vec<(String, String)>) -> Vec<String> {
    folded
        .into_iter()
        .map(|(binding, text)| match binding.is_empty() {
            true => text,
            false => format!("{binding} {text}"),
        })
        .collect()
}

/// Rule bindings folded by answer, grouped by rule: a rule with one answer on one line
/// (`rule [area = 1, 2] “title”: …`), one with several under its name, one line each.
fn named_rules(rules: &[RuleWhy], depth: usize, answer: fn(&RuleWhy) -> String) -> Vec<Line> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for r in rules {
        if seen.contains(&r.rule.as_str()) {
            continue;
        }
        seen.push(&r.rule);
        let same = rules.iter().filter(|o| o.rule == r.rule);
        let answers = fold(same.map(|b| (b.binding.clone(), answer(b))));
        let title = r
            .title
            .as_deref()
            .map(|t| format!(" “{t}”"))
            .unwrap_or_default();
        match answers.as_slice() {
            [(binding, text)] => {
                let binding = if binding.is_empty() {
                    String::new()
                } else {
                    format!(" {binding}")
                };
                out.push(line(depth, format!("{}{binding}{title}: {text}", r.rule)));
            }
            _ => {
                out.push(line(depth, format!("{}{title}:", r.rule)));
                out.extend(
                    under_heading(answers)
                        .into_iter()
                        .map(|t| line(depth + 1, t)),
                );
            }
        }
    }
    out
}

/// A finding's name as an expression reads it (`previous.x`, `after.x`, `x`).
fn finding_name(f: &FindingValue) -> String {
    let phase = f.phase.map(|p| format!("{p}.")).unwrap_or_default();
    format!("{phase}{}", f.finding)
}

/// A finding's value, or why it is unknown.
fn found(f: &FindingValue) -> String {
    let history = if f.from_history { " (history)" } else { "" };
    match (&f.value, f.unknown) {
        (Some(v), _) => format!("{v}{history}"),
        (None, Some(Unknown::Untestable)) => match &f.reason {
            Some(r) => format!("untestable (“{r}”){history}"),
            None => format!("untestable{history}"),
        },
        (None, Some(Unknown::NoPreviousVisit)) => "no previous visit".into(),
        (None, Some(Unknown::NotExaminedPreviously)) => "not examined at the previous visit".into(),
        (None, None) if f.history_only => "not examined (a check does not read the history)".into(),
        (None, None) => "not examined".into(),
    }
}

/// A test with what was found: `x >= 2, found 1`; `x >= 2, not examined`;
/// `x < previous.x, found x = 2, previous.x = 3`.
fn test_phrase(test: &str, findings: &[FindingValue]) -> String {
    match findings {
        [] => test.to_string(),
        [one] if one.value.is_some() => format!("{test}, found {}", found(one)),
        [one] => format!("{test}, {}", found(one)),
        many => {
            let each: Vec<String> = many
                .iter()
                .map(|f| match f.value {
                    Some(_) => format!("{} = {}", finding_name(f), found(f)),
                    None => format!("{} {}", finding_name(f), found(f)),
                })
                .collect();
            format!("{test}, found {}", each.join(", "))
        }
    }
}

/// What decided a condition, in words (the caller says whether it held or was needed).
fn phrase(d: &Deciding) -> String {
    // A compound part in parentheses, unless one of its own parts decided it alone.
    let join = |parts: &[Deciding], sep: &str| {
        parts
            .iter()
            .map(|p| match p {
                Deciding::All { parts, .. } | Deciding::Any { parts, .. } if parts.len() > 1 => {
                    format!("({})", phrase(p))
                }
                Deciding::AtLeast { .. } => format!("({})", phrase(p)),
                _ => phrase(p),
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    match d {
        Deciding::Test { test, findings, .. } => test_phrase(test, findings),
        // One part decided it: that part alone, without parentheses.
        Deciding::All { parts, .. } | Deciding::Any { parts, .. } if parts.len() == 1 => {
            parts.iter().map(phrase).collect()
        }
        Deciding::All { parts, .. } => join(parts, "; and "),
        // Several disjuncts held: each would have been enough.
        Deciding::Any {
            truth: Truth::True,
            parts,
            ..
        } => format!("any of: {}", join(parts, "; ")),
        Deciding::Any { parts, .. } => join(parts, "; or "),
        Deciding::AtLeast {
            truth,
            needed,
            held,
            of,
            parts,
        } => {
            let parts = join(parts, "; ");
            match truth {
                Truth::True => format!("{held} of {of} hold (at least {needed} needed): {parts}"),
                Truth::False => {
                    format!("at least {needed} of {of}, found {held}; not holding: {parts}")
                }
                Truth::Unknown => {
                    format!("at least {needed} of {of}, {held} hold so far; undecided: {parts}")
                }
            }
        }
        Deciding::Not { part, .. } => format!("not ({})", phrase(part)),
    }
}

/// "needs …" of a condition that did not hold, or what would decide an unknown one.
fn needs(d: &Deciding) -> String {
    match d.truth() {
        Truth::Unknown => format!("undecided: {}", phrase(d)),
        _ => format!("needs {}", phrase(d)),
    }
}

fn categories(names: &[String]) -> String {
    match names {
        [] => "this visit has no category".into(),
        [one] => format!("this visit's category is {one}"),
        many => format!("this visit's categories are {}", many.join(" and ")),
    }
}

/// Why a rule fired: what made its `when` true, and what ruled out its `unless`.
fn fired_because(r: &RuleWhy) -> String {
    let mut parts: Vec<String> = r.when.iter().map(phrase).collect();
    if let Some(c) = &r.category {
        parts.push(format!("category {c}"));
    }
    if let Some(u) = &r.unless {
        parts.push(format!("not contraindicated: {}", phrase(u)));
    }
    parts.join("; ")
}

/// One rule binding's answer, after its name and binding.
fn rule_line(r: &RuleWhy) -> String {
    let when = r.when.as_ref();
    let unless = r.unless.as_ref();
    match r.state {
        RuleOutcome::Fired => format!(
            "fired: the protocol recommends {} — because {}",
            r.recommends.join(", "),
            fired_because(r)
        ),
        RuleOutcome::Withheld => {
            let mut text = "withheld by its contraindication (`unless`)".to_string();
            if let Some(u) = unless {
                let _ = write!(text, ": {}", phrase(u));
            }
            if let Some(w) = when {
                let _ = write!(text, " — its `when` holds: {}", phrase(w));
            }
            text
        }
        RuleOutcome::NotFired => match when {
            Some(w) => format!("not fired: its `when` {}", needs(w)),
            None => "not fired".into(),
        },
        RuleOutcome::NotEvaluated => match r.undecided {
            Some(UndecidedPart::Unless) => format!(
                "not evaluated: {}its contraindication (`unless`) was not ruled out — {}",
                when.map(|w| format!("its `when` holds ({}), but ", phrase(w)))
                    .unwrap_or_default(),
                unless.map(phrase).unwrap_or_default()
            ),
            Some(UndecidedPart::Arguments) => {
                let each: Vec<String> = r
                    .arguments
                    .iter()
                    .map(|f| format!("{}, {}", finding_name(f), found(f)))
                    .collect();
                let holds = when
                    .map(|w| format!("its `when` holds ({}), but ", phrase(w)))
                    .unwrap_or_default();
                format!(
                    "not evaluated: {holds}its adjustment depends on {}",
                    each.join(", ")
                )
            }
            Some(UndecidedPart::AmbiguousCategory) => format!(
                "not evaluated: the visit is ambiguous between categories {}, Category {} among them",
                r.visit_categories.as_deref().unwrap_or_default().join(" and "),
                r.category.as_deref().unwrap_or_default()
            ),
            _ => format!(
                "not evaluated: its `when` is undecided — {}",
                when.map(phrase).unwrap_or_default()
            ),
        },
        RuleOutcome::OtherCategory => format!(
            "not evaluated: it applies in Category {}, and {}",
            r.category.as_deref().unwrap_or_default(),
            categories(r.visit_categories.as_deref().unwrap_or_default())
        ),
        RuleOutcome::Suspended => format!(
            "suspended: red flag {} raised, so no rule is evaluated",
            r.red_flags.join(", ")
        ),
    }
}

fn adjustment(a: &AdjustmentWhy, lines: &mut Vec<Line>) {
    if a.recommended.is_empty() {
        lines.push(line(
            0,
            format!("The protocol does not recommend {} at this visit.", a.asked),
        ));
    }
    for rec in &a.recommended {
        lines.push(line(0, format!("The protocol recommends {}.", rec.call)));
        lines.push(line(1, "because:".into()));
        lines.extend(named_rules(&rec.by, 2, fired_because));
    }
    if a.candidates.is_empty() {
        if a.recommended.is_empty() {
            let mut text = format!("No rule of the protocol recommends {}", a.asked);
            if !a.other_arguments.is_empty() {
                let verb = if a.other_arguments.len() == 1 {
                    "recommends"
                } else {
                    "recommend"
                };
                let _ = write!(
                    text,
                    " ({} {verb} {} only with other arguments)",
                    a.other_arguments.join(", "),
                    a.adjustment
                );
            }
            lines.push(line(1, format!("{text}.")));
        }
        return;
    }
    let heading = if a.recommended.is_empty() {
        "Every rule that could recommend it:"
    } else {
        "Other rules that could recommend it:"
    };
    lines.push(line(1, heading.into()));
    lines.extend(named_rules(&a.candidates, 2, rule_line));
}

fn category_names(cs: &[NamedCategory]) -> String {
    cs.iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn category(c: &CategoryWhy) -> String {
    let name = format!("Category {}", titled(&c.category, c.title.as_deref()));
    let condition = &c.condition;
    // The other categories of the visit (the coexisting or tied ones besides this one).
    let others: Vec<NamedCategory> = c
        .visit_categories
        .iter()
        .filter(|o| o.name != c.category)
        .cloned()
        .collect();
    let others = category_names(&others);
    match c.state {
        CategoryOutcome::VisitCategory => {
            format!("{name} is the visit's category: {}", phrase(condition))
        }
        CategoryOutcome::Coexisting => format!(
            "{name} holds and is one of the visit's categories, coexisting with Category {others}: {}",
            phrase(condition)
        ),
        CategoryOutcome::Ambiguous => format!(
            "{name} holds ({}), tied with Category {others}, which also holds, and no precedence orders them: the visit is ambiguous",
            phrase(condition)
        ),
        CategoryOutcome::Outranked => format!(
            "{name} holds ({}), but Category {} outranks it (precedence), so it is not the visit's category",
            phrase(condition),
            category_names(&c.outranked_by)
        ),
        CategoryOutcome::NotTrue => format!("{name} does not hold: its condition {}", needs(condition)),
        CategoryOutcome::Unknown => {
            let then = if c.provisional {
                "; so the visit's category is provisional".to_string()
            } else if !c.outranked_by.is_empty() {
                format!(
                    "; Category {} outranks it, so it cannot change the visit's category",
                    category_names(&c.outranked_by)
                )
            } else {
                String::new()
            };
            format!("{name} is undecided: {}{then}", phrase(condition))
        }
    }
}

fn red_flag(f: &RedFlagWhy) -> String {
    let urgency = f
        .urgency
        .map(|u| format!(" ({} referral)", u.word()))
        .unwrap_or_default();
    let name = format!("{}{urgency}", titled(&f.red_flag, f.title.as_deref()));
    let bound = f.category.as_deref().unwrap_or_default();
    let visit = categories(f.visit_categories.as_deref().unwrap_or_default());
    match f.state {
        FlagOutcome::Raised => {
            let category = match &f.category {
                Some(c) => format!("category {c}; "),
                None => String::new(),
            };
            format!(
                "Red flag {name} raised — because {category}{}",
                phrase(&f.condition)
            )
        }
        FlagOutcome::RuledOut if f.in_category == Some(Truth::False) => {
            let signs = match f.condition.truth() {
                Truth::True => format!("; its signs are present: {}", phrase(&f.condition)),
                _ => String::new(),
            };
            format!("Red flag {name} ruled out: it applies only in Category {bound} visits, and {visit}{signs}")
        }
        FlagOutcome::RuledOut => {
            format!(
                "Red flag {name} ruled out: its condition {}",
                needs(&f.condition)
            )
        }
        FlagOutcome::NotRuledOut => {
            let mut text = format!("Red flag {name} not ruled out");
            if f.condition.truth() == Truth::Unknown {
                let _ = write!(text, ": {}", phrase(&f.condition));
            } else if f.condition.truth() == Truth::True {
                let _ = write!(text, ": its signs are present ({})", phrase(&f.condition));
            }
            if let Some(c) = &f.category_condition {
                let _ = write!(
                    text,
                    "; it applies in Category {bound} visits, and Category {bound} is undecided: {}",
                    phrase(c)
                );
            }
            text
        }
    }
}

fn check_line(c: &CheckWhy) -> String {
    let word = c.outcome.word();
    let part = |label: &str, d: &Option<Deciding>| {
        d.as_ref().map(|d| match d.truth() {
            Truth::True => format!("`{label}` holds: {}", phrase(d)),
            Truth::False => format!("`{label}` does not hold: {}", phrase(d)),
            Truth::Unknown => format!("`{label}` is undecided: {}", phrase(d)),
        })
    };
    match c.outcome {
        Outcome::NotApplicable => {
            let why = match c.not_applicable {
                Some(NotApplicable::FirstVisit) => {
                    "it compares with the previous visit, and this is the first".to_string()
                }
                Some(NotApplicable::NoAfter) => {
                    "the visit has no `after` block to compare with".to_string()
                }
                Some(NotApplicable::NotGiven) => {
                    let adjustment = c.after.as_deref().unwrap_or_default();
                    let at = c.given_at.map(|n| format!("visit {n}")).unwrap_or_default();
                    let given = c.given.as_deref().unwrap_or_default();
                    let list = match (given.is_empty(), c.given_as_recommended) {
                        (true, true) => "the protocol recommended no adjustment".to_string(),
                        (true, false) => "no adjustment was given".to_string(),
                        (false, true) => format!("the protocol recommended {}", given.join(", ")),
                        (false, false) => format!("given: {}", given.join(", ")),
                    };
                    format!("it follows {adjustment}, which was not given at {at} ({list})")
                }
                None => String::new(),
            };
            format!("{word} — {why}")
        }
        Outcome::NotNeeded => format!(
            "{word} — nothing to correct; {}",
            part("need", &c.need).unwrap_or_default()
        ),
        _ => {
            let parts: Vec<String> = [
                part("need", &c.need),
                part("complete", &c.complete),
                part("marginal", &c.marginal),
            ]
            .into_iter()
            .flatten()
            .collect();
            format!("{word} — {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bindings_with_the_same_answer_for_their_own_findings_share_a_line() {
        let answer = |area: u32, found: u32| {
            (
                b(&[&format!("area = {area}")]),
                format!("needs x(line: 2, area: {area}) >= 2, found {found}"),
            )
        };
        let folded = fold([answer(1, 0), answer(2, 1), answer(3, 0)].into_iter());
        assert_eq!(
            folded,
            vec![
                (
                    "[area = 1, 3]".to_string(),
                    "needs x(line: 2, area: area) >= 2, found 0".to_string()
                ),
                // Alone: its own values, not the variable.
                (
                    "[area = 2]".to_string(),
                    "needs x(line: 2, area: 2) >= 2, found 1".to_string()
                ),
            ]
        );
    }

    #[test]
    fn only_a_whole_argument_of_the_binding_is_generalised() {
        let binding = b(&["area = 1"]);
        assert_eq!(
            generalised(&binding, "x(line: 1, area: 1) and y(area: 10)"),
            "x(line: 1, area: area) and y(area: 10)"
        );
    }

    #[test]
    fn bindings_of_two_variables_list_the_last_ones_values() {
        let same = "not_needed".to_string();
        let folded = fold(
            [
                (b(&["side = left", "area = 1"]), same.clone()),
                (b(&["side = left", "area = 2"]), same.clone()),
                (b(&["side = right", "area = 1"]), same.clone()),
            ]
            .into_iter(),
        );
        assert_eq!(
            folded,
            vec![(
                "[side = left, area = 1, 2; side = right, area = 1]".to_string(),
                same
            )]
        );
    }
}
