//! Name resolution: item signatures, `use` between files, and the scope of names a file sees.
//!
//! The scope is built from signatures only (names, parameters, types), never from bodies, so
//! editing a rule's condition leaves every other item's check untouched.
//!
//! The problems found across items (duplicate names, `use` errors, precedence cycles, the
//! order of header and `use` lines, the protocol's size) are in [`diagnostics`].

mod diagnostics;

pub use diagnostics::scope_diagnostics;

use foldhash::{HashMap, HashSet};
use std::path::PathBuf;

use sot_grammar::ast::{self, BaseType, ItemData, ItemKind, Name, Span, TypeDef, TypeExpr};

use crate::db::{chunk_parse, normalize, Chunk, SourceFile, Workspace};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::types::{vertebra_index, EnumType, Ty, SIDES, VERTEBRAE};

/// What other items need to know of an item: its name and declared shape, not its body.
#[derive(Clone, Debug, PartialEq)]
pub enum Signature {
    /// `protocol …`, `case …`: nothing others depend on but the name.
    Named(ItemKind, Name),
    /// `use "path"`.
    Use(ast::StringLit),
    /// `type Name = …`.
    Type(ast::TypeDecl),
    /// `indicator name(params): T`.
    Indicator(Name, Vec<ast::Param>, TypeExpr),
    /// `adjustment name(params)`.
    Adjustment(Name, Vec<ast::Param>),
    /// `table name(params): T`, with the range of vertebra values it holds.
    Table(Name, Vec<ast::Param>, TypeExpr, Option<(u8, u8)>),
    /// `rule`/`check` with their `for` bindings.
    WithBindings(ItemKind, Name, Vec<ast::Binding>),
    /// `precedence A > B > C`.
    Precedence(Vec<Name>),
    /// `coexist A, B, …`.
    Coexist(Vec<Name>),
}

/// The signatures of a chunk's items.
#[salsa::tracked(returns(ref))]
pub fn chunk_signatures(db: &dyn salsa::Database, chunk: Chunk) -> Vec<Option<Signature>> {
    chunk_parse(db, chunk)
        .iter()
        .map(|parsed| signature(parsed.item.as_ref()?))
        .collect()
}

/// The signature of every item of `file` with where the item starts in the file, read a chunk
/// at a time (a few salsa lookups per chunk, none per item).
fn signatures_with_offsets(
    db: &dyn salsa::Database,
    file: SourceFile,
) -> impl Iterator<Item = (usize, &Option<Signature>)> {
    file.chunks(db).iter().flat_map(move |chunk| {
        let base = chunk.offset(db);
        chunk
            .items(db)
            .iter()
            .zip(chunk_signatures(db, *chunk))
            .map(move |(head, signature)| (base + head.start, signature))
    })
}

/// The signature of a parsed item, `None` for the header.
fn signature(parsed: &ast::Item) -> Option<Signature> {
    Some(match &parsed.data {
        ItemData::Header { .. } => return None,
        ItemData::Use { path } => Signature::Use(path.clone()),
        ItemData::Type(decl) => Signature::Type(decl.clone()),
        ItemData::Indicator(i) => {
            Signature::Indicator(i.name.clone(), i.params.clone(), i.ty.clone())
        }
        ItemData::Adjustment(a) => Signature::Adjustment(a.name.clone(), a.params.clone()),
        ItemData::Table(t) => {
            let range = t
                .entries
                .iter()
                .filter_map(|e| match &e.value.kind {
                    ast::LiteralKind::Name(n) => vertebra_index(n),
                    _ => None,
                })
                .fold(None, |acc: Option<(u8, u8)>, v| match acc {
                    None => Some((v, v)),
                    Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
                });
            Signature::Table(t.name.clone(), t.params.clone(), t.ty.clone(), range)
        }
        ItemData::Category(c) => Signature::Named(ItemKind::Category, c.name.clone()),
        ItemData::Precedence(names) => Signature::Precedence(names.clone()),
        ItemData::Coexist(names) => Signature::Coexist(names.clone()),
        ItemData::RedFlag(r) => Signature::Named(ItemKind::RedFlag, r.name.clone()),
        ItemData::Rule(r) => {
            Signature::WithBindings(ItemKind::Rule, r.name.clone(), r.bindings.clone())
        }
        ItemData::Check(c) => {
            Signature::WithBindings(ItemKind::Check, c.name.clone(), c.bindings.clone())
        }
        ItemData::Case(c) => Signature::Named(ItemKind::Case, c.name.clone()),
    })
}

/// One `use` of a file: the file it names, if loaded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UseEdge {
    /// The normalised path it names.
    pub path: PathBuf,
    /// The file, or `None` when it is missing.
    pub target: Option<SourceFile>,
    /// The `use` names an absolute path (E0103: never read).
    pub absolute: bool,
}

/// The `use` lines of a file in order, resolved against the workspace. Spans are left out
/// so that edits which only move items do not change this.
#[salsa::tracked(returns(ref))]
pub fn file_uses(db: &dyn salsa::Database, file: SourceFile) -> Vec<UseEdge> {
    let dir = file
        .path(db)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    file.chunks(db)
        .iter()
        .flat_map(|chunk| chunk_signatures(db, *chunk))
        .filter_map(|signature| match signature {
            Some(Signature::Use(path)) => Some(resolve_use(db, &dir, &path.value)),
            _ => None,
        })
        .collect()
}

fn resolve_use(db: &dyn salsa::Database, dir: &std::path::Path, path: &str) -> UseEdge {
    let written = std::path::Path::new(path);
    // `has_root` as well as `is_absolute`: `/x` is not absolute on Windows but is not
    // relative to the file either.
    let absolute = written.is_absolute() || written.has_root();
    let path = normalize(&dir.join(written));
    UseEdge {
        target: if absolute {
            None
        } else {
            Workspace::get(db).files(db).get(&path).copied()
        },
        path,
        absolute,
    }
}

/// The files whose items a file sees: used files depth first, in `use` order, each once,
/// then the file itself.
#[salsa::tracked(returns(ref))]
pub fn visible_files(db: &dyn salsa::Database, file: SourceFile) -> Vec<SourceFile> {
    let mut order = Vec::new();
    let mut seen = HashSet::default();
    // Iterative depth-first post-order, so a long `use` chain cannot overflow the stack.
    let mut stack = vec![(file, 0usize)];
    seen.insert(file);
    while let Some((current, next_edge)) = stack.pop() {
        let edges = file_uses(db, current);
        if let Some(edge) = edges.get(next_edge) {
            stack.push((current, next_edge + 1));
            if let Some(target) = edge.target {
                if seen.insert(target) {
                    stack.push((target, 0));
                }
            }
        } else {
            order.push(current);
        }
    }
    order
}

/// What a value name in an expression stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueDef {
    /// An indicator with its parameters and finding type.
    Indicator(Vec<(String, Ty)>, Ty),
    /// A table with its parameters and value type.
    Table(Vec<(String, Ty)>, Ty),
    /// A value of an enum (declared or built in).
    EnumValue(Ty),
}

/// The namespaces of LANGUAGE.md §3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// Indicators, tables and enum values.
    Value,
    /// Types.
    Type,
    /// Adjustments.
    Adjustment,
    /// Categories.
    Category,
    /// Rules.
    Rule,
    /// Red flags.
    RedFlag,
    /// Checks.
    Check,
    /// Cases.
    Case,
}

/// Every name a file sees, with resolved signatures.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scope {
    /// Types by name, built-ins included.
    pub types: HashMap<String, Ty>,
    /// Indicators, tables and enum values (built-in values included).
    pub values: HashMap<String, ValueDef>,
    /// Adjustments and their parameters.
    pub adjustments: HashMap<String, Vec<(String, Ty)>>,
    /// Categories in declaration order.
    pub categories: Vec<String>,
    /// Rules and their `for` bindings.
    pub rules: HashMap<String, Vec<(String, Ty)>>,
    /// Checks and their `for` bindings.
    pub checks: HashMap<String, Vec<(String, Ty)>>,
    /// Red flags.
    pub red_flags: HashSet<String>,
    /// Cases.
    pub cases: HashSet<String>,
}

impl Scope {
    /// Names declared in a namespace, for "did you mean".
    pub fn names(&self, ns: Namespace) -> Vec<&str> {
        match ns {
            Namespace::Value => self.values.keys().map(String::as_str).collect(),
            Namespace::Type => self.types.keys().map(String::as_str).collect(),
            Namespace::Adjustment => self.adjustments.keys().map(String::as_str).collect(),
            Namespace::Category => self.categories.iter().map(String::as_str).collect(),
            Namespace::Rule => self.rules.keys().map(String::as_str).collect(),
            Namespace::RedFlag => self.red_flags.iter().map(String::as_str).collect(),
            Namespace::Check => self.checks.keys().map(String::as_str).collect(),
            Namespace::Case => self.cases.iter().map(String::as_str).collect(),
        }
    }

    /// An E0101 for `name`, unknown in `ns`, with the closest known name as help.
    pub fn unknown(&self, ns: Namespace, what: &str, name: &Name) -> Diagnostic {
        Diagnostic::new(
            Code::E0101,
            name.span,
            format!("unknown {what} `{}`", name.text),
        )
        .label(format!("no {what} is named `{}`", name.text))
        .maybe_help(did_you_mean(&name.text, self.names(ns)))
    }

    /// Resolves a written type. Errors are E0101 (unknown type) or E0302 (empty range).
    pub fn resolve_type(&self, ty: &TypeExpr) -> Result<Ty, Diagnostic> {
        let base = self.resolve_base(&ty.base, ty.span)?;
        Ok(if ty.optional {
            Ty::Optional(Box::new(base))
        } else {
            base
        })
    }

    fn resolve_base(&self, base: &BaseType, span: Span) -> Result<Ty, Diagnostic> {
        match base {
            BaseType::Named(name) => self
                .types
                .get(&name.text)
                .cloned()
                .ok_or_else(|| self.unknown(Namespace::Type, "type", name)),
            other => range_type(other, span),
        }
    }
}

/// The type of an inline range (`1..7`, `0.0..40.0 mm`, `T1..L5`).
pub(crate) fn range_type(base: &BaseType, span: Span) -> Result<Ty, Diagnostic> {
    let empty = |lo: &dyn std::fmt::Display, hi: &dyn std::fmt::Display| {
        Diagnostic::new(Code::E0302, span, format!("the range {lo}..{hi} is empty"))
            .help("write the lower bound first")
    };
    match base {
        BaseType::IntRange(lo, hi) if lo > hi => Err(empty(lo, hi)),
        BaseType::IntRange(lo, hi) => Ok(Ty::Int(*lo, *hi)),
        BaseType::DecRange(lo, hi, _) if lo > hi => Err(empty(lo, hi)),
        BaseType::DecRange(lo, hi, unit) => Ok(Ty::Measure(
            crate::types::to_base(*lo, *unit),
            crate::types::to_base(*hi, *unit),
            *unit,
        )),
        BaseType::NameRange(lo, hi) => {
            let bound = |n: &Name| {
                vertebra_index(&n.text).ok_or_else(|| {
                    Diagnostic::new(
                        Code::E0302,
                        n.span,
                        format!("`{}` is not a vertebra", n.text),
                    )
                    .help("a name range runs between vertebrae, e.g. `T1..L5`")
                    .maybe_help(did_you_mean(&n.text, VERTEBRAE))
                })
            };
            let (l, h) = (bound(lo)?, bound(hi)?);
            if l > h {
                return Err(empty(&lo.text, &hi.text));
            }
            Ok(Ty::Vertebra(l, h))
        }
        BaseType::Named(_) => Ok(Ty::Error),
    }
}

/// The scope of a file: the items of every visible file, in declaration order.
#[salsa::tracked(returns(ref))]
pub fn file_scope(db: &dyn salsa::Database, file: SourceFile) -> Scope {
    let mut scope = Scope::default();
    for (name, ty) in [
        ("bool", Ty::Bool),
        ("Side", Ty::Side),
        ("Vertebra", Ty::Vertebra(0, 26)),
        ("Category", Ty::Category),
    ] {
        scope.types.insert(name.into(), ty);
    }
    for side in SIDES {
        scope
            .values
            .insert(side.into(), ValueDef::EnumValue(Ty::Side));
    }
    for (i, v) in VERTEBRAE.iter().enumerate() {
        let i = i as u8;
        scope
            .values
            .insert((*v).into(), ValueDef::EnumValue(Ty::Vertebra(i, i)));
    }

    let signatures: Vec<&Signature> = visible_files(db, file)
        .iter()
        .flat_map(|visible| visible.chunks(db))
        .flat_map(|chunk| chunk_signatures(db, *chunk))
        .filter_map(|signature| signature.as_ref())
        .collect();

    // Types first: other signatures mention them.
    for sig in &signatures {
        if let Signature::Type(decl) = sig {
            let ty = match &decl.def {
                TypeDef::Enum(values) => {
                    let ty = Ty::Enum(EnumType {
                        name: decl.name.text.clone(),
                        values: values.iter().map(|v| v.text.clone()).collect(),
                    });
                    for value in values {
                        scope
                            .values
                            .entry(value.text.clone())
                            .or_insert(ValueDef::EnumValue(ty.clone()));
                    }
                    ty
                }
                TypeDef::Range(base, span) => range_type(base, *span).unwrap_or(Ty::Error),
            };
            scope.types.entry(decl.name.text.clone()).or_insert(ty);
        }
    }
    let resolve_params = |scope: &Scope, params: &[ast::Param]| -> Vec<(String, Ty)> {
        params
            .iter()
            .map(|p| {
                (
                    p.name.text.clone(),
                    scope.resolve_type(&p.ty).unwrap_or(Ty::Error),
                )
            })
            .collect()
    };
    for sig in &signatures {
        match sig {
            Signature::Type(_) | Signature::Use(_) => {}
            Signature::Indicator(name, params, ty) => {
                let def = ValueDef::Indicator(
                    resolve_params(&scope, params),
                    scope.resolve_type(ty).unwrap_or(Ty::Error),
                );
                scope.values.entry(name.text.clone()).or_insert(def);
            }
            Signature::Table(name, params, ty, vertebrae) => {
                // A table of vertebrae yields only the vertebrae it lists: `Vertebra + int`
                // is checked against those.
                let ty = match (scope.resolve_type(ty).unwrap_or(Ty::Error), vertebrae) {
                    (Ty::Vertebra(..), Some((lo, hi))) => Ty::Vertebra(*lo, *hi),
                    (ty, _) => ty,
                };
                let def = ValueDef::Table(resolve_params(&scope, params), ty);
                scope.values.entry(name.text.clone()).or_insert(def);
            }
            Signature::Adjustment(name, params) => {
                let params = resolve_params(&scope, params);
                scope.adjustments.entry(name.text.clone()).or_insert(params);
            }
            Signature::WithBindings(kind, name, bindings) => {
                let bindings: Vec<(String, Ty)> = bindings
                    .iter()
                    .map(|b| {
                        let ty = scope.resolve_type(&b.domain).unwrap_or(Ty::Error);
                        (b.name.text.clone(), ty)
                    })
                    .collect();
                if *kind == ItemKind::Rule {
                    scope.rules.entry(name.text.clone()).or_insert(bindings);
                } else {
                    scope.checks.entry(name.text.clone()).or_insert(bindings);
                }
            }
            Signature::Named(kind, name) => match kind {
                ItemKind::Category => {
                    if !scope.categories.contains(&name.text) {
                        scope.categories.push(name.text.clone());
                    }
                }
                ItemKind::RedFlag => {
                    scope.red_flags.insert(name.text.clone());
                }
                _ => {
                    scope.cases.insert(name.text.clone());
                }
            },
            Signature::Precedence(_) | Signature::Coexist(_) => {}
        }
    }
    scope
}
