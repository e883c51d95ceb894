//! Code lenses: above each case visit, what the protocol computes for it (evaluated with the
//! runtime, history applied, so the lens follows the protocol as it changes): red flags first
//! (raised, then not ruled out), then the category, then the adjustments, then the findings
//! that were untestable.

use sot_compiler::{
    file_items, file_line_index, lower_file, parse_item, Database, Encoding, SourceFile,
};
use sot_grammar::ast::{ItemData, Span};
use tower_lsp_server::ls_types::*;

use crate::range;

/// A lens above each case visit with what the protocol computes for it.
pub(crate) fn code_lenses(db: &Database, file: SourceFile, encoding: Encoding) -> Vec<CodeLens> {
    let index = file_line_index(db, file);
    let Some(program) = lower_file(db, file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let visits = visits(db, file);
    for case in &program.cases {
        let states = sot_runtime::visit::evaluate_case(program, case);
        let findings = sot_runtime::visit::case_findings(case);
        for ((visit, state), now) in case.visits.iter().zip(&states).zip(&findings) {
            let Some((_, _, span)) = visits
                .iter()
                .find(|(c, n, _)| *c == case.name && *n == visit.number)
            else {
                continue;
            };
            let category = crate::expectations::category_words(program, state);
            // A referral recommends nothing (the red flags above say why).
            let what = if state.referred() || state.recommended.is_empty() {
                "no adjustment".to_string()
            } else {
                state
                    .recommended
                    .iter()
                    .map(|r| sot_runtime::explain::show_call(program, r.adjustment, &r.args))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let flags = red_flags(program, &state.red_flags);
            let untestable = untestable(program, now);
            out.push(CodeLens {
                range: range(index, span.start as usize, span.end as usize, encoding),
                command: Some(Command {
                    title: format!("{flags}{category} · {what}{untestable}"),
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
    }
    out
}

/// The red flags a visit raises and those it does not rule out, as the start of a lens
/// title (`refer: cauda_equina (emergency) · not ruled out: fracture · `), most urgent
/// first, or nothing when every red flag is ruled out. Long lists name the first three and
/// count the rest.
fn red_flags(program: &sot_ir::Program, truth: &[sot_ir::eval::Tri]) -> String {
    use sot_ir::eval::Tri;
    let names = |want: Tri| -> Vec<String> {
        let mut flags: Vec<&sot_ir::RedFlag> = program
            .red_flags
            .iter()
            .zip(truth)
            .filter(|(_, t)| **t == want)
            .map(|(f, _)| f)
            .collect();
        flags.sort_by_key(|f| (f.urgency.is_none(), f.urgency));
        flags
            .iter()
            .map(|f| match f.urgency {
                Some(u) => format!("{} ({})", f.name, u.word()),
                None => f.name.clone(),
            })
            .collect()
    };
    let list = |names: &[String]| -> String {
        match names.len() {
            0..=3 => names.join(", "),
            n => format!("{} and {} more", names[..3].join(", "), n - 3),
        }
    };
    let mut out = String::new();
    let raised = names(Tri::True);
    if !raised.is_empty() {
        out.push_str(&format!("refer: {} · ", list(&raised)));
    }
    let open = names(Tri::Unknown);
    if !open.is_empty() {
        out.push_str(&format!("not ruled out: {} · ", list(&open)));
    }
    out
}

/// The end of a lens title naming the visit's untestable findings, its own or the history's
/// (` · untestable: arm_fossa`), or nothing. The findings of one indicator read once: a
/// parameter they cover every value of reads `_` (`occipital_fiber(line: _, area: _)`, as a
/// wildcard finding is written), and when some combinations are not untestable (an exact
/// finding beat the wildcard) the count follows (`(20 of 21)`). Long lists name the first
/// three and count the rest.
fn untestable(program: &sot_ir::Program, findings: &sot_ir::Findings) -> String {
    // The untestable slots of each indicator, in the order of their first slot.
    let mut groups: Vec<(&sot_ir::Indicator, Vec<u32>)> = Vec::new();
    for u in &findings.untestable {
        let Some(indicator) = program
            .slot_indicator
            .get(u.slot as usize)
            .and_then(|i| program.indicators.get(*i as usize))
        else {
            continue;
        };
        match groups.iter_mut().find(|(i, _)| std::ptr::eq(*i, indicator)) {
            Some((_, slots)) => slots.push(u.slot),
            None => groups.push((indicator, vec![u.slot])),
        }
    }
    let names: Vec<String> = groups
        .iter()
        .flat_map(|(indicator, slots)| folded(indicator, slots))
        .collect();
    match names.len() {
        0 => String::new(),
        1..=3 => format!(" · untestable: {}", names.join(", ")),
        n => format!(
            " · untestable: {} and {} more",
            names[..3].join(", "),
            n - 3
        ),
    }
}

/// An indicator's untestable slots as one name with `_` for each parameter whose every
/// value they cover and the value for each they fix (with `(n of m)` when they are fewer
/// than the combinations so named), or one name per slot when several parameters vary
/// over only some of their values.
fn folded(indicator: &sot_ir::Indicator, slots: &[u32]) -> Vec<String> {
    if indicator.params.is_empty() || slots.len() < 2 {
        return slots.iter().map(|s| indicator.show_slot(*s)).collect();
    }
    // Each slot's value index per parameter (mixed radix, the last parameter fastest).
    let digits = |slot: u32| {
        let mut rest = slot.saturating_sub(indicator.first_slot);
        let mut out = vec![0; indicator.params.len()];
        for (i, (_, domain)) in indicator.params.iter().enumerate().rev() {
            out[i] = rest % domain.size.max(1);
            rest /= domain.size.max(1);
        }
        out
    };
    let all: Vec<Vec<u32>> = slots.iter().map(|s| digits(*s)).collect();
    let mut parts = Vec::new();
    let mut named = 1u64;
    for (i, (name, domain)) in indicator.params.iter().enumerate() {
        let mut seen: Vec<u32> = all.iter().map(|d| d[i]).collect();
        seen.sort_unstable();
        seen.dedup();
        match seen.as_slice() {
            [one] => parts.push(format!("{name}: {}", domain.ty.show(domain.value(*one)))),
            _ if seen.len() as u32 == domain.size => {
                parts.push(format!("{name}: _"));
                named *= u64::from(domain.size);
            }
            // Several values but not all: no single name says it.
            _ => return slots.iter().map(|s| indicator.show_slot(*s)).collect(),
        }
    }
    let name = format!("{}({})", indicator.name, parts.join(", "));
    if named == slots.len() as u64 {
        vec![name]
    } else {
        vec![format!("{name} ({} of {named})", slots.len())]
    }
}

/// Each case visit of a file: `(case, visit number, span of the `visit` line)`.
fn visits(db: &Database, file: SourceFile) -> Vec<(String, i64, Span)> {
    let mut out = Vec::new();
    for item in file_items(db, file) {
        let Some(parsed) = parse_item(db, *item).item.as_ref() else {
            continue;
        };
        if let ItemData::Case(c) = &parsed.data {
            for v in &c.visits {
                out.push((
                    c.name.text.clone(),
                    v.number,
                    v.number_span.shift(item.offset(db)),
                ));
            }
        }
    }
    out
}
