//! Semantic tokens, from the grammar's tokens of each item: keywords, comments, strings,
//! numbers, parameter names and argument labels (`parameter`), and names coloured by what
//! they declare.
//!
//! The work is linear in what is asked for: the items that overlap the range (all of them
//! for `full`), each item's tokens read from its cached parse, a name's kind from the file's
//! cached scope (built for the checker anyway; an edit that leaves the names alone keeps
//! it). A request polls salsa's cancellation once per item, so an edit never waits for a
//! whole file's tokens. `full/delta` sends the difference from the last result as one edit.

use sot_compiler::{
    chunk_items, file_items, file_scope, item_tokens, Chunk, Database, Encoding, LineIndex,
    SourceFile, ValueDef,
};
use sot_grammar::TokenKind;
use tower_lsp_server::ls_types::*;

use crate::{position, Snapshot};

/// The semantic token types, in legend order.
pub(crate) const TOKEN_TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PARAMETER,
];

/// The semantic tokens of a whole document, or of the byte range `range` of it (the items
/// that overlap it, tokens inside it); `None` when the document is not open.
pub(crate) fn semantic_tokens(
    s: &Snapshot,
    uri: &Uri,
    range: Option<Range>,
) -> Option<Vec<SemanticToken>> {
    let file = s.file(uri)?;
    let bytes = range.map(|r| {
        let index = s.index(file);
        let start = crate::offset(index, r.start, s.encoding);
        (start, crate::offset(index, r.end, s.encoding).max(start))
    });
    Some(tokens(&s.db, file, s.encoding, bytes))
}

/// What a name token is coloured as; `None` for a name the file does not declare.
fn name_type(scope: &sot_compiler::Scope, word: &str) -> Option<u32> {
    if matches!(word, "Side" | "Vertebra" | "Category") {
        return Some(4);
    }
    // The order of `analysis::resolve`: values, adjustments, categories, rules, …, types.
    Some(match scope.values.get(word) {
        Some(ValueDef::Indicator(..)) => 6,
        Some(ValueDef::EnumValue(_)) => 7,
        Some(ValueDef::Table(..)) => 5,
        None if scope.adjustments.contains_key(word) => 5,
        None if scope.categories.iter().any(|c| c == word) => 4,
        None if scope.rules.contains_key(word)
            || scope.checks.contains_key(word)
            || scope.red_flags.contains(word) =>
        {
            5
        }
        None if scope.types.contains_key(word) => 4,
        None if scope.cases.contains(word) => 5,
        None => return None,
    })
}

/// The token type of a grammar token whose text is `word`; `None` for what is not coloured
/// (a name the file does not declare, a token that spans lines).
fn token_type(scope: &sot_compiler::Scope, kind: TokenKind, word: &str) -> Option<u32> {
    if word.contains('\n') {
        return None;
    }
    Some(match kind {
        TokenKind::Keyword => 0,
        TokenKind::Comment => 1,
        TokenKind::String => 2,
        TokenKind::Number => 3,
        // Parameter names and argument labels, even when spelled like a keyword.
        TokenKind::Label => 8,
        TokenKind::Name => name_type(scope, word)?,
    })
}

/// One item's semantic tokens, delta-encoded from the item's start (an item starts at the
/// start of a line): the first token's line is counted from the item's first line. Only for
/// an item all ASCII, whose columns are bytes in every encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ItemTokens {
    tokens: Vec<SemanticToken>,
    /// The last token's line and column, item-relative as the first's.
    last: (u32, u32),
}

/// The semantic tokens of each item of a chunk that is all ASCII (`None` for the others),
/// cached: an edit recomputes its chunk's only, and a moved chunk keeps them (they read
/// neither the chunk's place nor the line index). A name's colour comes from the file's
/// scope, which an edit that keeps the names keeps.
#[salsa::tracked(returns(ref))]
pub(crate) fn chunk_tokens(db: &dyn salsa::Database, chunk: Chunk) -> Vec<Option<ItemTokens>> {
    let scope = file_scope(db, chunk.file(db));
    chunk_items(db, chunk)
        .map(|item| {
            let text = item.text(db);
            if !text.is_ascii() {
                return None;
            }
            let (mut line, mut line_start, mut scanned) = (0u32, 0usize, 0usize);
            let mut deltas = Deltas::default();
            let mut tokens = Vec::new();
            for token in item_tokens(db, item) {
                let (start, end) = (token.span.start as usize, token.span.end as usize);
                let word = text.get(start..end).unwrap_or_default();
                let Some(token_type) = token_type(scope, token.kind, word) else {
                    continue;
                };
                let upto = start.min(text.len()).max(scanned);
                for newline in memchr::memchr_iter(b'\n', &text.as_bytes()[scanned..upto]) {
                    line += 1;
                    line_start = scanned + newline + 1;
                }
                scanned = upto;
                let character = (upto - line_start) as u32;
                tokens.push(deltas.token((line, character), word.len() as u32, token_type));
            }
            Some(ItemTokens {
                tokens,
                last: deltas.last,
            })
        })
        .collect()
}

/// The tokens of `file` (of the items overlapping `bytes`, and inside it, when given),
/// delta-encoded.
fn tokens(
    db: &Database,
    file: SourceFile,
    encoding: Encoding,
    bytes: Option<(usize, usize)>,
) -> Vec<SemanticToken> {
    let index = sot_compiler::file_line_index(db, file);
    let scope = file_scope(db, file);
    let items = file_items(db, file);
    // The items that overlap the range: from the last one starting at or before its start.
    let (first, (from, to)) = match bytes {
        Some((start, end)) => (
            items
                .partition_point(|i| i.offset(db) <= start)
                .saturating_sub(1),
            (start, end),
        ),
        None => (0, (0, usize::MAX)),
    };
    let mut out = Vec::new();
    let mut deltas = Deltas::default();
    for item in &items[first..] {
        // An edit meanwhile ends the request here (ContentModified), not at the end.
        salsa::Database::unwind_if_revision_cancelled(db);
        let (offset, text) = (item.offset(db), item.text(db));
        if offset > to {
            break;
        }
        // A whole item of a whole-file request: its cached tokens, placed where it starts.
        let cached = chunk_tokens(db, item.chunk())
            .get(item.index())
            .and_then(Option::as_ref)
            .filter(|_| bytes.is_none());
        if let Some(cached) = cached {
            let Some(head) = cached.tokens.first() else {
                continue;
            };
            // Items start at the start of a line (the grammar's `split`), so an item-relative
            // position is the item's line further down, at the same column.
            let line = index.line_of(offset) as u32;
            let place = |(l, c): (u32, u32)| (line + l, c);
            let at = place((head.delta_line, head.delta_start));
            out.push(deltas.token(at, head.length, head.token_type));
            out.extend_from_slice(&cached.tokens[1..]);
            deltas.last = place(cached.last);
            continue;
        }
        // Positions found by walking the item's lines (one search per item, not per token),
        // where every column is a byte count: an ASCII item.
        let mut walk = text.is_ascii().then(|| LineWalk::new(index, offset));
        for token in item_tokens(db, *item) {
            let (start, end) = (token.span.start as usize, token.span.end as usize);
            if offset + end <= from || offset + start >= to {
                continue;
            }
            let word = text.get(start..end).unwrap_or_default();
            let Some(token_type) = token_type(scope, token.kind, word) else {
                continue;
            };
            let (at, length) = match &mut walk {
                Some(walk) => (walk.position(text, start), word.len() as u32),
                None => (
                    position(index, offset + start, encoding),
                    match encoding {
                        Encoding::Utf8 => word.len(),
                        Encoding::Utf16 => word.encode_utf16().count(),
                        Encoding::Chars => word.chars().count(),
                    } as u32,
                ),
            };
            out.push(deltas.token((at.line, at.character), length, token_type));
        }
    }
    out
}

/// The delta encoding of tokens in order: each position relative to the one before.
#[derive(Default)]
struct Deltas {
    /// The line and column of the last token.
    last: (u32, u32),
}

impl Deltas {
    /// The token at `(line, column)`, encoded relative to the last one, which it becomes.
    fn token(&mut self, at: (u32, u32), length: u32, token_type: u32) -> SemanticToken {
        let (line, column) = at;
        let delta_line = line - self.last.0;
        let delta_start = if delta_line == 0 {
            column - self.last.1
        } else {
            column
        };
        self.last = at;
        SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset: 0,
        }
    }
}

/// Line and column of positions in one ASCII item, in increasing order: the newlines
/// between one position and the next are counted, and a column is the bytes since the
/// line's start (the same in every encoding for ASCII).
struct LineWalk {
    /// The item's offset in the file.
    offset: usize,
    /// The line of `scanned`, and where that line starts (in the file).
    line: usize,
    line_start: usize,
    /// How far into the item the newlines are counted.
    scanned: usize,
}

impl LineWalk {
    fn new(index: &LineIndex, offset: usize) -> Self {
        let line = index.line_of(offset);
        LineWalk {
            offset,
            line,
            line_start: index.line_start(line).unwrap_or(offset),
            scanned: 0,
        }
    }

    /// The position of byte `at` of the item's `text` (at or after the last one asked).
    fn position(&mut self, text: &str, at: usize) -> Position {
        let bytes = text.as_bytes();
        let at = at.min(bytes.len()).max(self.scanned);
        for newline in memchr::memchr_iter(b'\n', &bytes[self.scanned..at]) {
            self.line += 1;
            self.line_start = self.offset + self.scanned + newline + 1;
        }
        self.scanned = at;
        Position {
            line: self.line as u32,
            character: (self.offset + at - self.line_start) as u32,
        }
    }
}

/// The one edit that turns `old` into `new` (their common start and end kept), in the
/// integers of the encoding (five per token); none when they are equal.
pub(crate) fn delta(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (deleted, inserted) = (
        old.len() - prefix - suffix,
        &new[prefix..new.len() - suffix],
    );
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: (deleted * 5) as u32,
        data: Some(inserted.to_vec()),
    }]
}

impl crate::Backend {
    /// The semantic tokens of a document (of a range of it), computed on a snapshot and
    /// remembered for `full/delta` (not for a range); with the edit from `previous` when
    /// that is the result id last sent.
    pub(crate) async fn semantic_tokens(
        &self,
        uri: Uri,
        range: Option<Range>,
        previous: Option<String>,
    ) -> tower_lsp_server::jsonrpc::Result<Option<SemanticTokensFullDeltaResult>> {
        let sent = self.sent_tokens.clone();
        self.background_query(move |s| {
            let data = semantic_tokens(s, &uri, range)?;
            if range.is_some() {
                return Some(SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                    result_id: None,
                    data,
                }));
            }
            let id = crate::RESULT_IDS
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                .to_string();
            // A poisoned lock only means another request panicked while comparing.
            let mut sent = sent.lock().unwrap_or_else(|e| e.into_inner());
            let kept = sent.entry(uri).or_default();
            let edits = previous
                .and_then(|previous| kept.iter().find(|(id, _)| *id == previous))
                .map(|(_, old)| delta(old, &data));
            let result = match edits {
                Some(edits) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                    result_id: Some(id.clone()),
                    edits,
                }),
                None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                    result_id: Some(id.clone()),
                    data: data.clone(),
                }),
            };
            if kept.len() == crate::SENT_KEPT {
                kept.pop_front();
            }
            kept.push_back((id, data));
            Some(result)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(delta_line: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start: 0,
            length: 1,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    /// Applies edits the way a client does, on the integers.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<u32> {
        let mut ints: Vec<u32> = old
            .iter()
            .flat_map(|t| [t.delta_line, t.delta_start, t.length, t.token_type, 0])
            .collect();
        for e in edits {
            let data: Vec<u32> = e
                .data
                .iter()
                .flatten()
                .flat_map(|t| [t.delta_line, t.delta_start, t.length, t.token_type, 0])
                .collect();
            let start = e.start as usize;
            ints.splice(start..start + e.delete_count as usize, data);
        }
        ints
    }

    #[test]
    fn the_line_walk_agrees_with_the_line_index() {
        let file = "indicator a: bool\n\nrule r {\n  when a\n  then x\n}\n// end";
        let index = LineIndex::new(file);
        // An item that starts mid-file, on the third line; every position in increasing order.
        let offset = file.find("rule").unwrap_or_default();
        let item = &file[offset..];
        let mut walk = LineWalk::new(&index, offset);
        for at in 0..=item.len() {
            let (line, character) = index.position(offset + at, Encoding::Utf16);
            let got = walk.position(item, at);
            assert_eq!(
                (got.line as usize, got.character as usize),
                (line, character),
                "at {at}"
            );
        }
    }

    #[test]
    fn delta_turns_old_into_new() {
        let cases: [(&[u32], &[u32]); 6] = [
            (&[1, 2, 3], &[1, 2, 3]),
            (&[1, 2, 3], &[1, 9, 3]),
            (&[1, 2, 3], &[1, 3]),
            (&[1, 3], &[1, 2, 2, 3]),
            (&[], &[4, 5]),
            (&[1, 1, 1], &[1, 1]),
        ];
        for (old, new) in cases {
            let old: Vec<_> = old.iter().map(|l| token(*l)).collect();
            let new: Vec<_> = new.iter().map(|l| token(*l)).collect();
            let edits = delta(&old, &new);
            assert_eq!(apply(&old, &edits), apply(&new, &[]), "{old:?} → {new:?}");
            assert_eq!(edits.is_empty(), old == new);
        }
    }
}
