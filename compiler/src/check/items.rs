//! Checks of declarations (parameter and `for` types, indicators, adjustments), rules and
//! checks, and adjustment calls.
//!
//! Codes: E0301 (a parameter or `for` type that is not finite), E0302 (too many parameter
//! combinations), E0101 (unknown category or adjustment; E0502 for an adjustment in `expect`),
//! E0201 (an adjustment call without its arguments), and the type errors of
//! [`crate::resolve::Scope::resolve_type`].

use sot_grammar::ast::{self, Call, Span, TypeExpr};

use super::calls::missing_args;
use super::expressions::non_none_keys;
use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::resolve::Namespace;
use crate::types::{vertebra_name, Ty};

/// The most parameter combinations of one indicator or table, or bindings of one rule or
/// check (each is kept in memory: a finding slot, a table entry, a rule instance).
const MAX_COMBINATIONS: u64 = 100_000;

impl Checker<'_> {
    // ----- declarations -----------------------------------------------------------------

    pub(super) fn ty(&mut self, ty: &TypeExpr) -> Ty {
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

    pub(super) fn params(&mut self, params: &[ast::Param]) -> Vec<(String, Ty)> {
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
    pub(super) fn limit_combinations(&mut self, params: &[(String, Ty)], span: Span, what: &str) {
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

    /// Every value of a finite type, in canonical form; `None` when not finite.
    pub(super) fn domain_values(&self, ty: &Ty) -> Option<Vec<String>> {
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

    /// E0101 for an `in category` naming no category.
    pub(super) fn in_category(&mut self, category: Option<&ast::Name>) {
        if let Some(category) = category {
            if !self.scope.categories.contains(&category.text) {
                let d = self
                    .scope
                    .unknown(Namespace::Category, "category", category);
                self.report(d);
            }
        }
    }

    /// A `coexist` line: E0101 for an unknown category, E0102 for one named twice, E0405
    /// for fewer than two distinct categories (E0404 is the scope's: it reads precedence).
    pub(super) fn coexist(&mut self, names: &[ast::Name]) {
        let mut distinct: Vec<&ast::Name> = Vec::new();
        for name in names {
            if !self.scope.categories.contains(&name.text) {
                let d = self.scope.unknown(Namespace::Category, "category", name);
                self.report(d);
            }
            match distinct.iter().find(|d| d.text == name.text) {
                Some(first) => {
                    let d = Diagnostic::new(
                        Code::E0102,
                        name.span,
                        format!("`{}` is named twice on this `coexist` line", name.text),
                    )
                    .label("named again here")
                    .with_secondary(first.span, "first named here")
                    .help("name each category once");
                    self.report(d);
                }
                None => distinct.push(name),
            }
        }
        if distinct.len() < 2 {
            let span = match (names.first(), names.last()) {
                (Some(first), Some(last)) => first.span.to(last.span),
                _ => Span::default(),
            };
            let named = match distinct.first() {
                Some(one) => format!("only `{}`", one.text),
                None => "no category".into(),
            };
            let d = Diagnostic::new(
                Code::E0405,
                span,
                format!("a `coexist` line needs two or more categories; this one names {named}"),
            )
            .label("fewer than two distinct categories")
            .help("name the categories that may hold together, e.g. `coexist III, II`, or remove the line");
            self.report(d);
        }
    }

    pub(super) fn rule(&mut self, r: &ast::Rule) {
        self.in_category(r.in_category.as_ref());
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

    pub(super) fn check(&mut self, c: &ast::Check) {
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
    pub(super) fn adjustment_call(&mut self, call: &Call, unknown: Code, is_use: bool) {
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
}
