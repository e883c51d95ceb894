//! The SAT solver of the analyses against its oracle, the first analyses' backtracking
//! search: on random conditions, on every fixture and on the library, wherever the search
//! finishes both must give the same answer; every example the solver gives must hold when
//! evaluated, and be minimal (leaving out any one of its findings breaks it).

use std::path::Path;

use proptest::prelude::*;
use sot_compiler::{lower_file, oracle_search, Answer, Database, Solver};
use sot_ir::eval::{truth, Env, Tri};
use sot_ir::{Category, Cmp, Expr, Findings, Indicator, Phase, Program, Value, ValueType};

/// Asks both; returns whether the search finished. The analyses' own solver (a short search
/// first) must give the SAT solver's answer too, with examples as good.
fn agree(program: &Program, goals: &[(&Expr, Tri)]) -> bool {
    let answer = Solver::sat_only(program, &|| {}).ask_truth(goals);
    let quick = Solver::new(program, &|| {}).ask_truth(goals);
    match (&answer, &quick) {
        (Answer::Possible(_), Answer::Possible(example)) => verified(program, goals, example),
        (Answer::Impossible, Answer::Impossible) | (Answer::Undecided(_), _) => {}
        (answer, quick) => panic!("SAT {answer:?}, with the short search {quick:?} for {goals:?}"),
    }
    if let Answer::Possible(example) = &answer {
        verified(program, goals, example);
    }
    // A guard against hostile input (W0600) may stop the solver: not a disagreement.
    if matches!(answer, Answer::Undecided(_)) {
        return false;
    }
    let Some(oracle) = oracle_search(program, goals) else {
        return false;
    };
    match (&answer, oracle) {
        (Answer::Possible(_), Some(_)) | (Answer::Impossible, None) => true,
        (answer, oracle) => panic!("solver {answer:?}, search {oracle:?} for {goals:?}"),
    }
}

/// The example holds and is minimal (leaving out any one of its findings breaks it).
fn verified(program: &Program, goals: &[(&Expr, Tri)], example: &[((Option<Phase>, u32), Value)]) {
    assert!(
        holds(program, goals, example),
        "example {example:?} for {goals:?}"
    );
    for skip in 0..example.len() {
        let mut fewer = example.to_vec();
        fewer.remove(skip);
        assert!(
            !holds(program, goals, &fewer),
            "example {example:?} is not minimal for {goals:?}"
        );
    }
}

fn holds(
    program: &Program,
    goals: &[(&Expr, Tri)],
    example: &[((Option<Phase>, u32), Value)],
) -> bool {
    let empty = Findings::examined(vec![None; program.slot_count as usize]);
    let mut blocks = [empty.clone(), empty.clone(), empty.clone(), empty];
    for ((phase, slot), value) in example {
        let b = match phase {
            None => 0,
            Some(Phase::Before) => 1,
            Some(Phase::After) => 2,
            Some(Phase::Previous) => 3,
        };
        blocks[b].slots[*slot as usize] = Some(*value);
    }
    let env = Env {
        now: Some(&blocks[0]),
        before: Some(&blocks[1]),
        after: Some(&blocks[2]),
        previous: Some(&blocks[3]),
    };
    goals
        .iter()
        .all(|(e, want)| truth(program, e, env) == *want)
}

/// Slots: 0–2 yes/no, 3–4 `Side?`, 5 a grade `0..3`, 6 a length `0.0..40.0 mm` (optional).
fn program(conditions: Vec<Expr>) -> Program {
    let indicator = |name: &str, ty: ValueType, optional, range, slot| Indicator {
        name: name.into(),
        doc: None,
        params: Vec::new(),
        ty,
        optional,
        range,
        first_slot: slot,
        slots: 1,
    };
    let side = ValueType::Symbols {
        name: "Side".into(),
        values: vec!["left".into(), "right".into()],
    };
    let mm = ValueType::Measure { unit: "mm".into() };
    let indicators = vec![
        indicator("a", ValueType::Bool, false, None, 0),
        indicator("b", ValueType::Bool, false, None, 1),
        indicator("c", ValueType::Bool, false, None, 2),
        indicator("fossa", side.clone(), true, None, 3),
        indicator("leg", side, true, None, 4),
        indicator("grade", ValueType::Int, false, Some((0.0, 3.0)), 5),
        indicator("length", mm, true, Some((0.0, 40.0)), 6),
    ];
    let n = conditions.len();
    Program {
        slot_count: 7,
        slot_indicator: (0..7).collect(),
        indicators,
        categories: conditions
            .into_iter()
            .enumerate()
            .map(|(i, when)| Category {
                file: String::new(),
                name: format!("C{i}"),
                title: None,
                doc: None,
                when,
            })
            .collect(),
        outranks: vec![vec![false; n]; n],
        ..Program::default()
    }
}

const CMPS: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];

fn atom() -> impl Strategy<Value = Expr> {
    let phase = prop_oneof![Just(None), Just(Some(Phase::Previous))];
    prop_oneof![
        (phase.clone(), 0u32..3).prop_map(|(p, s)| Expr::Slot(p, s)),
        (
            phase.clone(),
            3u32..5,
            prop_oneof![
                Just(Value::None),
                Just(Value::Num(0.0)),
                Just(Value::Num(1.0))
            ],
            any::<bool>()
        )
            .prop_map(|(p, s, v, eq)| Expr::Test(
                p,
                s,
                if eq { Cmp::Eq } else { Cmp::Ne },
                v
            )),
        (phase.clone(), 0usize..6, 0u32..4).prop_map(|(p, op, v)| Expr::Test(
            p,
            5,
            CMPS[op],
            Value::Num(f64::from(v))
        )),
        (
            phase.clone(),
            0usize..6,
            prop_oneof![Just(2.5), Just(6.0), Just(10.0), Just(20.0)]
        )
            .prop_map(|(p, op, v)| Expr::Test(p, 6, CMPS[op], Value::Num(v))),
        (0usize..6, 5u32..7, 5u32..7).prop_map(|(op, l, r)| Expr::Compare(
            CMPS[op],
            Box::new(Expr::Slot(None, l)),
            Box::new(Expr::Slot(Some(Phase::Previous), r))
        )),
        Just(Expr::Compare(
            Cmp::Ne,
            Box::new(Expr::Slot(None, 3)),
            Box::new(Expr::Slot(None, 4))
        )),
    ]
}

fn condition() -> impl Strategy<Value = Expr> {
    atom().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::Or),
            (prop::collection::vec(inner, 1..5), 0u32..6)
                .prop_map(|(items, n)| Expr::AtLeast(n, items)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn solver_agrees_with_the_search_on_random_conditions(
        conditions in prop::collection::vec(condition(), 1..4),
        wanted in prop::collection::vec(any::<bool>(), 3),
    ) {
        let program = program(conditions);
        let goals: Vec<(&Expr, Tri)> = program
            .categories
            .iter()
            .zip(&wanted)
            .map(|(c, w)| (&c.when, if *w { Tri::True } else { Tri::False }))
            .collect();
        prop_assert!(agree(&program, &goals), "the search gave up on a small question");
    }
}

fn sot_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sot_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sot") {
            out.push(path);
        }
    }
}

#[test]
fn solver_agrees_with_the_search_on_fixtures_and_the_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    sot_files(&root.join("tests/fixtures/check"), &mut files);
    sot_files(&root.join("protocols"), &mut files);
    files.sort();
    let (mut questions, mut finished) = (0, 0);
    // The fixtures made to defeat the search (it would spend its whole budget on each
    // question of them, minutes in all) are the solver's own tests in check_fixtures.
    let beyond_the_search = ["W0600_", "W0602_cardinality", "W0602_pigeonhole"];
    files.retain(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        !beyond_the_search.iter().any(|p| name.starts_with(p))
    });
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut db = Database::default();
        let file = db.set_file(&path, text);
        let Some(program) = lower_file(&db, file).as_ref() else {
            continue;
        };
        let mut conditions: Vec<&Expr> = program.categories.iter().map(|c| &c.when).collect();
        conditions.extend(program.red_flags.iter().map(|r| &r.when));
        conditions.extend(
            program
                .rules
                .iter()
                .flat_map(|r| r.instances.iter().map(|i| &i.when)),
        );
        for when in conditions {
            for wanted in [Tri::True, Tri::False] {
                questions += 1;
                finished += usize::from(agree(program, &[(when, wanted)]));
            }
        }
    }
    // The search finishes on nearly all of them: the comparison is not vacuous.
    assert!(
        questions > 300 && finished * 10 > questions * 9,
        "{finished} of {questions}"
    );
}
