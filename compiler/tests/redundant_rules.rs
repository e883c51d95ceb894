//! W0608 (redundant rules) against the runtime: on random protocols over small domains, every
//! finding set is evaluated (each finding also not examined). A rule the analysis calls
//! redundant must never make a call alone, and must be covered by the rules its label names;
//! a rule it does not call redundant (and that can fire, with constant arguments) must make
//! some call alone on some finding set.

use proptest::prelude::*;
use sot_compiler::{all_diagnostics, lower_file, Code, Database, Severity};
use sot_ir::{Case, Findings, Program, Value, ValueType, Visit};
use sot_runtime::visit::evaluate_case;

/// One condition of a rule's `when`.
const ATOMS: &[&str] = &[
    "a == left",
    "a == right",
    "a != none",
    "b == left",
    "b != none",
    "b == none",
    "d >= 1",
    "d >= 2",
    "d == 0",
];

/// A random rule: its conditions (joined by `and`, or by `or` when `any`), its calls, and
/// maybe a category.
#[derive(Debug, Clone)]
struct RuleSpec {
    atoms: Vec<usize>,
    any: bool,
    call: usize,
    category: Option<usize>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    (
        proptest::collection::vec(0..ATOMS.len(), 1..=2),
        any::<bool>(),
        0..5usize,
        proptest::option::weighted(0.3, 0..2usize),
    )
        .prop_map(|(atoms, any, call, category)| RuleSpec {
            atoms,
            any,
            call,
            category,
        })
}

fn protocol(rules: &[RuleSpec]) -> String {
    let mut text = String::from(
        "protocol \"Random\" version \"1.0\"\n\n\
         indicator a: Side?\nindicator b: Side?\nindicator d: 0..2\n\
         adjustment block(side: Side)\nadjustment rest\n\n\
         category I \"one\" { when d >= 1 }\ncategory II \"two\" { when b == right }\n\
         precedence II > I\n\n\
         red_flag stop \"stop\" {\n  when a == right and d == 2\n  refer \"refer\"\n}\n\n",
    );
    for (n, rule) in rules.iter().enumerate() {
        let joint = if rule.any { " or " } else { " and " };
        let when: Vec<&str> = rule.atoms.iter().map(|a| ATOMS[*a]).collect();
        let (when, then) = match rule.call {
            0 => (when.join(joint), "block(side: left)".to_string()),
            1 => (when.join(joint), "block(side: right)".to_string()),
            2 => (when.join(joint), "rest".to_string()),
            3 => (when.join(joint), "block(side: left), rest".to_string()),
            // A computed argument: `a` is known and not `none` whenever the rule fires.
            _ => (
                format!("a != none and ({})", when.join(joint)),
                "block(side: a)".to_string(),
            ),
        };
        let category = match rule.category {
            Some(0) => "  in category I\n",
            Some(_) => "  in category II\n",
            None => "",
        };
        text.push_str(&format!(
            "rule r{n} {{\n{category}  when {when}\n  then {then}\n}}\n\n"
        ));
    }
    text
}

/// Every finding set: each indicator takes each of its values or is not examined.
fn every_visit(program: &Program) -> Vec<Visit> {
    let mut choices: Vec<Vec<Option<Value>>> = Vec::new();
    for indicator in &program.indicators {
        let mut values: Vec<Option<Value>> = vec![None];
        match (&indicator.ty, indicator.range) {
            (ValueType::Symbols { values: names, .. }, None) => {
                values.extend((0..names.len()).map(|i| Some(Value::Num(i as f64))));
            }
            (_, Some((lo, hi))) => {
                values.extend((lo as i64..=hi as i64).map(|i| Some(Value::Num(i as f64))));
            }
            other => panic!("no values for {other:?}"),
        }
        if indicator.optional {
            values.push(Some(Value::None));
        }
        choices.push(values);
    }
    let mut visits = Vec::new();
    let mut index = vec![0; choices.len()];
    loop {
        let slots = index
            .iter()
            .zip(&choices)
            .map(|(i, values)| values[*i])
            .collect();
        visits.push(Visit {
            number: visits.len() as i64 + 1,
            label: None,
            findings: Findings::examined(slots),
            after: None,
            given: None,
            expects: Vec::new(),
        });
        let mut k = 0;
        loop {
            if k == index.len() {
                return visits;
            }
            index[k] += 1;
            if index[k] < choices[k].len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

/// The W0608 hints: the rule's name and the names its label gives.
fn hints(text: &str) -> (Program, Vec<(String, Vec<String>)>) {
    let mut db = Database::default();
    let file = db.set_file(std::path::Path::new("random.sot"), text.to_string());
    let diagnostics = all_diagnostics(&db, file);
    assert!(
        diagnostics
            .iter()
            .all(|d| d.severity() != Severity::Error && d.code != Code::W0600),
        "{text}\n{diagnostics:#?}"
    );
    let program = lower_file(&db, file).clone().expect("lowered");
    let hints = diagnostics
        .iter()
        .filter(|d| d.code == Code::W0608)
        .map(|d| {
            let name = d.message.split('`').nth(1).unwrap_or_default().to_string();
            let others = d
                .primary
                .message
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (name, others)
        })
        .collect();
    (program, hints)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn redundant_rules_agree_with_the_runtime(rules in proptest::collection::vec(rule_spec(), 2..6)) {
        let text = protocol(&rules);
        let (program, hints) = hints(&text);
        let case = Case { name: "all".into(), title: None, history: None, visits: every_visit(&program) };
        let states = evaluate_case(&program, &case);
        let name = |r: u32| program.rules[r as usize].name.clone();
        // Per rule: whether it fired somewhere, and whether it made a call alone somewhere.
        let mut fired = vec![false; program.rules.len()];
        let mut alone = vec![false; program.rules.len()];
        for state in &states {
            for rec in &state.recommended {
                let by: Vec<u32> = rec.by.iter().map(|(r, _)| *r).collect();
                for r in &by {
                    fired[*r as usize] = true;
                }
                if let [first, rest @ ..] = by.as_slice() {
                    if rest.iter().all(|r| r == first) {
                        alone[*first as usize] = true;
                    }
                }
                for (hinted, others) in &hints {
                    if by.iter().any(|r| name(*r) == *hinted) {
                        prop_assert!(
                            by.iter().any(|r| others.contains(&name(*r))),
                            "{hinted} is said to be covered by {others:?}, but {rec:?} is made by {:?}\n{text}",
                            by.iter().map(|r| name(*r)).collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
        for (r, rule) in program.rules.iter().enumerate() {
            let hinted = hints.iter().any(|(h, _)| *h == rule.name);
            prop_assert!(!(hinted && alone[r]), "{} makes a call alone\n{text}", rule.name);
            if fired[r] && !hinted {
                // A rule whose argument is computed is not checked itself.
                if rules[r].call != 4 {
                    prop_assert!(alone[r], "{} is never alone, yet no W0608\n{text}", rule.name);
                }
            }
        }
    }
}
