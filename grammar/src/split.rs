//! Cutting a file into top-level items, before any parsing.
//!
//! A line whose first word is an item keyword (`rule`, `category`, …) starts a new item; the
//! comment and blank lines directly before it belong to it. No keyword of a clause, finding or
//! expression can start a line with an item keyword, so this cut is exact for good files and
//! gives error recovery at item boundaries for broken ones: a missing `}` cannot swallow the
//! items after it.

use crate::ast::ItemKind;

/// One top-level item's text in a file, found without parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemSource {
    /// The item's kind; `None` for text before the first item that is not a comment.
    pub kind: Option<ItemKind>,
    /// The item's name as far as it can be read without parsing (the path for `use`, the
    /// line for `precedence`, empty for the header).
    pub name: String,
    /// First byte of the item's text (its leading comments included).
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

/// Cuts `text` into items.
pub fn split(text: &str) -> Vec<ItemSource> {
    let mut items: Vec<ItemSource> = Vec::new();
    // Start of the run of comment and blank lines just seen (they go with the next item).
    let mut trivia_start: Option<usize> = None;
    let mut prefix_has_code = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with("//") {
            trivia_start.get_or_insert(line_start);
            continue;
        }
        let word_len = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        // An item keyword is followed by a space (`category II`); a bare `coexist` may end
        // the line (an E0001 of its own). A keyword used as an argument label on a
        // continuation line (`category: II,`) is not an item, nor one used as a finding's
        // name (`coexist = yes` in a v0.1 case: E0001 at that name, in its case).
        let rest = &trimmed[word_len..];
        let after_space = rest.trim_start_matches([' ', '\t']);
        let starts_item = |kind: &ItemKind| {
            (rest.starts_with([' ', '\t']) && !after_space.starts_with('='))
                || (*kind == ItemKind::Coexist
                    && (after_space.trim_end().is_empty() || after_space.starts_with("//")))
        };
        match ItemKind::from_keyword(&trimmed[..word_len]).filter(starts_item) {
            Some(kind) => {
                let start = trivia_start.unwrap_or(line_start);
                if let Some(last) = items.last_mut() {
                    last.end = start;
                } else if prefix_has_code {
                    items.push(ItemSource {
                        kind: None,
                        name: String::new(),
                        start: 0,
                        end: start,
                    });
                }
                let start = if items.is_empty() && !prefix_has_code {
                    0
                } else {
                    start
                };
                items.push(ItemSource {
                    kind: Some(kind),
                    name: item_name(kind, trimmed[word_len..].trim_end()),
                    start,
                    end: text.len(),
                });
            }
            None => {
                if items.is_empty() {
                    prefix_has_code = true;
                }
            }
        }
        trivia_start = None;
    }
    if items.is_empty() && prefix_has_code {
        items.push(ItemSource {
            kind: None,
            name: String::new(),
            start: 0,
            end: text.len(),
        });
    }
    if let Some(last) = items.last_mut() {
        last.end = text.len();
    }
    items
}

/// The name that follows the keyword on the item's first line.
fn item_name(kind: ItemKind, rest: &str) -> String {
    let rest = rest.trim_start();
    match kind {
        ItemKind::Header => String::new(),
        ItemKind::Precedence | ItemKind::Coexist => rest.to_string(),
        ItemKind::Use => rest.trim_matches('"').to_string(),
        _ => rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_with_the_next_item() {
        let text = "// header comment\nprotocol \"x\"\n\n/// doc\nrule a {\n}\n// tail\n";
        let items = split(text);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].start, 0);
        assert_eq!(
            &text[items[1].start..items[1].end],
            "\n/// doc\nrule a {\n}\n// tail\n"
        );
        assert_eq!(items[1].name, "a");
    }

    #[test]
    fn a_missing_brace_does_not_swallow_the_next_item() {
        let text = "rule a {\n  when x\nrule b {\n}\n";
        let items = split(text);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].name, "b");
    }

    #[test]
    fn a_keyword_label_on_a_continuation_line_is_not_an_item() {
        let text = "rule a {\n  when x\n  then block(\n    category: II,\n    side: left)\n}\n";
        assert_eq!(split(text).len(), 1);
    }

    #[test]
    fn a_bare_coexist_is_an_item_and_a_finding_named_like_it_is_not() {
        let items = split("category I {\n}\ncoexist\n");
        assert_eq!(items[1].kind, Some(ItemKind::Coexist));
        let case = "case c {\n  visit 1 {\n    findings {\n      coexist = yes\n    }\n  }\n}\n";
        assert_eq!(split(case).len(), 1);
    }

    #[test]
    fn text_before_the_first_item_is_its_own_chunk() {
        let items = split("garbage here\nrule a {}\n");
        assert_eq!(items[0].kind, None);
        assert_eq!(items[1].kind, Some(ItemKind::Rule));
    }
}
