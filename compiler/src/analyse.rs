//! Static analyses over the lowered program (W0601, W0602, W0603, W0605, W0606), exact over
//! finite domains. `coexist` lines silence W0601 for their categories and get W0602 when
//! their categories can never all be true; red flags bound to a category get W0603.
//!
//! Each question ("can these conditions be true together?") is a search over the findings the
//! conditions read. Every finding has finitely many candidate values: all values of a finite
//! type, and for numbers and measures the bounds, the protocol's own constants and two values
//! inside each interval between them, so comparisons with constants and between findings are
//! decided exactly. The search assigns one finding at a time and evaluates the conditions in
//! Kleene logic with the rest unknown: a condition already false prunes the branch, and
//! conditions already true (whatever the rest) end it with an example.

use std::collections::{BTreeSet, HashMap};

use sot_grammar::ast::{ItemData, ItemKind, Span};

use crate::db::{file_items, parse_item, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{truth, Env, Tri};
use crate::ir::{Expr, Findings, Phase, Program, Value, ValueType};
use crate::lower::lower_file;

/// How many condition evaluations one question may take before the analysis gives up on
/// it (and says nothing, rather than guess).
const BUDGET: usize = 200_000;

/// The warnings of the static analyses for a file's own items (none while it has errors).
#[salsa::tracked(returns(ref))]
pub fn file_analyses(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let Some(program) = lower_file(db, file) else {
        return Vec::new();
    };
    let own = own_items(db, file);
    let poll = || salsa::Database::unwind_if_revision_cancelled(db);
    let mut search = Search::new(program, &poll);
    let mut out = Vec::new();
    overlapping_categories(program, &own, &mut search, &mut out);
    dead_conditions(program, &own, &mut search, &mut out);
    rules(program, &own, &mut search, &mut out);
    red_flag_categories(program, &own, &mut search, &mut out);
    checks_after_nothing(program, &own, &mut out);
    out.sort_by_key(|d| (d.primary.span.start, d.code));
    out
}

/// Where the items of a file are: name spans and clause spans, file-relative.
#[derive(Default)]
struct Own {
    /// `(kind, name)` → the name's span.
    names: HashMap<(ItemKind, String), Span>,
    /// rule name → span of its `in category` name.
    in_category: HashMap<String, Span>,
    /// red flag name → span of its `in category` name.
    flag_in_category: HashMap<String, Span>,
    /// The file's `coexist` lines: their category names and the line's span.
    coexist: Vec<(Vec<String>, Span)>,
    /// rule name → span of its `unless` condition.
    unless: HashMap<String, Span>,
    /// check name → spans of its `after` adjustment, `need` and `complete`.
    check_after: HashMap<String, Span>,
    need: HashMap<String, Span>,
    complete: HashMap<String, Span>,
}

fn own_items(db: &dyn salsa::Database, file: SourceFile) -> Own {
    let mut own = Own::default();
    for item in file_items(db, file) {
        let Some(parsed) = &parse_item(db, *item).item else {
            continue;
        };
        let at = |span: Span| span.shift(item.offset(db));
        let (kind, name) = match &parsed.data {
            ItemData::Category(c) => (ItemKind::Category, &c.name),
            ItemData::RedFlag(r) => {
                if let Some(c) = &r.in_category {
                    own.flag_in_category.insert(r.name.text.clone(), at(c.span));
                }
                (ItemKind::RedFlag, &r.name)
            }
            ItemData::Coexist(names) => {
                if let (Some(first), Some(last)) = (names.first(), names.last()) {
                    let names = names.iter().map(|n| n.text.clone()).collect();
                    own.coexist.push((names, at(first.span.to(last.span))));
                }
                continue;
            }
            ItemData::Rule(r) => {
                if let Some(c) = &r.in_category {
                    own.in_category.insert(r.name.text.clone(), at(c.span));
                }
                if let Some(u) = &r.unless {
                    own.unless.insert(r.name.text.clone(), at(u.span));
                }
                (ItemKind::Rule, &r.name)
            }
            ItemData::Check(c) => {
                if let Some(a) = &c.after {
                    own.check_after.insert(c.name.text.clone(), at(a.span));
                }
                own.need.insert(c.name.text.clone(), at(c.need.span));
                own.complete
                    .insert(c.name.text.clone(), at(c.complete.span));
                (ItemKind::Check, &c.name)
            }
            _ => continue,
        };
        own.names.insert((kind, name.text.clone()), at(name.span));
    }
    own
}

/// A finding the search assigns: which block (`None`: the visit's findings) and its slot.
pub type Var = (Option<Phase>, u32);

/// Two categories and findings that make both true (see [`category_overlaps`]).
pub type Overlap = (u32, u32, Vec<(Var, Value)>);

/// The search for findings that give conditions wanted truth values.
struct Search<'p> {
    program: &'p Program,
    /// Findings being assigned: the visit's, `before`, `after`, `previous` (the previous
    /// visit's findings are free of this visit's).
    blocks: [Findings; 4],
    /// Every number the protocol compares with, for candidate values.
    constants: Vec<f64>,
    steps: usize,
    /// Called before each question: in the database, it unwinds the analysis when an edit
    /// made its revision stale (so an edit never waits for a whole file's analyses).
    poll: &'p dyn Fn(),
}

fn block_index(phase: Option<Phase>) -> usize {
    match phase {
        None => 0,
        Some(Phase::Before) => 1,
        Some(Phase::After) => 2,
        Some(Phase::Previous) => 3,
    }
}

/// The findings an expression reads, in order of first appearance.
fn variables(program: &Program, e: &Expr, out: &mut Vec<Var>) {
    let push = |v: Var, out: &mut Vec<Var>| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    match e {
        Expr::Const(_) => {}
        Expr::Slot(phase, slot) | Expr::Test(phase, slot, ..) => push((*phase, *slot), out),
        Expr::DynSlot(phase, indicator, args) => {
            args.iter().for_each(|a| variables(program, a, out));
            if let Some(ind) = program.indicators.get(*indicator as usize) {
                for slot in ind.first_slot..ind.first_slot + ind.slots {
                    push((*phase, slot), out);
                }
            }
        }
        Expr::Not(x) | Expr::InSet(x, _) => variables(program, x, out),
        Expr::And(items) | Expr::Or(items) | Expr::AtLeast(_, items) | Expr::Table(_, items) => {
            items.iter().for_each(|i| variables(program, i, out));
        }
        Expr::Compare(_, l, r) | Expr::Add(l, r, _) => {
            variables(program, l, out);
            variables(program, r, out);
        }
    }
}

/// Every number constant in the program's conditions (and table values), for the grid.
fn program_constants(program: &Program) -> Vec<f64> {
    fn walk(e: &Expr, out: &mut BTreeSet<u64>) {
        match e {
            Expr::Const(Value::Num(n)) | Expr::Test(_, _, _, Value::Num(n)) => {
                out.insert(n.to_bits());
            }
            Expr::Test(_, _, _, Value::None) => {}
            Expr::Const(Value::None) | Expr::Slot(..) => {}
            Expr::InSet(x, set) => {
                walk(x, out);
                for v in set {
                    if let Value::Num(n) = v {
                        out.insert(n.to_bits());
                    }
                }
            }
            Expr::Not(x) => walk(x, out),
            Expr::DynSlot(_, _, items)
            | Expr::And(items)
            | Expr::Or(items)
            | Expr::AtLeast(_, items)
            | Expr::Table(_, items) => items.iter().for_each(|i| walk(i, out)),
            Expr::Compare(_, l, r) | Expr::Add(l, r, _) => {
                walk(l, out);
                walk(r, out);
            }
        }
    }
    let mut bits = BTreeSet::new();
    let exprs = program
        .categories
        .iter()
        .map(|c| &c.when)
        .chain(program.red_flags.iter().map(|r| &r.when))
        .chain(program.rules.iter().flat_map(|r| {
            r.instances
                .iter()
                .flat_map(|i| std::iter::once(&i.when).chain(i.unless.as_ref()))
        }))
        .chain(program.checks.iter().flat_map(|c| {
            c.instances.iter().flat_map(|i| {
                [&i.need, &i.complete]
                    .into_iter()
                    .chain(i.marginal.as_ref())
            })
        }));
    for e in exprs {
        walk(e, &mut bits);
    }
    for table in &program.tables {
        for v in &table.entries {
            if let Value::Num(n) = v {
                bits.insert(n.to_bits());
            }
        }
    }
    let mut constants: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
    constants.sort_by(f64::total_cmp);
    constants
}

impl<'p> Search<'p> {
    fn new(program: &'p Program, poll: &'p dyn Fn()) -> Self {
        let empty = Findings::examined(vec![None; program.slot_count as usize]);
        Search {
            program,
            blocks: [empty.clone(), empty.clone(), empty.clone(), empty],
            constants: program_constants(program),
            steps: 0,
            poll,
        }
    }

    /// The candidate values of a finding.
    fn candidates(&self, slot: u32) -> Vec<Value> {
        let program = self.program;
        let Some(indicator) = program
            .slot_indicator
            .get(slot as usize)
            .and_then(|i| program.indicators.get(*i as usize))
        else {
            return Vec::new();
        };
        let mut values: Vec<f64> = match (&indicator.ty, indicator.range) {
            (ValueType::Bool, _) => vec![0.0, 1.0],
            (ValueType::Symbols { values, .. }, None) => {
                (0..values.len()).map(|i| i as f64).collect()
            }
            (ValueType::Symbols { .. }, Some((lo, hi))) if hi - lo < 64.0 => {
                (lo as i64..=hi as i64).map(|i| i as f64).collect()
            }
            (ValueType::Int, Some((lo, hi))) if hi - lo < 64.0 => {
                (lo as i64..=hi as i64).map(|i| i as f64).collect()
            }
            (ty, Some((lo, hi))) => {
                let integral = !matches!(ty, ValueType::Measure { .. });
                grid(lo, hi, &self.constants, integral)
            }
            (_, None) => Vec::new(),
        };
        values.dedup();
        let mut out: Vec<Value> = values.into_iter().map(Value::Num).collect();
        if indicator.optional {
            out.push(Value::None);
        }
        out
    }

    /// Findings under which every condition has its wanted truth value, if there are any
    /// (and the search finishes within its budget).
    fn solve(&mut self, goals: &[(&Expr, Tri)]) -> Option<Vec<(Var, Value)>> {
        (self.poll)();
        let mut vars = Vec::new();
        for (e, _) in goals {
            variables(self.program, e, &mut vars);
        }
        for block in &mut self.blocks {
            block.slots.iter_mut().for_each(|s| *s = None);
        }
        self.steps = 0;
        let domains: Vec<Vec<Value>> = vars
            .iter()
            .map(|(_, slot)| self.candidates(*slot))
            .collect();
        let mut assigned = Vec::new();
        let found = self.assign(goals, &vars, &domains, 0, &mut assigned);
        found.then_some(assigned)
    }

    fn status(&self, goals: &[(&Expr, Tri)]) -> Option<bool> {
        let env = Env {
            now: Some(&self.blocks[0]),
            previous: Some(&self.blocks[3]),
            before: Some(&self.blocks[1]),
            after: Some(&self.blocks[2]),
        };
        let mut all = true;
        for (e, wanted) in goals {
            match truth(self.program, e, env) {
                Tri::Unknown => all = false,
                t if t == *wanted => {}
                _ => return Some(false),
            }
        }
        all.then_some(true)
    }

    fn assign(
        &mut self,
        goals: &[(&Expr, Tri)],
        vars: &[Var],
        domains: &[Vec<Value>],
        next: usize,
        assigned: &mut Vec<(Var, Value)>,
    ) -> bool {
        self.steps += 1;
        if self.steps > BUDGET {
            return false;
        }
        match self.status(goals) {
            Some(result) => return result,
            None if next == vars.len() => return false,
            None => {}
        }
        let (phase, slot) = vars[next];
        for value in &domains[next] {
            self.blocks[block_index(phase)].slots[slot as usize] = Some(*value);
            assigned.push(((phase, slot), *value));
            if self.assign(goals, vars, domains, next + 1, assigned) {
                return true;
            }
            assigned.pop();
        }
        self.blocks[block_index(phase)].slots[slot as usize] = None;
        false
    }

    /// Whether the conditions can have their wanted values together; `None` when the search
    /// ran out of budget.
    fn possible(&mut self, goals: &[(&Expr, Tri)]) -> Option<bool> {
        let found = self.solve(goals).is_some();
        if !found && self.steps > BUDGET {
            None
        } else {
            Some(found)
        }
    }
}

/// Candidate numbers in `lo..=hi`: the bounds, each constant inside, and two values strictly
/// inside every interval between them (whole numbers when `integral`).
fn grid(lo: f64, hi: f64, constants: &[f64], integral: bool) -> Vec<f64> {
    let mut points: Vec<f64> = std::iter::once(lo)
        .chain(constants.iter().copied().filter(|c| *c > lo && *c < hi))
        .chain(std::iter::once(hi))
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        out.push(a);
        if integral {
            for v in [a + 1.0, b - 1.0] {
                if v > a && v < b {
                    out.push(v);
                }
            }
        } else {
            out.push(a + (b - a) / 3.0);
            out.push(a + 2.0 * (b - a) / 3.0);
        }
    }
    out.extend(points.last());
    out
}

/// The example findings, written as in a case.
fn show_example(program: &Program, example: &[(Var, Value)]) -> String {
    example
        .iter()
        .filter_map(|((phase, slot), value)| {
            let indicator = program
                .indicators
                .get(*program.slot_indicator.get(*slot as usize)? as usize)?;
            let prefix = phase.map(|p| format!("{}.", p.word())).unwrap_or_default();
            Some(format!(
                "{prefix}{} = {}",
                indicator.show_slot(*slot),
                indicator.ty.show(*value)
            ))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pairs of categories that can both be true with no precedence between them and no
/// `coexist` line naming both, with findings that make both true: `(a, b, findings)`. The
/// findings are a real example: both conditions are true for them whatever the other
/// findings are.
pub fn category_overlaps(program: &Program) -> Vec<Overlap> {
    let mut search = Search::new(program, &|| {});
    let mut out = Vec::new();
    let n = program.categories.len();
    for b in 0..n {
        for a in 0..b {
            let ranked = program.outranks[a][b] || program.outranks[b][a];
            let coexist = program.coexist.iter().any(|line| {
                line.categories.contains(&(a as u32)) && line.categories.contains(&(b as u32))
            });
            if ranked || coexist {
                continue;
            }
            let goals = [
                (&program.categories[a].when, Tri::True),
                (&program.categories[b].when, Tri::True),
            ];
            if let Some(example) = search.solve(&goals) {
                out.push((a as u32, b as u32, example));
            }
        }
    }
    out
}

fn overlapping_categories(
    program: &Program,
    own: &Own,
    _search: &mut Search,
    out: &mut Vec<Diagnostic>,
) {
    for (a, b, example) in category_overlaps(program) {
        let (ca, cb) = (
            &program.categories[a as usize],
            &program.categories[b as usize],
        );
        let Some(span) = own.names.get(&(ItemKind::Category, cb.name.clone())) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Code::W0601,
                *span,
                format!(
                    "categories {} and {} can both be true, with no precedence between them",
                    ca.name, cb.name
                ),
            )
            .label(format!(
                "both true with: {}",
                show_example(program, &example)
            ))
            .help(format!(
                "add `precedence {} > {}` (or the reverse), or make the conditions exclusive",
                cb.name, ca.name
            )),
        );
    }
}

fn dead_conditions(program: &Program, own: &Own, search: &mut Search, out: &mut Vec<Diagnostic>) {
    for c in &program.categories {
        if let Some(span) = own.names.get(&(ItemKind::Category, c.name.clone())) {
            if search.possible(&[(&c.when, Tri::True)]) == Some(false) {
                out.push(
                    Diagnostic::new(Code::W0602, *span, format!("category {} can never be true", c.name))
                        .label("its `when` holds for no findings")
                        .help("check the comparisons in its `when`; as written no visit can be in this category"),
                );
            }
        }
    }
    for (names, span) in &own.coexist {
        let conditions: Vec<(&Expr, Tri)> = names
            .iter()
            .filter_map(|n| program.categories.iter().find(|c| c.name == *n))
            .map(|c| (&c.when, Tri::True))
            .collect();
        if search.possible(&conditions) == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0602,
                    *span,
                    format!("categories {} can never all be true together", names.join(", ")),
                )
                .label("no findings make every category of this line true")
                .help("this `coexist` line never applies: make the categories' conditions compatible, or remove it"),
            );
        }
    }
    for r in &program.red_flags {
        if let Some(span) = own.names.get(&(ItemKind::RedFlag, r.name.clone())) {
            if search.possible(&[(&r.when, Tri::True)]) == Some(false) {
                out.push(
                    Diagnostic::new(
                        Code::W0602,
                        *span,
                        format!("red flag `{}` can never be raised", r.name),
                    )
                    .label("its `when` holds for no findings")
                    .help(
                        "a red flag that can never be raised protects no patient: check its `when`",
                    ),
                );
            }
        }
    }
    for check in &program.checks {
        let Some(span) = own.names.get(&(ItemKind::Check, check.name.clone())) else {
            continue;
        };
        let need_possible = all_instances(
            search,
            check.instances.iter().map(|i| vec![(&i.need, Tri::True)]),
        );
        if need_possible == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0602,
                    own.need.get(&check.name).copied().unwrap_or(*span),
                    format!("check `{}` is never needed", check.name),
                )
                .label("this `need` holds for no findings")
                .help("as written every outcome is `not_needed`; check the comparisons"),
            );
            continue;
        }
        let complete_possible = all_instances(
            search,
            check
                .instances
                .iter()
                .map(|i| vec![(&i.need, Tri::True), (&i.complete, Tri::True)]),
        );
        if complete_possible == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0602,
                    own.complete.get(&check.name).copied().unwrap_or(*span),
                    format!("check `{}` can never be complete", check.name),
                )
                .label("this `complete` never holds when `need` does")
                .help("a correction this check follows could never be confirmed; check the comparisons"),
            );
        }
    }
}

/// Whether some instance's goals are possible: `Some(false)` only when every instance was
/// searched to the end and none is.
fn all_instances<'e>(
    search: &mut Search,
    goals: impl Iterator<Item = Vec<(&'e Expr, Tri)>>,
) -> Option<bool> {
    let mut gave_up = false;
    for g in goals {
        match search.possible(&g) {
            Some(true) => return Some(true),
            None => gave_up = true,
            Some(false) => {}
        }
    }
    if gave_up {
        None
    } else {
        Some(false)
    }
}

fn rules(program: &Program, own: &Own, search: &mut Search, out: &mut Vec<Diagnostic>) {
    for rule in &program.rules {
        let Some(span) = own.names.get(&(ItemKind::Rule, rule.name.clone())).copied() else {
            continue;
        };
        let when = all_instances(
            search,
            rule.instances.iter().map(|i| vec![(&i.when, Tri::True)]),
        );
        if when == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0602,
                    span,
                    format!("rule `{}` can never fire", rule.name),
                )
                .label("its `when` holds for no findings")
                .help("check the comparisons in its `when`"),
            );
            continue;
        }
        if let Some(category) = rule
            .category
            .and_then(|c| program.categories.get(c as usize))
        {
            let with_category = all_instances(
                search,
                rule.instances
                    .iter()
                    .map(|i| vec![(&i.when, Tri::True), (&category.when, Tri::True)]),
            );
            if with_category == Some(false) {
                let at = own.in_category.get(&rule.name).copied().unwrap_or(span);
                out.push(
                    Diagnostic::new(
                        Code::W0603,
                        at,
                        format!(
                            "rule `{}` can never fire: its `when` contradicts category {}",
                            rule.name, category.name
                        ),
                    )
                    .label(format!(
                        "no findings make both this rule's `when` and category {} true",
                        category.name
                    ))
                    .help(
                        "move the rule to the category its `when` describes, or drop `in category`",
                    ),
                );
                continue;
            }
        }
        if rule.instances.iter().all(|i| i.unless.is_none()) {
            continue;
        }
        let at = own.unless.get(&rule.name).copied().unwrap_or(span);
        let unless_possible = all_instances(
            search,
            rule.instances
                .iter()
                .filter_map(|i| Some(vec![(&i.when, Tri::True), (i.unless.as_ref()?, Tri::True)])),
        );
        if unless_possible == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0606,
                    at,
                    format!(
                        "the `unless` of rule `{}` can never be true when its `when` is",
                        rule.name
                    ),
                )
                .label("never withholds the rule")
                .help(
                    "a contraindication that can never hold protects nothing: check its condition",
                ),
            );
            continue;
        }
        let fires = all_instances(
            search,
            rule.instances
                .iter()
                .filter_map(|i| Some(vec![(&i.when, Tri::True), (i.unless.as_ref()?, Tri::False)])),
        );
        if fires == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0606,
                    at,
                    format!(
                        "the `unless` of rule `{}` is always true when its `when` is",
                        rule.name
                    ),
                )
                .label("always withholds the rule: it can never fire")
                .help("check the `unless`; as written the rule is always withheld"),
            );
        }
    }
}

/// W0603 for a red flag whose `when` contradicts its `in category` (LANGUAGE.md §7.4): it
/// could never be raised.
fn red_flag_categories(
    program: &Program,
    own: &Own,
    search: &mut Search,
    out: &mut Vec<Diagnostic>,
) {
    for flag in &program.red_flags {
        let Some(category) = flag
            .category
            .and_then(|c| program.categories.get(c as usize))
        else {
            continue;
        };
        let Some(at) = own.flag_in_category.get(&flag.name).copied() else {
            continue;
        };
        // A red flag that can never be raised at all has its W0602 already.
        if search.possible(&[(&flag.when, Tri::True)]) != Some(true) {
            continue;
        }
        if search.possible(&[(&flag.when, Tri::True), (&category.when, Tri::True)]) == Some(false) {
            out.push(
                Diagnostic::new(
                    Code::W0603,
                    at,
                    format!(
                        "red flag `{}` can never be raised: its `when` contradicts category {}",
                        flag.name, category.name
                    ),
                )
                .label(format!(
                    "no findings make both this red flag's `when` and category {} true",
                    category.name
                ))
                .help(
                    "bind the red flag to the category its `when` describes, or drop `in category`",
                ),
            );
        }
    }
}

fn checks_after_nothing(program: &Program, own: &Own, out: &mut Vec<Diagnostic>) {
    let recommended: BTreeSet<u32> = program
        .rules
        .iter()
        .flat_map(|r| {
            r.instances
                .iter()
                .flat_map(|i| i.then.iter().map(|c| c.adjustment))
        })
        .collect();
    for check in &program.checks {
        let Some(adj) = check.after else { continue };
        if recommended.contains(&adj) {
            continue;
        }
        let Some(span) = own.check_after.get(&check.name) else {
            continue;
        };
        let name = program
            .adjustments
            .get(adj as usize)
            .map(|a| a.name.as_str())
            .unwrap_or("?");
        out.push(
            Diagnostic::new(
                Code::W0605,
                *span,
                format!("check `{}` follows `{name}`, which no rule recommends", check.name),
            )
            .label("only a `given` in a case can make this check apply")
            .help(format!("add a rule that recommends `{name}`, or check after an adjustment a rule recommends")),
        );
    }
}
