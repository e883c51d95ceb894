//! Building items from pest's pairs: the item with its doc comment, rules, checks, and the
//! declarations' parts (bindings, parameters, types, table entries).
//!
//! A pair the grammar does not allow here is `Malformed` (an internal inconsistency, not a
//! user error); no syntax errors are produced here.

use pest::iterators::{Pair, Pairs};

use super::{
    name, next, next_if, parse_int, skip_keywords, span_of, string_lit, unit, Builder, Built,
    Malformed, Rule,
};
use crate::ast::*;

impl Builder {
    pub(super) fn item(&mut self, pair: Pair<Rule>, text: &str) -> Built<Item> {
        let mut inner = pair.into_inner();
        let item = next(&mut inner)?;
        let span = span_of(&item);
        let doc = doc_comment(&text[..span.start as usize]);
        let mut p = item.clone().into_inner();
        skip_keywords(&mut p);
        let data = match item.as_rule() {
            Rule::header => {
                let title = string_lit(next(&mut p)?);
                skip_keywords(&mut p);
                ItemData::Header {
                    title,
                    version: p.next().map(string_lit),
                }
            }
            Rule::use_item => ItemData::Use {
                path: string_lit(next(&mut p)?),
            },
            Rule::type_item => {
                let name = name(next(&mut p)?);
                let def = next(&mut p)?;
                let def_span = span_of(&def);
                let def = next(&mut def.into_inner())?;
                let def = match def.as_rule() {
                    Rule::enum_def => TypeDef::Enum(def.into_inner().map(self::name).collect()),
                    _ => TypeDef::Range(self.range(def)?, def_span),
                };
                ItemData::Type(TypeDecl { name, def })
            }
            Rule::indicator_item => {
                let name = name(next(&mut p)?);
                let params = match next_if(&mut p, Rule::params) {
                    Some(params) => self.params(params)?,
                    None => Vec::new(),
                };
                let ty = self.type_expr(next(&mut p)?)?;
                ItemData::Indicator(Indicator { name, params, ty })
            }
            Rule::adjustment_item => {
                let name = name(next(&mut p)?);
                let params = match p.next() {
                    Some(params) => self.params(params)?,
                    None => Vec::new(),
                };
                ItemData::Adjustment(Adjustment { name, params })
            }
            Rule::table_item => {
                let name = name(next(&mut p)?);
                let params = self.params(next(&mut p)?)?;
                let ty = self.type_expr(next(&mut p)?)?;
                let entries = p
                    .map(|entry| self.table_entry(entry))
                    .collect::<Built<_>>()?;
                ItemData::Table(Table {
                    name,
                    params,
                    ty,
                    entries,
                })
            }
            Rule::category_item => {
                let name = name(next(&mut p)?);
                let title = next_if(&mut p, Rule::string).map(string_lit);
                let when = self.clause_expr(next(&mut p)?)?;
                ItemData::Category(Category { name, title, when })
            }
            Rule::precedence_item => ItemData::Precedence(p.map(name).collect()),
            Rule::coexist_item => ItemData::Coexist(p.map(name).collect()),
            Rule::red_flag_item => {
                let name = name(next(&mut p)?);
                let title = next_if(&mut p, Rule::string).map(string_lit);
                let in_category = self.in_category(&mut p)?;
                let when = self.clause_expr(next(&mut p)?)?;
                let mut refer = next(&mut p)?.into_inner();
                skip_keywords(&mut refer);
                let urgency = match next_if(&mut refer, Rule::urgency) {
                    Some(word) => Some(Urgency::from_word(word.as_str()).ok_or(Malformed)?),
                    None => None,
                };
                let refer = string_lit(next(&mut refer)?);
                ItemData::RedFlag(RedFlag {
                    name,
                    title,
                    in_category,
                    when,
                    urgency,
                    refer,
                })
            }
            Rule::rule_item => ItemData::Rule(self.rule(p)?),
            Rule::check_item => ItemData::Check(self.check(p)?),
            Rule::case_item => ItemData::Case(self.case(p)?),
            _ => return Err(Malformed),
        };
        Ok(Item { doc, data, span })
    }

    fn rule(&mut self, mut p: Pairs<Rule>) -> Built<Rule_> {
        let name = name(next(&mut p)?);
        let title = next_if(&mut p, Rule::string).map(string_lit);
        let in_category = self.in_category(&mut p)?;
        let bindings = match next_if(&mut p, Rule::for_clause) {
            Some(f) => self.bindings(f)?,
            None => Vec::new(),
        };
        let when = self.clause_expr(next(&mut p)?)?;
        let unless = match next_if(&mut p, Rule::unless_clause) {
            Some(u) => Some(self.clause_expr(u)?),
            None => None,
        };
        let mut then = next(&mut p)?.into_inner();
        skip_keywords(&mut then);
        let then = self.calls(next(&mut then)?)?;
        Ok(Rule_ {
            name,
            title,
            in_category,
            bindings,
            when,
            unless,
            then,
        })
    }

    /// `in category C`, when it comes next.
    fn in_category(&mut self, p: &mut Pairs<Rule>) -> Built<Option<Name>> {
        match next_if(p, Rule::in_category) {
            Some(c) => {
                let mut c = c.into_inner();
                skip_keywords(&mut c);
                Ok(Some(name(next(&mut c)?)))
            }
            None => Ok(None),
        }
    }

    fn check(&mut self, mut p: Pairs<Rule>) -> Built<Check> {
        let name = name(next(&mut p)?);
        let title = next_if(&mut p, Rule::string).map(string_lit);
        let scope = next(&mut p)?;
        let scope = match next(&mut scope.into_inner())?.as_rule() {
            Rule::within_visit => CheckScope::WithinVisit,
            _ => CheckScope::AcrossVisits,
        };
        let after = match next_if(&mut p, Rule::check_after) {
            Some(a) => {
                let mut a = a.into_inner();
                skip_keywords(&mut a);
                Some(self::name(next(&mut a)?))
            }
            None => None,
        };
        let bindings = match next_if(&mut p, Rule::for_clause) {
            Some(f) => self.bindings(f)?,
            None => Vec::new(),
        };
        let need = self.clause_expr(next(&mut p)?)?;
        let complete = self.clause_expr(next(&mut p)?)?;
        let marginal = match p.next() {
            Some(m) => Some(self.clause_expr(m)?),
            None => None,
        };
        Ok(Check {
            name,
            title,
            scope,
            after,
            bindings,
            need,
            complete,
            marginal,
        })
    }

    fn bindings(&mut self, pair: Pair<Rule>) -> Built<Vec<Binding>> {
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        p.map(|b| {
            let mut bp = b.into_inner();
            let var = name(next(&mut bp)?);
            skip_keywords(&mut bp);
            let domain = next(&mut bp)?;
            let span = span_of(&domain);
            let base = self.base(next(&mut domain.into_inner())?)?;
            Ok(Binding {
                name: var,
                domain: TypeExpr {
                    base,
                    optional: false,
                    span,
                },
            })
        })
        .collect()
    }

    fn params(&mut self, pair: Pair<Rule>) -> Built<Vec<Param>> {
        pair.into_inner()
            .map(|param| {
                let mut pp = param.into_inner();
                let name = name(next(&mut pp)?);
                let ty = self.type_expr(next(&mut pp)?)?;
                Ok(Param { name, ty })
            })
            .collect()
    }

    fn type_expr(&mut self, pair: Pair<Rule>) -> Built<TypeExpr> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        let base = next(&mut p)?;
        let base = self.base(next(&mut base.into_inner())?)?;
        Ok(TypeExpr {
            base,
            optional: p.next().is_some(),
            span,
        })
    }

    /// A base type from `named_type`, `int_range`, `dec_range` or `name_range`.
    fn base(&mut self, pair: Pair<Rule>) -> Built<BaseType> {
        match pair.as_rule() {
            Rule::named_type => Ok(BaseType::Named(name(next(&mut pair.into_inner())?))),
            _ => self.range(pair),
        }
    }

    fn range(&mut self, pair: Pair<Rule>) -> Built<BaseType> {
        let rule = pair.as_rule();
        let mut p = pair.into_inner();
        match rule {
            Rule::int_range => Ok(BaseType::IntRange(
                parse_int(&next(&mut p)?)?,
                parse_int(&next(&mut p)?)?,
            )),
            Rule::dec_range => {
                let lo = next(&mut p)?.as_str().parse().map_err(|_| Malformed)?;
                let hi = next(&mut p)?.as_str().parse().map_err(|_| Malformed)?;
                Ok(BaseType::DecRange(lo, hi, unit(next(&mut p)?.as_str())?))
            }
            Rule::name_range => Ok(BaseType::NameRange(
                name(next(&mut p)?),
                name(next(&mut p)?),
            )),
            _ => Err(Malformed),
        }
    }

    fn table_entry(&mut self, pair: Pair<Rule>) -> Built<TableEntry> {
        let mut p = pair.into_inner();
        let key = next(&mut p)?;
        let key_span = span_of(&key);
        let key_inner = next(&mut key.into_inner())?;
        let key = match key_inner.as_rule() {
            Rule::wildcard => None,
            Rule::key_tuple => Some(
                key_inner
                    .into_inner()
                    .map(|l| self.literal(l))
                    .collect::<Built<_>>()?,
            ),
            _ => Some(vec![self.literal(key_inner)?]),
        };
        let value = self.literal(next(&mut p)?)?;
        Ok(TableEntry {
            key,
            key_span,
            value,
        })
    }
}

/// `Rule` (the grammar's rule enum) takes the plain name; the syntax tree's rule is this.
type Rule_ = crate::ast::Rule;

/// The `///` lines at the end of `prefix` (the trivia before an item), joined.
fn doc_comment(prefix: &str) -> Option<String> {
    // The prefix ends where the item's line starts: drop that last line break only, so a
    // blank line between the comment and the item detaches the comment.
    let prefix = prefix.trim_end_matches([' ', '\t']);
    let prefix = prefix.strip_suffix('\n').unwrap_or(prefix);
    if prefix.is_empty() {
        return None;
    }
    let lines: Vec<&str> = prefix.split('\n').collect();
    let doc: Vec<&str> = lines
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("///"))
        .map(|l| {
            let body = l.trim_start()[3..].trim_end_matches('\r');
            body.strip_prefix(' ').unwrap_or(body)
        })
        .collect();
    if doc.is_empty() {
        return None;
    }
    Some(doc.into_iter().rev().collect::<Vec<_>>().join("\n"))
}
