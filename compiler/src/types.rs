//! The types of the language (LANGUAGE.md §3 "Types") and the built-in vocabularies.

use std::fmt;
use std::sync::Arc;

use sot_grammar::ast::Unit;

/// What a measure measures; units of one dimension convert into each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// `mm`, `cm`.
    Length,
    /// `deg`.
    Angle,
}

/// The dimension of a unit.
pub fn dimension(unit: Unit) -> Dimension {
    match unit {
        Unit::Mm | Unit::Cm => Dimension::Length,
        Unit::Deg => Dimension::Angle,
    }
}

/// A measure in its dimension's base unit (mm or deg).
pub fn to_base(value: f64, unit: Unit) -> f64 {
    match unit {
        Unit::Cm => value * 10.0,
        Unit::Mm | Unit::Deg => value,
    }
}

/// A user-declared enum type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnumType {
    /// The type's name.
    pub name: String,
    /// Its values in declaration order.
    pub values: Arc<[String]>,
}

/// A type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// `yes` / `no`.
    Bool,
    /// `left` / `right`.
    Side,
    /// The categories the protocol declares.
    Category,
    /// A declared enum.
    Enum(EnumType),
    /// Vertebrae from `lo` to `hi` (indices into [`VERTEBRAE`]).
    Vertebra(u8, u8),
    /// Integers from `lo` to `hi`, inclusive.
    Int(i64, i64),
    /// A decimal measure from `lo` to `hi` (in the base unit), written in `unit`.
    Measure(f64, f64, Unit),
    /// A number written without a unit where a measure may be meant.
    Decimal,
    /// `T?`: the values of `T` and `none`.
    Optional(Box<Ty>),
    /// The literal `none`.
    NoneLit,
    /// A type that could not be determined (an error was reported already).
    Error,
}

impl Ty {
    /// The type without `?`.
    pub fn strip_optional(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner,
            other => other,
        }
    }

    /// Whether it is `T?`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
    }

    /// Whether `<`, `>` … apply.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            Ty::Int(..) | Ty::Measure(..) | Ty::Decimal | Ty::Vertebra(..) | Ty::Error
        )
    }

    /// Whether it may be a parameter or a `for` domain: finitely many values.
    pub fn is_finite(&self) -> bool {
        match self {
            Ty::Bool | Ty::Side | Ty::Category | Ty::Enum(_) | Ty::Vertebra(..) | Ty::Int(..) => {
                true
            }
            Ty::Error => true,
            Ty::Optional(inner) => inner.is_finite(),
            Ty::Measure(..) | Ty::Decimal | Ty::NoneLit => false,
        }
    }

    /// Whether values of the two types can be compared with each other: same kind (integers
    /// of any range, vertebrae of any range, measures of one dimension), ignoring `?`.
    pub fn same_kind(&self, other: &Ty) -> bool {
        match (self.strip_optional(), other.strip_optional()) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Int(..), Ty::Int(..)) | (Ty::Vertebra(..), Ty::Vertebra(..)) => true,
            (Ty::Measure(_, _, a), Ty::Measure(_, _, b)) => dimension(*a) == dimension(*b),
            (Ty::Enum(a), Ty::Enum(b)) => a.name == b.name,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Side => f.write_str("Side"),
            Ty::Category => f.write_str("Category"),
            Ty::Enum(e) => f.write_str(&e.name),
            Ty::Vertebra(0, 26) => f.write_str("Vertebra"),
            Ty::Vertebra(lo, hi) if lo == hi => f.write_str(vertebra_name(*lo)),
            Ty::Vertebra(lo, hi) => write!(f, "{}..{}", vertebra_name(*lo), vertebra_name(*hi)),
            Ty::Int(lo, hi) if lo == hi => write!(f, "the number {lo}"),
            Ty::Int(lo, hi) => write!(f, "{lo}..{hi}"),
            Ty::Measure(lo, hi, unit) => {
                let scale = if *unit == Unit::Cm { 10.0 } else { 1.0 };
                // Decimal ranges are written with a point: `0.0..40.0 mm`.
                let show = |v: f64| {
                    let v = v / scale;
                    if v.fract() == 0.0 {
                        format!("{v:.1}")
                    } else {
                        format!("{v}")
                    }
                };
                if lo == hi {
                    write!(f, "{} {}", show(*lo), unit.as_str())
                } else {
                    write!(f, "{}..{} {}", show(*lo), show(*hi), unit.as_str())
                }
            }
            Ty::Decimal => f.write_str("a number without a unit"),
            Ty::Optional(inner) => write!(f, "{inner}?"),
            Ty::NoneLit => f.write_str("none"),
            Ty::Error => f.write_str("an unknown type"),
        }
    }
}

/// How many values a finite type has (`categories`: how many the protocol declares).
pub fn domain_size(ty: &Ty, categories: usize) -> Option<u64> {
    Some(match ty.strip_optional() {
        Ty::Bool | Ty::Side => 2,
        Ty::Category => categories as u64,
        Ty::Enum(e) => e.values.len() as u64,
        Ty::Vertebra(lo, hi) => u64::from(hi.saturating_sub(*lo)) + 1,
        Ty::Int(lo, hi) => u64::try_from(hi.saturating_sub(*lo))
            .unwrap_or(u64::MAX)
            .saturating_add(1),
        _ => return None,
    })
}

/// The vertebrae in order down the spine; `Vertebra` values are indices into this.
pub const VERTEBRAE: [&str; 27] = [
    "occiput", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "T1", "T2", "T3", "T4", "T5", "T6", "T7",
    "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "sacrum", "coccyx",
];

/// The index of a vertebra's name.
pub fn vertebra_index(name: &str) -> Option<u8> {
    VERTEBRAE
        .iter()
        .position(|v| *v == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// The name of a vertebra index (clamped to the spine).
pub fn vertebra_name(index: u8) -> &'static str {
    VERTEBRAE[usize::from(index).min(VERTEBRAE.len() - 1)]
}

/// The values of `Side`.
pub const SIDES: [&str; 2] = ["left", "right"];

/// The built-in type names.
pub const BUILTIN_TYPES: [&str; 4] = ["bool", "Side", "Vertebra", "Category"];
