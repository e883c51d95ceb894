//! The code action "write a case that exercises this rule", in process: offered on a rule
//! some binding of which no case fires, its case applied to the text and the text checked
//! again (no diagnostics, every `expect` line holds, coverage counts the rule); not offered
//! on a covered rule or on one that can never fire; disabled, saying why, on a rule the
//! analysis cannot decide.

mod common;

use common::{find, Harness};
use serde_json::{json, Value};
use sot_compiler::{all_diagnostics, lower_file, Database};
use sot_runtime::expect::{test_case, Coverage};

const URI: &str = "file:///lsp-case-for-rule/protocol.sot";

/// The one diagnostic of [`PROTOCOL`], before and after a case is added.
fn never() -> Vec<String> {
    vec!["W0602 rule `never` can never fire".to_string()]
}

/// The protocol of LANGUAGE.md §1 cut down, with one case that covers `occipital_line_two`
/// at area 3 only.
const PROTOCOL: &str = "type Nutation = normal | limited | fixed

indicator arm_fossa: Side?
indicator short_leg: Side?
indicator leg_length_difference: 0.0..40.0 mm
indicator pelvic_torsion: bool
indicator sacral_nutation: Nutation
indicator pain_on_cough: bool
indicator occipital_fiber(line: 1..3, area: 1..7): 0..3
indicator osteoporosis: bool
indicator saddle_anesthesia: bool

adjustment block(category: Category, short_leg: Side)
adjustment adjust(level: Vertebra)

table line2_level(area: 1..7): Vertebra {
  1 => T1
  2 => T2
  3 => T3
  _ => T4
}

category I {
  when pelvic_torsion and sacral_nutation == limited
}
category II {
  when arm_fossa != none
}
category III {
  when any of (pain_on_cough, leg_length_difference >= 10 mm)
}
precedence III > II > I

red_flag cauda_equina {
  when saddle_anesthesia
  refer urgent \"Urgent medical referral; do not adjust\"
}

rule block_category_two {
  in category II
  when short_leg != none
  unless osteoporosis
  then block(category: II, short_leg: short_leg)
}

rule occipital_line_two {
  for area in 1..7
  when occipital_fiber(line: 2, area: area) >= 2
  then adjust(level: line2_level(area))
}

rule torsion_worse {
  when pelvic_torsion and previous.sacral_nutation == normal and sacral_nutation == fixed
  then adjust(level: T1)
}

rule never {
  when leg_length_difference > 30 mm and leg_length_difference < 20 mm
  then adjust(level: T2)
}

case maria {
  visit 1 {
    findings {
      occipital_fiber(line: 2, area: 3) = 2
    }
    expect adjustment adjust(level: T3)
  }
}

rule after_the_case {
  when sacral_nutation == limited
  then adjust(level: T5)
}
";

/// The actions at `needle` (their titles and the JSON of each).
async fn actions_at(h: &mut Harness, uri: &str, text: &str, needle: &str) -> Vec<Value> {
    let (l, c) = find(text, needle);
    h.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": l, "character": c}, "end": {"line": l, "character": c}},
               "context": {"diagnostics": []}}),
    )
    .await
    .as_array()
    .cloned()
    .unwrap_or_default()
}

/// The action whose title starts "Write a case", if offered.
fn write_case(actions: &[Value]) -> Option<&Value> {
    actions.iter().find(|a| {
        a["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Write a case"))
    })
}

/// `text` with the action's one edit (an insertion; ASCII text) applied.
fn apply(text: &str, uri: &str, action: &Value) -> String {
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .expect("an edit of the document");
    assert_eq!(edits.len(), 1, "{action}");
    let edit = &edits[0];
    assert_eq!(edit["range"]["start"], edit["range"]["end"], "an insertion");
    let line = edit["range"]["start"]["line"].as_u64().expect("line") as usize;
    let character = edit["range"]["start"]["character"].as_u64().expect("char") as usize;
    let at = text
        .split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>()
        + character;
    let mut out = text.to_string();
    out.insert_str(at, edit["newText"].as_str().expect("new text"));
    out
}

/// `text` checked as `sot check` and `sot test --coverage` would: its diagnostics (all
/// severities), whether every `expect` line holds, and what the cases fired (rule name,
/// binding index).
fn recheck(text: &str) -> (Vec<String>, bool, Vec<(String, u32)>) {
    let mut db = Database::default();
    let file = db.set_file(std::path::Path::new("/p/protocol.sot"), text.to_string());
    let diagnostics = all_diagnostics(&db, file)
        .into_iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect();
    let Some(program) = lower_file(&db, file) else {
        return (diagnostics, false, Vec::new());
    };
    let mut passed = true;
    let mut coverage = Coverage::default();
    for case in &program.cases {
        let (verdicts, states) = test_case(program, case);
        passed &= verdicts.iter().all(|v| v.passed);
        states.iter().for_each(|s| coverage.add(program, s));
    }
    let fired = coverage
        .fired
        .iter()
        .map(|(r, i)| (program.rules[*r as usize].name.clone(), *i))
        .collect();
    (diagnostics, passed, fired)
}

#[tokio::test]
async fn the_protocol_is_clean_before_the_action() {
    let (diagnostics, passed, fired) = recheck(PROTOCOL);
    assert_eq!(diagnostics, never());
    assert!(passed);
    assert_eq!(fired, vec![("occipital_line_two".to_string(), 2)]);
}

#[tokio::test]
async fn a_case_for_a_rule_in_a_category_fires_it_and_passes() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let actions = actions_at(&mut h, URI, PROTOCOL, "when short_leg != none").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    assert_eq!(
        action["title"],
        "Write a case that exercises rule `block_category_two`"
    );
    let new_text = action["edit"]["changes"][URI][0]["newText"]
        .as_str()
        .unwrap_or_default();
    // Minimal findings: the category's and the rule's, none of the other rules'; the
    // category III that outranks II known false; the `expect` lines the runtime computes.
    assert!(
        new_text.starts_with(
            "\ncase exercise_block_category_two \"Exercises rule block_category_two\" {\n  visit 1 {\n    findings {\n"
        ),
        "{new_text}"
    );
    for finding in [
        "arm_fossa = ",
        "short_leg = ",
        "osteoporosis = no",
        "pain_on_cough = no",
        "leg_length_difference = ",
    ] {
        assert!(new_text.contains(finding), "{finding}: {new_text}");
    }
    for absent in [
        "occipital_fiber",
        "sacral_nutation",
        "saddle_anesthesia",
        "pelvic_torsion",
    ] {
        assert!(!new_text.contains(absent), "{absent}: {new_text}");
    }
    assert!(new_text.contains("    expect category II\n"), "{new_text}");
    assert!(
        new_text.contains("    expect adjustment block(category: II, short_leg: "),
        "{new_text}"
    );
    // After the file's last case.
    let applied = apply(PROTOCOL, URI, action);
    assert!(
        applied.contains(
            "expect adjustment adjust(level: T3)\n  }\n}\n\ncase exercise_block_category_two"
        ),
        "{applied}"
    );
    assert!(applied.ends_with("}\n\nrule after_the_case {\n  when sacral_nutation == limited\n  then adjust(level: T5)\n}\n"));
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, never(), "{applied}");
    assert!(passed, "{applied}");
    assert!(
        fired.contains(&("block_category_two".to_string(), 0)),
        "{fired:?}"
    );
}

#[tokio::test]
async fn a_rule_with_for_gets_a_case_for_a_binding_no_case_fires() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let actions = actions_at(&mut h, URI, PROTOCOL, "rule occipital_line_two").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    // Area 3 is covered by maria: the first binding that is not, area 1.
    assert_eq!(
        action["title"],
        "Write a case that exercises rule `occipital_line_two(area: 1)`"
    );
    let applied = apply(PROTOCOL, URI, action);
    assert!(
        applied.contains("      occipital_fiber(line: 2, area: 1) = 2\n    }\n    expect category none\n    expect provisional\n    expect adjustment adjust(level: T1)\n"),
        "{applied}"
    );
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, never(), "{applied}");
    assert!(passed, "{applied}");
    assert!(
        fired.contains(&("occipital_line_two".to_string(), 0)),
        "{fired:?}"
    );
    assert!(
        fired.contains(&("occipital_line_two".to_string(), 2)),
        "{fired:?}"
    );
}

#[tokio::test]
async fn a_rule_that_reads_the_previous_visit_gets_two_visits() {
    let mut h = Harness::start(false).await;
    h.open(URI, PROTOCOL).await;
    let actions = actions_at(&mut h, URI, PROTOCOL, "previous.sacral_nutation").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    let applied = apply(PROTOCOL, URI, action);
    assert!(
        applied.contains("  visit 1 {\n    findings {\n      sacral_nutation = normal\n    }\n  }\n  visit 2 {\n    findings {\n"),
        "{applied}"
    );
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, never(), "{applied}");
    assert!(passed, "{applied}");
    assert!(
        fired.contains(&("torsion_worse".to_string(), 0)),
        "{fired:?}"
    );
}

#[tokio::test]
async fn no_case_is_offered_for_a_covered_rule_a_rule_that_never_fires_or_outside_rules() {
    let mut text = PROTOCOL.replace(
        "rule never {\n  when leg_length_difference > 30 mm and leg_length_difference < 20 mm\n  then adjust(level: T2)\n}\n",
        "",
    );
    let covered = (1..=7)
        .map(|area| format!("      occipital_fiber(line: 2, area: {area}) = 2\n"))
        .collect::<String>();
    text = text.replace("      occipital_fiber(line: 2, area: 3) = 2\n", &covered);
    text = text.replace(
        "    expect adjustment adjust(level: T3)\n",
        "    expect adjustment adjust(level: T3)\n    expect adjustment adjust(level: T1)\n",
    );
    let mut h = Harness::start(false).await;
    h.open(URI, &text).await;
    // Every binding fired by maria's visit.
    let actions = actions_at(&mut h, URI, &text, "rule occipital_line_two").await;
    assert!(write_case(&actions).is_none(), "{actions:?}");
    // A category and a case are no rules.
    let actions = actions_at(&mut h, URI, &text, "when arm_fossa != none").await;
    assert!(write_case(&actions).is_none(), "{actions:?}");
    let actions = actions_at(&mut h, URI, &text, "case maria").await;
    assert!(write_case(&actions).is_none(), "{actions:?}");

    // W0602: its `when` holds for no findings.
    let uri = "file:///lsp-case-for-rule/never.sot";
    h.open(uri, PROTOCOL).await;
    let actions = actions_at(&mut h, uri, PROTOCOL, "rule never").await;
    assert!(write_case(&actions).is_none(), "{actions:?}");
    // Its neighbour is offered one, after the case.
    let actions = actions_at(&mut h, uri, PROTOCOL, "rule after_the_case").await;
    assert!(write_case(&actions).is_some(), "{actions:?}");
}

#[tokio::test]
async fn the_case_takes_a_name_not_yet_used_and_goes_at_the_end_without_cases() {
    let text = PROTOCOL
        .replace("case maria {", "case exercise_block_category_two {")
        .replace("expect adjustment adjust(level: T3)\n  }\n}\n", "expect adjustment adjust(level: T3)\n  }\n}\n\ncase exercise_block_category_two_2 {\n  visit 1 {\n    findings {\n    }\n  }\n}\n");
    let mut h = Harness::start(false).await;
    h.open(URI, &text).await;
    let actions = actions_at(&mut h, URI, &text, "unless osteoporosis").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    let applied = apply(&text, URI, action);
    assert!(
        applied.contains(
            "\ncase exercise_block_category_two_3 \"Exercises rule block_category_two\" {"
        ),
        "{applied}"
    );
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, never(), "{applied}");
    assert!(passed && fired.contains(&("block_category_two".to_string(), 0)));

    // A file without cases: at its end, after a blank line even without a final newline.
    let text = "indicator pain_on_cough: bool\nadjustment adjust(level: Vertebra)\n\nrule cough {\n  when pain_on_cough\n  then adjust(level: T4)\n}";
    let uri = "file:///lsp-case-for-rule/no-cases.sot";
    h.open(uri, text).await;
    let actions = actions_at(&mut h, uri, text, "when pain_on_cough").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    let applied = apply(text, uri, action);
    assert_eq!(
        applied,
        format!("{text}\n\ncase exercise_cough \"Exercises rule cough\" {{\n  visit 1 {{\n    findings {{\n      pain_on_cough = yes\n    }}\n    expect category none\n    expect adjustment adjust(level: T4)\n  }}\n}}\n")
    );
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, Vec::<String>::new(), "{applied}");
    assert!(passed && fired == vec![("cough".to_string(), 0)]);
}

#[tokio::test]
async fn a_rule_whose_smallest_findings_raise_a_red_flag_gets_a_visit_without_one() {
    // The rule reads the red flag's finding: held not raised, the rule fires.
    let text = "indicator saddle_anesthesia: bool
indicator pain_on_cough: bool
adjustment adjust(level: Vertebra)

red_flag cauda_equina {
  when saddle_anesthesia
  refer urgent \"Urgent medical referral; do not adjust\"
}

rule cough_or_saddle {
  when saddle_anesthesia or pain_on_cough
  then adjust(level: T4)
}
";
    let uri = "file:///lsp-case-for-rule/red-flag.sot";
    let mut h = Harness::start(false).await;
    h.open(uri, text).await;
    let actions = actions_at(&mut h, uri, text, "rule cough_or_saddle").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    let applied = apply(text, uri, action);
    assert!(!applied.contains("expect red_flag"), "{applied}");
    let (diagnostics, passed, fired) = recheck(&applied);
    assert_eq!(diagnostics, Vec::<String>::new(), "{applied}");
    assert!(
        passed && fired == vec![("cough_or_saddle".to_string(), 0)],
        "{applied}"
    );
}

#[tokio::test]
async fn a_rule_the_analysis_cannot_decide_gets_the_action_disabled_with_the_reason() {
    // The W0600 fixture: `a + b + c > 10 and a + b + c < 5` over 2,000 candidate values of `a`.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/check/W0600_analysis_not_decided.sot"
    );
    let text = std::fs::read_to_string(path).expect("the W0600 fixture");
    let uri = "file:///lsp-case-for-rule/undecided.sot";
    let mut h = Harness::start_with(
        json!({"capabilities": {"textDocument": {"codeAction": {"disabledSupport": true}}}}),
    )
    .await;
    h.open(uri, &text).await;
    let actions = actions_at(&mut h, uri, &text, "when a + b + c > 10").await;
    let action = write_case(&actions).unwrap_or_else(|| panic!("offered: {actions:?}"));
    assert_eq!(action["title"], "Write a case that exercises rule `sums`");
    assert!(action.get("edit").is_none_or(Value::is_null), "{action}");
    assert_eq!(
        action["disabled"]["reason"],
        "the analysis did not decide whether rule `sums` can fire: the conditions are too large to encode (more than 2,000,000 clauses or 100,000 value combinations)"
    );
    // A client that cannot show a disabled action gets none; the rule's W0600 says why.
    let mut h = Harness::start(false).await;
    let diagnostics = h.open(uri, &text).await;
    let actions = actions_at(&mut h, uri, &text, "when a + b + c > 10").await;
    assert!(write_case(&actions).is_none(), "{actions:?}");
    let diagnostics = if diagnostics.iter().any(|d| d["code"] == "W0600") {
        diagnostics
    } else {
        h.diagnostics_until(uri, |d| d.iter().any(|d| d["code"] == "W0600"))
            .await
    };
    assert!(
        diagnostics.iter().any(|d| d["code"] == "W0600"
            && d["message"].as_str().is_some_and(
                |m| m.starts_with("analysis not decided: whether rule `sums` can fire")
            )),
        "{diagnostics:?}"
    );
}
