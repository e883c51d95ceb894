//! `sot schema`: the JSON Schema of case data for a protocol, generated from its indicators.

use serde_json::{json, Map, Value as Json};
use sot_ir::{Domain, Indicator, Program, ValueType};

/// The schema of one value of a type (`range`: the indicator's bounds, for numbers).
fn value_schema(ty: &ValueType, optional: bool, range: Option<(f64, f64)>) -> Json {
    let mut options = match ty {
        ValueType::Bool => vec![json!({"type": "boolean"}), json!({"enum": ["yes", "no"]})],
        ValueType::Int => {
            let mut int = json!({"type": "integer"});
            if let (Some((lo, hi)), Some(o)) = (range, int.as_object_mut()) {
                o.insert("minimum".into(), json!(lo as i64));
                o.insert("maximum".into(), json!(hi as i64));
            }
            // A number may also be written as a string in the language's syntax ("2").
            vec![int, json!({"type": "string", "pattern": "^-?[0-9]+$"})]
        }
        ValueType::Measure { unit } => {
            let units = if unit == "deg" { "deg" } else { "mm|cm" };
            let bounds = range
                .map(|(lo, hi)| {
                    format!(
                        ", from {lo} to {hi} {}",
                        if unit == "deg" { "deg" } else { "mm" }
                    )
                })
                .unwrap_or_default();
            vec![json!({
                "type": "string",
                "pattern": format!("^-?[0-9]+(\\.[0-9]+)? ?({units})$"),
                "description": format!("a number with its unit, e.g. \"6 {unit}\"{bounds}"),
            })]
        }
        ValueType::Symbols { values, .. } => vec![json!({"enum": values})],
    };
    if optional {
        options.push(json!({"type": "null", "description": "none: examined, negative"}));
        options.push(json!({"const": "none"}));
    }
    match options.len() {
        1 => options.remove(0),
        _ => json!({"anyOf": options}),
    }
}

fn domain_schema(domain: &Domain) -> Json {
    let values = match &domain.ty {
        ValueType::Int => json!({
            "type": "integer",
            "minimum": domain.lo,
            "maximum": domain.lo + i64::from(domain.size) - 1,
        }),
        ValueType::Symbols { values, .. } => {
            let shown: Vec<&String> = (0..domain.size)
                .filter_map(|i| values.get((domain.lo + i64::from(i)) as usize))
                .collect();
            json!({"enum": shown})
        }
        other => value_schema(other, false, None),
    };
    json!({"anyOf": [values, {"const": "_", "description": "every value"}]})
}

/// What a finding may record: a value of the indicator's type, or that it was untestable
/// (LANGUAGE.md §7.6), without or with the reason.
fn finding_schema(indicator: &Indicator) -> Json {
    let mut options = match value_schema(&indicator.ty, indicator.optional, indicator.range) {
        Json::Object(mut o) if o.len() == 1 && o.contains_key("anyOf") => match o.remove("anyOf") {
            Some(Json::Array(options)) => options,
            _ => Vec::new(),
        },
        one => vec![one],
    };
    options.push(json!({"const": "untestable", "description": "tried and could not test"}));
    options.push(json!({
        "type": "object",
        "properties": {"untestable": {"type": "string", "description": "why it could not be tested"}},
        "required": ["untestable"],
        "additionalProperties": false,
    }));
    json!({"anyOf": options})
}

fn indicator_schema(indicator: &Indicator) -> Json {
    let value = finding_schema(indicator);
    let mut schema = if indicator.params.is_empty() {
        value
    } else {
        let mut properties = Map::new();
        for (name, domain) in &indicator.params {
            properties.insert(name.clone(), domain_schema(domain));
        }
        properties.insert("value".into(), value);
        let mut required: Vec<&str> = indicator.params.iter().map(|(n, _)| n.as_str()).collect();
        required.push("value");
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            },
        })
    };
    if let (Some(doc), Some(object)) = (&indicator.doc, schema.as_object_mut()) {
        object.insert("description".into(), json!(doc));
    }
    schema
}

/// The JSON Schema of a case document for `program`.
pub fn case_schema(program: &Program) -> Json {
    let mut findings = Map::new();
    for indicator in &program.indicators {
        findings.insert(indicator.name.clone(), indicator_schema(indicator));
    }
    let findings = json!({
        "type": "object",
        "properties": findings,
        "additionalProperties": false,
        "description": "Findings by indicator; an indicator not listed was not examined.",
    });
    let visit = json!({
        "type": "object",
        "properties": {
            "visit": {"type": "integer", "description": "The visit's number; numbers increase."},
            "label": {"type": "string"},
            "findings": findings,
            "given": {"description": "Adjustments given, as calls: \"block(category: II, short_leg: right)\".", "type": "array", "items": {"type": "string"}},
            "after": findings,
            "expect": {"description": "Expectations as in a case: \"category II\", \"adjustment block\".", "type": "array", "items": {"type": "string"}},
        },
        "required": ["visit", "findings"],
        "additionalProperties": false,
    });
    let case = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "title": {"type": "string"},
            "history": {
                "description": "Findings that hold for the whole case: every visit's findings that the visit does not give itself (not its `after`, not the checks).",
                "allOf": [findings],
            },
            "visits": {"type": "array", "items": visit},
        },
        "required": ["name", "visits"],
        "additionalProperties": false,
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("Case data for {}", program.title.as_deref().unwrap_or("a sot protocol")),
        "anyOf": [
            {"type": "object", "properties": {"cases": {"type": "array", "items": case}}, "required": ["cases"], "additionalProperties": false},
            case,
        ],
    })
}
