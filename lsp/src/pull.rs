//! Pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`), beside the pushed
//! ones, for clients that prefer asking: the same diagnostics as published once typing
//! pauses (the checker's, the analyses', failing `expect` lines). The workspace report
//! covers every loaded file, open or not, so a file that uses a changed one is reported
//! without being open. A result id is a digest of the diagnostics: asked again with it,
//! an unchanged file answers "unchanged".

use std::hash::{Hash, Hasher};

use sot_compiler::{normalize, SourceFile};
use tower_lsp_server::ls_types::*;

use crate::{diagnostics, doc_path, Snapshot};

/// The diagnostics of one document (open, or loaded from the workspace folders).
pub(crate) fn document(
    s: &Snapshot,
    params: DocumentDiagnosticParams,
) -> DocumentDiagnosticReportResult {
    let uri = params.text_document.uri;
    let items = file_of(s, &uri)
        .map(|file| diagnostics::diagnostics(&s.db, file, s.encoding, true))
        .unwrap_or_default();
    let id = result_id(&items);
    let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
        DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                result_id: id,
            },
        })
    } else {
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(id),
                items,
            },
        })
    };
    DocumentDiagnosticReportResult::Report(report)
}

/// The diagnostics of every loaded file, "unchanged" for those whose result id the client
/// already has. Cancellation is polled per file.
pub(crate) fn workspace(
    s: &Snapshot,
    params: WorkspaceDiagnosticParams,
) -> WorkspaceDiagnosticReportResult {
    let mut files: Vec<(&std::path::PathBuf, &SourceFile)> =
        s.db.workspace().files(&s.db).iter().collect();
    files.sort_by_key(|(path, _)| *path);
    let mut items = Vec::new();
    for (_, file) in files {
        salsa::Database::unwind_if_revision_cancelled(&s.db);
        let Some(uri) = s.uri(*file) else { continue };
        let version = s.version(&uri).map(i64::from);
        let found = diagnostics::diagnostics(&s.db, *file, s.encoding, true);
        let id = result_id(&found);
        let known = params
            .previous_result_ids
            .iter()
            .any(|p| p.uri == uri && p.value == id);
        items.push(if known {
            WorkspaceDocumentDiagnosticReport::Unchanged(
                WorkspaceUnchangedDocumentDiagnosticReport {
                    uri,
                    version,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                },
            )
        } else {
            WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                uri,
                version,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items: found,
                },
            })
        });
    }
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
}

/// The file of a document: open, else loaded from disk under its path.
fn file_of(s: &Snapshot, uri: &Uri) -> Option<SourceFile> {
    s.file(uri).or_else(|| {
        s.db.workspace()
            .files(&s.db)
            .get(&normalize(&doc_path(uri)))
            .copied()
    })
}

/// A digest of a file's diagnostics, as a result id.
fn result_id(items: &[Diagnostic]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    serde_json::to_string(items)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
