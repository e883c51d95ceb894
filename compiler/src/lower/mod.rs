//! Lowering a checked file (and the files it uses) to the IR the runtime executes.
//!
//! Runs only on files without errors: every name resolves, every type fits, so lowering
//! does not report anything itself.
//!
//! Cases (visits, findings, `given`, `expect` lines) are lowered in [`cases`].

mod cases;

use foldhash::HashMap;

use sot_grammar::ast::{self, Arg, ExprKind, ItemData, LiteralKind, LogicOp, Quantifier};

use crate::check::file_diagnostics;
use crate::db::{file_items, parse_item, SourceFile};
use crate::diagnostic::Severity;
use crate::ir::{self, Cmp, Domain, Expr, Phase, Program, Value, ValueType};
use crate::line_index::LineIndex;
use crate::resolve::{file_scope, visible_files, Scope, ValueDef};
use crate::types::{to_base, vertebra_index, Ty, SIDES, VERTEBRAE};

/// The lowered program of a file and the files it uses, with the file's own cases; `None`
/// when any of them has an error.
#[salsa::tracked(returns(ref))]
pub fn lower_file(db: &dyn salsa::Database, file: SourceFile) -> Option<Program> {
    let items = program_items(db, file)?;
    let mut lower = Lowerer::new(file_scope(db, file));
    lower.file_names = file_names(db, &items);
    lower.declarations(&items);
    lower.program.plan = ir::Plan::of(&lower.program.rules);
    let text = file.text(db);
    let index = crate::line_index::file_line_index(db, file);
    // The title is the file's own header's, when it has one (used files come first).
    let own_title = items.iter().find_map(|(f, _, item)| match &item.data {
        ItemData::Header { title, .. } if *f == file => Some(title.value.clone()),
        _ => None,
    });
    if own_title.is_some() {
        lower.program.title = own_title;
    }
    for (f, offset, item) in &items {
        if let (true, ItemData::Case(case)) = (*f == file, &item.data) {
            let case = lower.case(case, &|span: ast::Span| {
                let (start, end) = (span.start as usize + offset, span.end as usize + offset);
                // The line only (a binary search): a column would count from the line's start,
                // which in minified JSON is the start of the text, for every expect line.
                let line = index.line_of(start.min(text.len())) + 1;
                (line, text.get(start..end).unwrap_or_default().to_string())
            });
            lower.program.cases.push(case);
        }
    }
    Some(lower.program)
}

/// Lowers cases that come from elsewhere (JSON case data, the cases of another version of
/// the protocol; already checked) against the protocol `file`: each case with the offset
/// its spans are relative to in `text`, the text they point into.
pub(crate) fn lower_cases(
    db: &dyn salsa::Database,
    file: SourceFile,
    cases: &[(&ast::Case, usize)],
    text: &str,
) -> Option<Vec<ir::Case>> {
    let items = program_items(db, file)?;
    let mut lower = Lowerer::new(file_scope(db, file));
    lower.file_names = file_names(db, &items);
    lower.declarations(&items);
    let index = LineIndex::new(text);
    let place = |span: ast::Span, offset: usize| {
        let (start, end) = (span.start as usize + offset, span.end as usize + offset);
        // The line only (a binary search): a column would count from the line's start,
        // which in minified JSON is the start of the text, for every expect line.
        let line = index.line_of(start.min(text.len())) + 1;
        (
            line,
            text.get(start..end)
                .unwrap_or_default()
                .trim_matches('"')
                .to_string(),
        )
    };
    Some(
        cases
            .iter()
            .map(|(c, offset)| lower.case(c, &|span| place(span, *offset)))
            .collect(),
    )
}

/// The path of each file of `items`.
fn file_names(
    db: &dyn salsa::Database,
    items: &[(SourceFile, usize, &ast::Item)],
) -> HashMap<SourceFile, String> {
    items
        .iter()
        .map(|(f, _, _)| (*f, f.path(db).display().to_string()))
        .collect()
}

/// The parsed items of a file and the files it uses, in declaration order: `(file, offset,
/// item)`; `None` when any of them has an error.
fn program_items(
    db: &dyn salsa::Database,
    file: SourceFile,
) -> Option<Vec<(SourceFile, usize, &ast::Item)>> {
    let files = visible_files(db, file);
    let has_errors = files.iter().any(|f| {
        file_diagnostics(db, *f)
            .iter()
            .any(|d| d.severity() == Severity::Error)
    });
    if has_errors {
        return None;
    }
    let mut items = Vec::new();
    for f in files {
        for item in file_items(db, *f) {
            if let Some(parsed) = &parse_item(db, *item).item {
                items.push((*f, item.offset(db), parsed));
            }
        }
    }
    Some(items)
}

/// The type of a value, for showing it.
pub(crate) fn value_type(ty: &Ty, scope: &Scope) -> ValueType {
    match ty.strip_optional() {
        Ty::Bool => ValueType::Bool,
        Ty::Int(..) | Ty::Decimal | Ty::Error | Ty::NoneLit | Ty::Optional(_) => ValueType::Int,
        Ty::Measure(_, _, unit) => ValueType::Measure {
            unit: unit.as_str().into(),
        },
        Ty::Side => symbols("Side", SIDES.iter().map(|s| s.to_string())),
        Ty::Vertebra(..) => symbols("Vertebra", VERTEBRAE.iter().map(|s| s.to_string())),
        Ty::Category => symbols("Category", scope.categories.iter().cloned()),
        Ty::Enum(e) => symbols(&e.name, e.values.iter().cloned()),
    }
}

fn symbols(name: &str, values: impl Iterator<Item = String>) -> ValueType {
    ValueType::Symbols {
        name: name.into(),
        values: values.collect(),
    }
}

/// The domain of a finite type.
pub(crate) fn domain(ty: &Ty, scope: &Scope) -> Domain {
    let (lo, size) = match ty.strip_optional() {
        Ty::Bool => (0, 2),
        Ty::Side => (0, 2),
        Ty::Category => (0, scope.categories.len() as i64),
        Ty::Enum(e) => (0, e.values.len() as i64),
        Ty::Vertebra(lo, hi) => (i64::from(*lo), i64::from(*hi) - i64::from(*lo) + 1),
        Ty::Int(lo, hi) => (*lo, hi.saturating_sub(*lo).saturating_add(1)),
        _ => (0, 0),
    };
    Domain {
        lo,
        size: u32::try_from(size.max(0)).unwrap_or(u32::MAX),
        ty: value_type(ty, scope),
    }
}

struct Lowerer<'a> {
    scope: &'a Scope,
    /// Each file's path, for the `file` of rules, categories, red flags and checks.
    file_names: HashMap<SourceFile, String>,
    program: Program,
    indicators: HashMap<String, u32>,
    tables: HashMap<String, u32>,
    adjustments: HashMap<String, u32>,
    rules: HashMap<String, u32>,
    checks: HashMap<String, u32>,
    red_flags: HashMap<String, u32>,
    /// `for` variables bound now.
    env: Vec<(String, Value)>,
}

/// Every combination of the domains, in mixed-radix order (the last varies fastest).
fn combinations(domains: &[Domain]) -> Vec<Vec<Value>> {
    let mut out = vec![Vec::new()];
    for d in domains {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..d.size).map(move |i| {
                    let mut next = prefix.clone();
                    next.push(d.value(i));
                    next
                })
            })
            .collect();
    }
    out
}

/// The values of arguments that are all constants (after `for` values are folded in).
fn constant_values(args: &[Expr]) -> Option<Vec<Value>> {
    args.iter()
        .map(|a| match a {
            Expr::Const(v) => Some(*v),
            _ => None,
        })
        .collect()
}

/// The mixed-radix index of values in domains.
fn dense_index(domains: &[Domain], values: &[Value]) -> Option<u32> {
    let mut index = 0u32;
    for (d, v) in domains.iter().zip(values) {
        index = index.checked_mul(d.size)?.checked_add(d.index(*v)?)?;
    }
    Some(index)
}

impl<'a> Lowerer<'a> {
    fn new(scope: &'a Scope) -> Self {
        Lowerer {
            scope,
            file_names: HashMap::default(),
            program: Program::default(),
            indicators: HashMap::default(),
            tables: HashMap::default(),
            adjustments: HashMap::default(),
            rules: HashMap::default(),
            checks: HashMap::default(),
            red_flags: HashMap::default(),
            env: Vec::new(),
        }
    }

    /// Everything but the cases, in declaration order. Names are declared first so that
    /// bodies can refer to any of them.
    fn declarations(&mut self, items: &[(SourceFile, usize, &ast::Item)]) {
        let scope = self.scope;
        self.program.categories = Vec::new();
        for (_, _, item) in items {
            match &item.data {
                ItemData::Header { title, .. } => {
                    self.program.title.get_or_insert(title.value.clone());
                }
                ItemData::Indicator(i) if !self.indicators.contains_key(&i.name.text) => {
                    let Some(ValueDef::Indicator(params, ty)) = scope.values.get(&i.name.text)
                    else {
                        continue;
                    };
                    let params: Vec<(String, Domain)> = params
                        .iter()
                        .map(|(n, t)| (n.clone(), domain(t, scope)))
                        .collect();
                    let slots = params.iter().map(|(_, d)| d.size).product::<u32>().max(1);
                    let id = self.program.indicators.len() as u32;
                    self.indicators.insert(i.name.text.clone(), id);
                    self.program.slot_indicator.extend((0..slots).map(|_| id));
                    self.program.indicators.push(ir::Indicator {
                        name: i.name.text.clone(),
                        doc: item.doc.clone(),
                        params,
                        ty: value_type(ty, scope),
                        optional: ty.is_optional(),
                        range: match ty.strip_optional() {
                            Ty::Int(lo, hi) => Some((*lo as f64, *hi as f64)),
                            Ty::Measure(lo, hi, _) => Some((*lo, *hi)),
                            Ty::Vertebra(lo, hi) => Some((f64::from(*lo), f64::from(*hi))),
                            _ => None,
                        },
                        first_slot: self.program.slot_count,
                        slots,
                    });
                    self.program.slot_count += slots;
                }
                ItemData::Adjustment(a) if !self.adjustments.contains_key(&a.name.text) => {
                    let params = scope
                        .adjustments
                        .get(&a.name.text)
                        .map(|ps| {
                            ps.iter()
                                .map(|(n, t)| (n.clone(), value_type(t, scope)))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.adjustments
                        .insert(a.name.text.clone(), self.program.adjustments.len() as u32);
                    self.program.adjustments.push(ir::Adjustment {
                        name: a.name.text.clone(),
                        doc: item.doc.clone(),
                        params,
                    });
                }
                ItemData::Table(t) if !self.tables.contains_key(&t.name.text) => {
                    self.tables
                        .insert(t.name.text.clone(), self.program.tables.len() as u32);
                    self.program.tables.push(ir::Table {
                        name: t.name.text.clone(),
                        params: Vec::new(),
                        entries: Vec::new(),
                    });
                }
                ItemData::Rule(r) => {
                    let id = self.rules.len() as u32;
                    self.rules.entry(r.name.text.clone()).or_insert(id);
                }
                ItemData::Check(c) => {
                    let id = self.checks.len() as u32;
                    self.checks.entry(c.name.text.clone()).or_insert(id);
                }
                ItemData::RedFlag(r) => {
                    let id = self.red_flags.len() as u32;
                    self.red_flags.entry(r.name.text.clone()).or_insert(id);
                }
                _ => {}
            }
        }
        let n = scope.categories.len();
        self.program.outranks = vec![vec![false; n]; n];
        for (file, _, item) in items {
            let origin = self.file_names.get(file).cloned().unwrap_or_default();
            match &item.data {
                ItemData::Table(t) => self.table(t),
                ItemData::Category(c) => {
                    let when = self.expr(&c.when);
                    self.program.categories.push(ir::Category {
                        name: c.name.text.clone(),
                        title: c.title.as_ref().map(|t| t.value.clone()),
                        doc: item.doc.clone(),
                        when,
                        file: origin,
                    });
                }
                ItemData::Precedence(names) => {
                    for pair in names.windows(2) {
                        let (Some(a), Some(b)) =
                            (self.category(&pair[0].text), self.category(&pair[1].text))
                        else {
                            continue;
                        };
                        self.outrank(a as usize, b as usize);
                    }
                }
                ItemData::Coexist(names) => {
                    let mut line: Vec<u32> = Vec::new();
                    for c in names.iter().filter_map(|n| self.category(&n.text)) {
                        if !line.contains(&c) {
                            line.push(c);
                        }
                    }
                    self.program.coexist.push(ir::CoexistLine {
                        file: origin,
                        categories: line,
                    });
                }
                ItemData::RedFlag(r) => {
                    let when = self.expr(&r.when);
                    self.program.red_flags.push(ir::RedFlag {
                        name: r.name.text.clone(),
                        title: r.title.as_ref().map(|t| t.value.clone()),
                        category: r.in_category.as_ref().and_then(|c| self.category(&c.text)),
                        when,
                        urgency: r.urgency.map(|u| match u {
                            ast::Urgency::Emergency => ir::Urgency::Emergency,
                            ast::Urgency::Urgent => ir::Urgency::Urgent,
                            ast::Urgency::Routine => ir::Urgency::Routine,
                        }),
                        refer: r.refer.value.clone(),
                        file: origin,
                    });
                }
                ItemData::Rule(r) => {
                    let rule = self.rule(r, item.doc.clone(), origin);
                    self.program.rules.push(rule);
                }
                ItemData::Check(c) => {
                    let check = self.check(c, origin);
                    self.program.checks.push(check);
                }
                _ => {}
            }
        }
    }

    /// Records `a > b` and keeps the relation transitive.
    fn outrank(&mut self, a: usize, b: usize) {
        let n = self.program.outranks.len();
        let above: Vec<usize> = (0..n)
            .filter(|&x| x == a || self.program.outranks[x][a])
            .collect();
        let below: Vec<usize> = (0..n)
            .filter(|&y| y == b || self.program.outranks[b][y])
            .collect();
        for &x in &above {
            for &y in &below {
                if x != y {
                    self.program.outranks[x][y] = true;
                }
            }
        }
    }

    fn category(&self, name: &str) -> Option<u32> {
        self.scope
            .categories
            .iter()
            .position(|c| c == name)
            .map(|i| i as u32)
    }

    fn binding_domains(&self, bindings: &[ast::Binding]) -> Vec<(String, Domain)> {
        bindings
            .iter()
            .map(|b| {
                let ty = self.scope.resolve_type(&b.domain).unwrap_or(Ty::Error);
                (b.name.text.clone(), domain(&ty, self.scope))
            })
            .collect()
    }

    /// Runs `f` once per binding of the variables, with them bound.
    fn per_binding<T>(
        &mut self,
        bindings: &[ast::Binding],
        mut f: impl FnMut(&mut Self, Vec<(String, String)>) -> T,
    ) -> Vec<T> {
        let domains = self.binding_domains(bindings);
        let plain: Vec<Domain> = domains.iter().map(|(_, d)| d.clone()).collect();
        combinations(&plain)
            .into_iter()
            .map(|values| {
                let depth = self.env.len();
                let mut shown = Vec::new();
                for ((name, d), v) in domains.iter().zip(&values) {
                    self.env.push((name.clone(), *v));
                    shown.push((name.clone(), d.ty.show(*v)));
                }
                let out = f(self, shown);
                self.env.truncate(depth);
                out
            })
            .collect()
    }

    fn rule(&mut self, r: &ast::Rule, doc: Option<String>, file: String) -> ir::Rule {
        let category = r.in_category.as_ref().and_then(|c| self.category(&c.text));
        let instances = self.per_binding(&r.bindings, |this, binding| ir::RuleInstance {
            binding,
            when: this.expr(&r.when),
            unless: r.unless.as_ref().map(|u| this.expr(u)),
            then: r.then.iter().filter_map(|c| this.call(c)).collect(),
        });
        ir::Rule {
            file,
            name: r.name.text.clone(),
            title: r.title.as_ref().map(|t| t.value.clone()),
            doc,
            category,
            instances,
        }
    }

    fn check(&mut self, c: &ast::Check, file: String) -> ir::Check {
        let instances = self.per_binding(&c.bindings, |this, binding| ir::CheckInstance {
            binding,
            need: this.expr(&c.need),
            complete: this.expr(&c.complete),
            marginal: c.marginal.as_ref().map(|m| this.expr(m)),
        });
        ir::Check {
            file,
            name: c.name.text.clone(),
            title: c.title.as_ref().map(|t| t.value.clone()),
            scope: match c.scope {
                ast::CheckScope::WithinVisit => ir::CheckScope::WithinVisit,
                ast::CheckScope::AcrossVisits => ir::CheckScope::AcrossVisits,
            },
            after: c
                .after
                .as_ref()
                .and_then(|a| self.adjustments.get(&a.text).copied()),
            instances,
        }
    }

    fn table(&mut self, t: &ast::Table) {
        let Some(&id) = self.tables.get(&t.name.text) else {
            return;
        };
        let Some(ValueDef::Table(params, _)) = self.scope.values.get(&t.name.text) else {
            return;
        };
        let domains: Vec<Domain> = params
            .iter()
            .map(|(_, ty)| domain(ty, self.scope))
            .collect();
        let size = domains
            .iter()
            .map(|d| d.size as usize)
            .product::<usize>()
            .max(1);
        let default = t
            .entries
            .iter()
            .find(|e| e.key.is_none())
            .map(|e| self.literal(&e.value));
        let mut entries = vec![default.unwrap_or(Value::None); size];
        for entry in &t.entries {
            if let Some(key) = &entry.key {
                let key: Vec<Value> = key.iter().map(|k| self.literal(k)).collect();
                if let Some(i) = dense_index(&domains, &key) {
                    entries[i as usize] = self.literal(&entry.value);
                }
            }
        }
        let table = &mut self.program.tables[id as usize];
        table.params = domains;
        table.entries = entries;
    }

    /// A literal's value.
    fn literal(&self, lit: &ast::Literal) -> Value {
        match &lit.kind {
            LiteralKind::Number { value, unit, .. } => {
                Value::Num(unit.map_or(*value, |u| to_base(*value, u)))
            }
            LiteralKind::Bool(b) => Value::Num(if *b { 1.0 } else { 0.0 }),
            LiteralKind::None => Value::None,
            LiteralKind::Name(n) => self.symbol(n).unwrap_or(Value::None),
        }
    }

    /// The value of a name that is a value: an enum value, side, vertebra or category.
    fn symbol(&self, name: &str) -> Option<Value> {
        let index = match self.scope.values.get(name) {
            Some(ValueDef::EnumValue(Ty::Side)) => SIDES.iter().position(|s| *s == name)?,
            Some(ValueDef::EnumValue(Ty::Vertebra(..))) => usize::from(vertebra_index(name)?),
            Some(ValueDef::EnumValue(Ty::Enum(e))) => e.values.iter().position(|v| v == name)?,
            _ => self.scope.categories.iter().position(|c| c == name)?,
        };
        Some(Value::Num(index as f64))
    }

    fn call(&mut self, call: &ast::Call) -> Option<ir::Call> {
        let adjustment = *self.adjustments.get(&call.name.text)?;
        let params = self.scope.adjustments.get(&call.name.text)?;
        let args = self.ordered_args(params.iter().map(|(n, _)| n.as_str()), call.args.as_deref());
        Some(ir::Call { adjustment, args })
    }

    /// Arguments in parameter order (named or positional; the checker made sure they fit).
    fn ordered_args<'p>(
        &mut self,
        params: impl Iterator<Item = &'p str>,
        args: Option<&[Arg]>,
    ) -> Vec<Expr> {
        let args = args.unwrap_or_default();
        params
            .enumerate()
            .map(|(i, name)| {
                let arg = args
                    .iter()
                    .find(|a| a.label.as_ref().is_some_and(|l| l.text == name))
                    .or_else(|| args.get(i).filter(|a| a.label.is_none()));
                match arg {
                    Some(a) => self.expr(&a.value),
                    None => Expr::Const(Value::None),
                }
            })
            .collect()
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        self.expr_in(e, None)
    }

    fn expr_in(&mut self, e: &ast::Expr, phase: Option<Phase>) -> Expr {
        match &e.kind {
            ExprKind::Literal(l) => Expr::Const(self.literal(l)),
            ExprKind::Ref(call) => self.reference(call, phase),
            ExprKind::Phase(p, call) => {
                let p = match p {
                    ast::Phase::Before => Phase::Before,
                    ast::Phase::After => Phase::After,
                    ast::Phase::Previous => Phase::Previous,
                };
                self.reference(call, Some(p))
            }
            ExprKind::Not(inner) => Expr::Not(Box::new(self.expr_in(inner, phase))),
            ExprKind::Logic(op, items) => {
                let items = items.iter().map(|i| self.expr_in(i, phase)).collect();
                match op {
                    LogicOp::And => Expr::And(items),
                    LogicOp::Or => Expr::Or(items),
                }
            }
            ExprKind::Compare(op, l, r) => {
                let op = match op {
                    ast::CmpOp::Eq => Cmp::Eq,
                    ast::CmpOp::Ne => Cmp::Ne,
                    ast::CmpOp::Lt => Cmp::Lt,
                    ast::CmpOp::Le => Cmp::Le,
                    ast::CmpOp::Gt => Cmp::Gt,
                    ast::CmpOp::Ge => Cmp::Ge,
                };
                match (self.expr_in(l, phase), self.expr_in(r, phase)) {
                    (Expr::Slot(p, slot), Expr::Const(v)) => Expr::Test(p, slot, op, v),
                    (Expr::Const(v), Expr::Slot(p, slot)) => Expr::Test(p, slot, op.flipped(), v),
                    (l, r) => Expr::Compare(op, Box::new(l), Box::new(r)),
                }
            }
            ExprKind::InSet(x, set) => Expr::InSet(
                Box::new(self.expr_in(x, phase)),
                set.iter().map(|l| self.literal(l)).collect(),
            ),
            ExprKind::Arith(plus, l, r) => {
                let (l, r) = (self.expr_in(l, phase), self.expr_in(r, phase));
                match (&l, &r) {
                    (Expr::Const(Value::Num(a)), Expr::Const(Value::Num(b))) => {
                        Expr::Const(Value::Num(if *plus { a + b } else { a - b }))
                    }
                    _ => Expr::Add(Box::new(l), Box::new(r), !plus),
                }
            }
            ExprKind::Quant(q, items) => {
                let items: Vec<Expr> = items.iter().map(|i| self.expr_in(i, phase)).collect();
                match q {
                    Quantifier::Any => Expr::Or(items),
                    Quantifier::All => Expr::And(items),
                    Quantifier::AtLeast(n) => Expr::AtLeast(u32::try_from(*n).unwrap_or(0), items),
                }
            }
            ExprKind::Paren(inner) => self.expr_in(inner, phase),
        }
    }

    fn reference(&mut self, call: &ast::Call, phase: Option<Phase>) -> Expr {
        let name = &call.name.text;
        if call.args.is_none() {
            if let Some((_, v)) = self.env.iter().rev().find(|(n, _)| n == name) {
                return Expr::Const(*v);
            }
        }
        if let Some(&id) = self.indicators.get(name) {
            let indicator = &self.program.indicators[id as usize];
            if indicator.params.is_empty() {
                return Expr::Slot(phase, indicator.first_slot);
            }
            let names: Vec<String> = indicator.params.iter().map(|(n, _)| n.clone()).collect();
            let args = self.ordered_args(names.iter().map(String::as_str), call.args.as_deref());
            let indicator = &self.program.indicators[id as usize];
            let constants = constant_values(&args);
            return match constants {
                Some(values) => {
                    let domains: Vec<Domain> =
                        indicator.params.iter().map(|(_, d)| d.clone()).collect();
                    match dense_index(&domains, &values) {
                        Some(i) => Expr::Slot(phase, indicator.first_slot + i),
                        // Out of the parameter's range: no such finding, always unknown.
                        None => Expr::DynSlot(phase, id, args),
                    }
                }
                None => Expr::DynSlot(phase, id, args),
            };
        }
        if let Some(&id) = self.tables.get(name) {
            let params: Vec<String> = match self.scope.values.get(name) {
                Some(ValueDef::Table(params, _)) => params.iter().map(|(n, _)| n.clone()).collect(),
                _ => Vec::new(),
            };
            let args = self.ordered_args(params.iter().map(String::as_str), call.args.as_deref());
            let table = &self.program.tables[id as usize];
            let constants = constant_values(&args);
            if let Some(values) = constants {
                if let Some(i) = dense_index(&table.params, &values) {
                    if let Some(v) = table.entries.get(i as usize) {
                        return Expr::Const(*v);
                    }
                }
            }
            return Expr::Table(id, args);
        }
        Expr::Const(self.symbol(name).unwrap_or(Value::None))
    }
}
