//! Type checking of one item against its file's scope, and the file's diagnostics.
//!
//! `check_item` reads only its own syntax tree and the scope (built from signatures), so an
//! edit to one item re-checks that item alone.
//!
//! The [`Checker`] walks one item; its checks live beside this file, by what they check:
//! declarations, rules and checks in [`items`], tables in [`tables`], cases in [`cases`],
//! expressions in [`expressions`], names and arguments in [`calls`], literal values against
//! types in [`values`]. This file holds the entry points, the file's diagnostics (syntax errors
//! E0001/E0305, unused declarations W0604, with the scope's and the limits' diagnostics) and the
//! item dispatch (E0302 for an empty range type, E0101 for an unknown category in a precedence
//! or `coexist` line; E0102 and E0405 for a `coexist` line naming a category twice or fewer
//! than two).

mod calls;
mod cases;
mod expressions;
mod items;
mod tables;
mod values;

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};

use sot_grammar::ast::{self, ItemData, Phase, Span, TypeDef};
use sot_grammar::{ParsedItem, SyntaxError, SyntaxErrorKind};

use crate::db::{chunk_parse, Chunk, Item, SourceFile, Workspace};
use crate::diagnostic::{Code, Diagnostic};
use crate::resolve::{
    file_scope, range_type, scope_diagnostics, visible_files, Namespace, Scope, Signature,
};
use crate::types::Ty;

/// The result of checking one item: its diagnostics (item-relative spans) and the names it
/// refers to (for W0604).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ItemCheck {
    /// Problems in the item, spans relative to the item's text.
    pub diagnostics: Vec<Diagnostic>,
    /// Names the item uses.
    pub references: BTreeSet<(Namespace, String)>,
}

/// The checks of a chunk's items.
#[salsa::tracked(returns(ref))]
pub fn chunk_check(db: &dyn salsa::Database, chunk: Chunk) -> Vec<ItemCheck> {
    let scope = file_scope(db, chunk.file(db));
    chunk_parse(db, chunk)
        .iter()
        .map(|parsed| check_parsed(scope, parsed))
        .collect()
}

static NOT_CHECKED: ItemCheck = ItemCheck {
    diagnostics: Vec::new(),
    references: BTreeSet::new(),
};

/// The check of one item: its diagnostics (item-relative spans) and the names it uses.
pub fn check_item(db: &dyn salsa::Database, item: Item) -> &ItemCheck {
    chunk_check(db, item.chunk())
        .get(item.index())
        .unwrap_or(&NOT_CHECKED)
}

/// Checks one parsed item against a scope.
fn check_parsed(scope: &Scope, parsed: &ParsedItem) -> ItemCheck {
    let mut cx = Checker {
        scope,
        out: ItemCheck::default(),
        locals: Vec::new(),
        in_check: false,
        phase: None,
        counting_uses: true,
        narrowed: Vec::new(),
    };
    cx.out
        .diagnostics
        .extend(parsed.errors.iter().map(syntax_diagnostic));
    if let Some(ast) = &parsed.item {
        cx.item(&ast.data);
    }
    cx.out
}

/// Checks a case that did not come from a `.sot` file (JSON case data) against a scope.
pub(crate) fn check_case(scope: &Scope, case: &ast::Case) -> Vec<Diagnostic> {
    let mut cx = Checker {
        scope,
        out: ItemCheck::default(),
        locals: Vec::new(),
        in_check: false,
        phase: None,
        counting_uses: false,
        narrowed: Vec::new(),
    };
    cx.case(case);
    cx.out.diagnostics
}

/// The code of a syntax error of the parser: the one place E0001 and E0305 are given, for
/// `sot check` and `sot fmt` alike.
pub fn syntax_code(kind: SyntaxErrorKind) -> Code {
    match kind {
        SyntaxErrorKind::Syntax => Code::E0001,
        SyntaxErrorKind::MixedAndOr => Code::E0305,
    }
}

pub(crate) fn syntax_diagnostic(error: &SyntaxError) -> Diagnostic {
    let code = syntax_code(error.kind);
    Diagnostic::new(code, error.span, error.message.clone()).maybe_help(error.help.clone())
}

/// Every name used by the items of a chunk.
#[salsa::tracked(returns(ref))]
fn chunk_references(db: &dyn salsa::Database, chunk: Chunk) -> BTreeSet<(Namespace, String)> {
    chunk_check(db, chunk)
        .iter()
        .flat_map(|check| check.references.iter().cloned())
        .collect()
}

/// Whether every item of a chunk could be parsed.
#[salsa::tracked]
fn chunk_parsed(db: &dyn salsa::Database, chunk: Chunk) -> bool {
    chunk_parse(db, chunk).iter().all(|p| p.item.is_some())
}

/// Which of `declared` no file that sees `file` (itself included) uses: one flag per
/// declaration. None is unused when one of those files has an item that could not be parsed
/// (its uses are unknown). The scan stops once every declaration has been seen used, so an
/// edit far from the first uses of the names costs no pass over the whole workspace.
fn unused_declarations(
    db: &dyn salsa::Database,
    file: SourceFile,
    declared: &[(Namespace, &str)],
) -> Vec<bool> {
    let mut missing: HashMap<(Namespace, &str), Vec<usize>> = HashMap::default();
    for (i, key) in declared.iter().enumerate() {
        missing.entry(*key).or_default().push(i);
    }
    let files = Workspace::get(db).files(db);
    // The file itself first: it is where its declarations are most likely used.
    let seeing = std::iter::once(file).chain(
        files
            .values()
            .copied()
            .filter(|other| *other != file && visible_files(db, *other).contains(&file)),
    );
    for other in seeing {
        for chunk in other.chunks(db) {
            if missing.is_empty() {
                break;
            }
            if !*chunk_parsed(db, *chunk) {
                return vec![false; declared.len()];
            }
            for (ns, name) in chunk_references(db, *chunk) {
                missing.remove(&(*ns, name.as_str()));
            }
        }
    }
    let mut unused = vec![false; declared.len()];
    for i in missing.into_values().flatten() {
        unused[i] = true;
    }
    unused
}

/// The checks' diagnostics of a chunk's items, with chunk-relative spans: an edit that only
/// moves the chunk keeps them (they read neither the chunk's place nor the others').
#[salsa::tracked(returns(ref))]
fn chunk_diagnostics(db: &dyn salsa::Database, chunk: Chunk) -> Vec<Diagnostic> {
    chunk
        .items(db)
        .iter()
        .zip(chunk_check(db, chunk))
        .flat_map(|(head, check)| {
            check
                .diagnostics
                .iter()
                .map(|d| d.clone().shifted(head.start))
        })
        .collect()
}

/// A declaration that nothing uses (W0604): where it is, independent of where its chunk is.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
struct Unused {
    chunk: Chunk,
    /// The item's index in its chunk.
    item: usize,
    /// `indicator`, `table`, `adjustment` or `type`.
    what: &'static str,
    name: String,
    /// The name's span in its item.
    span: Span,
}

/// The declarations of a file that no file seeing it uses. Read from names and uses only,
/// not from where items are: an edit that keeps every chunk's names and uses does not run
/// it again.
#[salsa::tracked(returns(ref))]
fn unused_names(db: &dyn salsa::Database, file: SourceFile) -> Vec<Unused> {
    let mut declarations = Vec::new();
    for chunk in file.chunks(db) {
        let signatures = crate::resolve::chunk_signatures(db, *chunk).iter();
        for (item, signature) in signatures.enumerate() {
            let declared = match signature {
                Some(Signature::Indicator(name, ..)) => Some((Namespace::Value, "indicator", name)),
                Some(Signature::Table(name, ..)) => Some((Namespace::Value, "table", name)),
                Some(Signature::Adjustment(name, _)) => {
                    Some((Namespace::Adjustment, "adjustment", name))
                }
                Some(Signature::Type(decl)) => Some((Namespace::Type, "type", &decl.name)),
                _ => None,
            };
            if let Some((ns, what, name)) = declared {
                declarations.push((*chunk, item, ns, what, name));
            }
        }
    }
    let keys: Vec<_> = declarations
        .iter()
        .map(|(_, _, ns, _, name)| (*ns, name.text.as_str()))
        .collect();
    let unused = unused_declarations(db, file, &keys);
    declarations
        .iter()
        .zip(unused)
        .filter(|(_, unused)| *unused)
        .map(|((chunk, item, _, what, name), _)| Unused {
            chunk: *chunk,
            item: *item,
            what,
            name: name.text.clone(),
            span: name.span,
        })
        .collect()
}

/// Every diagnostic of a file, with file-relative spans, in source order.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let mut out = crate::db::limit_diagnostics(db, file);
    out.extend(scope_diagnostics(db, file).iter().cloned());
    let duplicates: HashSet<Span> = out
        .iter()
        .filter(|d| d.code == Code::E0102)
        .map(|d| d.primary.span)
        .collect();
    for chunk in file.chunks(db) {
        let found = chunk_diagnostics(db, *chunk);
        if !found.is_empty() {
            let base = chunk.offset(db);
            out.extend(found.iter().map(|d| d.clone().shifted(base)));
        }
    }
    for unused in unused_names(db, file) {
        let start = unused.chunk.offset(db)
            + unused
                .chunk
                .items(db)
                .get(unused.item)
                .map_or(0, |head| head.start);
        let span = unused.span.shift(start);
        // A second declaration of the name is E0102, not unused.
        if duplicates.contains(&span) {
            continue;
        }
        let what = unused.what;
        out.push(
            Diagnostic::new(
                Code::W0604,
                span,
                format!("{what} `{}` is never used", unused.name),
            )
            .label(format!("declared here, used by no {}", use_sites(what)))
            .help(format!(
                "remove the {what} if the protocol does not need it"
            )),
        );
    }
    out.sort_by_key(|d| (d.primary.span.start, d.code));
    out
}

fn use_sites(what: &str) -> &'static str {
    match what {
        "adjustment" => "rule's `then`",
        "type" => "declaration",
        _ => "condition, rule or table",
    }
}

struct Checker<'a> {
    scope: &'a Scope,
    out: ItemCheck,
    /// `for` variables in scope.
    locals: Vec<(String, Ty)>,
    /// Inside a check's `need`/`complete`/`marginal`.
    in_check: bool,
    /// Inside `before.`/`after.`.
    phase: Option<Phase>,
    /// Whether names met now count as uses (not in cases).
    counting_uses: bool,
    /// Expressions known not to be `none` here (rendered with [`render`]).
    narrowed: Vec<String>,
}

impl Checker<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.out.diagnostics.push(diagnostic);
    }

    fn uses(&mut self, ns: Namespace, name: &str) {
        if self.counting_uses {
            self.out.references.insert((ns, name.to_string()));
        }
    }

    fn item(&mut self, data: &ItemData) {
        match data {
            ItemData::Header { .. } | ItemData::Use { .. } => {}
            ItemData::Type(decl) => {
                if let TypeDef::Range(base, span) = &decl.def {
                    if let Err(d) = range_type(base, *span) {
                        self.report(d);
                    }
                }
            }
            ItemData::Indicator(i) => {
                let params = self.params(&i.params);
                self.limit_combinations(
                    &params,
                    i.name.span,
                    "findings (one per parameter combination)",
                );
                self.ty(&i.ty);
            }
            ItemData::Adjustment(a) => {
                self.params(&a.params);
            }
            ItemData::Table(t) => self.table(t),
            ItemData::Category(c) => self.condition(&c.when),
            ItemData::Precedence(names) => {
                for name in names {
                    if !self.scope.categories.contains(&name.text) {
                        let d = self.scope.unknown(Namespace::Category, "category", name);
                        self.report(d);
                    }
                }
            }
            ItemData::Coexist(names) => self.coexist(names),
            ItemData::RedFlag(r) => {
                self.in_category(r.in_category.as_ref());
                self.condition(&r.when);
            }
            ItemData::Rule(r) => self.rule(r),
            ItemData::Check(c) => self.check(c),
            ItemData::Case(c) => {
                // A case mentions indicators and adjustments; only the protocol uses them.
                self.counting_uses = false;
                self.case(c);
            }
        }
    }
}
