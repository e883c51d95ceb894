//! Checks of a case (from a `.sot` file or JSON case data): visit order, findings (of the
//! history, the visits and their `after` blocks) against their indicators, given adjustments
//! and `expect` lines.
//!
//! Codes: E0501 (visit order, unknown indicators, findings of the wrong value, duplicate or
//! ambiguous findings), E0201 (finding arguments), E0502 (`expect` naming what does not exist,
//! unknown check outcomes, missing bindings), and E0101 (unknown adjustment in `given`).

use foldhash::HashMap;

use sot_grammar::ast::{self, Arg, Call, Finding, FindingValue, Span};

use super::calls::{arg_count, mixed_args, unknown_param};
use super::values::{canonical, value_help, ValueProblem};
use super::Checker;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::resolve::{Namespace, ValueDef};
use crate::types::Ty;

/// A finding's identity in a block: the indicator and its arguments (`_` for wildcards).
type FindingKey = (String, Vec<String>);

impl Checker<'_> {
    pub(super) fn case(&mut self, c: &ast::Case) {
        if let Some(history) = &c.history {
            self.findings(history);
        }
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
            // `untestable` fits every indicator: the examiner could not test it.
            let found = match &f.value {
                FindingValue::Found(l) => Some(l),
                FindingValue::Untestable { .. } => None,
            };
            if let Some(Err(problem)) = found.map(|l| self.value_in(l, &ty)) {
                let message = match problem {
                    ValueProblem::Mismatch(m)
                    | ValueProblem::Outside(m)
                    | ValueProblem::Unit(m) => m,
                };
                self.report(
                    Diagnostic::new(Code::E0501, f.value.span(), message)
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
                    let value = match &f.value {
                        FindingValue::Found(l) => canonical(l),
                        FindingValue::Untestable { reason, .. } => {
                            format!("untestable {:?}", reason.as_ref().map(|r| r.value.as_str()))
                        }
                    };
                    seen.insert(key, (f.span, value));
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
            K::Categories(names) => {
                for name in names {
                    if !self.scope.categories.contains(&name.text) {
                        let d = missing("category", name, self.scope.names(Namespace::Category));
                        self.report(d);
                    }
                }
            }
            K::RedFlag(name) | K::NoRedFlag(name) | K::NotRuledOut(name) | K::RuledOut(name)
                if !self.scope.red_flags.contains(&name.text) =>
            {
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
}
