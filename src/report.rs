//! Diagnostics at the edge: miette's graphical report for people, JSON for tools.

use std::fmt;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use schemars::JsonSchema;
use serde::Serialize;
use sot_compiler::{Code, Diagnostic, LineIndex, Severity};

/// A compiler diagnostic with its file, as miette wants it.
#[derive(Debug)]
struct Report {
    diagnostic: Diagnostic,
    source: NamedSource<Snippet>,
}

/// Lines longer than this (bytes) are shown as a window around the span.
const LONG_LINE: usize = 240;
/// How much of a long line is shown on each side of the span (bytes).
const WINDOW_SIDE: usize = 60;
/// The longest underline drawn (bytes); a longer span is underlined from its start.
const MAX_LABEL: usize = 120;

/// The text of a file as miette reads it for a snippet: lines around the span as miette
/// asks, or only the span's own lines (`one_line`); and of a line over [`LONG_LINE`] bytes
/// only a window around the span (miette's renderer panics on columns of 65,536 and more,
/// and a minified file should not fill the terminal).
#[derive(Debug)]
struct Snippet {
    text: String,
    one_line: bool,
}

impl Snippet {
    fn floor(&self, mut at: usize) -> usize {
        at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn ceil(&self, mut at: usize) -> usize {
        at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at += 1;
        }
        at
    }
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let bytes = self.text.as_bytes();
        let start = self.floor(span.offset());
        let end = self
            .ceil(span.offset().saturating_add(span.len()))
            .max(start);
        let line_start = bytes[..start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[end..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| end + i);
        if before == 0 && after == 0 {
            // The place in the header: exact.
            return self.read_near(span, 0, 0);
        }
        let long = self.text[line_start..line_end]
            .split('\n')
            .any(|line| line.len() > LONG_LINE);
        let window = if long {
            let from = self.floor(start.saturating_sub(WINDOW_SIDE).max(line_start));
            let to = self.ceil(
                end.min(start + MAX_LABEL)
                    .saturating_add(WINDOW_SIDE)
                    .min(line_end),
            );
            (from, to - from)
        } else if self.one_line {
            (line_start, line_end - line_start)
        } else {
            let around = self.read_near(span, before, after)?;
            // A long line around the span's own: left out, with the lines around.
            if !around
                .data()
                .split(|b| *b == b'\n')
                .any(|line| line.len() > LONG_LINE)
            {
                return Ok(around);
            }
            (line_start, line_end - line_start)
        };
        self.read_near(&window.into(), 0, 0)
    }
}

impl Snippet {
    /// miette's reading of the text, started a line before the context it asks for instead
    /// of at the start of the file (miette reads a text from its start, byte by byte: on a
    /// big file with many diagnostics that was most of `sot check`'s time). The same
    /// contents, shifted back to the whole text's offsets and line numbers.
    fn read_near<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let bytes = self.text.as_bytes();
        let at = span.offset().min(bytes.len());
        // The start of the line `before + 1` lines above the span's, or of the text.
        let mut from = at;
        for _ in 0..before + 2 {
            match memchr::memrchr(b'\n', &bytes[..from]) {
                Some(i) => from = i,
                None => {
                    from = 0;
                    break;
                }
            }
        }
        if from > 0 {
            from += 1;
        }
        // Line breaks before it, counted as miette counts them (`\r\n` once, a lone `\r`).
        let head = &bytes[..from];
        let lone_cr = memchr::memchr_iter(b'\r', head)
            .filter(|i| head.get(i + 1) != Some(&b'\n'))
            .count();
        let lines = memchr::memchr_iter(b'\n', head).count() + lone_cr;
        let local = miette::SourceSpan::new((span.offset() - from).into(), span.len());
        let near = miette::SourceCode::read_span(&bytes[from..], &local, before, after)?;
        let shifted = near.span().offset() + from;
        Ok(Box::new(miette::MietteSpanContents::new(
            near.data(),
            (shifted, near.span().len()).into(),
            near.line() + lines,
            near.column(),
            near.line_count() + lines,
        )))
    }
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
            let len = (l.span.end as usize).saturating_sub(start).min(MAX_LABEL);
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
        let mut diagnostic = diagnostic.clone();
        // On a long line, only the primary label is drawn (in a window around it): a
        // secondary label there would fall outside the window.
        let on_long_line = |span: sot_grammar::ast::Span| {
            let bytes = text.as_bytes();
            let at = (span.start as usize).min(bytes.len());
            let start = bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| at + i);
            end - start > LONG_LINE
        };
        if std::iter::once(&diagnostic.primary)
            .chain(&diagnostic.secondary)
            .any(|l| on_long_line(l.span))
        {
            diagnostic.secondary.clear();
        }
        let report = Report {
            diagnostic: diagnostic.clone(),
            source: NamedSource::new(
                path.display().to_string(),
                Snippet {
                    text: text.to_string(),
                    // A syntax error may be in a file that is no protocol at all (a `use`
                    // of some other file): show its line and nothing around it.
                    one_line: diagnostic.code == Code::E0001,
                },
            ),
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

/// One diagnostic (LANGUAGE.md §5): 1-based lines, columns in characters.
// The fields in alphabetical order: the order `sot check --format json` has always printed.
#[derive(Serialize, JsonSchema)]
pub struct DiagnosticJson {
    /// The code (`E0301`, `W0604`), explained in docs/language.md.
    code: String,
    /// The column where it starts.
    #[schemars(range(min = 1))]
    column: usize,
    /// The column where it ends (exclusive).
    #[schemars(range(min = 1))]
    end_column: usize,
    /// The line where it ends.
    #[schemars(range(min = 1))]
    end_line: usize,
    /// The file, as it was named (`<stdin>` for standard input).
    file: String,
    /// How to fix it, when a fix is known.
    help: Option<String>,
    /// What the primary label says at that place, if anything.
    label: Option<String>,
    /// The line where it starts.
    #[schemars(range(min = 1))]
    line: usize,
    /// What is wrong.
    message: String,
    /// How serious it is.
    severity: SeverityJson,
}

/// How serious a diagnostic is.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum SeverityJson {
    /// The protocol is refused: `sot run`, `sot test` and `sot doc` do not use it.
    Error,
    /// Worth fixing; the protocol still runs.
    Warning,
}

/// The JSON form of one diagnostic in `path` (whose text is `text`, indexed by `index`).
pub fn json(path: &Path, text: &str, index: &LineIndex, d: &Diagnostic) -> DiagnosticJson {
    let start = index.line_column(text, d.primary.span.start as usize);
    let end = index.line_column(text, d.primary.span.end as usize);
    DiagnosticJson {
        code: d.code.as_str().to_string(),
        severity: match d.severity() {
            Severity::Error => SeverityJson::Error,
            Severity::Warning => SeverityJson::Warning,
        },
        message: d.message.clone(),
        file: path.display().to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        label: (!d.primary.message.is_empty()).then(|| d.primary.message.clone()),
        help: d.help.clone(),
    }
}

/// The JSON form of every error of `files` (of those a protocol sees): what `sot test
/// --format json` reports for a protocol it cannot run.
pub fn errors_json(
    db: &sot_compiler::Database,
    files: &[sot_compiler::SourceFile],
) -> Vec<DiagnosticJson> {
    files
        .iter()
        .flat_map(|file| {
            let (path, text) = (file.path(db), file.text(db));
            let index = LineIndex::new(text);
            sot_compiler::file_diagnostics(db, *file)
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .map(|d| json(path, text, &index, d))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A diagnostic about a whole file (at its line 1, column 1): a file that is not protocol
/// text, or case data that cannot be read as such.
pub fn whole_file_json(path: &Path, code: Code, message: &str) -> DiagnosticJson {
    let d = Diagnostic::new(code, sot_grammar::ast::Span::new(0, 0), message.to_string());
    json(path, "", &LineIndex::new(""), &d)
}
