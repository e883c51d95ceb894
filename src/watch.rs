//! `--watch` (of `check`, `test` and `run`): run once, then again whenever a file the run
//! read changes (the files named, the `*.sot` files below the folders named, and every file
//! they `use`), until interrupted. Changes are debounced, so an editor's burst of writes for
//! one save runs once; a file added below a watched folder counts, and a file that goes
//! missing is reported by the run and watched for.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};

use crate::color::{paint, Colors, HEADING, NOTE};
use crate::load::is_stdin;

/// How long a file must stay quiet before a change runs the command.
const QUIET: Duration = Duration::from_millis(300);

/// Runs `once` and again after every change to what it read, until interrupted; `once`
/// pushes the paths of every file it read, or looked for, onto its argument. `named` are
/// the paths named on the command line (none: the current folder).
pub fn watch(
    command: &str,
    named: &[PathBuf],
    colors: Colors,
    mut once: impl FnMut(&mut Vec<PathBuf>) -> ExitCode,
) -> ExitCode {
    if named.iter().any(|p| is_stdin(p)) {
        eprintln!("error: `--watch` cannot watch standard input; name files or folders");
        return ExitCode::from(2);
    }
    let named: Vec<PathBuf> = if named.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        named.to_vec()
    };
    let (sender, events) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(QUIET, None, sender) {
        Ok(debouncer) => debouncer,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return ExitCode::from(2);
        }
    };
    let clear = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    let mut watched: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
    let mut why = "first run".to_string();
    loop {
        if clear {
            // Clear the screen and its scrollback, cursor home.
            eprint!("\x1b[2J\x1b[3J\x1b[H");
        }
        let header = format!("── {} · sot {command} · {why} ──", clock());
        eprintln!("{}", paint(colors.stderr, HEADING, &header));
        let mut read = Vec::new();
        once(&mut read);
        let targets = Targets::new(&named, &read);
        let wanted = targets.folders();
        for (path, mode) in &watched {
            if wanted.get(path) != Some(mode) {
                let _ = debouncer.unwatch(path);
            }
        }
        for (path, mode) in &wanted {
            if watched.get(path) != Some(mode) {
                if let Err(e) = debouncer.watch(path, *mode) {
                    eprintln!("warning: cannot watch `{}`: {e}", path.display());
                }
            }
        }
        watched = wanted;
        let waiting = "watching for changes (Ctrl-C to stop)";
        eprintln!("{}", paint(colors.stderr, NOTE, waiting));
        why = loop {
            match events.recv() {
                Ok(Ok(batch)) => {
                    // Reading a file is no change (the run itself reads them all).
                    let changed: BTreeSet<&Path> = batch
                        .iter()
                        .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                        .flat_map(|e| &e.paths)
                        .map(PathBuf::as_path)
                        .filter(|p| !watched.contains_key(*p) && targets.concerns(p))
                        .collect();
                    if let Some(first) = changed.first() {
                        let more = match changed.len() - 1 {
                            0 => String::new(),
                            1 => " and 1 other file".to_string(),
                            n => format!(" and {n} other files"),
                        };
                        break format!("{}{more} changed", targets.show(first));
                    }
                }
                Ok(Err(errors)) => {
                    for e in errors {
                        eprintln!("warning: watching files: {e}");
                    }
                }
                Err(_) => {
                    eprintln!("error: the file watcher stopped");
                    return ExitCode::from(2);
                }
            }
        };
    }
}

/// What a run depends on, as absolute paths: the folders named (with the folders below them
/// that `sot` searches for `*.sot` files) and the files read or looked for.
struct Targets {
    /// The current folder, to show paths as the user named them.
    here: PathBuf,
    /// The folders named.
    roots: Vec<PathBuf>,
    /// The files read or looked for.
    files: BTreeSet<PathBuf>,
}

/// Whether `sot` skips a folder of this name when it searches for `*.sot` files (as
/// `load::sot_files` does: hidden folders and `target`).
fn skipped(name: &std::ffi::OsStr) -> bool {
    name == "target" || name.to_string_lossy().starts_with('.')
}

impl Targets {
    fn new(named: &[PathBuf], read: &[PathBuf]) -> Targets {
        let here = std::env::current_dir().unwrap_or_default();
        let absolute = |p: &Path| sot_compiler::normalize(&here.join(p));
        let mut roots = Vec::new();
        let mut files = BTreeSet::new();
        for path in named {
            if path.is_dir() {
                roots.push(absolute(path));
            } else {
                files.insert(absolute(path));
            }
        }
        for path in read {
            if !path.is_dir() {
                files.insert(absolute(path));
            }
        }
        Targets { here, roots, files }
    }

    /// The folders to watch (each alone, not what is below it): the named ones and the
    /// folders below them that are searched (not hidden folders or `target`, whose builds
    /// would swamp the watch), and the folder of each file read (a file replaced by a
    /// rename, as editors save, stays watched), or the nearest folder above it that exists.
    fn folders(&self) -> BTreeMap<PathBuf, RecursiveMode> {
        let mut out = BTreeMap::new();
        let mut stack = self.roots.clone();
        while let Some(folder) = stack.pop() {
            if let Ok(entries) = std::fs::read_dir(&folder) {
                // Symbolic links are not followed: a link to a folder above would never end.
                stack.extend(
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .filter(|e| !skipped(&e.file_name()))
                        .map(|e| e.path()),
                );
            }
            out.insert(folder, RecursiveMode::NonRecursive);
        }
        for file in &self.files {
            if let Some(folder) = file.ancestors().skip(1).find(|a| a.is_dir()) {
                out.insert(folder.to_path_buf(), RecursiveMode::NonRecursive);
            }
        }
        out
    }

    /// Whether a change at `path` (not a watched folder itself) can change the run: a file it
    /// read or looked for, a folder on the way to one, or a `*.sot` file or a folder that a
    /// named folder's search reaches.
    fn concerns(&self, path: &Path) -> bool {
        let path = sot_compiler::normalize(path);
        if self.files.contains(&path) || self.files.iter().any(|f| f.starts_with(&path)) {
            return true;
        }
        self.roots.iter().any(|root| {
            let Ok(below) = path.strip_prefix(root) else {
                return false;
            };
            let mut parts: Vec<&std::ffi::OsStr> = below.iter().collect();
            let Some(last) = parts.pop() else {
                return false;
            };
            !parts.iter().any(|p| skipped(p))
                && (path.extension().is_some_and(|e| e == "sot")
                    || (path.is_dir() && !skipped(last)))
        })
    }

    /// `path` relative to the current folder when it is below it.
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.here)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// The time of day (UTC), `HH:MM:SS UTC`.
fn clock() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}
