//! End-to-end tests of what LANGUAGE.md §7.1, §7.4, §7.5 and §7.7 add that `expect` lines
//! cannot show: the order of raised red flags and their urgency in every report format,
//! coexisting categories in words and JSON, a visit that is not provisional, and the new
//! `expect` forms failing when they do not hold; the handbook and the graph of coexist lines,
//! red flags' categories and urgencies.

mod common;

use common::{repo, sot, stdout, tempdir};

fn json_run(fixture: &str) -> serde_json::Value {
    let out = sot(&["run", "--format", "json", fixture]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Where each of `names` first appears in `text`, asserting they appear in that order.
fn assert_in_order(text: &str, names: &[&str]) {
    let at: Vec<usize> = names
        .iter()
        .map(|n| {
            text.find(n)
                .unwrap_or_else(|| panic!("`{n}` missing from:\n{text}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{names:?} not in this order (at {at:?}):\n{text}"
    );
}

const URGENCY: &str = "tests/fixtures/run/referral_urgency.sot";

/// Emergency, urgent (the used file's first, then declaration order), routine, unstated.
const RAISED_ORDER: [&str; 5] = [
    "cauda_equina",
    "common_urgent",
    "urgent_flag",
    "routine_flag",
    "plain_flag",
];

/// The text a browser shows of an HTML page: its tags dropped, entities read.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn raised_red_flags_are_listed_most_urgent_first_in_every_format() {
    for format in ["text", "markdown", "html"] {
        let out = sot(&["run", "--format", format, URGENCY]);
        // Markdown escapes `_`; the HTML page is read as a browser shows it. Each visit
        // starts at its heading (the summary and contents before it name the visits too).
        let (text, start, end, urgency, open) = match format {
            "html" => {
                let page = stdout(&out);
                let at = |id: &str| page.find(id).expect("a visit's section");
                let (start, end) = (at("id=\"case-1-visit-1\""), at("id=\"case-1-visit-2\""));
                let text = visible(&page[start..end]);
                let len = text.len();
                (
                    text,
                    0,
                    len,
                    " — ",
                    " (emergency referral): examine saddle_anaesthesia",
                )
            }
            _ => {
                let text = stdout(&out).replace('\\', "");
                let heading = if format == "text" {
                    "\nVisit"
                } else {
                    "## Visit"
                };
                let start = text.find(&format!("{heading} 1 (")).expect("a first visit");
                let end = text
                    .find(&format!("{heading} 2 ("))
                    .expect("a second visit");
                (
                    text,
                    start,
                    end,
                    " (",
                    " (emergency referral) not ruled out: examine saddle_anaesthesia",
                )
            }
        };
        let visit = &text[start..end];
        assert_in_order(visit, &RAISED_ORDER);
        // The urgency in words, and the red flags before anything else of the visit.
        assert_in_order(
            visit,
            &[
                &format!("cauda_equina{urgency}emergency referral"),
                &format!("common_urgent{urgency}urgent referral"),
                &format!("routine_flag{urgency}routine referral"),
                "No category",
            ],
        );
        assert!(
            !visit.contains("plain_flag (") && !visit.contains("plain_flag — "),
            "{visit}"
        );
        // A red flag not ruled out shows its urgency too.
        let all = if format == "html" {
            visible(&stdout(&out))
        } else {
            text.clone()
        };
        assert!(all.contains(&format!("cauda_equina{open}")), "{all}");
    }
    let json = json_run(URGENCY);
    let flags = json["cases"][0]["visits"][0]["red_flags"]
        .as_array()
        .expect("red flags");
    let names: Vec<&str> = flags
        .iter()
        .filter_map(|f| f["red_flag"].as_str())
        .collect();
    assert_eq!(names, RAISED_ORDER);
    let urgency: Vec<&serde_json::Value> = flags.iter().map(|f| &f["urgency"]).collect();
    assert_eq!(
        urgency,
        [
            &serde_json::json!("emergency"),
            &serde_json::json!("urgent"),
            &serde_json::json!("urgent"),
            &serde_json::json!("routine"),
            &serde_json::Value::Null,
        ]
    );
    // A red flag not ruled out carries its urgency too.
    let open = &json["cases"][0]["visits"][2]["not_ruled_out"][0];
    assert_eq!(open["urgency"], "emergency");
}

#[test]
fn coexisting_categories_are_reported_as_coexisting_in_their_line_order() {
    let fixture = "tests/fixtures/run/coexist_categories.sot";
    let expected = "Category III (Lumbar disc and sciatic involvement) and Category II \
                    (Sacroiliac weight-bearing instability), coexisting";
    for format in ["text", "markdown", "html"] {
        let text = stdout(&sot(&["run", "--format", format, fixture]));
        assert!(text.contains(expected), "{format}:\n{text}");
        assert!(!text.contains("Ambiguous"), "{format}:\n{text}");
    }
    let json = json_run(fixture);
    let visits = json["cases"][0]["visits"].as_array().expect("visits");
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["category"]["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .filter_map(|c| c["name"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(visits[0]["category"]["state"], "coexisting");
    assert_eq!(names(&visits[0]), ["III", "II"]);
    // Three at once: only the second line names them all, so its order.
    assert_eq!(names(&visits[1]), ["II", "III", "X"]);
    // I not examined, but III and II both outrank it: not provisional.
    assert_eq!(visits[2]["category"]["provisional"], false);
    // X not examined and outranked by neither: provisional, and X's finding to examine.
    assert_eq!(visits[3]["category"]["provisional"], true);
    assert_eq!(
        visits[3]["category"]["missing"],
        serde_json::json!(["test_sign"])
    );
}

#[test]
fn an_unknown_category_outranked_by_one_tied_category_leaves_the_visit_not_provisional() {
    let json = json_run("tests/fixtures/run/coexist_pairwise_ambiguous.sot");
    let visit = &json["cases"][0]["visits"][2];
    assert_eq!(visit["category"]["state"], "ambiguous");
    // IV is unknown and outranked by I (not by II or III): v0.1 called this provisional.
    assert_eq!(visit["category"]["provisional"], false);
    let provisional = &json["cases"][0]["visits"][3]["category"];
    assert_eq!(provisional["state"], "coexisting");
    assert_eq!(provisional["missing"], serde_json::json!(["pain_on_cough"]));
}

#[test]
fn a_red_flag_of_a_category_names_it_and_what_would_decide_it() {
    let fixture = "tests/fixtures/run/red_flag_in_category.sot";
    let text = stdout(&sot(&["run", fixture]));
    assert!(
        text.contains("RED FLAG motor_deficit: Refer out: strength decreasing in Category III — because category III; strength_decreasing = yes"),
        "{text}"
    );
    // Not ruled out because Category III could still hold: its finding is named (the
    // sign itself, known, is not asked for again).
    assert!(
        text.contains("Red flag motor_deficit not ruled out: examine pain_on_cough\n"),
        "{text}"
    );
    let json = json_run(fixture);
    assert_eq!(
        json["cases"][0]["visits"][0]["red_flags"][0]["category"],
        "III"
    );
}

#[test]
fn the_new_expect_forms_fail_when_they_do_not_hold() {
    // The pairwise fixture's visits with expectations that cannot hold, each with what
    // `sot test` must say it found instead.
    let fixture = repo().join("tests/fixtures/run/coexist_pairwise_ambiguous.sot");
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let wrong = [
        // Visit 1: ambiguous between I, II and III; the red flag ruled out.
        (
            "    expect ambiguous                                        // no one line names I, II and III",
            "    expect category I, II, III",
            "found: ambiguous between I and II and III",
        ),
        (
            "    expect ruled_out test_flag                              // III tied (true in category), sign no",
            "    expect not_ruled_out test_flag",
            "found: red flag ruled out",
        ),
        // Visit 2: II and III coexisting.
        (
            "    expect category II, III                                 // line `coexist II, III`",
            "    expect category II, III, I",
            "found: categories II and III, coexisting",
        ),
        // Visit 4 (replaced first: visit 3's wrong line would match it): not ruled out.
        (
            "    expect no refer\n",
            "    expect red_flag test_flag\n",
            "found: no red flag raised",
        ),
        // Visit 3: the red flag raised.
        (
            "    expect refer\n",
            "    expect no refer\n",
            "found: red flags raised: test_flag",
        ),
        (
            "    expect red_flag test_flag                               // III is one of the tied categories",
            "    expect no red_flag test_flag",
            "found: red flag raised",
        ),
        // Visit 4: the red flag not ruled out.
        (
            "    expect not_ruled_out test_flag                          // III unknown and could hold",
            "    expect ruled_out test_flag",
            "found: red flag not ruled out",
        ),
    ];
    let mut mutated = text.clone();
    for (right, wrong, _) in &wrong {
        assert!(mutated.contains(right), "fixture line changed: {right}");
        mutated = mutated.replacen(right, wrong, 1);
    }
    let dir = tempdir("wrong_v02_expects");
    std::fs::write(dir.join("wrong.sot"), mutated).expect("write");
    let out = sot(&["test", &dir.join("wrong.sot").display().to_string()]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    for (_, wrong, found) in &wrong {
        let line = report
            .lines()
            .position(|l| l.contains(&format!("`{}`", wrong.trim())))
            .unwrap_or_else(|| panic!("`{}` did not fail:\n{report}", wrong.trim()));
        let next = report.lines().nth(line + 1).unwrap_or_default();
        assert!(next.contains(found), "`{}`: {next}", wrong.trim());
    }
    assert!(
        report
            .trim_end()
            .ends_with(&format!("{} failed", wrong.len())),
        "{report}"
    );
}

#[test]
fn the_handbook_shows_coexist_lines_and_red_flags_categories_and_urgencies() {
    let doc = stdout(&sot(&[
        "doc",
        "tests/fixtures/run/red_flag_in_category.sot",
    ]));
    assert!(
        doc.contains("These categories may hold together; when they do, all of them are the visit's categories, in this order: III, II."),
        "{doc}"
    );
    assert!(
        doc.contains("- Applies only to a visit in Category III."),
        "{doc}"
    );
    assert!(doc.contains("once its categories are decided"), "{doc}");
    // A `precedence` or `coexist` line's doc comment follows the sentence that lists them:
    // why the protocol orders or joins its categories, before the first category.
    let library = stdout(&sot(&["doc", "protocols/sot/categories.sot"]));
    let at = |text: &str| {
        library
            .find(text)
            .unwrap_or_else(|| panic!("{text}\n{library}"))
    };
    let ordered = at("the higher one is the visit's category: III &gt; I.");
    let ordered_why = at("Category III outranks Category I: when both hold");
    let joined = at("These categories may hold together;");
    let joined_why =
        at("Categories III and II may hold together: the visit lists Category III first");
    let first = at("### Category I ");
    assert!(
        ordered < ordered_why && ordered_why < joined && joined < joined_why && joined_why < first,
        "{library}"
    );
    let doc = stdout(&sot(&["doc", URGENCY]));
    assert!(
        doc.contains("- Referral (emergency): Emergency medical referral; do not adjust"),
        "{doc}"
    );
    assert!(
        doc.contains("- Referral: Test input: referral, urgency not stated"),
        "{doc}"
    );
}

#[test]
fn the_graph_shows_coexisting_categories_and_red_flags_categories_and_urgencies() {
    let dot = stdout(&sot(&[
        "graph",
        "tests/fixtures/run/red_flag_in_category.sot",
    ]));
    assert!(
        dot.contains("\"category:III\" -> \"category:II\" [label=\"coexists with\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"category:III\" -> \"red_flag:motor_deficit\" [label=\"in category\"];"),
        "{dot}"
    );
    let mermaid = stdout(&sot(&["graph", "--format", "mermaid", URGENCY]));
    assert!(
        mermaid.contains("cauda_equina<br/>Possible cauda equina syndrome<br/>emergency referral"),
        "{mermaid}"
    );
    let svg = sot(&["graph", "--format", "svg", URGENCY]);
    assert_eq!(svg.status.code(), Some(0));
    assert!(stdout(&svg).contains("emergency referral"));
}

#[test]
fn coverage_counts_coexist_lines_and_shows_urgencies() {
    let dir = tempdir("coverage_v02");
    let protocol = "protocol \"Coverage\"

indicator arm_fossa: Side?
indicator pain_on_cough: bool
indicator saddle_anaesthesia: bool

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}
category III \"Lumbar disc and sciatic involvement\" {
  when pain_on_cough
}
coexist III, II

red_flag cauda_equina \"Possible cauda equina syndrome\" {
  when saddle_anaesthesia
  refer emergency \"Emergency medical referral; do not adjust\"
}

case one {
  visit 1 {
    findings {
      arm_fossa = left
      pain_on_cough = no
      saddle_anaesthesia = no
    }
    expect category II
  }
}
";
    let path = dir.join("coverage.sot");
    std::fs::write(&path, protocol).expect("write");
    let path = path.display().to_string();
    let out = sot(&["test", "--coverage", &path]);
    let report = stdout(&out);
    assert!(
        report.contains("  coexist lines: 0 of 1 exercised"),
        "{report}"
    );
    assert!(
        report.contains(&format!("    not exercised: coexist III, II in {path}")),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "    not exercised: cauda_equina (emergency) in {path}"
        )),
        "{report}"
    );
    // Both categories at once exercise the line.
    std::fs::write(
        &path,
        protocol.replace("pain_on_cough = no", "pain_on_cough = yes"),
    )
    .expect("write");
    let report = stdout(&sot(&["test", "--coverage", &path]));
    assert!(
        report.contains("  coexist lines: 1 of 1 exercised"),
        "{report}"
    );
    // A protocol without `coexist` lines has no such heading.
    let report = stdout(&sot(&[
        "test",
        "--coverage",
        "protocols/examples/first_look.sot",
    ]));
    assert!(!report.contains("coexist"), "{report}");
}

#[test]
fn json_case_data_takes_the_new_expect_forms() {
    let dir = tempdir("json_v02");
    let data = r#"{"cases": [{"name": "json_both", "visits": [{"visit": 1, "findings": {
        "pelvic_torsion": "no", "arm_fossa": "left", "short_leg": "right",
        "pain_on_cough": "yes", "strength_decreasing": "no", "test_sign_one": "no"},
      "expect": ["category III, II", "no refer", "ruled_out motor_deficit",
                 "no red_flag test_flag_one", "category II, III, I"]}]}]}"#;
    let path = dir.join("both.json");
    std::fs::write(&path, data).expect("write");
    let out = sot(&[
        "test",
        "tests/fixtures/run/red_flag_in_category.sot",
        "--cases",
        &path.display().to_string(),
    ]);
    let report = stdout(&out);
    assert!(
        report.contains("found: categories III and II, coexisting"),
        "{report}"
    );
    assert!(
        report.trim_end().ends_with("4 passed, 1 failed"),
        "{report}"
    );
}
