//! The salsa database: source files as inputs, each cut into chunks of consecutive items
//! (also inputs, kept by [`Database::set_file`]), and each item addressed by its chunk and
//! position. Salsa tracks work per chunk: an edit changes one chunk's text, and every other
//! chunk's parse, signatures and checks stay valid after one field comparison each. Spans
//! in syntax trees are item-relative; an item's place in the file is its chunk's offset plus
//! its start in the chunk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sot_grammar::ast::ItemKind;
use sot_grammar::ParsedItem;

/// A `.sot` file: its path (as the edge loaded it, normalised), its text, and its chunks.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The normalised path; `use` paths resolve against it.
    #[returns(ref)]
    pub path: PathBuf,
    /// The file's text.
    #[returns(ref)]
    pub text: String,
    /// The file's items in chunks, in order; together they cover the text.
    #[returns(ref)]
    pub chunks: Vec<Chunk>,
    /// Chunks the file no longer needs (emptied), reused before new ones are made.
    #[returns(ref)]
    spare: Vec<Chunk>,
}

/// Every file the edge has loaded, by normalised path. A `use` of a path not in here is a
/// missing file (E0103); the compiler itself never reads the file system.
#[salsa::input(singleton, debug)]
pub struct Workspace {
    /// Files by normalised path.
    #[returns(ref)]
    pub files: BTreeMap<PathBuf, SourceFile>,
    /// Paths that a `use` names and the edge refused to read because they are outside the
    /// project, each with the help that says where the project root is and why (E0103).
    #[returns(ref)]
    pub refused: BTreeMap<PathBuf, String>,
}

/// Where an item is in its chunk, and what it is, as the splitter reads it without parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemHead {
    /// The kind; `None` for stray text before the first item.
    pub kind: Option<ItemKind>,
    /// The name, read without parsing.
    pub name: String,
    /// First byte in the chunk's text (leading comments included).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A run of consecutive items of one file: the unit salsa tracks. Chunk boundaries depend on
/// the items' names (content-defined), so an edit inside one chunk leaves the others as
/// they were.
#[salsa::input(debug)]
pub struct Chunk {
    /// The file it is part of.
    #[returns(copy)]
    pub file: SourceFile,
    /// Its text.
    #[returns(ref)]
    pub text: String,
    /// Its items.
    #[returns(ref)]
    pub items: Vec<ItemHead>,
    /// Where its text starts in the file.
    #[returns(copy)]
    pub offset: usize,
}

/// One top-level item: a position in a chunk. Editing an item changes its chunk's text;
/// moving it changes its chunk's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Item {
    chunk: Chunk,
    index: u32,
}

impl Item {
    fn head(self, db: &dyn salsa::Database) -> Option<&ItemHead> {
        self.chunk.items(db).get(self.index as usize)
    }

    /// The file the item is in.
    pub fn file(self, db: &dyn salsa::Database) -> SourceFile {
        self.chunk.file(db)
    }

    /// The chunk the item is in.
    pub fn chunk(self) -> Chunk {
        self.chunk
    }

    /// Its position in the chunk.
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The kind, read without parsing; `None` for stray text before the first item.
    pub fn kind(self, db: &dyn salsa::Database) -> Option<ItemKind> {
        self.head(db).and_then(|h| h.kind)
    }

    /// The name, read without parsing.
    pub fn name(self, db: &dyn salsa::Database) -> &str {
        self.head(db).map_or("", |h| h.name.as_str())
    }

    /// The item's text, its leading comments included.
    pub fn text(self, db: &dyn salsa::Database) -> &str {
        let text = self.chunk.text(db);
        self.head(db)
            .and_then(|h| text.get(h.start..h.end))
            .unwrap_or_default()
    }

    /// Where the text starts in the file.
    pub fn offset(self, db: &dyn salsa::Database) -> usize {
        self.chunk.offset(db) + self.head(db).map_or(0, |h| h.start)
    }
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
        Workspace::new(&db, BTreeMap::new(), BTreeMap::new());
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

    /// Adds a file, or replaces the text of the file at `path`; returns it. Only the chunks
    /// whose text changed are set (see [`Chunk`]).
    pub fn set_file(&mut self, path: &Path, text: String) -> SourceFile {
        use salsa::Setter;
        let path = normalize(path);
        let file = match self.workspace().files(self).get(&path).copied() {
            Some(file) if file.text(self) == &text => return file,
            Some(file) => file,
            None => {
                let file =
                    SourceFile::new(self, path.clone(), String::new(), Vec::new(), Vec::new());
                let mut files = self.workspace().files(self).clone();
                files.insert(path, file);
                self.workspace().set_files(self).to(files);
                file
            }
        };
        let old = file.chunks(self).clone();
        let plan = self
            .rechunk_around_edit(file, &old, &text)
            .unwrap_or_else(|| self.rechunk(&old, &text));
        let mut spare = file.spare(self).clone();
        let kept: std::collections::HashSet<Chunk> = plan
            .iter()
            .filter_map(|slot| match slot {
                Slot::Keep(chunk, _) => Some(*chunk),
                Slot::Fresh(_) => None,
            })
            .collect();
        let mut reusable = old.iter().copied().filter(|c| !kept.contains(c));
        let mut chunks = Vec::with_capacity(plan.len());
        for slot in plan {
            let chunk = match slot {
                Slot::Keep(chunk, offset) => {
                    if chunk.offset(self) != offset {
                        chunk.set_offset(self).to(offset);
                    }
                    chunk
                }
                Slot::Fresh(piece) => {
                    let body = text[piece.start..piece.end].to_string();
                    match reusable.next().or_else(|| spare.pop()) {
                        Some(chunk) => {
                            chunk.set_text(self).to(body);
                            chunk.set_items(self).to(piece.items);
                            if chunk.offset(self) != piece.start {
                                chunk.set_offset(self).to(piece.start);
                            }
                            chunk
                        }
                        None => Chunk::new(self, file, body, piece.items, piece.start),
                    }
                }
            };
            chunks.push(chunk);
        }
        for unused in reusable {
            unused.set_text(self).to(String::new());
            unused.set_items(self).to(Vec::new());
            spare.push(unused);
        }
        if &chunks != file.chunks(self) {
            file.set_chunks(self).to(chunks);
        }
        if &spare != file.spare(self) {
            file.set_spare(self).to(spare);
        }
        file.set_text(self).to(text);
        file
    }

    /// The chunks of `text` from scratch, keeping the old chunks whose text is unchanged at
    /// the start and the end.
    fn rechunk(&self, old: &[Chunk], text: &str) -> Vec<Slot> {
        self.keep_unchanged(old, chunk_pieces(text), text)
    }

    /// `pieces` as slots: the leading and trailing pieces whose text the old chunks at the
    /// same end have keep those chunks; the others are fresh.
    fn keep_unchanged(&self, old: &[Chunk], pieces: Vec<Piece>, text: &str) -> Vec<Slot> {
        let same = |chunk: Chunk, piece: &Piece| chunk.text(self) == &text[piece.start..piece.end];
        let head = old
            .iter()
            .zip(&pieces)
            .take_while(|(c, p)| same(**c, p))
            .count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(pieces[head..].iter().rev())
            .take_while(|(c, p)| same(**c, p))
            .count();
        let n = pieces.len();
        pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                if i < head {
                    Slot::Keep(old[i], piece.start)
                } else if i >= n - tail {
                    Slot::Keep(old[old.len() - (n - i)], piece.start)
                } else {
                    Slot::Fresh(piece)
                }
            })
            .collect()
    }

    /// The chunks of `text` when it differs from the file's current text in one region:
    /// only the chunks around the region are cut again, the others are kept (those after it
    /// move). `None` when that cannot be done exactly as [`chunk_pieces`] would cut the whole
    /// text; the caller then does that.
    fn rechunk_around_edit(
        &self,
        file: SourceFile,
        old: &[Chunk],
        text: &str,
    ) -> Option<Vec<Slot>> {
        let before = file.text(self);
        if old.len() < 4 || text.len() > MAX_FILE_BYTES {
            return None;
        }
        let prefix = common_prefix(before.as_bytes(), text.as_bytes());
        let room = before.len().min(text.len()) - prefix;
        let suffix = common_suffix(before.as_bytes(), text.as_bytes()).min(room);
        let ends: Vec<usize> = old
            .iter()
            .map(|c| c.offset(self) + c.text(self).len())
            .collect();
        // From the chunk before the one the edit starts in (an edit at a chunk's first line
        // can change where the previous chunk ends)…
        let first = ends.iter().position(|end| *end > prefix)?.saturating_sub(1);
        // …to the start of the second chunk wholly after the edit.
        let unchanged_from = before.len() - suffix;
        let last = (first..old.len()).find(|k| old[*k].offset(self) > unchanged_from)? + 1;
        let resume = old[first].offset(self);
        let delta = text.len() as isize - before.len() as isize;
        let stop_old = *old.get(last).map(|c| c.offset(self)).as_ref()?;
        let stop = stop_old.checked_add_signed(delta)?;
        let region = text.get(resume..stop)?;
        let mut pieces = chunk_pieces(region);
        // The whole-text cut would start a chunk at `stop` too.
        let next = old[last].items(self).first()?;
        let counted = pieces.last().map_or(0, |p| p.items.len());
        let cut = counted >= CHUNK_MAX || (counted >= CHUNK_MIN && boundary(next.kind, &next.name));
        if !cut || pieces.iter().map(|p| p.items.len()).sum::<usize>() == 0 {
            return None;
        }
        let total: usize = old.iter().map(|c| c.items(self).len()).sum::<usize>()
            - old[first..last]
                .iter()
                .map(|c| c.items(self).len())
                .sum::<usize>()
            + pieces.iter().map(|p| p.items.len()).sum::<usize>();
        if total > MAX_ITEMS {
            return None;
        }
        let mut plan: Vec<Slot> = old[..first]
            .iter()
            .map(|c| Slot::Keep(*c, c.offset(self)))
            .collect();
        for piece in &mut pieces {
            piece.start += resume;
            piece.end += resume;
        }
        // Only the chunks the edit touched get new text.
        plan.extend(self.keep_unchanged(&old[first..last], pieces, text));
        for chunk in &old[last..] {
            let moved = chunk.offset(self).checked_add_signed(delta)?;
            plan.push(Slot::Keep(*chunk, moved));
        }
        Some(plan)
    }

    /// Offers `read` every path that a loaded file `use`s and that is not loaded, each path
    /// once, until nothing new is named. `read` is the edge's file access: it loads the file
    /// with [`Database::set_file`], or leaves it missing (E0103); the compiler reads nothing.
    pub fn load_uses(&mut self, mut read: impl FnMut(&mut Database, &Path)) {
        self.load_uses_from(|db, _from, path| read(db, path));
    }

    /// As [`Database::load_uses`], also telling `read` which loaded file (its normalised
    /// path) names the path first, so that the edge can confine `use` to that file's project
    /// (and [`Database::refuse_use`] what is outside). A `use` of an absolute path is never
    /// offered (E0103).
    pub fn load_uses_from(&mut self, mut read: impl FnMut(&mut Database, &Path, &Path)) {
        let mut tried = std::collections::HashSet::new();
        loop {
            let files: Vec<SourceFile> = self.workspace().files(self).values().copied().collect();
            let wanted: Vec<(PathBuf, PathBuf)> = files
                .iter()
                .flat_map(|f| {
                    let from = f.path(self).clone();
                    crate::resolve::file_uses(self, *f)
                        .iter()
                        .map(move |edge| (from.clone(), edge))
                })
                .filter(|(_, edge)| edge.target.is_none() && !edge.absolute)
                .map(|(from, edge)| (from, edge.path.clone()))
                .filter(|(_, p)| tried.insert(p.clone()))
                .collect();
            if wanted.is_empty() {
                return;
            }
            for (from, path) in wanted {
                read(self, &from, &path);
            }
        }
    }

    /// Records that the edge refused to read `path` (named by a `use`) because it is outside
    /// the project; `help` says where the project root is and why. A `use` of it is E0103.
    pub fn refuse_use(&mut self, path: &Path, help: String) {
        use salsa::Setter;
        let path = normalize(path);
        if self.workspace().refused(self).get(&path) == Some(&help) {
            return;
        }
        let mut refused = self.workspace().refused(self).clone();
        refused.insert(path, help);
        self.workspace().set_refused(self).to(refused);
    }

    /// Takes the file at `path` out of the workspace, if loaded: a `use` of it is then a
    /// missing file (E0103) until it is loaded again. Returns the file that was removed.
    pub fn remove_file(&mut self, path: &Path) -> Option<SourceFile> {
        use salsa::Setter;
        let path = normalize(path);
        let mut files = self.workspace().files(self).clone();
        let removed = files.remove(&path)?;
        self.workspace().set_files(self).to(files);
        Some(removed)
    }

    /// The file at `path`, if loaded.
    pub fn file(&self, path: &Path) -> Option<SourceFile> {
        self.workspace().files(self).get(&normalize(path)).copied()
    }
}

/// A path with `.` and `..` resolved lexically (no file-system access). A `..` removes the
/// folder before it; leading `..`s of a relative path stay (`../../a` is not `a`), and a
/// `..` at the root stays at the root.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod normalize_tests {
    use super::normalize;
    use std::path::{Path, PathBuf};

    #[test]
    fn parent_folders_resolve_like_the_file_system() {
        let cases = [
            ("../../lib.sot", "../../lib.sot"),
            ("x/y/../../lib.sot", "lib.sot"),
            ("x/../../lib.sot", "../lib.sot"),
            ("./a/./b/../c.sot", "a/c.sot"),
            ("/../a.sot", "/a.sot"),
            ("/x/../../a.sot", "/a.sot"),
            ("../x/../y.sot", "../y.sot"),
        ];
        for (path, want) in cases {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(want), "{path}");
        }
    }
}

/// The largest file `sot` reads (a real protocol is a few hundred kilobytes).
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// The most items one file may hold.
pub const MAX_ITEMS: usize = 200_000;

/// What becomes of each chunk of a file's new text: an old chunk kept (at its new offset), or
/// a new piece.
enum Slot {
    Keep(Chunk, usize),
    Fresh(Piece),
}

/// How many leading bytes two texts share (compared a block at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.chunks(4096).zip(b.chunks(4096)) {
        if x == y {
            n += x.len();
        } else {
            return n + x.iter().zip(y).take_while(|(p, q)| p == q).count();
        }
    }
    n
}

/// How many trailing bytes two texts share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.rchunks(4096).zip(b.rchunks(4096)) {
        if x.len() == y.len() && x == y {
            n += x.len();
        } else {
            return n + x
                .iter()
                .rev()
                .zip(y.iter().rev())
                .take_while(|(p, q)| p == q)
                .count();
        }
    }
    n
}

/// A chunk to be: its byte range in the file and its items (chunk-relative).
struct Piece {
    start: usize,
    end: usize,
    items: Vec<ItemHead>,
}

/// Chunks hold at least this many items (unless the file ends)…
const CHUNK_MIN: usize = 8;
/// …and at most this many.
const CHUNK_MAX: usize = 64;

/// Cuts a file's text into chunks of items: a chunk starts at an item whose kind and name
/// hash to 0 modulo 32 (so about 32 items per chunk, and the cuts move only where items
/// are added, removed or renamed). A file over the limits ([`MAX_FILE_BYTES`],
/// [`MAX_ITEMS`]) gives no chunks, or its first items only; the file's diagnostics say so
/// ([`limit_diagnostics`]).
fn chunk_pieces(text: &str) -> Vec<Piece> {
    if text.len() > MAX_FILE_BYTES {
        return Vec::new();
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for source in sot_grammar::split(text).into_iter().take(MAX_ITEMS) {
        let cut = match pieces.last() {
            None => true,
            Some(last) if last.items.len() >= CHUNK_MAX => true,
            Some(last) => last.items.len() >= CHUNK_MIN && boundary(source.kind, &source.name),
        };
        if cut {
            pieces.push(Piece {
                start: source.start,
                end: source.start,
                items: Vec::new(),
            });
        }
        if let Some(piece) = pieces.last_mut() {
            piece.items.push(ItemHead {
                kind: source.kind,
                name: source.name,
                start: source.start - piece.start,
                end: source.end - piece.start,
            });
            piece.end = source.end;
        }
    }
    pieces
}

/// Whether an item starts a chunk: a fixed hash (FNV-1a) of its kind and name.
fn boundary(kind: Option<ItemKind>, name: &str) -> bool {
    let keyword = kind.map_or("", |k| k.keyword());
    let mut hash: u32 = 0x811c_9dc5;
    for byte in keyword.bytes().chain([0]).chain(name.bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    hash & 31 == 0
}

/// The items of a chunk, in order (reading neither their texts nor where the chunk is).
pub fn chunk_items(db: &dyn salsa::Database, chunk: Chunk) -> impl Iterator<Item = Item> {
    (0..chunk.items(db).len() as u32).map(move |index| Item { chunk, index })
}

/// The items of a file, in order.
#[salsa::tracked(returns(ref))]
pub fn file_items(db: &dyn salsa::Database, file: SourceFile) -> Vec<Item> {
    file.chunks(db)
        .iter()
        .flat_map(|chunk| {
            (0..chunk.items(db).len() as u32).map(|index| Item {
                chunk: *chunk,
                index,
            })
        })
        .collect()
}

/// The syntax trees of a chunk's items, with item-relative spans.
#[salsa::tracked(returns(ref))]
pub fn chunk_parse(db: &dyn salsa::Database, chunk: Chunk) -> Vec<ParsedItem> {
    let text = chunk.text(db);
    chunk
        .items(db)
        .iter()
        .map(|h| sot_grammar::parse_item(text.get(h.start..h.end).unwrap_or_default()))
        .collect()
}

/// Parses every chunk of `file` on all cores, each thread on its own clone of the database,
/// the syntax trees landing in the shared memos, so that checking afterwards finds them.
/// Parsing is most of a full check; checking in parallel too measured slower (the threads
/// wait on each other in salsa). Worth it for a whole file at once (opening it, `sot
/// check`), not after an edit.
pub fn parse_in_parallel(db: &Database, file: SourceFile) {
    let chunks = file.chunks(db);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || chunks.len() < 4 {
        return;
    }
    std::thread::scope(|scope| {
        for first in 0..threads {
            let db = db.clone();
            scope.spawn(move || {
                for chunk in chunks.iter().skip(first).step_by(threads) {
                    chunk_parse(&db, *chunk);
                }
            });
        }
    });
}

static NOT_PARSED: ParsedItem = ParsedItem {
    item: None,
    errors: Vec::new(),
    tokens: Vec::new(),
};

/// The syntax tree of an item, with item-relative spans.
pub fn parse_item(db: &dyn salsa::Database, item: Item) -> &ParsedItem {
    chunk_parse(db, item.chunk)
        .get(item.index as usize)
        .unwrap_or(&NOT_PARSED)
}

/// The syntax tokens of an item (see [`sot_grammar::tokens`]), item-relative; none when it
/// does not parse. They come from the same parse as the syntax tree (cached per chunk in
/// [`chunk_parse`]), so a file opened and parsed in parallel has its tokens too.
pub fn item_tokens(db: &dyn salsa::Database, item: Item) -> &[sot_grammar::Token] {
    &parse_item(db, item).tokens
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
    // Counted per chunk: the list of every item is not built for a file under the limit.
    let count: usize = file.chunks(db).iter().map(|c| c.items(db).len()).sum();
    if count < MAX_ITEMS {
        return Vec::new();
    }
    let items = file_items(db, file);
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
