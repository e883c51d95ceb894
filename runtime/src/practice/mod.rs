//! Practice mode: a student works one visit of a case without seeing its findings. They
//! examine findings one at a time ([`Session::examine`]), may ask for the most informative
//! next examination ([`Session::hint`]), and commit an answer ([`Session::score`]) that is
//! scored item by item against what the protocol decides on the case's full findings, with
//! the protocol's reasons.
//!
//! Everything here is data; `sot_report::practice` renders it (text, JSON).

mod examine;
mod hint;
mod score;

use serde::Serialize;
use sot_ir::{Case, Findings, Phase, Program, Untestable, Visit};

use crate::evaluate::FindingRef;
use crate::visit::{case_findings, evaluate_case, evaluate_visit, Previous, VisitState};

pub use examine::{ExamineError, Examined, Revealed};
pub use hint::{Changed, Hint, HintReport};
pub use score::{
    parse_call, parse_categories, parse_check, Answer, AnswerCategory, Score, ScoreItem, Subject,
    Verdict,
};

/// One student's session on one visit of a case: what has been examined so far.
#[derive(Clone, Debug)]
pub struct Session<'a> {
    program: &'a Program,
    case: &'a Case,
    /// The visit's index in the case.
    index: usize,
    /// The visit's findings with the case's history applied: what the protocol reads.
    full: Findings,
    /// The previous visit's findings, history applied, and its state: `previous.` reads
    /// them in full (the past visit is known; only this visit's findings are hidden).
    previous: Option<(Findings, VisitState)>,
    /// What the protocol decides on the full findings.
    truth: VisitState,
    /// The findings revealed so far: a value, or `untestable`; every other slot unknown.
    revealed: Findings,
    /// Every examination in order, each finding once.
    examined: Vec<FindingRef>,
}

/// Why a session could not start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SessionError {
    /// The case has no visit of that number; its visits' numbers.
    NoVisit {
        /// The number asked for.
        visit: i64,
        /// The case's visits.
        visits: Vec<i64>,
    },
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::NoVisit { visit, visits } => {
                let numbers: Vec<String> = visits.iter().map(i64::to_string).collect();
                write!(
                    f,
                    "the case has no visit {visit}; its visits are {}",
                    numbers.join(", ")
                )
            }
        }
    }
}

/// A finding the student may examine, for a list or a form.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Examinable {
    /// The finding as a case writes it (`occipital_fiber(line: 2, area: 3)`).
    pub finding: String,
    /// Its indicator.
    pub indicator: String,
    /// Its slot (what [`Session::examine_slot`] takes).
    pub slot: u32,
    /// What examining it revealed, when it has been examined.
    pub revealed: Option<Revealed>,
}

impl<'a> Session<'a> {
    /// A session on the visit numbered `visit` of `case`, every finding hidden.
    pub fn new(program: &'a Program, case: &'a Case, visit: i64) -> Result<Self, SessionError> {
        let Some(index) = case.visits.iter().position(|v| v.number == visit) else {
            return Err(SessionError::NoVisit {
                visit,
                visits: case.visits.iter().map(|v| v.number).collect(),
            });
        };
        let mut states = evaluate_case(program, case);
        let mut findings: Vec<Findings> = case_findings(case)
            .into_iter()
            .map(std::borrow::Cow::into_owned)
            .collect();
        // `index` is a position of `case.visits`, and both lists have one entry per visit.
        let truth = states.swap_remove(index);
        let full = findings.swap_remove(index);
        let previous = index.checked_sub(1).and_then(|p| {
            let f = findings.get(p)?.clone();
            let s = states.get(p)?.clone();
            Some((f, s))
        });
        let slots = program.slot_count as usize;
        Ok(Session {
            program,
            case,
            index,
            full,
            previous,
            truth,
            revealed: Findings::examined(vec![None; slots]),
            examined: Vec::new(),
        })
    }

    /// The program practised on.
    pub fn program(&self) -> &'a Program {
        self.program
    }

    /// The case practised on.
    pub fn case(&self) -> &'a Case {
        self.case
    }

    /// The visit practised on.
    pub fn visit(&self) -> &'a Visit {
        // `index` was found in `case.visits` by `new`.
        &self.case.visits[self.index]
    }

    /// Every finding of the visit the student may examine, in the protocol's order, with
    /// what examining it revealed.
    pub fn examinable(&self) -> Vec<Examinable> {
        let program = self.program;
        program
            .indicators
            .iter()
            .flat_map(|ind| (ind.first_slot..ind.first_slot + ind.slots).map(move |s| (ind, s)))
            .map(|(ind, slot)| Examinable {
                finding: ind.show_slot(slot),
                indicator: ind.name.clone(),
                slot,
                revealed: self
                    .examined
                    .contains(&(None, slot))
                    .then(|| self.reveal(None, slot)),
            })
            .collect()
    }

    /// The findings examined so far, in order, with what each revealed.
    pub fn examined(&self) -> Vec<Examined> {
        self.examined
            .iter()
            .map(|&(phase, slot)| Examined {
                finding: self.show(phase, slot),
                slot,
                after: phase == Some(Phase::After),
                revealed: self.reveal(phase, slot),
                again: false,
            })
            .collect()
    }

    /// The finding at `(phase, slot)` as a case writes it (`after.` before an `after` one).
    fn show(&self, phase: Option<Phase>, slot: u32) -> String {
        let name = self
            .program
            .slot_indicator
            .get(slot as usize)
            .and_then(|i| self.program.indicators.get(*i as usize))
            .map_or_else(|| format!("#{slot}"), |ind| ind.show_slot(slot));
        match phase {
            Some(p) => format!("{}.{name}", p.word()),
            None => name,
        }
    }

    /// What the case records of a finding: the visit's (history applied) or, `after`, the
    /// visit's `after` block.
    fn reveal(&self, phase: Option<Phase>, slot: u32) -> Revealed {
        let indicator = self
            .program
            .slot_indicator
            .get(slot as usize)
            .and_then(|i| self.program.indicators.get(*i as usize));
        let after = self.visit().after.as_ref();
        let (block, own) = match phase {
            Some(Phase::After) => (after, after),
            _ => (Some(&self.full), Some(&self.visit().findings)),
        };
        let Some(block) = block else {
            return Revealed::NotRecorded;
        };
        if let Some(u) = block.untestable(slot) {
            return Revealed::Untestable {
                reason: u.reason.clone(),
            };
        }
        match (block.slots.get(slot as usize).copied().flatten(), indicator) {
            (Some(v), Some(ind)) => Revealed::Value {
                value: ind.ty.show(v),
                from_history: own.is_some_and(|o| !o.covers(slot)),
            },
            _ => Revealed::NotRecorded,
        }
    }

    /// Reveals one finding (an `after` one with `after`), as [`Session::examine`] does for
    /// each finding it names; `None` for a slot the program does not have.
    pub fn examine_slot(&mut self, slot: u32, after: bool) -> Option<Examined> {
        if slot >= self.program.slot_count {
            return None;
        }
        let phase = after.then_some(Phase::After);
        let again = self.examined.contains(&(phase, slot));
        let revealed = self.reveal(phase, slot);
        if !again {
            self.examined.push((phase, slot));
            // The protocol's categories, red flags and rules read the visit's findings; an
            // `after` finding is only remembered as examined (checks are scored on the
            // visit's full findings).
            if !after {
                copy_finding(&mut self.revealed, &self.full, slot);
            }
        }
        Some(Examined {
            finding: self.show(phase, slot),
            slot,
            after,
            revealed,
            again,
        })
    }

    /// What the protocol decides with only the findings revealed so far (the others
    /// unknown, Kleene): what a hint compares the possible values of a finding with. Only
    /// its categories, red flags and rules are read (its checks read the visit as written).
    fn evaluate_revealed(&self, findings: &Findings) -> VisitState {
        let previous = self.previous.as_ref().and_then(|(f, s)| {
            let visit = self.case.visits.get(self.index.checked_sub(1)?)?;
            Some(Previous {
                visit,
                state: s,
                findings: f,
            })
        });
        evaluate_visit(self.program, self.visit(), findings, previous)
    }
}

/// Copies what `from` records of `slot` (a value, or `untestable`) into `into`.
fn copy_finding(into: &mut Findings, from: &Findings, slot: u32) {
    if let Some(cell) = into.slots.get_mut(slot as usize) {
        *cell = from.slots.get(slot as usize).copied().flatten();
    }
    if let Some(u) = from.untestable(slot) {
        let at = into.untestable.partition_point(|x| x.slot < slot);
        if into.untestable.get(at).is_none_or(|x| x.slot != slot) {
            into.untestable.insert(
                at,
                Untestable {
                    slot,
                    reason: u.reason.clone(),
                },
            );
        }
    }
}
