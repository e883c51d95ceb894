//! The lowered program: what the compiler lowers a protocol into and the runtime executes,
//! and its three-valued evaluation ([`eval`]).
//!
//! Names are resolved to indices: each finding of each indicator has a slot, values are
//! numbers (symbols by their index in their type), `for` bindings are expanded into one
//! instance per binding with the bound values folded in.
//!
//! Architecture invariant: this crate depends on no other sot crate, and not on salsa or
//! pest: a lowered program can be run without the compiler.

use serde::Serialize;

pub mod compare;
pub mod eval;

/// A value: `none`, or a number. Booleans are 0/1, symbols (sides, vertebrae, enum values,
/// categories) their index in their type, measures their value in the base unit (mm, deg).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub enum Value {
    /// `none`: examined, negative.
    None,
    /// Every other value.
    Num(f64),
}

/// The type of a value, for reading it back in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ValueType {
    /// `yes` / `no`.
    Bool,
    /// An integer.
    Int,
    /// A measure, shown in this unit.
    Measure {
        /// `mm`, `cm` or `deg`.
        unit: String,
    },
    /// Named values: a side, a vertebra, an enum value, a category.
    Symbols {
        /// The type's name.
        name: String,
        /// The values, by index.
        values: Vec<String>,
    },
}

impl ValueType {
    /// A value as the protocol writes it.
    pub fn show(&self, value: Value) -> String {
        let Value::Num(n) = value else {
            return "none".into();
        };
        match self {
            ValueType::Bool => if n != 0.0 { "yes" } else { "no" }.into(),
            ValueType::Int => format!("{n}"),
            ValueType::Measure { unit } => {
                let shown = if unit == "cm" { n / 10.0 } else { n };
                format!("{shown} {unit}")
            }
            ValueType::Symbols { values, .. } => values
                .get(n as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{n}")),
        }
    }
}

/// How the values of a finite parameter map to a dense index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Domain {
    /// The smallest value (numbers) or 0 (symbols).
    pub lo: i64,
    /// How many values.
    pub size: u32,
    /// How to show them.
    pub ty: ValueType,
}

impl Domain {
    /// The index of a value in the domain, if it is in it.
    pub fn index(&self, value: Value) -> Option<u32> {
        let Value::Num(n) = value else { return None };
        let i = n as i64 - self.lo;
        (0..i64::from(self.size)).contains(&i).then_some(i as u32)
    }

    /// The value at an index.
    pub fn value(&self, index: u32) -> Value {
        Value::Num((self.lo + i64::from(index)) as f64)
    }
}

/// An indicator and where its findings live.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    /// Its name.
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Its parameters.
    pub params: Vec<(String, Domain)>,
    /// The type of its findings.
    pub ty: ValueType,
    /// Whether `none` is a value.
    pub optional: bool,
    /// The smallest and largest value (numbers, measures in the base unit, vertebrae by
    /// index); `None` for the other types, whose values are all of [`ValueType`].
    pub range: Option<(f64, f64)>,
    /// The slot of its first finding; one slot per parameter combination follows.
    pub first_slot: u32,
    /// How many slots.
    pub slots: u32,
}

impl Indicator {
    /// The finding at `slot` written as in a case (`occipital_fiber(line: 2, area: 3)`).
    pub fn show_slot(&self, slot: u32) -> String {
        if self.params.is_empty() {
            return self.name.clone();
        }
        let mut rest = slot - self.first_slot;
        let mut parts = vec![String::new(); self.params.len()];
        for (i, (name, domain)) in self.params.iter().enumerate().rev() {
            let index = rest % domain.size.max(1);
            rest /= domain.size.max(1);
            parts[i] = format!("{name}: {}", domain.ty.show(domain.value(index)));
        }
        format!("{}({})", self.name, parts.join(", "))
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// The comparison with its operands swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            same => same,
        }
    }
}

/// Which findings an expression reads besides the visit's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    /// `before.x` (checks)
    Before,
    /// `after.x` (checks)
    After,
    /// `previous.x`: the previous visit's findings, history applied (categories, red flags,
    /// rules).
    Previous,
}

impl Phase {
    /// The word before the dot.
    pub fn word(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
            Phase::Previous => "previous",
        }
    }
}

/// An expression over findings.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// A finding (of the visit's findings; in checks, of the phase's findings).
    Slot(Option<Phase>, u32),
    /// A finding of a parametric indicator whose arguments depend on findings.
    DynSlot(Option<Phase>, u32, Vec<Expr>),
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b …` (also `all of`).
    And(Vec<Expr>),
    /// `a or b …` (also `any of`).
    Or(Vec<Expr>),
    /// `at least N of (…)`.
    AtLeast(u32, Vec<Expr>),
    /// `a OP b`.
    Compare(Cmp, Box<Expr>, Box<Expr>),
    /// `finding OP constant`: the commonest comparison, kept flat so that evaluating it
    /// follows no pointer (lowering writes `Compare` of a slot and a constant this way).
    Test(Option<Phase>, u32, Cmp, Value),
    /// `x in {…}`.
    InSet(Box<Expr>, Vec<Value>),
    /// `a + b` or `a - b` (`negate` the right side).
    Add(Box<Expr>, Box<Expr>, bool),
    /// A table lookup.
    Table(u32, Vec<Expr>),
}

/// A table: dense entries by the mixed-radix index of the key.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// The key parameters.
    pub params: Vec<Domain>,
    /// The value for each key (`_` filled in).
    pub entries: Vec<Value>,
}

/// An adjustment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Adjustment {
    /// Its name.
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Parameter names and how to show their values.
    pub params: Vec<(String, ValueType)>,
}

/// `adjustment(args)` in a rule's `then` or a visit's `given`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The adjustment.
    pub adjustment: u32,
    /// Its arguments in parameter order.
    pub args: Vec<Expr>,
}

/// A category.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    /// The file that declares it.
    pub file: String,
    /// Its name (`II`).
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Its doc comment.
    pub doc: Option<String>,
    /// When it holds.
    pub when: Expr,
}

/// A red flag.
#[derive(Clone, Debug, PartialEq)]
pub struct RedFlag {
    /// The file that declares it.
    pub file: String,
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// `in category C`: it applies only to a visit in that category.
    pub category: Option<u32>,
    /// Its `when` (the runtime `and`s it with `in category`).
    pub when: Expr,
    /// The urgency written after `refer`, if any.
    pub urgency: Option<Urgency>,
    /// The referral text.
    pub refer: String,
}

/// A `coexist` line: categories that may hold in one visit together.
#[derive(Clone, Debug, PartialEq)]
pub struct CoexistLine {
    /// The file that declares it.
    pub file: String,
    /// Its categories in the line's order, each once.
    pub categories: Vec<u32>,
}

/// How urgent a referral is; the order is most urgent first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// `refer emergency "…"`
    Emergency,
    /// `refer urgent "…"`
    Urgent,
    /// `refer routine "…"`
    Routine,
}

impl Urgency {
    /// The word as the protocol writes it.
    pub fn word(self) -> &'static str {
        match self {
            Urgency::Emergency => "emergency",
            Urgency::Urgent => "urgent",
            Urgency::Routine => "routine",
        }
    }
}

/// One binding of a rule's `for` variables, with the values folded in.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInstance {
    /// `(variable, value shown)`; empty for a rule without `for`.
    pub binding: Vec<(String, String)>,
    /// `when`.
    pub when: Expr,
    /// `unless`.
    pub unless: Option<Expr>,
    /// `then`.
    pub then: Vec<Call>,
}

/// A rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The file that declares it.
    pub file: String,
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Its doc comment.
    pub doc: Option<String>,
    /// `in category`.
    pub category: Option<u32>,
    /// One instance per binding of its `for` variables.
    pub instances: Vec<RuleInstance>,
}

/// `within visit` or `across visits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckScope {
    /// Findings against the visit's `after` block.
    WithinVisit,
    /// The previous visit's findings against this visit's.
    AcrossVisits,
}

/// One binding of a check's `for` variables.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckInstance {
    /// `(variable, value shown)`.
    pub binding: Vec<(String, String)>,
    /// `need`.
    pub need: Expr,
    /// `complete`.
    pub complete: Expr,
    /// `marginal`.
    pub marginal: Option<Expr>,
}

/// A before/after check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The file that declares it.
    pub file: String,
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Within a visit or across visits.
    pub scope: CheckScope,
    /// `after ADJ`: applies only when that adjustment was given.
    pub after: Option<u32>,
    /// One instance per binding.
    pub instances: Vec<CheckInstance>,
}

/// The findings of one block: a value per slot, `None` where not examined or untestable.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Findings {
    /// Per slot: `Some(value)` when examined.
    pub slots: Vec<Option<Value>>,
    /// The slots recorded `untestable` (their value is `None`), in slot order.
    pub untestable: Vec<Untestable>,
}

/// A finding the examiner tried and could not test (LANGUAGE.md §7.6): unknown for
/// evaluation, named apart in reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Untestable {
    /// Its slot.
    pub slot: u32,
    /// Why, if the case says.
    pub reason: Option<String>,
}

impl Findings {
    /// Findings of examined slots only, nothing untestable.
    pub fn examined(slots: Vec<Option<Value>>) -> Self {
        Findings {
            slots,
            untestable: Vec::new(),
        }
    }

    /// The record of `slot` when it is untestable here.
    pub fn untestable(&self, slot: u32) -> Option<&Untestable> {
        self.untestable
            .binary_search_by_key(&slot, |u| u.slot)
            .ok()
            .and_then(|i| self.untestable.get(i))
    }

    /// Whether this block says something of `slot`: a value or `untestable`.
    pub fn covers(&self, slot: u32) -> bool {
        self.slots.get(slot as usize).copied().flatten().is_some()
            || self.untestable(slot).is_some()
    }

    /// These findings with `history` for every slot they do not cover (LANGUAGE.md §7.2): a
    /// finding of this block, a value or `untestable`, beats the history's.
    pub fn with_history(&self, history: &Findings) -> Findings {
        let slots = (0..self.slots.len().max(history.slots.len()))
            .map(|s| {
                let own = self.slots.get(s).copied().flatten();
                match own {
                    Some(v) => Some(v),
                    None if self.untestable(s as u32).is_some() => None,
                    None => history.slots.get(s).copied().flatten(),
                }
            })
            .collect();
        let mut untestable: Vec<Untestable> = self
            .untestable
            .iter()
            .chain(history.untestable.iter().filter(|u| !self.covers(u.slot)))
            .cloned()
            .collect();
        untestable.sort_by_key(|u| u.slot);
        Findings { slots, untestable }
    }
}

/// An `expect` line, resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// `expect category C` / `expect category none` (`None`).
    Category(Option<u32>),
    /// `expect category A, B, …`: the visit's categories are exactly these.
    Categories(Vec<u32>),
    /// `expect ambiguous`.
    Ambiguous,
    /// `expect provisional`.
    Provisional,
    /// `expect refer`.
    Refer,
    /// `expect red_flag name`.
    RedFlag(u32),
    /// `expect no refer`.
    NoRefer,
    /// `expect no red_flag name`.
    NoRedFlag(u32),
    /// `expect not_ruled_out name`.
    NotRuledOut(u32),
    /// `expect ruled_out name`.
    RuledOut(u32),
    /// `expect adjustment CALL`: the adjustment and, when given, its argument values.
    Adjustment(u32, Option<Vec<Value>>),
    /// `expect no adjustment CALL`.
    NoAdjustment(u32, Option<Vec<Value>>),
    /// `expect check name(binding) outcome`: the check, the instance, the outcome word.
    Check(u32, Option<u32>, String),
    /// `expect withheld rule(binding)`: the rule and, when given, the instance.
    Withheld(u32, Option<u32>),
}

/// An `expect` line with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectLine {
    /// What is expected.
    pub expect: Expect,
    /// The line as written.
    pub text: String,
    /// 1-based line in its file.
    pub line: usize,
}

/// One visit of a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    /// Its number.
    pub number: i64,
    /// Its label.
    pub label: Option<String>,
    /// `findings { … }`.
    pub findings: Findings,
    /// `after { … }`.
    pub after: Option<Findings>,
    /// `given …`: adjustments with constant arguments.
    pub given: Option<Vec<(u32, Vec<Value>)>>,
    /// `expect` lines.
    pub expects: Vec<ExpectLine>,
}

/// A case study.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// `history { … }`: the findings of every visit that its own do not cover.
    pub history: Option<Findings>,
    /// Its visits in order.
    pub visits: Vec<Visit>,
}

/// A whole lowered protocol.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// The protocol's title.
    pub title: Option<String>,
    /// Indicators, slots in order.
    pub indicators: Vec<Indicator>,
    /// The number of finding slots.
    pub slot_count: u32,
    /// For each slot, its indicator.
    pub slot_indicator: Vec<u32>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Adjustments.
    pub adjustments: Vec<Adjustment>,
    /// Categories in declaration order.
    pub categories: Vec<Category>,
    /// `outranks[a][b]`: category `a` outranks `b` (transitively).
    pub outranks: Vec<Vec<bool>>,
    /// The `coexist` lines in declaration order.
    pub coexist: Vec<CoexistLine>,
    /// Red flags.
    pub red_flags: Vec<RedFlag>,
    /// Rules in declaration order.
    pub rules: Vec<Rule>,
    /// Checks.
    pub checks: Vec<Check>,
    /// The cases of the file that was lowered (not of files it uses).
    pub cases: Vec<Case>,
    /// The rules laid out for evaluation (see [`Plan`]).
    pub plan: Plan,
}

/// `finding OP constant`, as the evaluator reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Test {
    /// The slot of the visit's findings.
    pub slot: u32,
    /// The comparison.
    pub op: Cmp,
    /// The constant.
    pub value: Value,
}

/// One rule instance in evaluation order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Its rule.
    pub rule: u32,
    /// Its instance of the rule.
    pub instance: u32,
    /// The rule's `in category`.
    pub category: Option<u32>,
    /// `Some((start, len))` when its `when` is exactly the conjunction of
    /// `Plan::tests[start..start + len]` and it has no `unless`; `None` when the evaluator
    /// walks the expression.
    pub tests: Option<(u32, u32)>,
}

/// Every rule instance in one array, in declaration order, and the `when` of most of them as
/// runs of flat tests in another: evaluating a visit scans two arrays instead of following
/// pointers from rule to instance to expression. Built from the rules by [`Plan::of`]; it
/// means exactly what the rules' expressions mean (a test suite compares the two).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The rule instances.
    pub steps: Vec<Step>,
    /// Where each rule's instances start in `steps`.
    pub rule_start: Vec<u32>,
    /// The tests the steps point into.
    pub tests: Vec<Test>,
}

impl Plan {
    /// The plan of `rules`.
    pub fn of(rules: &[Rule]) -> Plan {
        let mut plan = Plan::default();
        for (r, rule) in rules.iter().enumerate() {
            plan.rule_start.push(plan.steps.len() as u32);
            for (i, instance) in rule.instances.iter().enumerate() {
                let start = plan.tests.len();
                let flat = instance.unless.is_none() && flat_tests(&instance.when, &mut plan.tests);
                let tests = if flat {
                    Some((start as u32, (plan.tests.len() - start) as u32))
                } else {
                    plan.tests.truncate(start);
                    None
                };
                plan.steps.push(Step {
                    rule: r as u32,
                    instance: i as u32,
                    category: rule.category,
                    tests,
                });
            }
        }
        plan
    }
}

/// Appends `e` as tests on the visit's findings when it is a conjunction of them: a
/// comparison with a constant, a yes/no finding (`x` is `x == yes`; `not x` is `x != yes`,
/// which is also true for `none`, as `not x` is).
fn flat_tests(e: &Expr, out: &mut Vec<Test>) -> bool {
    const YES: Value = Value::Num(1.0);
    let test = match e {
        Expr::Test(None, slot, op, value) => Test {
            slot: *slot,
            op: *op,
            value: *value,
        },
        Expr::Slot(None, slot) => Test {
            slot: *slot,
            op: Cmp::Eq,
            value: YES,
        },
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Slot(None, slot) => Test {
                slot: *slot,
                op: Cmp::Ne,
                value: YES,
            },
            _ => return false,
        },
        Expr::And(items) => return items.iter().all(|item| flat_tests(item, out)),
        _ => return false,
    };
    out.push(test);
    true
}
