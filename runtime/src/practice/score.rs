//! A student's answer, scored against what the protocol decides on the case's full
//! findings: item by item (red flags first, then the category, the adjustments, the check
//! outcomes), each with the protocol's reasons (`sot why`'s answers), and the findings the
//! student examined that the decision did not need, and the ones it needed that the student
//! did not examine.

use serde::Serialize;
use sot_ir::{Expr, Program, Value};

use super::Session;
use crate::evaluate::{reads, support_all, support_preferring, truth, Env, FindingRef, Tri};
use crate::explain::{finding_values, show_call, FindingValue, Sources};
use crate::visit::{could_change, CategoryState, Outcome, RuleState};
use crate::why::{self, answers_at, resolve, Kind, Query, Target};

/// The visit's category as the student answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerCategory {
    /// One category, or several coexisting ones.
    Categories(Vec<u32>),
    /// No category.
    NoCategory,
    /// A red flag: refer, no adjustment.
    Referral,
}

/// A student's answer for the visit.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The category, none, or referral.
    pub category: AnswerCategory,
    /// The adjustments, each with every argument's value.
    pub adjustments: Vec<(u32, Vec<Value>)>,
    /// Check outcomes, optional: the check, its binding (instance), the outcome.
    pub checks: Vec<(u32, u32, Outcome)>,
}

/// What a score item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A red flag (referral).
    RedFlag,
    /// The visit's category.
    Category,
    /// An adjustment call.
    Adjustment,
    /// A check's outcome.
    Check,
}

/// How the answer fares on one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// As the protocol decides.
    Correct,
    /// The protocol decides it and the answer left it out (a red flag raised, a
    /// recommended adjustment).
    Missed,
    /// The answer says otherwise (another category, another outcome, a referral the
    /// protocol does not make).
    Wrong,
    /// The answer gives an adjustment the protocol does not recommend.
    NotRecommended,
    /// The protocol cannot decide it from what the case records: not scored.
    Undecided,
}

/// One item of the score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreItem {
    /// What it is about.
    pub subject: Subject,
    /// How the answer fares.
    pub verdict: Verdict,
    /// The item: a red flag's name, `category`, a call, a check with its binding.
    pub item: String,
    /// What the protocol decides, in a word or a list (`II`, `complete`, `not
    /// recommended`); for a raised red flag, its referral text.
    pub protocol: String,
    /// What the answer says (`III`, `not referred`, `marginal`).
    pub answered: String,
    /// The protocol's reasons, as `sot why` gives them.
    pub why: Vec<why::Answer>,
}

/// An answer's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// The case's name.
    pub case: String,
    /// The visit's number.
    pub visit: i64,
    /// Whether a red flag the protocol raises was missed: what the score says first.
    pub missed_red_flag: bool,
    /// Every item: red flags first (missed ones first), then the category, the adjustments
    /// (the recommended ones in rule order, then the others answered), the checks.
    pub items: Vec<ScoreItem>,
    /// How many items are correct.
    pub correct: usize,
    /// How many items are scored (all but the undecided ones).
    pub scored: usize,
    /// Findings examined that the protocol's decision did not need.
    pub not_needed: Vec<FindingValue>,
    /// Findings the decision needed (and the case records) that were not examined.
    pub not_examined: Vec<FindingValue>,
}

impl Session<'_> {
    /// Scores `answer` against the protocol's decision on the visit's full findings.
    pub fn score(&self, answer: &Answer) -> Score {
        let program = self.program;
        let state = &self.truth;
        let mut items: Vec<(ScoreItem, Vec<Target>)> = Vec::new();
        let referred_answer = answer.category == AnswerCategory::Referral;
        let mut push = |subject, verdict, item: String, protocol: &str, answered: &str, t| {
            items.push((
                ScoreItem {
                    subject,
                    verdict,
                    item,
                    protocol: protocol.to_string(),
                    answered: answered.to_string(),
                    why: Vec::new(),
                },
                t,
            ));
        };

        // Red flags.
        let flag_name = |f: usize| program.red_flags.get(f).map(|r| r.name.clone());
        // Most urgent first (emergency, urgent, routine, unstated), as reports list them.
        let mut raised: Vec<usize> = (0..state.red_flags.len())
            .filter(|&f| state.red_flags.get(f) == Some(&Tri::True))
            .collect();
        raised.sort_by_key(|&f| {
            let urgency = program.red_flags.get(f).and_then(|r| r.urgency);
            (urgency.is_none(), urgency)
        });
        let answered_flag = if referred_answer {
            "referral"
        } else {
            "not referred"
        };
        for &f in &raised {
            let verdict = if referred_answer {
                Verdict::Correct
            } else {
                Verdict::Missed
            };
            let name = flag_name(f).unwrap_or_default();
            let refer = program
                .red_flags
                .get(f)
                .map(|r| r.refer.clone())
                .unwrap_or_default();
            let target = vec![Target::RedFlag(f as u32)];
            push(
                Subject::RedFlag,
                verdict,
                name,
                &refer,
                answered_flag,
                target,
            );
        }
        if raised.is_empty() {
            for (f, t) in state.red_flags.iter().enumerate() {
                if *t == Tri::Unknown {
                    let name = flag_name(f).unwrap_or_default();
                    let target = vec![Target::RedFlag(f as u32)];
                    let protocol = "not ruled out";
                    push(
                        Subject::RedFlag,
                        Verdict::Undecided,
                        name,
                        protocol,
                        answered_flag,
                        target,
                    );
                }
            }
            let undecided = state.red_flags.contains(&Tri::Unknown);
            if referred_answer && !undecided {
                let every = (0..program.red_flags.len() as u32)
                    .map(Target::RedFlag)
                    .collect();
                push(
                    Subject::RedFlag,
                    Verdict::Wrong,
                    "referral".into(),
                    "no red flag raised",
                    "referral",
                    every,
                );
            }
        }

        // The category: when the protocol refers, the referral is the answer instead of it.
        if !state.referred() {
            let names = |cs: &[u32]| {
                cs.iter()
                    .filter_map(|c| program.categories.get(*c as usize))
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (protocol, decided) = match &state.category {
                CategoryState::None => ("none".to_string(), true),
                CategoryState::One(c) => (names(&[*c]), true),
                CategoryState::Coexisting(cs) => (names(cs), true),
                CategoryState::Ambiguous(cs) => (format!("ambiguous: {}", names(cs)), false),
            };
            let (answered, mine): (String, Vec<u32>) = match &answer.category {
                AnswerCategory::Categories(cs) => (names(cs), cs.clone()),
                AnswerCategory::NoCategory => ("none".into(), Vec::new()),
                AnswerCategory::Referral => ("referral".into(), Vec::new()),
            };
            let theirs = state.category.categories();
            let same = !referred_answer
                && mine.len() == theirs.len()
                && mine.iter().all(|c| theirs.contains(c));
            let verdict = match (decided, same) {
                (false, _) => Verdict::Undecided,
                (true, true) => Verdict::Correct,
                (true, false) => Verdict::Wrong,
            };
            let mut asked: Vec<u32> = state.category.named().to_vec();
            asked.extend(mine.iter().filter(|c| !state.category.named().contains(c)));
            let targets = asked.into_iter().map(Target::Category).collect();
            push(
                Subject::Category,
                verdict,
                "category".into(),
                &protocol,
                &answered,
                targets,
            );
        }

        // Adjustments: what the protocol recommends, then what else the answer gives.
        let call_target = |a: u32, args: &[Value]| {
            vec![Target::Adjustment(
                a,
                args.iter().copied().map(Some).collect(),
            )]
        };
        for rec in &state.recommended {
            let given = answer
                .adjustments
                .iter()
                .any(|(a, args)| *a == rec.adjustment && *args == rec.args);
            let (verdict, answered) = if given {
                (Verdict::Correct, "given")
            } else {
                (Verdict::Missed, "not given")
            };
            let call = show_call(program, rec.adjustment, &rec.args);
            let target = call_target(rec.adjustment, &rec.args);
            push(
                Subject::Adjustment,
                verdict,
                call,
                "recommended",
                answered,
                target,
            );
        }
        for (a, args) in &answer.adjustments {
            let recommended = state
                .recommended
                .iter()
                .any(|r| r.adjustment == *a && r.args == *args);
            if recommended {
                continue;
            }
            let call = show_call(program, *a, args);
            let verdict = if self.could_recommend(*a, args) {
                Verdict::Undecided
            } else {
                Verdict::NotRecommended
            };
            let protocol = if verdict == Verdict::Undecided {
                "undecided"
            } else {
                "not recommended"
            };
            let target = call_target(*a, args);
            push(
                Subject::Adjustment,
                verdict,
                call,
                protocol,
                "given",
                target,
            );
        }

        // Check outcomes, when answered.
        for &(c, i, outcome) in &answer.checks {
            let Some(check) = program.checks.get(c as usize) else {
                continue;
            };
            let theirs = state
                .checks
                .get(c as usize)
                .and_then(|o| o.get(i as usize))
                .copied()
                .unwrap_or(Outcome::Unknown);
            let verdict = match theirs {
                Outcome::Unknown => Verdict::Undecided,
                t if t == outcome => Verdict::Correct,
                _ => Verdict::Wrong,
            };
            let binding = check
                .instances
                .get(i as usize)
                .map(|inst| crate::explain::binding(&inst.binding))
                .unwrap_or_default();
            let item = if binding.is_empty() {
                check.name.clone()
            } else {
                format!("{}({})", check.name, binding.join(", "))
            };
            let target = vec![Target::Check(c, vec![i])];
            push(
                Subject::Check,
                verdict,
                item,
                theirs.word(),
                outcome.word(),
                target,
            );
        }

        // The reasons, all from one evaluation of the case.
        items.sort_by_key(|(item, _)| {
            let missed_flag = item.subject == Subject::RedFlag && item.verdict == Verdict::Missed;
            (item.subject, !missed_flag)
        });
        let targets: Vec<Target> = items.iter().flat_map(|(_, t)| t.clone()).collect();
        let mut answers = answers_at(program, self.case, self.index, &targets).into_iter();
        let items: Vec<ScoreItem> = items
            .into_iter()
            .map(|(mut item, t)| {
                item.why = answers.by_ref().take(t.len()).flatten().collect();
                item
            })
            .collect();

        let (not_needed, not_examined) = self.findings_against_needed();
        let correct = items
            .iter()
            .filter(|i| i.verdict == Verdict::Correct)
            .count();
        let scored = items
            .iter()
            .filter(|i| i.verdict != Verdict::Undecided)
            .count();
        Score {
            case: self.case.name.clone(),
            visit: self.visit().number,
            missed_red_flag: items
                .iter()
                .any(|i| i.subject == Subject::RedFlag && i.verdict == Verdict::Missed),
            items,
            correct,
            scored,
            not_needed,
            not_examined,
        }
    }

    /// Whether a rule binding that could give this call is undecided on the full findings.
    fn could_recommend(&self, a: u32, args: &[Value]) -> bool {
        let program = self.program;
        program
            .rules
            .iter()
            .zip(self.truth.rules())
            .any(|(rule, states)| {
                rule.instances.iter().zip(states).any(|(instance, s)| {
                    matches!(s, RuleState::NotEvaluated(_))
                        && instance.then.iter().any(|call| {
                            call.adjustment == a
                                && call.args.iter().zip(args).all(|(e, v)| match e {
                                    Expr::Const(c) => c == v,
                                    _ => true,
                                })
                        })
                })
            })
    }

    /// The findings examined that the decision did not need, and the ones it needed (and
    /// the case records) that were not examined. Where one finding of several decides a
    /// value (a false `and`), one the student examined counts when there is one.
    fn findings_against_needed(&self) -> (Vec<FindingValue>, Vec<FindingValue>) {
        let program = self.program;
        let state = &self.truth;
        let previous = self.previous.as_ref().map(|(f, _)| f);
        let env = Env::visit(&self.full, previous);
        let prefer = Env::visit(&self.revealed, previous);
        let mut needed: Vec<FindingRef> = Vec::new();
        let decide = |e: &Expr, needed: &mut Vec<FindingRef>| {
            support_preferring(program, e, env, prefer, needed);
        };
        let named = state.category.named();
        // A referral is the whole decision: the category is not part of it (a red flag
        // bound to a category needs that category's findings).
        for (u, category) in program.categories.iter().enumerate() {
            let bound = program
                .red_flags
                .iter()
                .zip(&state.red_flags)
                .any(|(f, t)| *t == Tri::True && f.category == Some(u as u32));
            let counts = if state.referred() {
                bound
            } else {
                named.contains(&(u as u32)) || could_change(program, &state.category, u)
            };
            if counts {
                decide(&category.when, &mut needed);
            }
        }
        for (flag, t) in program.red_flags.iter().zip(&state.red_flags) {
            let decided_by_category = flag.category.is_some_and(|c| {
                !named.contains(&c) && state.categories.get(c as usize) != Some(&Tri::Unknown)
            });
            match t {
                Tri::True => support_all(program, &flag.when, env, &mut needed),
                _ if decided_by_category || state.referred() => {}
                _ => decide(&flag.when, &mut needed),
            }
        }
        if !state.referred() {
            for (rule, states) in program.rules.iter().zip(state.rules()) {
                for (instance, s) in rule.instances.iter().zip(states) {
                    match s {
                        RuleState::OtherCategory | RuleState::Suspended => continue,
                        RuleState::NotFired => decide(&instance.when, &mut needed),
                        _ => {
                            decide(&instance.when, &mut needed);
                            if let Some(u) = &instance.unless {
                                if truth(program, &instance.when, env) == Tri::True {
                                    decide(u, &mut needed);
                                }
                            }
                            if *s == RuleState::Fired {
                                for arg in instance.then.iter().flat_map(|c| &c.args) {
                                    reads(program, arg, env, false, &mut needed);
                                }
                            }
                        }
                    }
                }
            }
        }
        needed.retain(|(phase, _)| phase.is_none());
        let examined: Vec<FindingRef> = self
            .examined
            .iter()
            .copied()
            .filter(|(p, _)| p.is_none())
            .collect();
        // In the protocol's order of findings, so that a report can fold an indicator's.
        needed.sort_by_key(|(_, slot)| *slot);
        let not_needed: Vec<FindingRef> = examined
            .iter()
            .copied()
            .filter(|f| !needed.contains(f))
            .collect();
        let not_examined: Vec<FindingRef> = needed
            .iter()
            .copied()
            .filter(|f| !examined.contains(f) && self.full.covers(f.1))
            .collect();
        let visit = self.visit();
        let before = self
            .index
            .checked_sub(1)
            .and_then(|p| self.case.visits.get(p))
            .zip(previous);
        let src = Sources::visit(&self.full, visit, before);
        (
            finding_values(program, src, &not_needed),
            finding_values(program, src, &not_examined),
        )
    }
}

/// Reads the category part of an answer: category names (several coexisting ones separated
/// by commas or spaces, `category` before them allowed), `none`, or `refer`.
pub fn parse_categories(program: &Program, text: &str) -> Result<AnswerCategory, String> {
    let text = text.trim();
    match text.to_ascii_lowercase().as_str() {
        "none" | "no category" => return Ok(AnswerCategory::NoCategory),
        "refer" | "referral" | "red flag" | "red_flag" => return Ok(AnswerCategory::Referral),
        _ => {}
    }
    let names: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty() && *w != "category")
        .collect();
    let known = || {
        program
            .categories
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.is_empty() {
        return Err(format!(
            "write a category ({}), `none`, or `refer`",
            known()
        ));
    }
    let mut categories = Vec::new();
    for name in names {
        let Some(c) = program
            .categories
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
        else {
            return Err(format!(
                "the protocol has no category `{name}`; its categories: {}",
                known()
            ));
        };
        if !categories.contains(&(c as u32)) {
            categories.push(c as u32);
        }
    }
    Ok(AnswerCategory::Categories(categories))
}

/// Reads an adjustment call with every argument (`block(category: II, short_leg: right)`).
pub fn parse_call(program: &Program, text: &str) -> Result<(u32, Vec<Value>), String> {
    let mut query = Query::parse(text)?;
    query.kind = Some(Kind::Adjustment);
    let targets = resolve(program, &query).map_err(|e| e.to_string())?;
    let Some(Target::Adjustment(a, values)) = targets.into_iter().next() else {
        return Err(format!("the protocol has no adjustment `{}`", query.name));
    };
    let values: Option<Vec<Value>> = values.into_iter().collect();
    values.map(|v| (a, v)).ok_or_else(|| {
        let params = program
            .adjustments
            .get(a as usize)
            .map(|adj| {
                adj.params
                    .iter()
                    .map(|(p, _)| format!("{p}: …"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        format!("give every argument: {}({params})", query.name)
    })
}

/// Reads a check outcome: the check, its binding when it has `for` variables, and the
/// outcome word (`arm_fossa_clears complete`, `fibers_resolve(area: 3) marginal`).
pub fn parse_check(program: &Program, text: &str) -> Result<(u32, u32, Outcome), String> {
    let text = text.trim();
    let words = || {
        Outcome::ALL
            .iter()
            .map(|o| o.word())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((item, word)) = text.rsplit_once(char::is_whitespace) else {
        return Err(format!(
            "write a check and its outcome ({}): `{text} complete`",
            words()
        ));
    };
    let Some(outcome) = Outcome::ALL.iter().find(|o| o.word() == word.trim()) else {
        return Err(format!(
            "`{word}` is not an outcome; write one of {}",
            words()
        ));
    };
    let mut query = Query::parse(item)?;
    query.kind = Some(Kind::Check);
    let targets = resolve(program, &query).map_err(|e| e.to_string())?;
    match targets.into_iter().next() {
        Some(Target::Check(c, instances)) => match instances.as_slice() {
            [one] => Ok((c, *one, *outcome)),
            _ => Err(format!(
                "`{}` has several bindings; name one: `{}(…) {word}`",
                query.name, query.name
            )),
        },
        _ => Err(format!("the protocol has no check `{}`", query.name)),
    }
}
