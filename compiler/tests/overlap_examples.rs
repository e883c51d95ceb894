//! W0601 gives an example of findings that make two categories true; these tests run each
//! example through the interpreter to confirm it, for every fixture that has one.

use std::path::Path;

use sot_compiler::{category_overlaps, lower_file, Database};
use sot_ir::{Findings, Phase, Visit};
use sot_runtime::evaluate::Tri;
use sot_runtime::visit::{evaluate_visit, Previous};

fn confirm_examples(path: &str) -> usize {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let text = std::fs::read_to_string(&full).expect("fixture");
    let mut db = Database::default();
    let file = db.set_file(&full, text);
    let program = lower_file(&db, file)
        .as_ref()
        .expect("the fixture has no errors");
    let overlaps = category_overlaps(program);
    for (a, b, example) in &overlaps {
        // The example's `previous.` findings are a visit of their own, before this one.
        let mut findings = Findings::examined(vec![None; program.slot_count as usize]);
        let mut previous = findings.clone();
        for ((phase, slot), value) in example {
            let block = match phase {
                None => &mut findings,
                Some(Phase::Previous) => &mut previous,
                Some(other) => panic!("categories read no {other:?} findings"),
            };
            block.slots[*slot as usize] = Some(*value);
        }
        let visit = |number, findings| Visit {
            number,
            label: None,
            findings,
            after: None,
            given: None,
            expects: Vec::new(),
        };
        let (before, visit) = (visit(1, previous), visit(2, findings));
        let before_state = evaluate_visit(program, &before, &before.findings, None);
        let state = evaluate_visit(
            program,
            &visit,
            &visit.findings,
            Some(Previous {
                visit: &before,
                state: &before_state,
                findings: &before.findings,
            }),
        );
        assert_eq!(
            state.categories[*a as usize],
            Tri::True,
            "{path}: example {example:?}"
        );
        assert_eq!(
            state.categories[*b as usize],
            Tri::True,
            "{path}: example {example:?}"
        );
    }
    overlaps.len()
}

#[test]
fn overlap_examples_make_both_categories_true() {
    assert_eq!(
        confirm_examples("tests/fixtures/check/W0601_categories_overlap.sot"),
        1
    );
    assert_eq!(
        confirm_examples("tests/fixtures/run/category_ambiguous.sot"),
        2
    );
    assert_eq!(
        confirm_examples("tests/fixtures/check/W0601_exclusive_categories_need_no_precedence.sot"),
        0
    );
    assert_eq!(
        confirm_examples("tests/fixtures/check/W0601_categories_overlap_across_visits.sot"),
        1
    );
}
