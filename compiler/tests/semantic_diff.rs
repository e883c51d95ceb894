//! `sot diff`'s semantic section on random pairs of protocol versions: every example it
//! reports, written as a case and run through both versions (checked and lowered from the
//! text, a path of its own), really changes the outcome it claims; and a random finding set
//! on which the two versions disagree (a category, a red flag, a rule, the visit's
//! category) is covered by a reported difference. Nothing is left undecided on protocols
//! this small.

use proptest::prelude::*;
use sot_compiler::{compare_programs, foreign_cases, lower_file, Database, SourceFile};
use sot_ir::eval::Tri;
use sot_ir::Program;
use sot_runtime::diff::semantic::{semantic, Relation, Rest, SemanticDiff, Witness};
use sot_runtime::diff::ItemKind;
use sot_runtime::visit::{evaluate_case, CategoryState, RuleState, VisitState};

const CATEGORIES: [&str; 3] = ["I", "II", "III"];
const BOOLS: [&str; 3] = ["a", "b", "c"];

/// A condition over the indicators `a`, `b`, `c` (yes/no), `fossa` (`Side?`), `grade`
/// (`0..N`) and `length` (`0.0..40.0 mm`).
#[derive(Clone, Debug)]
enum Cond {
    Bool(usize, bool),
    Fossa(Option<&'static str>, bool),
    Grade(&'static str, u32),
    Length(&'static str, f64),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    AtLeast(usize, Vec<Cond>),
}

impl Cond {
    fn text(&self) -> String {
        let list = |items: &[Cond], sep: &str| {
            items
                .iter()
                .map(|i| format!("({})", i.text()))
                .collect::<Vec<_>>()
                .join(sep)
        };
        match self {
            Cond::Bool(i, previous) => {
                format!("{}{}", if *previous { "previous." } else { "" }, BOOLS[*i])
            }
            Cond::Fossa(side, eq) => format!(
                "fossa {} {}",
                if *eq { "==" } else { "!=" },
                side.unwrap_or("none")
            ),
            Cond::Grade(op, n) => format!("grade {op} {n}"),
            Cond::Length(op, mm) => format!("length {op} {mm} mm"),
            Cond::Not(x) => format!("not ({})", x.text()),
            Cond::And(items) => list(items, " and "),
            Cond::Or(items) => list(items, " or "),
            Cond::AtLeast(n, items) => format!("at least {n} of ({})", list(items, ", ")),
        }
    }
}

const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];

fn cond() -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![
        (0usize..3, any::<bool>()).prop_map(|(i, p)| Cond::Bool(i, p)),
        (
            prop_oneof![Just(None), Just(Some("left")), Just(Some("right"))],
            any::<bool>()
        )
            .prop_map(|(s, eq)| Cond::Fossa(s, eq)),
        (0usize..6, 0u32..4).prop_map(|(op, n)| Cond::Grade(OPS[op], n)),
        (
            2usize..6,
            prop_oneof![Just(2.5), Just(4.0), Just(6.0), Just(20.0)]
        )
            .prop_map(|(op, mm)| Cond::Length(OPS[op], mm)),
    ];
    leaf.prop_recursive(2, 10, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::Or),
            prop::collection::vec(inner, 2..4)
                .prop_flat_map(|items| (1..=items.len(), Just(items)))
                .prop_map(|(n, items)| Cond::AtLeast(n, items)),
        ]
    })
}

/// One version of the random protocol.
#[derive(Clone, Debug)]
struct Proto {
    /// The largest grade: a changed one changes `grade`'s type (its findings read apart).
    grade_max: u32,
    categories: Vec<Cond>,
    /// Categories from the highest rank down, when there is a `precedence` line.
    precedence: Option<Vec<usize>>,
    coexist: Option<(usize, usize)>,
    /// The red flag's `when` and `in category`.
    flag: (Cond, Option<usize>),
    /// Each rule's `in category`, `when` and `unless`.
    rules: Vec<(Option<usize>, Cond, Option<Cond>)>,
    /// Whether it declares the indicator `d` (yes/no), which the first rule's `when` then
    /// also accepts (`or d`).
    extra: bool,
}

impl Proto {
    fn text(&self, version: &str) -> String {
        let mut t = format!(
            "protocol \"Random\" version \"{version}\"\n\n\
             indicator a: bool\nindicator b: bool\nindicator c: bool\n\
             indicator fossa: Side?\nindicator grade: 0..{}\n\
             indicator length: 0.0..40.0 mm\n{}\nadjustment block\n\n",
            self.grade_max,
            if self.extra {
                "indicator d: bool\n"
            } else {
                ""
            }
        );
        for (i, when) in self.categories.iter().enumerate() {
            t.push_str(&format!(
                "category {} {{\n  when {}\n}}\n",
                CATEGORIES[i],
                when.text()
            ));
        }
        if let Some(order) = &self.precedence {
            let names: Vec<&str> = order.iter().map(|i| CATEGORIES[*i]).collect();
            t.push_str(&format!("precedence {}\n", names.join(" > ")));
        }
        // A `coexist` line of ranked categories is an error (E0404): only without a
        // `precedence` line.
        if let (Some((x, y)), None) = (self.coexist, &self.precedence) {
            t.push_str(&format!("coexist {}, {}\n", CATEGORIES[x], CATEGORIES[y]));
        }
        let in_category = |c: &Option<usize>| {
            c.map(|c| format!("  in category {}\n", CATEGORIES[c]))
                .unwrap_or_default()
        };
        t.push_str(&format!(
            "red_flag alarm \"Alarm\" {{\n{}  when {}\n  refer \"Refer\"\n}}\n",
            in_category(&self.flag.1),
            self.flag.0.text()
        ));
        for (i, (category, when, unless)) in self.rules.iter().enumerate() {
            let unless = unless
                .as_ref()
                .map(|u| format!("  unless {}\n", u.text()))
                .unwrap_or_default();
            let or_d = if self.extra && i == 0 { " or d" } else { "" };
            t.push_str(&format!(
                "rule r{i} {{\n{}  when ({}){or_d}\n{unless}  then block\n}}\n",
                in_category(category),
                when.text()
            ));
        }
        t
    }
}

fn proto() -> impl Strategy<Value = Proto> {
    let category = prop::option::of(0usize..3);
    (
        prop_oneof![Just(3u32), Just(5u32)],
        prop::collection::vec(cond(), 3),
        prop::option::of(Just(vec![0usize, 1, 2]).prop_shuffle()),
        prop::option::of((0usize..3, 0usize..3).prop_filter("two", |(x, y)| x != y)),
        (cond(), category.clone()),
        prop::collection::vec((category, cond(), prop::option::of(cond())), 2),
        any::<bool>(),
    )
        .prop_map(
            |(grade_max, categories, precedence, coexist, flag, rules, extra)| Proto {
                grade_max,
                categories,
                precedence,
                coexist,
                flag,
                rules,
                extra,
            },
        )
}

/// An old version and a new one that keeps each of its parts with probability 3/4.
fn pair() -> impl Strategy<Value = (Proto, Proto)> {
    (proto(), proto(), prop::collection::vec(0u8..4, 12)).prop_map(|(old, other, keep)| {
        let pick = |i: usize| keep[i] != 0;
        let mut new = old.clone();
        if !pick(0) {
            new.grade_max = other.grade_max;
            new.extra = other.extra;
        }
        for c in 0..3 {
            if !pick(1 + c) {
                new.categories[c] = other.categories[c].clone();
            }
        }
        if !pick(4) {
            new.precedence = other.precedence.clone();
        }
        if !pick(5) {
            new.coexist = other.coexist;
        }
        if !pick(6) {
            new.flag.0 = other.flag.0.clone();
        }
        if !pick(7) {
            new.flag.1 = other.flag.1;
        }
        for r in 0..2 {
            if !pick(8 + 2 * r) {
                new.rules[r].1 = other.rules[r].1.clone();
            }
            if !pick(9 + 2 * r) {
                new.rules[r].2 = other.rules[r].2.clone();
                new.rules[r].0 = other.rules[r].0;
            }
        }
        (old, new)
    })
}

/// Random findings of every indicator, for the previous visit and this one.
fn findings() -> impl Strategy<Value = Vec<String>> {
    let one = (
        prop::collection::vec(any::<bool>(), 3),
        prop_oneof![Just("none"), Just("left"), Just("right")],
        0u32..4,
        prop_oneof![
            Just(0.0),
            Just(2.5),
            Just(3.0),
            Just(4.0),
            Just(5.0),
            Just(6.0),
            Just(12.5),
            Just(20.0),
            Just(40.0)
        ],
    )
        .prop_map(|(bools, fossa, grade, length)| {
            let mut out: Vec<String> = bools
                .iter()
                .zip(BOOLS)
                .map(|(b, n)| format!("{n} = {}", if *b { "yes" } else { "no" }))
                .collect();
            out.push(format!("fossa = {fossa}"));
            out.push(format!("grade = {grade}"));
            out.push(format!("length = {length} mm"));
            out.push(format!(
                "d = {}",
                if bools[0] == bools[1] { "yes" } else { "no" }
            ));
            out
        });
    (one.clone(), one).prop_map(|(previous, now)| {
        let mut out: Vec<String> = previous.iter().map(|f| format!("previous.{f}")).collect();
        out.extend(now);
        out
    })
}

struct Loaded {
    db: Database,
    file: SourceFile,
}

impl Loaded {
    fn new(text: String) -> Self {
        let mut db = Database::default();
        let file = db.set_file(std::path::Path::new("random.sot"), text);
        Loaded { db, file }
    }

    fn program(&self) -> &Program {
        lower_file(&self.db, self.file)
            .as_ref()
            .unwrap_or_else(|| panic!("does not lower:\n{}", self.file.text(&self.db)))
    }

    /// The last visit's state for findings written as a case writes them (`previous.x`
    /// in a visit before), as this version reads them: the other version's own findings,
    /// and those of indicators this version lacks, are left out.
    fn run(&self, findings: &[String], other: &str) -> VisitState {
        let mut previous = String::new();
        let mut now = String::new();
        for f in findings {
            if f.ends_with(other) {
                continue;
            }
            let f = f.split(" (").next().unwrap_or(f);
            let name = f.trim_start_matches("previous.").split(' ').next();
            if !self
                .program()
                .indicators
                .iter()
                .any(|i| Some(i.name.as_str()) == name)
            {
                continue;
            }
            match f.strip_prefix("previous.") {
                Some(p) => previous.push_str(&format!("      {p}\n")),
                None => now.push_str(&format!("      {f}\n")),
            }
        }
        let mut case = String::from("case example {\n");
        if !previous.is_empty() {
            case.push_str(&format!(
                "  visit 1 {{\n    findings {{\n{previous}    }}\n  }}\n"
            ));
        }
        case.push_str(&format!(
            "  visit 2 {{\n    findings {{\n{now}    }}\n  }}\n}}\n"
        ));
        let lowered = foreign_cases(&self.db, self.file, &case);
        let Some(Ok(case)) = lowered.into_iter().next() else {
            panic!("the case does not lower:\n{case}");
        };
        evaluate_case(self.program(), &case)
            .pop()
            .expect("one visit")
    }
}

/// Whether item `name` of `kind` holds in a visit state.
fn holds(program: &Program, state: &VisitState, kind: ItemKind, name: &str) -> bool {
    match kind {
        ItemKind::Category => program
            .categories
            .iter()
            .position(|c| c.name == name)
            .is_some_and(|i| state.categories[i] == Tri::True),
        ItemKind::RedFlag => program
            .red_flags
            .iter()
            .position(|r| r.name == name)
            .is_some_and(|i| state.red_flags[i] == Tri::True),
        _ => program
            .rules
            .iter()
            .position(|r| r.name == name)
            .is_some_and(|i| state.rule(i).contains(&RuleState::Fired)),
    }
}

/// The visit's categories in words, coexisting ones in declaration order.
fn category(program: &Program, state: &VisitState) -> String {
    let names = |cs: &[u32]| {
        cs.iter()
            .map(|c| program.categories[*c as usize].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &state.category {
        CategoryState::None => "none".into(),
        CategoryState::One(c) => names(&[*c]),
        // The order of a `coexist` line is not a change of the visit's categories.
        CategoryState::Coexisting(cs) => {
            let mut sorted = cs.clone();
            sorted.sort_unstable();
            format!("{} (coexisting)", names(&sorted))
        }
        CategoryState::Ambiguous(cs) => format!("ambiguous: {}", names(cs)),
    }
}

/// The diff's words for the visit's categories as [`category`] writes them: without
/// "provisional", coexisting ones in declaration order.
fn plain(program: &Program, words: &str) -> String {
    let words = words.trim_end_matches(" (provisional)");
    match words.strip_suffix(" (coexisting)") {
        Some(names) => {
            let mut names: Vec<&str> = names.split(", ").collect();
            names.sort_by_key(|n| program.categories.iter().position(|c| c.name == *n));
            format!("{} (coexisting)", names.join(", "))
        }
        None => words.to_string(),
    }
}

fn check_pair(old: &Proto, new: &Proto, findings: &[String]) -> Result<(), TestCaseError> {
    let (lo, ln) = (Loaded::new(old.text("1")), Loaded::new(new.text("2")));
    let (po, pn) = (lo.program(), ln.program());
    let sem: SemanticDiff = semantic(po, pn, &compare_programs(po, pn));
    let context = || format!("{}\n---\n{}\n{sem:#?}", old.text("1"), new.text("2"));
    for item in &sem.items {
        prop_assert!(item.relation != Relation::Undecided, "{}", context());
        // Every example, as a case of each version, changes what it says it changes.
        for (w, old_holds) in [(&item.dropped, true), (&item.added, false)] {
            let Some(w) = w else { continue };
            let (so, sn) = (
                lo.run(&w.findings, "(new version)"),
                ln.run(&w.findings, "(old version)"),
            );
            let (ho, hn) = (
                holds(po, &so, item.kind, &item.name),
                holds(pn, &sn, item.kind, &item.name),
            );
            prop_assert!(
                ho == old_holds && hn != old_holds,
                "{} {}: {w:?}\n{}",
                item.kind.word(),
                item.name,
                context()
            );
        }
    }
    prop_assert!(sem.category.rest != Rest::Undecided, "{}", context());
    for w in &sem.category.changes {
        let (so, sn) = (
            lo.run(&w.findings, "(new version)"),
            ln.run(&w.findings, "(old version)"),
        );
        prop_assert_eq!(plain(po, &w.old), category(po, &so), "{}", context());
        prop_assert_eq!(plain(pn, &w.new), category(pn, &sn), "{}", context());
    }
    // A random finding set on which the versions disagree is covered.
    let (so, sn) = (lo.run(findings, "-"), ln.run(findings, "-"));
    for item in &sem.items {
        if item.kind == ItemKind::Rule && (so.referred() || sn.referred()) {
            continue;
        }
        let (ho, hn) = (
            holds(po, &so, item.kind, &item.name),
            holds(pn, &sn, item.kind, &item.name),
        );
        let reported: &Option<Witness> = if ho { &item.dropped } else { &item.added };
        prop_assert!(
            ho == hn || reported.is_some(),
            "{} {} differs on {findings:?}, not reported\n{}",
            item.kind.word(),
            item.name,
            context()
        );
    }
    let (co, cn) = (category(po, &so), category(pn, &sn));
    if co != cn && sem.category.rest == Rest::Complete {
        let listed = sem
            .category
            .changes
            .iter()
            .any(|w| plain(po, &w.old) == co && plain(pn, &w.new) == cn);
        prop_assert!(
            listed,
            "category {co} → {cn} on {findings:?} not listed\n{}",
            context()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn examples_change_the_outcome_and_disagreements_are_reported(
        (old, new) in pair(),
        findings in findings(),
    ) {
        check_pair(&old, &new, &findings)?;
    }
}
