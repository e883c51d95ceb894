//! Practice mode in the browser, on the runtime's practice engine (`sot_runtime::practice`,
//! the same as `sot practice`): `GET /practice?file=F&case=C&visit=N` shows the visit's
//! findings hidden, a button to examine each (one parametric combination at a time), a hint
//! button, and the answer (the category, or none, or referral; the adjustments with their
//! arguments; optionally check outcomes). `POST /api/practice` replays the examinations the
//! page sends (the server keeps no session: a session is the list of findings examined) and
//! answers what they revealed, the hint, or the answer's score, rendered by `sot-report`.

use axum::extract::Query;
use axum::response::{IntoResponse, Json, Response};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use sot_ir::{Indicator, Program};
use sot_runtime::practice::{parse_call, parse_categories, parse_check, Answer, Session};

use crate::form::{grid_of, FormQuery};
use crate::pages::{broken, missing, name, query};
use crate::Bench;

/// `GET /practice?file=F&case=C&visit=N` (without a case: the cases to practise on).
pub async fn page(state: Bench, Query(q): Query<FormQuery>) -> Response {
    let library = state.library();
    let Some(entry) = library.entry(&q.file) else {
        return missing(&q.file);
    };
    let title = format!("Practice — {}", name(entry));
    let Some(program) = &entry.program else {
        let header = html! { h1 { "Practice" } };
        return crate::pages::page(&title, &library, Some(entry), header, broken(entry));
    };
    let chosen = q
        .case
        .as_deref()
        .and_then(|n| program.cases.iter().find(|c| c.name == n));
    let session = chosen.map(|c| {
        let visit = q
            .visit
            .unwrap_or_else(|| c.visits.first().map_or(1, |v| v.number));
        (c, visit, Session::new(program, c, visit))
    });
    let body = match &session {
        Some((case, visit, Ok(_))) => practice(&entry.key, program, &case.name, *visit),
        Some((_, _, Err(e))) => html! { p.bad { (e.to_string()) } (choose(&entry.key, program)) },
        None => choose(&entry.key, program),
    };
    let header = html! {
        h1 { "Practice" }
        p.muted { (name(entry)) @if let Some((c, v, _)) = &session { " · case " (c.name) ", visit " (v) } }
    };
    crate::pages::page(&title, &library, Some(entry), header, body)
}

/// The cases and visits to practise on.
fn choose(key: &str, program: &Program) -> Markup {
    html! {
        @if program.cases.is_empty() { p { "This file has no case to practise on." } }
        ul.choose {
            @for c in &program.cases {
                li {
                    (c.title.as_deref().unwrap_or(&c.name)) ": "
                    @for v in &c.visits {
                        a href={ "/practice?file=" (query(key)) "&case=" (query(&c.name)) "&visit=" (v.number) } {
                            "visit " (v.number)
                        } " "
                    }
                }
            }
        }
    }
}

/// One examine button (a finding of one slot); the script shows what it reveals beside it.
fn examine_button(finding: &str, slot: u32, compact: bool) -> Markup {
    html! {
        span.examine data-slot=(slot) {
            button.examine type="button" data-slot=(slot) aria-label={ "Examine " (finding) } {
                @if compact { "?" } @else { "Examine" }
            }
            span.revealed {}
        }
    }
}

fn indicator(ind: &Indicator) -> Markup {
    html! {
        fieldset.finding data-indicator=(ind.name) {
            legend { code { (ind.name) } }
            @if let Some(doc) = &ind.doc { p.doc { (doc) } }
            @if ind.params.is_empty() {
                (examine_button(&ind.name, ind.first_slot, false))
            } @else {
                (grid_of(ind, &|cell| html! { td.cell { (examine_button(&cell.label, cell.slot, true)) } }))
            }
        }
    }
}

/// The practice page of one visit.
fn practice(key: &str, program: &Program, case: &str, visit: i64) -> Markup {
    html! {
        div #practice data-file=(key) data-case=(case) data-visit=(visit) {
            p { "The case's findings are hidden. Examine what you would examine, one finding at a time; "
                "ask for a hint when you are unsure what to examine next; then commit your answer. "
                "The score compares it with what the protocol decides on the case's full findings." }
            div.workbench {
                section.examine aria-label="Examinations" {
                    h2 { "Examine" }
                    div.actions { button #hint type="button" { "Hint: what to examine next" } }
                    p #hint-text role="status" {}
                    @for ind in &program.indicators { (indicator(ind)) }
                }
                section.answer aria-label="Your answer" {
                    h2 { "Your answer" }
                    form #answer autocomplete="off" {
                        label { "Category " select #answer-category {
                            @for c in &program.categories { option value=(c.name) { (c.name) @if let Some(t) = &c.title { " — " (t) } } }
                            option value="none" { "none" }
                            option value="refer" { "referral (a red flag)" }
                        } }
                        p.error #error-category role="alert" hidden {}
                        label for="answer-adjustments" { "Adjustments, one per line, with every argument" }
                        textarea #answer-adjustments rows="3" placeholder="block(category: II, short_leg: right)" {}
                        p.error #error-adjustments role="alert" hidden {}
                        details { summary { "The protocol's adjustments" }
                            ul { @for a in &program.adjustments { li { code {
                                (a.name) @if !a.params.is_empty() { "(" @for (i, (p, _)) in a.params.iter().enumerate() { @if i > 0 { ", " } (p) ": …" } ")" }
                            } } } } }
                        label for="answer-checks" { "Check outcomes (optional), one per line" }
                        textarea #answer-checks rows="2" placeholder="arm_fossa_clears complete" {}
                        p.error #error-checks role="alert" hidden {}
                        div.actions { button #commit type="button" { "Commit the answer" } }
                    }
                    section #score aria-live="polite" {}
                }
            }
        }
    }
}

/// What the page sends: the findings examined so far (slots, in order), and what it asks.
#[derive(Deserialize)]
pub struct Request {
    file: String,
    case: String,
    visit: i64,
    #[serde(default)]
    examined: Vec<u32>,
    #[serde(default)]
    hint: bool,
    answer: Option<AnswerText>,
}

/// The answer as the student wrote it.
#[derive(Deserialize)]
pub struct AnswerText {
    category: String,
    #[serde(default)]
    adjustments: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
}

/// One examination as the page shows it.
#[derive(Serialize)]
struct Shown {
    slot: u32,
    finding: String,
    revealed: String,
}

/// The answer to the page.
#[derive(Serialize, Default)]
struct Reply {
    examined: Vec<Shown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<String>,
    /// Problems with the answer, by its part (`category`, `adjustments`, `checks`).
    errors: Vec<(String, String)>,
}

/// Reads the answer's parts; every problem, by part.
fn answer(program: &Program, text: &AnswerText) -> Result<Answer, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let category = parse_categories(program, &text.category)
        .map_err(|e| errors.push(("category".to_string(), e)))
        .ok();
    let lines = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let mut adjustments = Vec::new();
    for line in lines(&text.adjustments) {
        match parse_call(program, &line) {
            Ok(call) => adjustments.push(call),
            Err(e) => errors.push(("adjustments".into(), format!("{line}: {e}"))),
        }
    }
    let mut checks = Vec::new();
    for line in lines(&text.checks) {
        match parse_check(program, &line) {
            Ok(check) => checks.push(check),
            Err(e) => errors.push(("checks".into(), format!("{line}: {e}"))),
        }
    }
    match (category, errors.is_empty()) {
        (Some(category), true) => Ok(Answer {
            category,
            adjustments,
            checks,
        }),
        _ => Err(errors),
    }
}

/// `POST /api/practice`: replays the examinations, then the hint or the score asked for.
pub async fn api(state: Bench, Json(request): Json<Request>) -> Response {
    let library = state.library();
    let work = tokio::task::spawn_blocking(move || -> Response {
        let Some(entry) = library.entry(&request.file) else {
            return missing(&request.file);
        };
        let Some(program) = &entry.program else {
            return crate::plain(
                axum::http::StatusCode::CONFLICT,
                "the protocol has errors; fix them first",
            );
        };
        let Some(case) = program.cases.iter().find(|c| c.name == request.case) else {
            return crate::plain(axum::http::StatusCode::NOT_FOUND, "no such case");
        };
        let mut session = match Session::new(program, case, request.visit) {
            Ok(s) => s,
            Err(e) => return crate::plain(axum::http::StatusCode::NOT_FOUND, e.to_string()),
        };
        for slot in &request.examined {
            if session.examine_slot(*slot, false).is_none() {
                return crate::plain(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    format!("finding number {slot} is not one of this protocol's findings; reload the page"),
                );
            }
        }
        let mut reply = Reply {
            examined: session
                .examined()
                .into_iter()
                .map(|e| Shown {
                    slot: e.slot,
                    finding: e.finding,
                    revealed: sot_report::practice::revealed(&e.revealed),
                })
                .collect(),
            ..Reply::default()
        };
        if request.hint {
            reply.hint = Some(sot_report::practice::hint_text(&session.hint()));
        }
        if let Some(text) = &request.answer {
            match answer(program, text) {
                Ok(answer) => {
                    reply.score = Some(sot_report::practice::score_html(&session.score(&answer)))
                }
                Err(errors) => reply.errors = errors,
            }
        }
        Json(reply).into_response()
    });
    work.await.unwrap_or_else(|e| {
        crate::plain(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("practice failed: {e}"),
        )
    })
}
