//! The cases of one version of a protocol run against another (`sot diff`): the `case` items
//! of a text, checked against the other protocol's scope and lowered into its program, so
//! that both versions evaluate the same visits. A case that names something the other
//! version lacks gets the diagnostic a case of that file would get, never a silent skip.

use sot_grammar::ast::{self, ItemData, ItemKind};

use crate::check::check_case;
use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir;
use crate::lower::lower_cases;
use crate::resolve::file_scope;

/// The `case` items of `text` (another file's, or another version's), lowered against the
/// protocol `file` without their `expect` lines (they say what one version should do, and
/// may name what the other lacks): every case, or for each case that does not fit, its
/// name and its problems (spans into `text`). The rest of `text` is not read.
pub fn foreign_cases(
    db: &dyn salsa::Database,
    file: SourceFile,
    text: &str,
) -> Vec<Result<ir::Case, (String, Vec<Diagnostic>)>> {
    let scope = file_scope(db, file);
    let mut parsed = Vec::new();
    for source in sot_grammar::split(text) {
        if source.kind != Some(ItemKind::Case) {
            continue;
        }
        let item_text = text.get(source.start..source.end).unwrap_or_default();
        let item = sot_grammar::parse_item(item_text);
        let mut problems: Vec<Diagnostic> = item
            .errors
            .iter()
            .map(|e| Diagnostic::new(Code::E0001, e.span.shift(source.start), e.message.clone()))
            .collect();
        match item.item.map(|i| i.data) {
            Some(ItemData::Case(mut case)) => {
                // What one version should do is no question for the other.
                for visit in &mut case.visits {
                    visit.expects.clear();
                }
                parsed.push((case, source.start, problems));
            }
            _ => {
                if problems.is_empty() {
                    let at = ast::Span::new(source.start, source.start);
                    problems.push(Diagnostic::new(
                        Code::E0001,
                        at,
                        "this case could not be read",
                    ));
                }
                parsed.push((empty_case(&source.name), source.start, problems));
            }
        }
    }
    parsed
        .iter()
        .map(|(case, offset, syntax)| {
            let mut problems = syntax.clone();
            problems.extend(
                check_case(scope, case)
                    .into_iter()
                    .map(|d| d.shifted(*offset)),
            );
            if !problems.is_empty() {
                return Err((case.name.text.clone(), problems));
            }
            match lower_cases(db, file, &[(case, *offset)], text) {
                Some(mut lowered) if lowered.len() == 1 => Ok(lowered.remove(0)),
                _ => Err((
                    case.name.text.clone(),
                    vec![Diagnostic::new(
                        Code::E0501,
                        case.name.span.shift(*offset),
                        "the protocol has errors; check it with `sot check` first",
                    )],
                )),
            }
        })
        .collect()
}

/// A case that could not be read, named as far as the split could read its name.
fn empty_case(name: &str) -> ast::Case {
    ast::Case {
        name: ast::Name {
            text: name.to_string(),
            span: ast::Span::new(0, 0),
        },
        title: None,
        history: None,
        visits: Vec::new(),
    }
}
