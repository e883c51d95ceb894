//! The benchmark's work, generated from a seed and written out for every engine: the protocol
//! in the `sot` language, the same rules as a native Rust function, as JSONLogic for
//! datalogic-rs and as a Rhai script; and a cohort of patients whose findings change a little
//! from visit to visit, written as `sot` case data (JSON) and as each engine's input.
//!
//! This file uses only `std`: the build script includes it to write the native function.

use std::fmt::Write;

/// A small deterministic generator (SplitMix64): the same seed gives the same work anywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The type of an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `bool`
    Bool,
    /// `Tone = normal | hypertonic | flaccid`
    Tone,
    /// `Grade = 0..3`
    Grade,
    /// `0.0..40.0 mm`
    Length,
    /// `Side?`
    Side,
}

const KINDS: [Kind; 5] = [
    Kind::Bool,
    Kind::Tone,
    Kind::Grade,
    Kind::Length,
    Kind::Side,
];
const TONES: [&str; 3] = ["normal", "hypertonic", "flaccid"];
const SIDES: [&str; 2] = ["left", "right"];

/// One finding's value. Lengths are in tenths of a millimetre, so every engine reads the same
/// decimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    /// yes / no
    Bool(bool),
    /// An index into `normal, hypertonic, flaccid`.
    Tone(u8),
    /// 0 to 3.
    Grade(u8),
    /// Tenths of a millimetre, 0 to 400.
    Length(u16),
    /// `none`, `left` (0) or `right` (1).
    Side(Option<u8>),
}

/// One comparison on one indicator.
#[derive(Clone, Copy, Debug)]
pub enum Cond {
    /// `ind` or `not ind`.
    Bool(usize, bool),
    /// `ind == tone`.
    Tone(usize, u8),
    /// `ind >= grade`.
    Grade(usize, u8),
    /// `ind > tenths` (always `X.5 mm`, never equal to a finding).
    Length(usize, u16),
    /// `ind != none`, or `ind == side`.
    Side(usize, Option<u8>),
}

/// A rule: its category (an index), its conditions (all must hold) and its adjustment.
pub struct Rule {
    /// `in category`: an index into [`Workload::categories`].
    pub category: Option<usize>,
    /// The conjuncts of `when`.
    pub conds: Vec<Cond>,
    /// The adjustment it recommends.
    pub adjustment: usize,
}

/// A generated protocol.
pub struct Workload {
    /// Each indicator's type.
    pub kinds: Vec<Kind>,
    /// Each category's conjuncts; a later category outranks an earlier one.
    pub categories: Vec<Vec<Cond>>,
    /// The rules, in declaration order.
    pub rules: Vec<Rule>,
    /// How many adjustments there are (`adj_0`…).
    pub adjustments: usize,
    /// Checks: a `Grade` indicator each, compared across visits.
    pub checks: Vec<usize>,
}

/// `n` conditions on different indicators.
fn conds(rng: &mut Rng, kinds: &[Kind], n: usize) -> Vec<Cond> {
    let mut seen: Vec<usize> = Vec::with_capacity(n);
    while seen.len() < n.min(kinds.len()) {
        let i = rng.below(kinds.len());
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.into_iter().map(|i| cond(rng, kinds, i)).collect()
}

fn cond(rng: &mut Rng, kinds: &[Kind], i: usize) -> Cond {
    match kinds[i] {
        Kind::Bool => Cond::Bool(i, rng.below(4) != 0),
        Kind::Tone => Cond::Tone(i, 1 + rng.below(2) as u8),
        Kind::Grade => Cond::Grade(i, 1 + rng.below(3) as u8),
        Kind::Length => Cond::Length(i, 10 * rng.below(39) as u16 + 5),
        Kind::Side => Cond::Side(
            i,
            match rng.below(3) {
                0 => None,
                s => Some(s as u8 - 1),
            },
        ),
    }
}

impl Workload {
    /// `rules` rules with 1–4 conditions each over `rules / 4` indicators (at least 8) of
    /// mixed types, `categories` categories in a total precedence, a rule in five bound to a
    /// category, and a check per hundred rules.
    pub fn generate(seed: u64, rules: usize, categories: usize) -> Workload {
        let mut rng = Rng::new(seed);
        let kinds: Vec<Kind> = (0..(rules / 4).max(8))
            .map(|_| KINDS[rng.below(KINDS.len())])
            .collect();
        let categories: Vec<Vec<Cond>> = (0..categories)
            .map(|_| {
                let n = 1 + rng.below(2);
                conds(&mut rng, &kinds, n)
            })
            .collect();
        let adjustments = 20;
        let rules = (0..rules)
            .map(|_| Rule {
                category: (rng.below(5) == 0 && !categories.is_empty())
                    .then(|| rng.below(categories.len())),
                conds: {
                    let n = 1 + rng.below(4);
                    conds(&mut rng, &kinds, n)
                },
                adjustment: rng.below(adjustments),
            })
            .collect::<Vec<_>>();
        let grades: Vec<usize> = (0..kinds.len())
            .filter(|&i| kinds[i] == Kind::Grade)
            .collect();
        let checks = (0..rules.len() / 100)
            .filter_map(|_| grades.get(rng.below(grades.len())).copied())
            .collect();
        Workload {
            kinds,
            categories,
            rules,
            adjustments,
            checks,
        }
    }

    /// The protocol in the `sot` language.
    pub fn sot(&self) -> String {
        let mut out = String::from("protocol \"Generated benchmark protocol\" version \"1\"\n\n");
        out += "type Grade = 0..3\ntype Tone = normal | hypertonic | flaccid\n\n";
        for (i, kind) in self.kinds.iter().enumerate() {
            let ty = match kind {
                Kind::Bool => "bool",
                Kind::Tone => "Tone",
                Kind::Grade => "Grade",
                Kind::Length => "0.0..40.0 mm",
                Kind::Side => "Side?",
            };
            let _ = writeln!(out, "/// Indicator {i}.\nindicator ind_{i}: {ty}");
        }
        out.push('\n');
        for a in 0..self.adjustments {
            let _ = writeln!(out, "adjustment adj_{a}");
        }
        out.push('\n');
        for (c, conds) in self.categories.iter().enumerate() {
            let _ = writeln!(
                out,
                "category C{c} \"Category {c}\" {{\n  when {}\n}}",
                sot_conds(conds)
            );
        }
        if self.categories.len() > 1 {
            let order: Vec<String> = (0..self.categories.len())
                .rev()
                .map(|c| format!("C{c}"))
                .collect();
            let _ = writeln!(out, "precedence {}", order.join(" > "));
        }
        out.push('\n');
        for (r, rule) in self.rules.iter().enumerate() {
            let _ = writeln!(out, "/// Rule {r}.\nrule r_{r} \"Rule {r}\" {{");
            if let Some(c) = rule.category {
                let _ = writeln!(out, "  in category C{c}");
            }
            let _ = writeln!(
                out,
                "  when {}\n  then adj_{}\n}}",
                sot_conds(&rule.conds),
                rule.adjustment
            );
        }
        for (k, ind) in self.checks.iter().enumerate() {
            let _ = writeln!(
                out,
                "check chk_{k} {{\n  across visits\n  need before.ind_{ind} >= 2\n  complete after.ind_{ind} == 0\n  marginal after.ind_{ind} < before.ind_{ind}\n}}"
            );
        }
        out
    }

    /// The same rules as a Rust module: a `Findings` struct with one typed field per
    /// indicator, `findings(&[Val])`, and `evaluate(&Findings, &mut Vec<u32>) -> u32`, which
    /// returns the category (0 for none, `c + 1` for category `c`) and the fired rules.
    pub fn native(&self) -> String {
        let mut out = String::from(
            "// Generated by bench/build.rs from bench/src/workload.rs: do not edit.\n\
             use crate::workload::Val;\n\n\
             #[derive(Clone, Copy, PartialEq, Eq)]\npub enum Tone { Normal, Hypertonic, Flaccid }\n\
             #[derive(Clone, Copy, PartialEq, Eq)]\npub enum Side { Left, Right }\n\n\
             /// One visit's findings, one typed field per indicator.\npub struct Findings {\n",
        );
        for (i, kind) in self.kinds.iter().enumerate() {
            let ty = match kind {
                Kind::Bool => "bool",
                Kind::Tone => "Tone",
                Kind::Grade => "u8",
                Kind::Length => "f64",
                Kind::Side => "Option<Side>",
            };
            let _ = writeln!(out, "    pub ind_{i}: {ty},");
        }
        out += "}\n\n/// The findings of generic values (`None` if one has the wrong type).\n\
                pub fn findings(v: &[Val]) -> Option<Findings> {\n    Some(Findings {\n";
        for (i, kind) in self.kinds.iter().enumerate() {
            let read = match kind {
                Kind::Bool => "Val::Bool(b) => b",
                Kind::Tone => "Val::Tone(t) => [Tone::Normal, Tone::Hypertonic, Tone::Flaccid][t as usize % 3]",
                Kind::Grade => "Val::Grade(g) => g",
                Kind::Length => "Val::Length(l) => f64::from(l) / 10.0",
                Kind::Side => "Val::Side(s) => s.map(|s| if s == 0 { Side::Left } else { Side::Right })",
            };
            let _ = writeln!(
                out,
                "        ind_{i}: match *v.get({i})? {{ {read}, _ => return None }},"
            );
        }
        out += "    })\n}\n\n/// The visit's category and fired rules.\n\
                pub fn evaluate(f: &Findings, fired: &mut Vec<u32>) -> u32 {\n    fired.clear();\n";
        self.decide(&mut out, "", native_conds);
        out += "    cat\n}\n";
        out
    }

    /// The body both scripts share (native Rust and Rhai write conditions alike but for the
    /// comparisons, which `conds` writes): `let cat = …;` as an `if` chain in precedence
    /// order, `before_rules`, then one `if` per rule that pushes its number onto `fired`.
    fn decide(&self, out: &mut String, before_rules: &str, conds: fn(&[Cond]) -> String) {
        *out += "    let cat = ";
        for (c, category) in self.categories.iter().enumerate().rev() {
            let _ = write!(out, "if {} {{ {} }} else ", conds(category), c + 1);
        }
        *out += "{ 0 };\n";
        *out += before_rules;
        for (r, rule) in self.rules.iter().enumerate() {
            let gate = rule
                .category
                .map(|c| format!("cat == {} && ", c + 1))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    if {gate}{} {{ fired.push({r}); }}",
                conds(&rule.conds)
            );
        }
    }

    /// The rules as one JSONLogic expression whose value is `[category, [fired?, …]]`: the
    /// categories in precedence order as an `if` chain, each branch with the rules that can
    /// fire in that category.
    #[cfg(feature = "peers")]
    pub fn jsonlogic(&self) -> String {
        let branch = |cat: Option<usize>| {
            let rules: Vec<String> = self
                .rules
                .iter()
                .map(|rule| match rule.category {
                    Some(c) if Some(c) != cat => "false".to_string(),
                    _ => json_conds(&rule.conds),
                })
                .collect();
            format!("[{}, [{}]]", cat.map_or(0, |c| c + 1), rules.join(", "))
        };
        let mut parts = Vec::new();
        for (c, conds) in self.categories.iter().enumerate().rev() {
            parts.push(json_conds(conds));
            parts.push(branch(Some(c)));
        }
        parts.push(branch(None));
        format!("{{\"if\": [{}]}}", parts.join(",\n"))
    }

    #[cfg(feature = "peers")]
    /// The rules as a Rhai script with `fn evaluate(f)` returning `[category, [fired, …]]`,
    /// `f` a map from indicator names to values (`"none"` for an optional side not found).
    pub fn rhai(&self) -> String {
        let mut out = String::from("fn evaluate(f) {\n");
        self.decide(&mut out, "    let fired = [];\n", rhai_conds);
        out += "    [cat, fired]\n}\n";
        out
    }

    /// A cohort: `patients` patients of `visits` visits each. The first visit's findings are
    /// random; each later one changes every finding with probability 1/5.
    pub fn cohort(&self, seed: u64, patients: usize, visits: usize) -> Vec<Vec<Vec<Val>>> {
        let mut rng = Rng::new(seed ^ 0x5EED);
        let value = |rng: &mut Rng, kind: Kind| match kind {
            Kind::Bool => Val::Bool(rng.below(2) == 0),
            Kind::Tone => Val::Tone(rng.below(3) as u8),
            Kind::Grade => Val::Grade(rng.below(4) as u8),
            Kind::Length => Val::Length(rng.below(401) as u16),
            Kind::Side => Val::Side(match rng.below(3) {
                0 => None,
                s => Some(s as u8 - 1),
            }),
        };
        (0..patients)
            .map(|_| {
                let mut now: Vec<Val> = self.kinds.iter().map(|&k| value(&mut rng, k)).collect();
                (0..visits)
                    .map(|v| {
                        if v > 0 {
                            for (i, &kind) in self.kinds.iter().enumerate() {
                                if rng.below(5) == 0 {
                                    now[i] = value(&mut rng, kind);
                                }
                            }
                        }
                        now.clone()
                    })
                    .collect()
            })
            .collect()
    }

    /// The cohort as `sot` case data (LANGUAGE.md §6): one case per patient.
    pub fn cases_json(&self, cohort: &[Vec<Vec<Val>>]) -> String {
        let mut out = String::from("{\"cases\": [\n");
        for (p, visits) in cohort.iter().enumerate() {
            if p > 0 {
                out += ",\n";
            }
            let _ = write!(out, "{{\"name\": \"p_{p}\", \"visits\": [");
            for (v, findings) in visits.iter().enumerate() {
                if v > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{{\"visit\": {}, \"findings\": {{", v + 1);
                for (i, value) in findings.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "\"ind_{i}\": {}", json_value(*value));
                }
                out += "}}";
            }
            out += "]}";
        }
        out += "\n]}\n";
        out
    }
}

/// A value as JSON, in the shape both `sot` case data and JSONLogic data use.
pub fn json_value(value: Val) -> String {
    match value {
        Val::Bool(b) => b.to_string(),
        Val::Tone(t) => format!("\"{}\"", TONES[t as usize % 3]),
        Val::Grade(g) => g.to_string(),
        Val::Length(l) => format!("\"{}.{} mm\"", l / 10, l % 10),
        Val::Side(None) => "null".to_string(),
        Val::Side(Some(s)) => format!("\"{}\"", SIDES[s as usize % 2]),
    }
}

/// One visit's findings as a JSON object for JSONLogic (lengths as plain numbers in mm).
#[cfg(feature = "peers")]
pub fn jsonlogic_data(findings: &[Val]) -> String {
    let fields: Vec<String> = findings
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Val::Length(l) => format!("\"ind_{i}\": {}.{}", l / 10, l % 10),
            other => format!("\"ind_{i}\": {}", json_value(*other)),
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn sot_conds(conds: &[Cond]) -> String {
    let parts: Vec<String> = conds
        .iter()
        .map(|c| match *c {
            Cond::Bool(i, true) => format!("ind_{i}"),
            Cond::Bool(i, false) => format!("not ind_{i}"),
            Cond::Tone(i, t) => format!("ind_{i} == {}", TONES[t as usize % 3]),
            Cond::Grade(i, g) => format!("ind_{i} >= {g}"),
            Cond::Length(i, l) => format!("ind_{i} > {}.{} mm", l / 10, l % 10),
            Cond::Side(i, None) => format!("ind_{i} != none"),
            Cond::Side(i, Some(s)) => format!("ind_{i} == {}", SIDES[s as usize % 2]),
        })
        .collect();
    parts.join(" and ")
}

fn native_conds(conds: &[Cond]) -> String {
    let parts: Vec<String> = conds
        .iter()
        .map(|c| match *c {
            Cond::Bool(i, true) => format!("f.ind_{i}"),
            Cond::Bool(i, false) => format!("!f.ind_{i}"),
            Cond::Tone(i, t) => format!(
                "f.ind_{i} == Tone::{}",
                ["Normal", "Hypertonic", "Flaccid"][t as usize % 3]
            ),
            Cond::Grade(i, g) => format!("f.ind_{i} >= {g}"),
            Cond::Length(i, l) => format!("f.ind_{i} > {}.{}", l / 10, l % 10),
            Cond::Side(i, None) => format!("f.ind_{i}.is_some()"),
            Cond::Side(i, Some(s)) => format!(
                "f.ind_{i} == Some(Side::{})",
                ["Left", "Right"][s as usize % 2]
            ),
        })
        .collect();
    parts.join(" && ")
}

#[cfg(feature = "peers")]
fn json_conds(conds: &[Cond]) -> String {
    let parts: Vec<String> = conds
        .iter()
        .map(|c| match *c {
            Cond::Bool(i, true) => format!("{{\"var\": \"ind_{i}\"}}"),
            Cond::Bool(i, false) => format!("{{\"!\": {{\"var\": \"ind_{i}\"}}}}"),
            Cond::Tone(i, t) => format!(
                "{{\"==\": [{{\"var\": \"ind_{i}\"}}, \"{}\"]}}",
                TONES[t as usize % 3]
            ),
            Cond::Grade(i, g) => format!("{{\">=\": [{{\"var\": \"ind_{i}\"}}, {g}]}}"),
            Cond::Length(i, l) => {
                format!(
                    "{{\">\": [{{\"var\": \"ind_{i}\"}}, {}.{}]}}",
                    l / 10,
                    l % 10
                )
            }
            Cond::Side(i, None) => format!("{{\"!=\": [{{\"var\": \"ind_{i}\"}}, null]}}"),
            Cond::Side(i, Some(s)) => format!(
                "{{\"==\": [{{\"var\": \"ind_{i}\"}}, \"{}\"]}}",
                SIDES[s as usize % 2]
            ),
        })
        .collect();
    match parts.as_slice() {
        [one] => one.clone(),
        _ => format!("{{\"and\": [{}]}}", parts.join(", ")),
    }
}

#[cfg(feature = "peers")]
fn rhai_conds(conds: &[Cond]) -> String {
    let parts: Vec<String> = conds
        .iter()
        .map(|c| match *c {
            Cond::Bool(i, true) => format!("f.ind_{i}"),
            Cond::Bool(i, false) => format!("!f.ind_{i}"),
            Cond::Tone(i, t) => format!("f.ind_{i} == \"{}\"", TONES[t as usize % 3]),
            Cond::Grade(i, g) => format!("f.ind_{i} >= {g}"),
            Cond::Length(i, l) => format!("f.ind_{i} > {}.{}", l / 10, l % 10),
            Cond::Side(i, None) => format!("f.ind_{i} != \"none\""),
            Cond::Side(i, Some(s)) => format!("f.ind_{i} == \"{}\"", SIDES[s as usize % 2]),
        })
        .collect();
    format!("({})", parts.join(" && "))
}

/// A generated protocol's `text` with rule `r_{rule}`'s `when` lengthened by `extra` copies of
/// its own first condition (so the text after it moves too): a one-rule edit.
pub fn edited(text: &str, rule: usize, extra: usize) -> Option<String> {
    let at = text.find(&format!("rule r_{rule} "))?;
    let when = at + text[at..].find("\n  when ")? + "\n  when ".len();
    let end = when + text[when..].find('\n')?;
    let first = text[when..end].split(" and ").next()?;
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..end]);
    for _ in 0..extra {
        out.push_str(" and ");
        out.push_str(first);
    }
    out.push_str(&text[end..]);
    Some(out)
}

/// The seed of every generated workload.
pub const SEED: u64 = 2026;
/// The size of the evaluation workload, whose native function is generated at build time.
pub const EVAL_RULES: usize = 1_000;
/// The number of categories of every workload.
pub const CATEGORIES: usize = 3;
