//! The handbook as one HTML page: its Markdown rendered by pulldown-cmark (which escapes
//! text; raw HTML in the Markdown is shown as text, never run) inside the shared page
//! skeleton, with the title as the page's heading and a table of contents of its sections.

use maud::{html, Markup, PreEscaped};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::page::{Frame, Page};

/// The handbook page's own style (after the page's base style).
const STYLE: &str = "\
main h3 code{font-size:.75em;color:#555;background:none;font-weight:normal}\
main li>ul{margin:.1rem 0}\
@media (min-width:50rem){nav.toc>ol>li>ol{columns:2;column-gap:2rem}}\
nav.toc code{font-size:.8em;color:#555;background:none}";

/// A GitHub-style heading id: lowercase, spaces to `-`, punctuation dropped.
fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            ' ' | '-' => Some('-'),
            '_' => Some('_'),
            _ => None,
        })
        .collect()
}

/// A heading of the table of contents: its level, id and text (code pieces apart).
struct Entry {
    level: HeadingLevel,
    id: String,
    pieces: Vec<(bool, String)>,
}

/// The handbook as one HTML page.
pub fn handbook_html(markdown: &str) -> String {
    handbook_html_in(markdown, &Frame::default())
}

/// The handbook as one HTML page in a server's `frame`.
pub fn handbook_html_in(markdown: &str, frame: &Frame) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, Options::empty()).collect();
    let mut body_events = Vec::with_capacity(events.len());
    let mut entries: Vec<Entry> = Vec::new();
    let mut title: Vec<(bool, String)> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let pieces: Vec<(bool, String)> = events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .filter_map(|e| match e {
                        Event::Text(t) => Some((false, t.to_string())),
                        Event::Code(t) => Some((true, t.to_string())),
                        _ => None,
                    })
                    .collect();
                if *level == HeadingLevel::H1 && title.is_empty() {
                    // The title is the page's heading, not part of its body.
                    title = pieces;
                    while i < events.len() && !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                let text: String = pieces.iter().map(|(_, t)| t.as_str()).collect();
                let id = slug(&text);
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                    entries.push(Entry {
                        level: *level,
                        id: id.clone(),
                        pieces,
                    });
                }
                body_events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) => body_events.push(Event::Text(h.clone())),
            other => body_events.push(other.clone()),
        }
        i += 1;
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, body_events.into_iter());
    let title_text: String = title.iter().map(|(_, t)| t.as_str()).collect();
    let title_text = if title_text.is_empty() {
        "Handbook".to_string()
    } else {
        title_text
    };
    Page {
        title: &title_text,
        style: STYLE,
        header: html! { h1 { (pieces(&title)) } },
        nav: Some(toc(&entries)),
        body: PreEscaped(body),
    }
    .render_in(frame)
}

fn pieces(pieces: &[(bool, String)]) -> Markup {
    html! {
        @for (code, text) in pieces {
            @if *code { code { (text) } } @else { (text) }
        }
    }
}

/// The sections (h2) and their entries (h3), as nested lists of links.
fn toc(entries: &[Entry]) -> Markup {
    let mut sections: Vec<(&Entry, Vec<&Entry>)> = Vec::new();
    for e in entries {
        match (e.level, sections.last_mut()) {
            (HeadingLevel::H3, Some((_, children))) => children.push(e),
            _ => sections.push((e, Vec::new())),
        }
    }
    html! {
        nav.toc aria-label="Contents" {
            h2 { "Contents" }
            ol {
                @for (section, children) in &sections {
                    li {
                        a href={ "#" (section.id) } { (pieces(&section.pieces)) }
                        @if !children.is_empty() {
                            ol { @for c in children { li { a href={ "#" (c.id) } { (pieces(&c.pieces)) } } } }
                        }
                    }
                }
            }
        }
    }
}
