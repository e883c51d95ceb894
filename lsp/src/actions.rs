//! Code actions: the quick fixes of the diagnostics under the cursor: "did you mean",
//! narrowing (E0304), the phase of a finding (E0307), missing table keys (E0401), declaring
//! an unknown indicator or adjustment (E0101, see `declare`), ordering two categories
//! (W0601), and a failing `expect` line replaced with the line that holds (T0001); on a
//! rule no case covers, a case that exercises it (`case_for_rule`).

use std::collections::HashMap;

use sot_compiler::{all_diagnostics, Database, SourceFile};
use tower_lsp_server::ls_types::*;

use crate::{offset, position, range, Snapshot};

/// The code actions for the diagnostics that touch `params.range`.
pub(crate) fn code_actions(s: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let file = s.file(uri)?;
    let wanted = params.range;
    let text = file.text(&s.db);
    let index = s.index(file);
    let (from, to) = (
        offset(index, wanted.start, s.encoding),
        offset(index, wanted.end, s.encoding),
    );
    let mut out = Vec::new();
    for d in all_diagnostics(&s.db, file) {
        let (start, end) = (d.primary.span.start as usize, d.primary.span.end as usize);
        if end < from || start > to {
            continue;
        }
        let diagnostic_range = range(index, start, end, s.encoding);
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        };
        let action = |title: String, edits: Vec<TextEdit>| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                edit: Some(edit(edits)),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        };
        // Did you mean: replace the name.
        if let Some(suggestion) = d
            .help
            .as_deref()
            .and_then(|h| h.strip_prefix("did you mean `"))
            .and_then(|h| h.strip_suffix("`?"))
        {
            out.push(action(
                format!("Replace with `{suggestion}`"),
                vec![TextEdit {
                    range: diagnostic_range,
                    new_text: suggestion.into(),
                }],
            ));
        }
        match d.code.as_str() {
            "E0304" => {
                if let Some(fix) = narrowing_fix(&s.db, file, start, end) {
                    out.push(action(
                        fix.0,
                        vec![TextEdit {
                            range: range(index, fix.1, fix.2, s.encoding),
                            new_text: fix.3,
                        }],
                    ));
                }
            }
            "E0307" => {
                if let Some((title, new_text)) = text.get(start..end).and_then(phase_fix) {
                    out.push(action(
                        title,
                        vec![TextEdit {
                            range: diagnostic_range,
                            new_text,
                        }],
                    ));
                }
            }
            "E0401" => {
                if let Some((title, at, new_text)) = missing_keys_fix(text, &d.message, end) {
                    let p = position(index, at, s.encoding);
                    out.push(action(
                        title,
                        vec![TextEdit {
                            range: Range { start: p, end: p },
                            new_text,
                        }],
                    ));
                }
            }
            "E0101" => {
                if let Some((declaration, at)) = crate::declare::declaration(&s.db, file, start) {
                    let p = position(index, at, s.encoding);
                    out.push(action(
                        format!("Declare `{}`", declaration.trim_end()),
                        vec![TextEdit {
                            range: Range { start: p, end: p },
                            new_text: declaration,
                        }],
                    ));
                }
            }
            "W0601" => {
                let at = item_end(&s.db, file, start);
                let p = position(index, at, s.encoding);
                for line in order_lines(&d.message) {
                    out.push(action(
                        format!("Add `{line}`"),
                        vec![TextEdit {
                            range: Range { start: p, end: p },
                            new_text: format!("{line}\n"),
                        }],
                    ));
                }
            }
            _ => {}
        }
    }
    // On a rule that some binding of no case fires: a case that fires it.
    out.extend(crate::case_for_rule::action(s, uri, file, from, to));
    // T0001: a failing `expect` line, replaced with the one that holds.
    for judged in crate::expectations::judged(&s.db, file)
        .map(|(lines, _)| lines)
        .unwrap_or_default()
    {
        let (start, end) = (judged.span.start as usize, judged.span.end as usize);
        let Some(computed) = judged.computed.filter(|_| end >= from && start <= to) else {
            continue;
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Replace with what the protocol computes: `{computed}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(
                    uri.clone(),
                    vec![TextEdit {
                        range: range(index, start, end, s.encoding),
                        new_text: computed,
                    }],
                )])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Some(out)
}

/// W0601 ("categories A and B can both be true, …"): the lines that settle it, `precedence
/// B > A`, `precedence A > B` and `coexist A, B`.
fn order_lines(message: &str) -> Vec<String> {
    let Some((a, b)) = message
        .strip_prefix("categories ")
        .and_then(|m| m.split_once(" can both be true"))
        .and_then(|(pair, _)| pair.split_once(" and "))
    else {
        return Vec::new();
    };
    vec![
        format!("precedence {b} > {a}"),
        format!("precedence {a} > {b}"),
        format!("coexist {a}, {b}"),
    ]
}

/// The byte just after the line that ends the item holding `at` (where a new line goes).
pub(crate) fn item_end(db: &Database, file: SourceFile, at: usize) -> usize {
    let items = sot_compiler::file_items(db, file);
    let text = file.text(db);
    match items[..items.partition_point(|i| i.offset(db) <= at)].last() {
        Some(item) => {
            let end = item.offset(db) + item.text(db).trim_end().len();
            text[end..].find('\n').map_or(text.len(), |n| end + n + 1)
        }
        None => text.len(),
    }
}

/// E0307 on `previous.x` (in a check) or `before.x`/`after.x` (outside one): the finding as
/// the place reads it, `before.x` or `x`. A bare indicator in a check names no phase to pick.
fn phase_fix(written: &str) -> Option<(String, String)> {
    if let Some(rest) = written.strip_prefix("previous.") {
        let new_text = format!("before.{rest}");
        return Some((format!("Write `{new_text}`"), new_text));
    }
    let rest = written
        .strip_prefix("before.")
        .or_else(|| written.strip_prefix("after."))?;
    Some((format!("Write `{rest}`"), rest.to_string()))
}

/// E0304: adds `x != none and` to the `when` of the rule around the optional value.
fn narrowing_fix(
    db: &Database,
    file: SourceFile,
    start: usize,
    end: usize,
) -> Option<(String, usize, usize, String)> {
    let subject = file.text(db).get(start..end)?.to_string();
    for item in sot_compiler::file_items(db, file) {
        let offset = item.offset(db);
        if start < offset || start > offset + item.text(db).len() {
            continue;
        }
        let parsed = sot_compiler::parse_item(db, *item).item.as_ref()?;
        let sot_grammar::ast::ItemData::Rule(rule) = &parsed.data else {
            return None;
        };
        let when = &rule.when;
        let condition = sot_grammar::format_expr(when);
        let condition = match &when.kind {
            sot_grammar::ast::ExprKind::Logic(sot_grammar::ast::LogicOp::Or, _) => {
                format!("({condition})")
            }
            _ => condition,
        };
        return Some((
            format!("Add `{subject} != none` to `when`"),
            when.span.start as usize + offset,
            when.span.end as usize + offset,
            format!("{subject} != none and {condition}"),
        ));
    }
    None
}

/// E0401: inserts entries for the missing keys (with the first entry's value, to edit).
fn missing_keys_fix(text: &str, message: &str, name_end: usize) -> Option<(String, usize, String)> {
    let keys = message.split(" has no entry for ").nth(1)?;
    let keys = keys.split(" and ").next()?;
    let close = name_end
        + text[name_end..]
            .find("\n}")
            .map(|n| n + 1)
            .or_else(|| text[name_end..].find('}'))?;
    let body = &text[name_end..close];
    let value = body.lines().find_map(|l| {
        l.split_once("=>")
            .map(|(_, v)| v.split("//").next().unwrap_or(v).trim().to_string())
    })?;
    let mut insert = String::new();
    for key in split_keys(keys) {
        insert.push_str(&format!("  {key} => {value}\n"));
    }
    Some(("Add the missing table keys".into(), close, insert))
}

/// `1, (2, left), 3` → `1`, `(2, left)`, `3`.
fn split_keys(keys: &str) -> Vec<String> {
    let (mut out, mut depth, mut current) = (Vec::new(), 0i32, String::new());
    for c in keys.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}
