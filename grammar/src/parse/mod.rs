//! Parsing one item's text (from [`crate::split`]) into an [`Item`] with the pest grammar.
//!
//! Parsing never fails: it returns the item when it could be read, and the errors found.

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;

use crate::ast::*;

#[derive(pest_derive::Parser)]
#[grammar = "sot.pest"]
struct SotParser;

/// How deeply brackets may nest in one item. Real protocols stay far below; the limit keeps
/// the parser's and the checker's recursion bounded.
pub const MAX_NESTING: usize = 64;

/// The longest string literal (a title, a label, a referral text).
pub const MAX_STRING: usize = 1 << 16;

/// What kind of problem a [`SyntaxError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyntaxErrorKind {
    /// The text does not follow the grammar (E0001).
    Syntax,
    /// `and` and `or` mixed at one level without parentheses (E0305).
    MixedAndOr,
}

/// A problem found while parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    /// What kind of problem.
    pub kind: SyntaxErrorKind,
    /// What is wrong, in words.
    pub message: String,
    /// What to write instead, when known.
    pub help: Option<String>,
    /// Where, relative to the item's text.
    pub span: Span,
}

/// The result of parsing one item.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedItem {
    /// The item, when it could be read.
    pub item: Option<Item>,
    /// The problems found.
    pub errors: Vec<SyntaxError>,
}

/// Parses one item's text.
pub fn parse_item(text: &str) -> ParsedItem {
    if let Some(error) = nesting_error(text) {
        return ParsedItem {
            item: None,
            errors: vec![error],
        };
    }
    // Tracking parse attempts for error messages is slow: only a failed parse is redone with it.
    pest::set_error_detail(false);
    match SotParser::parse(Rule::item, text) {
        Ok(mut pairs) => {
            let mut builder = Builder { errors: Vec::new() };
            let item = pairs.next().and_then(|item| builder.item(item, text).ok());
            let mut errors = builder.errors;
            if item.is_none() && errors.is_empty() {
                errors.push(SyntaxError {
                    kind: SyntaxErrorKind::Syntax,
                    message: "this item could not be read".into(),
                    help: None,
                    span: Span::new(0, text.len()),
                });
            }
            ParsedItem { item, errors }
        }
        Err(_) => {
            pest::set_error_detail(true);
            let errors = match SotParser::parse(Rule::item, text) {
                Err(error) => vec![describe_pest_error(&error, text)],
                Ok(_) => vec![SyntaxError {
                    kind: SyntaxErrorKind::Syntax,
                    message: "this item could not be read".into(),
                    help: None,
                    span: Span::new(0, text.len()),
                }],
            };
            pest::set_error_detail(false);
            ParsedItem { item: None, errors }
        }
    }
}

/// Parses `text` with `rule` (one of the `*_entry` rules) and builds the piece it holds.
fn parse_piece<T>(
    rule: Rule,
    text: &str,
    build: impl FnOnce(&mut Builder, Pair<Rule>) -> Built<T>,
) -> Result<T, SyntaxError> {
    if let Some(error) = nesting_error(text) {
        return Err(error);
    }
    pest::set_error_detail(true);
    let parsed = SotParser::parse(rule, text);
    pest::set_error_detail(false);
    let mut pairs = parsed.map_err(|e| describe_pest_error(&e, text))?;
    let mut builder = Builder { errors: Vec::new() };
    let piece = pairs
        .next()
        .and_then(|entry| entry.into_inner().next())
        .ok_or(Malformed)
        .and_then(|pair| build(&mut builder, pair));
    match (piece, builder.errors.into_iter().next()) {
        (_, Some(error)) => Err(error),
        (Ok(piece), None) => Ok(piece),
        (Err(Malformed), None) => Err(SyntaxError {
            kind: SyntaxErrorKind::Syntax,
            message: "this could not be read".into(),
            help: None,
            span: Span::new(0, text.len()),
        }),
    }
}

/// Parses one value as a finding holds it (`left`, `6 mm`, `yes`, `none`, `2`).
pub fn parse_literal(text: &str) -> Result<Literal, SyntaxError> {
    parse_piece(Rule::literal_entry, text, |b, pair| b.literal(pair))
}

/// Parses one adjustment call (`block(category: II, short_leg: right)`).
pub fn parse_call(text: &str) -> Result<Call, SyntaxError> {
    parse_piece(Rule::call_entry, text, |b, pair| b.call(pair))
}

/// Parses one `expect` line, keyword included (`expect category II`).
pub fn parse_expect(text: &str) -> Result<Expect, SyntaxError> {
    parse_piece(Rule::expect_entry, text, |b, pair| b.expect(pair))
}

/// An error when brackets nest deeper than [`MAX_NESTING`], found before pest runs.
fn nesting_error(text: &str) -> Option<SyntaxError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut string_start = 0usize;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            if in_string && i - string_start > MAX_STRING {
                return Some(SyntaxError {
                    kind: SyntaxErrorKind::Syntax,
                    message: format!("a string longer than {MAX_STRING} bytes"),
                    help: Some("titles, labels and referral texts are short; shorten it".into()),
                    span: Span::new(string_start, string_start + 1),
                });
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                string_start = i;
            }
            '/' if text[i..].starts_with("//") => in_comment = true,
            '(' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(SyntaxError {
                        kind: SyntaxErrorKind::Syntax,
                        message: format!("brackets nest more than {MAX_NESTING} deep"),
                        help: Some("split the condition into simpler parts".into()),
                        span: Span::new(i, i + 1),
                    });
                }
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Turns a pest error into an E0001 whose message names the expected tokens in words.
fn describe_pest_error(error: &pest::error::Error<Rule>, text: &str) -> SyntaxError {
    let pos = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        expected.extend(positives.iter().filter_map(|r| rule_words(*r)));
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            if let Some(words) = token_words(&token.to_string()) {
                expected.push(words);
            }
        }
    }
    let expected = tidy_expected(expected);
    let found = found_token(text, pos);
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        _ => format!("expected {}, found {found}", join_or(&expected)),
    };
    SyntaxError {
        kind: SyntaxErrorKind::Syntax,
        message,
        help: help_for(&expected, text, pos),
        span: Span::new(pos, next_token_end(text, pos)),
    }
}

/// Drops the noise from pest's expected tokens (whitespace, comments, tokens that a broader
/// description already covers) and puts the most precise suggestions first.
fn tidy_expected(mut expected: Vec<String>) -> Vec<String> {
    const OPERATORS: [&str; 11] = [
        "`!=`", "`==`", "`<`", "`<=`", "`>`", "`>=`", "`+`", "`-`", "`and`", "`or`", "`in`",
    ];
    const EXPR_START: [&str; 10] = [
        "`(`", "`after`", "`all`", "`any`", "`at`", "`before`", "`no`", "`none`", "`not`", "`yes`",
    ];
    let has_operator = expected.iter().any(|e| {
        OPERATORS.contains(&e.as_str())
            || e.starts_with("a comparison")
            || e == "`and` or `or`"
            || e == "`+` or `-`"
    });
    let has_expr = expected.iter().any(|e| e == "an expression");
    let has_value = expected.iter().any(|e| e == "a value");
    expected.retain(|e| {
        let noise = matches!(e.as_str(), "`\t`" | "`\n`" | "`\r`" | "` `" | "`//`");
        let operator = OPERATORS.contains(&e.as_str())
            || e.starts_with("a comparison")
            || e == "`and` or `or`"
            || e == "`+` or `-`";
        let covered = (has_expr && EXPR_START.contains(&e.as_str()))
            || (has_value && matches!(e.as_str(), "`no`" | "`none`" | "`yes`"));
        !(noise || operator || covered)
    });
    expected.sort();
    expected.dedup();
    // Keywords and punctuation first: they are the most precise suggestions.
    expected.sort_by_key(|w| !w.starts_with('`'));
    if has_operator {
        expected.push("an operator (`and`, `or`, `==`, `>=`, `+`, …)".into());
    }
    expected
}

/// A hint for common mistakes.
fn help_for(expected: &[String], text: &str, pos: usize) -> Option<String> {
    let rest = &text[pos..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !word.is_empty() && is_keyword(&word) && expected.iter().any(|e| e == "a name") {
        return Some(format!(
            "`{word}` is a keyword and cannot be used as a name; choose another name"
        ));
    }
    if expected.iter().any(|e| e == "`}`") && rest.is_empty() {
        return Some("close the item with `}`".into());
    }
    None
}

fn is_keyword(word: &str) -> bool {
    SotParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The token at `pos`, for "found …".
fn found_token(text: &str, pos: usize) -> String {
    let end = next_token_end(text, pos);
    if pos >= text.len() || end == pos {
        return "the end of the item".into();
    }
    let token = &text[pos..end];
    if token == "\n" {
        "the end of the line".into()
    } else {
        format!("`{token}`")
    }
}

/// The end of the word, number or single character at `pos`.
fn next_token_end(text: &str, pos: usize) -> usize {
    let rest = &text[pos.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return pos;
    };
    if first.is_alphanumeric() || first == '_' {
        pos + rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else {
        pos + first.len_utf8()
    }
}

/// A literal token of the grammar, in words.
fn token_words(token: &str) -> Option<String> {
    match token {
        "\"" => Some("a string".into()),
        "\\" | "-" | "." | ".." | "_" | "BUILTIN_RULE" => None,
        t if t.len() > 2 && t.contains("..") => None,
        "mm" | "cm" | "deg" => Some("a unit (`mm`, `cm`, `deg`)".into()),
        t if t.chars().all(|c| c.is_ascii_digit()) => None,
        t => Some(format!("`{t}`")),
    }
}

/// A grammar rule, in words; `None` for rules that only ever appear inside others.
fn rule_words(rule: Rule) -> Option<String> {
    let words = match rule {
        Rule::ident => "a name",
        Rule::label => "a name",
        Rule::string | Rule::string_inner => "a string",
        Rule::int => "a whole number",
        Rule::number | Rule::quantity => "a number",
        Rule::unit => "a unit (`mm`, `cm`, `deg`)",
        Rule::literal => "a value",
        Rule::type_expr | Rule::base_type | Rule::named_type | Rule::type_def => "a type",
        Rule::expr | Rule::logic | Rule::unary | Rule::comparison | Rule::sum | Rule::atom => {
            "an expression"
        }
        Rule::cmp_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::logic_op => "`and` or `or`",
        Rule::add_op => "`+` or `-`",
        Rule::call | Rule::calls | Rule::reference => "a name",
        Rule::wildcard => "`_`",
        Rule::table_entry | Rule::table_key => "a table entry",
        Rule::finding => "a finding (`indicator = value`)",
        Rule::visit => "`visit`",
        Rule::expect => "`expect`",
        Rule::expect_form => "what to expect (`category`, `adjustment`, `check`, …)",
        Rule::in_category => "`in category`",
        Rule::for_clause => "`for`",
        Rule::when_clause => "`when`",
        Rule::unless_clause => "`unless`",
        Rule::then_clause => "`then`",
        Rule::refer_clause => "`refer`",
        Rule::check_scope | Rule::within_visit | Rule::across_visits => {
            "`within visit` or `across visits`"
        }
        Rule::check_after => "`after`",
        Rule::need_clause => "`need`",
        Rule::complete_clause => "`complete`",
        Rule::marginal_clause => "`marginal`",
        Rule::findings_block => "`findings`",
        Rule::given_clause => "`given`",
        Rule::after_block => "`after`",
        Rule::EOI => "the end of the item",
        Rule::header
        | Rule::use_item
        | Rule::type_item
        | Rule::indicator_item
        | Rule::adjustment_item
        | Rule::table_item
        | Rule::category_item
        | Rule::precedence_item
        | Rule::red_flag_item
        | Rule::rule_item
        | Rule::check_item
        | Rule::case_item => "an item (`indicator`, `rule`, `category`, …)",
        other => return keyword_rule_words(other),
    };
    Some(words.to_string())
}

/// `kw_when` → "`when`".
fn keyword_rule_words(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    name.strip_prefix("kw_").map(|kw| format!("`{kw}`"))
}

/// An internal inconsistency between the grammar and the tree builder: reported, not a panic.
struct Malformed;

type Built<T> = Result<T, Malformed>;

/// Builds the syntax tree from pest's pairs.
struct Builder {
    errors: Vec<SyntaxError>,
}

/// The span of a pair without the whitespace and comments pest let it swallow at its end.
fn span_of(pair: &Pair<Rule>) -> Span {
    let start = pair.as_span().start();
    Span::new(start, start + token_end(pair.as_str()))
}

/// The end of the last token of `text` (not whitespace, not in a comment).
fn token_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            end = (i + 1).min(bytes.len());
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if !b.is_ascii_whitespace() {
            in_string = b == b'"';
            end = i + 1;
        }
        i += 1;
    }
    // Never end inside a multi-byte character.
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// The next child pair, which the grammar guarantees.
fn next<'i>(pairs: &mut Pairs<'i, Rule>) -> Built<Pair<'i, Rule>> {
    pairs.next().ok_or(Malformed)
}

/// The next child pair if it is of rule `rule`.
fn next_if<'i>(pairs: &mut Pairs<'i, Rule>, rule: Rule) -> Option<Pair<'i, Rule>> {
    if pairs.peek().is_some_and(|p| p.as_rule() == rule) {
        pairs.next()
    } else {
        None
    }
}

/// Skips keyword pairs.
fn skip_keywords(pairs: &mut Pairs<Rule>) {
    while pairs
        .peek()
        .is_some_and(|p| format!("{:?}", p.as_rule()).starts_with("kw_"))
    {
        pairs.next();
    }
}

fn name(pair: Pair<Rule>) -> Name {
    Name {
        text: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

fn string_lit(pair: Pair<Rule>) -> StringLit {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => value.push('\n'),
                Some(other) => value.push(other),
                None => {}
            }
        } else {
            value.push(c);
        }
    }
    StringLit { value, span }
}

fn parse_int(pair: &Pair<Rule>) -> Built<i64> {
    pair.as_str().parse().map_err(|_| Malformed)
}

fn unit(text: &str) -> Built<Unit> {
    match text {
        "mm" => Ok(Unit::Mm),
        "cm" => Ok(Unit::Cm),
        "deg" => Ok(Unit::Deg),
        _ => Err(Malformed),
    }
}

impl Builder {
    fn item(&mut self, pair: Pair<Rule>, text: &str) -> Built<Item> {
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
            Rule::red_flag_item => {
                let name = name(next(&mut p)?);
                let title = next_if(&mut p, Rule::string).map(string_lit);
                let when = self.clause_expr(next(&mut p)?)?;
                let mut refer = next(&mut p)?.into_inner();
                skip_keywords(&mut refer);
                let refer = string_lit(next(&mut refer)?);
                ItemData::RedFlag(RedFlag {
                    name,
                    title,
                    when,
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
        let in_category = match next_if(&mut p, Rule::in_category) {
            Some(c) => {
                let mut c = c.into_inner();
                skip_keywords(&mut c);
                Some(self::name(next(&mut c)?))
            }
            None => None,
        };
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

    fn case(&mut self, mut p: Pairs<Rule>) -> Built<Case> {
        let name = name(next(&mut p)?);
        let title = next_if(&mut p, Rule::string).map(string_lit);
        let visits = p.map(|v| self.visit(v)).collect::<Built<_>>()?;
        Ok(Case {
            name,
            title,
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
        let value = self.literal(next(&mut p)?)?;
        Ok(Finding {
            indicator,
            args,
            value,
            span,
        })
    }

    fn expect(&mut self, pair: Pair<Rule>) -> Built<Expect> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        let form = next(&mut next(&mut p)?.into_inner())?;
        let rule = form.as_rule();
        let mut f = form.into_inner();
        skip_keywords(&mut f);
        let kind = match rule {
            Rule::exp_category => {
                let target = f.next();
                ExpectKind::Category(target.map(name))
            }
            Rule::exp_ambiguous => ExpectKind::Ambiguous,
            Rule::exp_provisional => ExpectKind::Provisional,
            Rule::exp_refer => ExpectKind::Refer,
            Rule::exp_red_flag => ExpectKind::RedFlag(name(next(&mut f)?)),
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

    fn literal(&mut self, pair: Pair<Rule>) -> Built<Literal> {
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

    fn calls(&mut self, pair: Pair<Rule>) -> Built<Vec<Call>> {
        pair.into_inner().map(|c| self.call(c)).collect()
    }

    /// A `call` or `reference` pair: a name with optional arguments.
    fn call(&mut self, pair: Pair<Rule>) -> Built<Call> {
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

    fn args(&mut self, pair: Pair<Rule>) -> Built<Vec<Arg>> {
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
    fn clause_expr(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let mut p = pair.into_inner();
        skip_keywords(&mut p);
        self.expr(next(&mut p)?)
    }

    fn expr(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        match pair.as_rule() {
            Rule::expr => self.expr(next(&mut pair.into_inner())?),
            Rule::logic => self.logic(pair),
            _ => Err(Malformed),
        }
    }

    fn logic(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        let first = self.unary(next(&mut p)?)?;
        let mut operands = vec![first];
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
        Ok(match op {
            None => operands.pop().ok_or(Malformed)?,
            Some(op) => Expr {
                kind: ExprKind::Logic(op, operands),
                span,
            },
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
        let span = span_of(&pair);
        let mut p = pair.into_inner();
        let lhs = self.sum(next(&mut p)?)?;
        let Some(op) = p.next() else {
            return Ok(lhs);
        };
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
                    _ => Phase::After,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_attach_only_directly_before_the_item() {
        let parsed = parse_item("/// Arm fossa test.\n/// Second line.\nindicator a: bool\n");
        let doc = parsed.item.and_then(|i| i.doc);
        assert_eq!(doc.as_deref(), Some("Arm fossa test.\nSecond line."));
        let parsed = parse_item("/// Detached.\n\nindicator a: bool\n");
        assert_eq!(parsed.item.and_then(|i| i.doc), None);
    }

    #[test]
    fn spans_end_at_the_last_token_not_at_trailing_comments() {
        let text = "category I { when a and b   // note\n}";
        let parsed = parse_item(text);
        let Some(Item {
            data: ItemData::Category(c),
            ..
        }) = parsed.item
        else {
            panic!("not a category: {parsed:?}");
        };
        assert_eq!(
            &text[c.when.span.start as usize..c.when.span.end as usize],
            "a and b"
        );
    }

    #[test]
    fn a_missing_parenthesis_names_the_expected_tokens() {
        let parsed = parse_item("rule r {\n  when fiber(line: 2\n  then x\n}");
        let message = &parsed.errors[0].message;
        assert!(message.starts_with("expected "), "{message}");
        assert!(
            message.contains("`)`") && message.contains("`,`"),
            "{message}"
        );
        assert!(
            !message.contains("WHITESPACE") && !message.contains("ident"),
            "{message}"
        );
    }
}
#[cfg(test)]
mod piece_tests {
    use super::*;
    use crate::ast::Shift;

    #[test]
    fn pieces_parse_and_shift() {
        let mut e = parse_expect("expect category IV").expect("parses");
        e.shift(100);
        let ExpectKind::Category(Some(name)) = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!((name.span.start, name.span.end), (116, 118), "{e:?}");
    }
}
