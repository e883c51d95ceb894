//! A protocol's expressions in words for the handbook: names spoken (`arm_fossa` → "arm
//! fossa"), comparisons as sentences, and conditions as a tree of groups ("at least 2 of",
//! "any of", …) that the handbook shows as nested lists.

use std::collections::BTreeSet;

use sot_compiler::Ty;
use sot_grammar::ast::{self, CmpOp, ExprKind, LiteralKind, LogicOp, Phase, Quantifier};

/// A name in words: `arm_fossa` → "arm fossa".
pub(super) fn spoken(name: &str) -> String {
    name.replace('_', " ")
}

fn literal(l: &ast::Literal) -> String {
    match &l.kind {
        LiteralKind::Name(n) => spoken(n),
        _ => sot_grammar::format_literal(l),
    }
}

/// Where `before.`/`after.` findings come from, in words.
#[derive(Clone, Copy)]
pub(super) enum Moment {
    /// A visit's findings (rules, categories, red flags).
    Visit,
    /// A check within a visit: `before` and `after` the correction.
    Within,
    /// A check across visits: the previous visit and this one.
    Across,
}

fn subject(call: &ast::Call) -> String {
    let args = call.args.as_deref().unwrap_or_default();
    if args.is_empty() {
        return spoken(&call.name.text);
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| match &a.label {
            Some(l) => {
                let value = words(&a.value, Moment::Visit);
                // `area: area` (a `for` variable of the same name) reads "area".
                if value == spoken(&l.text) {
                    value
                } else {
                    format!("{} {value}", spoken(&l.text))
                }
            }
            None => words(&a.value, Moment::Visit),
        })
        .collect();
    format!("{} ({})", spoken(&call.name.text), args.join(", "))
}

/// An expression in words.
fn words(e: &ast::Expr, moment: Moment) -> String {
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Ref(call) => subject(call),
        ExprKind::Phase(phase, call) => {
            let when = match (phase, moment) {
                (Phase::Before, Moment::Across) => "at the previous visit",
                (Phase::After, Moment::Across) => "at this visit",
                (Phase::Before, _) => "before the correction",
                (Phase::After, _) => "after the correction",
                (Phase::Previous, _) => "at the previous visit",
            };
            format!("{} {when}", subject(call))
        }
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Ref(_) | ExprKind::Phase(..) => {
                format!("{} is negative", words(inner, moment))
            }
            _ => format!("not ({})", words(inner, moment)),
        },
        ExprKind::Logic(op, items) => {
            let sep = if *op == LogicOp::And {
                ", and "
            } else {
                ", or "
            };
            items
                .iter()
                .map(|i| words(i, moment))
                .collect::<Vec<_>>()
                .join(sep)
        }
        ExprKind::Compare(op, l, r) => {
            let none = |x: &ast::Expr| {
                matches!(
                    &x.kind,
                    ExprKind::Literal(ast::Literal {
                        kind: LiteralKind::None,
                        ..
                    })
                )
            };
            let (l_words, r_words) = (words(l, moment), words(r, moment));
            match (op, none(r)) {
                (CmpOp::Ne, true) => format!("{l_words} is found"),
                (CmpOp::Eq, true) => format!("{l_words} is not found"),
                (CmpOp::Eq, _) => format!("{l_words} is {r_words}"),
                (CmpOp::Ne, _) => format!("{l_words} is not {r_words}"),
                (CmpOp::Ge, _) => format!("{l_words} is at least {r_words}"),
                (CmpOp::Gt, _) => format!("{l_words} is more than {r_words}"),
                (CmpOp::Le, _) => format!("{l_words} is at most {r_words}"),
                (CmpOp::Lt, _) => format!("{l_words} is less than {r_words}"),
            }
        }
        ExprKind::InSet(x, set) => format!(
            "{} is one of {}",
            words(x, moment),
            set.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Arith(plus, l, r) => format!(
            "{} {} {}",
            words(l, moment),
            if *plus { "plus" } else { "minus" },
            words(r, moment)
        ),
        ExprKind::Quant(q, items) => {
            let head = match q {
                Quantifier::Any => "any of".to_string(),
                Quantifier::All => "all of".to_string(),
                Quantifier::AtLeast(n) => format!("at least {n} of"),
            };
            let items: Vec<String> = items.iter().map(|i| words(i, moment)).collect();
            format!("{head}: {}", items.join("; "))
        }
        ExprKind::Paren(inner) => format!("({})", words(inner, moment)),
    }
}

/// A condition in words: a sentence, or a group of conditions under a head ("any of").
#[derive(Debug, PartialEq)]
pub(super) enum Cond {
    /// One sentence: "heel tension is found".
    Leaf(String),
    /// "at least 2 of", and the conditions it groups.
    Group(String, Vec<Cond>),
}

/// A group of leaves only, joined by "and"/"or", reads as one sentence when it is this short.
const SENTENCE: usize = 72;

/// A condition in words; a yes/no indicator on its own reads "… is positive". `and`/`or`
/// of a few short conditions stay one sentence; anything else is a group.
pub(super) fn condition(e: &ast::Expr, moment: Moment, bools: &BTreeSet<String>) -> Cond {
    let is_bool = |x: &ast::Expr| match &x.kind {
        ExprKind::Ref(call) | ExprKind::Phase(_, call) => bools.contains(&call.name.text),
        _ => false,
    };
    match &e.kind {
        _ if is_bool(e) => Cond::Leaf(format!("{} is positive", words(e, moment))),
        ExprKind::Not(inner) if is_bool(inner) => {
            Cond::Leaf(format!("{} is negative", words(inner, moment)))
        }
        ExprKind::Not(inner) => match condition(inner, moment, bools) {
            Cond::Leaf(s) => Cond::Leaf(format!("not ({s})")),
            Cond::Group(head, items) => Cond::Group(negated(&head), items),
        },
        ExprKind::Logic(op, items) => {
            let items: Vec<Cond> = items.iter().map(|i| condition(i, moment, bools)).collect();
            let (head, sep) = match op {
                LogicOp::And => ("all of", ", and "),
                LogicOp::Or => ("any of", ", or "),
            };
            let leaves: Option<Vec<&str>> = items
                .iter()
                .map(|i| match i {
                    Cond::Leaf(s) => Some(s.as_str()),
                    Cond::Group(..) => None,
                })
                .collect();
            match leaves {
                Some(l) if l.iter().map(|s| s.len() + sep.len()).sum::<usize>() <= SENTENCE => {
                    Cond::Leaf(l.join(sep))
                }
                _ => Cond::Group(head.into(), items),
            }
        }
        ExprKind::Quant(q, items) => {
            let head = match q {
                Quantifier::Any => "any of".to_string(),
                Quantifier::All => "all of".to_string(),
                Quantifier::AtLeast(n) => format!("at least {n} of"),
            };
            Cond::Group(
                head,
                items.iter().map(|i| condition(i, moment, bools)).collect(),
            )
        }
        ExprKind::Paren(inner) => condition(inner, moment, bools),
        _ => Cond::Leaf(words(e, moment)),
    }
}

/// The head of a negated group: "any of" → "none of".
fn negated(head: &str) -> String {
    match head {
        "any of" => "none of".into(),
        "all of" => "not all of".into(),
        other => match other
            .strip_prefix("at least ")
            .and_then(|n| n.strip_suffix(" of"))
        {
            Some(n) => format!("fewer than {n} of"),
            None => format!("not {other}"),
        },
    }
}

/// The values of a type, in words.
pub(super) fn type_words(ty: &Ty) -> String {
    use sot_compiler::vertebra_name;
    match ty {
        Ty::Optional(inner) => format!("{}, or none", type_words(inner)),
        Ty::Bool => "yes or no".into(),
        Ty::Side => "left or right".into(),
        Ty::Category => "a category".into(),
        Ty::Enum(e) => format!("{} ({})", e.values.join(", "), e.name),
        Ty::Int(lo, hi) => format!("a whole number from {lo} to {hi}"),
        Ty::Measure(..) => format!("a measure, {ty}"),
        Ty::Vertebra(0, 26) => "a vertebra".into(),
        Ty::Vertebra(lo, hi) => format!(
            "a vertebra from {} to {}",
            vertebra_name(*lo),
            vertebra_name(*hi)
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::negated;

    #[test]
    fn a_negated_group_reads_as_its_opposite() {
        assert_eq!(negated("any of"), "none of");
        assert_eq!(negated("all of"), "not all of");
        assert_eq!(negated("at least 2 of"), "fewer than 2 of");
    }
}
