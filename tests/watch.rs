//! End-to-end tests of `--watch`: the real binary left running on a folder while its files
//! change. Every wait is generous (a busy machine builds while this runs); a step that does
//! not come within its time fails with what was printed so far.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::tempdir;

/// How long one step may take.
const STEP: Duration = Duration::from_secs(30);

const CLEAN: &str = "protocol \"Watched\"\ntype Tilt = up | down\nindicator tilt: Tilt?\n";
const BROKEN: &str = "protocol \"Watched\"\ntype Tilt = up | down\nindicator tilt: Til?\n";

/// `sot ARGS --watch` running in `dir`, and the lines it writes (standard output and error,
/// each line whole, in the order they come).
struct Watching {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(dir: &Path, args: &[&str]) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
            .args(args)
            .arg("--watch")
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sot runs");
        let (send, lines) = std::sync::mpsc::channel();
        let stdout: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let stderr: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [stdout, stderr] {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line with `text` and for its run to end (`watching for changes`, on
    /// standard error, which may come before the run's last lines on standard output);
    /// returns the lines from that run's header on.
    fn wait_for(&mut self, text: &str) -> Vec<String> {
        let from = self.seen.len();
        let deadline = Instant::now() + STEP;
        loop {
            let run = &self.seen[from..];
            let header = run.iter().rposition(|l| l.starts_with("── "));
            let ended = run
                .iter()
                .rposition(|l| l.starts_with("watching for changes"));
            if run.iter().any(|l| l.contains(text)) && ended > header {
                return run[header.unwrap_or(0)..].to_vec();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no `{text}` within {STEP:?}; printed:\n{}",
                    self.seen.join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "sot stopped before `{text}`; printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces a file the way editors save: a new file renamed over the old one.
fn save(path: &Path, text: &str) {
    let temporary = path.with_extension("sot.saving");
    std::fs::write(&temporary, text).expect("write");
    std::fs::rename(&temporary, path).expect("rename");
}

#[test]
fn check_watch_reruns_on_every_change() {
    let dir = tempdir("watch_check");
    std::fs::create_dir_all(dir.join("protocols")).expect("mkdir");
    let file = dir.join("protocols/watched.sot");
    std::fs::write(&file, CLEAN).expect("write");
    let mut watching = Watching::start(&dir, &["check", "protocols"]);
    let first = watching.wait_for(": 0 errors");
    assert!(first[0].contains("sot check · first run"), "{first:?}");

    // Broken in place (truncate and write).
    std::fs::write(&file, BROKEN).expect("write");
    let broken = watching.wait_for("1 error");
    assert!(
        broken[0].contains("protocols/watched.sot changed"),
        "{broken:?}"
    );
    assert!(broken.iter().any(|l| l.contains("E0101")), "{broken:?}");

    // Fixed as an editor saves (rename over it).
    save(&file, CLEAN);
    let fixed = watching.wait_for(": 0 errors");
    assert!(fixed[0].contains("watched.sot changed"), "{fixed:?}");

    // A file added below the folder counts.
    std::fs::write(dir.join("protocols/added.sot"), BROKEN).expect("write");
    // (The run may have been started by a late event of the save before: the header names
    // what changed first.)
    let added = watching.wait_for("checked 2 files");
    assert!(added[0].contains(" changed ──"), "{added:?}");
    assert!(added.iter().any(|l| l.contains("1 error")), "{added:?}");

    // A file that goes missing is reported, and the watch goes on.
    std::fs::remove_file(dir.join("protocols/added.sot")).expect("remove");
    watching.wait_for("checked 1 file: 0 errors");
}

#[test]
fn a_used_file_is_watched_and_a_missing_named_file_is_reported() {
    let dir = tempdir("watch_use");
    std::fs::write(dir.join("types.sot"), "type Tilt = up | down\n").expect("write");
    std::fs::write(
        dir.join("main.sot"),
        "protocol \"Main\"\nuse \"types.sot\"\nindicator tilt: Tilt?\n",
    )
    .expect("write");
    let mut watching = Watching::start(&dir, &["check", "main.sot"]);
    watching.wait_for("(and 1 file they use): 0 errors");
    // The used file changes: the named one is checked again, with the used file's error.
    save(&dir.join("types.sot"), "type Til = up | down\n");
    let run = watching.wait_for("1 error");
    assert!(run[0].contains("types.sot changed"), "{run:?}");
    // The named file goes missing: said so; it comes back: checked again.
    std::fs::remove_file(dir.join("main.sot")).expect("remove");
    watching.wait_for("no such file or folder");
    std::fs::write(dir.join("main.sot"), "protocol \"Main\"\n").expect("write");
    watching.wait_for("checked 1 file: no problems");
}

#[test]
fn run_watch_follows_the_case_data() {
    let dir = tempdir("watch_run_cases");
    let repo = common::repo();
    std::fs::copy(
        repo.join("protocols/examples/first_look.sot"),
        dir.join("first_look.sot"),
    )
    .expect("copy");
    let data = std::fs::read_to_string(repo.join("tests/fixtures/json/maria.json")).expect("read");
    std::fs::write(dir.join("maria.json"), &data).expect("write");
    let mut watching = Watching::start(&dir, &["run", "first_look.sot", "--cases", "maria.json"]);
    watching.wait_for("Case maria");
    // The case data breaks: its problems are reported; it is fixed: the case runs again.
    save(&dir.join("maria.json"), "{");
    let broken = watching.wait_for("problem(s) in `maria.json`");
    assert!(broken[0].contains("maria.json changed"), "{broken:?}");
    save(&dir.join("maria.json"), &data);
    watching.wait_for("Case maria");
}

#[test]
fn reading_the_files_is_no_change() {
    // Each run reads every file it watches: that must not start the next run.
    let dir = tempdir("watch_quiet");
    std::fs::write(dir.join("quiet.sot"), CLEAN).expect("write");
    let mut watching = Watching::start(&dir, &["test", "."]);
    watching.wait_for("0 passed, 0 failed");
    std::thread::sleep(Duration::from_secs(3));
    let later: Vec<String> = watching.lines.try_iter().collect();
    assert!(
        !later.iter().any(|l| l.starts_with("── ")),
        "ran again with nothing changed: {later:?}"
    );
}

#[test]
fn a_new_folder_counts_and_target_and_hidden_folders_do_not() {
    let dir = tempdir("watch_folders");
    std::fs::write(dir.join("a.sot"), CLEAN).expect("write");
    let mut watching = Watching::start(&dir, &["check", "."]);
    watching.wait_for("checked 1 file: 0 errors");
    // What `sot check .` does not read: a build folder and a hidden one.
    for folder in ["target", ".git"] {
        std::fs::create_dir_all(dir.join(folder).join("deep")).expect("mkdir");
        std::fs::write(dir.join(folder).join("deep/b.sot"), BROKEN).expect("write");
    }
    std::thread::sleep(Duration::from_secs(3));
    let later: Vec<String> = watching.lines.try_iter().collect();
    assert!(
        !later.iter().any(|l| l.starts_with("── ")),
        "ran again for a folder it does not read: {later:?}"
    );
    // A new folder below, with a protocol in it.
    std::fs::create_dir_all(dir.join("sub/deeper")).expect("mkdir");
    std::fs::write(dir.join("sub/deeper/c.sot"), BROKEN).expect("write");
    watching.wait_for("checked 2 files: 1 error");
    // And it is watched from then on.
    save(&dir.join("sub/deeper/c.sot"), CLEAN);
    watching.wait_for("checked 2 files: 0 errors");
}

#[test]
fn standard_input_cannot_be_watched() {
    let out = Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(["check", "--watch", "-"])
        .stdin(Stdio::null())
        .output()
        .expect("sot runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot watch standard input"));
}
