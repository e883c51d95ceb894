//! Name resolution: item signatures, `use` between files, and the scope of names a file sees.
//!
//! The scope is built from signatures only (names, parameters, types), never from bodies, so
//! editing a rule's condition leaves every other item's check untouched.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};
use std::path::PathBuf;

use sot_grammar::ast::{self, BaseType, ItemData, ItemKind, Name, Span, TypeDef, TypeExpr};

use crate::db::{chunk_parse, normalize, Chunk, SourceFile, Workspace};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::types::{vertebra_index, EnumType, Ty, BUILTIN_TYPES, SIDES, VERTEBRAE};

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
    let path = normalize(&dir.join(path));
    UseEdge {
        target: Workspace::get(db).files(db).get(&path).copied(),
        path,
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

/// A declaration seen while building a scope: its namespace, name and where it is.
struct Declared<'a> {
    ns: Namespace,
    name: &'a Name,
    /// The file that declares it.
    file: SourceFile,
    /// The span of the scoped file's `use` through which that file is seen; `None` for the
    /// scoped file's own declarations.
    via: Option<Span>,
    offset: usize,
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
            Signature::Precedence(_) => {}
        }
    }
    scope
}

/// The problems of a file found across items (E0102, E0103, E0403), with file-relative spans.
#[salsa::tracked(returns(ref))]
pub fn scope_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let mut declared = Vec::new();
    let mut precedence = Vec::new();
    let mut use_diagnostics = Vec::new();
    let via = use_lines_by_file(db, file);
    for visible in visible_files(db, file) {
        let own = *visible == file;
        for (offset, signature) in signatures_with_offsets(db, *visible) {
            let mut declare = |ns, name| {
                declared.push(Declared {
                    ns,
                    name,
                    file: *visible,
                    via: via.get(visible).copied(),
                    offset,
                })
            };
            match signature {
                Some(Signature::Type(decl)) => {
                    declare(Namespace::Type, &decl.name);
                    if let TypeDef::Enum(values) = &decl.def {
                        values.iter().for_each(|v| declare(Namespace::Value, v));
                    }
                }
                Some(Signature::Indicator(name, ..)) | Some(Signature::Table(name, ..)) => {
                    declare(Namespace::Value, name)
                }
                Some(Signature::Adjustment(name, _)) => declare(Namespace::Adjustment, name),
                Some(Signature::WithBindings(kind, name, _)) => declare(
                    if *kind == ItemKind::Rule {
                        Namespace::Rule
                    } else {
                        Namespace::Check
                    },
                    name,
                ),
                Some(Signature::Named(kind, name)) => declare(
                    match kind {
                        ItemKind::Category => Namespace::Category,
                        ItemKind::RedFlag => Namespace::RedFlag,
                        _ => Namespace::Case,
                    },
                    name,
                ),
                Some(Signature::Precedence(names)) => precedence.push((names.clone(), own, offset)),
                Some(Signature::Use(path)) if own => {
                    let dir = file
                        .path(db)
                        .parent()
                        .map(PathBuf::from)
                        .unwrap_or_default();
                    let edge = resolve_use(db, &dir, &path.value);
                    if let Some(diag) = use_error(db, file, &edge, path.span.shift(offset)) {
                        use_diagnostics.push(diag);
                    }
                }
                Some(Signature::Use(_)) | None => {}
            }
        }
    }
    let mut out = use_diagnostics;
    out.extend(order_errors(db, file));
    out.extend(too_many_findings(db, file));
    out.extend(duplicates(db, &declared));
    out.extend(precedence_cycles(&precedence));
    out
}

/// The most finding slots (one per indicator and parameter combination) a protocol may
/// have, with the files it uses: each visit keeps one per slot.
pub const MAX_FINDINGS: u64 = 10_000_000;

/// E0302 on the indicator of this file that takes the protocol past [`MAX_FINDINGS`].
fn too_many_findings(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let scope = file_scope(db, file);
    let slots = |params: &[(String, Ty)]| {
        params.iter().fold(1u64, |acc, (_, ty)| {
            acc.saturating_mul(crate::types::domain_size(ty, scope.categories.len()).unwrap_or(1))
        })
    };
    // The common case, without walking the items: the whole scope is under the limit.
    let all: u64 = scope
        .values
        .values()
        .filter_map(|v| match v {
            ValueDef::Indicator(params, _) => Some(slots(params)),
            _ => None,
        })
        .fold(0u64, u64::saturating_add);
    if all <= MAX_FINDINGS {
        return Vec::new();
    }
    let mut total = 0u64;
    for visible in visible_files(db, file) {
        for (offset, signature) in signatures_with_offsets(db, *visible) {
            let Some(Signature::Indicator(name, ..)) = signature else {
                continue;
            };
            let Some(ValueDef::Indicator(params, _)) = scope.values.get(&name.text) else {
                continue;
            };
            let slots = params.iter().fold(1u64, |acc, (_, ty)| {
                acc.saturating_mul(
                    crate::types::domain_size(ty, scope.categories.len()).unwrap_or(1),
                )
            });
            total = total.saturating_add(slots);
            if total > MAX_FINDINGS {
                if *visible != file {
                    return Vec::new();
                }
                return vec![Diagnostic::new(
                    Code::E0302,
                    name.span.shift(offset),
                    format!(
                        "with `{}`, the protocol has more than {MAX_FINDINGS} findings",
                        name.text
                    ),
                )
                .label("one finding per indicator and parameter combination")
                .help("narrow the parameter ranges of the parametric indicators")];
            }
        }
    }
    Vec::new()
}

/// E0001 for a second `protocol` header, a header after other items, or a `use` after items
/// (LANGUAGE.md §3: header, then `use` lines, then items).
fn order_errors(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (mut seen_header, mut seen_use, mut seen_item) = (false, false, false);
    // Only headers and `use` lines are looked at closely (their syntax trees are read).
    let items = file.chunks(db).iter().flat_map(|chunk| {
        let base = chunk.offset(db);
        chunk
            .items(db)
            .iter()
            .enumerate()
            .map(move |(i, head)| (*chunk, i, head.kind, base + head.start))
    });
    for (chunk, index, kind, offset) in items {
        let Some(kind) = kind else { continue };
        if !matches!(kind, ItemKind::Header | ItemKind::Use) {
            seen_item = true;
            continue;
        }
        let Some(parsed) = chunk_parse(db, chunk)
            .get(index)
            .and_then(|p| p.item.as_ref())
        else {
            seen_item |= !matches!(kind, ItemKind::Header | ItemKind::Use);
            continue;
        };
        let span = Span::new(
            parsed.span.start as usize,
            parsed.span.start as usize + kind.keyword().len(),
        )
        .shift(offset);
        match kind {
            ItemKind::Header if seen_header => out.push(
                Diagnostic::new(Code::E0001, span, "a second `protocol` header")
                    .label("a file has one header")
                    .help("remove this header, or move these items into a file of their own"),
            ),
            ItemKind::Header if seen_use || seen_item => out.push(
                Diagnostic::new(Code::E0001, span, "the `protocol` header must come first")
                    .help("move this line to the top of the file"),
            ),
            ItemKind::Use if seen_item => out.push(
                Diagnostic::new(Code::E0001, span, "`use` lines come before the items")
                    .help("move this `use` line up, under the `protocol` header"),
            ),
            _ => {}
        }
        match kind {
            ItemKind::Header => seen_header = true,
            ItemKind::Use => seen_use = true,
            _ => seen_item = true,
        }
    }
    out
}

/// For each file a file sees through `use`, the span of its own `use` line that first
/// reaches it.
fn use_lines_by_file(db: &dyn salsa::Database, file: SourceFile) -> HashMap<SourceFile, Span> {
    let mut via = HashMap::default();
    if file_uses(db, file).is_empty() {
        return via;
    }
    let dir = file
        .path(db)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    for (offset, signature) in signatures_with_offsets(db, file) {
        let Some(Signature::Use(path)) = signature else {
            continue;
        };
        let Some(target) = resolve_use(db, &dir, &path.value).target else {
            continue;
        };
        let span = path.span.shift(offset);
        for seen in visible_files(db, target) {
            if *seen != file {
                via.entry(*seen).or_insert(span);
            }
        }
    }
    via
}

/// E0102 for every second declaration of a name in one namespace (built-ins count as first).
/// A clash inside a used file is that file's to report; a clash between two used files that
/// do not see each other is reported on the `use` line that brings in the second.
fn duplicates(db: &dyn salsa::Database, declared: &[Declared]) -> Vec<Diagnostic> {
    let mut first: HashMap<(Namespace, &str), &Declared> = HashMap::default();
    let mut out = Vec::new();
    for d in declared {
        let builtin = match d.ns {
            Namespace::Value => {
                SIDES.contains(&d.name.text.as_str()) || vertebra_index(&d.name.text).is_some()
            }
            Namespace::Type => BUILTIN_TYPES.contains(&d.name.text.as_str()),
            _ => false,
        };
        let span = d.name.span.shift(d.offset);
        if builtin {
            if d.via.is_none() {
                out.push(
                    Diagnostic::new(
                        Code::E0102,
                        span,
                        format!("`{}` is already a built-in name", d.name.text),
                    )
                    .label("clashes with the built-in")
                    .help("choose another name"),
                );
            }
            continue;
        }
        let Some(earlier) = first.get(&(d.ns, d.name.text.as_str())) else {
            first.insert((d.ns, d.name.text.as_str()), d);
            continue;
        };
        let help = match d.ns {
            Namespace::Value => {
                "indicators, tables and enum values share one namespace; rename one of them"
            }
            _ => "rename one of them",
        };
        match (d.via, earlier.via) {
            (None, earlier_via) => {
                let mut diag = Diagnostic::new(
                    Code::E0102,
                    span,
                    format!("`{}` is declared twice", d.name.text),
                )
                .label("declared again here")
                .help(help);
                diag = match earlier_via {
                    None => diag.with_secondary(
                        earlier.name.span.shift(earlier.offset),
                        "first declared here",
                    ),
                    Some(use_span) => diag.with_secondary(
                        use_span,
                        format!("first declared in {}", file_name(db, earlier.file)),
                    ),
                };
                out.push(diag);
            }
            // Through one `use` line, the used file (or one it uses) reports the clash.
            (Some(use_span), Some(earlier_use))
                if d.file != earlier.file && use_span != earlier_use =>
            {
                let sees = |a: SourceFile, b: SourceFile| visible_files(db, a).contains(&b);
                if !sees(d.file, earlier.file) && !sees(earlier.file, d.file) {
                    out.push(
                        Diagnostic::new(
                            Code::E0102,
                            use_span,
                            format!(
                                "`{}` is declared both in {} and in {}",
                                d.name.text,
                                file_name(db, earlier.file),
                                file_name(db, d.file)
                            ),
                        )
                        .label(format!("brings in the second `{}`", d.name.text))
                        .help(help),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// E0403 for each precedence line of this file that would close a cycle.
fn precedence_cycles(lines: &[(Vec<Name>, bool, usize)]) -> Vec<Diagnostic> {
    let mut edges: HashMap<&str, BTreeSet<&str>> = HashMap::default();
    let mut out = Vec::new();
    for (names, own, offset) in lines {
        for pair in names.windows(2) {
            let (hi, lo) = (&pair[0], &pair[1]);
            if reaches(&edges, &lo.text, &hi.text) {
                if *own {
                    out.push(
                        Diagnostic::new(
                            Code::E0403,
                            hi.span.to(lo.span).shift(*offset),
                            format!(
                                "precedence cycle: `{}` already outranks `{}`",
                                lo.text, hi.text
                            ),
                        )
                        .label("this closes a cycle")
                        .help("remove one of the precedence orders so that they form no cycle"),
                    );
                }
                continue;
            }
            edges.entry(&hi.text).or_default().insert(&lo.text);
        }
    }
    out
}

/// Whether `from` reaches `to` (or is it) along the edges.
fn reaches(edges: &HashMap<&str, BTreeSet<&str>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = HashSet::default();
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n) {
            stack.extend(edges.get(n).into_iter().flatten().copied());
        }
    }
    false
}

/// E0103 when a `use` of `file` names a missing file or leads back to `file`.
fn use_error(
    db: &dyn salsa::Database,
    file: SourceFile,
    edge: &UseEdge,
    span: Span,
) -> Option<Diagnostic> {
    let Some(target) = edge.target else {
        return Some(
            Diagnostic::new(
                Code::E0103,
                span,
                format!("cannot find `{}`", edge.path.display()),
            )
            .label("no such file")
            .help("`use` paths are relative to the file that has the `use`"),
        );
    };
    let path = path_back(db, target, file)?;
    let chain: Vec<String> = std::iter::once(file)
        .chain(path)
        .map(|f| file_name(db, f))
        .collect();
    Some(
        Diagnostic::new(
            Code::E0103,
            span,
            format!("import cycle: {}", chain.join(" → ")),
        )
        .label("this `use` leads back to this file")
        .help("move what both files need into a third file that both `use`"),
    )
}

fn file_name(db: &dyn salsa::Database, file: SourceFile) -> String {
    file.path(db)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The files from `from` to `to` along `use` edges (both included), if `to` is reachable.
fn path_back(
    db: &dyn salsa::Database,
    from: SourceFile,
    to: SourceFile,
) -> Option<Vec<SourceFile>> {
    let mut parent: HashMap<SourceFile, SourceFile> = HashMap::default();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut seen = HashSet::from_iter([from]);
    while let Some(current) = queue.pop_front() {
        if current == to {
            let mut path = vec![to];
            let mut at = to;
            while let Some(p) = parent.get(&at) {
                path.push(*p);
                at = *p;
            }
            path.reverse();
            return Some(path);
        }
        for edge in file_uses(db, current) {
            if let Some(next) = edge.target {
                if seen.insert(next) {
                    parent.insert(next, current);
                    queue.push_back(next);
                }
            }
        }
    }
    None
}
