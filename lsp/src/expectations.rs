//! A case's `expect` lines judged where they are written: each line's verdict (as `sot test`
//! gives it, from the runtime), a failing line as a T0001 warning, and the line that says
//! what the protocol computes instead, for the quick fix. Also each visit's state, for the
//! inlay hint after its header. Only a file that lowers (no errors in it or what it uses) is
//! evaluated; otherwise [`judged`] says so with `None`.

use sot_compiler::{file_items, lower_file, parse_item, Code, Database, Diagnostic, SourceFile};
use sot_grammar::ast::{ExpectKind, ItemData, Span};
use sot_ir::eval::Tri;
use sot_ir::{Expect, Program};
use sot_runtime::expect::Verdict;
use sot_runtime::visit::{CategoryState, VisitState};

/// One `expect` line of the file, judged.
pub(crate) struct Judged {
    /// The line's span in the file.
    pub span: Span,
    /// The verdict.
    pub verdict: Verdict,
    /// When it fails: the `expect` line that holds for what the protocol computes, if one
    /// line says it.
    pub computed: Option<String>,
}

/// One case visit of the file and what the protocol computes for it.
pub(crate) struct VisitJudged {
    /// The visit's header line: from `visit` to the end of its line.
    pub header: Span,
    /// The category, in words (`category II`, `categories I, II (coexisting)`, …).
    pub category: String,
}

/// The `expect` lines and visits of a file's cases, judged; `None` when the file does not
/// lower (it or a file it uses has errors), so nothing can be judged.
pub(crate) fn judged(db: &Database, file: SourceFile) -> Option<(Vec<Judged>, Vec<VisitJudged>)> {
    let program = lower_file(db, file).as_ref()?;
    let index = sot_compiler::file_line_index(db, file);
    let text = file.text(db);
    // The expect lines and visit headers as written: (case, visit, 1-based line) → span.
    let mut expects = std::collections::HashMap::new();
    let mut headers = std::collections::HashMap::new();
    for item in file_items(db, file) {
        let Some(parsed) = parse_item(db, *item).item.as_ref() else {
            continue;
        };
        let ItemData::Case(case) = &parsed.data else {
            continue;
        };
        let base = item.offset(db);
        for visit in &case.visits {
            let start = base + visit.number_span.start as usize;
            let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            let header_start =
                line_start + (text[line_start..].len() - text[line_start..].trim_start().len());
            headers.insert(
                (case.name.text.clone(), visit.number),
                Span {
                    start: header_start as u32,
                    end: line_end as u32,
                },
            );
            for e in &visit.expects {
                let span = e.span.shift(base);
                let line = index.line_of(span.start as usize) + 1;
                expects.insert((case.name.text.clone(), visit.number, line), (span, e));
            }
        }
    }
    let (mut lines, mut visits) = (Vec::new(), Vec::new());
    for case in &program.cases {
        salsa::Database::unwind_if_revision_cancelled(db);
        let (verdicts, states) = sot_runtime::expect::test_case(program, case);
        for (visit, state) in case.visits.iter().zip(&states) {
            if let Some(header) = headers.get(&(case.name.clone(), visit.number)) {
                visits.push(VisitJudged {
                    header: *header,
                    category: category_words(program, state),
                });
            }
        }
        for verdict in verdicts {
            let key = (verdict.case.clone(), verdict.visit, verdict.line);
            let Some((span, written)) = expects.get(&key) else {
                continue;
            };
            let state = case
                .visits
                .iter()
                .position(|v| v.number == verdict.visit)
                .and_then(|i| states.get(i));
            let line = case
                .visits
                .iter()
                .find(|v| v.number == verdict.visit)
                .and_then(|v| v.expects.iter().find(|e| e.line == verdict.line));
            let computed = match (verdict.passed, state, line) {
                (false, Some(state), Some(line)) => {
                    let written_text = text.get(span.start as usize..span.end as usize);
                    computed_line(program, &line.expect, written, written_text, state)
                }
                _ => None,
            };
            lines.push(Judged {
                span: *span,
                verdict,
                computed,
            });
        }
    }
    lines.sort_by_key(|j| j.span.start);
    Some((lines, visits))
}

/// The T0001 warnings of a file: one per failing `expect` line, saying what was found.
pub(crate) fn failing(db: &Database, file: SourceFile) -> Vec<Diagnostic> {
    let Some((lines, _)) = judged(db, file) else {
        return Vec::new();
    };
    lines
        .into_iter()
        .filter(|j| !j.verdict.passed)
        .map(|j| {
            Diagnostic::new(
                Code::T0001,
                j.span,
                format!("expectation fails: found {}", j.verdict.found),
            )
            .label(format!(
                "case {}, visit {}: the protocol computes {}",
                j.verdict.case, j.verdict.visit, j.verdict.found
            ))
            .maybe_help(
                j.computed
                    .map(|c| format!("replace with what the protocol computes: `{c}`")),
            )
        })
        .collect()
}

/// A visit's category in words (`category II`, `categories III, II (coexisting)`), with
/// ", provisional" when an unknown category could change it.
pub(crate) fn category_words(program: &Program, state: &VisitState) -> String {
    let names = |cs: &[u32]| {
        cs.iter()
            .filter_map(|c| program.categories.get(*c as usize))
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let words = match &state.category {
        CategoryState::One(c) => format!("category {}", names(&[*c])),
        CategoryState::Coexisting(cs) => format!("categories {} (coexisting)", names(cs)),
        CategoryState::Ambiguous(cs) => format!("ambiguous ({})", names(cs)),
        CategoryState::None => "no category".into(),
    };
    if state.provisional {
        format!("{words}, provisional")
    } else {
        words
    }
}

/// The `expect` line that holds for what the protocol computes, in place of a failing one;
/// `None` where no one line says it (`expect provisional`, `expect withheld`).
fn computed_line(
    program: &Program,
    expect: &Expect,
    written: &sot_grammar::ast::Expect,
    text: Option<&str>,
    state: &VisitState,
) -> Option<String> {
    let flag = |f: u32| program.red_flags.get(f as usize).map(|f| f.name.as_str());
    let flag_line = |f: u32| {
        let name = flag(f)?;
        Some(match state.red_flags.get(f as usize)? {
            Tri::True => format!("expect red_flag {name}"),
            Tri::Unknown => format!("expect not_ruled_out {name}"),
            Tri::False => format!("expect ruled_out {name}"),
        })
    };
    let category = |c: &u32| program.categories.get(*c as usize).map(|c| c.name.clone());
    match expect {
        Expect::Category(_) | Expect::Categories(_) | Expect::Ambiguous => {
            Some(match &state.category {
                CategoryState::None => "expect category none".into(),
                CategoryState::One(c) => format!("expect category {}", category(c)?),
                CategoryState::Coexisting(cs) => format!(
                    "expect category {}",
                    cs.iter()
                        .map(category)
                        .collect::<Option<Vec<_>>>()?
                        .join(", ")
                ),
                CategoryState::Ambiguous(_) => "expect ambiguous".into(),
            })
        }
        Expect::Refer => Some("expect no refer".into()),
        Expect::NoRefer => Some("expect refer".into()),
        Expect::RedFlag(f)
        | Expect::NoRedFlag(f)
        | Expect::NotRuledOut(f)
        | Expect::RuledOut(f) => flag_line(*f),
        Expect::Adjustment(a, _) => {
            // The same adjustment with other arguments, else none of it.
            match state.recommended.iter().find(|r| r.adjustment == *a) {
                Some(r) => Some(format!(
                    "expect adjustment {}",
                    sot_runtime::explain::show_call(program, r.adjustment, &r.args)
                )),
                None => {
                    let ExpectKind::Adjustment(call) = &written.kind else {
                        return None;
                    };
                    Some(format!(
                        "expect no adjustment {}",
                        call_text(text?, written, call)?
                    ))
                }
            }
        }
        Expect::NoAdjustment(..) => {
            let ExpectKind::NoAdjustment(call) = &written.kind else {
                return None;
            };
            Some(format!(
                "expect adjustment {}",
                call_text(text?, written, call)?
            ))
        }
        Expect::Check(c, instance, _) => {
            let outcome = state
                .checks
                .get(*c as usize)?
                .get(instance.unwrap_or(0) as usize)?;
            let ExpectKind::Check { outcome: word, .. } = &written.kind else {
                return None;
            };
            // The line as written with its outcome word replaced.
            let at = (word.span.start - written.span.start) as usize;
            let end = (word.span.end - written.span.start) as usize;
            let text = text?;
            Some(format!(
                "{}{}{}",
                text.get(..at)?,
                outcome.word(),
                text.get(end..)?
            ))
        }
        Expect::Provisional | Expect::Withheld(..) => None,
    }
}

/// A call of an `expect` line as written (the line's text is `text`).
fn call_text<'t>(
    text: &'t str,
    line: &sot_grammar::ast::Expect,
    call: &sot_grammar::ast::Call,
) -> Option<&'t str> {
    let start = call.span.start.checked_sub(line.span.start)? as usize;
    let end = call.span.end.checked_sub(line.span.start)? as usize;
    text.get(start..end)
}
