//! The quick fix "declare it" for an E0101: an unknown name used as an indicator becomes
//! `indicator NAME: TYPE`, an unknown adjustment in `then`/`given` becomes
//! `adjustment NAME(label: TYPE, …)`, each with the type inferred from its use: a bare
//! condition is `bool`; compared with (or `in` a set of) a value, that value's type (`?`
//! when it is also compared with `none`); an argument's type is the type of what it is
//! given (a value, an indicator, a `for` variable). Where a type cannot be inferred (a
//! number, a measure: their range is the author's to say), no fix is offered.

use sot_compiler::{file_items, parse_item, types_vertebra, Database, SourceFile};
use sot_grammar::ast::{Call, CmpOp, Expr, ExprKind, ItemData, LiteralKind};

use crate::analysis::{by_name, definitions, Def, DefKind};

/// The declaration to insert for the unknown name at `start..end`, and the byte offset to
/// insert it at (the start of the item that uses it).
pub(crate) fn declaration(
    db: &Database,
    file: SourceFile,
    start: usize,
) -> Option<(String, usize)> {
    let items = file_items(db, file);
    let item = items[..items.partition_point(|i| i.offset(db) <= start)].last()?;
    let base = item.offset(db);
    let at = (start - base) as u32;
    let parsed = parse_item(db, *item).item.as_ref()?;
    let defs = definitions(db, file);
    let names = by_name(&defs);
    let text = item.text(db);
    let insert_at = base + (text.len() - text.trim_start().len());
    let (exprs, calls, bindings): (Vec<&Expr>, Vec<&Call>, &[_]) = match &parsed.data {
        ItemData::Category(c) => (vec![&c.when], vec![], &[]),
        ItemData::RedFlag(r) => (vec![&r.when], vec![], &[]),
        ItemData::Rule(r) => (
            std::iter::once(&r.when).chain(&r.unless).collect(),
            r.then.iter().collect(),
            &r.bindings,
        ),
        ItemData::Check(c) => (
            [Some(&c.need), Some(&c.complete), c.marginal.as_ref()]
                .into_iter()
                .flatten()
                .collect(),
            vec![],
            &c.bindings,
        ),
        ItemData::Case(c) => (
            vec![],
            c.visits
                .iter()
                .flat_map(|v| v.given.iter().flatten())
                .collect(),
            &[],
        ),
        _ => return None,
    };
    let binding_type = |name: &str| {
        bindings
            .iter()
            .find(|b: &&sot_grammar::ast::Binding| b.name.text == name)
            .map(|b| sot_grammar::format_type(&b.domain))
    };
    // An adjustment: the call in `then` or `given` whose name is at `at`.
    if let Some(call) = calls.iter().find(|c| c.name.span.start == at) {
        let mut params = Vec::new();
        for arg in call.args.iter().flatten() {
            let label = arg.label.as_ref()?;
            let ty = type_of(&arg.value, &names, &binding_type)?;
            params.push(format!("{}: {}", label.text, ty.trim_end_matches('?')));
        }
        let params = if params.is_empty() {
            String::new()
        } else {
            format!("({})", params.join(", "))
        };
        return Some((
            format!("adjustment {}{params}\n", call.name.text),
            insert_at,
        ));
    }
    // An indicator: every use of the name in the item's conditions.
    let name = exprs.iter().find_map(|e| name_at(e, at))?;
    let mut uses = Uses::default();
    for e in &exprs {
        uses.scan(e, &name, true, &names, &binding_type);
    }
    let ty = uses.base?;
    let optional = if uses.none && ty != "bool" { "?" } else { "" };
    Some((format!("indicator {name}: {ty}{optional}\n"), insert_at))
}

/// The name of the reference whose name starts at `at`.
fn name_at(expr: &Expr, at: u32) -> Option<String> {
    let mut found = None;
    walk(expr, &mut |e| {
        if let ExprKind::Ref(c) | ExprKind::Phase(_, c) = &e.kind {
            if c.name.span.start == at {
                found = Some(c.name.text.clone());
            }
        }
    });
    found
}

fn walk(expr: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Ref(c) | ExprKind::Phase(_, c) => {
            for a in c.args.iter().flatten() {
                walk(&a.value, f);
            }
        }
        ExprKind::Not(e) | ExprKind::Paren(e) | ExprKind::InSet(e, _) => walk(e, f),
        ExprKind::Logic(_, es) | ExprKind::Quant(_, es) => es.iter().for_each(|e| walk(e, f)),
        ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            walk(a, f);
            walk(b, f);
        }
    }
}

/// What the uses of an unknown name say of its type.
#[derive(Default)]
struct Uses {
    /// Its type without `?`, when a use says it.
    base: Option<String>,
    /// Whether it is compared with `none`.
    none: bool,
}

impl Uses {
    /// Reads the uses of `name` in `expr`; `condition`: whether `expr` stands as a condition.
    fn scan(
        &mut self,
        expr: &Expr,
        name: &str,
        condition: bool,
        names: &std::collections::HashMap<&str, &Def>,
        binding: &dyn Fn(&str) -> Option<String>,
    ) {
        let is_it = |e: &Expr| matches!(&e.kind, ExprKind::Ref(c) | ExprKind::Phase(_, c) if c.name.text == name && c.args.is_none());
        match &expr.kind {
            _ if condition && is_it(expr) => self.say("bool".into()),
            ExprKind::Compare(op, a, b) => {
                for (this, other) in [(a, b), (b, a)] {
                    if !is_it(this) {
                        continue;
                    }
                    if matches!(&other.kind, ExprKind::Literal(l) if l.kind == LiteralKind::None) {
                        self.none = true;
                    } else if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                        if let Some(ty) = type_of(other, names, binding) {
                            self.say(ty.trim_end_matches('?').to_string());
                        }
                    }
                }
                self.scan(a, name, false, names, binding);
                self.scan(b, name, false, names, binding);
            }
            ExprKind::InSet(e, values) if is_it(e) => {
                if let Some(ty) = values.iter().find_map(|v| literal_type(&v.kind, names)) {
                    self.say(ty);
                }
            }
            ExprKind::Not(e) | ExprKind::Paren(e) => self.scan(e, name, condition, names, binding),
            ExprKind::Logic(_, es) | ExprKind::Quant(_, es) => {
                for e in es {
                    self.scan(e, name, true, names, binding);
                }
            }
            _ => {}
        }
    }

    fn say(&mut self, ty: String) {
        self.base.get_or_insert(ty);
    }
}

/// The type of an expression given as an argument or compared with: a value's type, an
/// indicator's, a `for` variable's domain; `None` for numbers, measures and the rest.
fn type_of(
    expr: &Expr,
    names: &std::collections::HashMap<&str, &Def>,
    binding: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    match &expr.kind {
        ExprKind::Literal(l) => literal_type(&l.kind, names),
        ExprKind::Ref(Call {
            name, args: None, ..
        }) => binding(&name.text).or_else(|| match names.get(name.text.as_str()) {
            Some(def) if def.kind == DefKind::Indicator => {
                def.signature.rsplit_once(": ").map(|(_, t)| t.to_string())
            }
            // A value (`left`, `T4`, an enum value, a category).
            _ => literal_type(&LiteralKind::Name(name.text.clone()), names),
        }),
        _ => None,
    }
}

/// The type of a written value: `bool`, `Side`, `Vertebra`, a category, an enum value's type.
fn literal_type(
    kind: &LiteralKind,
    names: &std::collections::HashMap<&str, &Def>,
) -> Option<String> {
    match kind {
        LiteralKind::Bool(_) => Some("bool".into()),
        LiteralKind::Name(n) if n == "left" || n == "right" => Some("Side".into()),
        LiteralKind::Name(n) if types_vertebra(n) => Some("Vertebra".into()),
        LiteralKind::Name(n) => {
            let def = names.get(n.as_str())?;
            match def.kind {
                DefKind::Category => Some("Category".into()),
                DefKind::EnumValue => def
                    .signature
                    .rsplit_once("a value of ")
                    .map(|(_, t)| t.to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}
