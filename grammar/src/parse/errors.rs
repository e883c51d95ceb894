//! Syntax error messages in words: brackets nested too deeply (found before pest runs) and
//! pest's errors turned into "expected …, found …" with the expected tokens named in words.
//!
//! Every error here is of kind `Syntax` (E0001 when the compiler reports it).

use pest::Parser as _;

use super::{Rule, SotParser, SyntaxError, SyntaxErrorKind, MAX_NESTING, MAX_STRING};
use crate::ast::Span;

/// An error when brackets nest deeper than [`MAX_NESTING`], found before pest runs.
pub(super) fn nesting_error(text: &str) -> Option<SyntaxError> {
    // Bytes, not characters: every character looked at is ASCII. A string's length is checked
    // at character starts only (continuation bytes are `10xxxxxx`), as a character loop would.
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut string_start = 0usize;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        let char_start = b & 0xC0 != 0x80;
        if in_comment {
            in_comment = b != b'\n';
            continue;
        }
        if in_string {
            match b {
                // An escaped character is skipped whole: its continuation bytes match nothing.
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            if in_string && char_start && i - string_start > MAX_STRING {
                return Some(SyntaxError {
                    kind: SyntaxErrorKind::Syntax,
                    message: format!("a string longer than {MAX_STRING} bytes"),
                    help: Some("titles, labels and referral texts are short; shorten it".into()),
                    span: Span::new(string_start, string_start + 1),
                });
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => in_comment = true,
            b'(' | b'{' => {
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
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Turns a pest error into an E0001 whose message names the expected tokens in words.
pub(super) fn describe_pest_error(error: &pest::error::Error<Rule>, text: &str) -> SyntaxError {
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
    if let Some(error) = bare_coexist(text, pos) {
        return error;
    }
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

/// A `coexist` with no names (LANGUAGE.md §7.9): the error is at the word, not at the end of
/// the item where pest stopped.
fn bare_coexist(text: &str, pos: usize) -> Option<SyntaxError> {
    let start = text.find("coexist")?;
    let end = start + "coexist".len();
    let rest = text.get(end..pos)?;
    let only_trivia = rest
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with("//"));
    let nothing_after = text[pos..].trim().is_empty();
    (text[..start]
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with("//"))
        && only_trivia
        && nothing_after)
        .then(|| SyntaxError {
            kind: SyntaxErrorKind::Syntax,
            message: "`coexist` names no category".into(),
            help: Some(
                "name two or more categories that may hold together, e.g. `coexist III, II`".into(),
            ),
            span: Span::new(start, end),
        })
}

/// Drops the noise from pest's expected tokens (whitespace, comments, tokens that a broader
/// description already covers) and puts the most precise suggestions first.
fn tidy_expected(mut expected: Vec<String>) -> Vec<String> {
    const OPERATORS: [&str; 11] = [
        "`!=`", "`==`", "`<`", "`<=`", "`>`", "`>=`", "`+`", "`-`", "`and`", "`or`", "`in`",
    ];
    const EXPR_START: [&str; 11] = [
        "`(`",
        "`after`",
        "`all`",
        "`any`",
        "`at`",
        "`before`",
        "`no`",
        "`none`",
        "`not`",
        "`previous`",
        "`yes`",
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
    // Where a name could stand (not, say, a misplaced `history {` block), a word that v0.2
    // reserved is a v0.1 name to rename.
    let name_expected = expected.iter().any(|e| {
        matches!(e.as_str(), "a name" | "an expression" | "a value") || e.starts_with("a finding")
    });
    if let Some(instead) = reserved_since_v02(&word).filter(|_| name_expected) {
        return Some(format!(
            "`{word}` is a keyword since v0.2 of the language and cannot be a name; rename \
             it and every use of it (for example to `{instead}`)"
        ));
    }
    if !word.is_empty() && is_keyword(&word) && expected.iter().any(|e| e == "a name") {
        return Some(format!(
            "`{word}` is a keyword and cannot be used as a name; choose another name"
        ));
    }
    if word == "history" && expected.iter().any(|e| e == "`visit`") {
        return Some("a case has at most one `history` block, before its first visit".into());
    }
    if expected.iter().any(|e| e == "`}`") && rest.is_empty() {
        return Some("close the item with `}`".into());
    }
    None
}

/// For a word that v0.2 made a keyword (LANGUAGE.md §7.9), a name a v0.1 file could use
/// instead.
fn reserved_since_v02(word: &str) -> Option<&'static str> {
    match word {
        "coexist" => Some("coexisting"),
        "history" => Some("past_history"),
        "previous" => Some("prior"),
        "untestable" => Some("not_testable"),
        _ => None,
    }
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
        Rule::logic | Rule::unary | Rule::comparison | Rule::sum | Rule::atom => "an expression",
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
        Rule::urgency => "an urgency (`emergency`, `urgent`, `routine`)",
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
        Rule::history_block => "`history`",
        Rule::untestable => "`untestable`",
        Rule::EOI => "the end of the item",
        Rule::header
        | Rule::use_item
        | Rule::type_item
        | Rule::indicator_item
        | Rule::adjustment_item
        | Rule::table_item
        | Rule::category_item
        | Rule::precedence_item
        | Rule::coexist_item
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item_with_string(content: &str) -> String {
        format!("use \"{content}\"\n")
    }

    #[test]
    fn the_string_limit_counts_bytes_at_character_starts() {
        // `MAX_STRING` bytes after the opening quote, the last character two bytes long:
        // it starts at the limit, so the string is allowed.
        let fits = "a".repeat(MAX_STRING - 1) + "é";
        assert_eq!(nesting_error(&item_with_string(&fits)), None);
        // One more character starts past the limit.
        let long = fits + "a";
        let error = nesting_error(&item_with_string(&long)).expect("too long");
        assert_eq!(error.span, Span::new(4, 5));
        assert!(error.message.contains("longer than"), "{}", error.message);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_nest() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(nesting_error(&format!("use \"{deep}\"\n// {deep}\n")), None);
        // The item's `{` is the first level, so the error is at the 64th `(`.
        let error = nesting_error(&format!("rule r {{ when {deep}")).expect("too deep");
        let at = "rule r { when ".len() + MAX_NESTING - 1;
        assert_eq!(error.span, Span::new(at, at + 1));
    }
}
