//! What the editor features share, answered from the compiler's database and the syntax
//! tree: definitions (each item's, and a file's), the word at a position, a token's kind. Plain functions
//! over a database snapshot, so each request runs on its own clone.

use std::collections::HashMap;

use sot_compiler::{file_items, item_tokens, parse_item, visible_files, Database, SourceFile};
use sot_grammar::ast::{ItemData, Span};
use sot_grammar::TokenKind;

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
    /// The whole item's declaration line as written canonically (a red flag's category and
    /// urgency, and a category's `coexist` lines, on lines after it).
    pub signature: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Its parameters (indicators, tables, adjustments): name and type as written.
    pub params: Vec<(String, String)>,
}

/// Every name a file sees (its own and its used files'), in declaration order.
pub fn definitions(db: &Database, file: SourceFile) -> Vec<Def> {
    let mut out = Vec::new();
    let mut coexist = Vec::new();
    for f in visible_files(db, file) {
        for item in file_items(db, *f) {
            out.extend(item_definitions(db, *f, *item, item.offset(db)));
            if let Some(ItemData::Coexist(names)) =
                parse_item(db, *item).item.as_ref().map(|p| &p.data)
            {
                coexist.push(names.clone());
            }
        }
    }
    // A category's hover lists the `coexist` lines that name it.
    for names in coexist {
        let line: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
        for def in out.iter_mut() {
            if def.kind == DefKind::Category && line.contains(&def.name.as_str()) {
                def.signature
                    .push_str(&format!("\ncoexist {}", line.join(", ")));
            }
        }
    }
    out
}

/// The names one item of file `f` declares, their spans shifted by `offset` (the item's
/// place in the file, or 0 for item-relative spans). A category's signature has no
/// `coexist` lines here: they are other items ([`definitions`] adds them).
pub fn item_definitions(
    db: &dyn salsa::Database,
    f: SourceFile,
    item: sot_compiler::Item,
    offset: usize,
) -> Vec<Def> {
    let mut out = Vec::new();
    let Some(parsed) = &parse_item(db, item).item else {
        return out;
    };
    let declared: &[sot_grammar::ast::Param] = match &parsed.data {
        ItemData::Indicator(i) => &i.params,
        ItemData::Table(t) => &t.params,
        ItemData::Adjustment(a) => &a.params,
        _ => &[],
    };
    let mut push = |kind, name: &sot_grammar::ast::Name, signature: String| {
        out.push(Def {
            kind,
            name: name.text.clone(),
            file: f,
            span: name.span.shift(offset),
            signature,
            doc: parsed.doc.clone(),
            params: declared
                .iter()
                .map(|p| (p.name.text.clone(), sot_grammar::format_type(&p.ty)))
                .collect(),
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
        ItemData::RedFlag(r) => {
            let mut signature = format!("red_flag {}{}", r.name.text, title(&r.title));
            if let Some(c) = &r.in_category {
                signature.push_str(&format!("\nin category {}", c.text));
            }
            let urgency = match r.urgency {
                Some(u) => format!("{} referral", u.as_str()),
                None => "urgency not stated".into(),
            };
            signature.push_str(&format!("\nrefer: {urgency}"));
            push(DefKind::RedFlag, &r.name, signature)
        }
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
                        file: f,
                        span: v.span.shift(offset),
                        signature: format!("{}: a value of {}", v.text, t.name.text),
                        doc: parsed.doc.clone(),
                        params: Vec::new(),
                    });
                }
            }
        }
        _ => {}
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

/// The kind of the token of `file` that starts at byte `start`, read from the tokens of the
/// one item that holds it.
pub fn token_kind_at(db: &Database, file: SourceFile, start: usize) -> Option<TokenKind> {
    let items = file_items(db, file);
    let item = items[..items.partition_point(|i| i.offset(db) <= start)].last()?;
    let at = start.checked_sub(item.offset(db))?;
    item_tokens(db, *item)
        .iter()
        .find(|t| t.span.start as usize == at)
        .map(|t| t.kind)
}

/// The word (name, label or keyword) at a byte offset of `file`, with its span: read from
/// the tokens of the one item that holds the offset.
pub fn word_at(db: &Database, file: SourceFile, offset: usize) -> Option<(usize, usize, &str)> {
    let items = file_items(db, file);
    let item = items[..items.partition_point(|i| i.offset(db) <= offset)].last()?;
    let (start, text) = (item.offset(db), item.text(db));
    item_tokens(db, *item)
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Name | TokenKind::Label | TokenKind::Keyword
            )
        })
        .map(|t| (t.span.start as usize, t.span.end as usize))
        .find(|(s, e)| start + *s <= offset && offset <= start + *e)
        .map(|(s, e)| (start + s, start + e, &text[s..e]))
}

/// Whether `name` is a name an item can have: `[A-Za-z_][A-Za-z0-9_]*`, not a keyword.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !sot_grammar::is_keyword(name)
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

/// The `{ … }` blocks of a text: the byte offsets of each `{` and its `}`, in the order they
/// close. Braces in strings and comments are not blocks (strings never span lines); an
/// unmatched brace is no block.
pub fn braces(text: &str) -> Vec<(usize, usize)> {
    let (mut out, mut open) = (Vec::new(), Vec::new());
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            (in_string, escaped) = (false, false);
        } else if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '/' if text[i..].starts_with("//") => {
                    while chars.next_if(|(_, c)| *c != '\n').is_some() {}
                }
                '{' => open.push(i),
                '}' => {
                    if let Some(start) = open.pop() {
                        out.push((start, i));
                    }
                }
                _ => {}
            }
        }
    }
    out
}
