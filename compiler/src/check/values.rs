//! Checks of a literal value against a type: its kind, its range or membership, its unit.
//!
//! Codes: E0301 (wrong kind of value), E0302 (outside the range, not a member), E0303 (unit
//! missing or of another dimension); cases report these as E0501.

use sot_grammar::ast::{Expr, Literal, LiteralKind};
use sot_grammar::format_expr;

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::types::{dimension, to_base, vertebra_index, Ty};

/// A problem with a literal value against a type; the caller picks the code.
pub(super) enum ValueProblem {
    /// Wrong kind of value (E0301).
    Mismatch(String),
    /// Out of range or not a member (E0302).
    Outside(String),
    /// Unit missing or of another dimension (E0303).
    Unit(String),
}

impl Checker<'_> {
    /// Checks a literal against a type, reporting E0301/E0302/E0303; returns whether it fits.
    /// `subject` is the expression it is compared with, for the message.
    pub(super) fn literal_in(&mut self, lit: &Literal, ty: &Ty, subject: Option<&Expr>) -> bool {
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
    pub(super) fn value_in(&self, lit: &Literal, ty: &Ty) -> Result<(), ValueProblem> {
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

pub(super) fn value_help(ty: &Ty) -> String {
    match ty.strip_optional() {
        Ty::Bool => "write `yes` or `no`".into(),
        Ty::Side => "write `left` or `right`".into(),
        Ty::Enum(e) => format!("write one of {}", e.values.join(", ")),
        Ty::Measure(_, _, u) => format!("write a number with its unit, e.g. `6 {}`", u.as_str()),
        _ if ty.is_optional() => format!("write a value of {ty}, or `none`"),
        _ => format!("write a value of {ty}"),
    }
}

/// The canonical text of a literal (numbers in their base unit), for keys and messages.
pub(super) fn canonical(lit: &Literal) -> String {
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
