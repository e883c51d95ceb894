//! Diagnostics at the edge: miette's graphical report for people, JSON for tools.

use std::fmt;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use sot_compiler::{Diagnostic, LineIndex, Severity};

/// A compiler diagnostic with its file, as miette wants it.
#[derive(Debug)]
struct Report {
    diagnostic: Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |l: &sot_compiler::Label, primary: bool| {
            let start = l.span.start as usize;
            let len = (l.span.end as usize).saturating_sub(start);
            let text = (!l.message.is_empty()).then(|| l.message.clone());
            if primary {
                LabeledSpan::new_primary_with_span(text, (start, len))
            } else {
                LabeledSpan::new_with_span(text, (start, len))
            }
        };
        let d = &self.diagnostic;
        Some(Box::new(
            std::iter::once(span(&d.primary, true))
                .chain(d.secondary.iter().map(move |l| span(l, false))),
        ))
    }
}

/// How to draw reports for people.
pub struct Renderer {
    handler: GraphicalReportHandler,
}

impl Renderer {
    /// A renderer, in colour or not.
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Renderer {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(80)
                .with_links(false),
        }
    }

    /// The graphical report of one diagnostic in `path` (whose text is `text`).
    pub fn render(&self, path: &Path, text: &str, diagnostic: &Diagnostic) -> String {
        let report = Report {
            diagnostic: diagnostic.clone(),
            source: NamedSource::new(path.display().to_string(), text.to_string()),
        };
        let mut out = String::new();
        if self.handler.render_report(&mut out, &report).is_err() {
            out = format!(
                "{}[{}]: {}\n",
                diagnostic.severity().as_str(),
                diagnostic.code.as_str(),
                diagnostic.message
            );
        }
        out
    }
}

/// The JSON object of one diagnostic (LANGUAGE.md §5): 1-based lines, columns in characters.
pub fn json(path: &Path, text: &str, index: &LineIndex, d: &Diagnostic) -> serde_json::Value {
    let start = index.line_column(text, d.primary.span.start as usize);
    let end = index.line_column(text, d.primary.span.end as usize);
    serde_json::json!({
        "code": d.code.as_str(),
        "severity": d.severity().as_str(),
        "message": d.message,
        "file": path.display().to_string(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "label": (!d.primary.message.is_empty()).then(|| d.primary.message.clone()),
        "help": d.help,
    })
}
