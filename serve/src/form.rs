//! `GET /form?file=F[&case=C&visit=N]`: a findings form generated from the protocol's
//! indicators, each with its type: toggles for yes/no, selects for enums and sides, number
//! inputs with the unit and bounds, grids for parametric indicators (one cell per parameter
//! combination), and "not examined" and "untestable" as explicit choices. Filled from a
//! case's visit when one is named (its findings with the case's history). The script sends
//! the form as JSON case data to `/api/evaluate` as the student edits it.

use axum::extract::Query;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use sot_ir::{Domain, Findings, Indicator, Program, Value, ValueType};
use sot_runtime::visit::case_findings;

use crate::pages::{broken, missing, name};
use crate::Bench;

/// The query of the form: the file, and optionally the case and visit to start from.
#[derive(Deserialize)]
pub struct FormQuery {
    /// The file's path as the index lists it.
    pub file: String,
    /// The case to start from.
    pub case: Option<String>,
    /// Its visit (default: the first).
    pub visit: Option<i64>,
}

/// The value a control starts with: `""` not examined, `"untestable"`, `"none"`, or the
/// value as the protocol writes it (a measure without its unit: the input shows the unit).
fn start_value(indicator: &Indicator, findings: Option<&Findings>, slot: u32) -> String {
    let Some(findings) = findings else {
        return String::new();
    };
    if findings.untestable(slot).is_some() {
        return "untestable".into();
    }
    match findings.slots.get(slot as usize).copied().flatten() {
        None => String::new(),
        Some(Value::None) => "none".into(),
        Some(Value::Num(n)) => match &indicator.ty {
            ValueType::Measure { unit } if unit == "cm" => format!("{}", n / 10.0),
            ValueType::Measure { .. } | ValueType::Int => format!("{n}"),
            ty => ty.show(Value::Num(n)),
        },
    }
}

/// The bounds of a number input, in the unit it is typed in.
fn bounds(indicator: &Indicator) -> (Option<String>, Option<String>) {
    let scale = match &indicator.ty {
        ValueType::Measure { unit } if unit == "cm" => 10.0,
        _ => 1.0,
    };
    match indicator.range {
        Some((lo, hi)) => (
            Some(format!("{}", lo / scale)),
            Some(format!("{}", hi / scale)),
        ),
        None => (None, None),
    }
}

/// What the control of one finding is: its kind (for the script) and its unit.
fn kind(ty: &ValueType) -> (&'static str, Option<&str>) {
    match ty {
        ValueType::Bool => ("bool", None),
        ValueType::Int => ("int", None),
        ValueType::Measure { unit } => ("measure", Some(unit.as_str())),
        ValueType::Symbols { .. } => ("symbols", None),
    }
}

/// The values of a finding offered as choices: yes/no, an enum's or side's values, and the
/// values of a small whole-number range (a grade `0..3`); `None`: typed as a number.
fn choices(indicator: &Indicator) -> Option<Vec<String>> {
    match (&indicator.ty, indicator.range) {
        (ValueType::Bool, _) => Some(vec!["yes".into(), "no".into()]),
        (ValueType::Symbols { values, .. }, _) => Some(values.clone()),
        (ValueType::Int, Some((lo, hi))) if hi - lo < SMALL_RANGE => {
            Some((lo as i64..=hi as i64).map(|v| v.to_string()).collect())
        }
        _ => None,
    }
}

/// Whole-number ranges with fewer values than this are offered as a select.
const SMALL_RANGE: f64 = 12.0;

/// The control of one finding (one slot); `label` names it for assistive technology.
fn control(indicator: &Indicator, value: &str, label: &str, compact: bool) -> Markup {
    let optional = indicator.optional;
    let special = |v: &str| v.is_empty() || v == "untestable" || v == "none";
    match &indicator.ty {
        ValueType::Bool if !compact => html! {
            span.toggle role="radiogroup" aria-label=(label) {
                @for (v, shown) in [("yes", "yes"), ("no", "no"), ("", "not examined"), ("untestable", "untestable")] {
                    label { input.v type="radio" name=(label) value=(v) checked[value == v]; span { (shown) } }
                }
                @if optional { label { input.v type="radio" name=(label) value="none" checked[value == "none"]; span { "none" } } }
            }
        },
        ValueType::Bool | ValueType::Symbols { .. } | ValueType::Int
            if choices(indicator).is_some() =>
        {
            let values = choices(indicator).unwrap_or_default();
            html! {
                select.v aria-label=(label) {
                    option value="" selected[value.is_empty()] { @if compact { "·" } @else { "not examined" } }
                    @for v in &values { option value=(v) selected[value == v] { (v) } }
                    @if optional { option value="none" selected[value == "none"] { "none" } }
                    option value="untestable" selected[value == "untestable"] { "untestable" }
                }
            }
        }
        _ => {
            let (min, max) = bounds(indicator);
            let (_, unit) = kind(&indicator.ty);
            let step = if matches!(indicator.ty, ValueType::Int) {
                "1"
            } else {
                "any"
            };
            let typed = if special(value) { "" } else { value };
            html! {
                span.number {
                    input.v type="number" inputmode="decimal" step=(step) min=[min] max=[max]
                        value=(typed) aria-label=(label);
                    @if let Some(u) = unit { span.unit { (u) } }
                    select.state aria-label={ (label) ": recorded as" } {
                        option value="" selected[!special(value) || value.is_empty()] { "as typed" }
                        @if optional { option value="none" selected[value == "none"] { "none" } }
                        option value="untestable" selected[value == "untestable"] { "untestable" }
                    }
                }
            }
        }
    }
}

/// The values of a parameter, as the protocol writes them.
fn values(domain: &Domain) -> Vec<String> {
    (0..domain.size)
        .map(|i| domain.ty.show(domain.value(i)))
        .collect()
}

/// One indicator: its name, its doc comment, and one control, or a grid of them.
fn indicator(ind: &Indicator, findings: Option<&Findings>) -> Markup {
    let (kind, unit) = kind(&ind.ty);
    let (min, max) = bounds(ind);
    html! {
        fieldset.finding data-indicator=(ind.name) data-kind=(kind) data-unit=[unit]
            data-min=[min] data-max=[max] {
            legend { code { (ind.name) } @if let Some(u) = unit { " " span.muted { "(" (u) ")" } } }
            @if let Some(doc) = &ind.doc { p.doc { (doc) } }
            @if ind.params.is_empty() {
                div.cell data-args="{}" {
                    (control(ind, &start_value(ind, findings, ind.first_slot), &ind.name, false))
                }
            } @else {
                (grid(ind, findings))
            }
            p.error role="alert" hidden {}
        }
    }
}

/// One cell of a parametric indicator's grid: its slot, the finding as a case writes it, and
/// its parameters' values as a JSON object in the protocol's order (for the script).
pub struct Cell {
    /// The finding's slot.
    pub slot: u32,
    /// `occipital_fiber(line: 2, area: 3)`.
    pub label: String,
    /// `{"line":"2","area":"3"}`.
    pub args: String,
}

/// The form's grid of a parametric indicator: a control per cell.
fn grid(ind: &Indicator, findings: Option<&Findings>) -> Markup {
    grid_of(ind, &|cell: &Cell| {
        html! {
            td.cell data-args=(cell.args) {
                (control(ind, &start_value(ind, findings, cell.slot), &cell.label, true))
            }
        }
    })
}

/// A parametric indicator as tables: the last two parameters as rows × columns (one
/// parameter: one column), one table per combination of the parameters before them; `cell`
/// makes each cell (a `td`).
pub fn grid_of(ind: &Indicator, cell: &dyn Fn(&Cell) -> Markup) -> Markup {
    let names: Vec<&str> = ind.params.iter().map(|(n, _)| n.as_str()).collect();
    let shown: Vec<Vec<String>> = ind.params.iter().map(|(_, d)| values(d)).collect();
    let sizes: Vec<u32> = ind.params.iter().map(|(_, d)| d.size.max(1)).collect();
    let k = names.len();
    let (outer, rows, cols) = match k {
        1 => (0, 0, None),
        _ => (k - 2, k - 2, Some(k - 1)),
    };
    // Every combination of the outer parameters, as indices.
    let outer_count: u32 = sizes[..outer].iter().product();
    let make = |idx: &[u32]| -> Markup {
        let slot = idx
            .iter()
            .zip(&sizes)
            .fold(0, |acc, (i, size)| acc * size + i)
            + ind.first_slot;
        let pairs = || {
            idx.iter()
                .enumerate()
                .map(|(p, i)| (names[p], shown[p][*i as usize].as_str()))
        };
        let label = format!(
            "{}({})",
            ind.name,
            pairs()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // In the protocol's order of the parameters (a JSON object the script reads).
        let args = pairs()
            .map(|(n, v)| {
                format!(
                    "{}:{}",
                    serde_json::Value::from(n),
                    serde_json::Value::from(v)
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        cell(&Cell {
            slot,
            label,
            args: format!("{{{args}}}"),
        })
    };
    html! {
        @for o in 0..outer_count {
            @let outer_idx = {
                let mut rest = o;
                let mut idx = vec![0; outer];
                for p in (0..outer).rev() { idx[p] = rest % sizes[p]; rest /= sizes[p]; }
                idx
            };
            @if outer > 0 {
                p.grid-title { @for (p, i) in outer_idx.iter().enumerate() {
                    @if p > 0 { ", " } (names[p]) ": " strong { (shown[p][*i as usize]) } } }
            }
            div.grid-wrap {
                table.grid {
                    thead { tr {
                        th { (names[rows]) @if let Some(c) = cols { " \u{2193} · " (names[c]) " \u{2192}" } }
                        @if let Some(c) = cols { @for v in &shown[c] { th { (v) } } } @else { th { "finding" } }
                    } }
                    tbody {
                        @for r in 0..sizes[rows] {
                            tr {
                                th { (shown[rows][r as usize]) }
                                @if let Some(c) = cols {
                                    @for ci in 0..sizes[c] {
                                        @let idx = { let mut i = outer_idx.clone(); i.push(r); i.push(ci); i };
                                        (make(&idx))
                                    }
                                } @else {
                                    (make(&[r]))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The findings form of `program`, started from a case's visit when one is given.
fn form(key: &str, program: &Program, case: Option<(&sot_ir::Case, usize)>) -> Markup {
    let findings: Option<Vec<_>> = case.map(|(c, _)| case_findings(c));
    let started = case.and_then(|(c, v)| {
        let f = findings.as_ref()?.get(v)?;
        Some((c, c.visits.get(v)?, f.as_ref()))
    });
    let (case_name, visit_number, label) = match started {
        Some((c, v, _)) => (c.name.clone(), v.number, v.label.clone()),
        None => ("new_case".to_string(), 1, None),
    };
    let visit_findings = started.map(|(_, _, f)| f);
    html! {
        form #findings data-file=(key) autocomplete="off" {
            fieldset.meta {
                legend { "The visit" }
                label { "Case name " input #case-name type="text" value=(case_name) pattern="[A-Za-z_][A-Za-z0-9_]*" required; }
                label { "Visit " input #visit-number type="number" min="1" step="1" value=(visit_number); }
                label { "Label " input #visit-label type="text" value=[label]; }
                p.error #meta-error role="alert" hidden {}
            }
            p.muted { "Every finding starts as recorded in the case, or \u{201c}not examined\u{201d}. "
                "The report below follows as you edit: what the protocol recommends, and why." }
            div.indicators {
                @for ind in &program.indicators { (indicator(ind, visit_findings)) }
            }
            p #verdict role="status" hidden {}
            div.actions {
                button #export-sot type="button" { "Export as .sot case" }
                button #export-json type="button" { "Export as JSON case data" }
                span #export-status role="status" {}
            }
        }
    }
}

/// `GET /form?file=F[&case=C&visit=N]`.
pub async fn page(state: Bench, Query(q): Query<FormQuery>) -> Response {
    let library = state.library();
    let Some(entry) = library.entry(&q.file) else {
        return missing(&q.file);
    };
    let title = format!("Findings — {}", name(entry));
    let header =
        html! { h1 { "Findings form" } p.muted { (name(entry)) " · " code { (entry.key) } } };
    let Some(program) = &entry.program else {
        return crate::pages::page(&title, &library, Some(entry), header, broken(entry));
    };
    let case = q.case.as_deref().and_then(|n| {
        let c = program.cases.iter().find(|c| c.name == n)?;
        let v = match q.visit {
            Some(number) => c.visits.iter().position(|v| v.number == number)?,
            None => 0,
        };
        Some((c, v))
    });
    let missing = q.case.is_some() && case.is_none();
    let body = html! {
        @if missing {
            p.bad { "This file has no such case or visit; the form starts empty." }
        }
        div.workbench {
            (form(&entry.key, program, case))
            section #result aria-live="polite" aria-label="What the protocol recommends" {
                noscript { "The live report needs JavaScript; the case pages work without it." }
            }
        }
    };
    crate::pages::page(&title, &library, Some(entry), header, body)
}
