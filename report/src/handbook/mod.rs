//! `sot doc`: a handbook for students, in Markdown, made from a protocol's doc comments and
//! its items: red flags first, then each category with its indicators, each indicator with
//! how it is tested, its type and the rules that use it, each rule in words, each check.
//! All protocol text is escaped.

mod html;
mod words;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use sot_compiler::{
    check_item, file_items, file_scope, parse_item, visible_files, Namespace, SourceFile, Ty,
    ValueDef,
};
use sot_grammar::ast::{self, CheckScope, ItemData};

use crate::escape::{markdown_escape as esc, markdown_with_code};
use words::{condition, spoken, type_words, Cond, Moment};

pub use html::{handbook_html, handbook_html_in};

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

fn call_text(c: &ast::Call) -> String {
    sot_grammar::format_call(c)
}

fn doc(out: &mut String, doc: &Option<String>) {
    if let Some(d) = doc {
        let _ = writeln!(out, "{}\n", markdown_with_code(d));
    }
}

/// The doc comments of the `precedence` or `coexist` lines (`which`), one paragraph each, in
/// declaration order: why the protocol orders or joins its categories as it does.
fn line_docs(out: &mut String, program: &Program<'_>, which: impl Fn(&ItemData) -> bool) {
    for (item, _) in &program.items {
        if which(&item.data) {
            doc(out, &item.doc);
        }
    }
}

/// A condition as a Markdown list item after `lead` ("Holds when "): one sentence, or its
/// head and a nested list of what it groups.
fn condition_item(out: &mut String, depth: usize, lead: &str, cond: &Cond) {
    let pad = "  ".repeat(depth);
    match cond {
        Cond::Leaf(s) if depth == 0 => {
            let _ = writeln!(out, "{pad}- {lead}{}.", esc(s));
        }
        Cond::Leaf(s) => {
            let _ = writeln!(out, "{pad}- {lead}{}", esc(s));
        }
        Cond::Group(head, items) => {
            let _ = writeln!(out, "{pad}- {lead}{}:", esc(head));
            for item in items {
                condition_item(out, depth + 1, "", item);
            }
        }
    }
}

/// A heading for a named item: its title and its code name (`### Title \`name\``), or the
/// kind and the code name without a title.
fn titled_heading(kind: &str, name: &str, title: Option<&ast::StringLit>) -> String {
    // Names are identifiers: safe in Markdown code spans as they are.
    match title {
        Some(t) => format!("### {} `{name}`\n", esc(&t.value)),
        None => format!("### {kind} `{name}`\n"),
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
                    "{}",
                    titled_heading("Red flag", &r.name.text, r.title.as_ref())
                );
                doc(&mut out, &item.doc);
                if let Some(c) = &r.in_category {
                    let _ = writeln!(
                        out,
                        "- Applies only to a visit in Category {}.",
                        esc(&c.text)
                    );
                }
                condition_item(
                    &mut out,
                    0,
                    "Raised when ",
                    &condition(&r.when, Moment::Visit, &bools),
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
        line_docs(&mut out, &program, |d| matches!(d, ItemData::Precedence(_)));
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
        line_docs(&mut out, &program, |d| matches!(d, ItemData::Coexist(_)));
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
            condition_item(
                &mut out,
                0,
                "Holds when ",
                &condition(&c.when, Moment::Visit, &bools),
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
            let _ = writeln!(
                out,
                "{}",
                titled_heading("Rule", &r.name.text, r.title.as_ref())
            );
            doc(&mut out, &item.doc);
            if !r.bindings.is_empty() {
                let b: Vec<String> = r
                    .bindings
                    .iter()
                    .map(|b| format!("{} in {}", b.name.text, sot_grammar::format_type(&b.domain)))
                    .collect();
                let _ = writeln!(out, "- For each {}.", esc(&b.join(" and ")));
            }
            if let Some(c) = &r.in_category {
                let _ = writeln!(out, "- Only in category {}.", esc(&c.text));
            }
            // `when yes` holds at every visit (of its category).
            let always = matches!(
                &r.when.kind,
                ast::ExprKind::Literal(ast::Literal {
                    kind: ast::LiteralKind::Bool(true),
                    ..
                })
            );
            if always && r.in_category.is_some() {
                let _ = writeln!(out, "- At every visit in that category.");
            } else if always {
                let _ = writeln!(out, "- At every visit.");
            } else {
                condition_item(
                    &mut out,
                    0,
                    "When ",
                    &condition(&r.when, Moment::Visit, &bools),
                );
            }
            if let Some(u) = &r.unless {
                condition_item(&mut out, 0, "Unless ", &condition(u, Moment::Visit, &bools));
            }
            let calls: Vec<String> = r.then.iter().map(call_text).collect();
            let _ = writeln!(out, "- The protocol recommends `{}`.\n", calls.join("`, `"));
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
            let _ = writeln!(
                out,
                "{}",
                titled_heading("Check", &c.name.text, c.title.as_ref())
            );
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
            condition_item(
                &mut out,
                0,
                "Needed when ",
                &condition(&c.need, moment, &bools),
            );
            condition_item(
                &mut out,
                0,
                "Complete when ",
                &condition(&c.complete, moment, &bools),
            );
            if let Some(m) = &c.marginal {
                condition_item(&mut out, 0, "Marginal when ", &condition(m, moment, &bools));
            }
            let _ = writeln!(out, "- Otherwise ineffective.\n");
        }
    }
    out
}
