//! Diagnostics: the checker's (and, once typing pauses, the static analyses' and the failing
//! `expect` lines', T0001) in LSP form.

use sot_compiler::{all_diagnostics, file_line_index, Database, Encoding, Severity, SourceFile};
use tower_lsp_server::ls_types::*;

use crate::range;

/// A file's diagnostics in LSP form: the checker's, and the analyses' and failing `expect`
/// lines' when asked.
pub(crate) fn diagnostics(
    db: &Database,
    file: SourceFile,
    encoding: Encoding,
    with_analyses: bool,
) -> Vec<Diagnostic> {
    let index = file_line_index(db, file);
    let found = if with_analyses {
        let mut found = all_diagnostics(db, file);
        found.extend(crate::expectations::failing(db, file));
        found.sort_by_key(|d| (d.primary.span.start, d.code));
        found
    } else {
        sot_compiler::file_diagnostics(db, file).clone()
    };
    found
        .iter()
        .map(|d| {
            let r = |span: sot_grammar::ast::Span| {
                range(index, span.start as usize, span.end as usize, encoding)
            };
            let mut message = d.message.clone();
            if !d.primary.message.is_empty() {
                message = format!("{message}: {}", d.primary.message);
            }
            if let Some(help) = &d.help {
                message = format!("{message}\nhelp: {help}");
            }
            let related = Uri::from_file_path(file.path(db)).map(|uri| {
                d.secondary
                    .iter()
                    .map(|l| DiagnosticRelatedInformation {
                        location: Location {
                            uri: uri.clone(),
                            range: r(l.span),
                        },
                        message: l.message.clone(),
                    })
                    .collect::<Vec<_>>()
            });
            Diagnostic {
                range: r(d.primary.span),
                severity: Some(match d.severity() {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.as_str().into())),
                source: Some("sot".into()),
                message,
                related_information: related.filter(|r| !r.is_empty()),
                data: d
                    .help
                    .as_ref()
                    .map(|h| serde_json::Value::String(h.clone())),
                ..Diagnostic::default()
            }
        })
        .collect()
}
