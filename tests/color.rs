//! Colour: one decision for every coloured output (diagnostics on standard error, `sot run`
//! and `sot test` on standard output), from `--color` and the environment (`NO_COLOR`,
//! `CLICOLOR`, `CLICOLOR_FORCE`, `TERM`), against the real binary, on pipes and on a
//! pseudo-terminal. Colour is told by ESC bytes.

mod common;

use common::repo;
use std::process::{Command, Stdio};

/// A file with many errors: its diagnostics go to standard error.
const ERRORS: &[&str] = &["check", "tests/fixtures/check/many_errors.sot"];
/// A report with a red flag raised: text on standard output.
const RUN: &[&str] = &["run", "protocols/cases/red_flag_stops_care.sot"];

/// `sot ARGS` with exactly `env` (nothing inherited) on pipes: standard output and error.
fn piped(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(repo())
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("sot runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `sot ARGS` coloured standard output and standard error, on pipes.
fn colours_on_pipes(flags: &[&str], env: &[(&str, &str)]) -> (bool, bool) {
    let (run_out, _) = piped(&[RUN, flags].concat(), env);
    let (_, check_err) = piped(&[ERRORS, flags].concat(), env);
    assert!(run_out.contains("RED FLAG"), "{run_out}");
    assert!(check_err.contains("E0"), "{check_err}");
    (run_out.contains('\x1b'), check_err.contains('\x1b'))
}

#[test]
fn on_pipes_colour_only_when_forced() {
    let both = |flags: &[&str], env: &[(&str, &str)]| {
        let (out, err) = colours_on_pipes(flags, env);
        assert_eq!(out, err, "{flags:?} {env:?}: stdout {out}, stderr {err}");
        out
    };
    let term = ("TERM", "xterm-256color");
    assert!(!both(&[], &[term]), "a pipe is not a terminal");
    assert!(both(&[], &[term, ("CLICOLOR_FORCE", "1")]));
    assert!(both(&[], &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")]));
    assert!(!both(
        &[],
        &[term, ("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(
        !both(&[], &[term, ("CLICOLOR_FORCE", "")]),
        "empty is unset"
    );
    // The flag wins over the environment.
    assert!(!both(
        &["--color", "never"],
        &[term, ("CLICOLOR_FORCE", "1")]
    ));
    assert!(both(&["--color", "always"], &[term]));
    assert!(both(&["--color", "always"], &[term, ("NO_COLOR", "1")]));
    assert!(both(&["--color", "always"], &[term, ("CLICOLOR", "0")]));
    assert!(both(&["--color", "always"], &[("TERM", "dumb")]));
    assert!(!both(&["--color", "auto"], &[term]));
}

#[test]
fn usage_errors_and_help_follow_the_same_decision() {
    let force = [("CLICOLOR_FORCE", "1")];
    let (_, err) = piped(&["check", "--frob"], &force);
    assert!(
        err.contains("unexpected argument") && err.contains('\x1b'),
        "{err:?}"
    );
    let (_, err) = piped(&["check", "--frob", "--color", "never"], &force);
    assert!(
        err.contains("unexpected argument") && !err.contains('\x1b'),
        "{err:?}"
    );
    let (_, err) = piped(&["--color=always", "check", "--frob"], &[]);
    assert!(err.contains('\x1b'), "{err:?}");
    let (help, _) = piped(&["check", "--help", "--color", "always"], &[]);
    assert!(
        help.contains("--watch") && help.contains('\x1b'),
        "{help:?}"
    );
    let (help, _) = piped(&["check", "--help"], &[]);
    assert!(!help.contains('\x1b'), "{help:?}");
}

#[test]
fn sot_test_colours_its_failures_and_summary_when_asked() {
    let dir = common::tempdir("color_failing_test");
    let text = std::fs::read_to_string(repo().join("protocols/examples/first_look.sot"))
        .expect("example")
        .replace("expect category II", "expect category III");
    std::fs::write(dir.join("first_look.sot"), text).expect("write");
    let path = dir.join("first_look.sot");
    let path = path.to_str().expect("UTF-8 path");
    let (plain, _) = piped(&["test", path], &[]);
    assert!(
        plain.contains("FAIL ") && !plain.contains('\x1b'),
        "{plain}"
    );
    let (coloured, _) = piped(&["test", path], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        coloured.contains("\x1b[1m\x1b[31mFAIL\x1b[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\x1b[1m\x1b[31m1 failed\x1b[0m"),
        "{coloured:?}"
    );
    // Without the colours, the same text.
    let stripped = coloured
        .replace("\x1b[1m\x1b[31m", "")
        .replace("\x1b[0m", "");
    assert_eq!(stripped, plain);
}

#[cfg(unix)]
mod terminal {
    use super::*;
    use std::fs::File;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};

    /// A new pseudo-terminal: its controlling side, and the path of the terminal side.
    fn pty() -> (File, String) {
        // SAFETY: plain libc calls on a descriptor this function owns; `ptsname_r` writes at
        // most `buf.len()` bytes, NUL-terminated.
        unsafe {
            let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
            assert!(fd >= 0, "posix_openpt");
            let master = File::from(OwnedFd::from_raw_fd(fd));
            assert_eq!(libc::grantpt(fd), 0, "grantpt");
            assert_eq!(libc::unlockpt(fd), 0, "unlockpt");
            let mut buf = [0 as libc::c_char; 256];
            assert_eq!(
                libc::ptsname_r(fd, buf.as_mut_ptr(), buf.len()),
                0,
                "ptsname_r"
            );
            let name = std::ffi::CStr::from_ptr(buf.as_ptr())
                .to_string_lossy()
                .into_owned();
            (master, name)
        }
    }

    /// What `sot ARGS` wrote (both streams) with exactly `env`, standard output and standard
    /// error on a terminal.
    fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
        let (mut master, name) = pty();
        let terminal = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&name)
                .expect("open the terminal side")
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
            .args(args)
            .current_dir(repo())
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(terminal())
            .stderr(terminal())
            .spawn()
            .expect("sot runs");
        // Read while it writes (a terminal holds little); the read ends with an error (EIO)
        // once the child, the last holder of the terminal side, exits.
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(n) = master.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..n]);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        });
        child.wait().expect("sot ends");
        reader.join().expect("reader")
    }

    #[test]
    fn on_a_terminal_the_environment_can_turn_colour_off() {
        let coloured = |env: &[(&str, &str)]| {
            let run = on_terminal(RUN, env);
            let check = on_terminal(ERRORS, env);
            assert!(run.contains("RED FLAG"), "{run}");
            assert!(check.contains("E0"), "{check}");
            assert_eq!(
                run.contains('\x1b'),
                check.contains('\x1b'),
                "{env:?}: stdout and stderr disagree"
            );
            run.contains('\x1b')
        };
        let term = ("TERM", "xterm-256color");
        assert!(coloured(&[term]), "a terminal is coloured");
        assert!(!coloured(&[term, ("NO_COLOR", "1")]));
        assert!(!coloured(&[term, ("CLICOLOR", "0")]));
        assert!(!coloured(&[("TERM", "dumb")]));
        assert!(coloured(&[term, ("CLICOLOR", "1")]));
        assert!(
            coloured(&[term, ("NO_COLOR", "")]),
            "an empty NO_COLOR is unset"
        );
        // The flag wins.
        let always = |env: &[(&str, &str)]| {
            on_terminal(&[RUN, &["--color", "always"]].concat(), env).contains('\x1b')
        };
        assert!(always(&[("TERM", "dumb")]));
        assert!(always(&[term, ("NO_COLOR", "1")]));
        assert!(!on_terminal(&[ERRORS, &["--color", "never"]].concat(), &[term]).contains('\x1b'));
    }
}
