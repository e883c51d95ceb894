//! The evaluation plan means what the rules mean: for every rule instance whose `when` the
//! plan holds as flat tests, the tests' truth equals the expression's, on random findings
//! with values, `none` and unknowns.

use std::path::Path;

use sot_compiler::{lower_file, Database};
use sot_ir::eval::{conjunction, truth, Env};
use sot_ir::{Findings, Program, Value, ValueType};

const PROTOCOL: &str = r#"protocol "Plan shapes" version "1"

type Grade = 0..3
type Tone = normal | hypertonic
indicator grade: Grade
indicator tone: Tone
indicator flag: bool
indicator maybe: bool?
indicator side: Side?
indicator length: 0.0..40.0 mm
indicator fiber(line: 1..3, area: 1..7): Grade
adjustment adj
adjustment adjust(level: Vertebra)

rule one_test { when grade >= 2  then adj }
rule constant_left { when 2 <= grade  then adj }
rule yes_no { when flag  then adj }
rule not_yes_no { when not flag  then adj }
rule optional_yes_no { when maybe != none and maybe  then adj }
rule optional_not { when maybe != none and not maybe  then adj }
rule conjunction { when grade >= 1 and tone == hypertonic and side != none and length > 12.5 mm  then adj }
rule centimetres { when length <= 1.2 cm and side == left  then adj }
rule parametric { for area in 1..7  when fiber(line: 2, area: area) >= 2 and flag  then adjust(level: T1) }
rule nested { when flag and (grade == 0 and tone != normal)  then adj }
rule walked_or { when flag or grade == 3  then adj }
rule walked_unless { when flag  unless grade == 3  then adj }
"#;

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Random findings of the right types: unknown, `none` for optional indicators, and values
/// of the indicator's type (measures a tenth apart, so some equal the protocol's constants).
fn random_findings(program: &Program, rng: &mut Rng) -> Findings {
    let mut slots = vec![None; program.slot_count as usize];
    for indicator in &program.indicators {
        for slot in indicator.first_slot..indicator.first_slot + indicator.slots {
            let value = match rng.below(5) {
                0 => None,
                1 if indicator.optional => Some(Value::None),
                _ => Some(Value::Num(match (&indicator.ty, indicator.range) {
                    (ValueType::Bool, _) => rng.below(2) as f64,
                    (ValueType::Symbols { values, .. }, _) => rng.below(values.len() as u64) as f64,
                    (_, Some((lo, hi))) => {
                        let tenths = ((hi - lo) * 10.0).round() as u64 + 1;
                        lo + rng.below(tenths) as f64 / 10.0
                    }
                    _ => rng.below(4) as f64,
                })),
            };
            slots[slot as usize] = value;
        }
    }
    Findings::examined(slots)
}

fn check_plan(program: &Program, rounds: usize) -> usize {
    let mut rng = Rng(7);
    let mut compared = 0;
    for _ in 0..rounds {
        let findings = random_findings(program, &mut rng);
        for step in &program.plan.steps {
            let Some((start, len)) = step.tests else {
                continue;
            };
            let when = &program.rules[step.rule as usize].instances[step.instance as usize].when;
            let tests = &program.plan.tests[start as usize..(start + len) as usize];
            assert_eq!(
                conjunction(tests, &findings),
                truth(program, when, Env::visit(&findings, None)),
                "rule {} instance {} on {:?}",
                program.rules[step.rule as usize].name,
                step.instance,
                findings.slots
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn flat_tests_mean_what_the_expressions_mean() {
    let mut db = Database::default();
    let file = db.set_file(Path::new("plan.sot"), PROTOCOL.to_string());
    let program = lower_file(&db, file).clone().expect("the protocol lowers");
    let flat: Vec<&str> = program
        .plan
        .steps
        .iter()
        .filter(|s| s.tests.is_some() && s.instance == 0)
        .map(|s| program.rules[s.rule as usize].name.as_str())
        .collect();
    // Every conjunction of tests is flat; `or` and `unless` are walked.
    assert_eq!(
        flat,
        [
            "one_test",
            "constant_left",
            "yes_no",
            "not_yes_no",
            "optional_yes_no",
            "optional_not",
            "conjunction",
            "centimetres",
            "parametric",
            "nested"
        ]
    );
    assert_eq!(program.plan.steps.len(), 12 + 6);
    assert!(check_plan(&program, 2000) > 2000 * 10);
}

#[test]
fn the_library_plans_agree_with_its_expressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocols/sot");
    let mut db = Database::default();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("protocols/sot exists") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        files.push(db.set_file(&path, text));
    }
    let mut compared = 0;
    for file in files {
        let program = lower_file(&db, file).clone().expect("the library lowers");
        compared += check_plan(&program, 300);
    }
    assert!(compared > 1000, "only {compared} comparisons");
}
