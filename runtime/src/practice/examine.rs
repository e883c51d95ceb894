//! Examining a finding: the finding as a student writes it (`arm_fossa`,
//! `occipital_fiber(line: 2, area: 3)`, `after.arm_fossa`), resolved to slots, and what the
//! case records of each.

use serde::Serialize;
use sot_ir::{Indicator, Program};

use super::Session;
use crate::why::{parse_value, Query};

/// What the case records of a finding examined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Revealed {
    /// A value, as the protocol writes it.
    Value {
        /// The value (`left`, `2`, `6 mm`, `none`).
        value: String,
        /// Whether it comes from the case's `history` block rather than the visit's own.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        from_history: bool,
    },
    /// The examiner tried and could not test it.
    Untestable {
        /// Why, when the case says.
        reason: Option<String>,
    },
    /// The case records nothing of it.
    NotRecorded,
}

/// One finding examined and what it revealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Examined {
    /// The finding as a case writes it (`after.` before one of the `after` block).
    pub finding: String,
    /// Its slot.
    pub slot: u32,
    /// Whether it is a finding of the visit's `after` block.
    pub after: bool,
    /// What the case records.
    pub revealed: Revealed,
    /// Whether it had been examined before in this session.
    pub again: bool,
}

/// A finding that could not be examined as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ExamineError {
    /// Not an indicator of the protocol; `known` lists every indicator, for a suggestion.
    UnknownIndicator {
        /// The name written.
        name: String,
        /// Every indicator's name.
        known: Vec<String>,
    },
    /// The text is not a finding, or its arguments do not fit the indicator.
    Malformed(String),
}

impl std::fmt::Display for ExamineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExamineError::UnknownIndicator { name, .. } => {
                write!(f, "the protocol has no indicator `{name}`")
            }
            ExamineError::Malformed(message) => f.write_str(message),
        }
    }
}

impl Session<'_> {
    /// Examines the findings `text` names: one finding (`arm_fossa`,
    /// `occipital_fiber(line: 2, area: 3)`), or every combination of the parameters left
    /// out (`occipital_fiber(line: 2)`: the whole line); `after.` before the name examines
    /// the visit's `after` block (for a check). Each is revealed and remembered.
    pub fn examine(&mut self, text: &str) -> Result<Vec<super::Examined>, ExamineError> {
        let text = text.trim();
        let (after, rest) = match text.strip_prefix("after.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let query = Query::parse(rest).map_err(ExamineError::Malformed)?;
        if query.kind.is_some() {
            return Err(ExamineError::Malformed(format!(
                "`{text}`: name a finding, such as `{}`",
                self.program
                    .indicators
                    .first()
                    .map_or("arm_fossa", |i| i.name.as_str())
            )));
        }
        let slots = slots(self.program, &query)?;
        Ok(slots
            .into_iter()
            .filter_map(|slot| self.examine_slot(slot, after))
            .collect())
    }
}

/// The slots a finding as written names: each parameter given fixes its value, each one
/// left out takes every value.
fn slots(program: &Program, query: &Query) -> Result<Vec<u32>, ExamineError> {
    let Some(indicator) = program.indicators.iter().find(|i| i.name == query.name) else {
        return Err(ExamineError::UnknownIndicator {
            name: query.name.clone(),
            known: program.indicators.iter().map(|i| i.name.clone()).collect(),
        });
    };
    let fixed = fixed_indices(indicator, &query.args)?;
    // Mixed radix, the last parameter varying fastest (as `Indicator::show_slot` reads it).
    let mut offsets: Vec<u32> = vec![0];
    for ((_, domain), fixed) in indicator.params.iter().zip(&fixed) {
        let values: Vec<u32> = match fixed {
            Some(i) => vec![*i],
            None => (0..domain.size).collect(),
        };
        offsets = offsets
            .iter()
            .flat_map(|o| values.iter().map(move |v| o * domain.size + v))
            .collect();
    }
    Ok(offsets
        .into_iter()
        .map(|o| indicator.first_slot + o)
        .filter(|s| *s < indicator.first_slot + indicator.slots)
        .collect())
}

/// The index of each parameter's value given (labelled, or bare in parameter order).
fn fixed_indices(
    indicator: &Indicator,
    args: &[(Option<String>, String)],
) -> Result<Vec<Option<u32>>, ExamineError> {
    let name = &indicator.name;
    let list = || {
        indicator
            .params
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if args.len() > indicator.params.len() {
        return Err(ExamineError::Malformed(if indicator.params.is_empty() {
            format!("`{name}` takes no arguments")
        } else {
            format!("`{name}` takes {} ({})", indicator.params.len(), list())
        }));
    }
    let mut fixed = vec![None; indicator.params.len()];
    for (i, (label, text)) in args.iter().enumerate() {
        let position = match label {
            Some(label) => indicator
                .params
                .iter()
                .position(|(p, _)| p == label)
                .ok_or_else(|| {
                    ExamineError::Malformed(format!(
                        "`{name}` has no parameter `{label}`; its parameters: {}",
                        list()
                    ))
                })?,
            None => i,
        };
        let Some((param, domain)) = indicator.params.get(position) else {
            continue;
        };
        let index = parse_value(&domain.ty, text).and_then(|v| domain.index(v));
        let Some(index) = index else {
            let first = domain.ty.show(domain.value(0));
            let last = domain.ty.show(domain.value(domain.size.saturating_sub(1)));
            return Err(ExamineError::Malformed(format!(
                "`{text}` is not a value of `{param}` of `{name}` ({first} to {last})"
            )));
        };
        if let Some(cell) = fixed.get_mut(position) {
            *cell = Some(index);
        }
    }
    Ok(fixed)
}
