//! The salsa database: source files as inputs, and each top-level item as its own tracked
//! unit, identified by kind and name, whose text and syntax tree are item-relative.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sot_grammar::ast::ItemKind;
use sot_grammar::ParsedItem;

/// A `.sot` file: its path (as the edge loaded it, normalised) and its text.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The normalised path; `use` paths resolve against it.
    #[returns(ref)]
    pub path: PathBuf,
    /// The file's text.
    #[returns(ref)]
    pub text: String,
}

/// Every file the edge has loaded, by normalised path. A `use` of a path not in here is a
/// missing file (E0103); the compiler itself never reads the file system.
#[salsa::input(singleton, debug)]
pub struct Workspace {
    /// Files by normalised path.
    #[returns(ref)]
    pub files: BTreeMap<PathBuf, SourceFile>,
}

/// One top-level item of a file. Its identity is its file, kind and name (and occurrence), so
/// editing an item changes only its own `text`, and moving it changes only its `offset`.
#[salsa::tracked(debug)]
pub struct Item<'db> {
    /// The file the item is in.
    #[returns(copy)]
    pub file: SourceFile,
    /// The kind, read without parsing; `None` for stray text before the first item.
    #[returns(copy)]
    pub kind: Option<ItemKind>,
    /// The name, read without parsing.
    #[returns(ref)]
    pub name: String,
    /// The item's text, its leading comments included.
    #[tracked]
    #[returns(ref)]
    pub text: String,
    /// Where the text starts in the file.
    #[tracked]
    #[returns(copy)]
    pub offset: usize,
}

/// The compiler's database.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

#[salsa::db]
impl salsa::Database for Database {}

impl Default for Database {
    fn default() -> Self {
        Self::with_storage(salsa::Storage::default())
    }
}

/// A shared log of the functions salsa executes, for tests and benchmarks.
pub type EventLog = Arc<Mutex<Vec<String>>>;

impl Database {
    fn with_storage(storage: salsa::Storage<Self>) -> Self {
        let db = Database { storage };
        // The one workspace input; `Workspace::get` finds it from here on.
        Workspace::new(&db, BTreeMap::new());
        db
    }

    /// A database that records each function execution (`WillExecute` events) in `log`.
    pub fn with_event_log(log: EventLog) -> Self {
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                if let Ok(mut log) = log.lock() {
                    log.push(format!("{database_key:?}"));
                }
            }
        })));
        Self::with_storage(storage)
    }

    /// The workspace input.
    pub fn workspace(&self) -> Workspace {
        Workspace::get(self)
    }

    /// Adds a file, or replaces the text of the file at `path`; returns it.
    pub fn set_file(&mut self, path: &Path, text: String) -> SourceFile {
        use salsa::Setter;
        let path = normalize(path);
        if let Some(file) = self.workspace().files(self).get(&path).copied() {
            if file.text(self) != &text {
                file.set_text(self).to(text);
            }
            return file;
        }
        let file = SourceFile::new(self, path.clone(), text);
        let mut files = self.workspace().files(self).clone();
        files.insert(path, file);
        self.workspace().set_files(self).to(files);
        file
    }

    /// The file at `path`, if loaded.
    pub fn file(&self, path: &Path) -> Option<SourceFile> {
        self.workspace().files(self).get(&normalize(path)).copied()
    }
}

/// A path with `.` and `..` resolved lexically (no file-system access).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The largest file `sot` reads (a real protocol is a few hundred kilobytes).
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// The most items one file may hold.
pub const MAX_ITEMS: usize = 200_000;

/// The items of a file, cut at item keywords (see `sot_grammar::split`). A file over the
/// limits ([`MAX_FILE_BYTES`], [`MAX_ITEMS`]) gives no items, or its first items only; the
/// file's diagnostics say so ([`limit_diagnostics`]).
#[salsa::tracked(returns(ref))]
pub fn file_items(db: &dyn salsa::Database, file: SourceFile) -> Vec<Item<'_>> {
    let text = file.text(db);
    if text.len() > MAX_FILE_BYTES {
        return Vec::new();
    }
    sot_grammar::split(text)
        .into_iter()
        .take(MAX_ITEMS)
        .map(|source| {
            Item::new(
                db,
                file,
                source.kind,
                source.name,
                text[source.start..source.end].to_string(),
                source.start,
            )
        })
        .collect()
}

/// The syntax tree of an item, with item-relative spans.
#[salsa::tracked(returns(ref))]
pub fn parse_item<'db>(db: &'db dyn salsa::Database, item: Item<'db>) -> ParsedItem {
    sot_grammar::parse_item(item.text(db))
}

/// E0001 when a file is over the limits of what `sot` reads.
pub fn limit_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<crate::Diagnostic> {
    use crate::{Code, Diagnostic};
    use sot_grammar::ast::Span;
    let text = file.text(db);
    if text.len() > MAX_FILE_BYTES {
        return vec![Diagnostic::new(
            Code::E0001,
            Span::new(0, 0),
            format!(
                "the file has {} bytes, more than the {} `sot` reads",
                text.len(),
                MAX_FILE_BYTES
            ),
        )
        .help("split the protocol into files joined with `use`")];
    }
    let items = file_items(db, file);
    if items.len() < MAX_ITEMS {
        return Vec::new();
    }
    let end = items.last().map_or(0, |i| i.offset(db) + i.text(db).len());
    if end >= text.len() {
        return Vec::new();
    }
    vec![Diagnostic::new(
        Code::E0001,
        Span::new(end, end),
        format!("more than {MAX_ITEMS} items in one file: the rest is not read"),
    )
    .help("split the protocol into files joined with `use`")]
}
