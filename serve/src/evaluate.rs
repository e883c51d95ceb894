//! `POST /api/evaluate?file=F`: JSON case data (the form's visit) read by the compiler's
//! `json_cases`, checked and lowered exactly as `sot run FILE --cases DATA.json` does, and
//! evaluated by the runtime; the answer is the report as HTML (rendered by `sot-report`) or
//! every problem with its code and its place in the posted text, for the form to show at
//! the field. `GET /api/status?file=F`: the library's version and the file's diagnostics.

use axum::extract::Query;
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use sot_runtime::explain::explain_case;

use crate::pages::{diagnostics, missing, FileQuery};
use crate::Bench;

/// One problem with posted case data: its code, words, and byte range in the posted text.
#[derive(Serialize)]
pub struct Problem {
    /// `E0501`.
    pub code: &'static str,
    /// The checker's message.
    pub message: String,
    /// The checker's help.
    pub help: Option<String>,
    /// Byte offsets into the posted JSON text.
    pub start: usize,
    /// End of the range.
    pub end: usize,
}

/// The answer to an evaluation.
#[derive(Serialize)]
pub struct Answer {
    /// The library's version the answer was computed on.
    pub version: u64,
    /// The report as HTML, when the data and the protocol are sound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The data's problems.
    pub problems: Vec<Problem>,
    /// The protocol's own errors as HTML, when it has any (nothing can be evaluated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// What reading posted case data against a file gave.
pub enum Read {
    /// The cases, lowered against the file's program.
    Cases(std::sync::Arc<sot_ir::Program>, Vec<sot_ir::Case>),
    /// The data's problems, or the protocol's errors: the answer to send.
    Refused(Box<Answer>),
    /// The file is not served.
    Missing,
}

/// Reads `json` against the file `key` of the current library.
pub fn read_cases(library: &crate::Library, key: &str, json: &str) -> Read {
    let Some(entry) = library.entry(key) else {
        return Read::Missing;
    };
    let Some(program) = entry.program.clone() else {
        return Read::Refused(Box::new(Answer {
            version: library.version,
            html: None,
            problems: Vec::new(),
            protocol: Some(diagnostics(&entry.diagnostics).into_string()),
        }));
    };
    let db = library.db();
    match sot_compiler::json_cases(&db, entry.file, json) {
        Ok(cases) => Read::Cases(program, cases),
        Err(found) => Read::Refused(Box::new(Answer {
            version: library.version,
            html: None,
            problems: found
                .into_iter()
                .map(|d| Problem {
                    code: d.code.as_str(),
                    message: d.message,
                    help: d.help,
                    start: d.primary.span.start as usize,
                    end: d.primary.span.end as usize,
                })
                .collect(),
            protocol: None,
        })),
    }
}

/// `POST /api/evaluate?file=F` with JSON case data.
pub async fn evaluate(state: Bench, Query(q): Query<FileQuery>, body: String) -> Response {
    let library = state.library();
    let work = tokio::task::spawn_blocking(move || match read_cases(&library, &q.file, &body) {
        Read::Cases(program, cases) => {
            let reports: Vec<_> = cases.iter().map(|c| explain_case(&program, c)).collect();
            Json(Answer {
                version: library.version,
                html: Some(sot_report::run::html_fragment(&reports)),
                problems: Vec::new(),
                protocol: None,
            })
            .into_response()
        }
        Read::Refused(answer) => Json(answer).into_response(),
        Read::Missing => missing(&q.file),
    });
    work.await.unwrap_or_else(|e| {
        crate::plain(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the evaluation failed: {e}"),
        )
    })
}

/// The state of one file for a page that follows it.
#[derive(Serialize)]
pub struct Status {
    version: u64,
    errors: usize,
    diagnostics: String,
}

/// `GET /api/status?file=F`.
pub async fn status(state: Bench, Query(q): Query<FileQuery>) -> Response {
    let library = state.library();
    match library.entry(&q.file) {
        Some(entry) => Json(Status {
            version: library.version,
            errors: entry.errors(),
            diagnostics: diagnostics(&entry.diagnostics).into_string(),
        })
        .into_response(),
        None => missing(&q.file),
    }
}
