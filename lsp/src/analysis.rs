//! What the editor features ask of a file, answered from the compiler's database: the word
//! at a position, definitions, references, tokens, completions, code lenses. Plain functions
//! over a database snapshot, so each request runs on its own clone.

use std::collections::HashMap;

use sot_compiler::{file_items, parse_item, visible_files, Database, SourceFile};
use sot_grammar::ast::{ItemData, ItemKind, Span};

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefKind {
    /// An indicator.
    Indicator,
    /// A table.
    Table,
    /// A value of a declared enum.
    EnumValue,
    /// An adjustment.
    Adjustment,
    /// A category.
    Category,
    /// A rule.
    Rule,
    /// A check.
    Check,
    /// A red flag.
    RedFlag,
    /// A type.
    Type,
    /// A case.
    Case,
}

/// A declared name: where, what, and what to show on hover.
#[derive(Clone, Debug)]
pub struct Def {
    /// What it is.
    pub kind: DefKind,
    /// The name.
    pub name: String,
    /// The file it is declared in.
    pub file: SourceFile,
    /// The name's span in that file.
    pub span: Span,
    /// The whole item's declaration line as written canonically.
    pub signature: String,
    /// Its doc comment.
    pub doc: Option<String>,
}

/// Every name a file sees (its own and its used files'), in declaration order.
pub fn definitions(db: &Database, file: SourceFile) -> Vec<Def> {
    let mut out = Vec::new();
    for f in visible_files(db, file) {
        for item in file_items(db, *f) {
            let Some(parsed) = &parse_item(db, *item).item else {
                continue;
            };
            let offset = item.offset(db);
            let mut push = |kind, name: &sot_grammar::ast::Name, signature: String| {
                out.push(Def {
                    kind,
                    name: name.text.clone(),
                    file: *f,
                    span: name.span.shift(offset),
                    signature,
                    doc: parsed.doc.clone(),
                })
            };
            let title = |t: &Option<sot_grammar::ast::StringLit>| {
                t.as_ref()
                    .map(|t| format!(" \"{}\"", t.value))
                    .unwrap_or_default()
            };
            match &parsed.data {
                ItemData::Indicator(i) => {
                    let params = params(&i.params);
                    push(
                        DefKind::Indicator,
                        &i.name,
                        format!(
                            "indicator {}{params}: {}",
                            i.name.text,
                            sot_grammar::format_type(&i.ty)
                        ),
                    );
                }
                ItemData::Table(t) => push(
                    DefKind::Table,
                    &t.name,
                    format!(
                        "table {}{}: {}",
                        t.name.text,
                        params(&t.params),
                        sot_grammar::format_type(&t.ty)
                    ),
                ),
                ItemData::Adjustment(a) => push(
                    DefKind::Adjustment,
                    &a.name,
                    format!("adjustment {}{}", a.name.text, params(&a.params)),
                ),
                ItemData::Category(c) => push(
                    DefKind::Category,
                    &c.name,
                    format!("category {}{}", c.name.text, title(&c.title)),
                ),
                ItemData::Rule(r) => push(
                    DefKind::Rule,
                    &r.name,
                    format!("rule {}{}", r.name.text, title(&r.title)),
                ),
                ItemData::Check(c) => push(
                    DefKind::Check,
                    &c.name,
                    format!("check {}{}", c.name.text, title(&c.title)),
                ),
                ItemData::RedFlag(r) => push(
                    DefKind::RedFlag,
                    &r.name,
                    format!("red_flag {}{}", r.name.text, title(&r.title)),
                ),
                ItemData::Case(c) => push(
                    DefKind::Case,
                    &c.name,
                    format!("case {}{}", c.name.text, title(&c.title)),
                ),
                ItemData::Type(t) => {
                    let def = match &t.def {
                        sot_grammar::ast::TypeDef::Enum(values) => values
                            .iter()
                            .map(|v| v.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" | "),
                        sot_grammar::ast::TypeDef::Range(..) => String::from("a range"),
                    };
                    push(
                        DefKind::Type,
                        &t.name,
                        format!("type {} = {def}", t.name.text),
                    );
                    if let sot_grammar::ast::TypeDef::Enum(values) = &t.def {
                        for v in values {
                            out.push(Def {
                                kind: DefKind::EnumValue,
                                name: v.text.clone(),
                                file: *f,
                                span: v.span.shift(offset),
                                signature: format!("{}: a value of {}", v.text, t.name.text),
                                doc: parsed.doc.clone(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn params(ps: &[sot_grammar::ast::Param]) -> String {
    if ps.is_empty() {
        return String::new();
    }
    let ps: Vec<String> = ps
        .iter()
        .map(|p| format!("{}: {}", p.name.text, sot_grammar::format_type(&p.ty)))
        .collect();
    format!("({})", ps.join(", "))
}

/// The definition a name refers to, preferring values, then adjustments, categories, rules…
pub fn resolve<'d>(defs: &'d [Def], name: &str) -> Option<&'d Def> {
    defs.iter()
        .filter(|d| d.name == name)
        .min_by_key(|d| d.kind)
}

/// A lexical token of a `.sot` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `// …`.
    Comment,
    /// `"…"`.
    String,
    /// A number.
    Number,
    /// A name or keyword.
    Word,
    /// Anything else.
    Punct,
}

/// The tokens of a text: `(kind, start, end)` byte offsets, on one line each.
pub fn tokens(text: &str) -> Vec<(TokenKind, usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i = text[i..].find('\n').map_or(text.len(), |n| i + n);
            TokenKind::Comment
        } else if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            while !text.is_char_boundary(i) {
                i += 1;
            }
            TokenKind::String
        } else if b.is_ascii_digit() {
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            TokenKind::Number
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            TokenKind::Word
        } else if b.is_ascii_whitespace() {
            i += 1;
            continue;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            TokenKind::Punct
        };
        out.push((kind, start, i));
    }
    out
}

/// The word (name or keyword) at a byte offset, with its span.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize, &str)> {
    tokens(text)
        .into_iter()
        .find(|(k, s, e)| *k == TokenKind::Word && *s <= offset && offset <= *e)
        .map(|(_, s, e)| (s, e, &text[s..e]))
}

/// Whether the word at `start..end` is an argument label (`line:` in `fiber(line: 2)`).
pub fn is_label(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end();
    let after = text[end..].trim_start();
    (before.ends_with('(') || before.ends_with(',')) && after.starts_with(':')
}

/// Every place in `file` where `name` is used or declared (not labels, comments, strings).
pub fn occurrences(text: &str, name: &str) -> Vec<(usize, usize)> {
    tokens(text)
        .into_iter()
        .filter(|(k, s, e)| {
            *k == TokenKind::Word && &text[*s..*e] == name && !is_label(text, *s, *e)
        })
        .map(|(_, s, e)| (s, e))
        .collect()
}

/// Whether a word is a keyword of the language.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// The keywords (LANGUAGE.md §2).
pub const KEYWORDS: [&str; 45] = [
    "protocol",
    "version",
    "use",
    "type",
    "indicator",
    "adjustment",
    "table",
    "category",
    "precedence",
    "rule",
    "red_flag",
    "check",
    "case",
    "visit",
    "findings",
    "after",
    "given",
    "expect",
    "in",
    "for",
    "when",
    "unless",
    "then",
    "refer",
    "within",
    "across",
    "visits",
    "need",
    "complete",
    "marginal",
    "any",
    "all",
    "at",
    "least",
    "of",
    "and",
    "or",
    "not",
    "before",
    "none",
    "yes",
    "no",
    "bool",
    "ambiguous",
    "provisional",
];

/// Whether `name` is a name an item can have: `[A-Za-z_][A-Za-z0-9_]*`, not a keyword.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name)
}

/// The item kinds of a file with their spans, for document symbols: `(kind, name, item span,
/// name span)`.
pub fn symbols(db: &Database, file: SourceFile) -> Vec<(ItemKind, String, Span, Span)> {
    file_items(db, file)
        .iter()
        .filter_map(|item| {
            let parsed = parse_item(db, *item).item.as_ref()?;
            let offset = item.offset(db);
            let name = match &parsed.data {
                ItemData::Indicator(i) => &i.name,
                ItemData::Table(t) => &t.name,
                ItemData::Adjustment(a) => &a.name,
                ItemData::Category(c) => &c.name,
                ItemData::Rule(r) => &r.name,
                ItemData::Check(c) => &c.name,
                ItemData::RedFlag(r) => &r.name,
                ItemData::Case(c) => &c.name,
                ItemData::Type(t) => &t.name,
                _ => return None,
            };
            let kind = item.kind(db)?;
            Some((
                kind,
                name.text.clone(),
                parsed.span.shift(offset),
                name.span.shift(offset),
            ))
        })
        .collect()
}

/// Each case visit of a file: `(case, visit number, span of the `visit` line)`.
pub fn visits(db: &Database, file: SourceFile) -> Vec<(String, i64, Span)> {
    let mut out = Vec::new();
    for item in file_items(db, file) {
        let Some(parsed) = parse_item(db, *item).item.as_ref() else {
            continue;
        };
        if let ItemData::Case(c) = &parsed.data {
            for v in &c.visits {
                out.push((
                    c.name.text.clone(),
                    v.number,
                    v.number_span.shift(item.offset(db)),
                ));
            }
        }
    }
    out
}

/// Defs by name, for quick lookups.
pub fn by_name(defs: &[Def]) -> HashMap<&str, &Def> {
    let mut map: HashMap<&str, &Def> = HashMap::new();
    for d in defs {
        map.entry(d.name.as_str())
            .and_modify(|e| {
                if d.kind < e.kind {
                    *e = d;
                }
            })
            .or_insert(d);
    }
    map
}
