//! The syntax tree of one item. Owned, with byte-offset spans relative to the start of the
//! item's text (see [`crate::split`]), so an item that moves in its file keeps an equal tree.

use std::fmt;

mod shift;
pub use shift::Shift;

/// A byte range `start..end` in the item's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span moved `by` bytes to the right.
    #[must_use]
    pub fn shift(self, by: usize) -> Span {
        Span::new(self.start as usize + by, self.end as usize + by)
    }
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    /// The name's text.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A string literal, escapes resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StringLit {
    /// The value, escapes resolved.
    pub value: String,
    /// The span including the quotes.
    pub span: Span,
}

/// The kind of a top-level item, known before the item is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    /// `protocol "Title" version "1.0"`
    Header,
    /// `use "file.sot"`
    Use,
    /// `type Name = …`
    Type,
    /// `indicator name: Type`
    Indicator,
    /// `adjustment name(…)`
    Adjustment,
    /// `table name(…): Type { … }`
    Table,
    /// `category NAME "Title" { when … }`
    Category,
    /// `precedence A > B`
    Precedence,
    /// `coexist A, B`
    Coexist,
    /// `red_flag name "Title" { … }`
    RedFlag,
    /// `rule name { … }`
    Rule,
    /// `check name { … }`
    Check,
    /// `case name { … }`
    Case,
}

impl ItemKind {
    /// The keyword that starts an item of this kind.
    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Header => "protocol",
            ItemKind::Use => "use",
            ItemKind::Type => "type",
            ItemKind::Indicator => "indicator",
            ItemKind::Adjustment => "adjustment",
            ItemKind::Table => "table",
            ItemKind::Category => "category",
            ItemKind::Precedence => "precedence",
            ItemKind::Coexist => "coexist",
            ItemKind::RedFlag => "red_flag",
            ItemKind::Rule => "rule",
            ItemKind::Check => "check",
            ItemKind::Case => "case",
        }
    }

    /// Every kind, in the order a file lists them.
    pub const ALL: [ItemKind; 13] = [
        ItemKind::Header,
        ItemKind::Use,
        ItemKind::Type,
        ItemKind::Indicator,
        ItemKind::Adjustment,
        ItemKind::Table,
        ItemKind::Category,
        ItemKind::Precedence,
        ItemKind::Coexist,
        ItemKind::RedFlag,
        ItemKind::Rule,
        ItemKind::Check,
        ItemKind::Case,
    ];

    /// The kind whose keyword is `word`.
    pub fn from_keyword(word: &str) -> Option<ItemKind> {
        Self::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// One parsed top-level item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The `///` doc comment lines directly before the item, without the slashes.
    pub doc: Option<String>,
    /// What the item is.
    pub data: ItemData,
    /// The item's span (without doc comments).
    pub span: Span,
}

/// The contents of an item, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemData {
    /// `protocol "Title" version "1.0"`
    Header {
        /// The protocol's title.
        title: StringLit,
        /// Its version.
        version: Option<StringLit>,
    },
    /// `use "path"`
    Use {
        /// The path, relative to the file that has the `use`.
        path: StringLit,
    },
    /// `type Name = …`
    Type(TypeDecl),
    /// `indicator name(params): Type`
    Indicator(Indicator),
    /// `adjustment name(params)`
    Adjustment(Adjustment),
    /// `table name(params): Type { … }`
    Table(Table),
    /// `category NAME "Title" { when … }`
    Category(Category),
    /// `precedence A > B > C`
    Precedence(Vec<Name>),
    /// `coexist A, B, …`: categories that may hold in one visit together.
    Coexist(Vec<Name>),
    /// `red_flag name "Title" { in category C  when …  refer URGENCY "…" }`
    RedFlag(RedFlag),
    /// `rule name "Title" { … }`
    Rule(Rule),
    /// `check name "Title" { … }`
    Check(Check),
    /// `case name "Title" { visit … }`
    Case(Case),
}

/// `type Name = …`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    /// The type's name.
    pub name: Name,
    /// Its definition.
    pub def: TypeDef,
}

/// The right-hand side of a `type` item.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeDef {
    /// `a | b | c`
    Enum(Vec<Name>),
    /// A range: `1..7`, `0.0..40.0 mm`, `T1..L5`.
    Range(BaseType, Span),
}

/// A unit of measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Millimetres.
    Mm,
    /// Centimetres (10 mm).
    Cm,
    /// Degrees.
    Deg,
}

impl Unit {
    /// The unit as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Mm => "mm",
            Unit::Cm => "cm",
            Unit::Deg => "deg",
        }
    }
}

/// A type as written in a declaration, without `?`.
#[derive(Clone, Debug, PartialEq)]
pub enum BaseType {
    /// A type name (`bool`, `Side`, `Vertebra`, `Category`, or a declared type).
    Named(Name),
    /// `LO..HI`, inclusive.
    IntRange(i64, i64),
    /// `LO..HI UNIT`.
    DecRange(f64, f64, Unit),
    /// `T1..L5`.
    NameRange(Name, Name),
}

/// A type expression: a base type, maybe optional (`T?`).
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// The base type.
    pub base: BaseType,
    /// Whether `?` follows.
    pub optional: bool,
    /// Where it is written.
    pub span: Span,
}

/// `name: Type` in a parameter list.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: Name,
    /// Its type.
    pub ty: TypeExpr,
}

/// `indicator name(params): Type`
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    /// The indicator's name.
    pub name: Name,
    /// Parameters (empty unless parametric).
    pub params: Vec<Param>,
    /// The type of its findings.
    pub ty: TypeExpr,
}

/// `adjustment name(params)`
#[derive(Clone, Debug, PartialEq)]
pub struct Adjustment {
    /// The adjustment's name.
    pub name: Name,
    /// Its parameters.
    pub params: Vec<Param>,
}

/// `table name(params): Type { entries }`
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: Name,
    /// Its parameters (the key).
    pub params: Vec<Param>,
    /// The type of its values.
    pub ty: TypeExpr,
    /// Its entries in source order.
    pub entries: Vec<TableEntry>,
}

/// `KEY => VALUE`
#[derive(Clone, Debug, PartialEq)]
pub struct TableEntry {
    /// The key; `None` for `_`.
    pub key: Option<Vec<Literal>>,
    /// The span of the key.
    pub key_span: Span,
    /// The value.
    pub value: Literal,
}

/// `category NAME "Title" { when … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    /// The category's name.
    pub name: Name,
    /// Its title.
    pub title: Option<StringLit>,
    /// When it holds.
    pub when: Expr,
}

/// `red_flag name "Title" { in category C  when …  refer URGENCY "…" }`
#[derive(Clone, Debug, PartialEq)]
pub struct RedFlag {
    /// The red flag's name.
    pub name: Name,
    /// Its title.
    pub title: Option<StringLit>,
    /// `in category C`: it applies only to a visit in that category.
    pub in_category: Option<Name>,
    /// When it is raised.
    pub when: Expr,
    /// The urgency written after `refer`, if any.
    pub urgency: Option<Urgency>,
    /// The referral text.
    pub refer: StringLit,
}

/// How urgent a referral is, most urgent first (so the derived order sorts by urgency).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// `refer emergency "…"`
    Emergency,
    /// `refer urgent "…"`
    Urgent,
    /// `refer routine "…"`
    Routine,
}

impl Urgency {
    /// The word as written after `refer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Emergency => "emergency",
            Urgency::Urgent => "urgent",
            Urgency::Routine => "routine",
        }
    }

    /// The urgency a word names.
    pub fn from_word(word: &str) -> Option<Urgency> {
        [Urgency::Emergency, Urgency::Urgent, Urgency::Routine]
            .into_iter()
            .find(|u| u.as_str() == word)
    }
}

/// `x in DOMAIN` in a `for` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The variable.
    pub name: Name,
    /// Its domain (a type name or an inline range).
    pub domain: TypeExpr,
}

/// `rule name "Title" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule's name.
    pub name: Name,
    /// Its title.
    pub title: Option<StringLit>,
    /// `in category C`.
    pub in_category: Option<Name>,
    /// `for x in D, …`.
    pub bindings: Vec<Binding>,
    /// `when …`.
    pub when: Expr,
    /// `unless …`.
    pub unless: Option<Expr>,
    /// `then CALL, …`.
    pub then: Vec<Call>,
}

/// Whether a check compares within a visit or across visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckScope {
    /// `within visit`: findings against the `after` block.
    WithinVisit,
    /// `across visits`: the previous visit's findings against this visit's.
    AcrossVisits,
}

/// `check name "Title" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The check's name.
    pub name: Name,
    /// Its title.
    pub title: Option<StringLit>,
    /// `within visit` or `across visits`.
    pub scope: CheckScope,
    /// `after ADJUSTMENT`.
    pub after: Option<Name>,
    /// `for x in D, …`.
    pub bindings: Vec<Binding>,
    /// `need …`.
    pub need: Expr,
    /// `complete …`.
    pub complete: Expr,
    /// `marginal …`.
    pub marginal: Option<Expr>,
}

/// `case name "Title" { visits }`
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case's name.
    pub name: Name,
    /// Its title.
    pub title: Option<StringLit>,
    /// `history { … }`: findings that hold for every visit (LANGUAGE.md §7.2).
    pub history: Option<Vec<Finding>>,
    /// Its visits in order.
    pub visits: Vec<Visit>,
}

/// `visit N "label" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    /// The visit's number.
    pub number: i64,
    /// Where the number is written.
    pub number_span: Span,
    /// Its label.
    pub label: Option<StringLit>,
    /// `findings { … }`.
    pub findings: Vec<Finding>,
    /// `given CALL, …` (`given none`: an empty list).
    pub given: Option<Vec<Call>>,
    /// `after { … }`.
    pub after: Option<Vec<Finding>>,
    /// `expect …` lines.
    pub expects: Vec<Expect>,
}

/// `indicator(args) = value` in a findings block.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The indicator.
    pub indicator: Name,
    /// Arguments of a parametric indicator (`None` value for `_`).
    pub args: Vec<FindingArg>,
    /// The value found, or `untestable`.
    pub value: FindingValue,
    /// The whole finding.
    pub span: Span,
}

/// What a finding records.
#[derive(Clone, Debug, PartialEq)]
pub enum FindingValue {
    /// The value found.
    Found(Literal),
    /// `untestable "reason"`: the examiner tried and could not test (LANGUAGE.md §7.6).
    Untestable {
        /// Why, if written.
        reason: Option<StringLit>,
        /// The word `untestable` and its reason.
        span: Span,
    },
}

impl FindingValue {
    /// Where the value (or `untestable` and its reason) is written.
    pub fn span(&self) -> Span {
        match self {
            FindingValue::Found(l) => l.span,
            FindingValue::Untestable { span, .. } => *span,
        }
    }
}

/// One argument of a finding: a value or `_`, maybe labelled.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingArg {
    /// `label:` if written.
    pub label: Option<Name>,
    /// The value; `None` for `_`.
    pub value: Option<Literal>,
    /// The argument's span.
    pub span: Span,
}

/// An `expect` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What is expected.
    pub kind: ExpectKind,
    /// The whole line.
    pub span: Span,
}

/// The forms of `expect`.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// `expect category C` (`None` for `expect category none`).
    Category(Option<Name>),
    /// `expect category A, B, …` (two or more): the visit's categories are exactly these.
    Categories(Vec<Name>),
    /// `expect ambiguous`.
    Ambiguous,
    /// `expect provisional`.
    Provisional,
    /// `expect refer`.
    Refer,
    /// `expect red_flag name`.
    RedFlag(Name),
    /// `expect no refer`: no red flag is raised.
    NoRefer,
    /// `expect no red_flag name`: that red flag is not raised.
    NoRedFlag(Name),
    /// `expect not_ruled_out name`: that red flag is neither raised nor ruled out.
    NotRuledOut(Name),
    /// `expect ruled_out name`: that red flag's condition is known false.
    RuledOut(Name),
    /// `expect adjustment CALL`.
    Adjustment(Call),
    /// `expect no adjustment CALL`.
    NoAdjustment(Call),
    /// `expect check name(binding) OUTCOME`.
    Check {
        /// The check.
        name: Name,
        /// The binding of its `for` variables.
        args: Option<Vec<Arg>>,
        /// The expected outcome word.
        outcome: Name,
    },
    /// `expect withheld rule(binding)`.
    Withheld {
        /// The rule.
        name: Name,
        /// The binding of its `for` variables.
        args: Option<Vec<Arg>>,
    },
}

/// `name(args)`: an adjustment call, a table call or a parametric indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The callee.
    pub name: Name,
    /// The arguments; `None` when written without parentheses.
    pub args: Option<Vec<Arg>>,
    /// The whole call.
    pub span: Span,
}

/// One argument: `label: expr` or `expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `label:` if written.
    pub label: Option<Name>,
    /// The value.
    pub value: Expr,
    /// The whole argument.
    pub span: Span,
}

/// A literal: a number (maybe with unit), `yes`/`no`, `none` or a name (enum value).
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// What it is.
    pub kind: LiteralKind,
    /// Where.
    pub span: Span,
}

/// The forms of a literal.
#[derive(Clone, Debug, PartialEq)]
pub enum LiteralKind {
    /// A number, an integer if written without a decimal point.
    Number {
        /// Its value.
        value: f64,
        /// Whether it was written without a decimal point.
        integer: bool,
        /// Its unit, if written.
        unit: Option<Unit>,
    },
    /// `yes` or `no`.
    Bool(bool),
    /// `none`.
    None,
    /// A name: an enum value, a vertebra, a side, a category.
    Name(String),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
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

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether it needs an ordered type.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// `and` or `or`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// `any of`, `all of`, `at least N of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// `any of (…)`
    Any,
    /// `all of (…)`
    All,
    /// `at least N of (…)`
    AtLeast(i64),
}

/// `before.`, `after.` or `previous.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// `before.x` (checks)
    Before,
    /// `after.x` (checks)
    After,
    /// `previous.x`: the previous visit's findings (categories, red flags, rules).
    Previous,
}

impl Phase {
    /// The word before the dot.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
            Phase::Previous => "previous",
        }
    }
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The forms of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal number, `yes`, `no`, `none`.
    Literal(Literal),
    /// A name or a call: an indicator, a table call, a `for` variable, an enum value.
    Ref(Call),
    /// `before.x` / `after.x` / `previous.x`.
    Phase(Phase, Call),
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b and c` or `a or b or c` (never mixed).
    Logic(LogicOp, Vec<Expr>),
    /// `a OP b`.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `x in {a, b}`.
    InSet(Box<Expr>, Vec<Literal>),
    /// `a + b` (`true`) or `a - b` (`false`).
    Arith(bool, Box<Expr>, Box<Expr>),
    /// `any of (…)`, `all of (…)`, `at least N of (…)`.
    Quant(Quantifier, Vec<Expr>),
    /// `( e )`.
    Paren(Box<Expr>),
}
