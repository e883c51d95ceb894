//! `POST /api/export?file=F&format=json|sot`: the form's visit as a file to download. The
//! posted JSON case data is first read and checked as `/api/evaluate` reads it (a bad value:
//! the same problems, shown at the field). As JSON it is the data itself, indented. As a
//! `.sot` case it is written in the language's syntax with a `use` of the protocol, put in
//! the canonical style by `sot fmt`'s formatter, and checked again, as a file saved next to
//! the protocol, by the same checker `sot check` runs; it is offered only when that check
//! finds no error.

use std::path::{Path, PathBuf};

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde::Deserialize;
use serde_json::Value;
use sot_ir::Program;

use crate::evaluate::{read_cases, Answer, Problem, Read};
use crate::pages::missing;
use crate::{plain, Bench};

/// The query of an export.
#[derive(Deserialize)]
pub struct ExportQuery {
    file: String,
    format: String,
}

/// A string as a `.sot` string literal.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value of case data as the language writes it (case data strings are already in the
/// language's syntax).
fn value(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Null => "none".into(),
        Value::Object(o) => match o.get("untestable") {
            Some(Value::String(reason)) => format!("untestable {}", quoted(reason)),
            _ => return Err("an object that is not `{\"untestable\": reason}`".into()),
        },
        Value::Array(_) => return Err("an array where a value belongs".into()),
    })
}

/// The findings of a block, one line each, in the protocol's order of the indicators and
/// of their parameters.
fn findings(
    program: &Program,
    block: &serde_json::Map<String, Value>,
    out: &mut String,
) -> Result<(), String> {
    let order = |name: &str| program.indicators.iter().position(|i| i.name == name);
    let mut found: Vec<(&String, &Value)> = block.iter().collect();
    found.sort_by_key(|(name, _)| order(name));
    for (indicator, found) in found {
        let params: Vec<&str> = order(indicator)
            .and_then(|i| program.indicators.get(i))
            .map(|i| i.params.iter().map(|(n, _)| n.as_str()).collect())
            .unwrap_or_default();
        match found {
            Value::Array(patterns) => {
                for p in patterns {
                    let Value::Object(p) = p else {
                        return Err(format!("a finding of `{indicator}` that is not an object"));
                    };
                    let mut given: Vec<(&String, &Value)> =
                        p.iter().filter(|(k, _)| *k != "value").collect();
                    given.sort_by_key(|(k, _)| params.iter().position(|n| n == k));
                    let args: Vec<String> = given
                        .into_iter()
                        .map(|(k, v)| Ok(format!("{k}: {}", value(v)?)))
                        .collect::<Result<_, String>>()?;
                    let v = p.get("value").map(value).transpose()?.unwrap_or_default();
                    out.push_str(&format!("{indicator}({}) = {v}\n", args.join(", ")));
                }
            }
            v => out.push_str(&format!("{indicator} = {}\n", value(v)?)),
        }
    }
    Ok(())
}

/// The cases of checked case data as `.sot` text that uses `protocol` (a file name in the
/// same folder).
pub fn sot_text(program: &Program, data: &Value, protocol: &str) -> Result<String, String> {
    let cases: Vec<&Value> = match data.get("cases") {
        Some(Value::Array(cases)) => cases.iter().collect(),
        _ => vec![data],
    };
    let mut out = format!(
        "// Written by the sot workbench. Save it next to {protocol}, which it uses.\n\nuse {}\n\n",
        quoted(protocol)
    );
    for case in cases {
        let name = case.get("name").and_then(Value::as_str).unwrap_or_default();
        out.push_str(&format!("case {name}"));
        if let Some(title) = case.get("title").and_then(Value::as_str) {
            out.push_str(&format!(" {}", quoted(title)));
        }
        out.push_str(" {\n");
        if let Some(Value::Object(history)) = case.get("history") {
            out.push_str("history {\n");
            findings(program, history, &mut out)?;
            out.push_str("}\n");
        }
        for visit in case
            .get("visits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let number = visit.get("visit").map(Value::to_string).unwrap_or_default();
            out.push_str(&format!("visit {number}"));
            if let Some(label) = visit.get("label").and_then(Value::as_str) {
                out.push_str(&format!(" {}", quoted(label)));
            }
            out.push_str(" {\nfindings {\n");
            if let Some(Value::Object(block)) = visit.get("findings") {
                findings(program, block, &mut out)?;
            }
            out.push_str("}\n");
            if let Some(Value::Object(after)) = visit.get("after") {
                out.push_str("after {\n");
                findings(program, after, &mut out)?;
                out.push_str("}\n");
            }
            for given in visit
                .get("given")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str(&format!("given {}\n", given.as_str().unwrap_or_default()));
            }
            for expect in visit
                .get("expect")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str(&format!("expect {}\n", expect.as_str().unwrap_or_default()));
            }
            out.push_str("}\n");
        }
        out.push_str("}\n\n");
    }
    sot_grammar_format(&out)
}

/// The text in the canonical style (`sot fmt`), or why it could not be formatted.
fn sot_grammar_format(text: &str) -> Result<String, String> {
    sot_grammar::format_file(text).map_err(|e| {
        format!(
            "the written case does not parse at byte {}: {}",
            e.offset, e.message
        )
    })
}

/// Checks `text` as the file `path` beside `protocol` (loaded from disk with what it uses),
/// as `sot check` would: its errors.
fn check_beside(
    protocol: &Path,
    path: &Path,
    text: &str,
) -> Result<Vec<sot_compiler::Diagnostic>, String> {
    let mut loaded = sot_files::load::load(&[protocol.to_path_buf()])?;
    let file = loaded.db.set_file(path, text.to_string());
    Ok(sot_compiler::all_diagnostics(&loaded.db, file)
        .into_iter()
        .filter(|d| d.severity() == sot_compiler::Severity::Error)
        .collect())
}

/// The errors of the written `.sot` case as problems of the posted data: at the case's name
/// (what a student can change: a case of the protocol with the same name is E0102), found
/// in the posted text as the form writes it; else at its start.
fn problems_at_name(errors: Vec<sot_compiler::Diagnostic>, body: &str, name: &str) -> Vec<Problem> {
    let written = format!("\"name\": {}", Value::from(name));
    let (start, end) = match body.find(&written) {
        Some(at) => (at + 8, at + written.len()),
        None => (0, 0),
    };
    errors
        .into_iter()
        .map(|d| Problem {
            code: d.code.as_str(),
            message: format!("in the .sot case: {}", d.message),
            help: d.help,
            start,
            end,
        })
        .collect()
}

/// `POST /api/export?file=F&format=json|sot`.
pub async fn export(state: Bench, Query(q): Query<ExportQuery>, body: String) -> Response {
    if q.format != "json" && q.format != "sot" {
        return plain(StatusCode::BAD_REQUEST, "format is `json` or `sot`");
    }
    let library = state.library();
    let work = tokio::task::spawn_blocking(move || -> Response {
        let program = match read_cases(&library, &q.file, &body) {
            Read::Cases(program, _) => program,
            Read::Refused(answer) => {
                return (StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response()
            }
            Read::Missing => return missing(&q.file),
        };
        let data: Value = match serde_json::from_str(&body) {
            Ok(data) => data,
            Err(e) => return plain(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")),
        };
        let name = data
            .pointer("/cases/0/name")
            .or_else(|| data.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("case")
            .to_string();
        let (text, file_name, mime) = if q.format == "json" {
            // The data as posted (and checked), in the form's order.
            (body + "\n", format!("{name}.json"), "application/json")
        } else {
            let protocol = PathBuf::from(&q.file);
            let protocol_name = protocol
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = match sot_text(&program, &data, &protocol_name) {
                Ok(text) => text,
                Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, e),
            };
            let beside = protocol.with_file_name(format!("{name}.sot"));
            match check_beside(&protocol, &beside, &text) {
                Ok(errors) if errors.is_empty() => {}
                Ok(errors) => {
                    let answer = Answer {
                        version: library.version,
                        html: None,
                        problems: problems_at_name(errors, &body, &name),
                        protocol: None,
                    };
                    return (StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response();
                }
                Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, e),
            }
            (text, format!("{name}.sot"), "text/plain; charset=utf-8")
        };
        (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        file_name.replace(['"', '\\', '\n', '\r'], "_")
                    ),
                ),
            ],
            text,
        )
            .into_response()
    });
    work.await.unwrap_or_else(|e| {
        plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the export failed: {e}"),
        )
    })
}
