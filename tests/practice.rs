//! Practice mode: the engine (`sot_runtime::practice`) on the protocol of
//! `tests/fixtures/practice/practice.sot`, and `sot practice` end to end with a piped session.

mod common;

use std::path::Path;

use common::{repo, sot, sot_with_input, stderr, stdout};
use sot_compiler::{lower_file, Database};
use sot_ir::Program;
use sot_runtime::explain::{show_call, FindingValue};
use sot_runtime::practice::{
    parse_call, parse_categories, parse_check, Answer, AnswerCategory, Changed, ExamineError,
    Revealed, Session, Subject, Verdict,
};
use sot_runtime::visit::Outcome;

const FIXTURE: &str = "tests/fixtures/practice/practice.sot";

fn program() -> Program {
    let text = std::fs::read_to_string(repo().join(FIXTURE)).expect("the fixture reads");
    let mut db = Database::default();
    let file = db.set_file(Path::new("practice.sot"), text);
    lower_file(&db, file).clone().expect("the fixture lowers")
}

fn session(program: &Program, visit: i64) -> Session<'_> {
    let case = program.cases.first().expect("the fixture has a case");
    Session::new(program, case, visit).expect("the visit exists")
}

fn value(v: &str) -> Revealed {
    Revealed::Value {
        value: v.into(),
        from_history: false,
    }
}

fn names(findings: &[FindingValue]) -> Vec<&str> {
    findings.iter().map(|f| f.finding.as_str()).collect()
}

fn examine_all(s: &mut Session, findings: &[&str]) {
    for f in findings {
        s.examine(f).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn examining_reveals_what_the_case_records() {
    let program = program();
    let mut s = session(&program, 1);
    let one = |s: &mut Session, text: &str| {
        let mut found = s.examine(text).expect("examines");
        assert_eq!(found.len(), 1, "{text}");
        found.remove(0)
    };
    assert_eq!(one(&mut s, "arm_fossa").revealed, value("left"));
    assert_eq!(one(&mut s, "leg_length_difference").revealed, value("4 mm"));
    assert_eq!(
        one(&mut s, "pain_on_cough").revealed,
        Revealed::Untestable {
            reason: Some("patient could not cough on request".into())
        }
    );
    assert_eq!(
        one(&mut s, "osteoporosis").revealed,
        Revealed::Value {
            value: "no".into(),
            from_history: true
        }
    );
    // A wildcard of the case is a value of each combination.
    assert_eq!(
        one(&mut s, "occipital_fiber(line: 2, area: 3)").revealed,
        value("0")
    );
    // Visit 1 has no `after` block.
    assert_eq!(
        one(&mut s, "after.arm_fossa").revealed,
        Revealed::NotRecorded
    );
    // Examining again says so and is remembered once.
    let again = one(&mut s, "arm_fossa");
    assert!(again.again);
    let examined: Vec<String> = s.examined().into_iter().map(|e| e.finding).collect();
    assert_eq!(
        examined,
        [
            "arm_fossa",
            "leg_length_difference",
            "pain_on_cough",
            "osteoporosis",
            "occipital_fiber(line: 2, area: 3)",
            "after.arm_fossa"
        ]
    );

    let mut s = session(&program, 3);
    assert_eq!(one(&mut s, "short_leg").revealed, Revealed::NotRecorded);
    let mut s = session(&program, 2);
    assert_eq!(one(&mut s, "after.arm_fossa").revealed, value("none"));
}

#[test]
fn a_parameter_left_out_examines_each_of_its_values() {
    let program = program();
    let mut s = session(&program, 2);
    let line: Vec<(String, Revealed)> = s
        .examine("occipital_fiber(line: 2)")
        .expect("examines")
        .into_iter()
        .map(|e| (e.finding, e.revealed))
        .collect();
    assert_eq!(line.len(), 7);
    assert_eq!(
        line[2],
        ("occipital_fiber(line: 2, area: 3)".into(), value("2"))
    );
    assert_eq!(
        line[3],
        ("occipital_fiber(line: 2, area: 4)".into(), value("0"))
    );
    let marked = s
        .examinable()
        .into_iter()
        .filter(|e| e.revealed.is_some())
        .count();
    assert_eq!(marked, 7);
}

#[test]
fn findings_not_in_the_protocol_are_refused_in_words() {
    let program = program();
    let mut s = session(&program, 1);
    match s.examine("arm_fosa") {
        Err(ExamineError::UnknownIndicator { name, known }) => {
            assert_eq!(name, "arm_fosa");
            assert!(known.contains(&"arm_fossa".to_string()));
        }
        other => panic!("{other:?}"),
    }
    for (text, says) in [
        ("occipital_fiber(line: 9)", "`9` is not a value of `line`"),
        ("occipital_fiber(side: left)", "no parameter `side`"),
        ("arm_fossa(left)", "`arm_fossa` takes no arguments"),
        ("rule block_category_two", "name a finding"),
        ("occipital_fiber(line: 2", "without its `)`"),
    ] {
        let e = s.examine(text).expect_err(text).to_string();
        assert!(e.contains(says), "{text}: {e}");
    }
    assert!(s.examined().is_empty());
}

#[test]
fn the_hint_names_the_finding_that_can_change_the_most() {
    let program = program();
    let s = session(&program, 1);
    let hint = s.hint();
    assert!(hint.approximate.is_empty(), "{:?}", hint.approximate);
    let best = hint.best().expect("a hint");
    // A raised red flag suspends every rule: its sign can change more than anything else.
    assert_eq!(best.finding, "saddle_anesthesia");
    assert!(best.changes.contains(&Changed::RedFlag {
        name: "cauda_equina".into()
    }));
    let counts: Vec<usize> = hint.ranked.iter().map(|h| h.changes.len()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "ranked by how many outcomes each can change: {counts:?}"
    );
    // Every finding the protocol reads is a candidate before anything is examined; the
    // ranking is the same every time.
    assert_eq!(s.hint(), hint);
    // A contraindication of a Category II rule changes nothing while no category holds;
    // once Category II and the short leg are revealed, it decides the block.
    let candidate = |s: &Session| s.hint().ranked.iter().any(|h| h.finding == "osteoporosis");
    assert!(!candidate(&s));
    let mut s = s;
    examine_all(&mut s, &["arm_fossa", "short_leg"]);
    assert!(candidate(&s));
}

#[test]
fn the_hint_never_reads_the_hidden_values() {
    let program = program();
    // Visits 1 and 2 record different values; with the same findings revealed (their
    // values equal) the hints are the same.
    let mut one = session(&program, 1);
    let mut two = session(&program, 2);
    for s in [&mut one, &mut two] {
        examine_all(s, &["arm_fossa", "short_leg", "pelvic_torsion"]);
    }
    assert_eq!(one.hint(), two.hint());
}

#[test]
fn a_measure_is_tried_on_each_side_of_the_protocols_threshold() {
    let program = program();
    let mut s = session(&program, 2);
    // Everything but leg_length_difference: Category III is unknown (pain_on_cough no,
    // the difference not examined), which makes II provisional; 10 mm decides it.
    let every: Vec<String> = s
        .examinable()
        .into_iter()
        .map(|e| e.finding)
        .filter(|f| f != "leg_length_difference")
        .collect();
    for f in &every {
        s.examine(f).expect("examines");
    }
    let hint = s.hint();
    let best = hint.best().expect("a hint");
    assert_eq!(best.finding, "leg_length_difference");
    assert!(best.changes.contains(&Changed::Category), "{best:?}");
    assert_eq!(hint.ranked.len(), 1);
    s.examine("leg_length_difference").expect("examines");
    assert_eq!(s.hint().best(), None, "nothing left can change the outcome");
}

#[test]
fn a_missed_red_flag_is_the_first_item_of_the_score() {
    let program = program();
    let mut s = session(&program, 1);
    examine_all(&mut s, &["arm_fossa", "short_leg", "pelvic_torsion"]);
    let block = parse_call(&program, "block(category: II, short_leg: right)").expect("a call");
    let score = s.score(&Answer {
        category: parse_categories(&program, "II").expect("a category"),
        adjustments: vec![block],
        checks: Vec::new(),
    });
    assert!(score.missed_red_flag);
    let first = &score.items[0];
    assert_eq!(
        (first.subject, first.verdict),
        (Subject::RedFlag, Verdict::Missed)
    );
    assert_eq!(first.item, "cauda_equina");
    assert_eq!(first.why.len(), 1, "the red flag's reasons");
    let verdicts: Vec<(Subject, Verdict, &str)> = score
        .items
        .iter()
        .map(|i| (i.subject, i.verdict, i.item.as_str()))
        .collect();
    // The referral is the answer in place of a category: no category item.
    assert_eq!(
        verdicts[1..],
        [(
            Subject::Adjustment,
            Verdict::NotRecommended,
            "block(category: II, short_leg: right)"
        )]
    );
    assert_eq!((score.correct, score.scored), (0, 2));
    // The referral needed saddle_anesthesia alone; none of what was examined.
    assert_eq!(names(&score.not_examined), ["saddle_anesthesia"]);
    assert_eq!(
        names(&score.not_needed),
        ["arm_fossa", "short_leg", "pelvic_torsion"]
    );
}

#[test]
fn a_right_answer_scores_every_item() {
    let program = program();
    let mut s = session(&program, 2);
    examine_all(
        &mut s,
        &["saddle_anesthesia", "arm_fossa", "sacral_nutation"],
    );
    let calls = ["block(category: II, short_leg: right)", "adjust(level: T3)"]
        .map(|c| parse_call(&program, c).expect("a call"));
    let answer = Answer {
        category: AnswerCategory::Categories(vec![1]),
        adjustments: calls.to_vec(),
        checks: vec![parse_check(&program, "arm_fossa_clears complete").expect("a check")],
    };
    let score = s.score(&answer);
    assert!(!score.missed_red_flag);
    assert!(
        score.items.iter().all(|i| i.verdict == Verdict::Correct),
        "{:#?}",
        score.items
    );
    assert_eq!((score.correct, score.scored), (4, 4));
    // Category I is outranked by II: its findings were not needed.
    assert_eq!(names(&score.not_needed), ["sacral_nutation"]);
    let missing = names(&score.not_examined);
    for needed in [
        "pain_on_cough",
        "leg_length_difference",
        "short_leg",
        "osteoporosis",
        "occipital_fiber(line: 2, area: 3)",
    ] {
        assert!(missing.contains(&needed), "{needed}: {missing:?}");
    }
    assert!(!missing.contains(&"pelvic_torsion"), "{missing:?}");

    // Leaving out a recommendation, a wrong outcome, a referral the protocol does not make.
    let wrong = Answer {
        category: AnswerCategory::Referral,
        adjustments: calls[..1].to_vec(),
        checks: vec![(0, 0, Outcome::Ineffective)],
    };
    let score = s.score(&wrong);
    let verdicts: Vec<(Subject, Verdict)> =
        score.items.iter().map(|i| (i.subject, i.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            (Subject::RedFlag, Verdict::Wrong),
            (Subject::Category, Verdict::Wrong),
            (Subject::Adjustment, Verdict::Correct),
            (Subject::Adjustment, Verdict::Missed),
            (Subject::Check, Verdict::Wrong),
        ]
    );
    let missed = &score.items[3];
    assert_eq!(missed.item, "adjust(level: T3)");
    assert!(!missed.why.is_empty(), "the rule that recommends it");
}

#[test]
fn an_examined_finding_that_decides_is_preferred_to_the_first_written() {
    let program = program();
    // Visit 3: no category. Category I (`pelvic_torsion and sacral_nutation == limited`) is
    // false by both conjuncts: either one examined is enough.
    let mut s = session(&program, 3);
    let none = Answer {
        category: AnswerCategory::NoCategory,
        adjustments: Vec::new(),
        checks: Vec::new(),
    };
    let unexamined = s.score(&none);
    assert!(names(&unexamined.not_examined).contains(&"pelvic_torsion"));
    assert!(!names(&unexamined.not_examined).contains(&"sacral_nutation"));
    examine_all(&mut s, &["sacral_nutation"]);
    let score = s.score(&none);
    assert!(
        score.not_needed.is_empty(),
        "{:?}",
        names(&score.not_needed)
    );
    assert!(!names(&score.not_examined).contains(&"pelvic_torsion"));
    assert!(score.items.iter().all(|i| i.verdict == Verdict::Correct));
}

#[test]
fn answers_are_read_as_a_student_writes_them() {
    let program = program();
    assert_eq!(
        parse_categories(&program, "III, II"),
        Ok(AnswerCategory::Categories(vec![2, 1]))
    );
    assert_eq!(
        parse_categories(&program, "category ii"),
        Ok(AnswerCategory::Categories(vec![1]))
    );
    assert_eq!(
        parse_categories(&program, "none"),
        Ok(AnswerCategory::NoCategory)
    );
    assert_eq!(
        parse_categories(&program, "refer"),
        Ok(AnswerCategory::Referral)
    );
    let e = parse_categories(&program, "IV").expect_err("no category IV");
    assert!(e.contains("its categories: I, II, III"), "{e}");
    let (a, args) = parse_call(&program, "adjust(T3)").expect("a call");
    assert_eq!(show_call(&program, a, &args), "adjust(level: T3)");
    let e = parse_call(&program, "block(category: II)").expect_err("an argument is missing");
    assert!(e.contains("give every argument"), "{e}");
    assert!(parse_call(&program, "blok").is_err());
    let e = parse_check(&program, "fibers_resolve complete").expect_err("several bindings");
    assert!(e.contains("several bindings"), "{e}");
    assert_eq!(
        parse_check(&program, "fibers_resolve(area: 3) marginal"),
        Ok((1, 2, Outcome::Marginal))
    );
    let e = parse_check(&program, "arm_fossa_clears fine").expect_err("not an outcome");
    assert!(e.contains("not an outcome"), "{e}");
}

#[test]
fn sot_practice_scores_a_piped_session() {
    let session = "arm_fossa\nexamine short_leg\noccipital_fiber(line: 2, area: 3)\nhint\n\
                   answer\nII\nblock(category: II, short_leg: right)\n\n";
    let out = sot_with_input(
        repo(),
        &["practice", FIXTURE, "--case", "nora", "--visit", "1"],
        session.as_bytes(),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{text}", stderr(&out));
    for line in [
        "arm_fossa: left",
        "short_leg: right",
        "occipital_fiber(line: 2, area: 3): 0",
        "Hint: examine saddle_anesthesia next: its value can change red flag cauda_equina",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let score = text
        .split_once("Score of the answer for case nora, visit 1\n")
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("a score\n{text}"));
    let first = score.trim_start().lines().next().unwrap_or_default();
    assert!(
        first.starts_with("MISSED RED FLAG cauda_equina"),
        "the missed red flag first\n{score}"
    );
    assert!(
        score.contains("not recommended: block(category: II, short_leg: right)"),
        "{score}"
    );
    assert!(score.contains("0 of 2 correct."), "{score}");
}

#[test]
fn sot_practice_refuses_what_it_cannot_practise() {
    let out = sot(&["practice", FIXTURE, "--case", "nor"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no case named `nor`"),
        "{}",
        stderr(&out)
    );
    let out = sot(&["practice", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("name the protocol file"),
        "{}",
        stderr(&out)
    );
    let out = sot(&["practice", FIXTURE, "--visit", "9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no visit 9; its visits are 1, 2, 3"),
        "{}",
        stderr(&out)
    );
    // A mistyped finding and a malformed answer are answered, and the session goes on.
    let out = sot_with_input(
        repo(),
        &["practice", FIXTURE, "--visit", "3"],
        b"arm_fosa\nanswer\nIV\nnone\nblok\n\n\n",
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.contains("did you mean `arm_fossa`?"), "{text}");
    assert!(text.contains("the protocol has no category `IV`"), "{text}");
    assert!(text.contains("no adjustment named `blok`"), "{text}");
    assert!(text.contains("1 of 1 correct."), "{text}");
}

#[test]
fn the_session_in_the_language_guide_is_what_sot_practice_prints() {
    let guide = std::fs::read_to_string(repo().join("docs/language.md")).expect("the guide");
    let shown = guide
        .split_once("--visit 1`, with the answers\npiped:\n\n```text\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map(|(block, _)| block)
        .expect("the guide shows a session");
    let out = sot_with_input(
        repo(),
        &["practice", FIXTURE, "--case", "nora", "--visit", "1"],
        b"arm_fossa\nshort_leg\nhint\nanswer\nII\nblock(category: II, short_leg: right)\n\n",
    );
    let printed = stdout(&out);
    let from = printed.find("> arm_fossa").expect("the session");
    let trimmed = |t: &str| -> Vec<String> {
        t.trim_end()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert_eq!(trimmed(shown), trimmed(&printed[from..]));
}

#[test]
fn a_score_in_json_names_the_missed_red_flag_first() {
    let program = program();
    let mut s = session(&program, 1);
    examine_all(&mut s, &["arm_fossa"]);
    let hint: serde_json::Value =
        serde_json::from_str(&sot_report::practice::json(&s.hint())).expect("JSON");
    assert_eq!(hint["ranked"][0]["finding"], "saddle_anesthesia");
    assert_eq!(hint["ranked"][0]["changes"][0]["kind"], "red_flag");
    let examined: serde_json::Value =
        serde_json::from_str(&sot_report::practice::json(&s.examined())).expect("JSON");
    assert_eq!(examined[0]["revealed"]["kind"], "value");
    assert_eq!(examined[0]["revealed"]["value"], "left");
    let score = s.score(&Answer {
        category: AnswerCategory::NoCategory,
        adjustments: Vec::new(),
        checks: Vec::new(),
    });
    let json: serde_json::Value =
        serde_json::from_str(&sot_report::practice::json(&score)).expect("JSON");
    assert_eq!(json["missed_red_flag"], true);
    assert_eq!(json["items"][0]["subject"], "red_flag");
    assert_eq!(json["items"][0]["verdict"], "missed");
    assert_eq!(json["items"][0]["why"][0]["kind"], "red_flag");
    assert_eq!(json["not_examined"][0]["finding"], "saddle_anesthesia");
}

#[test]
fn findings_that_decide_only_together_are_named_together() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/practice/together.sot"))
        .expect("the fixture reads");
    let mut db = Database::default();
    let file = db.set_file(Path::new("together.sot"), text);
    let program = lower_file(&db, file).clone().expect("the fixture lowers");
    let mut s = session(&program, 1);
    let hint = s.hint();
    // `left_leg > right_leg`: no value of one decides it while the other is unknown.
    assert_eq!(hint.best(), None);
    assert_eq!(hint.together, ["left_leg", "right_leg"]);
    assert_eq!(hint.approximate, ["left_leg", "right_leg"]);
    examine_all(&mut s, &["left_leg"]);
    let hint = s.hint();
    assert_eq!(
        hint.best()
            .map(|h| (h.finding.as_str(), h.changes.as_slice())),
        Some(("right_leg", [Changed::Category].as_slice()))
    );
    assert!(hint.together.is_empty());
    examine_all(&mut s, &["right_leg"]);
    let hint = s.hint();
    assert_eq!((hint.best(), hint.together.len()), (None, 0));
}
