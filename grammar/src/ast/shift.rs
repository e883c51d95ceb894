//! Moving the spans of a tree: for pieces parsed out of a larger text (a JSON string holding
//! a call), so diagnostics point into that text.

use super::*;

/// Moving every span of a tree by a number of bytes: for pieces parsed out of a larger
/// text (a JSON string holding a call), so diagnostics point into that text.
pub trait Shift {
    /// Moves every span `by` bytes to the right.
    fn shift(&mut self, by: usize);
}

impl Shift for Span {
    fn shift(&mut self, by: usize) {
        *self = Span::shift(*self, by);
    }
}

impl Shift for Name {
    fn shift(&mut self, by: usize) {
        self.span = self.span.shift(by);
    }
}

impl Shift for Literal {
    fn shift(&mut self, by: usize) {
        self.span = self.span.shift(by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: usize) {
        if let Some(inner) = self {
            inner.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: usize) {
        self.iter_mut().for_each(|x| x.shift(by));
    }
}

impl Shift for Arg {
    fn shift(&mut self, by: usize) {
        self.label.shift(by);
        self.value.shift(by);
        self.span = self.span.shift(by);
    }
}

impl Shift for Call {
    fn shift(&mut self, by: usize) {
        self.name.shift(by);
        self.args.shift(by);
        self.span = self.span.shift(by);
    }
}

impl Shift for Expr {
    fn shift(&mut self, by: usize) {
        self.span = self.span.shift(by);
        match &mut self.kind {
            ExprKind::Literal(l) => l.shift(by),
            ExprKind::Ref(c) | ExprKind::Phase(_, c) => c.shift(by),
            ExprKind::Not(e) | ExprKind::Paren(e) => e.shift(by),
            ExprKind::Logic(_, items) | ExprKind::Quant(_, items) => items.shift(by),
            ExprKind::Compare(_, l, r) | ExprKind::Arith(_, l, r) => {
                l.shift(by);
                r.shift(by);
            }
            ExprKind::InSet(x, set) => {
                x.shift(by);
                set.shift(by);
            }
        }
    }
}

impl Shift for Expect {
    fn shift(&mut self, by: usize) {
        self.span = self.span.shift(by);
        match &mut self.kind {
            ExpectKind::Category(name) => name.shift(by),
            ExpectKind::RedFlag(name)
            | ExpectKind::NoRedFlag(name)
            | ExpectKind::NotRuledOut(name)
            | ExpectKind::RuledOut(name) => name.shift(by),
            ExpectKind::Categories(names) => names.shift(by),
            ExpectKind::Adjustment(call) | ExpectKind::NoAdjustment(call) => call.shift(by),
            ExpectKind::Check {
                name,
                args,
                outcome,
            } => {
                name.shift(by);
                args.shift(by);
                outcome.shift(by);
            }
            ExpectKind::Withheld { name, args } => {
                name.shift(by);
                args.shift(by);
            }
            ExpectKind::Ambiguous
            | ExpectKind::Provisional
            | ExpectKind::Refer
            | ExpectKind::NoRefer => {}
        }
    }
}
