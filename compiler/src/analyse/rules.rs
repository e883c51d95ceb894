//! The analyses of rules, red flags and checks: W0602 (a rule that can never fire, a red flag
//! that can never be raised, a check never needed or never complete), W0603 (a rule or red
//! flag that can never apply in its category), W0605 (a check after an adjustment no rule
//! recommends), W0606 (an `unless` that never or always holds when `when` does).

use std::collections::BTreeSet;

use sot_grammar::ast::{ItemKind, Span};

use super::categories::chosen_goals;
use super::solver::{Solver, Undecided, Want};
use super::{undecided, Own};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Tri;
use crate::ir::{Expr, Program};

/// The rule, red flag and check analyses of a file's own items.
pub(super) fn analyse(program: &Program, own: &Own, solver: &Solver, out: &mut Vec<Diagnostic>) {
    dead_conditions(program, own, solver, out);
    rules(program, own, solver, out);
    red_flag_categories(program, own, solver, out);
    checks_after_nothing(program, own, out);
}

fn dead_conditions(program: &Program, own: &Own, solver: &Solver, out: &mut Vec<Diagnostic>) {
    for r in &program.red_flags {
        if let Some(span) = own.names.get(&(ItemKind::RedFlag, r.name.clone())) {
            let answer = solver.possible(&[(&r.when, Tri::True)]);
            if impossible(answer, out, *span, || {
                format!("whether red flag `{}` can be raised", r.name)
            }) {
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
            solver,
            check
                .instances
                .iter()
                .map(|i| vec![(&i.need, Want::Is(Tri::True))]),
        );
        if impossible(need_possible, out, *span, || {
            format!("whether check `{}` can be needed", check.name)
        }) {
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
            solver,
            check.instances.iter().map(|i| {
                vec![
                    (&i.need, Want::Is(Tri::True)),
                    (&i.complete, Want::Is(Tri::True)),
                ]
            }),
        );
        if impossible(complete_possible, out, *span, || {
            format!("whether check `{}` can be complete", check.name)
        }) {
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

/// Whether some instance's goals are possible: `Ok(false)` only when every instance was
/// decided and none is.
fn all_instances<'e>(
    solver: &Solver,
    goals: impl Iterator<Item = Vec<(&'e Expr, Want)>>,
) -> Result<bool, Undecided> {
    let mut gave_up = None;
    for g in goals {
        match solver.possible_wanting(&g) {
            Ok(true) => return Ok(true),
            Err(why) => gave_up = Some(why),
            Ok(false) => {}
        }
    }
    gave_up.map_or(Ok(false), Err)
}

/// Whether the answer is "impossible"; a question not decided gets its W0600 at `span`.
fn impossible(
    answer: Result<bool, Undecided>,
    out: &mut Vec<Diagnostic>,
    span: Span,
    question: impl FnOnce() -> String,
) -> bool {
    match answer {
        Ok(possible) => !possible,
        Err(why) => {
            undecided(out, span, &question(), why);
            false
        }
    }
}

fn rules(program: &Program, own: &Own, solver: &Solver, out: &mut Vec<Diagnostic>) {
    for rule in &program.rules {
        let Some(span) = own.names.get(&(ItemKind::Rule, rule.name.clone())).copied() else {
            continue;
        };
        let when = all_instances(
            solver,
            rule.instances
                .iter()
                .map(|i| vec![(&i.when, Want::Is(Tri::True))]),
        );
        if impossible(when, out, span, || {
            format!("whether rule `{}` can fire", rule.name)
        }) {
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
                solver,
                rule.instances.iter().map(|i| {
                    vec![
                        (&i.when, Want::Is(Tri::True)),
                        (&category.when, Want::Is(Tri::True)),
                    ]
                }),
            );
            let at = own.in_category.get(&rule.name).copied().unwrap_or(span);
            if impossible(with_category, out, at, || {
                format!(
                    "whether rule `{}` can fire in category {}",
                    rule.name, category.name
                )
            }) {
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
            solver,
            rule.instances.iter().filter_map(|i| {
                Some(vec![
                    (&i.when, Want::Is(Tri::True)),
                    (i.unless.as_ref()?, Want::Is(Tri::True)),
                ])
            }),
        );
        if impossible(unless_possible, out, at, || {
            format!("whether the `unless` of rule `{}` can hold", rule.name)
        }) {
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
            solver,
            rule.instances.iter().filter_map(|i| {
                Some(vec![
                    (&i.when, Want::Is(Tri::True)),
                    (i.unless.as_ref()?, Want::Is(Tri::False)),
                ])
            }),
        );
        if impossible(fires, out, at, || {
            format!("whether rule `{}` can fire despite its `unless`", rule.name)
        }) {
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
fn red_flag_categories(program: &Program, own: &Own, solver: &Solver, out: &mut Vec<Diagnostic>) {
    for flag in &program.red_flags {
        let Some(c) = flag.category else { continue };
        let Some(category) = program.categories.get(c as usize) else {
            continue;
        };
        let Some(at) = own.flag_in_category.get(&flag.name).copied() else {
            continue;
        };
        // A red flag that can never be raised at all has its W0602 already (or its W0600).
        if solver.possible(&[(&flag.when, Tri::True)]) != Ok(true) {
            continue;
        }
        let with_category =
            solver.possible(&[(&flag.when, Tri::True), (&category.when, Tri::True)]);
        let question = || {
            format!(
                "whether red flag `{}` can be raised in category {}",
                flag.name, category.name
            )
        };
        if impossible(with_category, out, at, question) {
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
            continue;
        }
        // Bound to a category, it is raised only when that category is the visit's.
        let mut goals = chosen_goals(program, c as usize);
        goals.push((&flag.when, Want::Is(Tri::True)));
        if impossible(solver.possible_wanting(&goals), out, at, question) {
            out.push(
                Diagnostic::new(
                    Code::W0603,
                    at,
                    format!(
                        "red flag `{}` can never be raised: category {} is never the visit's category when its `when` holds",
                        flag.name, category.name
                    ),
                )
                .label(format!(
                    "whenever this `when` and category {} hold, a category that outranks {} holds too",
                    category.name, category.name
                ))
                .help("bind the red flag to the category that outranks it, or drop `in category`"),
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
