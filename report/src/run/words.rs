//! The words every form of a run report shares: findings and their values, what would decide
//! an unknown, rule and red flag names, the category. Findings of one indicator that read
//! alike are folded into one name (`arm_fossa(side: left/right, fossa: upper/middle/lower)`).

use sot_runtime::explain::{CategoryReport, FindingValue, RedFlagReport, RuleReport, Unknown};

/// A finding's phase as an expression reads it (`previous.`, `after.`, or nothing).
fn phase(f: &FindingValue) -> String {
    f.phase.map(|p| format!("{p}.")).unwrap_or_default()
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

/// What follows a finding's name when its value is shown.
fn value_note(f: &FindingValue) -> String {
    match (&f.value, f.unknown) {
        (Some(v), _) if f.from_history => format!(" = {v} (history)"),
        (Some(v), _) => format!(" = {v}"),
        (None, Some(Unknown::Untestable)) => format!(" untestable{}", untestable_note(f)),
        (None, Some(Unknown::NoPreviousVisit)) => ": no previous visit".into(),
        (None, Some(Unknown::NotExaminedPreviously)) => {
            " not examined at the previous visit".into()
        }
        (None, None) if f.history_only => {
            " not examined — a check does not read the history".into()
        }
        (None, None) => " not examined".into(),
    }
}

/// A finding split as `name(p: v, q: w)` → (`name`, [(`p`, `v`), (`q`, `w`)]).
fn split_call(call: &str) -> (&str, Vec<(&str, &str)>) {
    let Some((name, args)) = call.split_once('(') else {
        return (call, Vec::new());
    };
    let args = args.strip_suffix(')').unwrap_or(args);
    let args = args
        .split(", ")
        .map(|a| a.split_once(": ").unwrap_or(("", a)))
        .collect();
    (name, args)
}

/// What findings fold by: their prefix, indicator, parameter names and suffix.
type FoldKey = (String, String, Vec<String>, String);

/// Findings as `prefix + call + suffix`, those of one indicator with the same prefix and
/// suffix folded when they are every combination of the values they name (each parameter's
/// values joined by `/`); the rest as they are, in their order.
fn fold(items: Vec<(String, String, String)>) -> Vec<String> {
    // Groups in the order of their first finding: (prefix, name, parameters, suffix) → calls.
    let mut groups: Vec<(FoldKey, Vec<String>)> = Vec::new();
    for (prefix, call, suffix) in items {
        let (name, args) = split_call(&call);
        let key = (
            prefix,
            name.to_string(),
            args.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>(),
            suffix,
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, calls)) => {
                if !calls.contains(&call) {
                    calls.push(call);
                }
            }
            None => groups.push((key, vec![call])),
        }
    }
    let mut out = Vec::new();
    for ((prefix, name, params, suffix), calls) in groups {
        let mut values: Vec<Vec<&str>> = vec![Vec::new(); params.len()];
        for call in &calls {
            for (i, (_, v)) in split_call(call).1.into_iter().enumerate() {
                if let Some(seen) = values.get_mut(i) {
                    if !seen.contains(&v) {
                        seen.push(v);
                    }
                }
            }
        }
        let combinations: usize = values.iter().map(Vec::len).product();
        if calls.len() >= 2 && !params.is_empty() && combinations == calls.len() {
            let args: Vec<String> = params
                .iter()
                .zip(&values)
                .map(|(p, vs)| format!("{p}: {}", vs.join("/")))
                .collect();
            out.push(format!("{prefix}{name}({}){suffix}", args.join(", ")));
        } else {
            out.extend(calls.into_iter().map(|c| format!("{prefix}{c}{suffix}")));
        }
    }
    out
}

/// Findings with their values (`short_leg = right`, `arm_fossa untestable (“acute pain”)`).
pub(crate) fn findings_text(findings: &[FindingValue]) -> String {
    fold(
        findings
            .iter()
            .map(|f| (phase(f), f.finding.clone(), value_note(f)))
            .collect(),
    )
    .join(", ")
}

/// The names of findings, folded (`sciatic_pain(point: gluteal/mid_calf)`).
pub(crate) fn names(findings: &[&FindingValue], note: &dyn Fn(&FindingValue) -> String) -> String {
    fold(
        findings
            .iter()
            .map(|f| (phase(f), f.finding.clone(), note(f)))
            .collect(),
    )
    .join(", ")
}

/// Names given as text (the category's findings to examine), folded.
pub(crate) fn plain_names(findings: &[String]) -> String {
    fold(
        findings
            .iter()
            .map(|f| (String::new(), f.clone(), String::new()))
            .collect(),
    )
    .join(", ")
}

/// What would decide an unknown value, in groups: the findings to examine now, the
/// untestable ones (with their reasons; never asked for), and those of the previous visit
/// (which cannot be examined now).
pub(crate) fn undecided_text(
    to_examine: &[FindingValue],
    not_examinable: &[FindingValue],
) -> String {
    let all: Vec<&FindingValue> = to_examine.iter().chain(not_examinable).collect();
    let group = |pick: &dyn Fn(&FindingValue) -> bool, note: &dyn Fn(&FindingValue) -> String| {
        let picked: Vec<&FindingValue> = all.iter().copied().filter(|f| pick(f)).collect();
        names(&picked, note)
    };
    let none = |_: &FindingValue| String::new();
    let mut parts = Vec::new();
    let examine = group(&FindingValue::to_examine, &none);
    if !examine.is_empty() {
        parts.push(format!("examine {examine}"));
    }
    let untestable = group(
        &|f| f.unknown == Some(Unknown::Untestable),
        &untestable_note,
    );
    if !untestable.is_empty() {
        parts.push(format!("untestable: {untestable}"));
    }
    let first = group(&|f| f.unknown == Some(Unknown::NoPreviousVisit), &none);
    if !first.is_empty() {
        parts.push(format!("no previous visit for {first}"));
    }
    let past = group(
        &|f| f.unknown == Some(Unknown::NotExaminedPreviously),
        &none,
    );
    if !past.is_empty() {
        parts.push(format!("not examined at the previous visit: {past}"));
    }
    parts.join("; ")
}

/// Bindings of one rule or check (each `name = value`, …) in one bracket: the values of each
/// variable joined by `/` when they are every combination of them
/// (`[side = left/right, area = 2]`), else each binding apart (`[area = 1; area = 3]`).
pub(crate) fn bindings(all: &[&[String]]) -> String {
    let calls: Vec<(String, String, String)> = all
        .iter()
        .map(|b| {
            let args: Vec<String> = b.iter().map(|kv| kv.replacen(" = ", ": ", 1)).collect();
            (
                String::new(),
                format!("b({})", args.join(", ")),
                String::new(),
            )
        })
        .collect();
    let folded: Vec<String> = fold(calls)
        .into_iter()
        .map(|c| {
            c.trim_start_matches("b(")
                .trim_end_matches(')')
                .replace(": ", " = ")
        })
        .collect();
    format!("[{}]", folded.join("; "))
}

/// Rules grouped by name (and, for those not evaluated, by reason), in the order of their
/// first binding: a rule with several bindings is named once.
pub(crate) fn by_rule(rules: &[RuleReport]) -> Vec<Vec<&RuleReport>> {
    let mut groups: Vec<Vec<&RuleReport>> = Vec::new();
    for r in rules {
        match groups
            .iter_mut()
            .find(|g| g[0].rule == r.rule && g[0].reason == r.reason)
        {
            Some(g) => g.push(r),
            None => groups.push(vec![r]),
        }
    }
    groups
}

/// A group of one rule's bindings named once: `line_two_cmrt [area = 1/2] “Line 2 fiber”`.
pub(crate) fn rules_name(group: &[&RuleReport]) -> String {
    match group {
        [] => String::new(),
        [one] => rule_name(one),
        [first, ..] => {
            let all: Vec<&[String]> = group.iter().map(|r| r.binding.as_slice()).collect();
            let title = first
                .title
                .as_deref()
                .map(|t| format!(" “{t}”"))
                .unwrap_or_default();
            format!("{} {}{title}", first.rule, bindings(&all))
        }
    }
}

/// What a group of one rule's bindings not evaluated waits for, named once.
pub(crate) fn group_waits_for(group: &[&RuleReport]) -> String {
    let findings: Vec<_> = group.iter().flat_map(|r| r.findings.clone()).collect();
    let not_examinable: Vec<_> = group
        .iter()
        .flat_map(|r| r.not_examinable.clone())
        .collect();
    undecided_text(&findings, &not_examinable)
}

/// The findings of a group of one rule's bindings withheld, named once.
pub(crate) fn group_findings(group: &[&RuleReport]) -> String {
    let findings: Vec<_> = group.iter().flat_map(|r| r.findings.clone()).collect();
    findings_text(&findings)
}

/// A rule's binding as `[area = 2]`, or nothing without `for`.
pub(crate) fn binding(b: &[String]) -> String {
    if b.is_empty() {
        String::new()
    } else {
        format!("[{}]", b.join(", "))
    }
}

/// A rule's name, binding and title: `line_two_cmrt [area = 2] “Line 2 fiber”`.
pub(crate) fn rule_name(r: &RuleReport) -> String {
    let binding = binding(&r.binding);
    let binding = if binding.is_empty() {
        binding
    } else {
        format!(" {binding}")
    };
    let title = r
        .title
        .as_deref()
        .map(|t| format!(" “{t}”"))
        .unwrap_or_default();
    format!("{}{binding}{title}", r.rule)
}

/// A red flag's urgency in words: `emergency referral`, or `referral` when not stated.
pub(crate) fn urgency(f: &RedFlagReport) -> String {
    match f.urgency {
        Some(u) => format!("{} referral", u.word()),
        None => "referral".into(),
    }
}

/// A red flag's name with its urgency in words: `cauda_equina (emergency referral)`.
pub(crate) fn flag_name(f: &RedFlagReport) -> String {
    match f.urgency {
        Some(_) => format!("{} ({})", f.red_flag, urgency(f)),
        None => f.red_flag.clone(),
    }
}

/// Why a red flag was raised: its findings, and its category when it is bound to one.
pub(crate) fn flag_because(f: &RedFlagReport) -> String {
    let findings = findings_text(&f.findings);
    match (&f.category, findings.is_empty()) {
        (Some(c), true) => format!("category {c}"),
        (Some(c), false) => format!("category {c}; {findings}"),
        (None, _) => findings,
    }
}

/// Why a rule fired: its findings, its category, and what ruled out its contraindication.
pub(crate) fn because(r: &RuleReport) -> String {
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

/// The visit's category in a few words: `Category II — Sacroiliac …`, `No category`,
/// with `(provisional)` when an unknown category could change it.
pub(crate) fn category_headline(c: &CategoryReport) -> String {
    let line = match (c.state, c.categories.first()) {
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
        ("ambiguous", _) => {
            let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
            format!("Ambiguous between categories {}", names.join(" and "))
        }
        _ => "No category".into(),
    };
    if c.provisional {
        format!("{line} (provisional)")
    } else {
        line
    }
}

/// The category in a summary: `II`, `II + IV`, `I or II?`, `none`; `?` marks a provisional one.
pub(crate) fn category_short(c: &CategoryReport) -> String {
    let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
    let short = match c.state {
        "category" | "coexisting" => names.join(" + "),
        "ambiguous" => format!("{} (ambiguous)", names.join(" or ")),
        _ => "none".into(),
    };
    if c.provisional {
        format!("{short} (provisional)")
    } else {
        short
    }
}

/// Why a provisional category may change, as lines: the findings to examine, and those that
/// cannot be examined now (untestable, or of the previous visit).
pub(crate) fn category_open(c: &CategoryReport) -> Vec<String> {
    let mut lines = Vec::new();
    if !c.provisional {
        return lines;
    }
    if !c.missing.is_empty() {
        lines.push(format!(
            "It may change once these are examined: {}",
            plain_names(&c.missing)
        ));
    }
    if !c.not_examinable.is_empty() {
        lines.push(format!(
            "It may change, but these cannot be examined now: {}",
            findings_text(&c.not_examinable)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(call: &str) -> (String, String, String) {
        (String::new(), call.into(), " = no".into())
    }

    #[test]
    fn every_combination_folds_and_a_partial_set_does_not() {
        let all = ["side: left, fossa: upper", "side: left, fossa: lower"]
            .iter()
            .chain(&["side: right, fossa: upper", "side: right, fossa: lower"])
            .map(|a| t(&format!("arm_fossa({a})")))
            .collect();
        assert_eq!(
            fold(all),
            ["arm_fossa(side: left/right, fossa: upper/lower) = no"]
        );
        let some = vec![
            t("arm_fossa(side: left, fossa: upper)"),
            t("short_leg"),
            t("arm_fossa(side: right, fossa: lower)"),
        ];
        assert_eq!(
            fold(some),
            [
                "arm_fossa(side: left, fossa: upper) = no",
                "arm_fossa(side: right, fossa: lower) = no",
                "short_leg = no"
            ]
        );
    }

    #[test]
    fn different_values_stay_apart() {
        let items = vec![
            t("sciatic_pain(point: gluteal)"),
            (
                String::new(),
                "sciatic_pain(point: mid_calf)".into(),
                " = 2".into(),
            ),
        ];
        assert_eq!(fold(items).len(), 2);
    }

    #[test]
    fn bindings_fold_like_findings() {
        let b = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (a, c) = (b(&["area = 1"]), b(&["area = 2"]));
        assert_eq!(bindings(&[&a, &c]), "[area = 1/2]");
        let (l1, r2) = (
            b(&["side = left", "area = 1"]),
            b(&["side = right", "area = 2"]),
        );
        assert_eq!(
            bindings(&[&l1, &r2]),
            "[side = left, area = 1; side = right, area = 2]"
        );
    }
}
