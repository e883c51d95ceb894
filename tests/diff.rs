//! End-to-end tests of `sot diff`: hand-made pairs of protocol versions in
//! `tests/fixtures/diff/` (a threshold moved, `at least N` changed, a precedence reversed, a
//! rule's `unless` added, a red flag widened), each with the visits whose outcome changes;
//! the outputs (text, Markdown, JSON), the exit statuses, `--cases`, `--git`, and the error
//! for two files that are not versions of one protocol.

mod common;

use std::path::Path;
use std::process::Command;

use common::{sot, stderr, stdout, tempdir};

/// The old and the new file of a pair.
fn pair(name: &str) -> [String; 2] {
    [
        format!("tests/fixtures/diff/{name}.old.sot"),
        format!("tests/fixtures/diff/{name}.new.sot"),
    ]
}

/// `sot diff OLD NEW EXTRA…`, which must succeed; its standard output.
fn diff(name: &str, extra: &[&str]) -> String {
    let [old, new] = pair(name);
    let mut args = vec!["diff", &old, &new];
    args.extend_from_slice(extra);
    let out = sot(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

fn json(name: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&diff(name, &args)).expect("valid JSON")
}

#[test]
fn a_threshold_moved_changes_the_visit_between_the_old_and_the_new_limit() {
    let text = diff("threshold", &[]);
    // 5 mm is between 4 mm and 6 mm: Category II now, and the block with it.
    assert!(text.contains("Case legs, visit 2 \"5 mm\""), "{text}");
    assert!(text.contains("category: none → II"), "{text}");
    assert!(
        text.contains("the protocol now recommends block(category: II, short_leg: right)"),
        "{text}"
    );
    // 3 mm is below both limits: unchanged, not listed.
    assert!(!text.contains("visit 1"), "{text}");
    // 7 mm: the same category, but 5 mm after is no longer below the check's limit.
    assert!(
        text.contains("check legs_even: complete → ineffective"),
        "{text}"
    );
    insta::assert_snapshot!(text);

    let data = json("threshold", &[]);
    assert_eq!(data["cases"]["cases"], 1);
    assert_eq!(data["cases"]["visits"], 3);
    let changed = data["cases"]["changed"].as_array().expect("changed");
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0]["visit"], 2);
    assert_eq!(changed[0]["changes"][0]["kind"], "category");
    assert_eq!(changed[0]["changes"][0]["old"], "none");
    assert_eq!(changed[0]["changes"][0]["new"], "II");
    assert_eq!(changed[1]["changes"][0]["kind"], "check");
    assert_eq!(changed[1]["changes"][0]["old"], "complete");
    assert_eq!(changed[1]["changes"][0]["new"], "ineffective");
}

#[test]
fn at_least_n_raised_removes_the_category_and_runs_the_old_files_own_cases_too() {
    let text = diff("at_least", &[]);
    assert!(text.contains("Case two_of_three, visit 1"), "{text}");
    assert!(text.contains("category: II → none"), "{text}");
    // Three of three still make Category II.
    assert!(!text.contains("visit 2"), "{text}");
    // A case the new file dropped still runs, from the old file; its torsion is unknown,
    // so under the new version the category is provisional (3 of 3 may still hold).
    assert!(
        text.contains("Case unknown_torsion, visit 1 (tests/fixtures/diff/at_least.old.sot)"),
        "{text}"
    );
    assert!(text.contains("category: II → none (provisional)"), "{text}");
    assert!(text.contains("  block removed: 2 visits"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_precedence_reversed_changes_the_category_where_both_are_true_and_lists_a_renamed_rule() {
    let text = diff("precedence", &[]);
    assert!(text.contains("category: III → II"), "{text}");
    assert!(text.contains("now recommends adjust(level: T2)"), "{text}");
    assert!(
        text.contains(
            "no longer recommends adjust(level: L5) (recommended before by category_three_rule)"
        ),
        "{text}"
    );
    assert!(text.contains("added: rule category_three_lumbar"), "{text}");
    assert!(text.contains("removed: rule category_three_rule"), "{text}");
    // Category III alone: the renamed rule recommends the same.
    assert!(!text.contains("visit 2"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn an_unless_added_withholds_where_it_holds_and_leaves_undecided_where_unknown() {
    let text = diff("unless", &[]);
    assert!(
        text.contains("rule block_category_two is now withheld by its `unless`"),
        "{text}"
    );
    assert!(
        text.contains("rule block_category_two can no longer be decided"),
        "{text}"
    );
    // No osteoporosis: the block as before.
    assert!(!text.contains("visit 3"), "{text}");
    let data = json("unless", &[]);
    insta::assert_json_snapshot!(data);
}

#[test]
fn a_red_flag_widened_refers_first_and_says_so_first() {
    let text = diff("red_flag", &[]);
    let visit = text
        .split("Case saddle, visit 1")
        .nth(1)
        .expect("visit 1 changes");
    let lines: Vec<&str> = visit.lines().skip(1).take(3).collect();
    assert!(
        lines[0].contains("referral: the protocol now refers"),
        "{text}"
    );
    assert!(
        lines[1].contains("red flag cauda_equina: ruled out → raised"),
        "{text}"
    );
    assert!(lines[2].contains("no longer recommends block"), "{text}");
    // Bladder not examined: the widened red flag is no longer ruled out.
    assert!(
        text.contains("red flag cauda_equina: ruled out → not ruled out"),
        "{text}"
    );
    // The summary starts with the referral.
    let summary = text.split("Summary\n").nth(1).expect("a summary");
    assert!(summary.starts_with("  referral added: 1 visit"), "{text}");
    let markdown = diff("red_flag", &["--format", "markdown"]);
    assert!(markdown.contains("| referral added | 1 |"), "{markdown}");
    insta::assert_snapshot!(markdown);
}

#[test]
fn cases_from_json_data_and_from_another_file_run_under_both_versions() {
    let text = diff(
        "threshold",
        &["--cases", "tests/fixtures/diff/threshold.cases.json"],
    );
    assert!(
        text.contains("Cases: 1 run under both versions, 2 visits"),
        "{text}"
    );
    assert!(text.contains("Case json_legs, visit 1"), "{text}");
    // The file's own cases are not run when `--cases` is given.
    assert!(!text.contains("Case legs"), "{text}");

    let text = diff(
        "threshold",
        &["--cases", "tests/fixtures/diff/new_indicator_case.sot"],
    );
    assert!(text.contains("Case even_legs, visit 1"), "{text}");
    // A case that fits neither version is listed, with its problem, for each.
    assert!(text.contains("Not compared"), "{text}");
    assert!(
        text.contains(
            "case with_torsion (tests/fixtures/diff/new_indicator_case.sot) does not fit the old version"
        ),
        "{text}"
    );
    assert!(
        text.contains("E0501 line 18: finding for an unknown indicator `pelvic_torsion`"),
        "{text}"
    );
}

#[test]
fn case_data_that_fits_neither_version_is_listed_and_fails_the_gate() {
    let dir = tempdir("diff_bad_json");
    let data = dir.join("bad.json");
    std::fs::write(
        &data,
        r#"{"cases": [{"name": "x", "visits": [{"visit": 1, "findings": {"arm_fossa": "left"}}]}]}"#,
    )
    .expect("write");
    let [old, new] = pair("threshold");
    let data = data.to_str().expect("utf-8 path");
    let out = sot(&["diff", &old, &new, "--cases", data, "--fail-on-change"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Cases: 0 run under both versions, 0 visits"),
        "{text}"
    );
    for version in ["old", "new"] {
        assert!(
            text.contains(&format!(
                "the case data of {data} does not fit the {version} version"
            )),
            "{text}"
        );
    }
    assert!(text.contains("unknown indicator `arm_fossa`"), "{text}");
}

#[test]
fn exit_status_one_with_fail_on_change_only_when_something_changed() {
    let [old, new] = pair("unless");
    let changed = sot(&["diff", &old, &new, "--fail-on-change"]);
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    assert!(stdout(&changed).contains("now withheld"));
    let same = sot(&["diff", &old, &old, "--fail-on-change"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(
        stdout(&same).contains("no visit's outcome changes"),
        "{}",
        stdout(&same)
    );
    // Without the flag a change is no failure.
    assert_eq!(sot(&["diff", &old, &new]).status.code(), Some(0));
}

#[test]
fn files_that_share_no_item_are_not_two_versions_of_one_protocol() {
    let out = sot(&[
        "diff",
        "tests/fixtures/diff/threshold.old.sot",
        "tests/fixtures/diff/unrelated.sot",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("error[E0701]"), "{err}");
    assert!(err.contains("share no item"), "{err}");
}

#[test]
fn a_version_with_errors_is_reported_and_not_compared() {
    let dir = tempdir("diff_errors");
    let broken = dir.join("broken.sot");
    let text = std::fs::read_to_string("tests/fixtures/diff/unless.new.sot").expect("fixture");
    std::fs::write(
        &broken,
        text.replace("unless osteoporosis", "unless osteoporsis"),
    )
    .expect("write");
    let out = sot(&[
        "diff",
        "tests/fixtures/diff/unless.old.sot",
        broken.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0101"), "{err}");
    assert!(err.contains("fix them first"), "{err}");
}

/// `git ARGS` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn git_compares_the_file_with_its_text_at_a_revision() {
    let dir = tempdir("diff_git");
    let [old, new] = pair("unless");
    let file = dir.join("protocol.sot");
    std::fs::copy(&old, &file).expect("copy");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "protocol.sot"]);
    git(
        &dir,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "old",
        ],
    );
    std::fs::copy(&new, &file).expect("copy");
    let path = file.to_str().expect("utf-8 path");
    let out = sot(&["diff", path, "--git", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("sot diff: HEAD:{path} → {path}")),
        "{text}"
    );
    assert!(text.contains("is now withheld"), "{text}");

    // Without git on the path: said so, not a crash.
    let no_git = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["diff", path, "--git", "HEAD"])
        .env("PATH", dir.join("no-such-folder"))
        .env("NO_COLOR", "1")
        .output()
        .expect("sot runs");
    assert_eq!(no_git.status.code(), Some(2));
    assert!(
        stderr(&no_git).contains("cannot run `git` for `--git HEAD`"),
        "{}",
        stderr(&no_git)
    );

    // The text at the revision gets the checks of a file read from disk.
    let cr = dir.join("cr.sot");
    std::fs::write(
        &cr,
        std::fs::read_to_string(&old)
            .expect("old")
            .replace('\n', "\r"),
    )
    .expect("write");
    git(&dir, &["add", "cr.sot"]);
    git(
        &dir,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "cr",
        ],
    );
    std::fs::copy(&old, &cr).expect("copy");
    let bad = sot(&["diff", cr.to_str().expect("utf-8 path"), "--git", "HEAD"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("error[E0001]: `HEAD:./cr.sot` is saved with CR-only line ends"),
        "{}",
        stderr(&bad)
    );

    let missing = sot(&["diff", path, "--git", "no-such-revision"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = stderr(&missing);
    assert!(
        err.contains("git show no-such-revision:./protocol.sot"),
        "{err}"
    );
    assert!(err.contains("failed"), "{err}");
}

#[test]
fn every_run_fixture_compared_with_itself_changes_nothing() {
    let mut files: Vec<String> = std::fs::read_dir("tests/fixtures/run")
        .expect("run fixtures")
        .map(|e| e.expect("entry").path().display().to_string())
        .filter(|p| p.ends_with(".sot"))
        .collect();
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    for file in &files {
        let out = sot(&["diff", file, file, "--fail-on-change", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        let data: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(data["cases"]["changed"], serde_json::json!([]), "{file}");
        assert_eq!(data["cases"]["not_run"], serde_json::json!([]), "{file}");
        // Every case ran: as many as `sot run` reports.
        // (`sot run` prints nothing for a file without cases: none.)
        let run: serde_json::Value =
            serde_json::from_str(&stdout(&sot(&["run", file, "--format", "json"])))
                .unwrap_or_default();
        let cases = run["cases"].as_array().map_or(0, Vec::len);
        assert_eq!(data["cases"]["cases"], cases, "{file}");
    }
}

#[test]
fn colour_marks_a_referral_in_red_and_only_when_asked() {
    let [old, new] = pair("red_flag");
    let out = sot(&["--color", "always", "diff", &old, &new]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let referral = text
        .lines()
        .find(|l| l.contains("the protocol now refers"))
        .expect("a referral line");
    assert!(
        referral.contains("\u{1b}[1m\u{1b}[31m") || referral.contains("\u{1b}[1;31m"),
        "{referral:?}"
    );
    // The same words as without colour.
    let plain = diff("red_flag", &[]);
    let stripped: String = strip_ansi(&text);
    assert_eq!(stripped.trim_end(), plain.trim_end());
}

/// `text` without ANSI escape sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn expect_lines_that_name_what_one_version_lacks_do_not_keep_a_case_from_running() {
    let dir = tempdir("diff_expects");
    let new = dir.join("new.sot");
    let text = std::fs::read_to_string("tests/fixtures/diff/unless.new.sot").expect("fixture");
    // The new version renames the rule, and its case expects the rule by the new name.
    let text = text
        .replace("block_category_two", "block_ii_unless")
        .replace(
            "      osteoporosis = yes\n    }\n",
            "      osteoporosis = yes\n    }\n    expect withheld block_ii_unless\n",
        );
    assert!(text.contains("expect withheld block_ii_unless"), "{text}");
    std::fs::write(&new, text).expect("write");
    let out = sot(&[
        "diff",
        "tests/fixtures/diff/unless.old.sot",
        new.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("Not compared"), "{text}");
    assert!(
        text.contains("Cases: 1 run under both versions, 3 visits"),
        "{text}"
    );
    assert!(
        text.contains("rule block_ii_unless is now withheld"),
        "{text}"
    );
    assert!(text.contains("removed: rule block_category_two"), "{text}");
}
