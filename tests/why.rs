//! End-to-end tests of `sot why` (and `sot run --why`): why the protocol did or did not
//! decide a rule, an adjustment, a category, a red flag or a check, on the library's cases
//! and on `tests/fixtures/why/cmrt_follow_up.sot` (a follow-up visit whose line 2 fiber fell
//! to grade 1 where the rule needs 2).

mod common;

use common::{sot, stderr, stdout};

const FOLLOW_UP: &str = "tests/fixtures/why/cmrt_follow_up.sot";
const LENA: &str = "protocols/cases/category_one_cmrt_lead.sot";

/// `sot why ARGS`, which must succeed; its standard output.
fn why(args: &[&str]) -> String {
    let mut all = vec!["why"];
    all.extend_from_slice(args);
    let out = sot(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&why(&all)).expect("valid JSON")
}

#[test]
fn why_not_a_rule_whose_when_was_false_names_the_value_needed_and_found() {
    let text = why(&[FOLLOW_UP, "--case", "paul", "--visit", "2", "cmrt_line_two"]);
    assert!(
        text.contains(
            "not fired: its `when` needs occipital_fiber(side: right, line: 2, area: 6) >= 2, found 1"
        ),
        "{text}"
    );
    // Only the visit asked for.
    assert!(!text.contains("Visit 1"), "{text}");
    insta::assert_snapshot!(text);

    let answer =
        &json(&[FOLLOW_UP, "--visit", "2", "cmrt_line_two"])["cases"][0]["visits"][0]["answers"][0];
    let binding = &answer["bindings"][0];
    assert_eq!(binding["state"], "not_fired");
    assert_eq!(
        binding["when"]["test"],
        "occipital_fiber(side: right, line: 2, area: 6) >= 2"
    );
    assert_eq!(binding["when"]["truth"], "false");
    assert_eq!(binding["findings"][0]["value"], "1");
}

#[test]
fn a_library_rule_that_needs_grade_two_and_found_one() {
    // The fiber drill's visit 1: line 3, area 5 on the right is only slight tension (1).
    let text = why(&[
        "protocols/cases/occipital_fiber_chart.sot",
        "--visit",
        "1",
        "line_three_structural(area: 5)",
    ]);
    assert!(
        text.contains("[area = 5] not fired: its `when` needs occipital_fiber(side: left, line: 3, area: 5) >= 2, found 0; or occipital_fiber(side: right, line: 3, area: 5) >= 2, found 1"),
        "{text}"
    );
    // One binding asked for: the others are not answered.
    assert!(!text.contains("area = 4"), "{text}");
}

#[test]
fn an_adjustment_no_rule_recommended_lists_every_rule_that_could_and_why_not() {
    let text = why(&[LENA, "--case", "lena", "--visit", "3", "cmrt(level: T8)"]);
    assert!(
        text.contains("The protocol does not recommend cmrt(level: T8) at this visit."),
        "{text}"
    );
    insta::assert_snapshot!(text);
    let answer =
        &json(&[LENA, "--visit", "3", "cmrt(level: T8)"])["cases"][0]["visits"][0]["answers"][0];
    assert_eq!(answer["kind"], "adjustment");
    assert_eq!(answer["recommended"].as_array().map(Vec::len), Some(0));
    // line_two_cmrt has 7 bindings, every one of which could give CMRT at T8.
    let candidates = answer["candidates"].as_array().expect("candidates");
    assert_eq!(candidates.len(), 7, "{answer}");
    assert!(candidates.iter().all(|c| c["state"] == "not_fired"));

    // In the fixture: the one rule, grade 1 where it needs 2.
    let text = why(&[FOLLOW_UP, "--visit", "2", "cmrt(level: T8)"]);
    assert!(text.contains("cmrt_line_two “Line 2 fiber: CMRT at T8”: not fired: its `when` needs occipital_fiber(side: right, line: 2, area: 6) >= 2, found 1"), "{text}");
}

#[test]
fn an_adjustment_recommended_names_its_rules_and_the_other_candidates() {
    let text = why(&[LENA, "--visit", "2", "cmrt"]);
    assert!(
        text.contains("The protocol recommends cmrt(level: T8, reflex: liver)."),
        "{text}"
    );
    // Both true parts: a nodule now (2), and a fiber still present that was present at the
    // last visit (3), read with `previous.`.
    assert!(text.contains("line_two_cmrt [area = 6] “Line 2 fiber: CMRT at the related vertebra”: any of: occipital_fiber(side: left, line: 2, area: 6) >= 2, found 2; (occipital_fiber(side: left, line: 2, area: 6) >= 1, found 2; and previous.occipital_fiber(side: left, line: 2, area: 6) >= 1, found 3)"), "{text}");
    // The six other bindings share one line, written with the binding's variable.
    assert!(text.contains("line_two_cmrt [area = 1, 2, 3, 4, 5, 7] “Line 2 fiber: CMRT at the related vertebra”: not fired: its `when` needs occipital_fiber(side: left, line: 2, area: area) >= 2, found 0"), "{text}");
}

#[test]
fn a_call_no_rule_can_give_says_so() {
    let text = why(&[FOLLOW_UP, "--visit", "1", "cmrt(level: T4)"]);
    assert!(
        text.contains("No rule of the protocol recommends cmrt(level: T4) (cmrt_line_two recommends cmrt only with other arguments)."),
        "{text}"
    );
}

#[test]
fn a_category_outranked_names_the_one_that_outranks_it() {
    let text = why(&[FOLLOW_UP, "--visit", "2", "category II"]);
    assert!(
        text.contains("holds (arm_fossa != none, found left), but Category III outranks it"),
        "{text}"
    );
    // The library: Priya's Category I under Category III at visit 3 (III and II coexist).
    let text = why(&[
        "protocols/cases/category_one_untreated_to_three.sot",
        "--visit",
        "3",
        "I",
    ]);
    assert!(text.contains("but Category III outranks it"), "{text}");
    insta::assert_snapshot!(text);
    let answer = &json(&[
        "protocols/cases/category_one_untreated_to_three.sot",
        "--visit",
        "3",
        "I",
    ])["cases"][0]["visits"][0]["answers"][0];
    assert_eq!(answer["state"], "outranked");
    assert_eq!(answer["outranked_by"][0]["name"], "III");
    // Ruth's Category II at visit 2 is not outranked: it coexists with Category III.
    let answer = &json(&[
        "protocols/cases/category_two_to_three_and_back.sot",
        "--visit",
        "2",
        "II",
    ])["cases"][0]["visits"][0]["answers"][0];
    assert_eq!(answer["state"], "coexisting", "{answer}");
}

#[test]
fn a_raised_red_flag_comes_first_and_names_every_true_finding() {
    let file = "protocols/cases/red_flag_stops_care.sot";
    let text = why(&[file, "--case", "anna", "--visit", "2", "cauda_equina"]);
    let lines: Vec<&str> = text.lines().collect();
    let visit = lines
        .iter()
        .position(|l| l.starts_with("Visit 2"))
        .expect("visit 2");
    assert!(
        lines[visit + 1].starts_with("  RED FLAG cauda_equina"),
        "{text}"
    );
    assert!(
        text.contains(
            "raised — because any of: saddle_anaesthesia, found yes; new_bladder_dysfunction, found yes"
        ),
        "{text}"
    );
    let answer =
        &json(&[file, "--case", "anna", "--visit", "2", "cauda_equina"])["cases"][0]["visits"][0];
    insta::assert_json_snapshot!(answer);
    let findings: Vec<&str> = answer["answers"][0]["condition"]["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter_map(|p| p["findings"][0]["finding"].as_str())
        .collect();
    assert_eq!(findings, ["saddle_anaesthesia", "new_bladder_dysfunction"]);
}

#[test]
fn a_red_flag_ruled_out_names_the_false_parts() {
    let text = why(&[
        "protocols/cases/red_flags_fracture_tumour.sot",
        "--visit",
        "1",
        "red_flag fracture",
    ]);
    assert!(
        text.contains(
            "ruled out: its condition needs major_trauma, found no; or minor_trauma, found no"
        ),
        "{text}"
    );
}

#[test]
fn a_check_says_which_condition_decided_its_outcome() {
    let text = why(&[
        LENA,
        "--visit",
        "2",
        "cmrt_reflex_point_falls(side: left, area: 6)",
    ]);
    assert!(text.contains("[side = left, area = 6] marginal — `need` holds: before.occipital_fiber(side: left, line: 2, area: 6) >= 1, found 3; `complete` does not hold: after.occipital_fiber(side: left, line: 2, area: 6) == 0, found 2; `marginal` holds"), "{text}");
    // Every binding: the not_needed ones share a line.
    let text = why(&[LENA, "--visit", "2", "cmrt_reflex_point_falls"]);
    assert!(text.contains("[side = left, area = 1, 2, 3, 4, 5, 7; side = right, area = 1, 2, 3, 4, 5, 6, 7] not_needed — nothing to correct; `need` does not hold: before.occipital_fiber(side: side, line: 2, area: area) >= 1, found 0"), "{text}");
    // Not applicable, and why.
    let text = why(&[FOLLOW_UP, "cmrt_reflex_point_falls"]);
    insta::assert_snapshot!(text);
    assert!(text
        .contains("not_applicable — it compares with the previous visit, and this is the first"));
    assert!(text.contains("not_applicable — it follows cmrt, which was not given at visit 2 (the protocol recommended no adjustment)"));
}

#[test]
fn a_rule_fired_withheld_not_evaluated_in_another_category_and_suspended() {
    let text = why(&[LENA, "--visit", "1", "line_two_cmrt[area = 6]"]);
    assert!(text.contains("[area = 6] fired: the protocol recommends cmrt(level: T8, reflex: liver) — because occipital_fiber(side: left, line: 2, area: 6) >= 2, found 3"), "{text}");

    let text = why(&[FOLLOW_UP, "block_category_two"]);
    insta::assert_snapshot!(text);
    for expected in [
        "withheld by its contraindication (`unless`): osteoporosis, found yes — its `when` holds: short_leg != none, found right",
        "not evaluated: it applies in Category II, and this visit's category is III",
        "suspended: red flag cauda_equina raised, so no rule is evaluated",
        "not evaluated: its `when` is undecided — short_leg != none, not examined",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }

    // The library: Sara's leg lengths were not checked.
    let text = why(&[
        "protocols/cases/incomplete_findings.sot",
        "--visit",
        "1",
        "block_category_one",
    ]);
    assert!(
        text.contains("not evaluated: its `when` is undecided — short_leg != none, not examined"),
        "{text}"
    );
}

#[test]
fn the_binding_forms_a_student_might_write_answer_alike() {
    let forms = [
        "line_two_cmrt(area: 6)",
        "line_two_cmrt[area = 6]",
        "line_two_cmrt area=6",
    ];
    let answers: Vec<String> = forms
        .iter()
        .map(|f| {
            why(&[LENA, "--visit", "1", f])
                .lines()
                .skip(3)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    // Several words are one item.
    let split = sot(&["why", FOLLOW_UP, "--visit", "2", "category", "II"]);
    assert!(stdout(&split).contains("but Category III outranks it"));
}

#[test]
fn an_unknown_item_is_a_usage_error_with_a_suggestion_and_the_kinds() {
    let out = sot(&["why", FOLLOW_UP, "cmrt_lin"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("error: no rule, adjustment, category, red flag or check named `cmrt_lin`; did you mean `cmrt_line_two` (a rule)?"),
        "{err}"
    );
    assert!(err.contains("a red flag"), "{err}");
    assert!(stdout(&out).is_empty());

    let out = sot(&["why", FOLLOW_UP, "cauda_equina_"]);
    assert!(
        stderr(&out).contains("did you mean `cauda_equina` (a red flag)?"),
        "{}",
        stderr(&out)
    );
    let out = sot(&["why", FOLLOW_UP, "check cmrt_line_two"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no check named `cmrt_line_two`"));

    // Arguments that do not fit the item.
    let out = sot(&["why", FOLLOW_UP, "cmrt(lvl: T8)"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("adjustment `cmrt` has no parameter `lvl`; its parameters: level")
    );
    let out = sot(&["why", LENA, "line_two_cmrt(area: 9)"]);
    assert!(
        stderr(&out).contains("no binding area = 9; area takes 1, 2, 3, 4, 5, 6, 7"),
        "{}",
        stderr(&out)
    );
    // A visit the case does not have.
    let out = sot(&["why", LENA, "--visit", "7", "cmrt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("case `lena` has no visit 7; its visits are 1, 2, 3"));
}

#[test]
fn run_why_answers_for_every_visit_shown() {
    let run = sot(&["run", FOLLOW_UP, "--why", "cmrt(level: T8)"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(stdout(&run), why(&[FOLLOW_UP, "cmrt(level: T8)"]));
    for visit in ["Visit 1", "Visit 2", "Visit 3", "Visit 4"] {
        assert!(stdout(&run).contains(visit));
    }
    let markdown = sot(&["run", FOLLOW_UP, "--why", "II", "--format", "markdown"]);
    assert!(stdout(&markdown).starts_with("# Case paul"));
    assert!(stdout(&markdown).contains("## Visit 2 (follow-up)"));
    let html = sot(&["run", FOLLOW_UP, "--why", "II", "--format", "html"]);
    assert_eq!(html.status.code(), Some(2));
}

#[test]
fn the_run_report_in_json_gives_every_rule_bindings_state() {
    let out = sot(&["run", "--format", "json", LENA]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rules = json["cases"][0]["visits"][2]["rules"]
        .as_array()
        .expect("rules");
    let cmrt: Vec<&serde_json::Value> = rules
        .iter()
        .filter(|r| r["rule"] == "line_two_cmrt")
        .collect();
    assert_eq!(cmrt.len(), 7);
    for r in &cmrt {
        assert_eq!(r["state"], "not_fired");
        assert_eq!(r["when"]["truth"], "false");
        // The false parts only: both sides now and, where it was false, at the last visit.
        // Area 6 was a nodule on the left at visit 2, a true part, so it is not named.
        let previous = r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["phase"] == "previous")
            .count();
        let expected = if r["binding"] == serde_json::json!(["area = 6"]) {
            1
        } else {
            2
        };
        assert_eq!(previous, expected, "{r}");
        assert_eq!(
            r["findings"].as_array().map(Vec::len),
            Some(2 + expected),
            "{r}"
        );
    }
    // Category I's rules in a visit with no category.
    let blocking = rules
        .iter()
        .find(|r| r["rule"] == "block_category_one")
        .expect("block_category_one");
    assert_eq!(blocking["state"], "other_category");
    assert_eq!(blocking["visit_categories"], serde_json::json!([]));
}

#[test]
fn only_the_parts_that_decided_a_condition_are_named() {
    let file = "tests/fixtures/why/conditions.sot";
    let visit = |n: &str, item: &str| why(&[file, "--visit", n, item]);
    // `at least 2 of`: how many held against how many were needed, and the false ones.
    assert!(visit("1", "two_of_three").contains(
        "not fired: its `when` needs at least 2 of 3, found 1; not holding: gluteal_tension, found no; first_rib_motion, found no"
    ));
    // A false `and`: its false conjuncts only.
    assert!(visit("1", "both").contains(
        "not fired: its `when` needs standing_pelvis_locked, found no; and first_rib_motion, found no"
    ));
    // A true `or`: the disjunct that held, not the false one.
    let fired = visit("1", "either");
    assert!(
        fired.contains(
            "because heel_tension, found yes; not contraindicated: osteoporosis, found no"
        ),
        "{fired}"
    );
    assert!(!fired.contains("gluteal_tension"), "{fired}");
    // Unknown: the finding not examined is said so, never taken as false, and the known
    // parts that cannot change the answer are left out.
    let unknown = visit("2", "either");
    assert!(
        unknown.contains("not evaluated: its `when` is undecided — gluteal_tension, not examined"),
        "{unknown}"
    );
    assert!(!unknown.contains("heel_tension"), "{unknown}");
    assert!(visit("2", "two_of_three")
        .contains("at least 2 of 3, 1 hold so far; undecided: gluteal_tension, not examined"));
    assert!(visit("2", "both")
        .contains("not evaluated: its `when` is undecided — standing_pelvis_locked, not examined"));
}

#[test]
fn categories_tied_or_coexisting_and_red_flags_of_another_category() {
    let tied = why(&[
        "tests/fixtures/run/category_ambiguous.sot",
        "--visit",
        "1",
        "I",
    ]);
    assert!(tied.contains("holds (pelvic_torsion, found yes), tied with Category II, which also holds, and no precedence orders them: the visit is ambiguous"), "{tied}");
    let bound = "tests/fixtures/run/red_flag_in_category.sot";
    let coexisting = why(&[bound, "--visit", "2", "III"]);
    assert!(coexisting.contains("holds and is one of the visit's categories, coexisting with Category II: pain_on_cough, found yes"), "{coexisting}");
    let other = why(&[bound, "--visit", "7", "test_flag_one"]);
    assert!(other.contains("ruled out: it applies only in Category I visits, and this visit's categories are III and II; its signs are present: test_sign_one, found yes"), "{other}");
    let undecided = why(&[bound, "--visit", "4", "motor_deficit"]);
    assert!(undecided.contains("not ruled out: its signs are present (strength_decreasing, found yes); it applies in Category III visits, and Category III is undecided: pain_on_cough, not examined"), "{undecided}");
}

#[test]
fn markdown_answers_escape_protocol_text() {
    let out = why(&[
        FOLLOW_UP,
        "--visit",
        "2",
        "cmrt_line_two",
        "--format",
        "markdown",
    ]);
    assert!(
        out.starts_with("# Case paul — Paul, 44, a CMRT lead that fades\n"),
        "{out}"
    );
    assert!(out.contains("## Visit 2 (follow-up)"), "{out}");
    assert!(out.contains("- Rule cmrt\\_line\\_two"), "{out}");
}

#[test]
fn a_name_of_two_kinds_is_answered_for_each_unless_the_kind_is_written() {
    let file = "tests/fixtures/why/conditions.sot";
    let both = why(&[file, "--visit", "1", "two_of_three"]);
    assert!(
        both.contains("Rule two_of_three “Two of three Category I signs”"),
        "{both}"
    );
    assert!(both.contains("Check two_of_three “Heel tension eases”: complete — `need` holds: before.heel_tension, found yes; `complete` holds: not after.heel_tension, found no"), "{both}");
    let rule = why(&[file, "--visit", "1", "rule two_of_three"]);
    assert!(
        rule.contains("Rule two_of_three") && !rule.contains("Check"),
        "{rule}"
    );
    let check = why(&[file, "--visit", "1", "check", "two_of_three"]);
    assert!(
        check.contains("Check two_of_three") && !check.contains("Rule"),
        "{check}"
    );
}

#[test]
fn the_help_lists_the_items_and_gives_an_example() {
    let help = stdout(&sot(&["why", "--help"]));
    for wanted in [
        "an adjustment   cmrt, or a call with some of its arguments",
        "Example: why CMRT at T8 was not recommended",
        "The protocol does not recommend cmrt(level: T8) at this visit.",
        "[area = 6] not fired: its `when` needs occipital_fiber(side: left, line: 2, area: 6) >= 2, found 0; …",
    ] {
        assert!(help.contains(wanted), "{wanted}\n{help}");
    }
    // The example's answer is the command's.
    let answer = why(&[LENA, "--case", "lena", "--visit", "3", "cmrt(level: T8)"]);
    assert!(
        answer.contains("line_two_cmrt “Line 2 fiber: CMRT at the related vertebra”:\n"),
        "{answer}"
    );
    assert!(answer.contains("[area = 1, 2, 3, 4, 5, 7] not fired: its `when` needs occipital_fiber(side: left, line: 2, area: area) >= 2, found 0; or occipital_fiber(side: right, line: 2, area: area) >= 2, found 0"), "{answer}");
    // Area 6 had a nodule at the last visit (2): its fiber, now 0, is what keeps it from care.
    assert!(answer.contains("[area = 6] not fired: its `when` needs occipital_fiber(side: left, line: 2, area: 6) >= 2, found 0; or occipital_fiber(side: right, line: 2, area: 6) >= 2, found 0; or occipital_fiber(side: left, line: 2, area: 6) >= 1, found 0"), "{answer}");
}

#[test]
fn a_visit_number_picks_the_cases_that_have_it() {
    let file = "protocols/cases/red_flag_stops_care.sot";
    let text = why(&[file, "--visit", "3", "cauda_equina"]);
    assert!(text.starts_with("Case tom"), "{text}");
    assert!(!text.contains("Case anna"), "{text}");
    let out = sot(&["why", file, "--visit", "9", "cauda_equina"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("case `anna` has no visit 9; its visits are 1, 2"));
}

#[test]
fn a_rule_whose_adjustment_depends_on_a_finding_not_examined_says_which() {
    let text = why(&[
        "tests/fixtures/run/rule_not_evaluated.sot",
        "--visit",
        "3",
        "adjust_subluxation",
    ]);
    assert!(text.contains("not evaluated: its `when` holds (pelvic_torsion, found yes), but its adjustment depends on subluxation, not examined"), "{text}");
    let text = why(&[
        "tests/fixtures/run/rule_not_evaluated.sot",
        "--visit",
        "2",
        "block_category_two",
    ]);
    assert!(text.contains("not evaluated: its `when` holds (short_leg != none, found right), but its contraindication (`unless`) was not ruled out — osteoporosis, not examined"), "{text}");
}
