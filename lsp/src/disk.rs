//! The files on disk: the workspace scan, files changed on disk, documents closed (their
//! text falls back to the disk's).

use std::path::PathBuf;

use tower_lsp_server::ls_types::*;

use crate::{workspace, Backend};

impl Backend {
    /// Waits until the workspace scan (if one runs) has loaded the workspace's files.
    pub(crate) async fn scanned(&self) {
        let mut done = self.state.lock().await.scanned.subscribe();
        // The sender lives in the state as long as the server: this only ends when done.
        let _ = done.wait_for(|done| *done).await;
    }

    /// Logs why files were not read.
    async fn log_skipped(&self, skipped: Vec<String>) {
        for message in skipped {
            self.client.log_message(MessageType::WARNING, message).await;
        }
    }

    /// Loads every `*.sot` below the workspace folders and every file already loaded from
    /// disk (again), then what they `use`; open documents keep their text, a loaded file gone
    /// from disk is removed (a `use` of it: E0103). Files are read without holding the state,
    /// and set in small batches, so an edit waits little. Republishes every open document.
    pub(crate) async fn scan(&self) {
        let state = self.state.clone();
        let skipped = tokio::task::spawn_blocking(move || {
            let mut skipped = Vec::new();
            let (roots, mut paths) = {
                let state = state.blocking_lock();
                let loaded: Vec<PathBuf> = state
                    .db
                    .workspace()
                    .files(&state.db)
                    .keys()
                    .cloned()
                    .collect();
                (state.roots.clone(), loaded)
            };
            paths.extend(workspace::sot_files(&roots, &mut skipped));
            paths.sort();
            paths.dedup();
            let mut read = paths.into_iter().map(|path| {
                let text = workspace::read(&path);
                (path, text)
            });
            loop {
                let batch: Vec<_> = read.by_ref().take(32).collect();
                if batch.is_empty() {
                    break;
                }
                let mut state = state.blocking_lock();
                for (path, text) in batch {
                    if state.is_open(&path) {
                        continue;
                    }
                    match text {
                        Ok(text) => {
                            state.db.set_file(&path, text);
                        }
                        Err(why) => {
                            skipped.push(why);
                            state.db.remove_file(&path);
                        }
                    }
                }
            }
            let mut state = state.blocking_lock();
            state.load_uses(&mut skipped);
            skipped
        })
        .await
        .unwrap_or_else(|_| vec!["the workspace scan failed".into()]);
        self.log_skipped(skipped).await;
        self.publish(None).await;
        self.state.lock().await.scanned.send_replace(true);
    }

    /// Reads the files at `paths` from disk again, unless open: a file that is gone (or
    /// `deleted`) leaves the database. Republishes the open documents when anything changed.
    pub(crate) async fn reload(&self, paths: Vec<(PathBuf, bool)>) {
        let state = self.state.clone().lock_owned().await;
        let done = tokio::task::spawn_blocking(move || {
            let mut state = state;
            let (mut skipped, mut changed) = (Vec::new(), false);
            for (path, deleted) in paths {
                if state.is_open(&path) {
                    continue;
                }
                let before = state.db.file(&path).map(|f| f.text(&state.db).clone());
                match (deleted, workspace::read(&path)) {
                    (false, Ok(text)) => {
                        changed |= before.as_ref() != Some(&text);
                        state.db.set_file(&path, text);
                    }
                    (false, Err(why)) => {
                        skipped.push(why);
                        changed |= state.db.remove_file(&path).is_some();
                    }
                    (true, _) => changed |= state.db.remove_file(&path).is_some(),
                }
            }
            state.load_uses(&mut skipped);
            (skipped, changed)
        })
        .await;
        let Ok((skipped, changed)) = done else { return };
        self.log_skipped(skipped).await;
        if changed {
            self.publish(None).await;
        }
    }

    /// Asks the client to tell us of `*.sot` files created, changed or deleted on disk.
    pub(crate) fn watch(&self) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.sot".into()),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "sot-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = client.register_capability(vec![registration]).await {
                let message = format!("cannot watch files: {error}");
                client.log_message(MessageType::WARNING, message).await;
            }
        });
    }
}
