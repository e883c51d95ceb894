//! Loading `.sot` files from the file system into the compiler's database: the files named
//! (on the command line, or to `sot serve`), every `*.sot` below named folders, and what
//! they `use`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sot_compiler::{normalize, parse_in_parallel, Database, SourceFile};

use crate::{read_source, read_stdin, Project, ReadError};

/// The name diagnostics give to a protocol read from standard input (`sot check -`).
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path named on the command line means standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Files loaded for a command.
pub struct Loaded {
    /// The database holding every loaded file.
    pub db: Database,
    /// The files the user asked for (named, or found in named folders), in order.
    pub roots: Vec<SourceFile>,
    /// Files that are not UTF-8: path and what is wrong (a problem in the file: E0001).
    pub not_text: Vec<(PathBuf, String)>,
    /// Files that could not be read at all (an I/O error: exit status 2).
    pub io_errors: Vec<String>,
    /// Every file read or looked for (named, found in named folders, or named by a `use`),
    /// whether it was there or not: what `--watch` watches.
    pub read: Vec<PathBuf>,
}

/// The files named, and every `*.sot` below the folders named, in order.
///
/// A path that does not exist is an error for the caller to report (exit status 2).
pub fn sot_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_sot_files(path, &mut found)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
        } else if path.is_file() {
            found.push(path.clone());
        } else if path.exists() {
            return Err(format!("`{}`: not a regular file", path.display()));
        } else {
            return Err(format!("`{}`: no such file or folder", path.display()));
        }
    }
    Ok(found)
}

/// Loads the files at `paths` (files or folders) and everything they `use`.
///
/// A path that does not exist is an error for the caller to report (exit status 2). A `use`
/// is read only inside the project of the file named on the command line that leads to it
/// (see [`Project::of`]); a path outside is refused (E0103, with where the root is).
pub fn load(paths: &[PathBuf]) -> Result<Loaded, String> {
    let mut loaded = Loaded {
        db: Database::default(),
        roots: Vec::new(),
        not_text: Vec::new(),
        io_errors: Vec::new(),
        read: Vec::new(),
    };
    let Loaded {
        db,
        roots,
        not_text,
        io_errors,
        read,
    } = &mut loaded;
    // The project root of every loaded file, by normalised path.
    let mut projects: HashMap<PathBuf, Project> = HashMap::new();
    for named in paths {
        if is_stdin(named) {
            // `use` paths resolve from the current folder, as for a file there.
            if let Some(file) = read_stdin_into(db, not_text, io_errors) {
                projects
                    .entry(file.path(db).clone())
                    .or_insert_with(|| Project::of(Path::new(".")));
                if !roots.contains(&file) {
                    roots.push(file);
                }
            }
            continue;
        }
        let found = sot_files(std::slice::from_ref(named))?;
        let project = Project::of(named);
        read.push(named.clone());
        for path in found {
            read.push(path.clone());
            if let Some(file) = read_into(db, not_text, io_errors, &path) {
                projects
                    .entry(file.path(db).clone())
                    .or_insert_with(|| project.clone());
                if !roots.contains(&file) {
                    roots.push(file);
                }
            }
        }
    }
    load_uses(db, &mut projects, read, not_text, io_errors);
    Ok(loaded)
}

/// Replaces the text of `file` (a root of `loaded`) with `text`, an earlier version of it
/// (`sot diff --git`), and loads what that text `use`s, read from disk.
pub fn replace_text(loaded: &mut Loaded, path: &Path, text: String) -> SourceFile {
    let Loaded {
        db,
        not_text,
        io_errors,
        read,
        ..
    } = loaded;
    let file = db.set_file(path, text);
    parse_in_parallel(db, file);
    let mut projects = HashMap::from([(file.path(db).clone(), Project::of(path))]);
    load_uses(db, &mut projects, read, not_text, io_errors);
    loaded.roots = vec![file];
    file
}

/// Loads what the loaded files `use`, until nothing new; a file that is not there stays
/// missing (E0103). `projects` gives each loaded file's project root.
fn load_uses(
    db: &mut Database,
    projects: &mut HashMap<PathBuf, Project>,
    read: &mut Vec<PathBuf>,
    not_text: &mut Vec<(PathBuf, String)>,
    io_errors: &mut Vec<String>,
) {
    db.load_uses_from(|db, from, path| {
        let Some(project) = projects.get(from).cloned() else {
            return;
        };
        read.push(path.to_path_buf());
        match project.admits(path) {
            Ok(true) => {}
            Ok(false) => return, // missing: E0103 "cannot find"
            Err(help) => return db.refuse_use(path, help),
        }
        if let Some(file) = read_into(db, not_text, io_errors, path) {
            projects.entry(file.path(db).clone()).or_insert(project);
        }
    });
}

/// Reads one file into the database; a file that is not UTF-8 or cannot be read is noted.
fn read_into(
    db: &mut Database,
    not_text: &mut Vec<(PathBuf, String)>,
    io_errors: &mut Vec<String>,
    path: &Path,
) -> Option<SourceFile> {
    match read_source(path) {
        Ok(text) => {
            let file = db.set_file(path, text);
            // Before anything reads the file: its items are parsed on every core.
            parse_in_parallel(db, file);
            Some(file)
        }
        Err(ReadError::Content(problem)) => {
            not_text.push((normalize(path), problem));
            None
        }
        Err(ReadError::Io(message)) => {
            io_errors.push(message);
            None
        }
    }
}

/// Reads standard input into the database as [`STDIN_NAME`] (once: a second `-` finds it).
fn read_stdin_into(
    db: &mut Database,
    not_text: &mut Vec<(PathBuf, String)>,
    io_errors: &mut Vec<String>,
) -> Option<SourceFile> {
    let name = Path::new(STDIN_NAME);
    if let Some(file) = db.workspace().files(db).get(name).copied() {
        return Some(file);
    }
    match read_stdin() {
        Ok((text, _)) => {
            let file = db.set_file(name, text);
            parse_in_parallel(db, file);
            Some(file)
        }
        Err(ReadError::Content(problem)) => {
            not_text.push((name.to_path_buf(), problem));
            None
        }
        Err(ReadError::Io(message)) => {
            io_errors.push(message);
            None
        }
    }
}

/// Every `*.sot` file below `dir`, sorted, skipping hidden folders and `target`.
fn collect_sot_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                collect_sot_files(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "sot") {
            out.push(path);
        }
    }
    Ok(())
}
