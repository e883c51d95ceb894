//! End-to-end tests of `sot run`, `sot test` and `sot schema`: the semantic fixtures pass,
//! no wrong expectation passes, reports are snapshotted, JSON case data is checked.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{repo, sot, stderr, stdout, tally, tempdir};

#[test]
fn every_semantic_fixture_passes() {
    let out = sot(&["test", "tests/fixtures/run"]);
    let (passed, failed) = tally(&out);
    assert_eq!(failed, 0, "{}", stdout(&out));
    assert!(passed >= 350, "{passed} expectations");
    assert_eq!(out.status.code(), Some(0));
}

/// Each expectation of the fixtures, turned into one that cannot hold, must fail: `sot test`
/// cannot pass a wrong expectation.
#[test]
fn no_wrong_expectation_passes() {
    let dir = tempdir("mutants");
    let fixtures = repo().join("tests/fixtures/run");
    // The files the fixtures `use` go along with the mutants.
    std::fs::create_dir_all(dir.join("used")).expect("used folder");
    for used in std::fs::read_dir(fixtures.join("used")).expect("used fixtures") {
        let used = used.expect("entry").path();
        let name = used.file_name().expect("a file name");
        std::fs::copy(&used, dir.join("used").join(name)).expect("copy a used fixture");
    }
    let mut mutants = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sot"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("fixture");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(wrong) = contradict(line) else {
                continue;
            };
            let mut mutated = lines.clone();
            mutated[i] = &wrong;
            let name = format!(
                "{}_{i}.sot",
                path.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
            );
            std::fs::write(dir.join(name), mutated.join("\n")).expect("write mutant");
            mutants += 1;
        }
    }
    assert!(mutants > 300, "{mutants} mutants");
    let out = sot(&["test", &dir.display().to_string()]);
    let (_, failed) = tally(&out);
    assert_eq!(
        failed,
        mutants,
        "some wrong expectation passed:\n{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
}

/// An expectation that cannot hold when `line` holds, if there is one.
fn contradict(line: &str) -> Option<String> {
    let (code, comment) = match line.find("//") {
        Some(at) => (&line[..at], &line[at..]),
        None => (line, ""),
    };
    let indent = &code[..code.len() - code.trim_start().len()];
    let body = code.trim();
    let rest = body.strip_prefix("expect ")?;
    let wrong = if let Some(call) = rest.strip_prefix("no adjustment ") {
        format!("expect adjustment {call}")
    } else if let Some(call) = rest.strip_prefix("adjustment ") {
        format!("expect no adjustment {call}")
    } else if let Some(category) = rest.strip_prefix("category ") {
        if category.trim() == "none" {
            "expect ambiguous".to_string()
        } else {
            "expect category none".to_string()
        }
    } else if rest.trim() == "ambiguous" {
        "expect category none".to_string()
    } else if rest.trim() == "no refer" {
        "expect refer".to_string()
    } else if rest.trim() == "refer" {
        "expect no refer".to_string()
    } else if let Some(flag) = rest.strip_prefix("no red_flag ") {
        format!("expect red_flag {flag}")
    } else if let Some(flag) = rest.strip_prefix("red_flag ") {
        format!("expect no red_flag {flag}")
    } else if let Some(flag) = rest.strip_prefix("not_ruled_out ") {
        format!("expect ruled_out {flag}")
    } else if let Some(flag) = rest.strip_prefix("ruled_out ") {
        format!("expect not_ruled_out {flag}")
    } else if let Some(check) = rest.strip_prefix("check ") {
        let (name, outcome) = check.trim().rsplit_once(' ')?;
        let other = if outcome == "unknown" {
            "complete"
        } else {
            "unknown"
        };
        format!("expect check {name} {other}")
    } else {
        return None;
    };
    let _ = comment;
    Some(format!("{indent}{wrong}"))
}

#[test]
fn failures_say_where_what_and_what_was_found() {
    let dir = tempdir("failing");
    let text = std::fs::read_to_string(repo().join("protocols/examples/first_look.sot"))
        .expect("example")
        .replace("expect category II", "expect category III")
        .replace(
            "expect adjustment adjust(level: T3)",
            "expect adjustment adjust(level: T4)",
        )
        .replace(
            "expect check arm_fossa_clears complete",
            "expect check arm_fossa_clears marginal",
        );
    std::fs::write(dir.join("first_look.sot"), text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["test", "first_look.sot"])
        .current_dir(&dir)
        .output()
        .expect("sot runs");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn run_text_report() {
    let out = sot(&["run", "protocols/examples/first_look.sot"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn run_json_report() {
    let out = sot(&[
        "run",
        "--format",
        "json",
        "protocols/examples/first_look.sot",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn run_markdown_report() {
    let out = sot(&[
        "run",
        "--format",
        "markdown",
        "protocols/examples/first_look.sot",
    ]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn run_reports_every_rule_state() {
    for fixture in [
        "red_flag_refers",
        "red_flag_not_ruled_out",
        "rule_not_evaluated",
        "rule_withheld",
        "category_provisional",
        "category_ambiguous",
        "check_outcomes_across",
    ] {
        let out = sot(&["run", &format!("tests/fixtures/run/{fixture}.sot")]);
        assert_eq!(out.status.code(), Some(0), "{fixture}: {}", stderr(&out));
        insta::assert_snapshot!(fixture, stdout(&out));
    }
}

#[test]
fn html_is_self_contained_and_escapes_protocol_text() {
    let dir = tempdir("html");
    let text = std::fs::read_to_string(repo().join("protocols/examples/first_look.sot"))
        .expect("example")
        .replace(
            "protocol \"SOT category system\"",
            "protocol \"<script>alert('x')</script> & co\"",
        )
        .replace("\"2026-03-02\"", "\"<img src=x onerror=alert(1)>\"");
    std::fs::write(dir.join("evil.sot"), text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["run", "--format", "html", "evil.sot"])
        .current_dir(&dir)
        .output()
        .expect("sot runs");
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    // maud escapes `<`, `>`, `&` and `"`; a `'` in text is harmless.
    assert!(
        html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"),
        "{html}"
    );
    // Self-contained: no external stylesheet, script, image or link.
    assert!(
        !html.contains("<link")
            && html.matches("href=\"").count() == html.matches("href=\"#").count()
            && !html.contains("://"),
        "{html}"
    );
    assert!(html.contains("block(category: II, short_leg: right)"));
}

#[test]
fn json_case_data_runs_like_a_case_item() {
    let from_json = sot(&[
        "run",
        "protocols/examples/first_look.sot",
        "--cases",
        "tests/fixtures/json/maria.json",
    ]);
    assert_eq!(from_json.status.code(), Some(0), "{}", stderr(&from_json));
    let from_sot = sot(&["run", "protocols/examples/first_look.sot"]);
    let body = |out: &Output| stdout(out).lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&from_json), body(&from_sot));
}

#[test]
fn bad_json_case_data_points_into_the_json_file() {
    let out = sot(&[
        "run",
        "--color",
        "never",
        "protocols/examples/first_look.sot",
        "--cases",
        "tests/fixtures/json/bad_values.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out));
    let out = sot(&[
        "run",
        "protocols/examples/first_look.sot",
        "--cases",
        "tests/fixtures/json/syntax.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid JSON"), "{}", stderr(&out));
}

#[test]
fn schema_describes_the_findings() {
    let out = sot(&["schema", "protocols/examples/first_look.sot"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn coverage_lists_what_no_case_exercised() {
    let out = sot(&["test", "--coverage", "protocols/examples/first_look.sot"]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn run_refuses_a_protocol_with_errors() {
    let out = sot(&["run", "tests/fixtures/check/many_errors.sot"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0102"), "{}", stderr(&out));
}

#[test]
fn run_an_unknown_case_is_a_usage_error() {
    let out = sot(&[
        "run",
        "--case",
        "nobody",
        "protocols/examples/first_look.sot",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("maria"), "{}", stderr(&out));
}

#[test]
fn case_data_can_follow_the_protocol_as_in_the_language_reference() {
    // LANGUAGE.md §6: `sot run PROTOCOL CASE.json`.
    let positional = sot(&[
        "run",
        "protocols/examples/first_look.sot",
        "tests/fixtures/json/maria.json",
    ]);
    assert_eq!(positional.status.code(), Some(0), "{}", stderr(&positional));
    assert!(stdout(&positional).contains("Case maria_json"));
}

#[test]
fn test_judges_the_expectations_of_json_case_data() {
    let out = sot(&[
        "test",
        "protocols/examples/first_look.sot",
        "--cases",
        "tests/fixtures/json/maria.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(tally(&out), (3, 0));
    let dir = tempdir("json_wrong");
    let wrong = std::fs::read_to_string(repo().join("tests/fixtures/json/maria.json"))
        .expect("json")
        .replace("\"category II\"", "\"category III\"");
    std::fs::write(dir.join("wrong.json"), wrong).expect("write");
    let data = dir.join("wrong.json").display().to_string();
    let out = sot(&[
        "test",
        "protocols/examples/first_look.sot",
        "--cases",
        &data,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tally(&out), (2, 1));
    assert!(stdout(&out).contains("wrong.json:"), "{}", stdout(&out));
}

/// JSON output stays valid JSON whatever the protocol's strings hold: quotes, backslashes,
/// escaped line breaks, control characters, markup, emoji; and the text comes back intact.
#[test]
fn json_output_is_valid_for_hostile_strings() {
    let dir = tempdir("hostile-json");
    let title = "q\\\"uote \\\\ back\\nline \u{1} \u{7f} </script> 🙂 é";
    let decoded = "q\"uote \\ back\nline \u{1} \u{7f} </script> 🙂 é";
    let text = std::fs::read_to_string(repo().join("protocols/examples/first_look.sot"))
        .expect("example")
        .replace(
            "protocol \"SOT category system\"",
            &format!("protocol \"{title}\""),
        )
        .replace("\"2026-03-02\"", &format!("\"{title}\""));
    std::fs::write(dir.join("hostile.sot"), text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["run", "--format", "json", "hostile.sot"])
        .current_dir(&dir)
        .output()
        .expect("sot runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let printed = json.to_string();
    assert!(
        printed.contains(&serde_json::Value::from(decoded).to_string()),
        "{printed}"
    );
    // The checker's JSON diagnostics too, for a message that quotes such a name.
    std::fs::write(
        dir.join("broken.sot"),
        format!("rule r \"{title}\" {{\n  when nothing_here\n  then x\n}}\n"),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["check", "--format", "json", "broken.sot"])
        .current_dir(&dir)
        .output()
        .expect("sot runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(json.to_string().contains("nothing_here"), "{json}");
}

/// `sot run first_look.sot --cases DATA` with `json` as the data; the output.
fn run_json_data(name: &str, json: &str) -> Output {
    let dir = tempdir(name);
    let data = dir.join("data.json");
    std::fs::write(&data, json).expect("write");
    let data = data.to_string_lossy().into_owned();
    sot(&["run", "protocols/examples/first_look.sot", "--cases", &data])
}

const ONE_CASE: &str =
    r#"{"name": "c", "visits": [{"visit": 1, "findings": {"arm_fossa": "left"}}]}"#;

#[test]
fn a_duplicate_key_in_case_data_is_an_error_at_the_second() {
    let json = format!(r#"{{"cases": [], "cases": [{ONE_CASE}]}}"#);
    let out = run_json_data("json_duplicate_cases", &json);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("E0501"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`cases` appears twice"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("data.json:1:15"), "{}", stderr(&out));
    let visit =
        r#"{"cases": [{"name": "c", "visits": [{"visit": 1, "visit": 2, "findings": {}}]}]}"#;
    let out = run_json_data("json_duplicate_visit", visit);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`visit` appears twice"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_long_string_in_case_data_is_an_error() {
    let long = "x".repeat(70_000);
    let json = format!(
        r#"{{"cases": [{{"name": "c", "visits": [{{"visit": 1, "label": "{long}", "findings": {{}}}}]}}]}}"#
    );
    let out = run_json_data("json_long_string", &json);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a string longer than 65536 bytes"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).len() < 4_000, "{} bytes", stderr(&out).len());
}

#[test]
fn minified_case_data_is_read_in_linear_time() {
    // 60,000 expect lines on one line of JSON, after 12 MB of spaces: computing each one's
    // line by counting characters from the start of the line took about a minute (debug
    // build); a binary search in the line index takes a second or two.
    let expects = vec![r#""category II""#; 60_000].join(",");
    let json = format!(
        r#"{{"cases":{}[{{"name":"c","visits":[{{"visit":1,"findings":{{"arm_fossa":"left"}},"expect":[{expects}]}}]}}]}}"#,
        " ".repeat(12_000_000)
    );
    let started = std::time::Instant::now();
    let out = run_json_data("json_minified", &json);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(took.as_secs() < 15, "took {took:?}");
}

/// A raised red flag is the first thing a visit says, right after the visit's header, in
/// text, Markdown and HTML: a referral never begins with what to examine for a category.
#[test]
fn a_raised_red_flag_comes_first_in_every_format() {
    let file = "protocols/cases/red_flag_stops_care.sot";
    let text = stdout(&sot(&["run", file]));
    let visit = text
        .split("\nVisit 3 (referral still open: the right toe extension weakens)\n")
        .nth(1)
        .expect("visit 3");
    // Both raised red flags come first, the urgent one before the routine one.
    assert!(
        visit.starts_with("  RED FLAG neurology_decreases_under_care (urgent referral):"),
        "{visit}"
    );
    let routine = visit
        .find("  RED FLAG category_three_refer_out (routine referral):")
        .expect("routine");
    let category = visit
        .find("  Category III — Lumbar disc and sciatic involvement (provisional)")
        .expect("category");
    assert!(routine < category, "{visit}");
    let recommends = visit
        .find("  The protocol recommends referral")
        .expect("refer");
    let check = visit.find("  Checks:").expect("checks");
    assert!(category < recommends && recommends < check, "{visit}");

    let markdown = stdout(&sot(&["run", "--format", "markdown", file]));
    let visit = markdown
        .split("## Visit 3 (referral still open: the right toe extension weakens)\n\n")
        .nth(1)
        .expect("visit 3");
    assert!(
        visit.starts_with("- **Red flag neurology\\_decreases\\_under\\_care (urgent referral)**")
            || visit.starts_with("- **Red flag neurology_decreases_under_care (urgent referral)**"),
        "{visit}"
    );

    let html = stdout(&sot(&["run", "--format", "html", file]));
    let visit = html
        .split("<h3>Visit 3 (referral still open: the right toe extension weakens)</h3>")
        .nth(1)
        .expect("visit 3");
    assert!(
        visit.starts_with("<div class=\"flag\" role=\"alert\"><p class=\"head\">Red flag: "),
        "{visit}"
    );

    // JSON is an object (keys in alphabetical order): its shape does not change, and the
    // raised red flags are a field of their own, `red_flags`.
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&sot(&["run", "--format", "json", file]))).expect("JSON");
    let flags = &json["cases"][0]["visits"][2]["red_flags"];
    assert_eq!(flags[0]["red_flag"], "neurology_decreases_under_care");
    assert_eq!(flags[0]["urgency"], "urgent");
    assert_eq!(flags[1]["red_flag"], "category_three_refer_out");
    assert_eq!(flags[1]["urgency"], "routine");
}

/// A raised red flag names every true finding of its condition, not only the first: with
/// three cauda equina signs positive (one of them in a nested `or`), all three are listed,
/// in text and JSON; the negative one is not.
#[test]
fn a_raised_red_flag_names_every_true_finding() {
    let dir = tempdir("every_sign");
    let protocol = r#"protocol "Every sign" version "1.0"

indicator saddle_anaesthesia: bool
indicator new_bladder_dysfunction: bool
indicator progressive_neurological_deficit: bool
indicator lax_anal_sphincter: bool

red_flag cauda_equina "Possible cauda equina syndrome" {
  when saddle_anaesthesia or any of (new_bladder_dysfunction, lax_anal_sphincter, progressive_neurological_deficit)
  refer "Emergency medical referral"
}

case three "Three signs" {
  visit 1 {
    findings {
      saddle_anaesthesia = yes
      new_bladder_dysfunction = yes
      progressive_neurological_deficit = yes
      lax_anal_sphincter = no
    }
    expect refer
  }
}
"#;
    std::fs::write(dir.join("every_sign.sot"), protocol).expect("write");
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_sot"))
            .args(["run", "--format", format, "every_sign.sot"])
            .current_dir(&dir)
            .output()
            .expect("sot runs")
    };
    let out = run("text");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "RED FLAG cauda_equina: Emergency medical referral — because saddle_anaesthesia = yes, \
             new_bladder_dysfunction = yes, progressive_neurological_deficit = yes\n"
        ),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&run("json"))).expect("JSON");
    let findings: Vec<&str> = json["cases"][0]["visits"][0]["red_flags"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["finding"].as_str())
        .collect();
    assert_eq!(
        findings,
        [
            "saddle_anaesthesia",
            "new_bladder_dysfunction",
            "progressive_neurological_deficit"
        ]
    );
}

/// A rule that names the same call twice (`then rest, rest()`) is the reason of that
/// recommendation once, in text and JSON; another rule for the same call is still named.
#[test]
fn a_rule_is_named_once_per_recommendation() {
    let dir = tempdir("named_once");
    let protocol = r#"protocol "Named once" version "1.0"

indicator b: bool
indicator c: bool

adjustment rest

rule r {
  when b
  then rest, rest()
}

rule s {
  when c
  then rest
}

case one {
  visit 1 {
    findings {
      b = yes
      c = yes
    }
    expect adjustment rest
  }
}
"#;
    std::fs::write(dir.join("named_once.sot"), protocol).expect("write");
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_sot"))
            .args(["run", "--format", format, "named_once.sot"])
            .current_dir(&dir)
            .output()
            .expect("sot runs")
    };
    let out = run("text");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("because r: b = yes").count(), 1, "{text}");
    assert_eq!(text.matches("because s: c = yes").count(), 1, "{text}");
    assert_eq!(text.matches("• rest").count(), 1, "{text}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&run("json"))).expect("JSON");
    let because: Vec<&str> = json["cases"][0]["visits"][0]["recommendations"][0]["because"]
        .as_array()
        .expect("because")
        .iter()
        .filter_map(|b| b["rule"].as_str())
        .collect();
    assert_eq!(because, ["r", "s"]);
}

/// The bindings of a `for` check that are `not_needed` share one line that names them
/// (text, Markdown, HTML); the other outcomes keep their own lines and findings; `--verbose`
/// keeps one line per binding.
#[test]
fn not_needed_bindings_of_a_check_share_one_line() {
    let file = "protocols/cases/extremities_category_two.sot";
    let text = stdout(&sot(&["run", file]));
    assert!(
        text.contains(
            "    not needed (before the adjustment there was nothing to correct):\n      \
             arm_fossa_turns_negative: 5 of 6 bindings, all but side = left, fossa = middle\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "    complete (the check's goal after the adjustment was met):\n      \
             arm_fossa_turns_negative [side = left, fossa = middle]: before.arm_fossa("
        ),
        "{text}"
    );
    assert!(
        !text.contains("arm_fossa_turns_negative [side = left, fossa = upper]"),
        "{text}"
    );
    let markdown = stdout(&sot(&["run", "--format", "markdown", file]));
    assert!(
        markdown
            .contains("  - arm\\_fossa\\_turns\\_negative: 5 of 6 bindings, all but side = left"),
        "{markdown}"
    );
    let html = stdout(&sot(&["run", "--format", "html", file]));
    assert!(
        html.contains("<code class=\"id\">arm_fossa_turns_negative</code>: <span class=\"muted\">5 of 6 bindings, all but side = left"),
        "{html}"
    );

    let verbose = stdout(&sot(&["run", "--verbose", file]));
    assert!(
        verbose.contains(
            "      arm_fossa_turns_negative [side = left, fossa = upper]: \
             before.arm_fossa(side: left, fossa: upper) = no\n"
        ),
        "{verbose}"
    );
    assert!(!verbose.contains("6 bindings"), "{verbose}");
}
