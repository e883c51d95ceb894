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

#[test]
#[cfg(unix)]
fn formatting_replaces_the_file_atomically_and_keeps_its_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempdir("fmt_atomic");
    let path = dir.join("messy.sot");
    std::fs::write(&path, MESSY).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let before = std::fs::metadata(&path).expect("metadata");
    let out = sot_in(&dir, &["fmt", "messy.sot"]);
    assert_eq!(out.status.code(), Some(0));
    let after = std::fs::metadata(&path).expect("metadata");
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    // A new file renamed into place, not the old one truncated and rewritten.
    assert_ne!(before.ino(), after.ino());
    assert_ne!(std::fs::read_to_string(&path).ok().as_deref(), Some(MESSY));
    assert!(!dir.join(".messy.sot.sot-tmp").exists());
}

#[test]
#[cfg(unix)]
fn a_symlinked_file_is_formatted_at_its_target() {
    let dir = tempdir("fmt_symlink");
    std::fs::create_dir_all(dir.join("real")).expect("dir");
    std::fs::write(dir.join("real/messy.sot"), MESSY).expect("write");
    std::os::unix::fs::symlink("real/messy.sot", dir.join("link.sot")).expect("symlink");
    let out = sot_in(&dir, &["fmt", "link.sot"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = std::fs::symlink_metadata(dir.join("link.sot")).expect("metadata");
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let formatted = std::fs::read_to_string(dir.join("real/messy.sot")).expect("read");
    assert_ne!(formatted, MESSY);
    let again = sot_in(&dir, &["fmt", "--check", "real/messy.sot"]);
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn a_failed_write_leaves_the_file_untouched() {
    let dir = tempdir("fmt_fails");
    let path = dir.join("messy.sot");
    std::fs::write(&path, MESSY).expect("write");
    // The temporary file cannot be created: a folder is where it would go. (Tests run as
    // root, where a read-only folder would not stop the write.)
    std::fs::create_dir_all(dir.join(".messy.sot.sot-tmp/x")).expect("dir");
    let out = sot_in(&dir, &["fmt", "messy.sot"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot write") && err.contains("unchanged"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(MESSY));
}

/// `and` and `or` mixed without parentheses: `sot fmt` gives the checker's code (E0305),
/// message and help, as `sot check` does, for a file and for standard input; a plain syntax
/// error stays E0001.
#[test]
fn mixed_and_or_is_e0305_as_in_check() {
    let dir = tempdir("fmt_mixed");
    let mixed = "indicator a: bool\nindicator b: bool\nindicator c: bool\nadjustment rest\n\nrule r {\n  when a and b or c\n  then rest\n}\n";
    std::fs::write(dir.join("mixed.sot"), mixed).expect("write");
    let check = sot_in(&dir, &["check", "--format", "json", "mixed.sot"]);
    let check = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(check.contains("E0305"), "{check}");
    assert!(
        check.contains("`and` and `or` are mixed without parentheses"),
        "{check}"
    );

    let out = sot_in(&dir, &["fmt", "mixed.sot"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.starts_with(
            "error[E0305]: mixed.sot:7:8: `and` and `or` are mixed without parentheses; not formatted"
        ),
        "{err}"
    );
    assert!(err.contains("help: add parentheses"), "{err}");
    assert!(!err.contains("E0001"), "{err}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sot runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(mixed.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.starts_with("error[E0305]: <stdin>:7:8:"), "{err}");

    std::fs::write(dir.join("broken.sot"), "rule r {\n  when (a and b\n}\n").expect("write");
    let out = sot_in(&dir, &["fmt", "broken.sot"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.starts_with("error[E0001]: broken.sot:"), "{err}");
}

#[test]
fn diff_shows_what_would_change_and_changes_nothing() {
    let dir = tempdir("fmt_diff");
    std::fs::write(dir.join("messy.sot"), MESSY).expect("write");
    let out = sot_in(&dir, &["fmt", "--diff", "messy.sot"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        diff.starts_with("--- messy.sot\n+++ messy.sot\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-type Grade=0..3\n"), "{diff}");
    assert!(diff.contains("\n+type Grade = 0..3\n"), "{diff}");
    assert!(
        !diff.contains('\x1b'),
        "colour when not on a terminal: {diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.sot"))
            .ok()
            .as_deref(),
        Some(MESSY),
        "--diff changed the file"
    );
    let fmt = sot_in(&dir, &["fmt", "messy.sot"]);
    assert_eq!(fmt.status.code(), Some(0));
    let clean = sot_in(&dir, &["fmt", "--diff", "messy.sot"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(
        clean.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
}

#[test]
fn diff_of_standard_input_and_in_colour() {
    let dir = tempdir("fmt_diff_stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["fmt", "--diff", "--color", "always", "-"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sot runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(MESSY.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("sot ends");
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(diff.contains("<stdin>"), "{diff}");
    // Removed lines red, added lines green.
    assert!(diff.contains("\x1b[1m\x1b[31m-type Grade=0..3"), "{diff:?}");
    assert!(diff.contains("\x1b[32m+type Grade = 0..3"), "{diff:?}");

    // Formatted text: no diff, status 0.
    let formatted = fmt_stdin(&dir, &["fmt", "-"], MESSY);
    let again = fmt_stdin(&dir, &["fmt", "--diff", "-"], &formatted);
    assert_eq!(again, "");
}

/// What `sot ARGS` printed with `input` on standard input; asserts status 0.
fn fmt_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sot runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("sot ends");
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
