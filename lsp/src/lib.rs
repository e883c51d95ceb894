//! `sot lsp`: the language server, on the compiler's salsa database.
//!
//! One writer applies edits in order (a document's versions only go forward); every request
//! runs on a clone of the database in a blocking task. When an edit arrives while a request
//! runs, salsa cancels the request, which answers `ContentModified`; a feature that fails
//! answers an internal error. Nothing a client sends brings the server down.
//!
//! An edit must never wait behind a long request: the writer's `set_file` waits until every
//! clone of the database is dropped, so whole-file features poll salsa's cancellation per
//! item (a request observes the edit within one item's work and lets go); requests hold the
//! state's lock only to clone it; and [`serve`] runs each request in a task of its own (its
//! answer turned into JSON there), so requests in flight never keep a `didChange` from
//! being read nor its diagnostics from being written.
//!
//! This file holds the server's state and wiring; each feature is a module named after it
//! (`hover`, `signature`, `definition`, `references`, `highlight`, `calls`, `rename`,
//! `completion`, `symbols`, `folding`, `selection`, `formatting`, `tokens`, `inlay`,
//! `actions`, `declare`, `lens`, `impact`, `diagnostics`, `pull`, `expectations`), with what they share
//! in `analysis`; what the server offers is in `capabilities`, how edits apply in `changes`;
//! the files of the workspace folders come from disk (`workspace`), and an open document's
//! text wins.

mod actions;
pub mod analysis;
mod background;
mod calls;
mod capabilities;
mod case_for_rule;
mod changes;
mod completion;
mod declare;
mod definition;
mod diagnostics;
mod disk;
mod expectations;
mod folding;
mod formatting;
mod highlight;
mod hover;
mod impact;
mod inlay;
mod lens;
mod name_index;
mod pull;
mod references;
mod rename;
mod selection;
mod serve;
mod signature;
mod symbols;
mod tokens;
mod transport;
mod whole_file;
mod workspace;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use sot_compiler::{
    file_line_index, normalize, visible_files, Database, Encoding, LineIndex, SourceFile,
};
use tokio::sync::Mutex;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

use changes::{apply_edits, Change};

/// How long typing must pause before the static analyses run.
const ANALYSIS_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

pub use serve::{serve, serve_stdio, Ended};

/// The server as a tower `Service`, and the socket of its messages to the client.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(Backend::new)
        .custom_method(transport::MALFORMED, Backend::malformed)
        .finish()
}

/// The open documents and the database.
struct State {
    db: Database,
    /// Open documents: their file and last version.
    docs: HashMap<Uri, (SourceFile, i32)>,
    encoding: Encoding,
    /// Whether the client shows Markdown in hovers (else plain text).
    markdown_hover: bool,
    /// Whether the client shows a code action as disabled, with the reason.
    disabled_actions: bool,
    /// The workspace folders (see `workspace::roots`).
    roots: Vec<PathBuf>,
    /// The project of each loaded file: where its `use`s may read (see
    /// `workspace::load_uses`).
    projects: HashMap<PathBuf, sot_files::Project>,
    /// Whether the client watches files for us (dynamic `didChangeWatchedFiles`).
    watches: bool,
    /// Whether the client asks again for pulled diagnostics and inlay hints when told to
    /// (`workspace/diagnostic/refresh`, `workspace/inlayHint/refresh`).
    refresh: Refresh,
    /// `false` while the workspace scan runs; rename and references wait for `true`.
    scanned: tokio::sync::watch::Sender<bool>,
    /// The edit lenses of each open document (see `impact`), with the version they are of.
    impact: HashMap<Uri, (i32, Vec<CodeLens>)>,
    /// Whether the client can be asked to fetch code lenses again.
    lens_refresh: bool,
}

impl State {
    /// Loads from disk what the loaded files `use` (see `workspace::load_uses`); `skipped`
    /// says what could not be read.
    fn load_uses(&mut self, skipped: &mut Vec<String>) {
        workspace::load_uses(&mut self.db, &self.roots, &mut self.projects, skipped);
    }

    /// Whether the file at `path` is an open document (its text then wins over the disk's).
    fn is_open(&self, path: &std::path::Path) -> bool {
        let path = normalize(path);
        self.docs.values().any(|(f, _)| *f.path(&self.db) == path)
    }
}

/// Which refresh requests the client supports.
#[derive(Clone, Copy, Default)]
struct Refresh {
    diagnostics: bool,
    inlay_hints: bool,
}

/// The server (a clone shares its state: for work that goes on in the background).
#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// The semantic tokens last sent for each document, for `full/delta`.
    sent_tokens: Arc<SentTokens>,
    /// The databases of the edit lens (see `impact`).
    mirrors: Arc<std::sync::Mutex<impact::Mirrors>>,
}

/// The semantic tokens last sent for each document (the last [`SENT_KEPT`]: answers cross
/// the next request on the wire): result ids and tokens. A lock of its own (held for a
/// comparison, never across a request), not the state's.
type SentTokens =
    std::sync::Mutex<HashMap<Uri, std::collections::VecDeque<(String, Vec<SemanticToken>)>>>;

/// How many semantic tokens results are kept per document for `full/delta`.
pub(crate) const SENT_KEPT: usize = 3;

/// The source of semantic tokens result ids.
pub(crate) static RESULT_IDS: AtomicU64 = AtomicU64::new(1);

/// What a request needs: a database clone, the open documents, the encoding.
pub(crate) struct Snapshot {
    pub(crate) db: Database,
    docs: HashMap<Uri, (SourceFile, i32)>,
    pub(crate) encoding: Encoding,
    /// Whether the client shows Markdown in hovers (else plain text).
    pub(crate) markdown_hover: bool,
    /// Whether the client shows a code action as disabled, with the reason.
    pub(crate) disabled_actions: bool,
}

impl Snapshot {
    /// The file of an open document.
    pub(crate) fn file(&self, uri: &Uri) -> Option<SourceFile> {
        self.docs.get(uri).map(|(f, _)| *f)
    }

    /// The version of an open document.
    pub(crate) fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.get(uri).map(|(_, v)| *v)
    }

    /// The URI of a file: the open document's, or the file's path.
    pub(crate) fn uri(&self, file: SourceFile) -> Option<Uri> {
        self.docs
            .iter()
            .find(|(_, (f, _))| *f == file)
            .map(|(u, _)| u.clone())
            .or_else(|| Uri::from_file_path(file.path(&self.db)))
    }

    /// The line index of a file's text (built once per version of the text).
    pub(crate) fn index(&self, file: SourceFile) -> &LineIndex {
        file_line_index(&self.db, file)
    }
}

/// A query's answer: its value; cancelled (a newer edit) → ContentModified; a panic (`None`)
/// → an internal error.
fn answer<T>(result: Option<std::result::Result<T, salsa::Cancelled>>) -> Result<T> {
    match result {
        Some(Ok(value)) => Ok(value),
        Some(Err(_cancelled)) => Err(content_modified()),
        None => Err(Error::internal_error()),
    }
}

fn content_modified() -> Error {
    Error {
        code: ErrorCode::ContentModified,
        message: "the document changed; ask again".into(),
        data: None,
    }
}

/// The path a document is known by: its file path, or a made-up one for other URIs.
fn doc_path(uri: &Uri) -> PathBuf {
    match uri.to_file_path() {
        Some(p) => p.into_owned(),
        None => PathBuf::from(format!(
            "/untitled/{}",
            uri.as_str().replace(['/', ':'], "_")
        )),
    }
}

impl Backend {
    /// The answer to a message that could not be read (see `transport`).
    async fn malformed(&self, _params: serde_json::Value) -> Result<()> {
        Err(Error::parse_error())
    }

    /// A server talking to `client`.
    pub fn new(client: Client) -> Self {
        Backend {
            client,
            state: Arc::new(Mutex::new(State {
                db: Database::default(),
                docs: HashMap::new(),
                encoding: Encoding::Utf16,
                markdown_hover: true,
                disabled_actions: false,
                roots: Vec::new(),
                projects: HashMap::new(),
                watches: false,
                refresh: Refresh::default(),
                scanned: tokio::sync::watch::Sender::new(true),
                impact: HashMap::new(),
                lens_refresh: false,
            })),
            sent_tokens: Arc::default(),
            mirrors: Arc::default(),
        }
    }

    /// The version of every open document.
    async fn versions(&self) -> Vec<(Uri, i32)> {
        let state = self.state.lock().await;
        let mut versions: Vec<(Uri, i32)> = state
            .docs
            .iter()
            .map(|(u, (_, v))| (u.clone(), *v))
            .collect();
        versions.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        versions
    }

    async fn snapshot(&self) -> Snapshot {
        let state = self.state.lock().await;
        Snapshot {
            db: state.db.clone(),
            docs: state.docs.clone(),
            encoding: state.encoding,
            markdown_hover: state.markdown_hover,
            disabled_actions: state.disabled_actions,
        }
    }

    /// Runs `f` on a snapshot in a blocking task: cancelled → ContentModified, a panic → an
    /// internal error; never a crash.
    async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Snapshot) -> T + Send + 'static,
    ) -> Result<T> {
        let snapshot = self.snapshot().await;
        let result = tokio::task::spawn_blocking(move || {
            salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| f(&snapshot)))
        })
        .await;
        answer(result.ok())
    }

    /// [`Self::query`] on the background thread (lower priority: the whole-file requests
    /// editors send after every change wait for the diagnostics of the next edit).
    async fn background_query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Snapshot) -> T + Send + 'static,
    ) -> Result<T> {
        let snapshot = self.snapshot().await;
        let result = background::run(move || {
            salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| f(&snapshot)))
        })
        .await;
        answer(result)
    }

    /// Applies a document's changes (if newer), loads what it uses, and publishes the
    /// diagnostics of every open document that sees it.
    async fn update(&self, uri: Uri, version: i32, change: Change) {
        let state = self.state.clone().lock_owned().await;
        let applied = tokio::task::spawn_blocking(move || {
            let mut state = state;
            if state.docs.get(&uri).is_some_and(|(_, v)| *v > version) {
                return None;
            }
            let opened = matches!(change, Change::Open(_));
            let text = match change {
                Change::Open(text) => text,
                Change::Edits(edits) => {
                    let current = state.docs.get(&uri).map(|(f, _)| *f);
                    let text = current.map(|f| f.text(&state.db).clone());
                    // The current text's index (cached) serves the first ranged edit.
                    let ranged = edits.first().is_some_and(|e| e.range.is_some());
                    let index = current
                        .filter(|_| ranged)
                        .map(|f| file_line_index(&state.db, f));
                    apply_edits(text.unwrap_or_default(), index, edits, state.encoding)
                }
            };
            let file = state.db.set_file(&doc_path(&uri), text);
            if opened {
                // A whole file to read: its items are parsed on every core first.
                sot_compiler::parse_in_parallel(&state.db, file);
            }
            state.docs.insert(uri, (file, version));
            // What the documents `use` comes from disk; a file that cannot be read stays
            // missing (E0103 in the document that uses it).
            state.load_uses(&mut Vec::new());
            Some(file)
        })
        .await;
        if let Ok(Some(changed)) = applied {
            self.publish(Some(changed)).await;
        }
    }

    /// Publishes the diagnostics of the open documents that see `changed`: first the
    /// checker's (incremental, fast), then, in the background once typing pauses, with the
    /// static analyses (they lower the whole program; an edit meanwhile cancels them between
    /// two of their questions, and they run again when typing pauses again).
    /// `None`: every open document.
    async fn publish(&self, changed: Option<SourceFile>) {
        if !self.publish_phase(changed, false).await {
            return;
        }
        let background = self.clone();
        tokio::spawn(async move {
            let before = background.versions().await;
            tokio::time::sleep(ANALYSIS_DELAY).await;
            if background.versions().await == before
                && background.publish_phase(changed, true).await
            {
                background.publish_impact().await;
            }
        });
    }

    /// One round of publishing; `false` when a newer edit cancelled it.
    async fn publish_phase(&self, changed: Option<SourceFile>, with_analyses: bool) -> bool {
        let result = self
            .query(move |s| {
                s.docs
                    .iter()
                    .filter(|(_, (f, _))| {
                        changed.is_none_or(|c| *f == c || visible_files(&s.db, *f).contains(&c))
                    })
                    .map(|(uri, (f, version))| {
                        let found = diagnostics::diagnostics(&s.db, *f, s.encoding, with_analyses);
                        (uri.clone(), found, *version)
                    })
                    .collect::<Vec<_>>()
            })
            .await;
        let Ok(all) = result else { return false };
        for (uri, diagnostics, version) in all {
            self.client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
        if with_analyses {
            // Clients that pull ask again: files not open may have changed too, and the
            // inlay hints follow the protocol. In a task of its own: the answers come later.
            let refresh = self.state.lock().await.refresh;
            let client = self.client.clone();
            tokio::spawn(async move {
                if refresh.diagnostics {
                    let _ = client.workspace_diagnostic_refresh().await;
                }
                if refresh.inlay_hints {
                    let _ = client.inlay_hint_refresh().await;
                }
            });
        }
        true
    }
}

/// The byte offset of an LSP position in the text `index` was built from (clamped).
pub(crate) fn offset(index: &LineIndex, pos: Position, encoding: Encoding) -> usize {
    index.offset(pos.line as usize, pos.character as usize, encoding)
}

/// The LSP position of a byte offset in the text `index` was built from (clamped).
pub(crate) fn position(index: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let (line, character) = index.position(offset, encoding);
    Position {
        line: line as u32,
        character: character as u32,
    }
}

/// The LSP range of a byte span.
pub(crate) fn range(index: &LineIndex, start: usize, end: usize, encoding: Encoding) -> Range {
    Range {
        start: position(index, start, encoding),
        end: position(index, end, encoding),
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        // The client's first preferred hover format decides; a client that names none gets
        // Markdown, as the specification's default.
        let markdown_hover = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .and_then(|formats| formats.first())
            .is_none_or(|f| *f == MarkupKind::Markdown);
        let watches = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let workspace = params.capabilities.workspace.as_ref();
        let refresh = Refresh {
            diagnostics: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hints: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
        };
        {
            let mut state = self.state.lock().await;
            state.refresh = refresh;
            state.encoding = encoding;
            state.markdown_hover = markdown_hover;
            state.disabled_actions = params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.disabled_support)
                .unwrap_or(false);
            state.roots = workspace::roots(&params);
            state.watches = watches;
            state.lens_refresh = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false);
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "sot".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: capabilities::capabilities(utf8),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _params: InitializedParams) {
        let (scan, watches) = {
            let state = self.state.lock().await;
            let scan = !state.roots.is_empty();
            if scan {
                // Before this returns: a rename from now on waits for the scan.
                state.scanned.send_replace(false);
            }
            (scan, state.watches)
        };
        if watches {
            self.watch();
        }
        if scan {
            let background = self.clone();
            tokio::spawn(async move { background.scan().await });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.update(doc.uri, doc.version, Change::Open(doc.text))
            .await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.update(
            params.text_document.uri,
            params.text_document.version,
            Change::Edits(params.content_changes),
        )
        .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.sent_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&uri);
        let closed = {
            let mut state = self.state.lock().await;
            let closed = state.docs.remove(&uri);
            closed.map(|(f, _)| f.path(&state.db).clone())
        };
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
        // The file falls back to its text on disk (or leaves the database when there is none),
        // and the open documents that use it see that.
        if let Some(path) = closed {
            self.reload(vec![(path, false)]).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = self.state.lock().await.docs.get(&uri).map(|(_, v)| *v);
        if let (Some(text), Some(version)) = (params.text, version) {
            let whole = TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text,
            };
            self.update(uri, version, Change::Edits(vec![whole])).await;
        }
        // A client that does not watch files: a save is when other files may have changed
        // on disk too (written by the same editor), so the workspace is read again.
        if !self.state.lock().await.watches {
            let background = self.clone();
            tokio::spawn(async move { background.scan().await });
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths = params
            .changes
            .into_iter()
            .filter_map(|event| {
                let path = event.uri.to_file_path()?.into_owned();
                Some((path, event.typ == FileChangeType::DELETED))
            })
            .collect();
        self.reload(paths).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.query(move |s| hover::hover(s, p)).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.query(move |s| definition::definition(s, p)).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.query(move |s| definition::document_links(s, params))
            .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.scanned().await;
        self.query(move |s| references::references(s, params)).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        rename::check_name(&params.new_name)?;
        self.scanned().await;
        let p = params.text_document_position;
        let new_name = params.new_name;
        self.query(move |s| rename::rename(s, p, new_name)).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.query(move |s| rename::prepare(s, params)).await?
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.query(move |s| completion::completion(s, p)).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.background_query(move |s| symbols::document_symbols(s, params))
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.query(move |s| symbols::workspace_symbols(s, params))
            .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.query(move |s| folding::folding_ranges(s, &params.text_document.uri))
            .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.query(move |s| {
            selection::selection_ranges(s, &params.text_document.uri, params.positions)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.query(move |s| highlight::document_highlights(s, p))
            .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let p = params.text_document_position_params;
        self.query(move |s| signature::signature_help(s, p)).await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        let p = params.text_document_position_params;
        self.query(move |s| calls::prepare(s, p)).await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        self.scanned().await;
        self.query(move |s| calls::incoming(s, params.item)).await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        self.scanned().await;
        self.query(move |s| calls::outgoing(s, params.item)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.query(move |s| inlay::inlay_hints(s, &params.text_document.uri, params.range))
            .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.query(move |s| pull::document(s, params)).await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.scanned().await;
        self.query(move |s| pull::workspace(s, params)).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.query(move |s| formatting::formatting(s, params)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let result = self
            .semantic_tokens(params.text_document.uri, None, None)
            .await?;
        Ok(result.map(|r| match r {
            SemanticTokensFullDeltaResult::Tokens(t) => SemanticTokensResult::Tokens(t),
            // Without a previous result id there is no delta.
            _ => SemanticTokensResult::Tokens(SemanticTokens::default()),
        }))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let previous = Some(params.previous_result_id);
        self.semantic_tokens(params.text_document.uri, None, previous)
            .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let result = self
            .semantic_tokens(params.text_document.uri, Some(params.range), None)
            .await?;
        Ok(result.map(|r| match r {
            SemanticTokensFullDeltaResult::Tokens(t) => SemanticTokensRangeResult::Tokens(t),
            _ => SemanticTokensRangeResult::Tokens(SemanticTokens::default()),
        }))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.query(move |s| actions::code_actions(s, params)).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let edit = {
            let state = self.state.lock().await;
            let version = state.docs.get(&uri).map(|(_, v)| *v);
            state
                .impact
                .get(&uri)
                .filter(|(v, _)| Some(*v) == version)
                .map(|(_, lenses)| lenses.clone())
                .unwrap_or_default()
        };
        self.query(move |s| {
            let file = s.file(&uri)?;
            let mut lenses = edit;
            lenses.extend(lens::code_lenses(&s.db, file, s.encoding));
            Some(lenses)
        })
        .await
    }
}
