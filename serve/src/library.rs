//! What the workbench serves: the protocol files below the named paths, loaded from disk
//! by `sot_files::load` exactly as the commands load them, each with the checker's
//! diagnostics and, when it checks without errors, its lowered program. A change on disk
//! makes a new [`Library`]; pages read the one current when they are asked for.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sot_compiler::{
    all_diagnostics, file_diagnostics, lower_file, visible_files, Database, Diagnostic, LineIndex,
    Severity, SourceFile,
};
use sot_ir::Program;

/// One diagnostic as the pages show it.
#[derive(Clone, Debug)]
pub struct Shown {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `E0101`.
    pub code: &'static str,
    /// `protocols/sot/cmrt.sot:12:5`.
    pub place: String,
    /// The message, then the help when there is one.
    pub message: String,
    /// The checker's help.
    pub help: Option<String>,
}

impl Shown {
    fn new(path: &Path, text: &str, d: &Diagnostic) -> Shown {
        let at = LineIndex::new(text).line_column(text, d.primary.span.start as usize);
        Shown {
            severity: match d.severity() {
                Severity::Error => "error",
                _ => "warning",
            },
            code: d.code.as_str(),
            place: format!("{}:{}:{}", path.display(), at.line, at.column),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// A protocol file the workbench serves.
pub struct Entry {
    /// Its path as loaded (the key in URLs: only these paths are ever served).
    pub key: String,
    /// The file in the library's database.
    pub file: SourceFile,
    /// The protocol's title, when it has one.
    pub title: Option<String>,
    /// The file's diagnostics, and the errors of the files it uses.
    pub diagnostics: Vec<Shown>,
    /// The lowered program, when the file and what it uses have no errors.
    pub program: Option<Arc<Program>>,
}

impl Entry {
    /// How many errors stop the file from running.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .count()
    }
}

/// The files below the named paths at one moment.
pub struct Library {
    /// Counts up with every reload, so that pages know they are stale.
    pub version: u64,
    /// The paths served (as named).
    pub named: Vec<PathBuf>,
    /// The protocol files, in order.
    pub entries: Vec<Entry>,
    /// Files that could not be read or are not protocol text: what is wrong.
    pub problems: Vec<String>,
    /// Every file read or looked for (what the watcher watches).
    pub read: Vec<PathBuf>,
    /// The database: each request works on a clone of it (salsa shares what it computed).
    db: Mutex<Database>,
}

impl Library {
    /// Loads every `*.sot` below `named` (files or folders) and what they use.
    pub fn load(named: &[PathBuf], version: u64) -> Result<Library, String> {
        let loaded = sot_files::load::load(named)?;
        let db = loaded.db;
        let mut problems = loaded.io_errors;
        problems.extend(
            loaded
                .not_text
                .iter()
                .map(|(path, problem)| format!("`{}` is {problem}", path.display())),
        );
        let entries = loaded.roots.iter().map(|&file| entry(&db, file)).collect();
        Ok(Library {
            version,
            named: named.to_vec(),
            entries,
            problems,
            read: loaded.read,
            db: Mutex::new(db),
        })
    }

    /// The entry served under `key`, if there is one.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// A handle on the database for one request (a clone: it reads what the library computed).
    pub fn db(&self) -> Database {
        match self.db.lock() {
            Ok(db) => db.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

fn entry(db: &Database, file: SourceFile) -> Entry {
    let path = file.path(db).clone();
    let mut diagnostics: Vec<Shown> = all_diagnostics(db, file)
        .iter()
        .map(|d| Shown::new(&path, file.text(db), d))
        .collect();
    // The errors of the files it uses stop it too: say them here.
    for used in visible_files(db, file) {
        if *used == file {
            continue;
        }
        let used_path = used.path(db).clone();
        diagnostics.extend(
            file_diagnostics(db, *used)
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .map(|d| Shown::new(&used_path, used.text(db), d)),
        );
    }
    let program = lower_file(db, file).as_ref().map(|p| Arc::new(p.clone()));
    Entry {
        key: path.display().to_string(),
        file,
        title: program.as_ref().and_then(|p| p.title.clone()),
        diagnostics,
        program,
    }
}
