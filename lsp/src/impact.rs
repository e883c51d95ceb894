//! The code lens of an edit's effect on the cases: on each item of an open document that
//! differs from the saved file (the text on disk), "this edit changes N of M case outcomes
//! compared with the saved file". Every case that sees the document (its own, and those of
//! the workspace files that `use` it) runs under the saved and the edited protocol
//! (`sot_runtime::diff`, as `sot diff` does); a case outcome is one visit's. Computed once
//! typing pauses, after the static analyses.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use sot_compiler::{
    file_line_index, foreign_cases, lower_file, visible_files, Database, Encoding, SourceFile,
};
use sot_grammar::ast::ItemKind;
use sot_runtime::diff::{diff, CasePair};
use tower_lsp_server::ls_types::*;

use crate::{range, workspace, Backend};

/// What the edit does to the cases, in numbers.
struct Impact {
    /// Visits whose outcome changes.
    changed: usize,
    /// Visits run under both versions.
    visits: usize,
    /// Cases that do not fit the saved version (they name something it lacks).
    not_comparable: usize,
}

/// What running the cases under both versions found.
enum Found {
    /// The numbers.
    Impact(Impact),
    /// The saved version does not lower (it has errors).
    SavedHasErrors,
    /// A newer edit came: the work was given up.
    Stale,
}

/// The two databases the edit lens computes on: the workspace as edited, and as saved (for
/// the document asked about), kept between pauses so that each is checked again only where
/// its text changed. Never cloned: the live database's edits never wait for them.
#[derive(Default)]
pub(crate) struct Mirrors {
    edited: Database,
    saved: Database,
}

/// Makes `db` hold exactly `files` (path and text), with `replace`'s text for its path;
/// a file whose text is the same is left alone. Returns each file by path.
fn sync(
    db: &mut Database,
    files: &[(PathBuf, String)],
    replace: Option<(&Path, &str)>,
) -> HashMap<PathBuf, SourceFile> {
    let mut out = HashMap::new();
    for (path, text) in files {
        let text = match replace {
            Some((p, saved)) if p == path => saved,
            _ => text.as_str(),
        };
        let file = match db.file(path) {
            Some(f) if f.text(db) == text => f,
            _ => db.set_file(path, text.to_string()),
        };
        out.insert(path.clone(), file);
    }
    let gone: Vec<PathBuf> = db
        .workspace()
        .files(db)
        .keys()
        .filter(|p| !out.contains_key(*p))
        .cloned()
        .collect();
    for path in gone {
        db.remove_file(&path);
    }
    out
}

/// The lenses of the edit in the file at `path` (open, with `saved` on disk), computed on
/// the [`Mirrors`] made to hold `files` (every loaded file's path and text, the open ones'
/// as edited): one on each item that the edit changed or added; none when the text is the
/// saved one or has errors (the diagnostics say which). `None` when `stale` says that a
/// newer edit came before the work was done (it is asked between the steps).
pub(crate) fn impact_lenses(
    mirrors: &mut Mirrors,
    files: &[(PathBuf, String)],
    (path, saved): (&Path, &str),
    encoding: Encoding,
    stale: &dyn Fn() -> bool,
) -> Option<Vec<CodeLens>> {
    let edited = sync(&mut mirrors.edited, files, None);
    let saved_files = sync(&mut mirrors.saved, files, Some((path, saved)));
    let Some(file) = edited.get(path).copied() else {
        return Some(Vec::new());
    };
    let db = &mirrors.edited;
    let versions = Versions {
        saved_db: &mirrors.saved,
        saved_files: &saved_files,
    };
    let text = file.text(db);
    if text == saved || lower_file(db, file).is_none() {
        return Some(Vec::new());
    }
    let title = match impact(db, file, versions, stale) {
        Found::Stale => return None,
        Found::Impact(i) if i.visits == 0 && i.not_comparable == 0 => {
            "this edit changes no case outcome compared with the saved file: no case runs \
             this protocol"
                .to_string()
        }
        Found::Impact(i) => {
            let mut title = format!(
                "this edit changes {} of {} case outcomes compared with the saved file",
                i.changed, i.visits
            );
            match i.not_comparable {
                0 => {}
                1 => title.push_str(" · 1 case does not fit the saved file"),
                n => title.push_str(&format!(" · {n} cases do not fit the saved file")),
            }
            title
        }
        Found::SavedHasErrors => {
            "the saved file has errors: this edit's effect on the cases is not known".into()
        }
    };
    let index = file_line_index(db, file);
    let mut places = changed_items(text, saved);
    if places.is_empty() {
        // Only removals: the lens goes on the first line.
        places.push(0);
    }
    let lenses = places
        .into_iter()
        .map(|at| CodeLens {
            range: range(index, at, at, encoding),
            command: Some(Command {
                title: title.clone(),
                command: String::new(),
                arguments: None,
            }),
            data: None,
        })
        .collect();
    Some(lenses)
}

/// The saved version: its database, and its files by path.
#[derive(Clone, Copy)]
struct Versions<'a> {
    saved_db: &'a Database,
    saved_files: &'a HashMap<PathBuf, SourceFile>,
}

/// Runs every case that sees `file` under the saved and the edited version.
fn impact(db: &Database, file: SourceFile, saved: Versions, stale: &dyn Fn() -> bool) -> Found {
    let saved_db = saved.saved_db;
    let Some(saved_file) = saved.saved_files.get(file.path(db)).copied() else {
        return Found::SavedHasErrors;
    };
    if stale() {
        return Found::Stale;
    }
    if lower_file(saved_db, saved_file).is_none() {
        return Found::SavedHasErrors;
    }
    let mut out = Impact {
        changed: 0,
        visits: 0,
        not_comparable: 0,
    };
    for (path, f) in db.workspace().files(db).iter() {
        let Some(saved_f) = saved.saved_files.get(path) else {
            continue;
        };
        if !visible_files(db, *f).contains(&file) {
            continue;
        }
        if stale() {
            return Found::Stale;
        }
        // A file with errors as edited: its diagnostics say so, it has no case to run.
        let Some(now) = lower_file(db, *f).as_ref() else {
            continue;
        };
        let Some(before) = lower_file(saved_db, *saved_f).as_ref() else {
            // Its cases do not fit the saved version (an `expect` names what it lacks, say).
            out.not_comparable += now.cases.len();
            continue;
        };
        let pairs: Vec<CasePair> = if *f == file {
            // The edited file's cases as they are now, lowered for the saved version too.
            let mut pairs = Vec::new();
            for (case, old) in now
                .cases
                .iter()
                .zip(foreign_cases(saved_db, *saved_f, f.text(db)))
            {
                match old {
                    Ok(old) => pairs.push(CasePair {
                        source: String::new(),
                        old,
                        new: case.clone(),
                    }),
                    Err(_) => out.not_comparable += 1,
                }
            }
            pairs
        } else {
            now.cases
                .iter()
                .zip(&before.cases)
                .map(|(new, old)| CasePair {
                    source: String::new(),
                    old: old.clone(),
                    new: new.clone(),
                })
                .collect()
        };
        if let Ok(d) = diff(("saved", before), ("edited", now), &pairs, Vec::new()) {
            out.changed += d.cases.changed.len();
            out.visits += d.cases.visits;
        }
    }
    Found::Impact(out)
}

/// Where each item of `text` starts (its keyword line, after its comments) that is not in
/// `saved` as it is: changed or added. Cases and the header are not protocol items.
fn changed_items(text: &str, saved: &str) -> Vec<usize> {
    let items = |t: &str| -> Vec<(Option<ItemKind>, String, String, usize)> {
        sot_grammar::split(t)
            .into_iter()
            .filter(|i| !matches!(i.kind, None | Some(ItemKind::Case | ItemKind::Header)))
            .map(|i| {
                let body = t.get(i.start..i.end).unwrap_or_default();
                let start = i.start + code_start(body);
                (i.kind, i.name, body.trim().to_string(), start)
            })
            .collect()
    };
    let before = items(saved);
    let before: HashSet<(Option<ItemKind>, &str, &str)> = before
        .iter()
        .map(|(k, n, b, _)| (*k, n.as_str(), b.as_str()))
        .collect();
    items(text)
        .into_iter()
        .filter(|(kind, name, body, _)| !before.contains(&(*kind, name.as_str(), body.as_str())))
        .map(|(_, _, _, start)| start)
        .collect()
}

/// The offset of the first line of an item's text that is neither blank nor a comment.
fn code_start(body: &str) -> usize {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with("//") {
            return offset;
        }
        offset += line.len();
    }
    0
}

impl Backend {
    /// Computes the edit lenses of every open document that differs from its file on disk
    /// and keeps them with the document's version; asks the client to fetch code lenses
    /// again when it can be asked. The texts are copied out of the state first: no database
    /// clone is held while the cases run, so an edit never waits for them.
    pub(crate) async fn publish_impact(&self) {
        let (docs, encoding) = {
            let state = self.state.lock().await;
            let docs: Vec<(Uri, PathBuf, String, i32)> = state
                .docs
                .iter()
                .map(|(uri, (f, v))| {
                    let (path, text) = (f.path(&state.db).clone(), f.text(&state.db).clone());
                    (uri.clone(), path, text, *v)
                })
                .collect();
            (docs, state.encoding)
        };
        let state = self.state.clone();
        let versions: Vec<(Uri, i32)> = docs.iter().map(|(u, _, _, v)| (u.clone(), *v)).collect();
        // A newer edit makes the work stale (the lock is held only briefly, by an edit
        // being applied or a request taking its snapshot).
        let stale = move || {
            let s = state.blocking_lock();
            s.docs.len() != versions.len()
                || versions
                    .iter()
                    .any(|(uri, v)| s.docs.get(uri).map(|(_, now)| *now) != Some(*v))
        };
        let state = self.state.clone();
        let mirrors = self.mirrors.clone();
        let found = tokio::task::spawn_blocking(move || {
            // A job that panicked left them as far as it got: the next one sets every text.
            let mut mirrors = mirrors.lock().unwrap_or_else(|e| e.into_inner());
            let mut found = HashMap::new();
            let mut files: Option<Vec<(PathBuf, String)>> = None;
            for (uri, path, text, version) in docs {
                let lenses = match workspace::read(&path) {
                    Ok(saved) if saved != text => {
                        if files.is_none() {
                            // Every loaded file's text, once, as the state has it now.
                            let state = state.blocking_lock();
                            let db = &state.db;
                            let texts = db.workspace().files(db).iter();
                            files = Some(
                                texts
                                    .map(|(p, f)| (p.clone(), f.text(db).clone()))
                                    .collect(),
                            );
                        }
                        let files = files.as_deref().unwrap_or_default();
                        if stale() {
                            return None;
                        }
                        impact_lenses(&mut mirrors, files, (&path, &saved), encoding, &stale)?
                    }
                    _ => Vec::new(),
                };
                found.insert(uri, (version, lenses));
            }
            Some(found)
        })
        .await;
        let Ok(Some(found)) = found else { return };
        let refresh = {
            let mut state = self.state.lock().await;
            let changed = state.impact != found;
            state.impact = found;
            changed && state.lens_refresh
        };
        if refresh {
            let _ = self.client.code_lens_refresh().await;
        }
    }
}
