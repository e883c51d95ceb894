//! `sot doc`: a handbook for students, in Markdown, made from a protocol's doc comments and
//! its items: red flags first, then each category with its indicators, each indicator with
//! how it is tested, its type and the rules that use it, each rule in words, each check.
//! All protocol text is escaped.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use sot_grammar::ast::{
    self, CheckScope, CmpOp, ExprKind, ItemData, LiteralKind, LogicOp, Phase, Quantifier,
};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use sot_compiler::{
    check_item, file_items, file_scope, parse_item, visible_files, Namespace, SourceFile, Ty,
    ValueDef,
};

use crate::escape::markdown_escape as esc;
use crate::page::page;

/// Every item of a file and the files it uses, with the names each item refers to.
struct Program<'a> {
    items: Vec<(&'a ast::Item, BTreeSet<(Namespace, String)>)>,
}

fn program(db: &dyn salsa::Database, file: SourceFile) -> Program<'_> {
    let mut items = Vec::new();
    for f in visible_files(db, file) {
        for item in file_items(db, *f) {
            if let Some(parsed) = &parse_item(db, *item).item {
                items.push((parsed, check_item(db, *item).references.clone()));
            }
        }
    }
    Program { items }
}

/// A name in words: `arm_fossa` → "arm fossa".
fn spoken(name: &str) -> String {
    name.replace('_', " ")
}

fn literal(l: &ast::Literal) -> String {
    match &l.kind {
        LiteralKind::Name(n) => spoken(n),
        _ => sot_grammar::format_literal(l),
    }
}

/// Where `before.`/`after.` findings come from, in words.
#[derive(Clone, Copy)]
enum Moment {
    Visit,
    Within,
    Across,
}

fn subject(call: &ast::Call) -> String {
    let args = call.args.as_deref().unwrap_or_default();
    if args.is_empty() {
        return spoken(&call.name.text);
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| match &a.label {
            Some(l) => {
                let value = words(&a.value, Moment::Visit);
                // `area: area` (a `for` variable of the same name) reads "area".
                if value == spoken(&l.text) {
                    value
                } else {
                    format!("{} {value}", spoken(&l.text))
                }
            }
            None => words(&a.value, Moment::Visit),
        })
        .collect();
    format!("{} ({})", spoken(&call.name.text), args.join(", "))
}

/// An expression in words.
fn words(e: &ast::Expr, moment: Moment) -> String {
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Ref(call) => subject(call),
        ExprKind::Phase(phase, call) => {
            let when = match (phase, moment) {
                (Phase::Before, Moment::Across) => "at the previous visit",
                (Phase::After, Moment::Across) => "at this visit",
                (Phase::Before, _) => "before the correction",
                (Phase::After, _) => "after the correction",
                (Phase::Previous, _) => "at the previous visit",
            };
            format!("{} {when}", subject(call))
        }
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Ref(_) | ExprKind::Phase(..) => {
                format!("{} is negative", words(inner, moment))
            }
            _ => format!("not ({})", words(inner, moment)),
        },
        ExprKind::Logic(op, items) => {
            let sep = if *op == LogicOp::And {
                ", and "
            } else {
                ", or "
            };
            items
                .iter()
                .map(|i| words(i, moment))
                .collect::<Vec<_>>()
                .join(sep)
        }
        ExprKind::Compare(op, l, r) => {
            let none = |x: &ast::Expr| {
                matches!(
                    &x.kind,
                    ExprKind::Literal(ast::Literal {
                        kind: LiteralKind::None,
                        ..
                    })
                )
            };
            let (l_words, r_words) = (words(l, moment), words(r, moment));
            match (op, none(r)) {
                (CmpOp::Ne, true) => format!("{l_words} is found"),
                (CmpOp::Eq, true) => format!("{l_words} is not found"),
                (CmpOp::Eq, _) => format!("{l_words} is {r_words}"),
                (CmpOp::Ne, _) => format!("{l_words} is not {r_words}"),
                (CmpOp::Ge, _) => format!("{l_words} is at least {r_words}"),
                (CmpOp::Gt, _) => format!("{l_words} is more than {r_words}"),
                (CmpOp::Le, _) => format!("{l_words} is at most {r_words}"),
                (CmpOp::Lt, _) => format!("{l_words} is less than {r_words}"),
            }
        }
        ExprKind::InSet(x, set) => format!(
            "{} is one of {}",
            words(x, moment),
            set.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Arith(plus, l, r) => format!(
            "{} {} {}",
            words(l, moment),
            if *plus { "plus" } else { "minus" },
            words(r, moment)
        ),
        ExprKind::Quant(q, items) => {
            let head = match q {
                Quantifier::Any => "any of".to_string(),
                Quantifier::All => "all of".to_string(),
                Quantifier::AtLeast(n) => format!("at least {n} of"),
            };
            let items: Vec<String> = items.iter().map(|i| words(i, moment)).collect();
            format!("{head}: {}", items.join("; "))
        }
        ExprKind::Paren(inner) => format!("({})", words(inner, moment)),
    }
}

/// A condition in words; a yes/no indicator on its own reads "… is positive".
fn condition(e: &ast::Expr, moment: Moment, bools: &BTreeSet<String>) -> String {
    let is_bool = |x: &ast::Expr| match &x.kind {
        ExprKind::Ref(call) | ExprKind::Phase(_, call) => bools.contains(&call.name.text),
        _ => false,
    };
    match &e.kind {
        _ if is_bool(e) => format!("{} is positive", words(e, moment)),
        ExprKind::Not(inner) if is_bool(inner) => format!("{} is negative", words(inner, moment)),
        ExprKind::Not(inner) => format!("not ({})", condition(inner, moment, bools)),
        ExprKind::Logic(op, items) => {
            let sep = if *op == LogicOp::And {
                ", and "
            } else {
                ", or "
            };
            items
                .iter()
                .map(|i| condition(i, moment, bools))
                .collect::<Vec<_>>()
                .join(sep)
        }
        ExprKind::Quant(q, items) => {
            let head = match q {
                Quantifier::Any => "any of".to_string(),
                Quantifier::All => "all of".to_string(),
                Quantifier::AtLeast(n) => format!("at least {n} of"),
            };
            let items: Vec<String> = items.iter().map(|i| condition(i, moment, bools)).collect();
            format!("{head}: {}", items.join("; "))
        }
        ExprKind::Paren(inner) => format!("({})", condition(inner, moment, bools)),
        _ => words(e, moment),
    }
}

/// The values of a type, in words.
fn type_words(ty: &Ty) -> String {
    use sot_compiler::vertebra_name;
    match ty {
        Ty::Optional(inner) => format!("{}, or none", type_words(inner)),
        Ty::Bool => "yes or no".into(),
        Ty::Side => "left or right".into(),
        Ty::Category => "a category".into(),
        Ty::Enum(e) => format!("{} ({})", e.values.join(", "), e.name),
        Ty::Int(lo, hi) => format!("a whole number from {lo} to {hi}"),
        Ty::Measure(..) => format!("a measure, {ty}"),
        Ty::Vertebra(0, 26) => "a vertebra".into(),
        Ty::Vertebra(lo, hi) => format!(
            "a vertebra from {} to {}",
            vertebra_name(*lo),
            vertebra_name(*hi)
        ),
        other => other.to_string(),
    }
}

fn call_text(c: &ast::Call) -> String {
    sot_grammar::format_call(c)
}

fn doc(out: &mut String, doc: &Option<String>) {
    if let Some(d) = doc {
        let _ = writeln!(out, "{}\n", esc(d));
    }
}

/// The handbook of a file (and the files it uses), in Markdown.
pub fn handbook_markdown(db: &dyn salsa::Database, file: SourceFile) -> String {
    let program = program(db, file);
    let scope = file_scope(db, file);
    let bools: BTreeSet<String> = scope
        .values
        .iter()
        .filter(|(_, d)| matches!(d, ValueDef::Indicator(_, Ty::Bool)))
        .map(|(n, _)| n.clone())
        .collect();
    let mut out = String::new();
    // The title of the file documented, never of a file it uses; else its file name.
    let title = file_items(db, file)
        .iter()
        .filter_map(|item| parse_item(db, *item).item.as_ref())
        .find_map(|i| match &i.data {
            ItemData::Header { title, version } => Some(format!(
                "{}{}",
                title.value,
                version
                    .as_ref()
                    .map(|v| format!(" (version {})", v.value))
                    .unwrap_or_default()
            )),
            _ => None,
        })
        .unwrap_or_else(|| {
            file.path(db)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("Protocol")
                .to_string()
        });
    let _ = writeln!(out, "# {}\n", esc(&title));
    let _ = writeln!(
        out,
        "A handbook made by `sot doc` from the protocol's own text. It says what the protocol \
         recommends for which findings; it does not diagnose.\n"
    );

    // Which rules, categories, red flags and checks use each indicator.
    let mut used_by: HashMap<String, Vec<String>> = HashMap::new();
    for (item, refs) in &program.items {
        // Names are identifiers: safe in Markdown code spans as they are.
        let user = match &item.data {
            ItemData::Rule(r) => format!("rule `{}`", r.name.text),
            ItemData::Category(c) => format!("category `{}`", c.name.text),
            ItemData::RedFlag(r) => format!("red flag `{}`", r.name.text),
            ItemData::Check(c) => format!("check `{}`", c.name.text),
            _ => continue,
        };
        for (ns, name) in refs {
            if *ns == Namespace::Value {
                used_by.entry(name.clone()).or_default().push(user.clone());
            }
        }
    }

    let red_flags: Vec<&ast::RedFlag> = program
        .items
        .iter()
        .filter_map(|(i, _)| match &i.data {
            ItemData::RedFlag(r) => Some(r),
            _ => None,
        })
        .collect();
    if !red_flags.is_empty() {
        let _ = writeln!(out, "## Red flags: stop and refer\n");
        // A red flag bound to a category is checked once the categories are decided.
        let when = if red_flags.iter().any(|r| r.in_category.is_some()) {
            "Checked at every visit, once its categories are decided and before any rule"
        } else {
            "Checked first at every visit"
        };
        let _ = writeln!(
            out,
            "{when}. When one is raised, the protocol recommends referral and no adjustment.\n"
        );
        for (item, _) in &program.items {
            if let ItemData::RedFlag(r) = &item.data {
                let _ = writeln!(
                    out,
                    "### {}\n",
                    esc(&r
                        .title
                        .as_ref()
                        .map_or(spoken(&r.name.text), |t| t.value.clone()))
                );
                doc(&mut out, &item.doc);
                if let Some(c) = &r.in_category {
                    let _ = writeln!(
                        out,
                        "- Applies only to a visit in Category {}.",
                        esc(&c.text)
                    );
                }
                let _ = writeln!(
                    out,
                    "- Raised when {}.",
                    esc(&condition(&r.when, Moment::Visit, &bools))
                );
                match r.urgency {
                    Some(u) => {
                        let _ = writeln!(
                            out,
                            "- Referral ({}): {}\n",
                            u.as_str(),
                            esc(&r.refer.value)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "- Referral: {}\n", esc(&r.refer.value));
                    }
                }
            }
        }
    }

    let _ = writeln!(out, "## Categories\n");
    let precedence: Vec<String> = program
        .items
        .iter()
        .filter_map(|(i, _)| match &i.data {
            ItemData::Precedence(names) => Some(
                names
                    .iter()
                    .map(|n| n.text.clone())
                    .collect::<Vec<_>>()
                    .join(" > "),
            ),
            _ => None,
        })
        .collect();
    if !precedence.is_empty() {
        let _ = writeln!(
            out,
            "When several categories hold, the higher one is the visit's category: {}.\n",
            esc(&precedence.join("; "))
        );
    }
    let coexist: Vec<String> = program
        .items
        .iter()
        .filter_map(|(i, _)| match &i.data {
            ItemData::Coexist(names) => Some(
                names
                    .iter()
                    .map(|n| n.text.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        })
        .collect();
    if !coexist.is_empty() {
        let _ = writeln!(
            out,
            "These categories may hold together; when they do, all of them are the visit's categories, in this order: {}.\n",
            esc(&coexist.join("; "))
        );
    }
    for (item, refs) in &program.items {
        if let ItemData::Category(c) = &item.data {
            let title = c
                .title
                .as_ref()
                .map(|t| format!(" — {}", t.value))
                .unwrap_or_default();
            let _ = writeln!(out, "### Category {}{}\n", esc(&c.name.text), esc(&title));
            doc(&mut out, &item.doc);
            let _ = writeln!(
                out,
                "- Holds when {}.",
                esc(&condition(&c.when, Moment::Visit, &bools))
            );
            let indicators: Vec<String> = refs
                .iter()
                .filter(|(ns, n)| {
                    *ns == Namespace::Value
                        && matches!(scope.values.get(n), Some(ValueDef::Indicator(..)))
                })
                .map(|(_, n)| format!("[{}](#indicator-{})", esc(&spoken(n)), n.replace('_', "-")))
                .collect();
            if !indicators.is_empty() {
                let _ = writeln!(out, "- Indicators: {}.", indicators.join(", "));
            }
            out.push('\n');
        }
    }

    let _ = writeln!(out, "## Indicators\n");
    for (item, _) in &program.items {
        if let ItemData::Indicator(i) = &item.data {
            let _ = writeln!(out, "### Indicator {}\n", esc(&spoken(&i.name.text)));
            doc(&mut out, &item.doc);
            let ty = match scope.values.get(&i.name.text) {
                Some(ValueDef::Indicator(_, ty)) => type_words(ty),
                _ => String::new(),
            };
            let params: Vec<String> = i
                .params
                .iter()
                .map(|p| format!("{} {}", p.name.text, sot_grammar::format_type(&p.ty)))
                .collect();
            let per = if params.is_empty() {
                String::new()
            } else {
                format!(", one finding per {}", params.join(" and "))
            };
            let _ = writeln!(
                out,
                "- Written `{}`; its findings are {}{}.",
                i.name.text,
                esc(&ty),
                esc(&per)
            );
            if ty.ends_with(", or none") {
                let _ = writeln!(
                    out,
                    "- `none` means examined and negative; a finding not written was not examined."
                );
            }
            match used_by.get(&i.name.text) {
                Some(users) => {
                    let _ = writeln!(out, "- Used by {}.", users.join(", "));
                }
                None => {
                    let _ = writeln!(out, "- Used by no rule yet.");
                }
            }
            out.push('\n');
        }
    }

    let _ = writeln!(out, "## Rules\n");
    for (item, _) in &program.items {
        if let ItemData::Rule(r) = &item.data {
            let title = r
                .title
                .as_ref()
                .map(|t| format!(" — {}", t.value))
                .unwrap_or_default();
            let _ = writeln!(out, "### Rule {}{}\n", esc(&r.name.text), esc(&title));
            doc(&mut out, &item.doc);
            let mut sentence = String::new();
            if !r.bindings.is_empty() {
                let b: Vec<String> = r
                    .bindings
                    .iter()
                    .map(|b| format!("{} in {}", b.name.text, sot_grammar::format_type(&b.domain)))
                    .collect();
                let _ = write!(sentence, "For each {}: ", b.join(" and "));
            }
            let when = if sentence.is_empty() { "When" } else { "when" };
            match &r.in_category {
                Some(c) if sentence.is_empty() => {
                    let _ = write!(sentence, "In category {}, when ", c.text);
                }
                Some(c) => {
                    let _ = write!(sentence, "in category {}, when ", c.text);
                }
                None => {
                    let _ = write!(sentence, "{when} ");
                }
            }
            sentence.push_str(&condition(&r.when, Moment::Visit, &bools));
            if let Some(u) = &r.unless {
                let _ = write!(sentence, ", unless {}", condition(u, Moment::Visit, &bools));
            }
            let calls: Vec<String> = r.then.iter().map(call_text).collect();
            let _ = writeln!(
                out,
                "{}, the protocol recommends `{}`.\n",
                esc(&sentence),
                calls.join("`, `")
            );
        }
    }

    let checks: Vec<_> = program
        .items
        .iter()
        .filter(|(i, _)| matches!(i.data, ItemData::Check(_)))
        .collect();
    if !checks.is_empty() {
        let _ = writeln!(out, "## Before/after checks\n");
        for (item, _) in checks {
            let ItemData::Check(c) = &item.data else {
                continue;
            };
            let title = c
                .title
                .as_ref()
                .map(|t| format!(" — {}", t.value))
                .unwrap_or_default();
            let _ = writeln!(out, "### Check {}{}\n", esc(&c.name.text), esc(&title));
            doc(&mut out, &item.doc);
            let moment = match c.scope {
                CheckScope::WithinVisit => Moment::Within,
                CheckScope::AcrossVisits => Moment::Across,
            };
            let scope = match c.scope {
                CheckScope::WithinVisit => "Within a visit",
                CheckScope::AcrossVisits => "From one visit to the next",
            };
            // The adjustment's name is an identifier: safe in a code span as it is.
            let after = c
                .after
                .as_ref()
                .map(|a| format!(", after `{}` was given", a.text))
                .unwrap_or_default();
            let _ = writeln!(out, "- {scope}{after}.");
            let _ = writeln!(
                out,
                "- Needed when {}.",
                esc(&condition(&c.need, moment, &bools))
            );
            let _ = writeln!(
                out,
                "- Complete when {}.",
                esc(&condition(&c.complete, moment, &bools))
            );
            if let Some(m) = &c.marginal {
                let _ = writeln!(
                    out,
                    "- Marginal when {}.",
                    esc(&condition(m, moment, &bools))
                );
            }
            let _ = writeln!(out, "- Otherwise ineffective.\n");
        }
    }
    out
}

/// The handbook page's style sheet.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ddd;margin-top:2.2rem}h3{font-size:1.05rem}\
code{background:#f4f4f4;padding:0 .2rem}a{color:#245}";

/// A GitHub-style heading id: lowercase, spaces to `-`, punctuation dropped.
fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            ' ' | '-' => Some('-'),
            '_' => Some('_'),
            _ => None,
        })
        .collect()
}

/// The handbook as one HTML page. Raw HTML in the Markdown is shown as text, never run.
pub fn handbook_html(markdown: &str) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, Options::empty()).collect();
    let mut out_events = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                // The heading's text, for its id (so `#indicator-arm-fossa` links work).
                let text: String = events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::End(_)))
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                        _ => None,
                    })
                    .collect();
                out_events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(slug(&text))),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) => out_events.push(Event::Text(h.clone())),
            other => out_events.push(other.clone()),
        }
        i += 1;
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, out_events.into_iter());
    let title = markdown
        .lines()
        .next()
        .unwrap_or("Handbook")
        .trim_start_matches("# ");
    page(&title.replace('\\', ""), STYLE, &body)
}
