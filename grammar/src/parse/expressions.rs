//! Building expressions, literals and calls from pest's pairs.
//!
//! Produces the `MixedAndOr` syntax error (E0305: `and` and `or` mixed without brackets) and
//! a `Syntax` error (E0001) for more than [`MAX_NESTING`] `not` in a row.

use pest::iterators::Pair;

use super::{
    name, next, next_if, parse_int, skip_keywords, span_of, unit, Builder, Built, Malformed, Rule,
};
use super::{SyntaxError, SyntaxErrorKind, MAX_NESTING};
use crate::ast::*;

impl Builder {
    pub(super) fn literal(&mut self, pair: Pair<Rule>) -> Built<Literal> {
        let pair = if pair.as_rule() == Rule::literal {
            next(&mut pair.into_inner())?
        } else {
            pair
        };
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::quantity => self.quantity(pair)?,
            Rule::kw_yes => LiteralKind::Bool(true),
            Rule::kw_no => LiteralKind::Bool(false),
            Rule::kw_none => LiteralKind::None,
            Rule::ident => LiteralKind::Name(pair.as_str().to_string()),
            _ => return Err(Malformed),
        };
        Ok(Literal { kind, span })
    }

    fn quantity(&mut self, pair: Pair<Rule>) -> Built<LiteralKind> {
        let mut p = pair.into_inner();
        let number = next(&mut p)?;
        let text = number.as_str();
        let value: f64 = text.parse().map_err(|_| Malformed)?;
        let unit = match p.next() {
            Some(u) => Some(unit(u.as_str())?),
            None => None,
        };
        Ok(LiteralKind::Number {
            value,
            integer: !text.contains('.'),
            unit,
        })
    }

    pub(super) fn calls(&mut self, pair: Pair<Rule>) -> Built<Vec<Call>> {
        pair.into_inner().map(|c| self.call(c)).collect()
    }

    /// A `call` or `reference` pair: a name with optional arguments.
    pub(super) fn call(&mut self, pair: Pair<Rule>) -> Built<Call> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        let callee = name(next(&mut p)?);
        let args = match p.next() {
            Some(a) => Some(self.args(a)?),
            None => None,
        };
        Ok(Call {
            name: callee,
            args,
            span,
        })
    }

    pub(super) fn args(&mut self, pair: Pair<Rule>) -> Built<Vec<Arg>> {
        pair.into_inner()
            .map(|arg| {
                let span = span_of(&arg);
                let inner = next(&mut arg.into_inner())?;
                if inner.as_rule() == Rule::named_arg {
                    let mut np = inner.into_inner();
                    let label = name(next(&mut np)?);
                    let value = self.expr(next(&mut np)?)?;
                    Ok(Arg {
                        label: Some(label),
                        value,
                        span,
                    })
                } else {
                    Ok(Arg {
                        label: None,
                        value: self.expr(inner)?,
                        span,
                    })
                }
            })
            .collect()
    }

    /// The expression of a `when`/`unless`/`need`/… clause.
    pub(super) fn clause_expr(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        self.expr(next(&mut p)?)
    }

    /// An expression: a `logic` pair (the grammar's `expr` is silent).
    fn expr(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        if pair.as_rule() != Rule::logic {
            return Err(Malformed);
        }
        let mut p = pair.clone().into_inner();
        let first = self.unary(next(&mut p)?)?;
        if p.peek().is_none() {
            return Ok(first);
        }
        let span = span_of(&pair);
        let mut operands = Vec::with_capacity(p.len() / 2 + 1);
        operands.push(first);
        let mut op: Option<LogicOp> = None;
        let mut mixed = false;
        while let Some(op_pair) = p.next() {
            let this = match next(&mut op_pair.into_inner())?.as_rule() {
                Rule::kw_and => LogicOp::And,
                _ => LogicOp::Or,
            };
            if op.is_some_and(|o| o != this) {
                mixed = true;
            }
            op = Some(this);
            operands.push(self.unary(next(&mut p)?)?);
        }
        if mixed {
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::MixedAndOr,
                message: "`and` and `or` are mixed without parentheses".into(),
                help: Some(
                    "add parentheses to say which grouping is meant, e.g. `(a and b) or c`".into(),
                ),
                span,
            });
        }
        Ok(Expr {
            kind: ExprKind::Logic(op.ok_or(Malformed)?, operands),
            span,
        })
    }

    fn unary(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let mut p = pair.into_inner();
        let mut nots = Vec::new();
        while let Some(n) = next_if(&mut p, Rule::kw_not) {
            nots.push(span_of(&n));
        }
        if nots.len() > MAX_NESTING {
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::Syntax,
                message: format!("more than {MAX_NESTING} `not` in a row"),
                help: Some("two `not` cancel out; remove them in pairs".into()),
                span: nots[0].to(nots[nots.len() - 1]),
            });
            return Err(Malformed);
        }
        let mut expr = self.comparison(next(&mut p)?)?;
        for not_span in nots.into_iter().rev() {
            expr = Expr {
                span: not_span.to(expr.span),
                kind: ExprKind::Not(Box::new(expr)),
            };
        }
        Ok(expr)
    }

    fn comparison(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let mut p = pair.clone().into_inner();
        let lhs = self.sum(next(&mut p)?)?;
        let Some(op) = p.next() else {
            return Ok(lhs);
        };
        let span = span_of(&pair);
        if op.as_rule() == Rule::kw_in {
            let set = next(&mut p)?
                .into_inner()
                .map(|l| self.literal(l))
                .collect::<Built<_>>()?;
            return Ok(Expr {
                kind: ExprKind::InSet(Box::new(lhs), set),
                span,
            });
        }
        let op = match op.as_str() {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return Err(Malformed),
        };
        let rhs = self.sum(next(&mut p)?)?;
        Ok(Expr {
            kind: ExprKind::Compare(op, Box::new(lhs), Box::new(rhs)),
            span,
        })
    }

    fn sum(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let mut p = pair.into_inner();
        let mut lhs = self.atom(next(&mut p)?)?;
        while let Some(op) = p.next() {
            let rhs = self.atom(next(&mut p)?)?;
            lhs = Expr {
                span: lhs.span.to(rhs.span),
                kind: ExprKind::Arith(op.as_str() == "+", Box::new(lhs), Box::new(rhs)),
            };
        }
        Ok(lhs)
    }

    fn atom(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let inner = next(&mut pair.into_inner())?;
        let span = span_of(&inner);
        let kind = match inner.as_rule() {
            Rule::quantifier => {
                let mut p = inner.into_inner();
                let kind = next(&mut p)?;
                let mut kp = kind.into_inner();
                let first = next(&mut kp)?;
                let q = match first.as_rule() {
                    Rule::kw_any => Quantifier::Any,
                    Rule::kw_all => Quantifier::All,
                    _ => {
                        next(&mut kp)?; // `least`
                        let n = next(&mut kp)?;
                        Quantifier::AtLeast(parse_int(&n)?)
                    }
                };
                let items = p.map(|e| self.expr(e)).collect::<Built<_>>()?;
                ExprKind::Quant(q, items)
            }
            Rule::before_after => {
                let mut p = inner.into_inner();
                let phase = match next(&mut p)?.as_rule() {
                    Rule::kw_before => Phase::Before,
                    Rule::kw_after => Phase::After,
                    Rule::kw_previous => Phase::Previous,
                    _ => return Err(Malformed),
                };
                ExprKind::Phase(phase, self.call(next(&mut p)?)?)
            }
            Rule::paren => ExprKind::Paren(Box::new(self.expr(next(&mut inner.into_inner())?)?)),
            Rule::reference => ExprKind::Ref(self.call(inner)?),
            _ => ExprKind::Literal(self.literal(inner)?),
        };
        Ok(Expr { kind, span })
    }
}
