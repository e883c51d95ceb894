//! A condition explained: the parts of it that decided its truth value, each test written
//! as the protocol writes it (bound values folded in) with the findings it read. This is
//! what `sot why` says of a `when`, an `unless`, a red flag's or a category's condition, and
//! a check's `need`, `complete` and `marginal`.
//!
//! Only what could change the answer is kept, as `support` does for the findings: a false
//! `and` keeps its false conjuncts, a true `or` its true disjuncts, an unknown value its
//! unknown parts. The truth of each part is the evaluator's (`sot_ir::eval::truth`).

use serde::Serialize;
use sot_ir::{Cmp, Expr, Program, ValueType};

use crate::evaluate::{reads, truth, Tri};
use crate::explain::{finding_values, FindingValue, Sources};

/// A truth value as reports write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    /// Known true.
    True,
    /// Known false.
    False,
    /// Depends on findings not known.
    Unknown,
}

impl From<Tri> for Truth {
    fn from(t: Tri) -> Self {
        match t {
            Tri::True => Truth::True,
            Tri::False => Truth::False,
            Tri::Unknown => Truth::Unknown,
        }
    }
}

/// The parts of a condition that decided its value.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deciding {
    /// A test of findings: a comparison, a yes/no finding, `x in {…}`.
    Test {
        /// The test as the protocol writes it, bound values folded in
        /// (`occipital_fiber(side: right, line: 2, area: 6) >= 2`): the value it needs.
        test: String,
        /// Its value.
        truth: Truth,
        /// The findings it read, with the values found.
        findings: Vec<FindingValue>,
    },
    /// `and`, `all of`: every conjunct when true, the false ones when false, the unknown
    /// ones when unknown.
    All {
        /// Its value.
        truth: Truth,
        /// How many conjuncts it has.
        of: usize,
        /// The conjuncts that decided it.
        parts: Vec<Deciding>,
    },
    /// `or`, `any of`: the true disjuncts when true, every one when false, the unknown ones
    /// when unknown.
    Any {
        /// Its value.
        truth: Truth,
        /// How many disjuncts it has.
        of: usize,
        /// The disjuncts that decided it.
        parts: Vec<Deciding>,
    },
    /// `at least N of (…)`: the true ones when true, the false ones when false, the unknown
    /// ones when unknown.
    AtLeast {
        /// Its value.
        truth: Truth,
        /// N.
        needed: u32,
        /// How many of its parts hold.
        held: u32,
        /// How many parts it has.
        of: usize,
        /// The parts that decided it.
        parts: Vec<Deciding>,
    },
    /// `not (…)` of a compound condition (`not x` of a test is a test).
    Not {
        /// Its value.
        truth: Truth,
        /// The condition negated, explained.
        part: Box<Deciding>,
    },
}

impl Deciding {
    /// Its value.
    pub fn truth(&self) -> Truth {
        match self {
            Deciding::Test { truth, .. }
            | Deciding::All { truth, .. }
            | Deciding::Any { truth, .. }
            | Deciding::AtLeast { truth, .. }
            | Deciding::Not { truth, .. } => *truth,
        }
    }

    /// Every finding it names, each once, in order.
    pub fn findings(&self) -> Vec<FindingValue> {
        let mut out: Vec<FindingValue> = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<FindingValue>) {
        match self {
            Deciding::Test { findings, .. } => {
                for f in findings {
                    if !out.contains(f) {
                        out.push(f.clone());
                    }
                }
            }
            Deciding::All { parts, .. }
            | Deciding::Any { parts, .. }
            | Deciding::AtLeast { parts, .. } => parts.iter().for_each(|p| p.collect(out)),
            Deciding::Not { part, .. } => part.collect(out),
        }
    }
}

/// The parts of `e` that decided its value where `src` reads findings.
pub(crate) fn deciding(program: &Program, e: &Expr, src: Sources) -> Deciding {
    let own = truth(program, e, src.env);
    let pick = |items: &[Expr], wanted: Tri| -> Vec<Deciding> {
        items
            .iter()
            .filter(|i| truth(program, i, src.env) == wanted)
            .map(|i| deciding(program, i, src))
            .collect()
    };
    match e {
        // `and` true: every conjunct; false or unknown: those with its value.
        Expr::And(items) => Deciding::All {
            truth: own.into(),
            of: items.len(),
            parts: pick(items, own),
        },
        Expr::Or(items) => Deciding::Any {
            truth: own.into(),
            of: items.len(),
            parts: pick(items, own),
        },
        Expr::AtLeast(n, items) => Deciding::AtLeast {
            truth: own.into(),
            needed: *n,
            held: items
                .iter()
                .filter(|i| truth(program, i, src.env) == Tri::True)
                .count() as u32,
            of: items.len(),
            parts: pick(items, own),
        },
        Expr::Not(inner) if compound(inner) => Deciding::Not {
            truth: own.into(),
            part: Box::new(deciding(program, inner, src)),
        },
        leaf => {
            let mut refs = Vec::new();
            reads(program, leaf, src.env, false, &mut refs);
            Deciding::Test {
                test: show(program, leaf, None),
                truth: own.into(),
                findings: finding_values(program, src, &refs),
            }
        }
    }
}

fn compound(e: &Expr) -> bool {
    matches!(
        e,
        Expr::And(_) | Expr::Or(_) | Expr::AtLeast(..) | Expr::Not(_)
    )
}

fn op(c: Cmp) -> &'static str {
    match c {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
    }
}

/// The type of the values `e` yields, when a finding it reads says.
fn type_of<'p>(program: &'p Program, e: &Expr) -> Option<&'p ValueType> {
    let indicator = |i: u32| program.indicators.get(i as usize).map(|i| &i.ty);
    match e {
        Expr::Slot(_, slot) | Expr::Test(_, slot, ..) => program
            .slot_indicator
            .get(*slot as usize)
            .and_then(|i| indicator(*i)),
        Expr::DynSlot(_, i, _) => indicator(*i),
        Expr::Add(l, ..) => type_of(program, l),
        _ => None,
    }
}

/// `e` as the protocol writes it; constants shown in the type `hint` (or the type of what
/// they are compared with).
pub(crate) fn show(program: &Program, e: &Expr, hint: Option<&ValueType>) -> String {
    let phase = |p: &Option<sot_ir::Phase>| p.map(|p| format!("{}.", p.word())).unwrap_or_default();
    let slot = |s: u32| {
        program
            .slot_indicator
            .get(s as usize)
            .and_then(|i| program.indicators.get(*i as usize))
            .map_or_else(|| format!("#{s}"), |i| i.show_slot(s))
    };
    let list = |items: &[Expr], sep: &str| {
        items
            .iter()
            .map(|i| {
                let text = show(program, i, None);
                if compound(i) && !matches!(i, Expr::Not(_)) {
                    format!("({text})")
                } else {
                    text
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    match e {
        Expr::Const(v) => match hint {
            Some(ty) => ty.show(*v),
            None => ValueType::Int.show(*v),
        },
        Expr::Slot(p, s) => format!("{}{}", phase(p), slot(*s)),
        Expr::DynSlot(p, i, args) => {
            let Some(ind) = program.indicators.get(*i as usize) else {
                return format!("#{i}");
            };
            let args: Vec<String> = ind
                .params
                .iter()
                .zip(args)
                .map(|((name, domain), a)| {
                    format!("{name}: {}", show(program, a, Some(&domain.ty)))
                })
                .collect();
            format!("{}{}({})", phase(p), ind.name, args.join(", "))
        }
        Expr::Test(p, s, c, v) => {
            let ty = type_of(program, e);
            format!(
                "{}{} {} {}",
                phase(p),
                slot(*s),
                op(*c),
                ty.map_or_else(|| ValueType::Int.show(*v), |t| t.show(*v))
            )
        }
        Expr::Compare(c, l, r) => {
            let ty = type_of(program, l).or_else(|| type_of(program, r));
            format!(
                "{} {} {}",
                show(program, l, ty),
                op(*c),
                show(program, r, ty)
            )
        }
        Expr::InSet(x, set) => {
            let ty = type_of(program, x);
            let values: Vec<String> = set
                .iter()
                .map(|v| ty.map_or_else(|| ValueType::Int.show(*v), |t| t.show(*v)))
                .collect();
            format!("{} in {{{}}}", show(program, x, ty), values.join(", "))
        }
        Expr::Add(l, r, negate) => format!(
            "{} {} {}",
            show(program, l, hint),
            if *negate { "-" } else { "+" },
            show(program, r, Some(&ValueType::Int))
        ),
        Expr::Table(t, args) => {
            let Some(table) = program.tables.get(*t as usize) else {
                return format!("#{t}");
            };
            let args: Vec<String> = table
                .params
                .iter()
                .zip(args)
                .map(|(domain, a)| show(program, a, Some(&domain.ty)))
                .collect();
            format!("{}({})", table.name, args.join(", "))
        }
        Expr::Not(inner) if compound(inner) => format!("not ({})", show(program, inner, None)),
        Expr::Not(inner) => format!("not {}", show(program, inner, None)),
        Expr::And(items) => list(items, " and "),
        Expr::Or(items) => list(items, " or "),
        Expr::AtLeast(n, items) => format!("at least {n} of ({})", list(items, ", ")),
    }
}
