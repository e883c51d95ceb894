//! End-to-end tests of the `sot` command: output (insta snapshots), exit statuses, and
//! hostile input.

mod common;

use common::tempdir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `sot` with `args` in `dir`, colours off.
fn sot_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("sot runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn human_report_of_a_many_error_file() {
    let out = sot_in(
        &fixtures().join("check"),
        &["check", "--color", "never", "many_errors.sot"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn json_report_of_a_many_error_file() {
    let out = sot_in(
        &fixtures().join("check"),
        &["check", "--format", "json", "many_errors.sot"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn json_columns_count_characters_not_bytes() {
    let dir = tempdir("columns");
    std::fs::write(
        dir.join("accents.sot"),
        "/// Épaule — «test» 🙂\nindicator épaule: bool\n",
    )
    .expect("write");
    let out = sot_in(&dir, &["check", "--format", "json", "accents.sot"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let first = &json[0];
    assert_eq!(first["code"], "E0001");
    assert_eq!(first["line"], 2);
    assert_eq!(first["column"], 11, "{first}");
    assert_eq!(first["end_column"], 17, "{first}");
}

/// Writes each block to a file and asserts `sot check` passes on it (with `--deny warnings`
/// when `deny_warnings`).
fn assert_blocks_check_clean(label: &str, blocks: &[String], deny_warnings: bool) {
    assert!(!blocks.is_empty(), "{label}: no sot blocks");
    let dir = tempdir(label);
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let name = format!("{label}{i}.sot");
        std::fs::write(dir.join(&name), block).expect("write");
        let mut args = vec!["check", "--color", "never", &name];
        if deny_warnings {
            args.extend(["--deny", "warnings"]);
        }
        let out = sot_in(&dir, &args);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{label} block {i}:\n{block}\n{}",
                text(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn read_repo_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

#[test]
fn the_language_reference_example_checks_clean() {
    let spec = std::fs::read_to_string(fixtures().join("LANGUAGE.md")).expect("spec copy");
    // The copy must be the contract itself when the contract is at hand.
    if let Ok(contract) =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/LANGUAGE.md"))
    {
        assert_eq!(spec, contract, "tests/fixtures/LANGUAGE.md is out of date");
    }
    // §1–§6: whole files and self-contained fragments, clean with warnings denied.
    let (v01, v02) = spec.split_once("\n## 7. ").expect("the spec has a §7");
    assert_blocks_check_clean("spec", &sot_blocks(v01), true);
    // §7's examples are fragments that name what they do not declare and write `…` for the
    // rest: after a prelude that declares those names, and with `…` as nothing, they check
    // clean (warnings allowed: a fragment leaves declarations unused).
    let prelude = "protocol \"LANGUAGE.md §7\" version \"0.2\"\n\
        indicator age: 0..120\n\
        indicator history_of_cancer: bool\n\
        indicator osteoporosis: bool\n\
        indicator toe_extension_strength(side: Side): 0..5\n\
        category I \"One\" { when osteoporosis }\n\
        category II \"Two\" { when history_of_cancer }\n\
        category III \"Three\" { when age >= 60 }\n";
    let blocks: Vec<String> = sot_blocks(v02)
        .iter()
        .map(|b| format!("{prelude}{}", b.replace('…', "")))
        .collect();
    assert_eq!(blocks.len(), 3, "§7.1, §7.2 and §7.3 have an example each");
    assert_blocks_check_clean("spec-v0.2", &blocks, false);
}

#[test]
fn the_readme_examples_check_clean() {
    assert_blocks_check_clean("readme", &sot_blocks(&read_repo_file("README.md")), true);
}

#[test]
fn the_language_guide_examples_check_clean() {
    // Complete files (they start with a `protocol` header and use no other file) must check
    // clean; the other blocks are fragments of one.
    let blocks: Vec<String> = sot_blocks(&read_repo_file("docs/language.md"))
        .into_iter()
        .filter(|b| {
            b.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("//"))
                .is_some_and(|l| l.starts_with("protocol "))
        })
        .filter(|b| !b.contains("use \""))
        .collect();
    assert_blocks_check_clean("guide", &blocks, false);
}

#[test]
fn the_bundled_protocols_check_clean() {
    let out = sot_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "--deny", "warnings", "protocols"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// The ```sot code blocks of a Markdown text.
fn sot_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sot") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let out = sot_in(&fixtures(), &["check", "no/such/file.sot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no/such/file.sot"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn a_file_that_is_not_utf8_is_a_diagnostic() {
    let dir = tempdir("latin1");
    std::fs::write(
        dir.join("latin1.sot"),
        b"/// \xe9paule\nindicator a: bool\n",
    )
    .expect("write");
    let out = sot_in(&dir, &["check", "--format", "json", "latin1.sot"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json[0]["code"], "E0001");
    assert!(
        json[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("UTF-8"),
        "{json}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = fixtures().join("check");
    let out = sot_in(&dir, &["check", "W0604_unused_type.sot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("W0604"));
    let out = sot_in(
        &dir,
        &["check", "--deny", "warnings", "W0604_unused_type.sot"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_clean_file_exits_zero() {
    let out = sot_in(
        &fixtures().join("check"),
        &["check", "clean_language_example.sot"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no problems"));
}

#[test]
fn a_folder_is_checked_recursively_with_every_error_in_one_run() {
    let out = sot_in(
        &fixtures().join("check"),
        &["check", "--format", "json", "."],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let files: std::collections::BTreeSet<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(
        files.iter().any(|f| f.starts_with("E0103_cycle/")),
        "{files:?}"
    );
    assert!(files.len() > 50, "{}", files.len());
}

#[test]
fn broken_items_are_reported_one_each_and_the_rest_is_checked() {
    let out = sot_in(
        &fixtures().join("check"),
        &["check", "--format", "json", "E0001_three_broken_items.sot"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let syntax = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "E0001")
        .count();
    assert_eq!(syntax, 3, "{json:#}");
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let dir = tempdir("deep");
    let deep = format!("rule r {{\n  when {}a\n  then x\n}}\n", "(".repeat(100_000));
    std::fs::write(dir.join("deep.sot"), deep).expect("write");
    let nots = format!(
        "indicator a: bool\ncategory I {{ when {}a }}\n",
        "not ".repeat(100_000)
    );
    std::fs::write(dir.join("nots.sot"), nots).expect("write");
    let out = sot_in(&dir, &["check", "--format", "json", "deep.sot", "nots.sot"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let messages: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "E0001")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{json:#}");
    assert!(messages[0].contains("nest"), "{messages:?}");
    assert!(messages[1].contains("`not`"), "{messages:?}");
}

#[test]
fn help_explains_the_commands() {
    let out = sot_in(&fixtures(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("check") && help.contains("Exit status"),
        "{help}"
    );
    let out = sot_in(&fixtures(), &["check", "--help"]);
    let help = text(&out.stdout);
    assert!(
        help.contains("--format") && help.contains("--deny"),
        "{help}"
    );
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let out = sot_in(&fixtures(), &["check", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Runs `sot lsp` with `flags` and, while it runs, sends `initialize` and waits for the
/// answer, then `initialized`, `shutdown` (waiting again) and `exit`. Returns the answers
/// (`None` if the server ended first) and how it ended.
fn lsp_session(flags: &[&str]) -> (Option<Vec<serde_json::Value>>, Output) {
    use std::io::{BufRead, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .arg("lsp")
        .args(flags)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sot runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut send = |body: &str| {
        // The server may already have gone (a rejected flag): the status says so.
        let _ = write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = stdin.flush();
    };
    // The next message with `"id": id`, or `None` at the end of the output.
    let mut answer = |id: u64| -> Option<serde_json::Value> {
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).ok()? == 0 {
                    return None;
                }
                match line.trim_end() {
                    "" => break,
                    header => {
                        if let Some(n) = header.strip_prefix("Content-Length: ") {
                            length = n.parse().ok()?;
                        }
                    }
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).ok()?;
            let message: serde_json::Value = serde_json::from_slice(&body).ok()?;
            if message["id"] == id {
                return Some(message);
            }
        }
    };
    let mut answers = Vec::new();
    send(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#,
    );
    let answers = answer(1).map(|init| {
        answers.push(init);
        send(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
        send(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
        answers.extend(answer(2));
        send(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        answers
    });
    drop(stdin);
    (answers, child.wait_with_output().expect("sot lsp exits"))
}

#[test]
fn lsp_accepts_the_flags_language_clients_pass() {
    // vscode-languageclient's TransportKind.stdio appends `--stdio`; clients conventionally
    // add `--clientProcessId`, in both spellings.
    for flags in [
        &[][..],
        &["--stdio"],
        &["--stdio", "--clientProcessId=4242"],
        &["--clientProcessId", "4242", "--stdio"],
    ] {
        let (answers, out) = lsp_session(flags);
        let answers = answers.unwrap_or_else(|| {
            panic!(
                "sot lsp {flags:?} ended before answering: {}",
                text(&out.stderr)
            )
        });
        assert_eq!(answers.len(), 2, "sot lsp {flags:?}: {answers:?}");
        assert_eq!(
            answers[0]["result"]["serverInfo"]["name"], "sot",
            "{answers:?}"
        );
        assert!(
            answers[1].get("result").is_some_and(|r| r.is_null()),
            "shutdown answered without error: {answers:?}"
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "sot lsp {flags:?}: {}",
            text(&out.stderr)
        );
    }
    // Other flags are still usage errors, and help names `--stdio` only.
    let (answers, out) = lsp_session(&["--socket=9000"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(answers.is_none(), "{answers:?}");
    let help = text(&sot_in(&fixtures(), &["lsp", "--help"]).stdout);
    assert!(
        help.contains("--stdio") && !help.contains("clientProcessId"),
        "{help}"
    );
}

#[test]
fn limits_are_diagnostics() {
    let dir = tempdir("limits");
    // A string longer than 64 KiB.
    let long = format!("protocol \"{}\"\n", "x".repeat(70_000));
    std::fs::write(dir.join("string.sot"), long).expect("write");
    // A file larger than 16 MiB (comments: cheap to write).
    let line = format!("// {}\n", "y".repeat(1000));
    std::fs::write(dir.join("huge.sot"), line.repeat(17_000)).expect("write");
    let out = sot_in(
        &dir,
        &["check", "--format", "json", "string.sot", "huge.sot"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let messages: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "E0001")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("string longer than 65536")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("more than the 16777216")),
        "{messages:?}"
    );
}

#[test]
fn a_protocol_with_too_many_findings_is_refused() {
    let dir = tempdir("findings_limit");
    // 101 indicators of 100,000 findings each: more than 10,000,000 in all.
    let text: String = (0..101)
        .map(|i| format!("indicator reflex_{i}(a: 1..1000, b: 1..100): bool\n"))
        .collect();
    std::fs::write(dir.join("many.sot"), text).expect("write");
    let out = sot_in(&dir, &["check", "--format", "json", "many.sot"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let e0302: Vec<&serde_json::Value> = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "E0302")
        .collect();
    assert_eq!(e0302.len(), 1, "{e0302:?}");
    assert_eq!(e0302[0]["line"], 101);
    assert!(e0302[0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("more than 10000000 findings"));
}

/// A project with a marker at its top, `lib.sot` there and `x/y/a.sot` using it as
/// `../../lib.sot`; returns the project folder.
fn nested_project(name: &str) -> PathBuf {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("x/y")).expect("dir");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(dir.join("lib.sot"), "indicator leg: bool\nadjustment fix\n").expect("write");
    std::fs::write(
        dir.join("x/y/a.sot"),
        "use \"../../lib.sot\"\n\nrule r {\n  when leg\n  then fix\n}\n",
    )
    .expect("write");
    dir
}

#[test]
fn parent_folders_in_use_resolve_from_every_working_directory() {
    let dir = nested_project("dotdot");
    // A decoy where the old lexical bug looked (`x/y/lib.sot`): it must not be read.
    std::fs::write(dir.join("x/y/lib.sot"), "rule x is here\n").expect("write");
    let runs: [(PathBuf, &str); 4] = [
        (dir.clone(), "x/y/a.sot"),
        (dir.join("x"), "y/a.sot"),
        (dir.join("x/y"), "a.sot"),
        (dir.join("x/y"), "../y/./a.sot"),
    ];
    for (cwd, file) in runs {
        for command in ["check", "doc"] {
            let out = sot_in(&cwd, &[command, file]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "`sot {command} {file}` in {}: {}",
                cwd.display(),
                text(&out.stderr)
            );
        }
    }
}

/// The JSON diagnostics of `sot check --format json ARGS` in `dir`, with the exit status.
fn check_json(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = sot_in(dir, &all);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("valid JSON: {}", text(&out.stderr)));
    (
        out.status.code(),
        json.as_array().cloned().unwrap_or_default(),
    )
}

#[test]
fn use_of_an_absolute_path_is_refused_and_nothing_is_echoed() {
    let dir = tempdir("use_absolute");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(dir.join("a.sot"), "use \"/proc/self/environ\"\n").expect("write");
    for command in ["run", "test", "doc"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sot"))
            .args([command, "a.sot"])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env("SOT_CANARY", "do-not-print-me")
            .output()
            .expect("sot runs");
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{command}: {all}");
        assert!(!all.contains("do-not-print-me"), "{command}: {all}");
        assert!(all.contains("E0103"), "{command}: {all}");
        assert!(all.contains("write a path relative to this file"), "{all}");
    }
    let (code, ds) = check_json(&dir, &["a.sot"]);
    assert_eq!(code, Some(1));
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["code"], "E0103");
    assert_eq!(
        (ds[0]["line"].clone(), ds[0]["column"].clone()),
        (1.into(), 5.into())
    );
}

#[test]
#[cfg(unix)]
fn use_outside_the_project_is_refused() {
    let top = tempdir("use_outside");
    let dir = top.join("project");
    std::fs::create_dir_all(dir.join("sub")).expect("dir");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(top.join("secret.sot"), "indicator secret: bool\n").expect("write");
    std::fs::write(dir.join("sub/up.sot"), "use \"../../secret.sot\"\n").expect("write");
    std::os::unix::fs::symlink(top.join("secret.sot"), dir.join("link.sot")).expect("symlink");
    std::fs::write(dir.join("sub/linked.sot"), "use \"../link.sot\"\n").expect("write");
    // Inside the project: fine, also through `..`.
    std::fs::write(dir.join("lib.sot"), "indicator leg: bool\n").expect("write");
    std::fs::write(dir.join("sub/ok.sot"), "use \"../lib.sot\"\n").expect("write");
    for (cwd, prefix) in [(dir.clone(), "sub/"), (dir.join("sub"), "")] {
        for file in ["up.sot", "linked.sot"] {
            let (code, ds) = check_json(&cwd, &[&format!("{prefix}{file}")]);
            assert_eq!(code, Some(1), "{file}: {ds:?}");
            assert_eq!(ds.len(), 1, "{file}: {ds:?}");
            assert_eq!(ds[0]["code"], "E0103");
            assert_eq!(ds[0]["line"], 1);
            let message = ds[0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("outside the project"), "{message}");
            let help = ds[0]["help"].as_str().unwrap_or_default();
            assert!(help.contains("sot.toml"), "{help}");
            let root = dir.canonicalize().expect("canonical");
            assert!(help.contains(&root.display().to_string()), "{help}");
        }
        let (code, ds) = check_json(&cwd, &[&format!("{prefix}ok.sot")]);
        assert_eq!(code, Some(0), "{ds:?}");
    }
    // Without a marker the root is the named file's folder: `..` leaves it.
    let bare = top.join("bare");
    std::fs::create_dir_all(bare.join("in")).expect("dir");
    std::fs::write(bare.join("lib.sot"), "indicator leg: bool\n").expect("write");
    std::fs::write(bare.join("in/a.sot"), "use \"../lib.sot\"\n").expect("write");
    // (The test folder is inside this repository, which has `.git`: that root would hold
    // both; a marker-free tree is simulated by giving `in/` its own marker.)
    std::fs::write(bare.join("in/sot.toml"), "").expect("write");
    let (code, ds) = check_json(&bare, &["in/a.sot"]);
    assert_eq!(code, Some(1), "{ds:?}");
    assert_eq!(ds[0]["code"], "E0103");
}

#[test]
fn a_syntax_error_shows_its_own_line_only() {
    let dir = tempdir("one_line_snippet");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(
        dir.join("notes.txt"),
        "secret one\nsecret two\nsecret three\n",
    )
    .expect("write");
    std::fs::write(dir.join("a.sot"), "use \"notes.txt\"\n").expect("write");
    for command in ["check", "run", "test", "doc"] {
        let out = sot_in(&dir, &[command, "a.sot"]);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{command}: {all}");
        assert!(all.contains("notes.txt:1:1"), "{command}: {all}");
        assert!(!all.contains("secret two"), "{command}: {all}");
        assert!(!all.contains("secret three"), "{command}: {all}");
    }
}

/// Runs `sot` with `args` in `dir`, killed after 30 s (a regression fails, not hangs).
fn sot_with_timeout(dir: &Path, args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sot starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`sot {}` did not finish in 30 s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
#[cfg(unix)]
fn fifos_and_devices_are_not_read() {
    let dir = tempdir("not_regular");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(dir.join("good.sot"), "indicator leg: bool\n").expect("write");
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.sot"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.sot")).expect("symlink");
    for args in [
        &["check", "."][..],
        &["fmt", "--check", "."],
        &["fmt", "."],
        &["test", "."],
        &["check", "pipe.sot"],
        &["check", "zero.sot"],
        &["run", "zero.sot"],
        &["fmt", "zero.sot"],
    ] {
        let out = sot_with_timeout(&dir, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
        assert!(!err.contains("no such file"), "{args:?}: {err}");
    }
    // A `use` of them: not read either.
    std::fs::write(dir.join("uses.sot"), "use \"zero.sot\"\nuse \"pipe.sot\"\n").expect("write");
    let out = sot_with_timeout(&dir, &["run", "uses.sot"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a regular file"));
}

#[test]
fn an_error_far_into_a_long_line_is_shown_without_panicking() {
    let dir = tempdir("long_line");
    let line = format!("indicator a: bool\n{}oops\n", " ".repeat(65_536));
    std::fs::write(dir.join("long.sot"), line).expect("write");
    let out = sot_in(&dir, &["check", "long.sot"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("long.sot:2:65537"), "{err}");
    assert!(err.contains("oops"), "{err}");
    // A window of the line, not all of it.
    assert!(err.len() < 2_000, "{} bytes", err.len());
    // A long span on a long line, too (a string of 70,000 characters).
    let string = format!("protocol \"{}\"\n", "x".repeat(70_000));
    std::fs::write(dir.join("string.sot"), string).expect("write");
    let out = sot_in(&dir, &["check", "string.sot"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).len() < 2_000);
    // A secondary label with the primary far into a long line (E0102: declared twice).
    let twice = format!(
        "indicator a: bool\nindicator{}a: bool\n",
        " ".repeat(70_000)
    );
    std::fs::write(dir.join("twice.sot"), twice).expect("write");
    let out = sot_in(&dir, &["check", "twice.sot"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0102") && err.contains("twice.sot:2:70010"),
        "{err}"
    );
    assert!(err.len() < 3_000, "{} bytes", err.len());
}

#[test]
fn check_reports_the_errors_of_the_files_a_file_uses() {
    let dir = tempdir("check_used_errors");
    std::fs::write(dir.join("sot.toml"), "").expect("write");
    std::fs::write(dir.join("lib.sot"), "rule x is here\n").expect("write");
    std::fs::write(
        dir.join("main.sot"),
        "use \"lib.sot\"\nindicator leg: bool\n",
    )
    .expect("write");
    let out = sot_in(&dir, &["check", "main.sot"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lib.sot:1:"), "{err}");
    assert!(err.contains("(and 1 file they use)"), "{err}");
    let (code, ds) = check_json(&dir, &["main.sot"]);
    assert_eq!(code, Some(1));
    assert!(
        ds.iter()
            .any(|d| d["file"] == "lib.sot" && d["code"] == "E0001"),
        "{ds:?}"
    );
    // Named as well: reported once.
    let (_, both) = check_json(&dir, &["main.sot", "lib.sot"]);
    let lib = both.iter().filter(|d| d["file"] == "lib.sot").count();
    let alone = check_json(&dir, &["lib.sot"]).1.len();
    assert_eq!(lib, alone, "{both:?}");
    // `run` refuses it too, with the same error.
    let run = sot_in(&dir, &["run", "main.sot"]);
    assert_eq!(run.status.code(), Some(1));
}

#[test]
fn byte_order_marks_cr_only_line_ends_and_nul_bytes() {
    let dir = tempdir("bom_cr_nul");
    // A byte order mark is dropped: the file checks clean, columns as without it.
    std::fs::write(
        dir.join("bom.sot"),
        "\u{feff}indicator leg: bool\nindicator x bool\n",
    )
    .expect("write");
    let (code, ds) = check_json(&dir, &["bom.sot"]);
    assert_eq!(code, Some(1), "{ds:?}");
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(
        (ds[0]["line"].clone(), ds[0]["column"].clone()),
        (2.into(), 13.into())
    );
    std::fs::write(dir.join("bom_ok.sot"), "\u{feff}indicator leg: bool\n").expect("write");
    assert_eq!(check_json(&dir, &["bom_ok.sot"]).0, Some(0));
    // CRLF is fine; CR-only is refused (it would read as one comment line).
    std::fs::write(dir.join("crlf.sot"), "// a\r\nindicator leg: bool\r\n").expect("write");
    assert_eq!(check_json(&dir, &["crlf.sot"]).0, Some(0));
    let cr = "// a protocol\rindicator leg: bool\rcase c {\r  visit 1 \"2026-01-01\" {\r    findings { leg = yes }\r    expect category none\r  }\r}\r";
    std::fs::write(dir.join("cr.sot"), cr).expect("write");
    let (code, ds) = check_json(&dir, &["cr.sot"]);
    assert_eq!(code, Some(1), "{ds:?}");
    assert_eq!(ds[0]["code"], "E0001");
    let message = ds[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("CR-only line ends") && message.contains("LF or CRLF"),
        "{message}"
    );
    let test = sot_in(&dir, &["test", "cr.sot"]);
    assert_ne!(test.status.code(), Some(0), "{}", text(&test.stdout));
    // A NUL byte, named with its line.
    std::fs::write(
        dir.join("nul.sot"),
        "indicator leg: bool\nindicator \0x: bool\n",
    )
    .expect("write");
    let (code, ds) = check_json(&dir, &["nul.sot"]);
    assert_eq!(code, Some(1), "{ds:?}");
    assert_eq!(ds[0]["code"], "E0001");
    let message = ds[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("a NUL byte at line 2"), "{message}");
    // `sot fmt` reads the same way: the mark is dropped, CR-only is not formatted.
    let fmt = sot_in(&dir, &["fmt", "bom_ok.sot", "cr.sot"]);
    assert_eq!(fmt.status.code(), Some(1), "{}", text(&fmt.stderr));
    let formatted = std::fs::read_to_string(dir.join("bom_ok.sot")).expect("read");
    assert!(!formatted.starts_with('\u{feff}'), "{formatted:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("cr.sot")).ok().as_deref(),
        Some(cr)
    );
}
