//! Checks of expressions: conditions, `before.`/`after.`/`previous.`, comparisons, arithmetic,
//! quantifiers, and whether a value fits where it goes; narrowing by `x != none`.
//!
//! Codes: E0301 (wrong type), E0302 (out of range, not a member, `at least N` out of bounds,
//! leaving the spine), E0303 (units), E0304 (may be none), E0306 (ordering without order or
//! with `none`), E0307 (`before.`/`after.` outside a check, `previous.` in one).

use sot_grammar::ast::{
    CmpOp, Expr, ExprKind, Literal, LiteralKind, LogicOp, Phase, Quantifier, Span,
};
use sot_grammar::{format_call, format_expr};

use super::Checker;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::resolve::{Scope, ValueDef};
use crate::types::{dimension, to_base, vertebra_index, Ty};

impl Checker<'_> {
    /// An expression that must be yes/no.
    pub(super) fn condition(&mut self, e: &Expr) {
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

    pub(super) fn expr(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Literal(l) => literal_ty(l),
            ExprKind::Ref(call) => self.reference(call),
            ExprKind::Phase(phase, call) => {
                // `previous.` belongs outside checks, `before.` and `after.` inside them.
                if (*phase == Phase::Previous) == self.in_check {
                    let (message, help) = if self.in_check {
                        (
                            "`previous.` cannot be used in a check".to_string(),
                            format!(
                                "write `before.{}` (in `across visits`, the previous visit's findings)",
                                format_call(call)
                            ),
                        )
                    } else {
                        (
                            format!("`{}.` can only be used in a check", phase.as_str()),
                            format!("write `{}` here", format_call(call)),
                        )
                    };
                    self.report(Diagnostic::new(Code::E0307, e.span, message).help(help));
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
                // `x in {a, b}` is `x == a or x == b` (LANGUAGE.md §3): with `none` among the
                // elements, `x` is looked at without narrowing, as in `x == none`.
                let has_none = set.iter().any(|l| l.kind == LiteralKind::None);
                let saved = if has_none {
                    std::mem::take(&mut self.narrowed)
                } else {
                    Vec::new()
                };
                let t = self.expr(x);
                if has_none {
                    self.narrowed = saved;
                }
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

    /// Checks that a value of type `actual` (of expression `e`) can go where `expected` is.
    pub(super) fn assignable(&mut self, expected: &Ty, actual: &Ty, e: &Expr, what: &str) {
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
}

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

/// The expressions a condition proves not `none` (`x != none` conjuncts), rendered.
pub(super) fn non_none_keys(e: &Expr) -> Vec<String> {
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
