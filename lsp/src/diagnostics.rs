//! Diagnostics: the checker's (and, once typing pauses, the static analyses' and the failing
//! `expect` lines', T0001) in LSP form.
//!
//! A client that pulls diagnostics (it declares `textDocument.diagnostic`) gets each one
//! once: the checker's when it pulls (fast: incremental), the analyses' pushed once typing
//! pauses (they lower the whole program). Pushing the checker's too would show them twice:
//! Neovim and VS Code keep pulled and pushed diagnostics apart. A client that only listens
//! gets them all pushed, in two rounds.

use sot_compiler::{
    all_diagnostics, file_analyses, file_line_index, Database, Encoding, Severity, SourceFile,
};
use tower_lsp_server::ls_types::*;

use crate::range;

/// Which of a file's diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Part {
    /// The checker's.
    Checker,
    /// The static analyses' and the failing `expect` lines'.
    Analyses,
    /// Both.
    All,
}

/// A file's diagnostics in LSP form: the checker's, the analyses' and failing `expect`
/// lines', or both.
pub(crate) fn diagnostics(
    db: &Database,
    file: SourceFile,
    encoding: Encoding,
    part: Part,
) -> Vec<Diagnostic> {
    let index = file_line_index(db, file);
    let found = match part {
        Part::Checker => sot_compiler::file_diagnostics(db, file).clone(),
        Part::Analyses | Part::All => {
            let mut found = match part {
                Part::All => all_diagnostics(db, file),
                _ => file_analyses(db, file).clone(),
            };
            found.extend(crate::expectations::failing(db, file));
            found.sort_by_key(|d| (d.primary.span.start, d.code));
            found
        }
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
