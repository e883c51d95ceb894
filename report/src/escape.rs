//! Escaping protocol text for the documents made from it (Markdown reports and handbooks, the
//! graph's SVG; the HTML pages escape through maud): a title with `<script>` stays text. Text between a pair of
//! backticks (`` `yes` `` in a doc comment, `` `unless` `` in a reason) is code, shown as code
//! in both, never as literal backticks.

/// Escapes text for Markdown: characters with a meaning there, and HTML.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for XML element content and attribute values (the graph's SVG, which is
/// written as text, not through maud).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A piece of text: plain, or code (what stood between a pair of backticks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Plain text.
    Text(&'a str),
    /// Code, without its backticks.
    Code(&'a str),
}

/// Text cut into plain and code pieces at pairs of backticks; a backtick without a partner
/// stays in the text.
pub fn code_spans(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        if close > 0 {
            out.push(Piece::Code(&after[..close]));
        }
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Escapes text for Markdown like [`markdown_escape`], but keeps each pair of backticks as a
/// code span (whose content Markdown shows as it is).
pub fn markdown_with_code(text: &str) -> String {
    code_spans(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => markdown_escape(t),
            Piece::Code(c) => format!("`{}`", c.replace('\n', " ")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_backticks_are_code() {
        assert_eq!(
            code_spans("its `unless` holds"),
            [
                Piece::Text("its "),
                Piece::Code("unless"),
                Piece::Text(" holds")
            ]
        );
        assert_eq!(code_spans("a ` b"), [Piece::Text("a ` b")]);
        assert_eq!(
            markdown_with_code("`<b>` and <i> and a `"),
            "`<b>` and &lt;i&gt; and a \\`"
        );
    }
}
