//! Signature help inside a call of an indicator, a table or an adjustment: its parameters
//! with their types, the one being written active (by its label when the argument has one,
//! else by position), and its doc comment. Read from the text before the cursor, so it
//! answers while the call is half written and the item does not parse.

use sot_compiler::file_items;
use tower_lsp_server::ls_types::*;

use crate::analysis::{definitions, resolve, DefKind};
use crate::{offset, Snapshot};

/// The signature of the call around `p`, if `p` is inside the parentheses of one.
pub(crate) fn signature_help(s: &Snapshot, p: TextDocumentPositionParams) -> Option<SignatureHelp> {
    let file = s.file(&p.text_document.uri)?;
    let at = offset(s.index(file), p.position, s.encoding);
    let items = file_items(&s.db, file);
    let item = items[..items.partition_point(|i| i.offset(&s.db) <= at)].last()?;
    let text = item.text(&s.db);
    let before = text.get(..at - item.offset(&s.db))?;
    let (name, args) = open_call(before)?;
    let defs = definitions(&s.db, file);
    let def = resolve(&defs, name).filter(|d| {
        matches!(
            d.kind,
            DefKind::Indicator | DefKind::Table | DefKind::Adjustment
        )
    })?;
    let mut label = format!("{}(", def.name);
    let mut parameters = Vec::new();
    for (i, (param, ty)) in def.params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.encode_utf16().count() as u32;
        label.push_str(&format!("{param}: {ty}"));
        parameters.push(ParameterInformation {
            label: ParameterLabel::LabelOffsets([start, label.encode_utf16().count() as u32]),
            documentation: None,
        });
    }
    label.push(')');
    let what = match def.kind {
        DefKind::Indicator => "indicator",
        DefKind::Table => "table",
        _ => "adjustment",
    };
    let (written, current) = args;
    let active = current
        .and_then(|l| def.params.iter().position(|(n, _)| *n == l))
        .unwrap_or(written) as u32;
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: format!("{what} {label}"),
            documentation: def.doc.clone().map(|doc| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: doc,
                })
            }),
            parameters: Some(
                parameters
                    .into_iter()
                    .map(|mut p| {
                        // The label offsets count from the start of the shown label.
                        if let ParameterLabel::LabelOffsets([a, b]) = p.label {
                            let shift = what.len() as u32 + 1;
                            p.label = ParameterLabel::LabelOffsets([a + shift, b + shift]);
                        }
                        p
                    })
                    .collect(),
            ),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// The innermost call still open at the end of `before`: the name before its `(`, how many
/// arguments precede the one being written, and that argument's label if it has one.
fn open_call(before: &str) -> Option<(&str, (usize, Option<&str>))> {
    let mut open: Vec<usize> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if before[i..].starts_with("//") => {
                while chars.next_if(|(_, c)| *c != '\n').is_some() {}
            }
            '(' => open.push(i),
            ')' => {
                open.pop();
            }
            // A call never spans a block: `{` or `}` closes what was open.
            '{' | '}' => open.clear(),
            _ => {}
        }
    }
    let paren = *open.last()?;
    let head = before[..paren].trim_end();
    let name_start = head
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = &head[name_start..];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The arguments written so far: commas outside inner parentheses.
    let inside = &before[paren + 1..];
    let (mut depth, mut commas, mut current) = (0i32, 0, 0);
    for (i, c) in inside.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                commas += 1;
                current = i + 1;
            }
            _ => {}
        }
    }
    let label = inside[current..]
        .split_once(':')
        .map(|(l, _)| l.trim())
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    Some((name, (commas, label)))
}
