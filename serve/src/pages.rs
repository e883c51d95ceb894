//! The workbench's pages that show documents sot already renders: the list of protocol
//! files, a file's handbook (`sot doc`) and its cases evaluated (`sot run`), each in the
//! workbench's frame (a bar of links, the live-update script). A file with errors shows the
//! checker's diagnostics instead.

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use sot_report::page::{Frame, Page};
use sot_runtime::explain::explain_case;

use crate::assets::{SCRIPT, STYLE};
use crate::library::{Entry, Library, Shown};
use crate::{plain, Bench};

/// The query of a page about one file: `?file=protocols/sot/cmrt.sot`.
#[derive(Deserialize)]
pub struct FileQuery {
    /// The file's path as the index lists it.
    pub file: String,
}

/// The bar of links above every page: the library's version and the file shown (the script
/// reads them to follow changes), and the pages of that file.
pub fn bar(library: &Library, entry: Option<&Entry>) -> Markup {
    html! {
        nav.bar aria-label="Workbench" data-version=(library.version)
            data-file=[entry.map(|e| e.key.as_str())] {
            a href="/" { "All protocols" }
            @if let Some(e) = entry {
                a href={ "/handbook?file=" (query(&e.key)) } { "Handbook" }
                a href={ "/cases?file=" (query(&e.key)) } { "Cases" }
                a href={ "/form?file=" (query(&e.key)) } { "Findings form" }
                a href={ "/practice?file=" (query(&e.key)) } { "Practice" }
            }
            span.live role="status" aria-live="polite" {}
        }
    }
}

/// `text` as a query-string value.
pub fn query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A whole workbench page.
pub fn page(
    title: &str,
    library: &Library,
    entry: Option<&Entry>,
    header: Markup,
    body: Markup,
) -> Response {
    let html = Page {
        title,
        style: sot_report::run::HTML_STYLE,
        header,
        nav: None,
        body,
    }
    .render_in(&frame(library, entry));
    Html(html).into_response()
}

/// The workbench's frame around a page.
pub fn frame<'a>(library: &Library, entry: Option<&Entry>) -> Frame<'a> {
    Frame {
        bar: Some(bar(library, entry)),
        scripts: &[SCRIPT],
        style: STYLE,
    }
}

/// The checker's diagnostics, as a list.
pub fn diagnostics(shown: &[Shown]) -> Markup {
    html! {
        ul.diagnostics {
            @for d in shown {
                li class=(d.severity) {
                    strong { (d.severity) "[" (d.code) "]" } " " code { (d.place) } " " (d.message)
                    @if let Some(help) = &d.help { br; span.help { "help: " (help) } }
                }
            }
        }
    }
}

/// What a file with errors shows instead of its handbook, cases or form.
pub fn broken(entry: &Entry) -> Markup {
    html! {
        section.broken {
            h2 { "This protocol has errors" }
            p { "Until they are fixed nothing can be evaluated. The page updates when the file changes." }
            (diagnostics(&entry.diagnostics))
        }
    }
}

/// The name a page gives a file: its protocol title, else its path.
pub fn name(entry: &Entry) -> &str {
    entry.title.as_deref().unwrap_or(&entry.key)
}

/// `GET /`: every protocol file served, with its cases and whether it checks.
pub async fn index(state: Bench) -> Response {
    let library = state.library();
    let header = html! {
        h1 { "sot workbench" }
        p.muted { "The protocols below "
            @for (i, p) in library.named.iter().enumerate() {
                @if i > 0 { ", " } code { (p.display()) }
            }
            ". Open a handbook, a file's cases, or its findings form. The protocol recommends; it does not diagnose." }
    };
    let body = html! {
        @if !library.problems.is_empty() {
            section.broken { h2 { "Files that could not be read" }
                ul { @for p in &library.problems { li { (p) } } } }
        }
        table.files.stack {
            thead { tr { th { "File" } th { "Protocol" } th { "Cases" } th { "Open" } } }
            tbody {
                @for e in &library.entries {
                    tr {
                        td { code { (e.key) } }
                        td data-label="Protocol" {
                            @if let Some(t) = &e.title { (t) } @else { span.muted { "untitled" } }
                            @if e.errors() > 0 { " " span.bad { (e.errors()) " error(s)" } }
                        }
                        td data-label="Cases" {
                            @match &e.program {
                                Some(p) => { (p.cases.len()) }
                                None => { "—" }
                            }
                        }
                        td data-label="Open" {
                            a href={ "/handbook?file=" (query(&e.key)) } { "handbook" } " · "
                            a href={ "/cases?file=" (query(&e.key)) } { "cases" } " · "
                            a href={ "/form?file=" (query(&e.key)) } { "form" }
                        }
                    }
                }
            }
        }
        @if library.entries.is_empty() { p { "No `.sot` file was found." } }
    };
    page("sot workbench", &library, None, header, body)
}

/// The answer when a query names a file that is not served.
pub fn missing(key: &str) -> Response {
    plain(
        StatusCode::NOT_FOUND,
        format!("`{key}` is not one of the files served (see the list at /)"),
    )
}

/// `GET /handbook?file=F`: the handbook `sot doc --format html` writes, in the frame.
pub async fn handbook(state: Bench, Query(q): Query<FileQuery>) -> Response {
    let library = state.library();
    let Some(entry) = library.entry(&q.file) else {
        return missing(&q.file);
    };
    if entry.program.is_none() {
        return page(
            name(entry),
            &library,
            Some(entry),
            html! { h1 { (name(entry)) } },
            broken(entry),
        );
    }
    let db = library.db();
    let markdown = sot_report::handbook::handbook_markdown(&db, entry.file);
    let html = sot_report::handbook::handbook_html_in(&markdown, &frame(&library, Some(entry)));
    Html(html).into_response()
}

/// `GET /cases?file=F`: the file's cases as `sot run --format html` reports them, in the
/// frame, with a link to edit each visit in the form.
pub async fn cases(state: Bench, Query(q): Query<FileQuery>) -> Response {
    let library = state.library();
    let Some(entry) = library.entry(&q.file) else {
        return missing(&q.file);
    };
    let Some(program) = &entry.program else {
        return page(
            name(entry),
            &library,
            Some(entry),
            html! { h1 { (name(entry)) } },
            broken(entry),
        );
    };
    if program.cases.is_empty() {
        let body = html! { p { "This file has no case. Open the "
        a href={ "/form?file=" (query(&entry.key)) } { "findings form" } " to write one." } };
        return page(
            name(entry),
            &library,
            Some(entry),
            html! { h1 { (name(entry)) } },
            body,
        );
    }
    let reports: Vec<_> = program
        .cases
        .iter()
        .map(|c| explain_case(program, c))
        .collect();
    let mut frame = frame(&library, Some(entry));
    let edit = html! {
        (bar(&library, Some(entry)))
        nav.edit aria-label="Edit a visit" {
            "Edit a visit in the findings form: "
            @for c in &program.cases {
                @for v in &c.visits {
                    a href={ "/form?file=" (query(&entry.key)) "&case=" (query(&c.name)) "&visit=" (v.number) } {
                        (c.name) " visit " (v.number)
                    } " "
                }
            }
        }
    };
    frame.bar = Some(edit);
    Html(sot_report::run::html_in(&reports, &frame)).into_response()
}

/// Any other path.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "no such page; the workbench starts at /",
    )
        .into_response()
}
