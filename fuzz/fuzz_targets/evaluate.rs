//! The evaluator on well-typed protocols (the library's case files) with random findings,
//! unknowns included: evaluation, explanations, reports and practice mode (examinations, a
//! hint, a score) never panic, a visit's recommendations are empty whenever a red flag is
//! raised, and a missed red flag is a score's first item.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sot_ir::{Findings, Program, Value, Visit};
use sot_compiler::{lower_file, Database};

fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let mut db = Database::default();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocols");
        for name in ["sot/common.sot", "sot/categories.sot", "sot/corrections.sot", "sot/occipital_fibers.sot", "sot/cmrt.sot", "sot/cranial.sot", "sot/red_flags.sot"] {
            let path = root.join(name);
            let text = std::fs::read_to_string(&path).expect("library file");
            db.set_file(&path, text);
        }
        let main = root.join("cases/fuzz_all.sot");
        let uses: String = ["common", "categories", "corrections", "occipital_fibers", "cmrt", "cranial", "red_flags"]
            .iter()
            .map(|n| format!("use \"../sot/{n}.sot\"\n"))
            .collect();
        let file = db.set_file(&main, uses);
        lower_file(&db, file).clone().expect("the library is clean")
    })
}

/// Findings from bytes: per slot, unknown, `none`, or a value within (or just outside) range.
fn findings(program: &Program, data: &[u8], offset: usize) -> Findings {
    let mut slots = vec![None; program.slot_count as usize];
    for (i, slot) in slots.iter_mut().enumerate() {
        let b = data.get((offset + i) % data.len().max(1)).copied().unwrap_or(0);
        *slot = match b % 4 {
            0 => None,
            1 => Some(Value::None),
            _ => Some(Value::Num(f64::from(b / 4) - 2.0)),
        };
    }
    Findings::examined(slots)
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let program = program();
    let visit = |n: i64, offset: usize| Visit {
        number: n,
        label: None,
        findings: findings(program, data, offset),
        after: (data[0] & 1 == 1).then(|| findings(program, data, offset + 7)),
        given: None,
        expects: Vec::new(),
    };
    let case = sot_ir::Case {
        name: "fuzz".into(),
        title: None,
        history: (data[0] & 2 == 2).then(|| findings(program, data, 3)),
        visits: vec![visit(1, 0), visit(2, 13)],
    };
    let states = sot_runtime::visit::evaluate_case(program, &case);
    for state in &states {
        if state.referred() {
            assert!(state.recommended.is_empty(), "a red flag stops every recommendation");
        }
    }
    let report = sot_runtime::explain::explain_case(program, &case);
    let _ = sot_report::run::text(&report);
    let _ = sot_report::run::html(std::slice::from_ref(&report));

    // Practice mode on the second visit, on one input in four (a hint evaluates the visit
    // once per value of every finding left).
    if data[0] & 12 == 12 {
        use sot_runtime::practice::{Answer, AnswerCategory, Session, Verdict};
        let Ok(mut session) = Session::new(program, &case, 2) else {
            panic!("the case has a visit 2");
        };
        for b in data.iter().skip(1).take(8) {
            let slot = u32::from(*b) * 7 % program.slot_count.max(1);
            let _ = session.examine_slot(slot, b & 1 == 1);
        }
        let _ = sot_report::practice::hint_text(&session.hint());
        let answer = Answer {
            category: AnswerCategory::NoCategory,
            adjustments: Vec::new(),
            checks: Vec::new(),
        };
        let score = session.score(&answer);
        if score.missed_red_flag {
            assert_eq!(score.items.first().map(|i| i.verdict), Some(Verdict::Missed));
        }
        let _ = sot_report::practice::score_text(&score);
    }
});
