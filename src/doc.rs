//! `sot doc`: the handbook of a protocol, as Markdown or one self-contained HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use sot_compiler::{handbook_markdown, lower_file, text::html_escape, visible_files};

use crate::check::print_errors;
use crate::load::load_one;

/// Arguments of `sot doc`.
#[derive(Args)]
pub struct DocArgs {
    /// The protocol file.
    file: PathBuf,
    /// Write the handbook into this folder (as `<file>.md` or `<file>.html`) instead of
    /// printing it.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Markdown, or one self-contained HTML page.
    #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
    format: DocFormat,
}

/// Formats of `sot doc`.
#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    /// Markdown.
    Markdown,
    /// One HTML page, no external assets.
    Html,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ddd;margin-top:2.2rem}h3{font-size:1.05rem}\
code{background:#f4f4f4;padding:0 .2rem}a{color:#245}";

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

/// The handbook as one HTML page. Raw HTML in the Markdown is shown as text, never run.
pub fn to_html(markdown: &str) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, Options::empty()).collect();
    let mut out_events = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                // The heading's text, for its id (so `#indicator-arm-fossa` links work).
                let text: String = events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::End(_)))
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                        _ => None,
                    })
                    .collect();
                out_events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(slug(&text))),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Html(h) | Event::InlineHtml(h) => out_events.push(Event::Text(h.clone())),
            other => out_events.push(other.clone()),
        }
        i += 1;
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, out_events.into_iter());
    let title = markdown
        .lines()
        .next()
        .unwrap_or("Handbook")
        .trim_start_matches("# ");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        html_escape(&title.replace('\\', ""))
    )
}

/// Runs `sot doc`.
pub fn run(args: &DocArgs, color: bool) -> ExitCode {
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    if lower_file(db, file).is_none() {
        print_errors(db, visible_files(db, file), color);
        eprintln!("sot doc: fix the errors first");
        return ExitCode::from(1);
    }
    let markdown = handbook_markdown(db, file);
    let (text, extension) = match args.format {
        DocFormat::Markdown => (markdown, "md"),
        DocFormat::Html => (to_html(&markdown), "html"),
    };
    match &args.output {
        None => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Some(dir) => {
            let stem = args
                .file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("handbook");
            let path = dir.join(format!("{stem}.{extension}"));
            match std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text)) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    ExitCode::from(2)
                }
            }
        }
    }
}
