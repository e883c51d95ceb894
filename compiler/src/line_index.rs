//! Byte offsets to lines and columns and back, for the edges (the command line's JSON and
//! messages, the language server's positions). One index per text, built in one pass: the
//! line starts and the non-ASCII characters with running sums of what they save, so each
//! conversion is a binary search (O(log n) in the text's length, whatever the line lengths),
//! with columns in UTF-8 bytes, UTF-16 code units or characters.

use crate::db::SourceFile;

/// How columns count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the language server protocol's default).
    Utf16,
    /// Unicode scalar values (the command line's columns).
    Chars,
}

/// A non-ASCII character: where it starts and its lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wide {
    offset: usize,
    utf8: u8,
    utf16: u8,
}

/// The starts of the lines of a text and its non-ASCII characters, for offset ↔ line and
/// column conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    len: usize,
    starts: Vec<usize>,
    wide: Vec<Wide>,
    /// `saved16[i]`: UTF-8 bytes minus UTF-16 units of `wide[..i]`.
    saved16: Vec<usize>,
    /// `saved_chars[i]`: UTF-8 bytes minus characters of `wide[..i]`.
    saved_chars: Vec<usize>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl LineIndex {
    /// Indexes a text: its newlines found with `memchr`, its non-ASCII characters in the
    /// blocks that are not all ASCII (a protocol is mostly ASCII, so this is two fast
    /// passes, not a branch per byte).
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut wide = Vec::new();
        let (mut saved16, mut saved_chars) = (vec![0], vec![0]);
        let (mut s16, mut sc) = (0, 0);
        const BLOCK: usize = 64;
        for (b, block) in bytes.chunks(BLOCK).enumerate() {
            if block.is_ascii() {
                continue;
            }
            for (i, &byte) in block.iter().enumerate() {
                // The first byte of a non-ASCII character says its length.
                let utf8: u8 = match byte {
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xFF => 4,
                    _ => continue,
                };
                let utf16: u8 = if utf8 == 4 { 2 } else { 1 };
                s16 += usize::from(utf8 - utf16);
                sc += usize::from(utf8 - 1);
                wide.push(Wide {
                    offset: b * BLOCK + i,
                    utf8,
                    utf16,
                });
                saved16.push(s16);
                saved_chars.push(sc);
            }
        }
        LineIndex {
            len: text.len(),
            starts,
            wide,
            saved16,
            saved_chars,
        }
    }

    /// The 0-based line that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1)
    }

    /// The byte where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// What the first `i` non-ASCII characters save when counted in `encoding`.
    fn saved(&self, encoding: Encoding, i: usize) -> usize {
        match encoding {
            Encoding::Utf8 => 0,
            Encoding::Utf16 => self.saved16[i],
            Encoding::Chars => self.saved_chars[i],
        }
    }

    /// How many units a non-ASCII character takes in `encoding`.
    fn width(encoding: Encoding, w: &Wide) -> usize {
        usize::from(match encoding {
            Encoding::Utf8 => w.utf8,
            Encoding::Utf16 => w.utf16,
            Encoding::Chars => 1,
        })
    }

    /// The first non-ASCII character at or after byte `offset`.
    fn wide_from(&self, offset: usize) -> usize {
        self.wide.partition_point(|w| w.offset < offset)
    }

    /// The 0-based line and column (in `encoding`) of byte `offset`, clamped to the text and
    /// to a character boundary.
    pub fn position(&self, offset: usize, encoding: Encoding) -> (usize, usize) {
        let mut offset = offset.min(self.len);
        let mut end = self.wide_from(offset);
        if let Some(w) = end.checked_sub(1).map(|i| self.wide[i]) {
            if w.offset + usize::from(w.utf8) > offset {
                // Inside a character: its start.
                offset = w.offset;
                end -= 1;
            }
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        let first = self.wide_from(start);
        let column = offset - start - (self.saved(encoding, end) - self.saved(encoding, first));
        (line, column)
    }

    /// The byte offset of 0-based `line` and `column` (in `encoding`): clamped to the line
    /// (its end, before the newline) and to a character boundary (a column inside a
    /// character is that character's start); a line past the end is the text's end.
    pub fn offset(&self, line: usize, column: usize, encoding: Encoding) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.len;
        };
        let end = self.line_start(line + 1).map_or(self.len, |next| next - 1);
        let (first, last) = (self.wide_from(start), self.wide_from(end));
        let before = |k: usize| {
            let w = &self.wide[k];
            w.offset - start - (self.saved(encoding, k) - self.saved(encoding, first))
                + Self::width(encoding, w)
        };
        // The non-ASCII characters of the line that end at or before `column`.
        let done = partition(first, last, |k| before(k) <= column);
        let mut at = start + column + (self.saved(encoding, done) - self.saved(encoding, first));
        if let Some(next) = self.wide.get(done).filter(|_| done < last) {
            at = at.min(next.offset);
        }
        at.min(end)
    }

    /// Line and column (1-based, characters) of byte `offset` in `text`, the text the index
    /// was built from (clamped to the text and to a character boundary of `text`).
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, column) = self.position(offset, Encoding::Chars);
        LineColumn {
            line: line + 1,
            column: column + 1,
        }
    }
}

/// The first `k` in `from..to` where `pred` is false (`pred` true then false).
fn partition(from: usize, to: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The line index of a file's text, built once per version of the text.
#[salsa::tracked(returns(ref))]
pub fn file_line_index(db: &dyn salsa::Database, file: SourceFile) -> LineIndex {
    LineIndex::new(file.text(db))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "ab\n/// é🙂x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(
            index.line_column(text, x),
            LineColumn { line: 2, column: 7 }
        );
        assert_eq!(
            index.line_column(text, 0),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(
            index.line_column(text, text.len()),
            LineColumn { line: 3, column: 1 }
        );
    }

    /// The plain scan the index replaces: every offset, every encoding, both directions.
    #[test]
    fn agrees_with_a_plain_scan_after_accents_and_emoji() {
        let sample = "// é🙂\nab\n\n  « ünïcödé » 🙂🙂 x\r\nend é";
        agrees_with_a_plain_scan(sample);
        let (text, index) = (sample, LineIndex::new(sample));
        // Inside the surrogate pair of 🙂 (UTF-16 column 5 of line 0): the emoji's start.
        let emoji = text.find('🙂').unwrap_or_default();
        assert_eq!(index.offset(0, 5, Encoding::Utf16), emoji);
        // Past the end of a line, or of the text: clamped.
        assert_eq!(
            index.offset(0, 99, Encoding::Utf16),
            text.find('\n').unwrap_or_default()
        );
        assert_eq!(index.offset(9, 0, Encoding::Utf16), text.len());
        assert_eq!(index.position(999, Encoding::Utf16), (4, 5));
        // Every way the characters can straddle the index's blocks of 64 bytes.
        for padding in 1..=64 {
            agrees_with_a_plain_scan(&format!("{}{sample}{sample}", "x".repeat(padding)));
        }
    }

    fn agrees_with_a_plain_scan(text: &str) {
        let index = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            let count = |s: &str| match encoding {
                Encoding::Utf8 => s.len(),
                Encoding::Utf16 => s.encode_utf16().count(),
                Encoding::Chars => s.chars().count(),
            };
            for offset in 0..=text.len() + 2 {
                let mut clamped = offset.min(text.len());
                while !text.is_char_boundary(clamped) {
                    clamped -= 1;
                }
                let line_start = text[..clamped].rfind('\n').map_or(0, |n| n + 1);
                let line = text[..clamped].matches('\n').count();
                let column = count(&text[line_start..clamped]);
                assert_eq!(
                    index.position(offset, encoding),
                    (line, column),
                    "{encoding:?} {offset}"
                );
                assert_eq!(
                    index.offset(line, column, encoding),
                    clamped,
                    "{encoding:?} {line}:{column}"
                );
            }
        }
    }
}
