//! Completion: what fits where the cursor is, from what the line before it says.

use sot_compiler::{Database, SourceFile};
use sot_grammar::ast::ItemKind;
use tower_lsp_server::ls_types::*;

use crate::analysis::{definitions, DefKind};
use crate::{offset, range, Snapshot};

/// The completions at `p`.
pub(crate) fn completion(
    s: &Snapshot,
    p: TextDocumentPositionParams,
) -> Option<CompletionResponse> {
    let file = s.file(&p.text_document.uri)?;
    let text = file.text(&s.db);
    let index = s.index(file);
    let at = offset(index, p.position, s.encoding);
    // Each item replaces the name typed so far (letters, digits, `_` before the cursor), so a
    // client filters against that word, not against `==` or `(` before it.
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(at, |(i, _)| i);
    let replace = range(index, start, at, s.encoding);
    // The context is what comes before that word: `==li` completes like `==`.
    let mut items = completions(&s.db, file, text, start);
    for item in &mut items {
        let new_text = item
            .insert_text
            .take()
            .unwrap_or_else(|| item.label.clone());
        item.filter_text = Some(item.label.clone());
        item.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
            range: replace,
            new_text,
        }));
    }
    Some(CompletionResponse::Array(items))
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// Completions that know the context: what the line before the cursor says.
fn completions(db: &Database, file: SourceFile, text: &str, at: usize) -> Vec<CompletionItem> {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..at];
    let trimmed = before.trim_start();
    let defs = definitions(db, file);
    let of = |kind: DefKind| -> Vec<CompletionItem> {
        defs.iter()
            .filter(|d| d.kind == kind)
            .map(|d| {
                let mut c = item(
                    &d.name,
                    match kind {
                        DefKind::Indicator => CompletionItemKind::VARIABLE,
                        DefKind::Adjustment | DefKind::Table => CompletionItemKind::FUNCTION,
                        DefKind::EnumValue => CompletionItemKind::ENUM_MEMBER,
                        DefKind::Category => CompletionItemKind::CLASS,
                        _ => CompletionItemKind::REFERENCE,
                    },
                    d.signature.lines().next().map(String::from),
                );
                c.documentation = d.doc.clone().map(Documentation::String);
                c
            })
            .collect()
    };
    let keywords = |words: &[&str]| -> Vec<CompletionItem> {
        words
            .iter()
            .map(|w| item(w, CompletionItemKind::KEYWORD, None))
            .collect()
    };
    let last_word = |s: &str| -> String {
        s.trim_end()
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // Inside a call: its parameter names.
    let open = before.rfind('(');
    let close = before.rfind(')');
    if let Some(o) = open.filter(|o| close.is_none_or(|c| c < *o)) {
        let callee = last_word(&before[..o]);
        if let Some(def) = defs.iter().find(|d| d.name == callee) {
            if let Some(params) = def
                .signature
                .split_once('(')
                .and_then(|(_, p)| p.split_once(')'))
                .map(|(p, _)| p)
            {
                let already = &before[o..];
                let mut out: Vec<CompletionItem> = params
                    .split(", ")
                    .filter_map(|p| {
                        p.split_once(':')
                            .map(|(n, t)| (n.trim().to_string(), t.trim().to_string()))
                    })
                    .filter(|(n, _)| !already.contains(&format!("{n}:")))
                    .map(|(n, t)| {
                        let mut c = item(&n, CompletionItemKind::FIELD, Some(t));
                        c.insert_text = Some(format!("{n}: "));
                        c
                    })
                    .collect();
                if already.trim_end().ends_with(':') {
                    out = of(DefKind::EnumValue);
                    out.extend(of(DefKind::Indicator));
                    if trimmed.starts_with("then") {
                        out.extend(keywords(&["previous."]));
                    }
                }
                return out;
            }
        }
    }
    // After `==` or `!=`: the values of that indicator's type.
    if let Some(op) = [" == ", " != ", "==", "!="]
        .iter()
        .find(|op| trimmed.trim_end().ends_with(op.trim()))
    {
        let lhs = trimmed.trim_end().trim_end_matches(op.trim());
        if let Some(values) = values_of(&defs, lhs, &keywords) {
            return values;
        }
    }
    // After `=` in a findings, `after` or `history` block: the indicator's values, and
    // `untestable` (LANGUAGE.md §7.6).
    if let Some(lhs) = trimmed
        .trim_end()
        .strip_suffix('=')
        .filter(|lhs| !lhs.ends_with(['=', '!', '<', '>']))
    {
        if let Some(mut values) = values_of(&defs, lhs, &keywords) {
            let mut untestable = item(
                "untestable",
                CompletionItemKind::KEYWORD,
                Some("tried and could not test (unknown)".into()),
            );
            untestable.insert_text = Some("untestable".into());
            values.push(untestable);
            return values;
        }
    }
    // After `then`, `given` or `after` (in a check), and after commas on such lines: adjustments.
    let first = trimmed.split_whitespace().next().unwrap_or_default();
    if matches!(first, "then" | "given") && trimmed.len() > first.len()
        || trimmed.starts_with("after ") && !trimmed.contains('{')
    {
        return of(DefKind::Adjustment);
    }
    if first == "expect" {
        let rest = trimmed["expect".len()..].trim_start();
        return match rest.split_whitespace().next() {
            Some("category") if rest.contains(' ') => {
                let mut c = of(DefKind::Category);
                c.extend(keywords(&["none"]));
                c
            }
            Some("no") if rest.starts_with("no red_flag ") => of(DefKind::RedFlag),
            Some("no") if rest.trim_end() == "no" && rest.ends_with(' ') => {
                keywords(&["adjustment", "refer", "red_flag"])
            }
            Some("adjustment") | Some("no") if rest.contains(' ') => of(DefKind::Adjustment),
            Some("check") if rest.contains(' ') => of(DefKind::Check),
            Some("withheld") if rest.contains(' ') => of(DefKind::Rule),
            Some("red_flag") | Some("not_ruled_out") | Some("ruled_out") if rest.contains(' ') => {
                of(DefKind::RedFlag)
            }
            _ => keywords(&[
                "category",
                "ambiguous",
                "provisional",
                "refer",
                "no refer",
                "red_flag",
                "no red_flag",
                "not_ruled_out",
                "ruled_out",
                "adjustment",
                "no adjustment",
                "check",
                "withheld",
            ]),
        };
    }
    if trimmed.starts_with("in category")
        || trimmed.starts_with("precedence")
        || trimmed.starts_with("coexist ")
    {
        return of(DefKind::Category);
    }
    // Right after `refer`: the urgency words (a string may follow instead).
    if trimmed.starts_with("refer ") && !trimmed.contains('"') {
        return ["emergency", "urgent", "routine"]
            .iter()
            .map(|w| {
                item(
                    w,
                    CompletionItemKind::KEYWORD,
                    Some("referral urgency".into()),
                )
            })
            .collect();
    }
    // After `previous.`, `before.` or `after.`: the indicators.
    if ["previous.", "before.", "after."]
        .iter()
        .any(|p| before.ends_with(p))
    {
        return of(DefKind::Indicator);
    }
    // In a condition: indicators, tables, and the words of conditions.
    if matches!(first, "when" | "unless" | "need" | "complete" | "marginal")
        && trimmed.len() > first.len()
    {
        let mut out = of(DefKind::Indicator);
        out.extend(of(DefKind::Table));
        out.extend(keywords(&[
            "and", "or", "not", "any of", "all of", "at least", "none", "yes", "no",
        ]));
        if matches!(first, "need" | "complete" | "marginal") {
            out.extend(keywords(&["before.", "after."]));
        } else {
            // The previous visit's findings: in categories, red flags and rules (§7.3).
            out.extend(keywords(&["previous."]));
        }
        return out;
    }
    // At the start of a line: the clauses and items that can start there.
    if trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        let depth = text[..at]
            .matches('{')
            .count()
            .saturating_sub(text[..at].matches('}').count());
        if depth == 0 {
            let items: Vec<&str> = ItemKind::ALL.iter().map(|k| k.keyword()).collect();
            return keywords(&items);
        }
        let mut out = keywords(&[
            "when",
            "unless",
            "then",
            "in category",
            "for",
            "need",
            "complete",
            "marginal",
            "within visit",
            "across visits",
            "after",
            "refer",
            "history",
            "visit",
            "findings",
            "given",
            "expect",
        ]);
        out.extend(of(DefKind::Indicator));
        return out;
    }
    let mut out = of(DefKind::Indicator);
    out.extend(of(DefKind::EnumValue));
    out
}

/// The values of the indicator that `lhs` ends with (`arm_fossa`, `fiber(line: 2)`), when it
/// names one: its type's values, and `none` for an optional type.
fn values_of(
    defs: &[crate::analysis::Def],
    lhs: &str,
    keywords: &dyn Fn(&[&str]) -> Vec<CompletionItem>,
) -> Option<Vec<CompletionItem>> {
    let lhs = lhs.trim_end();
    let head = match lhs.strip_suffix(')') {
        Some(call) => call.rsplit_once('(').map_or(call, |(name, _)| name),
        None => lhs,
    };
    let subject = head
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default();
    let def = defs
        .iter()
        .find(|d| d.name == subject && d.kind == DefKind::Indicator)?;
    let ty = def.signature.rsplit(": ").next().unwrap_or_default();
    let mut values: Vec<CompletionItem> = match ty.trim_end_matches('?') {
        "bool" => keywords(&["yes", "no"]),
        "Side" => ["left", "right"]
            .iter()
            .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None))
            .collect(),
        named => defs
            .iter()
            .filter(|d| {
                d.kind == DefKind::EnumValue
                    && d.signature.ends_with(&format!("a value of {named}"))
            })
            .map(|d| {
                item(
                    &d.name,
                    CompletionItemKind::ENUM_MEMBER,
                    Some(named.to_string()),
                )
            })
            .collect(),
    };
    if ty.ends_with('?') {
        values.push(item(
            "none",
            CompletionItemKind::KEYWORD,
            Some("examined, negative".into()),
        ));
    }
    Some(values)
}
