//! The tokens of one item, read from the grammar's own parse (pest's token pairs): keywords,
//! names, parameter names and argument labels, strings, numbers, and the comments between
//! them. For the editor's features (semantic tokens, the name under the cursor, references),
//! so they agree with the parser: `category` in `block(category: II)` is a label, not a
//! keyword. An item that does not parse has no tokens.
//!
//! [`crate::parse_item`] reads them from the pairs it builds the tree from
//! ([`ParsedItem::tokens`](crate::ParsedItem::tokens)), so a file is parsed once for both.

use pest::iterators::Pairs;
use pest::Parser as _;
use pest::Token as PestToken;

use crate::ast::Span;
use crate::parse::{Rule, SotParser as TokenParser};
use crate::MAX_NESTING;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword (`rule`, `when`, `and`, `none`, …), the outcome word of `expect check`, or an
    /// urgency word right after `refer`.
    Keyword,
    /// A name, declared or referred to (never a keyword).
    Name,
    /// A parameter name or an argument label, which may be spelled like a keyword.
    Label,
    /// A string literal, quotes included.
    String,
    /// A number (without its unit).
    Number,
    /// A `//` comment, to the end of its line.
    Comment,
}

/// A token and its span (relative to the item's text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where.
    pub span: Span,
}

/// What a pair of the parse is to the tokens.
enum Leaf {
    /// A token.
    Token(TokenKind),
    /// A leaf that is no token (a unit, `_`).
    Skip,
    /// A pair whose children are read.
    Inner,
}

fn leaf(rule: Rule, parent: Option<Rule>) -> Leaf {
    use Rule::*;
    match rule {
        ident => Leaf::Token(TokenKind::Name),
        label if parent == Some(exp_check) => Leaf::Token(TokenKind::Keyword),
        label => Leaf::Token(TokenKind::Label),
        string => Leaf::Token(TokenKind::String),
        number | int => Leaf::Token(TokenKind::Number),
        unit | wildcard => Leaf::Skip,
        _ if is_keyword_rule(rule) => Leaf::Token(TokenKind::Keyword),
        // `emergency`, `urgent`, `routine`: keywords only right after `refer`.
        urgency => Leaf::Token(TokenKind::Keyword),
        _ => Leaf::Inner,
    }
}

/// Whether `rule` is one of the grammar's keyword rules (`kw_when`, `kw_none`, …).
pub(crate) fn is_keyword_rule(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_protocol
            | kw_version
            | kw_use
            | kw_type
            | kw_indicator
            | kw_adjustment
            | kw_table
            | kw_category
            | kw_precedence
            | kw_coexist
            | kw_rule
            | kw_red_flag
            | kw_check
            | kw_case
            | kw_visit
            | kw_visits
            | kw_findings
            | kw_after
            | kw_before
            | kw_given
            | kw_expect
            | kw_in
            | kw_for
            | kw_when
            | kw_unless
            | kw_then
            | kw_refer
            | kw_within
            | kw_across
            | kw_need
            | kw_complete
            | kw_marginal
            | kw_any
            | kw_all
            | kw_at
            | kw_least
            | kw_of
            | kw_and
            | kw_or
            | kw_not
            | kw_none
            | kw_yes
            | kw_no
            | kw_bool
            | kw_ambiguous
            | kw_provisional
            | kw_withheld
            | kw_ruled_out
            | kw_not_ruled_out
            | kw_history
            | kw_previous
            | kw_untestable
    )
}

/// The tokens of one item's text, in order; none when it does not parse.
pub fn tokens(text: &str) -> Vec<Token> {
    // The parser's recursion is bounded by the nesting limit, checked first (conservatively:
    // brackets in strings and comments count too).
    if too_deep(text) {
        return Vec::new();
    }
    let Ok(pairs) = TokenParser::parse(Rule::item, text) else {
        return Vec::new();
    };
    from_pairs(pairs, text)
}

/// The tokens of a parse of `text`, in order.
///
/// Read from pest's flat token stream (each pair's start and end), not by building a `Pairs`
/// for every pair's children.
pub(crate) fn from_pairs(pairs: Pairs<'_, Rule>, text: &str) -> Vec<Token> {
    let tokens = pairs.tokens();
    // Fewer tokens than pairs (two pest tokens each): one allocation, trimmed at the end.
    let mut out = Vec::with_capacity(tokens.len() / 2);
    let mut last = 0;
    // The pairs open around the current position whose children are read.
    let mut parents: Vec<Rule> = Vec::with_capacity(16);
    // The leaf being read: its kind (none for a leaf that is no token), its start, and how
    // many of its own pairs (itself and its children) are open.
    let mut leaf_open: Option<(Option<TokenKind>, usize, usize)> = None;
    for token in tokens {
        match token {
            PestToken::Start { rule, pos } => {
                if let Some((_, _, open)) = &mut leaf_open {
                    *open += 1;
                    continue;
                }
                match leaf(rule, parents.last().copied()) {
                    Leaf::Inner => parents.push(rule),
                    Leaf::Skip => leaf_open = Some((None, pos.pos(), 1)),
                    Leaf::Token(kind) => leaf_open = Some((Some(kind), pos.pos(), 1)),
                }
            }
            PestToken::End { pos, .. } => match &mut leaf_open {
                Some((kind, start, open)) => {
                    *open -= 1;
                    if *open == 0 {
                        comments(text, last, *start, &mut out);
                        last = pos.pos();
                        if let Some(kind) = *kind {
                            out.push(Token {
                                kind,
                                span: Span::new(*start, last),
                            });
                        }
                        leaf_open = None;
                    }
                }
                None => {
                    parents.pop();
                }
            },
        }
    }
    comments(text, last, text.len(), &mut out);
    out.shrink_to_fit();
    out
}

/// The comments in `text[from..to]`, text between tokens (so a `//` there starts one).
fn comments(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    // Gaps are short (a space, a bracket): a byte loop, not a substring searcher set up per gap.
    let bytes = &text.as_bytes()[..to.min(text.len())];
    let mut at = from;
    while at + 1 < bytes.len() {
        if bytes[at] != b'/' || bytes[at + 1] != b'/' {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && bytes[at] != b'\n' {
            at += 1;
        }
        out.push(Token {
            kind: TokenKind::Comment,
            span: Span::new(start, at),
        });
    }
}

/// Whether brackets nest deeper than [`MAX_NESTING`] anywhere in `text`.
fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether a word is a keyword of the language (the grammar's `keyword` rule: a keyword
/// cannot be a name).
pub fn is_keyword(word: &str) -> bool {
    TokenParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.span.start as usize..t.span.end as usize]))
            .collect()
    }

    #[test]
    fn labels_spelled_like_keywords_are_labels() {
        let text =
            "// lead\nrule r \"R\" {\n  when a == 2 mm // why\n  then block(category: II)\n}\n";
        assert_eq!(
            kinds(text),
            [
                (TokenKind::Comment, "// lead"),
                (TokenKind::Keyword, "rule"),
                (TokenKind::Name, "r"),
                (TokenKind::String, "\"R\""),
                (TokenKind::Keyword, "when"),
                (TokenKind::Name, "a"),
                (TokenKind::Number, "2"),
                (TokenKind::Comment, "// why"),
                (TokenKind::Keyword, "then"),
                (TokenKind::Name, "block"),
                (TokenKind::Label, "category"),
                (TokenKind::Name, "II"),
            ]
        );
    }

    #[test]
    fn history_previous_and_untestable_are_keywords() {
        let text = "case c {\n  history { a = untestable \"pain\" }\n}\n";
        assert_eq!(
            kinds(text),
            [
                (TokenKind::Keyword, "case"),
                (TokenKind::Name, "c"),
                (TokenKind::Keyword, "history"),
                (TokenKind::Name, "a"),
                (TokenKind::Keyword, "untestable"),
                (TokenKind::String, "\"pain\""),
            ]
        );
        let text = "rule r { when a < previous.a then b }";
        assert_eq!(
            kinds(text)[4..6],
            [(TokenKind::Keyword, "previous"), (TokenKind::Name, "a")]
        );
    }

    #[test]
    fn broken_or_deep_items_have_no_tokens() {
        assert!(tokens("rule r {\n  when\n").is_empty());
        let deep = format!(
            "rule r {{ when {}a{} then b }}",
            "(".repeat(70),
            ")".repeat(70)
        );
        assert!(tokens(&deep).is_empty());
        assert!(is_keyword("category") && !is_keyword("categoryX") && !is_keyword("II"));
    }
}
