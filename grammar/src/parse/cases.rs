//! Building cases from pest's pairs: the history, visits, findings and `expect` lines.
//!
//! A pair the grammar does not allow here is `Malformed`; no syntax errors are produced here.

use pest::iterators::{Pair, Pairs};

use super::{
    name, next, next_if, parse_int, skip_keywords, span_of, string_lit, Builder, Built, Malformed,
    Rule,
};
use crate::ast::*;

impl Builder {
    pub(super) fn case(&mut self, mut p: Pairs<Rule>) -> Built<Case> {
        let name = name(next(&mut p)?);
        let title = next_if(&mut p, Rule::string).map(string_lit);
        let history = match next_if(&mut p, Rule::history_block) {
            Some(block) => Some(self.findings(block)?),
            None => None,
        };
        let visits = p.map(|v| self.visit(v)).collect::<Built<_>>()?;
        Ok(Case {
            name,
            title,
            history,
            visits,
        })
    }

    fn visit(&mut self, pair: Pair<Rule>) -> Built<Visit> {
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        let number_pair = next(&mut p)?;
        let number_span = span_of(&number_pair);
        let number = parse_int(&number_pair).unwrap_or(i64::MAX);
        let label = next_if(&mut p, Rule::string).map(string_lit);
        let findings = self.findings(next(&mut p)?)?;
        let mut given = None;
        let mut after = None;
        let mut expects = Vec::new();
        for part in p {
            match part.as_rule() {
                Rule::given_clause => {
                    let mut g = part.into_inner();
                    // `given none`: nothing was given (skip_keywords takes `none` too).
                    skip_keywords(&mut g);
                    given = Some(match g.next() {
                        Some(calls) => self.calls(calls)?,
                        None => Vec::new(),
                    });
                }
                Rule::after_block => after = Some(self.findings(part)?),
                Rule::expect => expects.push(self.expect(part)?),
                _ => return Err(Malformed),
            }
        }
        Ok(Visit {
            number,
            number_span,
            label,
            findings,
            given,
            after,
            expects,
        })
    }

    fn findings(&mut self, pair: Pair<Rule>) -> Built<Vec<Finding>> {
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        p.map(|f| self.finding(f)).collect()
    }

    fn finding(&mut self, pair: Pair<Rule>) -> Built<Finding> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        let indicator = name(next(&mut p)?);
        let mut args = Vec::new();
        if let Some(a) = next_if(&mut p, Rule::finding_args) {
            for arg in a.into_inner() {
                let arg_span = span_of(&arg);
                let mut ap = arg.into_inner();
                let label = next_if(&mut ap, Rule::label).map(name);
                let v = next(&mut ap)?;
                let value = match v.as_rule() {
                    Rule::wildcard => None,
                    _ => Some(self.literal(v)?),
                };
                args.push(FindingArg {
                    label,
                    value,
                    span: arg_span,
                });
            }
        }
        let v = next(&mut p)?;
        let value = match v.as_rule() {
            Rule::untestable => {
                let span = span_of(&v);
                let mut inner = v.into_inner();
                skip_keywords(&mut inner);
                let reason = next_if(&mut inner, Rule::string).map(string_lit);
                FindingValue::Untestable { reason, span }
            }
            _ => FindingValue::Found(self.literal(v)?),
        };
        Ok(Finding {
            indicator,
            args,
            value,
            span,
        })
    }

    pub(super) fn expect(&mut self, pair: Pair<Rule>) -> Built<Expect> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        let form = next(&mut next(&mut p)?.into_inner())?;
        let rule = form.as_rule();
        let mut f = form.into_inner();
        skip_keywords(&mut f);
        let kind = match rule {
            Rule::exp_category => {
                let mut names: Vec<Name> = f.map(name).collect();
                match names.len() {
                    0 | 1 => ExpectKind::Category(names.pop()),
                    _ => ExpectKind::Categories(names),
                }
            }
            Rule::exp_ambiguous => ExpectKind::Ambiguous,
            Rule::exp_provisional => ExpectKind::Provisional,
            Rule::exp_refer => ExpectKind::Refer,
            Rule::exp_red_flag => ExpectKind::RedFlag(name(next(&mut f)?)),
            Rule::exp_no_refer => ExpectKind::NoRefer,
            Rule::exp_no_red_flag => ExpectKind::NoRedFlag(name(next(&mut f)?)),
            Rule::exp_not_ruled_out => ExpectKind::NotRuledOut(name(next(&mut f)?)),
            Rule::exp_ruled_out => ExpectKind::RuledOut(name(next(&mut f)?)),
            Rule::exp_adjustment => ExpectKind::Adjustment(self.call(next(&mut f)?)?),
            Rule::exp_no_adjustment => ExpectKind::NoAdjustment(self.call(next(&mut f)?)?),
            Rule::exp_check => {
                let check = name(next(&mut f)?);
                let args = match next_if(&mut f, Rule::args) {
                    Some(a) => Some(self.args(a)?),
                    None => None,
                };
                let outcome = name(next(&mut f)?);
                ExpectKind::Check {
                    name: check,
                    args,
                    outcome,
                }
            }
            Rule::exp_withheld => {
                let rule = name(next(&mut f)?);
                let args = match f.next() {
                    Some(a) => Some(self.args(a)?),
                    None => None,
                };
                ExpectKind::Withheld { name: rule, args }
            }
            _ => return Err(Malformed),
        };
        Ok(Expect { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::parse::parse_item;

    fn case(text: &str) -> Case {
        match parse_item(text).item.map(|i| i.data) {
            Some(ItemData::Case(c)) => c,
            other => panic!("not a case: {other:?}"),
        }
    }

    #[test]
    fn a_history_comes_before_the_visits() {
        let c = case("case c {\n  history {\n    age = 41\n    f(a: _) = no\n  }\n  visit 1 { findings { } }\n}");
        let history = c.history.expect("a history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].args.len(), 1);
        assert_eq!(c.visits.len(), 1);
        for bad in [
            "case c {\n  visit 1 { findings { } }\n  history { age = 41 }\n}",
            "case c {\n  history { }\n  history { }\n}",
        ] {
            let parsed = parse_item(bad);
            assert!(parsed.item.is_none(), "{bad}");
            assert_eq!(parsed.errors.len(), 1, "{bad}");
        }
    }

    #[test]
    fn untestable_takes_an_optional_reason() {
        let c = case(
            "case c {\n  visit 1 {\n    findings {\n      a = untestable \"acute pain\"\n      b = untestable\n      c = none\n    }\n    after { a = untestable }\n  }\n}",
        );
        let v = &c.visits[0];
        let FindingValue::Untestable { reason, span } = &v.findings[0].value else {
            panic!("{:?}", v.findings[0]);
        };
        assert_eq!(
            reason.as_ref().map(|r| r.value.as_str()),
            Some("acute pain")
        );
        assert_eq!((span.start, span.end), (46, 69));
        assert!(matches!(
            v.findings[1].value,
            FindingValue::Untestable { reason: None, .. }
        ));
        assert!(matches!(v.findings[2].value, FindingValue::Found(_)));
        assert!(matches!(
            v.after.as_deref(),
            Some([Finding {
                value: FindingValue::Untestable { .. },
                ..
            }])
        ));
    }

    #[test]
    fn previous_reads_the_previous_visit() {
        let parsed = parse_item("rule r { when a < previous.f(side: right) then b }");
        let Some(ItemData::Rule(r)) = parsed.item.map(|i| i.data) else {
            panic!("{:?}", parsed.errors);
        };
        let ExprKind::Compare(_, _, right) = &r.when.kind else {
            panic!("{:?}", r.when);
        };
        assert!(
            matches!(&right.kind, ExprKind::Phase(Phase::Previous, c) if c.name.text == "f"),
            "{right:?}"
        );
    }
}
