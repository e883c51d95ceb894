//! Parsing one item's text (from [`crate::split`]) into an [`Item`] with the pest grammar.
//!
//! Parsing never fails: it returns the item when it could be read, and the errors found.
//!
//! This file holds the entry points ([`parse_item`] and the pieces: literals, calls, `expect`
//! lines) and the tree builder's shared parts. The builder's methods live beside it, by what
//! they build: items and declarations in [`items`], cases in [`cases`], expressions, literals
//! and calls in [`expressions`]; syntax error messages in words are made in [`errors`].
//! Every problem is a [`SyntaxError`]: `Syntax` (E0001 when the compiler reports it) or
//! `MixedAndOr` (E0305).

mod cases;
mod errors;
mod expressions;
mod items;

use errors::{describe_pest_error, nesting_error};

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;

use crate::ast::*;
use crate::tokens::is_keyword_rule;

#[derive(pest_derive::Parser)]
#[grammar = "sot.pest"]
pub(crate) struct SotParser;

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
    /// The item's tokens (see [`crate::tokens`]), read from the same parse as the tree;
    /// none when the text does not parse.
    pub tokens: Vec<crate::Token>,
}

/// Parses one item's text.
pub fn parse_item(text: &str) -> ParsedItem {
    if let Some(error) = nesting_error(text) {
        return ParsedItem {
            item: None,
            errors: vec![error],
            tokens: Vec::new(),
        };
    }
    // Tracking parse attempts for error messages is slow: only a failed parse is redone with it.
    pest::set_error_detail(false);
    match SotParser::parse(Rule::item, text) {
        Ok(mut pairs) => {
            // The editor's tokens come from the same parse (pairs are shared, cloning is cheap).
            let tokens = crate::tokens::from_pairs(pairs.clone(), text);
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
            ParsedItem {
                item,
                errors,
                tokens,
            }
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
            ParsedItem {
                item: None,
                errors,
                tokens: Vec::new(),
            }
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

/// An internal inconsistency between the grammar and the tree builder: reported, not a panic.
struct Malformed;

type Built<T> = Result<T, Malformed>;

/// Builds the syntax tree from pest's pairs.
struct Builder {
    errors: Vec<SyntaxError>,
}

/// The span of a pair without the whitespace and comments pest let it swallow at its end.
fn span_of(pair: &Pair<Rule>) -> Span {
    let span = pair.as_span();
    if is_token_rule(pair.as_rule()) {
        // No implicit whitespace inside a token: nothing to trim.
        return Span::new(span.start(), span.end());
    }
    Span::new(span.start(), span.start() + token_end(span.as_str()))
}

/// Whether `rule` is atomic (`@` or `$`), so its pairs end at their last character.
fn is_token_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::ident
            | Rule::label
            | Rule::string
            | Rule::int
            | Rule::number
            | Rule::quantity
            | Rule::unit
            | Rule::wildcard
            | Rule::urgency
            | Rule::dec_range
    ) || is_keyword_rule(rule)
}

/// The end of the last token of `text` (not whitespace, not in a comment), where `text` is
/// a pair's: whole tokens, whitespace and comments, no string left open.
///
/// Read from the end: the trailing whitespace is dropped, then the last line is scanned from
/// its start for a comment (a string cannot span lines, so a line starts outside of one); a
/// comment found is dropped too and the search goes on before it. So the cost is that of the
/// last lines, not of the whole pair (pairs nest: a scan of each pair's whole text made the
/// tree's spans quadratic in the nesting).
fn token_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    loop {
        while end > 0 && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let line_start = bytes[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = &bytes[line_start..end];
        // Most lines have no `/` at all (`contains` is memchr's word-at-a-time search).
        if !line.contains(&b'/') {
            return end;
        }
        match comment_start(line) {
            Some(comment) => end = line_start + comment,
            None => return end,
        }
    }
}

/// Where a `//` comment starts in one line of tokens, outside strings.
fn comment_start(line: &[u8]) -> Option<usize> {
    let mut in_string = false;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && line.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
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
    while pairs.peek().is_some_and(|p| is_keyword_rule(p.as_rule())) {
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
    fn keyword_rules_are_the_kw_rules() {
        for &rule in Rule::all_rules() {
            let named_kw = format!("{rule:?}").starts_with("kw_");
            assert_eq!(is_keyword_rule(rule), named_kw, "{rule:?}");
        }
    }

    #[test]
    fn token_end_skips_trailing_trivia_but_not_strings() {
        assert_eq!(token_end("a and b   // note\n"), 7);
        assert_eq!(token_end("a // one\n  // two\n\n"), 1);
        assert_eq!(token_end("f(\"x // y\")  // z"), 11);
        assert_eq!(token_end("\"a \\\" // b\"\n"), 11);
        assert_eq!(token_end("é  "), 2);
        assert_eq!(token_end("// only\n  "), 0);
        assert_eq!(token_end(""), 0);
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

    #[test]
    fn the_v02_expect_forms_parse() {
        let kind = |text: &str| parse_expect(text).map(|e| e.kind).expect(text);
        let names = |k: ExpectKind| match k {
            ExpectKind::Categories(n) => n.into_iter().map(|n| n.text).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(names(kind("expect category III, II")), ["III", "II"]);
        assert!(matches!(
            kind("expect category II"),
            ExpectKind::Category(Some(_))
        ));
        assert!(matches!(
            kind("expect category none"),
            ExpectKind::Category(None)
        ));
        assert_eq!(kind("expect no refer"), ExpectKind::NoRefer);
        assert!(matches!(kind("expect no red_flag f"), ExpectKind::NoRedFlag(n) if n.text == "f"));
        assert!(
            matches!(kind("expect not_ruled_out f"), ExpectKind::NotRuledOut(n) if n.text == "f")
        );
        assert!(matches!(kind("expect ruled_out f"), ExpectKind::RuledOut(n) if n.text == "f"));
        assert!(parse_expect("expect category none, II").is_err());
    }

    #[test]
    fn a_red_flag_takes_a_category_and_an_urgency() {
        let parsed = parse_item(
            "red_flag f \"F\" {\n  in category III\n  when x\n  refer urgent \"Refer\"\n}",
        );
        let Some(Item {
            data: ItemData::RedFlag(r),
            ..
        }) = parsed.item
        else {
            panic!("{parsed:?}");
        };
        assert_eq!(r.in_category.map(|c| c.text).as_deref(), Some("III"));
        assert_eq!(r.urgency, Some(Urgency::Urgent));
        assert_eq!(r.refer.value, "Refer");
        // Not reserved: an urgency word is a name anywhere else.
        assert!(parse_item("type Priority = routine | urgent | emergency")
            .errors
            .is_empty());
        let bare = parse_item("coexist   // no names\n");
        assert_eq!(bare.errors[0].message, "`coexist` names no category");
        assert_eq!(bare.errors[0].span, Span::new(0, 7));
    }
}
