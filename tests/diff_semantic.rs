//! End-to-end tests of `sot diff`'s semantic section on the hand-made pairs of
//! `tests/fixtures/diff/` (a threshold moved, `at least N` changed, a precedence reversed, a
//! rule's `unless` added, a red flag widened, an indicator's type changed): each item's
//! relation, its example findings, what each version makes of them, the changes of the
//! visit's category, and `--fail-on-change` for a change that no case shows.

mod common;

use common::{sot, stderr, stdout, tempdir};
use serde_json::Value;

/// `sot diff OLD NEW --format json` of a pair: its `semantic` section.
fn semantic(name: &str) -> Value {
    let (old, new) = (
        format!("tests/fixtures/diff/{name}.old.sot"),
        format!("tests/fixtures/diff/{name}.new.sot"),
    );
    let out = sot(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let data: Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    data["semantic"].clone()
}

/// The item of that kind and name.
fn item<'a>(semantic: &'a Value, kind: &str, name: &str) -> &'a Value {
    semantic["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == kind && i["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {semantic:#}"))
}

fn findings(witness: &Value) -> Vec<&str> {
    witness["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn a_lower_threshold_makes_the_category_and_its_rule_wider_between_the_two_limits() {
    let s = semantic("threshold");
    let category = item(&s, "category", "II");
    assert_eq!(category["relation"], "wider");
    assert_eq!(category["dropped"], Value::Null);
    // 4 mm: the new limit itself, below the old one.
    assert_eq!(
        findings(&category["added"]),
        ["leg_length_difference = 4 mm"]
    );
    assert_eq!(category["added"]["old"], "false");
    assert_eq!(category["added"]["new"], "true");
    let rule = item(&s, "rule", "block_category_two");
    assert_eq!(rule["relation"], "wider");
    assert_eq!(rule["added"]["new"], "fires");
    let changes = s["category"]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{s:#}");
    assert_eq!(changes[0]["old"], "none");
    assert_eq!(changes[0]["new"], "II");
    assert_eq!(s["category"]["rest"], "complete");
}

#[test]
fn at_least_n_raised_makes_the_category_narrower_with_two_of_three_as_the_example() {
    let s = semantic("at_least");
    let category = item(&s, "category", "II");
    assert_eq!(category["relation"], "narrower");
    assert_eq!(category["added"], Value::Null);
    // Minimal: two of the three true and the third false, nothing else.
    assert_eq!(findings(&category["dropped"]).len(), 3, "{s:#}");
    assert_eq!(s["category"]["changes"][0]["old"], "II");
    assert_eq!(s["category"]["changes"][0]["new"], "none");
}

#[test]
fn a_precedence_reversed_changes_the_visits_category_not_the_categories() {
    let s = semantic("precedence");
    assert_eq!(item(&s, "category", "II")["relation"], "equivalent");
    assert_eq!(item(&s, "category", "III")["relation"], "equivalent");
    // Category II's rule now fires where both categories are true.
    let rule = item(&s, "rule", "category_two_rule");
    assert_eq!(rule["relation"], "wider");
    let changes = s["category"]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{s:#}");
    assert_eq!(changes[0]["old"], "III");
    assert_eq!(changes[0]["new"], "II");
    assert_eq!(
        findings(&changes[0]),
        ["arm_fossa = right", "pain_on_cough = yes"]
    );
}

#[test]
fn an_unless_added_makes_the_rule_narrower_where_the_unless_holds() {
    let s = semantic("unless");
    let rule = item(&s, "rule", "block_category_two");
    assert_eq!(rule["relation"], "narrower");
    assert!(
        findings(&rule["dropped"]).contains(&"osteoporosis = yes"),
        "{s:#}"
    );
    assert_eq!(rule["dropped"]["old"], "fires");
    assert_eq!(rule["dropped"]["new"], "withheld");
    assert_eq!(s["category"]["changes"], serde_json::json!([]));
    assert_eq!(s["category"]["rest"], "complete");
}

#[test]
fn a_red_flag_widened_is_raised_by_one_finding_of_the_two() {
    let s = semantic("red_flag");
    let flag = item(&s, "red_flag", "cauda_equina");
    assert_eq!(flag["relation"], "wider");
    assert_eq!(
        findings(&flag["added"]),
        ["saddle_anesthesia = yes", "bladder_dysfunction = no"]
    );
    assert_eq!(flag["added"]["old"], "ruled out");
    assert_eq!(flag["added"]["new"], "raised");
    // The rule is compared where no red flag is raised: unchanged.
    assert_eq!(
        item(&s, "rule", "block_category_two")["relation"],
        "equivalent"
    );
}

#[test]
fn an_indicator_whose_type_changed_is_read_apart_and_named_with_its_version() {
    let s = semantic("type_changed");
    assert_eq!(s["apart"], serde_json::json!(["toe_extension_weak"]));
    let weak = item(&s, "rule", "block_weak_toe");
    assert_eq!(weak["relation"], "incomparable");
    let dropped = findings(&weak["dropped"]);
    assert!(
        dropped.iter().any(|f| f.ends_with("(old version)"))
            && dropped.iter().any(|f| f.ends_with("(new version)")),
        "{s:#}"
    );
    let tender = item(&s, "rule", "block_tender");
    assert_eq!(tender["relation"], "narrower");
    assert_eq!(tender["dropped"]["new"], "does not fire");
    let text = stdout(&sot(&[
        "diff",
        "tests/fixtures/diff/type_changed.old.sot",
        "tests/fixtures/diff/type_changed.new.sot",
    ]));
    insta::assert_snapshot!(text);
}

#[test]
fn fail_on_change_fails_on_a_change_that_no_case_shows() {
    let (old, new) = (
        "tests/fixtures/diff/type_changed.old.sot",
        "tests/fixtures/diff/type_changed.new.sot",
    );
    let out = sot(&["diff", old, new, "--fail-on-change"]);
    let text = stdout(&out);
    assert!(text.contains("no visit's outcome changes"), "{text}");
    assert!(text.contains("Items: 0 added, 0 removed"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    let same = sot(&["diff", old, old, "--fail-on-change"]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    assert!(stdout(&same).contains("no condition changes"));
}

#[test]
fn the_markdown_has_the_semantic_sections_escaped() {
    let out = sot(&[
        "diff",
        "tests/fixtures/diff/unless.old.sot",
        "tests/fixtures/diff/unless.new.sot",
        "--format",
        "markdown",
    ]);
    let md = stdout(&out);
    assert!(
        md.contains("## Semantic difference (exact, by the solver)"),
        "{md}"
    );
    assert!(
        md.contains("- rule block\\_category\\_two: narrower: it holds under fewer findings"),
        "{md}"
    );
    assert!(md.contains("  - only the old version holds with: "), "{md}");
    assert!(md.contains("## The visit's category"), "{md}");
}

#[test]
fn a_question_a_guard_stops_is_reported_not_decided_and_fails_the_gate() {
    let file = "tests/fixtures/check/W0600_analysis_not_decided.sot";
    let out = sot(&["diff", file, file, "--fail-on-change"]);
    let text = stdout(&out);
    assert!(text.contains("rule sums: not decided"), "{text}");
    // Both directions stopped by the same guard: said once.
    assert_eq!(
        text.matches("not decided: the conditions are too large to encode")
            .count(),
        1,
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
}

#[test]
fn an_unchanged_condition_too_hard_to_refute_alone_is_equivalent_at_once() {
    // Fourteen findings of a thirteen-value type, pairwise different: refuting "true in one
    // version, not in the other" from two encodings of it is a pigeonhole proof; the one
    // encoding both versions share refutes it by propagation.
    let file = "tests/fixtures/check/W0602_pigeonhole_never_fires.sot";
    let start = std::time::Instant::now();
    let text = stdout(&sot(&["diff", file, file]));
    assert!(
        text.contains("equivalent: rule fourteen, rule thirteen"),
        "{text}"
    );
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

#[test]
fn a_changed_condition_that_never_holds_is_decided_with_the_pigeonhole_hint() {
    // Rule fourteen can never fire (fourteen pairwise different findings of thirteen
    // values); the new version adds an `unless` to it: still equivalent, which takes the
    // solver the hint that the findings take fourteen distinct values.
    let old = "tests/fixtures/check/W0602_pigeonhole_never_fires.sot";
    let text = std::fs::read_to_string(old).expect("fixture");
    let at = text.find("rule thirteen").expect("rule thirteen");
    let (head, tail) = text.split_at(at);
    let head = head.replacen("  then adj", "  unless p0 == v0\n  then adj", 1);
    assert!(head.contains("unless p0 == v0"), "{head}");
    let new = tempdir("diff_pigeonhole").join("new.sot");
    std::fs::write(&new, format!("{head}{tail}")).expect("write");
    let start = std::time::Instant::now();
    let out = sot(&["diff", old, new.to_str().expect("path")]);
    let text = stdout(&out);
    assert!(
        text.contains("equivalent: rule fourteen, rule thirteen"),
        "{text}{}",
        stderr(&out)
    );
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

#[test]
fn the_library_with_a_constant_or_a_connective_changed_is_decided_and_every_example_verifies() {
    let library = common::repo().join("protocols/sot");
    let mut files: Vec<_> = std::fs::read_dir(&library)
        .expect("library")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sot"))
        .collect();
    files.sort();
    let dir = tempdir("diff_library");
    for f in &files {
        std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy");
    }
    let mutations = [
        (">= 1", ">= 2"),
        ("at least 2 of", "at least 3 of"),
        (" and ", " or "),
        (" or ", " and "),
        ("any of", "all of"),
        ("all of", "any of"),
        ("!= none", "== none"),
    ];
    let mut changed = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        for (from, to) in mutations {
            // The first `when` or `unless` line with it, so that a condition changes.
            let condition = |l: &str| {
                let l = l.trim_start();
                l.starts_with("when ") || l.starts_with("unless ")
            };
            let Some(line) = text.lines().find(|l| condition(l) && l.contains(from)) else {
                continue;
            };
            let mutated = text.replacen(line, &line.replacen(from, to, 1), 1);
            let new = dir.join(format!(
                "new_{}",
                f.file_name().and_then(|n| n.to_str()).expect("name")
            ));
            std::fs::write(&new, mutated).expect("write");
            let out = sot(&[
                "diff",
                f.to_str().expect("path"),
                new.to_str().expect("path"),
                "--format",
                "json",
            ]);
            // A change that the checker refuses (`or` that loses a narrowing to `!= none`)
            // has no diff.
            if stderr(&out).contains("fix them first") {
                continue;
            }
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let data: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
            let s = &data["semantic"];
            let items = s["items"].as_array().expect("items");
            // Nothing undecided: every example ran under both versions and changed what it
            // claims (else it would be reported undecided).
            for i in items {
                assert_ne!(
                    i["relation"],
                    "undecided",
                    "{} {from} → {to}: {i:#}",
                    f.display()
                );
            }
            assert_ne!(
                s["category"]["rest"],
                "undecided",
                "{} {from} → {to}",
                f.display()
            );
            let n = items
                .iter()
                .filter(|i| i["relation"] != "equivalent")
                .count();
            changed += n;
        }
    }
    // Each of the 13 changes the checker accepts changes its item.
    assert!(changed >= 10, "only {changed} items changed");
}
