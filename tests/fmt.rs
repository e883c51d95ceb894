//! End-to-end tests of `sot fmt`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn sot_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("sot runs")
}

const MESSY: &str = "protocol \"Messy\"\n// about the grade\ntype Grade=0..3\nindicator fiber(line:1..3,area:1..7):Grade   // palpated\nadjustment adjust(level:Vertebra)\nrule r{when fiber(line:2,area:6)>=2 then adjust(level:T8)}  // T8: the published point\n";

#[test]
fn formats_in_place_and_check_lists_what_would_change() {
    let dir = tempdir("fmt_in_place");
    std::fs::write(dir.join("messy.sot"), MESSY).expect("write");
    let check = sot_in(&dir, &["fmt", "--check", "."]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("messy.sot"));
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.sot"))
            .ok()
            .as_deref(),
        Some(MESSY),
        "--check changed the file"
    );

    let fmt = sot_in(&dir, &["fmt", "messy.sot"]);
    assert_eq!(fmt.status.code(), Some(0));
    let formatted = std::fs::read_to_string(dir.join("messy.sot")).expect("read");
    insta::assert_snapshot!(formatted);
    let again = sot_in(&dir, &["fmt", "--check", "messy.sot"]);
    assert_eq!(again.status.code(), Some(0), "not idempotent");
    let check = sot_in(&dir, &["check", "messy.sot"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn standard_input_to_standard_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sot runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"indicator   a :bool // kept\n")
        .expect("write");
    let out = child.wait_with_output().expect("output");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "indicator a: bool  // kept\n"
    );
}

#[test]
fn a_file_with_a_syntax_error_is_left_alone() {
    let dir = tempdir("fmt_broken");
    let broken = "rule r {\n  when (a and b\n  then x\n}\n";
    std::fs::write(dir.join("broken.sot"), broken).expect("write");
    let out = sot_in(&dir, &["fmt", "broken.sot"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.sot:3:3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.sot"))
            .ok()
            .as_deref(),
        Some(broken)
    );
}
