//! The code action "write a case that exercises this rule", on a rule of which some binding
//! no case of the file fires (the coverage of `sot test --coverage`). The findings come from
//! the analyses' solver ([`sot_compiler::exercise_rule`]): minimal, with round values, the
//! rule's `when` true, its `unless` false, its category the visit's. The runtime evaluates
//! them and writes the `expect` lines that hold, so the new case passes `sot test`; it is
//! checked to fire the binding before it is offered. A rule that can never fire (W0602) gets
//! no action; one the analysis could not decide gets the action disabled, saying why (for
//! clients that show disabled actions; the rule's W0600 says it to the others).

use std::collections::{HashMap, HashSet};

use sot_compiler::{
    exercise_rule, file_items, lower_file, show_finding, Answer, Database, SourceFile, Strictness,
};
use sot_grammar::ast::ItemKind;
use sot_ir::{Case, Findings, Phase, Program, Value, Visit};
use sot_runtime::expect::{holding_lines, Coverage};
use sot_runtime::visit::{evaluate_case, RuleState, VisitState};
use tower_lsp_server::ls_types::*;

use crate::{position, Snapshot};

/// The action for the rule item that holds the byte offsets `from..=to` of `file`, if some
/// binding of it is not covered and can fire.
pub(crate) fn action(
    s: &Snapshot,
    uri: &Uri,
    file: SourceFile,
    from: usize,
    to: usize,
) -> Option<CodeActionOrCommand> {
    let db = &s.db;
    let items = file_items(db, file);
    let item = items[..items.partition_point(|i| i.offset(db) <= from)].last()?;
    let end = item.offset(db) + item.text(db).trim_end().len();
    if item.kind(db) != Some(ItemKind::Rule) || to > end {
        return None;
    }
    let program = lower_file(db, file).as_ref()?;
    let name = item.name(db);
    let rule = program.rules.iter().position(|r| r.name == name)?;
    let title = |binding: &str| format!("Write a case that exercises rule `{name}{binding}`");
    let written = match written_case(db, file, program, rule) {
        Ok(written) => written?,
        // A client that cannot show it disabled has the rule's W0600, which says the same.
        Err(_) if !s.disabled_actions => return None,
        Err(why) => {
            return Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: title(""),
                kind: Some(CodeActionKind::REFACTOR),
                disabled: Some(CodeActionDisabled { reason: why }),
                ..CodeAction::default()
            }))
        }
    };
    let index = s.index(file);
    let at = position(index, written.at, s.encoding);
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: title(&written.binding),
        kind: Some(CodeActionKind::REFACTOR),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(
                uri.clone(),
                vec![TextEdit {
                    range: Range { start: at, end: at },
                    new_text: written.text,
                }],
            )])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

/// A case written for a rule: its text (formatted, with the blank line before it), where it
/// goes, and the binding it exercises as a title shows it (`(area: 3)`, or nothing).
struct Written {
    text: String,
    at: usize,
    binding: String,
}

/// The case that fires the first uncovered binding of `rule` that can fire: `Ok(None)` when
/// every binding is covered or none can fire; `Err` with the reason when the analysis could
/// not decide any uncovered binding.
fn written_case(
    db: &Database,
    file: SourceFile,
    program: &Program,
    rule: usize,
) -> Result<Option<Written>, String> {
    let mut coverage = Coverage::default();
    for case in &program.cases {
        salsa::Database::unwind_if_revision_cancelled(db);
        for state in evaluate_case(program, case) {
            coverage.add(program, &state);
        }
    }
    let poll = || salsa::Database::unwind_if_revision_cancelled(db);
    let mut undecided = None;
    let instances = program.rules[rule].instances.len();
    for instance in (0..instances).filter(|i| !coverage.fired.contains(&(rule as u32, *i as u32))) {
        for strictness in [Strictness::Rule, Strictness::Visit] {
            match exercise_rule(program, rule, instance, strictness, &poll) {
                Answer::Possible(example) => {
                    if let Some((case, last)) = firing_case(program, rule, instance, &example) {
                        return Ok(Some(write(
                            db, file, program, rule, instance, &case, &last,
                        )?));
                    }
                }
                // Holding more still cannot make it possible.
                Answer::Impossible => break,
                Answer::Undecided(why) => undecided = Some(why),
            }
        }
    }
    match undecided {
        Some(why) => Err(format!(
            "the analysis did not decide whether rule `{}` can fire: {}",
            program.rules[rule].name,
            why.words()
        )),
        None => Ok(None),
    }
}

/// The example as a case (a visit before when the rule reads `previous.`), with the `expect`
/// the runtime's state of its last visit; `None` unless the binding fires there.
fn firing_case(
    program: &Program,
    rule: usize,
    instance: usize,
    example: &[((Option<Phase>, u32), Value)],
) -> Option<(Case, VisitState)> {
    let findings = |phase: Option<Phase>| {
        let mut slots = vec![None; program.slot_count as usize];
        for ((p, slot), value) in example {
            if *p == phase {
                *slots.get_mut(*slot as usize)? = Some(*value);
            }
        }
        Some(Findings::examined(slots))
    };
    let visit = |number: i64, findings: Findings| Visit {
        number,
        label: None,
        findings,
        after: None,
        given: None,
        expects: Vec::new(),
    };
    let mut visits = Vec::new();
    if example
        .iter()
        .any(|((p, _), _)| *p == Some(Phase::Previous))
    {
        visits.push(visit(1, findings(Some(Phase::Previous))?));
    }
    visits.push(visit(visits.len() as i64 + 1, findings(None)?));
    let case = Case {
        name: String::new(),
        title: None,
        history: None,
        visits,
    };
    let last = evaluate_case(program, &case).pop()?;
    (last.rule(rule).get(instance) == Some(&RuleState::Fired)).then_some((case, last))
}

/// The case's text, formatted as `sot fmt` would, with the `expect` lines that hold for
/// `last` (its last visit's state) in its last visit, and where it goes: after the file's
/// last case, else at the end of the file.
fn write(
    db: &Database,
    file: SourceFile,
    program: &Program,
    rule: usize,
    instance: usize,
    case: &Case,
    last: &VisitState,
) -> Result<Written, String> {
    let r = &program.rules[rule];
    let binding = match &r.instances[instance].binding {
        b if b.is_empty() => String::new(),
        b => format!(
            "({})",
            b.iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let taken: HashSet<String> = crate::analysis::definitions(db, file)
        .into_iter()
        .map(|d| d.name)
        .chain(program.cases.iter().map(|c| c.name.clone()))
        .collect();
    let base = format!("exercise_{}", r.name);
    let name = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or(base);
    let mut text = format!("case {name} \"Exercises rule {}{binding}\" {{\n", r.name);
    for (i, visit) in case.visits.iter().enumerate() {
        text.push_str(&format!("visit {} {{\nfindings {{\n", visit.number));
        for (slot, value) in visit.findings.slots.iter().enumerate() {
            if let Some(line) = value.and_then(|v| show_finding(program, slot as u32, v)) {
                text.push_str(&format!("{line}\n"));
            }
        }
        text.push_str("}\n");
        // The expectations where the rule fires: the last visit.
        if i + 1 == case.visits.len() {
            for line in holding_lines(program, last) {
                text.push_str(&format!("{line}\n"));
            }
        }
        text.push_str("}\n");
    }
    text.push_str("}\n");
    let text = sot_grammar::format_file(&text).map_err(|e| {
        format!(
            "the written case does not parse ({}): please report this",
            e.message
        )
    })?;
    let items = file_items(db, file);
    let source = file.text(db);
    let last_case = items
        .iter()
        .rev()
        .find(|i| i.kind(db) == Some(ItemKind::Case));
    let (at, text) = match last_case {
        Some(item) => (
            crate::actions::item_end(db, file, item.offset(db)),
            format!("\n{text}"),
        ),
        None if source.is_empty() => (0, text),
        None if source.ends_with('\n') => (source.len(), format!("\n{text}")),
        None => (source.len(), format!("\n\n{text}")),
    };
    Ok(Written { text, at, binding })
}
