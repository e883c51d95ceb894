//! Checks of names in expressions (indicators, tables, enum values, `for` variables) and of
//! the arguments of calls against their parameters.
//!
//! Codes: E0101 (unknown name), E0201 (argument count, mixed positional and named, unknown,
//! repeated or missing arguments), E0307 (an indicator in a check without `before.`/`after.`).

use foldhash::HashSet;

use sot_grammar::ast::{self, Arg, Call, Span};
use sot_grammar::format_call;

use super::Checker;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::resolve::{Namespace, ValueDef};
use crate::types::Ty;

impl Checker<'_> {
    pub(super) fn reference(&mut self, call: &Call) -> Ty {
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
                // `before.x`, `after.x` and `previous.x` narrow separately: the phase is part
                // of the key.
                let key = match self.phase {
                    Some(phase) => format!("{}.{}", phase.as_str(), format_call(call)),
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
    pub(super) fn args(&mut self, call: &Call, params: &[(String, Ty)], args: &[Arg], what: &str) {
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
}

pub(super) fn mixed_args(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::E0201,
        span,
        "positional and named arguments are mixed",
    )
    .help("name every argument (`line: 2, area: 3`) or none")
}

pub(super) fn arg_count(
    span: Span,
    callee: &str,
    params: &[(String, Ty)],
    given: usize,
) -> Diagnostic {
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

pub(super) fn unknown_param(
    label: &ast::Name,
    callee: &str,
    params: &[(String, Ty)],
) -> Diagnostic {
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

pub(super) fn missing_args(call: &Call, params: &[(String, Ty)], what: &str) -> Diagnostic {
    let names: Vec<String> = params.iter().map(|(n, _)| format!("{n}: …")).collect();
    Diagnostic::new(
        Code::E0201,
        call.span,
        format!("{what} `{}` needs arguments", call.name.text),
    )
    .help(format!("write `{}({})`", call.name.text, names.join(", ")))
}
