//! Type checking of one item against its file's scope, and the file's diagnostics.
//!
//! `check_item` reads only its own syntax tree and the scope (built from signatures), so an
//! edit to one item re-checks that item alone.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};

use sot_grammar::ast::{
    self, Arg, Call, CmpOp, Expr, ExprKind, Finding, ItemData, Literal, LiteralKind, LogicOp,
    Phase, Quantifier, Span, TypeDef, TypeExpr,
};
use sot_grammar::{format_call, format_expr, ParsedItem, SyntaxError, SyntaxErrorKind};

use crate::db::{chunk_parse, Chunk, Item, SourceFile, Workspace};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::resolve::{
    file_scope, range_type, scope_diagnostics, visible_files, Namespace, Scope, Signature, ValueDef,
};
use crate::types::{dimension, to_base, vertebra_index, vertebra_name, Ty};

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

pub(crate) fn syntax_diagnostic(error: &SyntaxError) -> Diagnostic {
    let code = match error.kind {
        SyntaxErrorKind::Syntax => Code::E0001,
        SyntaxErrorKind::MixedAndOr => Code::E0305,
    };
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

/// Every name used by the items of a file.
#[salsa::tracked(returns(ref))]
fn file_references(db: &dyn salsa::Database, file: SourceFile) -> HashSet<(Namespace, String)> {
    file.chunks(db)
        .iter()
        .flat_map(|chunk| chunk_references(db, *chunk).iter().cloned())
        .collect()
}

/// The names used by any file that sees `file` (itself included), one set per file: what
/// `file` declares and nobody of these uses is unused. `None` when one of those files has an
/// item that could not be parsed: its uses are unknown, so nothing can be called unused.
fn references_seeing(
    db: &dyn salsa::Database,
    file: SourceFile,
) -> Option<Vec<&HashSet<(Namespace, String)>>> {
    let mut used = Vec::new();
    for other in Workspace::get(db).files(db).values() {
        if *other == file || visible_files(db, *other).contains(&file) {
            let unparsed = !other.chunks(db).iter().all(|c| *chunk_parsed(db, *c));
            if unparsed {
                return None;
            }
            used.push(file_references(db, *other));
        }
    }
    Some(used)
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
    let used = references_seeing(db, file);
    let items = file.chunks(db).iter().flat_map(|chunk| {
        let base = chunk.offset(db);
        let checks = chunk_check(db, *chunk).iter();
        let signatures = crate::resolve::chunk_signatures(db, *chunk).iter();
        let starts = chunk.items(db).iter().map(move |h| base + h.start);
        starts.zip(checks).zip(signatures)
    });
    for ((offset, check), signature) in items {
        out.extend(check.diagnostics.iter().map(|d| d.clone().shifted(offset)));
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
            let span = name.span.shift(offset);
            let key = (ns, name.text.clone());
            let unused = used
                .as_ref()
                .is_some_and(|used| !used.iter().any(|set| set.contains(&key)));
            if unused && !duplicates.contains(&span) {
                out.push(
                    Diagnostic::new(
                        Code::W0604,
                        span,
                        format!("{what} `{}` is never used", name.text),
                    )
                    .label(format!("declared here, used by no {}", use_sites(what)))
                    .help(format!(
                        "remove the {what} if the protocol does not need it"
                    )),
                );
            }
        }
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

/// The most parameter combinations of one indicator or table, or bindings of one rule or
/// check (each is kept in memory: a finding slot, a table entry, a rule instance).
const MAX_COMBINATIONS: u64 = 100_000;

/// A finding's identity in a block: the indicator and its arguments (`_` for wildcards).
type FindingKey = (String, Vec<String>);

/// A problem with a literal value against a type; the caller picks the code.
enum ValueProblem {
    /// Wrong kind of value (E0301).
    Mismatch(String),
    /// Out of range or not a member (E0302).
    Outside(String),
    /// Unit missing or of another dimension (E0303).
    Unit(String),
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
            ItemData::RedFlag(r) => self.condition(&r.when),
            ItemData::Rule(r) => self.rule(r),
            ItemData::Check(c) => self.check(c),
            ItemData::Case(c) => {
                // A case mentions indicators and adjustments; only the protocol uses them.
                self.counting_uses = false;
                self.case(c);
            }
        }
    }

    // ----- declarations -----------------------------------------------------------------

    fn ty(&mut self, ty: &TypeExpr) -> Ty {
        if let ast::BaseType::Named(name) = &ty.base {
            self.uses(Namespace::Type, &name.text);
        }
        match self.scope.resolve_type(ty) {
            Ok(t) => t,
            Err(d) => {
                self.report(d);
                Ty::Error
            }
        }
    }

    fn finite_ty(&mut self, ty: &TypeExpr, what: &str) -> Ty {
        let t = self.ty(ty);
        if !t.is_finite() {
            self.report(
                Diagnostic::new(
                    Code::E0301,
                    ty.span,
                    format!("{what} must have a finite type, not {t}"),
                )
                .label("infinitely many values")
                .help(
                    "use bool, an enum, an integer range (`1..7`) or a vertebra range (`T1..L5`)",
                ),
            );
        }
        t
    }

    fn params(&mut self, params: &[ast::Param]) -> Vec<(String, Ty)> {
        params
            .iter()
            .map(|p| {
                let what = format!("parameter `{}`", p.name.text);
                (p.name.text.clone(), self.finite_ty(&p.ty, &what))
            })
            .collect()
    }

    fn bindings(&mut self, bindings: &[ast::Binding]) {
        let mut domains = Vec::new();
        for b in bindings {
            let what = format!("`for {}`", b.name.text);
            let t = self.finite_ty(&b.domain, &what);
            domains.push((b.name.text.clone(), t.clone()));
            self.locals.push((b.name.text.clone(), t));
        }
        if let (Some(first), Some(last)) = (bindings.first(), bindings.last()) {
            let span = first.name.span.to(last.domain.span);
            self.limit_combinations(&domains, span, "bindings");
        }
    }

    /// E0302 when the combinations of finite parameters exceed [`MAX_COMBINATIONS`]: each
    /// is a finding, a table entry or a rule instance that `sot` keeps in memory.
    fn limit_combinations(&mut self, params: &[(String, Ty)], span: Span, what: &str) {
        let count = params.iter().try_fold(1u64, |acc, (_, ty)| {
            let size = self.domain_size(ty)?;
            Some(acc.saturating_mul(size))
        });
        if let Some(count) = count.filter(|c| *c > MAX_COMBINATIONS) {
            self.report(
                Diagnostic::new(
                    Code::E0302,
                    span,
                    format!("{count} {what}: more than {MAX_COMBINATIONS}"),
                )
                .label("too many combinations")
                .help("narrow the parameter ranges; a protocol needs far fewer"),
            );
        }
    }

    /// How many values a finite type has.
    fn domain_size(&self, ty: &Ty) -> Option<u64> {
        crate::types::domain_size(ty, self.scope.categories.len())
    }

    fn table(&mut self, t: &ast::Table) {
        let params = self.params(&t.params);
        self.limit_combinations(&params, t.name.span, "table keys");
        let value_ty = self.ty(&t.ty);
        let mut seen: HashMap<Vec<String>, Span> = HashMap::default();
        let mut has_default = false;
        for entry in &t.entries {
            let key = match &entry.key {
                None => {
                    if has_default {
                        self.report(
                            Diagnostic::new(
                                Code::E0402,
                                entry.key_span,
                                "a second default entry `_`",
                            )
                            .help("keep one `_ =>` entry"),
                        );
                    }
                    has_default = true;
                    None
                }
                Some(values) if values.len() != params.len() => {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            entry.key_span,
                            format!(
                                "this key has {} value(s), but `{}` has {} parameter(s)",
                                values.len(),
                                t.name.text,
                                params.len()
                            ),
                        )
                        .help("write one value per parameter, as a tuple `(a, b)` when there are several"),
                    );
                    None
                }
                Some(values) => {
                    let mut ok = true;
                    for (value, (_, ty)) in values.iter().zip(&params) {
                        ok &= self.literal_in(value, ty, None);
                    }
                    ok.then(|| values.iter().map(canonical).collect::<Vec<_>>())
                }
            };
            if let Some(key) = key {
                if let Some(first) = seen.get(&key) {
                    let first = *first;
                    self.report(
                        Diagnostic::new(
                            Code::E0402,
                            entry.key_span,
                            format!(
                                "duplicate key {} in table `{}`",
                                key.join(", "),
                                t.name.text
                            ),
                        )
                        .label("this key again")
                        .with_secondary(first, "first entry for this key")
                        .help("remove one of the two entries"),
                    );
                } else {
                    seen.insert(key, entry.key_span);
                }
            }
            self.literal_in(&entry.value, &value_ty, None);
        }
        if !has_default {
            self.table_totality(t, &params, &seen);
        }
    }

    fn table_totality(
        &mut self,
        t: &ast::Table,
        params: &[(String, Ty)],
        seen: &HashMap<Vec<String>, Span>,
    ) {
        let domains: Option<Vec<Vec<String>>> = params
            .iter()
            .map(|(_, ty)| self.domain_values(ty))
            .collect();
        let Some(domains) = domains else { return };
        let total = domains
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(d.len()));
        if total.is_none_or(|n| n > 1_000_000) {
            return;
        }
        let mut missing = Vec::new();
        let mut missing_count = 0usize;
        let mut index = vec![0usize; domains.len()];
        if domains.iter().all(|d| !d.is_empty()) {
            loop {
                let key: Vec<String> = index
                    .iter()
                    .zip(&domains)
                    .map(|(i, d)| d[*i].clone())
                    .collect();
                if !seen.contains_key(&key) {
                    missing_count += 1;
                    if missing.len() < 8 {
                        missing.push(if key.len() == 1 {
                            key[0].clone()
                        } else {
                            format!("({})", key.join(", "))
                        });
                    }
                }
                // Next combination, odometer style.
                let mut pos = domains.len();
                loop {
                    if pos == 0 {
                        break;
                    }
                    pos -= 1;
                    index[pos] += 1;
                    if index[pos] < domains[pos].len() {
                        break;
                    }
                    index[pos] = 0;
                    if pos == 0 {
                        pos = usize::MAX;
                        break;
                    }
                }
                if pos == usize::MAX || domains.is_empty() {
                    break;
                }
            }
        }
        if missing_count > 0 {
            let more = if missing_count > missing.len() {
                format!(" and {} more", missing_count - missing.len())
            } else {
                String::new()
            };
            self.report(
                Diagnostic::new(
                    Code::E0401,
                    t.name.span,
                    format!(
                        "table `{}` has no entry for {}{more}",
                        t.name.text,
                        missing.join(", ")
                    ),
                )
                .label("not total")
                .help("add entries for the missing keys, or a default entry `_ => …`"),
            );
        }
    }

    /// Every value of a finite type, in canonical form; `None` when not finite.
    fn domain_values(&self, ty: &Ty) -> Option<Vec<String>> {
        Some(match ty {
            Ty::Bool => vec!["yes".into(), "no".into()],
            Ty::Side => vec!["left".into(), "right".into()],
            Ty::Category => self.scope.categories.clone(),
            Ty::Enum(e) => e.values.to_vec(),
            Ty::Vertebra(lo, hi) => (*lo..=*hi).map(|v| vertebra_name(v).to_string()).collect(),
            Ty::Int(lo, hi) if hi.saturating_sub(*lo) < 100_000 => {
                (*lo..=*hi).map(|v| v.to_string()).collect()
            }
            Ty::Optional(inner) => {
                let mut values = self.domain_values(inner)?;
                values.push("none".into());
                values
            }
            _ => return None,
        })
    }

    // ----- rules, checks ------------------------------------------------------------------

    fn rule(&mut self, r: &ast::Rule) {
        if let Some(category) = &r.in_category {
            if !self.scope.categories.contains(&category.text) {
                let d = self
                    .scope
                    .unknown(Namespace::Category, "category", category);
                self.report(d);
            }
        }
        self.bindings(&r.bindings);
        self.condition(&r.when);
        let keys = non_none_keys(&r.when);
        let depth = self.narrowed.len();
        self.narrowed.extend(keys);
        if let Some(unless) = &r.unless {
            self.condition(unless);
        }
        for call in &r.then {
            self.adjustment_call(call, Code::E0101, true);
        }
        self.narrowed.truncate(depth);
    }

    fn check(&mut self, c: &ast::Check) {
        if let Some(adj) = &c.after {
            if !self.scope.adjustments.contains_key(&adj.text) {
                let d = self.scope.unknown(Namespace::Adjustment, "adjustment", adj);
                self.report(d);
            }
        }
        self.bindings(&c.bindings);
        self.in_check = true;
        self.condition(&c.need);
        self.condition(&c.complete);
        if let Some(m) = &c.marginal {
            self.condition(m);
        }
        self.in_check = false;
    }

    /// An adjustment call in `then` (`unknown` is E0101), `given` (E0101) or `expect`
    /// (E0502); only a rule's `then` counts as a use.
    fn adjustment_call(&mut self, call: &Call, unknown: Code, is_use: bool) {
        let Some(params) = self.scope.adjustments.get(&call.name.text) else {
            let mut d = self
                .scope
                .unknown(Namespace::Adjustment, "adjustment", &call.name);
            d.code = unknown;
            self.report(d);
            if let Some(args) = &call.args {
                for arg in args {
                    self.expr(&arg.value);
                }
            }
            return;
        };
        if is_use {
            self.uses(Namespace::Adjustment, &call.name.text);
        }
        let params = params.clone();
        match &call.args {
            None if !params.is_empty() && unknown == Code::E0101 => {
                self.report(missing_args(call, &params, "adjustment"));
            }
            None => {}
            Some(args) => self.args(call, &params, args, "adjustment"),
        }
    }

    // ----- cases ---------------------------------------------------------------------------

    fn case(&mut self, c: &ast::Case) {
        let mut previous: Option<i64> = None;
        for visit in &c.visits {
            if let Some(p) = previous {
                if visit.number <= p {
                    self.report(
                        Diagnostic::new(
                            Code::E0501,
                            visit.number_span,
                            format!("visit {} comes after visit {p}", visit.number),
                        )
                        .label("visit numbers must increase")
                        .help(format!("number this visit {} or more", p + 1)),
                    );
                }
            }
            previous = Some(visit.number);
            self.findings(&visit.findings);
            if let Some(after) = &visit.after {
                self.findings(after);
            }
            for call in visit.given.iter().flatten() {
                self.adjustment_call(call, Code::E0101, false);
            }
            for expect in &visit.expects {
                self.expect(expect);
            }
        }
    }

    fn findings(&mut self, findings: &[Finding]) {
        // (indicator, arguments with `_`) → (where, the value found).
        let mut seen: HashMap<FindingKey, (Span, String)> = HashMap::default();
        for f in findings {
            let Some(ValueDef::Indicator(params, ty)) = self.scope.values.get(&f.indicator.text)
            else {
                let indicators = self.scope.values.iter().filter_map(|(n, d)| {
                    matches!(d, ValueDef::Indicator(..)).then_some(n.as_str())
                });
                self.report(
                    Diagnostic::new(
                        Code::E0501,
                        f.indicator.span,
                        format!("finding for an unknown indicator `{}`", f.indicator.text),
                    )
                    .label("no indicator is named so")
                    .maybe_help(did_you_mean(&f.indicator.text, indicators)),
                );
                continue;
            };
            let (params, ty) = (params.clone(), ty.clone());
            let mut key_args = Vec::new();
            let mut ok = true;
            if params.is_empty() && !f.args.is_empty() {
                self.report(
                    Diagnostic::new(
                        Code::E0201,
                        f.args[0].span.to(f.args[f.args.len() - 1].span),
                        format!("`{}` takes no arguments", f.indicator.text),
                    )
                    .help(format!("write `{} = …`", f.indicator.text)),
                );
                ok = false;
            } else if !params.is_empty() && f.args.is_empty() {
                let example: Vec<String> = params.iter().map(|(n, _)| format!("{n}: _")).collect();
                self.report(
                    Diagnostic::new(
                        Code::E0501,
                        f.indicator.span,
                        format!(
                            "`{}` has parameters: say which finding this is",
                            f.indicator.text
                        ),
                    )
                    .help(format!(
                        "write `{}({}) = …` for every combination, or name the values",
                        f.indicator.text,
                        example.join(", ")
                    )),
                );
                ok = false;
            } else if !params.is_empty() {
                match self.finding_args(f, &params) {
                    Some(args) => key_args = args,
                    None => ok = false,
                }
            }
            if let Err(problem) = self.value_in(&f.value, &ty) {
                let message = match problem {
                    ValueProblem::Mismatch(m)
                    | ValueProblem::Outside(m)
                    | ValueProblem::Unit(m) => m,
                };
                self.report(
                    Diagnostic::new(Code::E0501, f.value.span, message)
                        .label(format!("`{}` is {ty}", f.indicator.text))
                        .help(value_help(&ty)),
                );
            }
            if ok {
                let key = (f.indicator.text.clone(), key_args);
                if let Some((first, _)) = seen.get(&key) {
                    let first = *first;
                    self.report(
                        Diagnostic::new(Code::E0501, f.span, "the same finding twice")
                            .label("given again here")
                            .with_secondary(first, "first given here")
                            .help("keep one of the two findings"),
                    );
                } else {
                    seen.insert(key, (f.span, canonical(&f.value)));
                }
            }
        }
        self.wildcard_ties(&seen);
    }

    /// E0501 when two findings with as many `_` and different values both cover a
    /// combination that no more exact finding covers: which value holds there would be a guess.
    fn wildcard_ties(&mut self, seen: &HashMap<FindingKey, (Span, String)>) {
        let mut patterns: Vec<(&FindingKey, &(Span, String))> = seen
            .iter()
            .filter(|((_, args), _)| args.iter().any(|a| a == "_"))
            .collect();
        patterns.sort_by_key(|(_, (span, _))| span.start);
        let stars = |args: &[String]| args.iter().filter(|a| *a == "_").count();
        for (i, ((name, a), (a_span, a_value))) in patterns.iter().enumerate() {
            for ((other, b), (b_span, b_value)) in &patterns[..i] {
                if name != other || stars(a) != stars(b) || a_value == b_value {
                    continue;
                }
                // The combinations both cover: at each position `_` on both, or one value.
                let Some(meet) = a
                    .iter()
                    .zip(b.iter())
                    .map(|(x, y)| match (x.as_str(), y.as_str()) {
                        ("_", _) => Some(y.clone()),
                        (_, "_") => Some(x.clone()),
                        _ if x == y => Some(x.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()
                else {
                    continue;
                };
                let Some(uncovered) = self.uncovered(name, &meet, stars(a), seen) else {
                    continue;
                };
                self.report(
                    Diagnostic::new(
                        Code::E0501,
                        *a_span,
                        format!(
                            "this finding and an earlier one both cover {name}({}) with different values",
                            uncovered.join(", ")
                        ),
                    )
                    .label("as many `_` as the other: neither is more exact")
                    .with_secondary(*b_span, "the earlier finding")
                    .help(format!(
                        "add the exact finding `{name}({}) = …`",
                        uncovered.join(", ")
                    )),
                );
            }
        }
    }

    /// A combination of `meet` (a pattern) that no finding with fewer than `stars` `_`
    /// covers, if there is one.
    fn uncovered(
        &self,
        name: &str,
        meet: &[String],
        stars: usize,
        seen: &HashMap<FindingKey, (Span, String)>,
    ) -> Option<Vec<String>> {
        let exact: Vec<&Vec<String>> = seen
            .keys()
            .filter(|(n, c)| n == name && c.iter().filter(|a| *a == "_").count() < stars)
            .map(|(_, c)| c)
            .collect();
        let covers = |combo: &[String]| {
            exact
                .iter()
                .any(|c| c.iter().zip(combo).all(|(c, v)| c == "_" || c == v))
        };
        let Some(ValueDef::Indicator(params, _)) = self.scope.values.get(name) else {
            return Some(meet.to_vec());
        };
        // Every combination the meet stands for (bounded; beyond, the meet itself is named).
        let mut combos: Vec<Vec<String>> = vec![Vec::new()];
        for (value, (_, ty)) in meet.iter().zip(params) {
            let values = match value.as_str() {
                "_" => self.domain_values(ty).unwrap_or_default(),
                v => vec![v.to_string()],
            };
            combos = combos
                .into_iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut next = prefix.clone();
                        next.push(v.clone());
                        next
                    })
                })
                .collect();
            if combos.len() > 10_000 {
                return (!covers(meet)).then(|| meet.to_vec());
            }
        }
        combos.into_iter().find(|combo| !covers(combo))
    }

    /// The canonical arguments of a parametric finding (`_` for wildcards), or `None` after
    /// reporting a problem.
    fn finding_args(&mut self, f: &Finding, params: &[(String, Ty)]) -> Option<Vec<String>> {
        let labelled = f.args.iter().filter(|a| a.label.is_some()).count();
        let whole = f.args[0].span.to(f.args[f.args.len() - 1].span);
        if labelled != 0 && labelled != f.args.len() {
            self.report(mixed_args(whole));
            return None;
        }
        let mut ordered: Vec<Option<&ast::FindingArg>> = vec![None; params.len()];
        if labelled == 0 {
            if f.args.len() != params.len() {
                self.report(arg_count(whole, &f.indicator.text, params, f.args.len()));
                return None;
            }
            for (slot, arg) in ordered.iter_mut().zip(&f.args) {
                *slot = Some(arg);
            }
        } else {
            for arg in &f.args {
                let label = arg.label.as_ref()?;
                match params.iter().position(|(n, _)| *n == label.text) {
                    Some(i) if ordered[i].is_none() => ordered[i] = Some(arg),
                    Some(_) => {
                        self.report(Diagnostic::new(
                            Code::E0201,
                            label.span,
                            format!("`{}` is given twice", label.text),
                        ));
                        return None;
                    }
                    None => {
                        self.report(unknown_param(label, &f.indicator.text, params));
                        return None;
                    }
                }
            }
        }
        let mut key = Vec::new();
        for ((name, ty), arg) in params.iter().zip(ordered) {
            let Some(arg) = arg else {
                self.report(
                    Diagnostic::new(Code::E0201, whole, format!("missing argument `{name}`"))
                        .help(format!("add `{name}: …` (or `{name}: _` for every value)")),
                );
                return None;
            };
            match &arg.value {
                None => key.push("_".to_string()),
                Some(value) => {
                    if let Err(problem) = self.value_in(value, ty) {
                        let message = match problem {
                            ValueProblem::Mismatch(m)
                            | ValueProblem::Outside(m)
                            | ValueProblem::Unit(m) => m,
                        };
                        self.report(
                            Diagnostic::new(Code::E0501, value.span, message)
                                .label(format!("`{name}` is {ty}")),
                        );
                        return None;
                    }
                    key.push(canonical(value));
                }
            }
        }
        Some(key)
    }

    fn expect(&mut self, e: &ast::Expect) {
        use ast::ExpectKind as K;
        let missing = |what: &str, name: &ast::Name, candidates: Vec<&str>| {
            Diagnostic::new(
                Code::E0502,
                name.span,
                format!("`expect` names {what} `{}` that does not exist", name.text),
            )
            .label(format!("no {what} is named so"))
            .maybe_help(did_you_mean(&name.text, candidates))
        };
        match &e.kind {
            K::Category(Some(name)) if !self.scope.categories.contains(&name.text) => {
                let d = missing("category", name, self.scope.names(Namespace::Category));
                self.report(d);
            }
            K::RedFlag(name) if !self.scope.red_flags.contains(&name.text) => {
                let d = missing("red flag", name, self.scope.names(Namespace::RedFlag));
                self.report(d);
            }
            K::Adjustment(call) | K::NoAdjustment(call) => {
                self.adjustment_call(call, Code::E0502, false);
            }
            K::Check {
                name,
                args,
                outcome,
            } => {
                const OUTCOMES: [&str; 6] = [
                    "not_needed",
                    "complete",
                    "marginal",
                    "ineffective",
                    "unknown",
                    "not_applicable",
                ];
                match self.scope.checks.get(&name.text).cloned() {
                    None => {
                        let d = missing("check", name, self.scope.names(Namespace::Check));
                        self.report(d);
                    }
                    Some(bindings) => {
                        self.binding_args(name, &bindings, args.as_deref(), "check", &outcome.text)
                    }
                }
                if !OUTCOMES.contains(&outcome.text.as_str()) {
                    self.report(
                        Diagnostic::new(
                            Code::E0502,
                            outcome.span,
                            format!("unknown check outcome `{}`", outcome.text),
                        )
                        .help(format!(
                            "write one of {}",
                            OUTCOMES.map(|o| format!("`{o}`")).join(", ")
                        )),
                    );
                }
            }
            K::Withheld { name, args } => match self.scope.rules.get(&name.text).cloned() {
                None => {
                    let d = missing("rule", name, self.scope.names(Namespace::Rule));
                    self.report(d);
                }
                Some(bindings) => {
                    if let Some(args) = args {
                        let call = Call {
                            name: name.clone(),
                            args: None,
                            span: name.span,
                        };
                        self.args(&call, &bindings, args, "rule");
                    }
                }
            },
            _ => {}
        }
    }

    /// The binding of a check named in `expect check name(binding) outcome`.
    fn binding_args(
        &mut self,
        name: &ast::Name,
        bindings: &[(String, Ty)],
        args: Option<&[Arg]>,
        what: &str,
        outcome: &str,
    ) {
        match args {
            None if !bindings.is_empty() => {
                let example: Vec<String> =
                    bindings.iter().map(|(n, _)| format!("{n}: …")).collect();
                self.report(
                    Diagnostic::new(
                        Code::E0502,
                        name.span,
                        format!(
                            "{what} `{}` has `for {}`: name the binding",
                            name.text,
                            bindings
                                .iter()
                                .map(|(n, _)| n.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .help(format!(
                        "write `expect check {}({}) {outcome}`",
                        name.text,
                        example.join(", ")
                    )),
                );
            }
            None => {}
            Some(args) => {
                let call = Call {
                    name: name.clone(),
                    args: None,
                    span: name.span,
                };
                self.args(&call, bindings, args, what);
            }
        }
    }

    // ----- expressions ----------------------------------------------------------------------

    /// An expression that must be yes/no.
    fn condition(&mut self, e: &Expr) {
        let t = self.expr(e);
        match t {
            Ty::Bool | Ty::Error => {}
            Ty::Optional(inner) if *inner == Ty::Bool => {
                let shown = format_expr(e);
                self.report(
                    Diagnostic::new(Code::E0304, e.span, format!("`{shown}` may be none"))
                        .label("optional yes/no used as a condition")
                        .help(format!(
                            "add `{shown} != none and …`, or compare: `{shown} == yes`"
                        )),
                );
            }
            other => self.report(
                Diagnostic::new(
                    Code::E0301,
                    e.span,
                    format!("a condition must be yes or no, but this is {other}"),
                )
                .label("not a condition")
                .help("compare it with a value, e.g. `x == …` or `x >= …`"),
            ),
        }
    }

    fn expr(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Literal(l) => literal_ty(l),
            ExprKind::Ref(call) => self.reference(call),
            ExprKind::Phase(phase, call) => {
                if !self.in_check {
                    let word = match phase {
                        Phase::Before => "before",
                        Phase::After => "after",
                    };
                    self.report(
                        Diagnostic::new(
                            Code::E0307,
                            e.span,
                            format!("`{word}.` can only be used in a check"),
                        )
                        .help(format!("write `{}` here", format_call(call))),
                    );
                }
                self.phase = Some(*phase);
                let t = self.reference(call);
                self.phase = None;
                t
            }
            ExprKind::Not(inner) => {
                self.condition(inner);
                Ty::Bool
            }
            ExprKind::Logic(op, items) => {
                let depth = self.narrowed.len();
                if *op == LogicOp::And {
                    let keys: Vec<String> = items.iter().flat_map(non_none_keys).collect();
                    self.narrowed.extend(keys);
                }
                for item in items {
                    self.condition(item);
                }
                self.narrowed.truncate(depth);
                Ty::Bool
            }
            ExprKind::Compare(op, l, r) => self.compare(*op, l, r),
            ExprKind::InSet(x, set) => {
                let t = self.expr(x);
                for element in set {
                    self.literal_in(element, &t, Some(x));
                }
                Ty::Bool
            }
            ExprKind::Arith(plus, l, r) => self.arith(*plus, l, r, e.span),
            ExprKind::Quant(q, items) => {
                for item in items {
                    self.condition(item);
                }
                if let Quantifier::AtLeast(n) = q {
                    if *n < 1 || *n as usize > items.len() {
                        self.report(
                            Diagnostic::new(
                                Code::E0302,
                                e.span,
                                format!("`at least {n} of` {} conditions", items.len()),
                            )
                            .label(format!("N must be between 1 and {}", items.len()))
                            .help("change N or the list of conditions"),
                        );
                    }
                }
                Ty::Bool
            }
            ExprKind::Paren(inner) => self.expr(inner),
        }
    }

    fn reference(&mut self, call: &Call) -> Ty {
        let name = &call.name.text;
        if call.args.is_none() {
            if let Some((_, t)) = self.locals.iter().rev().find(|(n, _)| n == name) {
                return t.clone();
            }
        }
        match self.scope.values.get(name).cloned() {
            Some(ValueDef::Indicator(params, ty)) => {
                self.uses(Namespace::Value, name);
                if self.in_check && self.phase.is_none() {
                    self.report(
                        Diagnostic::new(
                            Code::E0307,
                            call.span,
                            format!("in a check, say which findings `{name}` comes from"),
                        )
                        .help(format!(
                            "write `before.{0}` or `after.{0}`",
                            format_call(call)
                        )),
                    );
                }
                self.call_args(call, &params, "indicator");
                // `before.x` and `after.x` narrow separately: the phase is part of the key.
                let key = match self.phase {
                    Some(Phase::Before) => format!("before.{}", format_call(call)),
                    Some(Phase::After) => format!("after.{}", format_call(call)),
                    None => format_call(call),
                };
                match ty {
                    Ty::Optional(inner) if self.narrowed.contains(&key) => *inner,
                    other => other,
                }
            }
            Some(ValueDef::Table(params, ty)) => {
                self.uses(Namespace::Value, name);
                match &call.args {
                    None => self.report(missing_args(call, &params, "table")),
                    Some(args) => self.args(call, &params, args, "table"),
                }
                ty
            }
            Some(ValueDef::EnumValue(ty)) => {
                if call.args.is_some() {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            call.span,
                            format!("`{name}` is a value, not a call"),
                        )
                        .help(format!("write `{name}` without arguments")),
                    );
                }
                ty
            }
            None if self.scope.categories.contains(name) => Ty::Category,
            None => {
                let mut candidates = self.scope.names(Namespace::Value);
                candidates.extend(self.locals.iter().map(|(n, _)| n.as_str()));
                self.report(
                    Diagnostic::new(
                        Code::E0101,
                        call.name.span,
                        format!("unknown name `{name}`"),
                    )
                    .label("not an indicator, table, value or `for` variable")
                    .maybe_help(did_you_mean(name, candidates)),
                );
                if let Some(args) = &call.args {
                    for arg in args {
                        self.expr(&arg.value);
                    }
                }
                Ty::Error
            }
        }
    }

    /// Arguments of an indicator reference: none for a plain indicator, all for a parametric one.
    fn call_args(&mut self, call: &Call, params: &[(String, Ty)], what: &str) {
        match &call.args {
            None if !params.is_empty() => self.report(missing_args(call, params, what)),
            None => {}
            Some(args) if params.is_empty() && !args.is_empty() => self.report(
                Diagnostic::new(
                    Code::E0201,
                    call.span,
                    format!("`{}` takes no arguments", call.name.text),
                )
                .help(format!("write `{}`", call.name.text)),
            ),
            Some(args) => self.args(call, params, args, what),
        }
    }

    /// Matches arguments to parameters (positional or named, not both) and checks each.
    fn args(&mut self, call: &Call, params: &[(String, Ty)], args: &[Arg], what: &str) {
        let labelled = args.iter().filter(|a| a.label.is_some()).count();
        let whole = match (args.first(), args.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => call.span,
        };
        if labelled != 0 && labelled != args.len() {
            self.report(mixed_args(whole));
            args.iter().for_each(|a| {
                self.expr(&a.value);
            });
            return;
        }
        if labelled == 0 {
            if args.len() != params.len() {
                let d = arg_count(whole, &call.name.text, params, args.len());
                self.report(d);
                args.iter().for_each(|a| {
                    self.expr(&a.value);
                });
                return;
            }
            for ((pname, pty), arg) in params.iter().zip(args) {
                self.argument(pname, pty, arg);
            }
            return;
        }
        let mut given = HashSet::default();
        let mut unknown_label = false;
        for arg in args {
            let Some(label) = &arg.label else { continue };
            match params.iter().find(|(n, _)| *n == label.text) {
                Some((pname, pty)) => {
                    if !given.insert(pname.as_str()) {
                        self.report(
                            Diagnostic::new(
                                Code::E0201,
                                label.span,
                                format!("`{}` is given twice", label.text),
                            )
                            .help("give each argument once"),
                        );
                    }
                    self.argument(pname, pty, arg);
                }
                None => {
                    self.report(unknown_param(label, &call.name.text, params));
                    unknown_label = true;
                    self.expr(&arg.value);
                }
            }
        }
        if unknown_label {
            // A misspelt label usually is the missing parameter: one diagnostic is enough.
            return;
        }
        let missing: Vec<&str> = params
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !given.contains(n))
            .collect();
        if !missing.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    call.span,
                    format!(
                        "{what} `{}` is missing {}",
                        call.name.text,
                        missing
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .help(format!(
                    "add {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}: …`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }

    fn argument(&mut self, pname: &str, expected: &Ty, arg: &Arg) {
        let actual = self.expr(&arg.value);
        self.assignable(expected, &actual, &arg.value, &format!("`{pname}`"));
    }

    /// Checks that a value of type `actual` (of expression `e`) can go where `expected` is.
    fn assignable(&mut self, expected: &Ty, actual: &Ty, e: &Expr, what: &str) {
        if matches!(actual, Ty::Error) || matches!(expected, Ty::Error) {
            return;
        }
        let shown = format_expr(e);
        if let (Ty::Optional(_), false) = (actual, expected.is_optional()) {
            self.report(
                Diagnostic::new(Code::E0304, e.span, format!("`{shown}` may be none"))
                    .label(format!("{what} needs {expected}"))
                    .help(format!("add `{shown} != none` to the rule's `when`")),
            );
            return;
        }
        if *actual == Ty::NoneLit {
            if !expected.is_optional() {
                self.report(
                    Diagnostic::new(
                        Code::E0302,
                        e.span,
                        format!("`none` is not a value of {expected}"),
                    )
                    .label(format!("{what} needs {expected}")),
                );
            }
            return;
        }
        let (exp, act) = (expected.strip_optional(), actual.strip_optional());
        if let Some(problem) = unit_problem(exp, act, &shown) {
            self.report(
                Diagnostic::new(Code::E0303, e.span, problem).label(format!("{what} is {exp}")),
            );
            return;
        }
        if !exp.same_kind(act) {
            let code = if is_enum_value(e, self.scope) {
                Code::E0302
            } else {
                Code::E0301
            };
            self.report(
                Diagnostic::new(
                    code,
                    e.span,
                    format!("{what} needs {exp}, but `{shown}` is {act}"),
                )
                .label(format!("expected {exp}"))
                .maybe_help(enum_help(exp)),
            );
            return;
        }
        if let Some(outside) = outside(exp, act) {
            self.report(
                Diagnostic::new(Code::E0302, e.span, format!("`{shown}` {outside}"))
                    .label(format!("{what} is {exp}")),
            );
        }
    }

    fn compare(&mut self, op: CmpOp, l: &Expr, r: &Expr) -> Ty {
        let l_none = matches!(
            &l.kind,
            ExprKind::Literal(Literal {
                kind: LiteralKind::None,
                ..
            })
        );
        let r_none = matches!(
            &r.kind,
            ExprKind::Literal(Literal {
                kind: LiteralKind::None,
                ..
            })
        );
        if l_none || r_none {
            let other = if l_none { r } else { l };
            // `x != none` is about `x` itself: look at it without narrowing.
            let saved = std::mem::take(&mut self.narrowed);
            let t = self.expr(other);
            self.narrowed = saved;
            if op.is_ordering() {
                self.report(
                    Diagnostic::new(
                        Code::E0306,
                        l.span.to(r.span),
                        format!("`{}` with `none`", op.as_str()),
                    )
                    .help("compare with `none` using `==` or `!=`"),
                );
            } else if !t.is_optional() && t != Ty::Error && t != Ty::NoneLit {
                let shown = format_expr(other);
                self.report(
                    Diagnostic::new(
                        Code::E0301,
                        other.span,
                        format!("`{shown}` is never none: its type {t} is not optional"),
                    )
                    .help("remove the comparison, or declare the indicator with `?`"),
                );
            }
            return Ty::Bool;
        }
        let lt = self.expr(l);
        let rt = self.expr(r);
        if lt == Ty::Error || rt == Ty::Error {
            return Ty::Bool;
        }
        let span = l.span.to(r.span);
        if op.is_ordering() {
            for (t, e) in [(&lt, l), (&rt, r)] {
                if t.is_optional() {
                    let shown = format_expr(e);
                    self.report(
                        Diagnostic::new(Code::E0304, e.span, format!("`{shown}` may be none"))
                            .label(format!("`{}` needs a value", op.as_str()))
                            .help(format!(
                                "add `{shown} != none and …` before this comparison"
                            )),
                    );
                    return Ty::Bool;
                }
            }
            for t in [&lt, &rt] {
                if !t.is_ordered() {
                    self.report(
                        Diagnostic::new(
                            Code::E0306,
                            span,
                            format!("`{}` needs ordered values, but {t} has no order", op.as_str()),
                        )
                        .help("use `==`, `!=` or `in {…}`; numbers, ranges, measures and Vertebra are ordered"),
                    );
                    return Ty::Bool;
                }
            }
        }
        let (ls, rs) = (lt.strip_optional(), rt.strip_optional());
        let unit =
            unit_problem(ls, rs, &format_expr(r)).or_else(|| unit_problem(rs, ls, &format_expr(l)));
        if let Some(problem) = unit {
            self.report(Diagnostic::new(Code::E0303, span, problem).help(
                "measures carry their unit: write e.g. `10 mm`; mm and cm convert, deg does not",
            ));
            return Ty::Bool;
        }
        if !ls.same_kind(rs) {
            let literal_side = [(r, ls), (l, rs)]
                .into_iter()
                .find(|(e, _)| is_enum_value(e, self.scope));
            match literal_side {
                Some((e, ty)) if !matches!(ty, Ty::Int(..) | Ty::Measure(..)) => {
                    let shown = format_expr(e);
                    self.report(
                        Diagnostic::new(
                            Code::E0302,
                            e.span,
                            format!("`{shown}` is not a value of {ty}"),
                        )
                        .maybe_help(enum_help(ty).or_else(|| {
                            let values = self.domain_values(ty)?;
                            did_you_mean(&shown, values.iter().map(String::as_str))
                        })),
                    );
                }
                _ => self.report(
                    Diagnostic::new(Code::E0301, span, format!("cannot compare {lt} with {rt}"))
                        .label("different types")
                        .help("compare values of the same type"),
                ),
            }
            return Ty::Bool;
        }
        // A constant outside the other side's range can never match: say so.
        for (constant, e, range) in [(&rt, r, &lt), (&lt, l, &rt)] {
            if is_constant(e) {
                if let Some(outside) = outside(range.strip_optional(), constant) {
                    self.report(
                        Diagnostic::new(
                            Code::E0302,
                            e.span,
                            format!("`{}` {outside}", format_expr(e)),
                        )
                        .label(format!("the other side is {range}")),
                    );
                }
            }
        }
        Ty::Bool
    }

    fn arith(&mut self, plus: bool, l: &Expr, r: &Expr, span: Span) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr(r);
        for (t, e) in [(&lt, l), (&rt, r)] {
            if t.is_optional() {
                let shown = format_expr(e);
                self.report(
                    Diagnostic::new(Code::E0304, e.span, format!("`{shown}` may be none"))
                        .help(format!("add `{shown} != none` to the rule's `when`")),
                );
                return Ty::Error;
            }
        }
        let op = if plus { "+" } else { "-" };
        match (&lt, &rt) {
            (Ty::Error, _) | (_, Ty::Error) => Ty::Error,
            (Ty::Int(a, b), Ty::Int(c, d)) => {
                if plus {
                    Ty::Int(a.saturating_add(*c), b.saturating_add(*d))
                } else {
                    Ty::Int(a.saturating_sub(*d), b.saturating_sub(*c))
                }
            }
            (Ty::Vertebra(a, b), Ty::Int(c, d)) => {
                let (lo, hi) = if plus {
                    (
                        i64::from(*a).saturating_add(*c),
                        i64::from(*b).saturating_add(*d),
                    )
                } else {
                    (
                        i64::from(*a).saturating_sub(*d),
                        i64::from(*b).saturating_sub(*c),
                    )
                };
                if lo < 0 || hi > 26 {
                    let shown = format!("{} {op} {}", format_expr(l), format_expr(r));
                    let reach = if lo < 0 {
                        format!("{} levels above the occiput", -lo)
                    } else {
                        format!("{} levels below the coccyx", hi - 26)
                    };
                    self.report(
                        Diagnostic::new(Code::E0302, span, format!("`{shown}` can leave the spine"))
                            .label(format!("reaches {reach}"))
                            .help("vertebrae run from occiput to coccyx; narrow the `for` range or the offset"),
                    );
                    return Ty::Vertebra(lo.clamp(0, 26) as u8, hi.clamp(0, 26) as u8);
                }
                Ty::Vertebra(lo as u8, hi as u8)
            }
            _ => {
                self.report(
                    Diagnostic::new(Code::E0301, span, format!("`{op}` does not apply to {lt} and {rt}"))
                        .help("`+` and `-` add whole numbers, or move a Vertebra by a whole number (`T4 + 1`)"),
                );
                Ty::Error
            }
        }
    }

    /// Checks a literal against a type, reporting E0301/E0302/E0303; returns whether it fits.
    /// `subject` is the expression it is compared with, for the message.
    fn literal_in(&mut self, lit: &Literal, ty: &Ty, subject: Option<&Expr>) -> bool {
        match self.value_in(lit, ty) {
            Ok(()) => true,
            Err(problem) => {
                let (code, message) = match problem {
                    ValueProblem::Mismatch(m) => (Code::E0301, m),
                    ValueProblem::Outside(m) => (Code::E0302, m),
                    ValueProblem::Unit(m) => (Code::E0303, m),
                };
                let label = match subject {
                    Some(e) => format!("`{}` is {ty}", format_expr(e)),
                    None => format!("expected {ty}"),
                };
                self.report(
                    Diagnostic::new(code, lit.span, message)
                        .label(label)
                        .help(value_help(ty)),
                );
                false
            }
        }
    }

    /// Whether a literal is a value of a type.
    fn value_in(&self, lit: &Literal, ty: &Ty) -> Result<(), ValueProblem> {
        let shown = canonical(lit);
        let not_member = || ValueProblem::Outside(format!("`{shown}` is not a value of {ty}"));
        let mismatch = || ValueProblem::Mismatch(format!("expected {ty}, found `{shown}`"));
        match (&lit.kind, ty) {
            (_, Ty::Error) => Ok(()),
            (LiteralKind::None, Ty::Optional(_)) => Ok(()),
            (LiteralKind::None, _) => Err(ValueProblem::Outside(format!(
                "`none` is not a value of {ty}: the indicator is not optional"
            ))),
            (_, Ty::Optional(inner)) => self.value_in(lit, inner),
            (LiteralKind::Bool(_), Ty::Bool) => Ok(()),
            (LiteralKind::Name(n), Ty::Side) if crate::types::SIDES.contains(&n.as_str()) => Ok(()),
            (LiteralKind::Name(n), Ty::Category) if self.scope.categories.contains(n) => Ok(()),
            (LiteralKind::Name(n), Ty::Enum(e)) if e.values.contains(n) => Ok(()),
            (LiteralKind::Name(n), Ty::Vertebra(lo, hi)) => match vertebra_index(n) {
                Some(v) if v >= *lo && v <= *hi => Ok(()),
                Some(_) => Err(ValueProblem::Outside(format!("`{n}` is outside {ty}"))),
                None => Err(not_member()),
            },
            (LiteralKind::Name(_), Ty::Side | Ty::Category | Ty::Enum(_)) => Err(not_member()),
            (
                LiteralKind::Number {
                    value,
                    integer,
                    unit,
                },
                Ty::Int(lo, hi),
            ) => {
                if let Some(u) = unit {
                    return Err(ValueProblem::Unit(format!(
                        "{ty} is a plain number, but `{shown}` has the unit {}",
                        u.as_str()
                    )));
                }
                if !integer {
                    return Err(ValueProblem::Mismatch(format!(
                        "expected a whole number in {ty}, found `{shown}`"
                    )));
                }
                if (*value as i64) < *lo || (*value as i64) > *hi {
                    return Err(ValueProblem::Outside(format!("`{shown}` is outside {ty}")));
                }
                Ok(())
            }
            (LiteralKind::Number { value, unit, .. }, Ty::Measure(lo, hi, m)) => {
                let Some(u) = unit else {
                    return Err(ValueProblem::Unit(format!(
                        "`{shown}` needs a unit: write `{shown} {}`",
                        m.as_str()
                    )));
                };
                if dimension(*u) != dimension(*m) {
                    return Err(ValueProblem::Unit(format!(
                        "`{shown}` is in {}, which does not convert to {}",
                        u.as_str(),
                        m.as_str()
                    )));
                }
                let v = to_base(*value, *u);
                if v < *lo || v > *hi {
                    return Err(ValueProblem::Outside(format!("`{shown}` is outside {ty}")));
                }
                Ok(())
            }
            _ => Err(mismatch()),
        }
    }
}

// ----- helpers -----------------------------------------------------------------------------

fn literal_ty(l: &Literal) -> Ty {
    match &l.kind {
        LiteralKind::Number {
            value,
            integer,
            unit,
        } => match unit {
            Some(u) => {
                let v = to_base(*value, *u);
                Ty::Measure(v, v, *u)
            }
            None if *integer => Ty::Int(*value as i64, *value as i64),
            None => Ty::Decimal,
        },
        LiteralKind::Bool(_) => Ty::Bool,
        LiteralKind::None => Ty::NoneLit,
        LiteralKind::Name(_) => Ty::Error,
    }
}

/// A unit problem when a value of `actual` meets `expected`, if any.
fn unit_problem(expected: &Ty, actual: &Ty, shown: &str) -> Option<String> {
    match (expected, actual) {
        (Ty::Measure(_, _, u), Ty::Int(..) | Ty::Decimal) => Some(format!(
            "`{shown}` has no unit, but is compared with a measure in {}",
            u.as_str()
        )),
        (Ty::Measure(_, _, a), Ty::Measure(_, _, b)) if dimension(*a) != dimension(*b) => {
            Some(format!(
                "{} and {} do not convert into each other",
                a.as_str(),
                b.as_str()
            ))
        }
        _ => None,
    }
}

/// How a value of `actual` falls outside `expected` (same kind), if it does.
fn outside(expected: &Ty, actual: &Ty) -> Option<String> {
    match (expected, actual) {
        (Ty::Int(lo, hi), Ty::Int(a, b)) if a < lo || b > hi => Some(if a == b {
            format!("is outside {expected}")
        } else {
            format!("can be {a}..{b}, outside {expected}")
        }),
        (Ty::Vertebra(lo, hi), Ty::Vertebra(a, b)) if a < lo || b > hi => {
            Some(format!("can be {actual}, outside {expected}"))
        }
        (Ty::Measure(lo, hi, _), Ty::Measure(a, b, _)) if a < lo || b > hi => {
            Some(format!("is outside {expected}"))
        }
        _ => None,
    }
}

/// A literal number or a vertebra name: a single value to range-check against the other side.
fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Ref(call) => call.args.is_none() && vertebra_index(&call.name.text).is_some(),
        _ => false,
    }
}

fn is_enum_value(e: &Expr, scope: &Scope) -> bool {
    match &e.kind {
        ExprKind::Ref(call) => {
            call.args.is_none()
                && matches!(
                    scope.values.get(&call.name.text),
                    Some(ValueDef::EnumValue(_))
                )
        }
        _ => false,
    }
}

fn enum_help(ty: &Ty) -> Option<String> {
    match ty {
        Ty::Enum(e) => Some(format!(
            "the values of {} are {}",
            e.name,
            e.values.join(", ")
        )),
        Ty::Side => Some("the values of Side are left, right".into()),
        _ => None,
    }
}

fn value_help(ty: &Ty) -> String {
    match ty.strip_optional() {
        Ty::Bool => "write `yes` or `no`".into(),
        Ty::Side => "write `left` or `right`".into(),
        Ty::Enum(e) => format!("write one of {}", e.values.join(", ")),
        Ty::Measure(_, _, u) => format!("write a number with its unit, e.g. `6 {}`", u.as_str()),
        _ if ty.is_optional() => format!("write a value of {ty}, or `none`"),
        _ => format!("write a value of {ty}"),
    }
}

fn mixed_args(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::E0201,
        span,
        "positional and named arguments are mixed",
    )
    .help("name every argument (`line: 2, area: 3`) or none")
}

fn arg_count(span: Span, callee: &str, params: &[(String, Ty)], given: usize) -> Diagnostic {
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    Diagnostic::new(
        Code::E0201,
        span,
        format!(
            "`{callee}` takes {} argument(s) ({}), but {given} were given",
            params.len(),
            names.join(", ")
        ),
    )
    .help(format!(
        "write `{callee}({})`",
        names
            .iter()
            .map(|n| format!("{n}: …"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn unknown_param(label: &ast::Name, callee: &str, params: &[(String, Ty)]) -> Diagnostic {
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    Diagnostic::new(
        Code::E0201,
        label.span,
        format!("`{callee}` has no parameter named `{}`", label.text),
    )
    .label(if names.is_empty() {
        "it has no parameters".to_string()
    } else {
        format!("parameters are {}", names.join(", "))
    })
    .maybe_help(did_you_mean(&label.text, names.iter().copied()))
}

fn missing_args(call: &Call, params: &[(String, Ty)], what: &str) -> Diagnostic {
    let names: Vec<String> = params.iter().map(|(n, _)| format!("{n}: …")).collect();
    Diagnostic::new(
        Code::E0201,
        call.span,
        format!("{what} `{}` needs arguments", call.name.text),
    )
    .help(format!("write `{}({})`", call.name.text, names.join(", ")))
}

/// The canonical text of a literal (numbers in their base unit), for keys and messages.
fn canonical(lit: &Literal) -> String {
    match &lit.kind {
        LiteralKind::Number { value, unit, .. } => match unit {
            Some(u) => format!("{value} {}", u.as_str()),
            None => format!("{value}"),
        },
        LiteralKind::Bool(true) => "yes".into(),
        LiteralKind::Bool(false) => "no".into(),
        LiteralKind::None => "none".into(),
        LiteralKind::Name(n) => n.clone(),
    }
}

/// The expressions a condition proves not `none` (`x != none` conjuncts), rendered.
fn non_none_keys(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Compare(CmpOp::Ne, l, r) => {
            let none = |x: &Expr| {
                matches!(
                    &x.kind,
                    ExprKind::Literal(Literal {
                        kind: LiteralKind::None,
                        ..
                    })
                )
            };
            if none(r) {
                vec![format_expr(l)]
            } else if none(l) {
                vec![format_expr(r)]
            } else {
                Vec::new()
            }
        }
        ExprKind::Logic(LogicOp::And, items) => items.iter().flat_map(non_none_keys).collect(),
        ExprKind::Paren(inner) => non_none_keys(inner),
        _ => Vec::new(),
    }
}
