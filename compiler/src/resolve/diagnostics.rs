//! The problems of a file found across items, not inside one: what no single item's check
//! can see.
//!
//! Codes: E0102 (a name declared twice in one namespace), E0103 (a `use` of a missing file, of
//! an absolute path or of a file outside the project, or
//! one that leads back), E0403 (a precedence cycle), E0001 (a second `protocol` header, a
//! header or `use` line after items), E0302 (more finding slots than [`MAX_FINDINGS`]),
//! E0404 (categories on one `coexist` line ordered by precedence).

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};
use std::path::PathBuf;

use sot_grammar::ast::{ItemKind, Name, Span, TypeDef};

use super::{
    file_scope, file_uses, resolve_use, signatures_with_offsets, visible_files, Namespace,
    Signature, UseEdge, ValueDef,
};
use crate::db::{chunk_parse, SourceFile, Workspace};
use crate::diagnostic::{Code, Diagnostic};
use crate::types::{vertebra_index, Ty, BUILTIN_TYPES, SIDES};

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

/// The problems of a file found across items (E0102, E0103, E0403), with file-relative spans.
#[salsa::tracked(returns(ref))]
pub fn scope_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let mut declared = Vec::new();
    let mut precedence = Vec::new();
    let mut coexist = Vec::new();
    let mut use_diagnostics = Vec::new();
    let via = use_lines_by_file(db, file);
    // The declarations are gathered (with their places) only when two may clash.
    let clash = *names_may_clash(db, file);
    for visible in visible_files(db, file) {
        let own = *visible == file;
        for (offset, signature) in signatures_with_offsets(db, *visible) {
            if clash {
                for (ns, name) in declarations(signature) {
                    declared.push(Declared {
                        ns,
                        name,
                        file: *visible,
                        via: via.get(visible).copied(),
                        offset,
                    });
                }
            }
            match signature {
                Some(Signature::Precedence(names)) => precedence.push((names.clone(), own, offset)),
                Some(Signature::Coexist(names)) if own => coexist.push((names, offset)),
                Some(Signature::Coexist(_)) => {}
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
                _ => {}
            }
        }
    }
    let mut out = use_diagnostics;
    out.extend(order_errors(db, file));
    out.extend(too_many_findings(db, file));
    out.extend(duplicates(db, &declared));
    out.extend(precedence_cycles(&precedence));
    out.extend(ordered_coexisting(&precedence, &coexist));
    out
}

/// The names a signature declares, with their namespaces (a type declares its enum values
/// too).
fn declarations(signature: &Option<Signature>) -> Vec<(Namespace, &Name)> {
    match signature {
        Some(Signature::Type(decl)) => {
            let mut names = vec![(Namespace::Type, &decl.name)];
            if let TypeDef::Enum(values) = &decl.def {
                names.extend(values.iter().map(|v| (Namespace::Value, v)));
            }
            names
        }
        Some(Signature::Indicator(name, ..)) | Some(Signature::Table(name, ..)) => {
            vec![(Namespace::Value, name)]
        }
        Some(Signature::Adjustment(name, _)) => vec![(Namespace::Adjustment, name)],
        Some(Signature::WithBindings(kind, name, _)) => vec![(
            if *kind == ItemKind::Rule {
                Namespace::Rule
            } else {
                Namespace::Check
            },
            name,
        )],
        Some(Signature::Named(kind, name)) => vec![(
            match kind {
                ItemKind::Category => Namespace::Category,
                ItemKind::RedFlag => Namespace::RedFlag,
                _ => Namespace::Case,
            },
            name,
        )],
        _ => Vec::new(),
    }
}

/// Whether a name `file` sees may be declared twice in one namespace, or as a built-in: only
/// then does [`scope_diagnostics`] place every declaration and look for clashes. It reads
/// the names alone, not where the items are, so an edit that moves items and keeps their
/// names is verified without running it again.
#[salsa::tracked]
fn names_may_clash(db: &dyn salsa::Database, file: SourceFile) -> bool {
    let mut seen: HashSet<(Namespace, &str)> = HashSet::default();
    for visible in visible_files(db, file) {
        for chunk in visible.chunks(db) {
            for signature in crate::resolve::chunk_signatures(db, *chunk) {
                for (ns, name) in declarations(signature) {
                    if is_builtin(ns, &name.text) || !seen.insert((ns, name.text.as_str())) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether `name` is a built-in of namespace `ns` (a side, a vertebra, a built-in type).
fn is_builtin(ns: Namespace, name: &str) -> bool {
    match ns {
        Namespace::Value => SIDES.contains(&name) || vertebra_index(name).is_some(),
        Namespace::Type => BUILTIN_TYPES.contains(&name),
        _ => false,
    }
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
        let builtin = is_builtin(d.ns, &d.name.text);
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

/// E0404 for each pair of categories on one of this file's `coexist` lines that the
/// precedence lines (of every visible file) order, directly or transitively.
fn ordered_coexisting(
    precedence: &[(Vec<Name>, bool, usize)],
    coexist: &[(&Vec<Name>, usize)],
) -> Vec<Diagnostic> {
    let mut edges: HashMap<&str, BTreeSet<&str>> = HashMap::default();
    for (names, _, _) in precedence {
        for pair in names.windows(2) {
            edges
                .entry(&pair[0].text)
                .or_default()
                .insert(&pair[1].text);
        }
    }
    let mut out = Vec::new();
    for (names, offset) in coexist {
        let (Some(first), Some(last)) = (names.first(), names.last()) else {
            continue;
        };
        let line = first.span.to(last.span).shift(*offset);
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                if a.text == b.text {
                    continue;
                }
                let (hi, lo) = if reaches(&edges, &a.text, &b.text) {
                    (a, b)
                } else if reaches(&edges, &b.text, &a.text) {
                    (b, a)
                } else {
                    continue;
                };
                let direct = edges
                    .get(hi.text.as_str())
                    .is_some_and(|e| e.contains(lo.text.as_str()));
                let how = if direct {
                    ""
                } else {
                    " (through other categories)"
                };
                let mut diag = Diagnostic::new(
                    Code::E0404,
                    line,
                    format!(
                        "`{}` and `{}` coexist here, but precedence puts `{}` above `{}`{how}",
                        a.text, b.text, hi.text, lo.text
                    ),
                )
                .label(format!("`{}` outranks `{}`", hi.text, lo.text))
                .help(format!(
                    "drop the precedence between `{}` and `{}`, or drop them from this `coexist` line",
                    hi.text, lo.text
                ));
                // A direct order written in this file: point at it too.
                let written =
                    precedence
                        .iter()
                        .filter(|(_, own, _)| *own)
                        .find_map(|(names, _, offset)| {
                            names
                                .windows(2)
                                .find(|p| p[0].text == hi.text && p[1].text == lo.text)
                                .map(|p| p[0].span.to(p[1].span).shift(*offset))
                        });
                if let Some(span) = written.filter(|_| direct) {
                    diag = diag.with_secondary(span, "ordered here");
                }
                out.push(diag);
            }
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
    if edge.absolute {
        return Some(
            Diagnostic::new(
                Code::E0103,
                span,
                format!("`use` of the absolute path `{}`", edge.path.display()),
            )
            .label("an absolute path")
            .help("write a path relative to this file"),
        );
    }
    if let Some(help) = Workspace::get(db).refused(db).get(&edge.path) {
        return Some(
            Diagnostic::new(
                Code::E0103,
                span,
                format!("`{}` is outside the project", edge.path.display()),
            )
            .label("outside the project")
            .help(help.clone()),
        );
    }
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
