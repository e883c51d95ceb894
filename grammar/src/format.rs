//! `sot fmt`: one canonical layout, printed from the syntax tree, with every comment kept.
//!
//! Each item is printed as lines (two spaces per level, one clause, finding, entry or
//! `expect` per line, `=>` aligned in tables, a blank line between items). Every printed line
//! remembers where its node starts in the source; each comment of the source goes back next
//! to the line it was on: a comment after code stays at the end of that line, a comment on a
//! line of its own stays on its own line before the next line. A file with a syntax error is
//! not formatted.

use crate::ast::*;
use crate::{parse_item, split, SyntaxErrorKind};

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// The byte offset of the first syntax error.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
    /// What kind of problem it is (the checker gives it its code).
    pub kind: SyntaxErrorKind,
    /// What to write instead, when known.
    pub help: Option<String>,
}

/// The canonical form of a file, or the first syntax error (nothing is formatted then).
pub fn format_file(text: &str) -> Result<String, FormatError> {
    let sources = split(text);
    if sources.is_empty() {
        // Nothing but comments and blank lines: they are the file.
        return Ok(trivia(text));
    }
    let mut out = String::new();
    let count = sources.len();
    for (i, source) in sources.into_iter().enumerate() {
        let chunk = &text[source.start..source.end];
        let parsed = parse_item(chunk);
        let item = match (parsed.item, parsed.errors.first()) {
            (Some(item), None) => item,
            (_, Some(error)) => {
                return Err(FormatError {
                    offset: source.start + error.span.start as usize,
                    message: error.message.clone(),
                    kind: error.kind,
                    help: error.help.clone(),
                })
            }
            (None, None) => {
                return Err(FormatError {
                    offset: source.start,
                    message: "this item could not be read".into(),
                    kind: SyntaxErrorKind::Syntax,
                    help: None,
                })
            }
        };
        if !out.is_empty() {
            out.push('\n');
        }
        let (body, tail) = format_chunk(chunk, &item, i + 1 < count);
        out.push_str(&body);
        if !tail.is_empty() {
            // Comment lines after an item's last line are, once printed, the leading comments
            // of the next item: they are printed as those are (after a blank line, unindented),
            // so that formatting twice changes nothing.
            out.push('\n');
            for comment in tail {
                out.push_str(&comment);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// One printed line: indentation level, text, where its node is in the source, and the
/// comments that go before it, at its end, and after it.
struct Line {
    indent: usize,
    text: String,
    anchor: Option<usize>,
    end: Option<usize>,
    leading: Vec<String>,
    trailing: Option<String>,
    following: Vec<String>,
}

/// A comment of the source: where it starts, its text, whether code precedes it on its line.
struct Comment {
    at: usize,
    text: String,
    after_code: bool,
}

/// The `//` comments of a text, outside strings.
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut in_string, mut line_has_code) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            if b == b'\n' {
                line_has_code = false;
            }
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            out.push(Comment {
                at: i,
                text: text[i..end].trim_end().to_string(),
                after_code: line_has_code,
            });
            i = end;
            continue;
        } else if b == b'\n' {
            line_has_code = false;
        } else if !b.is_ascii_whitespace() {
            line_has_code = true;
            in_string = b == b'"';
        }
        i += 1;
    }
    out
}

/// Comment lines as written (trimmed), runs of blank lines as one, none at the start.
fn trivia(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    if blank {
        out.push('\n');
    }
    out
}

/// An item printed from its syntax tree, with its comments; when `detach_tail`, the comment
/// lines after its last line are returned apart (see `format_file`).
fn format_chunk(chunk: &str, item: &Item, detach_tail: bool) -> (String, Vec<String>) {
    let start = item.span.start as usize;
    let end = (item.span.end as usize).min(chunk.len());
    // Leading trivia: comment lines as written, runs of blank lines as one.
    let mut out = trivia(&chunk[..start]);
    let mut lines = Vec::new();
    print_item(&item.data, &mut lines, item.span);
    anchor_closing_braces(chunk, start, &mut lines);
    let inner: Vec<Comment> = comments(chunk)
        .into_iter()
        .filter(|c| c.at >= start)
        .collect();
    place_comments(&mut lines, inner, end);
    let tail = match lines.last_mut() {
        Some(last) if detach_tail => std::mem::take(&mut last.following),
        _ => Vec::new(),
    };
    for line in lines {
        // A comment before a closing brace stays inside the block.
        let comment_indent = line.indent + usize::from(line.text == "}");
        for c in &line.leading {
            out.push_str(&"  ".repeat(comment_indent));
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(&"  ".repeat(line.indent));
        out.push_str(&line.text);
        if let Some(c) = &line.trailing {
            out.push_str("  ");
            out.push_str(c);
        }
        out.push('\n');
        for c in &line.following {
            out.push_str(&"  ".repeat(comment_indent));
            out.push_str(c);
            out.push('\n');
        }
    }
    (out, tail)
}

/// Gives each closing-brace line the position of its `}` in the source: the first `}` (not
/// in a string or comment) after everything printed before it.
fn anchor_closing_braces(src: &str, start: usize, lines: &mut [Line]) {
    let mut cursor = start;
    for line in lines.iter_mut() {
        if let Some(end) = line.end {
            cursor = cursor.max(end);
            continue;
        }
        // A closing brace, or a line of keywords only (`findings {`, `within visit`): the
        // first such token in the source after what was printed before.
        let word = line.text.split_whitespace().next().unwrap_or_default();
        if let Some(at) = next_token(src, cursor, word) {
            line.anchor = Some(at);
            line.end = Some(at + word.len());
            cursor = at + word.len();
        }
    }
}

/// The first `token` (a `}` or a whole word) at or after `from`, outside strings and comments.
fn next_token(src: &str, from: usize, token: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let (mut i, mut in_string) = (from, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'\n' => in_string = false,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ if !in_string && src[i..].starts_with(token) => {
                let before = i.checked_sub(1).map(|p| bytes[p]);
                let after = bytes.get(i + token.len()).copied();
                let whole = token == "}"
                    || (!before.is_some_and(word_char) && !after.is_some_and(word_char));
                if whole {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Puts each comment back next to the line it belongs to.
fn place_comments(lines: &mut [Line], comments: Vec<Comment>, item_end: usize) {
    let last = lines.len().saturating_sub(1);
    for c in comments {
        let target = if c.after_code || c.at >= item_end {
            // At the end of the line of the last node that starts before it.
            lines
                .iter()
                .rposition(|l| l.anchor.is_some_and(|a| a <= c.at))
                .unwrap_or(last)
        } else {
            // Before the first node that starts after it (the closing brace if none does).
            lines
                .iter()
                .position(|l| l.anchor.is_some_and(|a| a > c.at))
                .unwrap_or(last)
        };
        let Some(line) = lines.get_mut(target) else {
            continue;
        };
        if !(c.after_code || c.at >= item_end) {
            line.leading.push(c.text);
        } else if line.trailing.is_none() && c.after_code {
            line.trailing = Some(c.text);
        } else {
            // A second comment for one line goes on its own line after it.
            line.following.push(c.text);
        }
    }
}

fn line(lines: &mut Vec<Line>, indent: usize, text: String, anchor: Option<Span>) {
    lines.push(Line {
        indent,
        text,
        anchor: anchor.map(|s| s.start as usize),
        end: anchor.map(|s| s.end as usize),
        leading: Vec::new(),
        trailing: None,
        following: Vec::new(),
    });
}

fn string(s: &StringLit) -> String {
    let mut out = String::from("\"");
    for c in s.value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn title(t: &Option<StringLit>) -> String {
    t.as_ref()
        .map(|t| format!(" {}", string(t)))
        .unwrap_or_default()
}

fn number(value: f64, integer: bool) -> String {
    let text = format!("{value}");
    if integer || text.contains('.') || text.contains('e') {
        text
    } else {
        format!("{text}.0")
    }
}

fn base_type(t: &BaseType) -> String {
    match t {
        BaseType::Named(n) => n.text.clone(),
        BaseType::IntRange(lo, hi) => format!("{lo}..{hi}"),
        BaseType::DecRange(lo, hi, unit) => {
            format!(
                "{}..{} {}",
                number(*lo, false),
                number(*hi, false),
                unit.as_str()
            )
        }
        BaseType::NameRange(lo, hi) => format!("{}..{}", lo.text, hi.text),
    }
}

/// A type as written canonically.
pub fn type_expr(t: &TypeExpr) -> String {
    format!(
        "{}{}",
        base_type(&t.base),
        if t.optional { "?" } else { "" }
    )
}

fn params(ps: &[Param]) -> String {
    let ps: Vec<String> = ps
        .iter()
        .map(|p| format!("{}: {}", p.name.text, type_expr(&p.ty)))
        .collect();
    format!("({})", ps.join(", "))
}

/// A literal as written canonically.
pub fn literal(l: &Literal) -> String {
    match &l.kind {
        LiteralKind::Number {
            value,
            integer,
            unit,
        } => match unit {
            Some(u) => format!("{} {}", number(*value, *integer), u.as_str()),
            None => number(*value, *integer),
        },
        LiteralKind::Bool(true) => "yes".into(),
        LiteralKind::Bool(false) => "no".into(),
        LiteralKind::None => "none".into(),
        LiteralKind::Name(n) => n.clone(),
    }
}

/// A call as written canonically.
pub fn call(c: &Call) -> String {
    match &c.args {
        None => c.name.text.clone(),
        Some(args) => format!("{}({})", c.name.text, args_text(args)),
    }
}

fn args_text(args: &[Arg]) -> String {
    args.iter()
        .map(|a| match &a.label {
            Some(l) => format!("{}: {}", l.text, expr(&a.value)),
            None => expr(&a.value),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An expression as written canonically (parentheses as in the source).
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Ref(c) => call(c),
        ExprKind::Phase(phase, c) => format!("{}.{}", phase.as_str(), call(c)),
        ExprKind::Not(inner) => format!("not {}", expr(inner)),
        ExprKind::Logic(op, items) => {
            let sep = if *op == LogicOp::And { " and " } else { " or " };
            items.iter().map(expr).collect::<Vec<_>>().join(sep)
        }
        ExprKind::Compare(op, l, r) => format!("{} {} {}", expr(l), op.as_str(), expr(r)),
        ExprKind::InSet(x, set) => format!(
            "{} in {{{}}}",
            expr(x),
            set.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Arith(plus, l, r) => {
            format!("{} {} {}", expr(l), if *plus { "+" } else { "-" }, expr(r))
        }
        ExprKind::Quant(q, items) => {
            let head = match q {
                Quantifier::Any => "any of".to_string(),
                Quantifier::All => "all of".to_string(),
                Quantifier::AtLeast(n) => format!("at least {n} of"),
            };
            format!(
                "{head} ({})",
                items.iter().map(expr).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Paren(inner) => format!("({})", expr(inner)),
    }
}

fn bindings(bs: &[Binding]) -> String {
    bs.iter()
        .map(|b| format!("{} in {}", b.name.text, base_type(&b.domain.base)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn at(span: Span) -> Option<Span> {
    Some(span)
}

fn print_item(data: &ItemData, lines: &mut Vec<Line>, span: Span) {
    // The item line's node is its keyword and name: later lines carry the rest.
    let start = Some(Span::new(span.start as usize, span.start as usize + 1));
    let close = |lines: &mut Vec<Line>, indent: usize| line(lines, indent, "}".into(), None);
    match data {
        ItemData::Header { title: t, version } => {
            let version = version
                .as_ref()
                .map(|v| format!(" version {}", string(v)))
                .unwrap_or_default();
            line(lines, 0, format!("protocol {}{version}", string(t)), start);
        }
        ItemData::Use { path } => line(lines, 0, format!("use {}", string(path)), start),
        ItemData::Type(decl) => {
            let def = match &decl.def {
                TypeDef::Enum(values) => values
                    .iter()
                    .map(|v| v.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                TypeDef::Range(base, _) => base_type(base),
            };
            line(lines, 0, format!("type {} = {def}", decl.name.text), start);
        }
        ItemData::Indicator(i) => {
            let ps = if i.params.is_empty() {
                String::new()
            } else {
                params(&i.params)
            };
            line(
                lines,
                0,
                format!("indicator {}{ps}: {}", i.name.text, type_expr(&i.ty)),
                start,
            );
        }
        ItemData::Adjustment(a) => {
            let ps = if a.params.is_empty() {
                String::new()
            } else {
                params(&a.params)
            };
            line(lines, 0, format!("adjustment {}{ps}", a.name.text), start);
        }
        ItemData::Table(t) => {
            line(
                lines,
                0,
                format!(
                    "table {}{}: {} {{",
                    t.name.text,
                    params(&t.params),
                    type_expr(&t.ty)
                ),
                start,
            );
            let keys: Vec<String> = t
                .entries
                .iter()
                .map(|e| match &e.key {
                    None => "_".to_string(),
                    Some(values) if values.len() == 1 => literal(&values[0]),
                    Some(values) => format!(
                        "({})",
                        values.iter().map(literal).collect::<Vec<_>>().join(", ")
                    ),
                })
                .collect();
            let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
            for (entry, key) in t.entries.iter().zip(keys) {
                let pad = " ".repeat(width - key.chars().count());
                line(
                    lines,
                    1,
                    format!("{key}{pad} => {}", literal(&entry.value)),
                    at(entry.key_span),
                );
            }
            close(lines, 0);
        }
        ItemData::Category(c) => {
            line(
                lines,
                0,
                format!("category {}{} {{", c.name.text, title(&c.title)),
                start,
            );
            line(lines, 1, format!("when {}", expr(&c.when)), at(c.when.span));
            close(lines, 0);
        }
        ItemData::Precedence(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
            line(lines, 0, format!("precedence {}", names.join(" > ")), start);
        }
        ItemData::Coexist(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
            line(lines, 0, format!("coexist {}", names.join(", ")), start);
        }
        ItemData::RedFlag(r) => {
            line(
                lines,
                0,
                format!("red_flag {}{} {{", r.name.text, title(&r.title)),
                start,
            );
            if let Some(c) = &r.in_category {
                line(lines, 1, format!("in category {}", c.text), at(c.span));
            }
            line(lines, 1, format!("when {}", expr(&r.when)), at(r.when.span));
            let urgency = r.urgency.map(|u| format!("{} ", u.as_str()));
            line(
                lines,
                1,
                format!("refer {}{}", urgency.unwrap_or_default(), string(&r.refer)),
                at(r.refer.span),
            );
            close(lines, 0);
        }
        ItemData::Rule(r) => {
            line(
                lines,
                0,
                format!("rule {}{} {{", r.name.text, title(&r.title)),
                start,
            );
            if let Some(c) = &r.in_category {
                line(lines, 1, format!("in category {}", c.text), at(c.span));
            }
            if let Some(b) = r.bindings.first() {
                line(
                    lines,
                    1,
                    format!("for {}", bindings(&r.bindings)),
                    at(b.name.span),
                );
            }
            line(lines, 1, format!("when {}", expr(&r.when)), at(r.when.span));
            if let Some(u) = &r.unless {
                line(lines, 1, format!("unless {}", expr(u)), at(u.span));
            }
            let calls: Vec<String> = r.then.iter().map(call).collect();
            line(
                lines,
                1,
                format!("then {}", calls.join(", ")),
                r.then.first().and_then(|c| at(c.span)),
            );
            close(lines, 0);
        }
        ItemData::Check(c) => {
            line(
                lines,
                0,
                format!("check {}{} {{", c.name.text, title(&c.title)),
                start,
            );
            let scope = match c.scope {
                CheckScope::WithinVisit => "within visit",
                CheckScope::AcrossVisits => "across visits",
            };
            line(lines, 1, scope.into(), None);
            if let Some(a) = &c.after {
                line(lines, 1, format!("after {}", a.text), at(a.span));
            }
            if let Some(b) = c.bindings.first() {
                line(
                    lines,
                    1,
                    format!("for {}", bindings(&c.bindings)),
                    at(b.name.span),
                );
            }
            line(
                lines,
                1,
                format!("need     {}", expr(&c.need)),
                at(c.need.span),
            );
            line(
                lines,
                1,
                format!("complete {}", expr(&c.complete)),
                at(c.complete.span),
            );
            if let Some(m) = &c.marginal {
                line(lines, 1, format!("marginal {}", expr(m)), at(m.span));
            }
            close(lines, 0);
        }
        ItemData::Case(c) => {
            line(
                lines,
                0,
                format!("case {}{} {{", c.name.text, title(&c.title)),
                start,
            );
            if let Some(history) = &c.history {
                findings_block(1, "history", history, lines);
            }
            for v in &c.visits {
                print_visit(v, lines);
            }
            close(lines, 0);
        }
    }
}

/// A block of findings (`findings`, `after`, `history`) whose head is at `indent`.
fn findings_block(indent: usize, head: &str, findings: &[Finding], lines: &mut Vec<Line>) {
    line(lines, indent, format!("{head} {{"), None);
    for f in findings {
        let args = if f.args.is_empty() {
            String::new()
        } else {
            let args: Vec<String> = f
                .args
                .iter()
                .map(|a| {
                    let value = a.value.as_ref().map(literal).unwrap_or_else(|| "_".into());
                    match &a.label {
                        Some(l) => format!("{}: {value}", l.text),
                        None => value,
                    }
                })
                .collect();
            format!("({})", args.join(", "))
        };
        let value = match &f.value {
            FindingValue::Found(l) => literal(l),
            FindingValue::Untestable { reason, .. } => format!("untestable{}", title(reason)),
        };
        line(
            lines,
            indent + 1,
            format!("{}{args} = {value}", f.indicator.text),
            at(f.span),
        );
    }
    line(lines, indent, "}".into(), None);
}

fn print_visit(v: &Visit, lines: &mut Vec<Line>) {
    line(
        lines,
        1,
        format!("visit {}{} {{", v.number, title(&v.label)),
        at(v.number_span),
    );
    findings_block(2, "findings", &v.findings, lines);
    if let Some(given) = &v.given {
        let calls: Vec<String> = given.iter().map(call).collect();
        let calls = if calls.is_empty() {
            vec!["none".to_string()]
        } else {
            calls
        };
        line(
            lines,
            2,
            format!("given {}", calls.join(", ")),
            given.first().and_then(|c| at(c.span)),
        );
    }
    if let Some(after) = &v.after {
        findings_block(2, "after", after, lines);
    }
    for e in &v.expects {
        line(lines, 2, expect(&e.kind), at(e.span));
    }
    line(lines, 1, "}".into(), None);
}

fn expect(kind: &ExpectKind) -> String {
    let binding = |args: &Option<Vec<Arg>>| {
        args.as_ref()
            .map(|a| format!("({})", args_text(a)))
            .unwrap_or_default()
    };
    match kind {
        ExpectKind::Category(Some(c)) => format!("expect category {}", c.text),
        ExpectKind::Category(None) => "expect category none".into(),
        ExpectKind::Categories(names) => {
            let names: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
            format!("expect category {}", names.join(", "))
        }
        ExpectKind::Ambiguous => "expect ambiguous".into(),
        ExpectKind::Provisional => "expect provisional".into(),
        ExpectKind::Refer => "expect refer".into(),
        ExpectKind::RedFlag(r) => format!("expect red_flag {}", r.text),
        ExpectKind::NoRefer => "expect no refer".into(),
        ExpectKind::NoRedFlag(r) => format!("expect no red_flag {}", r.text),
        ExpectKind::NotRuledOut(r) => format!("expect not_ruled_out {}", r.text),
        ExpectKind::RuledOut(r) => format!("expect ruled_out {}", r.text),
        ExpectKind::Adjustment(c) => format!("expect adjustment {}", call(c)),
        ExpectKind::NoAdjustment(c) => format!("expect no adjustment {}", call(c)),
        ExpectKind::Check {
            name,
            args,
            outcome,
        } => format!(
            "expect check {}{} {}",
            name.text,
            binding(args),
            outcome.text
        ),
        ExpectKind::Withheld { name, args } => {
            format!("expect withheld {}{}", name.text, binding(args))
        }
    }
}
