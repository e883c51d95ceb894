//! Following the files on disk: a notify watcher (with the debouncer `--watch` uses, so an
//! editor's burst of writes for one save reloads once) reloads the library when a protocol
//! file below the served folders, or a file one of them uses, changes; every open page hears
//! of it as a server-sent event and updates itself.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use tokio::sync::broadcast::error::RecvError;

use crate::{Library, Workbench};

/// How long the files must stay quiet before a change reloads them.
const QUIET: Duration = Duration::from_millis(300);

/// Starts watching the library's files on a thread of its own, for as long as the process runs.
pub fn start(
    workbench: Arc<Workbench>,
    warn: impl Fn(String) + Send + Sync + 'static,
) -> Result<std::thread::JoinHandle<()>, String> {
    let (sender, events) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(QUIET, None, sender).map_err(|e| format!("cannot watch files: {e}"))?;
    let mut watched: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
    let mut rewatch = move |debouncer: &mut notify_debouncer_full::Debouncer<_, _>,
                            library: &Library,
                            warn: &dyn Fn(String)| {
        let wanted = folders(library);
        for (path, recursive) in watched.difference(&wanted) {
            let _ = (recursive, debouncer.unwatch(path));
        }
        for (path, recursive) in wanted.difference(&watched) {
            let mode = if *recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if let Err(e) = debouncer.watch(path, mode) {
                warn(format!("cannot watch `{}`: {e}", path.display()));
            }
        }
        watched = wanted;
    };
    rewatch(&mut debouncer, &workbench.library(), &warn);
    Ok(std::thread::spawn(move || {
        while let Ok(batch) = events.recv() {
            let batch = match batch {
                Ok(batch) => batch,
                Err(errors) => {
                    for e in errors {
                        warn(format!("watching files: {e}"));
                    }
                    continue;
                }
            };
            let library = workbench.library();
            let changed = batch
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| &e.paths)
                .any(|p| concerns(&library, p));
            if !changed {
                continue;
            }
            match workbench.reload() {
                Ok(_) => rewatch(&mut debouncer, &workbench.library(), &warn),
                Err(e) => warn(format!("cannot reload the protocols: {e}")),
            }
        }
    }))
}

fn absolute(path: &Path) -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    sot_compiler::normalize(&here.join(path))
}

/// The folders to watch: the named folders with what is below them, and the folder of each
/// named file and of each file read outside them (a file replaced by a rename, as editors
/// save, stays watched).
fn folders(library: &Library) -> BTreeSet<(PathBuf, bool)> {
    let mut out = BTreeSet::new();
    let roots: Vec<PathBuf> = library
        .named
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| absolute(p))
        .collect();
    for root in &roots {
        out.insert((root.clone(), true));
    }
    for file in library.named.iter().chain(&library.read) {
        let file = absolute(file);
        if file.is_dir() || roots.iter().any(|r| file.starts_with(r)) {
            continue;
        }
        if let Some(folder) = file.ancestors().skip(1).find(|a| a.is_dir()) {
            out.insert((folder.to_path_buf(), false));
        }
    }
    out
}

/// Whether a change at `path` can change what is served: a `*.sot` file below a named
/// folder, or a file read or looked for.
fn concerns(library: &Library, path: &Path) -> bool {
    let path = sot_compiler::normalize(path);
    let is_sot = path.extension().is_some_and(|e| e == "sot");
    library
        .named
        .iter()
        .chain(&library.read)
        .any(|p| absolute(p) == path || (is_sot && path.starts_with(absolute(p))))
}

/// `GET /events`: the library's version now, then again after every reload.
pub async fn events(
    State(workbench): crate::Bench,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first = workbench.library().version;
    let receiver = workbench.subscribe();
    let stream = stream::unfold(
        (Some(first), receiver),
        |(first, mut receiver)| async move {
            if let Some(version) = first {
                return Some((version, (None, receiver)));
            }
            loop {
                match receiver.recv().await {
                    Ok(version) => return Some((version, (None, receiver))),
                    // Missed reloads: the newest is what counts.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    let stream = futures::StreamExt::map(stream, |version| {
        Ok(Event::default().event("library").data(version.to_string()))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
