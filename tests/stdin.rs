//! End-to-end tests of `-` (a protocol on standard input) for `sot check` and `sot run`: the
//! name `<stdin>` in diagnostics, `use` paths from the current folder, and the limits and
//! text rules of files.

mod common;

use common::{repo, sot_with_input, stderr, stdout, tempdir};

const LIB: &str = "type Tenderness = mild | marked\n";

#[test]
fn check_reads_standard_input_and_resolves_use_from_the_current_folder() {
    let dir = tempdir("stdin_use");
    std::fs::create_dir_all(dir.join("lib")).expect("mkdir");
    std::fs::write(dir.join("lib/types.sot"), LIB).expect("write");
    let text = "protocol \"Stdin\"\nuse \"lib/types.sot\"\nindicator tender: Tenderness\n";
    let out = sot_with_input(&dir, &["check", "-"], text.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked 1 file (and 1 file they use)"),
        "{}",
        stderr(&out)
    );
    // Without the library beside it, the `use` is missing: relative to the current folder.
    let elsewhere = tempdir("stdin_use_elsewhere");
    let out = sot_with_input(&elsewhere, &["check", "-"], text.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0103"), "{}", stderr(&out));
}

#[test]
fn diagnostics_name_standard_input() {
    let dir = tempdir("stdin_diagnostics");
    let text = "protocol \"Broken\"\nindicator tender: NoSuchType\n";
    let human = sot_with_input(&dir, &["check", "-"], text.as_bytes());
    assert_eq!(human.status.code(), Some(1));
    assert!(stderr(&human).contains("<stdin>:2:"), "{}", stderr(&human));
    let json = sot_with_input(&dir, &["check", "--format", "json", "-"], text.as_bytes());
    let diagnostics: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let unknown = diagnostics
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["code"] == "E0101"))
        .unwrap_or_else(|| panic!("no E0101: {diagnostics}"));
    assert_eq!(unknown["file"], "<stdin>");
    assert_eq!(unknown["line"], 2);
}

#[test]
fn run_reads_standard_input() {
    let text = std::fs::read(repo().join("protocols/cases/red_flag_stops_care.sot")).expect("read");
    // From the protocol's own folder, so that its `use` paths resolve.
    let dir = repo().join("protocols/cases");
    let from_stdin = sot_with_input(&dir, &["run", "-"], &text);
    assert_eq!(from_stdin.status.code(), Some(0), "{}", stderr(&from_stdin));
    let from_file = sot_with_input(&dir, &["run", "red_flag_stops_care.sot"], b"");
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert!(stdout(&from_stdin).contains("RED FLAG"));
}

#[test]
fn standard_input_obeys_the_rules_of_files() {
    let dir = tempdir("stdin_rules");
    let nul = sot_with_input(&dir, &["check", "-"], b"protocol \"x\"\n\0\n");
    assert_eq!(nul.status.code(), Some(1));
    assert!(
        stderr(&nul).contains("<stdin>") && stderr(&nul).contains("NUL byte at line 2"),
        "{}",
        stderr(&nul)
    );
    let cr = sot_with_input(
        &dir,
        &["run", "-"],
        b"protocol \"x\"\rindicator a: yes_no\r",
    );
    assert_eq!(cr.status.code(), Some(1));
    assert!(stderr(&cr).contains("CR-only line ends"), "{}", stderr(&cr));
    let latin1 = sot_with_input(&dir, &["check", "-"], b"protocol \"caf\xe9\"\n");
    assert_eq!(latin1.status.code(), Some(1));
    assert!(
        stderr(&latin1).contains("not valid UTF-8"),
        "{}",
        stderr(&latin1)
    );
    // A byte order mark is dropped, as from a file.
    let bom = sot_with_input(&dir, &["check", "-"], b"\xef\xbb\xbfprotocol \"x\"\n");
    assert_eq!(bom.status.code(), Some(0), "{}", stderr(&bom));
}

#[test]
fn standard_input_over_the_size_limit_is_refused_without_reading_it_all() {
    let dir = tempdir("stdin_limit");
    // 16 MiB (the limit) and a little more: refused, the rest never read.
    let mut big = b"protocol \"Big\"\n".to_vec();
    big.resize((16 << 20) + 100, b'\n');
    let out = sot_with_input(&dir, &["check", "-"], &big);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("too large") && stderr(&out).contains("<stdin>"),
        "{}",
        stderr(&out)
    );
}
