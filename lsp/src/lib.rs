//! `sot lsp`: the language server, on the compiler's salsa database.
//!
//! One writer applies edits in order (a document's versions only go forward); every request
//! runs on a clone of the database in a blocking task. When an edit arrives while a request
//! runs, salsa cancels the request, which answers `ContentModified`; a feature that fails
//! answers an internal error. Nothing a client sends brings the server down.

pub mod analysis;
pub mod position;
mod transport;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use sot_compiler::{all_diagnostics, lower_file, visible_files, Database, Severity, SourceFile};
use sot_grammar::ast::ItemKind;
use tokio::sync::Mutex;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use analysis::{definitions, resolve, DefKind};
use position::{offset, range, Encoding};

/// How long typing must pause before the static analyses run.
const ANALYSIS_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

/// Serves the language server on standard input and output until the client exits.
pub async fn serve_stdio() {
    let (service, socket) = service();
    Server::new(
        transport::sanitize(tokio::io::stdin()),
        tokio::io::stdout(),
        socket,
    )
    .serve(service)
    .await;
}

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
}

/// The server.
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
}

/// What a request needs: a database clone, the open documents, the encoding.
struct Snapshot {
    db: Database,
    docs: HashMap<Uri, (SourceFile, i32)>,
    encoding: Encoding,
}

impl Snapshot {
    fn file(&self, uri: &Uri) -> Option<SourceFile> {
        self.docs.get(uri).map(|(f, _)| *f)
    }

    /// The URI of a file: the open document's, or the file's path.
    fn uri(&self, file: SourceFile) -> Option<Uri> {
        self.docs
            .iter()
            .find(|(_, (f, _))| *f == file)
            .map(|(u, _)| u.clone())
            .or_else(|| Uri::from_file_path(file.path(&self.db)))
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
            })),
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
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_cancelled)) => Err(content_modified()),
            Err(_panic) => Err(Error::internal_error()),
        }
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
                    let current = state.docs.get(&uri).map(|(f, _)| f.text(&state.db));
                    apply_edits(current.cloned().unwrap_or_default(), edits, state.encoding)
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
            state.db.load_uses(|db, path| {
                if let Ok(text) = std::fs::read_to_string(path) {
                    db.set_file(path, text);
                }
            });
            Some(file)
        })
        .await;
        if let Ok(Some(changed)) = applied {
            self.publish(changed).await;
        }
    }

    /// Publishes the diagnostics of the open documents that see `changed`: first the
    /// checker's (incremental, fast), then, in the background once typing pauses, with the
    /// static analyses (they lower the whole program, and cannot be cancelled halfway).
    async fn publish(&self, changed: SourceFile) {
        if !self.publish_phase(changed, false).await {
            return;
        }
        let background = Backend {
            client: self.client.clone(),
            state: self.state.clone(),
        };
        tokio::spawn(async move {
            let before = background.versions().await;
            tokio::time::sleep(ANALYSIS_DELAY).await;
            if background.versions().await == before {
                background.publish_phase(changed, true).await;
            }
        });
    }

    /// One round of publishing; `false` when a newer edit cancelled it.
    async fn publish_phase(&self, changed: SourceFile, with_analyses: bool) -> bool {
        let result = self
            .query(move |s| {
                s.docs
                    .iter()
                    .filter(|(_, (f, _))| {
                        *f == changed || visible_files(&s.db, *f).contains(&changed)
                    })
                    .map(|(uri, (f, version))| {
                        let found = diagnostics(&s.db, *f, s.encoding, with_analyses);
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
        true
    }
}

/// A document's new text: all of it when opened, or the edits of a `didChange`.
enum Change {
    Open(String),
    Edits(Vec<TextDocumentContentChangeEvent>),
}

/// The text after a `didChange`'s edits, in order: one with a range replaces that range
/// (positions clamped to the text, as everywhere), one without replaces the whole text.
fn apply_edits(
    mut text: String,
    edits: Vec<TextDocumentContentChangeEvent>,
    encoding: Encoding,
) -> String {
    for edit in edits {
        match edit.range {
            None => text = edit.text,
            Some(r) => {
                let start = offset(&text, r.start, encoding);
                let end = offset(&text, r.end, encoding).max(start);
                text.replace_range(start..end, &edit.text);
            }
        }
    }
    text
}

/// A file's diagnostics in LSP form: the checker's, and the analyses' when asked.
fn diagnostics(
    db: &Database,
    file: SourceFile,
    encoding: Encoding,
    with_analyses: bool,
) -> Vec<Diagnostic> {
    let text = file.text(db);
    let found = if with_analyses {
        all_diagnostics(db, file)
    } else {
        sot_compiler::file_diagnostics(db, file).clone()
    };
    found
        .iter()
        .map(|d| {
            let r = |span: sot_grammar::ast::Span| {
                range(text, span.start as usize, span.end as usize, encoding)
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

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

/// The semantic token types, in legend order.
const TOKEN_TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PARAMETER,
];

fn symbol_kind(kind: ItemKind) -> SymbolKind {
    match kind {
        ItemKind::Indicator => SymbolKind::VARIABLE,
        ItemKind::Table => SymbolKind::ARRAY,
        ItemKind::Type => SymbolKind::ENUM,
        ItemKind::Adjustment | ItemKind::Rule => SymbolKind::FUNCTION,
        ItemKind::Category => SymbolKind::CLASS,
        ItemKind::Check => SymbolKind::EVENT,
        ItemKind::RedFlag => SymbolKind::CONSTANT,
        ItemKind::Case => SymbolKind::NAMESPACE,
        _ => SymbolKind::OBJECT,
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
        self.state.lock().await.encoding = encoding;
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "sot".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![" ".into(), "(".into(), ".".into()]),
                    ..CompletionOptions::default()
                }),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: SemanticTokensLegend {
                                token_types: TOKEN_TYPES.to_vec(),
                                token_modifiers: Vec::new(),
                            },
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            ..SemanticTokensOptions::default()
                        },
                    ),
                ),
                ..ServerCapabilities::default()
            },
            offset_encoding: None,
        })
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
        self.state
            .lock()
            .await
            .docs
            .remove(&params.text_document.uri);
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.query(move |s| {
            let file = s.file(&p.text_document.uri)?;
            let text = file.text(&s.db);
            let (_, _, word) = analysis::word_at(text, offset(text, p.position, s.encoding))?;
            let defs = definitions(&s.db, file);
            let def = resolve(&defs, word)?;
            let mut value = format!("```sot\n{}\n```", def.signature);
            if let Some(doc) = &def.doc {
                value.push_str("\n\n");
                value.push_str(doc);
            }
            Some(markdown(value))
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.query(move |s| {
            let file = s.file(&p.text_document.uri)?;
            let text = file.text(&s.db);
            let (_, _, word) = analysis::word_at(text, offset(text, p.position, s.encoding))?;
            let defs = definitions(&s.db, file);
            let def = resolve(&defs, word)?;
            let target = def.file.text(&s.db);
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: s.uri(def.file)?,
                range: range(
                    target,
                    def.span.start as usize,
                    def.span.end as usize,
                    s.encoding,
                ),
            }))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        self.query(move |s| {
            let (def, locations) = references(s, &p.text_document.uri, p.position)?;
            Some(
                locations
                    .into_iter()
                    .filter(|(f, span)| {
                        params.context.include_declaration || !(*f == def.0 && span.0 == def.1)
                    })
                    .filter_map(|(f, (start, end))| {
                        Some(Location {
                            uri: s.uri(f)?,
                            range: range(f.text(&s.db), start, end, s.encoding),
                        })
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        if !analysis::valid_name(&params.new_name) {
            return Err(Error::invalid_params(format!(
                "`{}` is not a valid name: use letters, digits and `_`, not starting with a digit, and not a keyword",
                params.new_name
            )));
        }
        let p = params.text_document_position;
        let new_name = params.new_name;
        self.query(move |s| {
            let (_, locations) = references(s, &p.text_document.uri, p.position)?;
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for (f, (start, end)) in locations {
                changes.entry(s.uri(f)?).or_default().push(TextEdit {
                    range: range(f.text(&s.db), start, end, s.encoding),
                    new_text: new_name.clone(),
                });
            }
            Some(WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            })
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.query(move |s| {
            let file = s.file(&p.text_document.uri)?;
            let text = file.text(&s.db);
            let at = offset(text, p.position, s.encoding);
            Some(CompletionResponse::Array(completions(
                &s.db, file, text, at,
            )))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.query(move |s| {
            let file = s.file(&params.text_document.uri)?;
            let text = file.text(&s.db);
            #[allow(deprecated)]
            let symbols = analysis::symbols(&s.db, file)
                .into_iter()
                .map(|(kind, name, span, name_span)| DocumentSymbol {
                    name,
                    detail: Some(kind.keyword().into()),
                    kind: symbol_kind(kind),
                    tags: None,
                    deprecated: None,
                    range: range(text, span.start as usize, span.end as usize, s.encoding),
                    selection_range: range(
                        text,
                        name_span.start as usize,
                        name_span.end as usize,
                        s.encoding,
                    ),
                    children: None,
                })
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.query(move |s| {
            let query = params.query.to_lowercase();
            let mut out = Vec::new();
            for file in s.db.workspace().files(&s.db).values() {
                let Some(uri) = s.uri(*file) else { continue };
                let text = file.text(&s.db);
                for (kind, name, _, name_span) in analysis::symbols(&s.db, *file) {
                    if name.to_lowercase().contains(&query) {
                        #[allow(deprecated)]
                        out.push(SymbolInformation {
                            name,
                            kind: symbol_kind(kind),
                            tags: None,
                            deprecated: None,
                            location: Location {
                                uri: uri.clone(),
                                range: range(
                                    text,
                                    name_span.start as usize,
                                    name_span.end as usize,
                                    s.encoding,
                                ),
                            },
                            container_name: None,
                        });
                    }
                }
            }
            Some(WorkspaceSymbolResponse::Flat(out))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.query(move |s| {
            let file = s.file(&params.text_document.uri)?;
            let text = file.text(&s.db);
            let formatted = sot_grammar::format_file(text).ok()?;
            if formatted == *text {
                return Some(Vec::new());
            }
            Some(vec![TextEdit {
                range: range(text, 0, text.len(), s.encoding),
                new_text: formatted,
            }])
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.query(move |s| {
            let file = s.file(&params.text_document.uri)?;
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data: semantic_tokens(&s.db, file, s.encoding),
            }))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.query(move |s| {
            let file = s.file(&params.text_document.uri)?;
            Some(code_actions(
                s,
                file,
                &params.text_document.uri,
                params.range,
            ))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.query(move |s| {
            let file = s.file(&params.text_document.uri)?;
            Some(code_lenses(&s.db, file, s.encoding))
        })
        .await
    }
}

/// The definition under the cursor, `(file, start)`, and every occurrence of it in the files
/// that see its file.
#[allow(clippy::type_complexity)]
fn references(
    s: &Snapshot,
    uri: &Uri,
    pos: Position,
) -> Option<((SourceFile, usize), Vec<(SourceFile, (usize, usize))>)> {
    let file = s.file(uri)?;
    let text = file.text(&s.db);
    let (_, _, word) = analysis::word_at(text, offset(text, pos, s.encoding))?;
    let defs = definitions(&s.db, file);
    let def = resolve(&defs, word)?;
    let mut out = Vec::new();
    for other in s.db.workspace().files(&s.db).values() {
        if *other != def.file && !visible_files(&s.db, *other).contains(&def.file) {
            continue;
        }
        // Only where the name means this definition (another file may declare its own).
        let other_defs = definitions(&s.db, *other);
        let same = resolve(&other_defs, &def.name)
            .is_some_and(|d| d.file == def.file && d.span == def.span);
        if !same {
            continue;
        }
        for occurrence in analysis::occurrences(other.text(&s.db), &def.name) {
            out.push((*other, occurrence));
        }
    }
    Some(((def.file, def.span.start as usize), out))
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// Completions that know the context: what the line before the cursor says.
fn completions(db: &Database, file: SourceFile, text: &str, at: usize) -> Vec<CompletionItem> {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..at];
    let trimmed = before.trim_start();
    let defs = definitions(db, file);
    let of = |kind: DefKind| -> Vec<CompletionItem> {
        defs.iter()
            .filter(|d| d.kind == kind)
            .map(|d| {
                let mut c = item(
                    &d.name,
                    match kind {
                        DefKind::Indicator => CompletionItemKind::VARIABLE,
                        DefKind::Adjustment | DefKind::Table => CompletionItemKind::FUNCTION,
                        DefKind::EnumValue => CompletionItemKind::ENUM_MEMBER,
                        DefKind::Category => CompletionItemKind::CLASS,
                        _ => CompletionItemKind::REFERENCE,
                    },
                    Some(d.signature.clone()),
                );
                c.documentation = d.doc.clone().map(Documentation::String);
                c
            })
            .collect()
    };
    let keywords = |words: &[&str]| -> Vec<CompletionItem> {
        words
            .iter()
            .map(|w| item(w, CompletionItemKind::KEYWORD, None))
            .collect()
    };
    let last_word = |s: &str| -> String {
        s.trim_end()
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // Inside a call: its parameter names.
    let open = before.rfind('(');
    let close = before.rfind(')');
    if let Some(o) = open.filter(|o| close.is_none_or(|c| c < *o)) {
        let callee = last_word(&before[..o]);
        if let Some(def) = defs.iter().find(|d| d.name == callee) {
            if let Some(params) = def
                .signature
                .split_once('(')
                .and_then(|(_, p)| p.split_once(')'))
                .map(|(p, _)| p)
            {
                let already = &before[o..];
                let mut out: Vec<CompletionItem> = params
                    .split(", ")
                    .filter_map(|p| {
                        p.split_once(':')
                            .map(|(n, t)| (n.trim().to_string(), t.trim().to_string()))
                    })
                    .filter(|(n, _)| !already.contains(&format!("{n}:")))
                    .map(|(n, t)| {
                        let mut c = item(&n, CompletionItemKind::FIELD, Some(t));
                        c.insert_text = Some(format!("{n}: "));
                        c
                    })
                    .collect();
                if already.trim_end().ends_with(':') {
                    out = of(DefKind::EnumValue);
                    out.extend(of(DefKind::Indicator));
                }
                return out;
            }
        }
    }
    // After `==`, `!=` or `in {`: the values of that indicator's type.
    if let Some(op) = [" == ", " != ", "==", "!="]
        .iter()
        .find(|op| trimmed.trim_end().ends_with(op.trim()))
    {
        let lhs = trimmed.trim_end().trim_end_matches(op.trim());
        let subject = last_word(lhs.trim_end_matches(')').split('(').next().unwrap_or(lhs));
        if let Some(def) = defs
            .iter()
            .find(|d| d.name == subject && d.kind == DefKind::Indicator)
        {
            let ty = def.signature.rsplit(": ").next().unwrap_or_default();
            let mut values: Vec<CompletionItem> = match ty.trim_end_matches('?') {
                "bool" => keywords(&["yes", "no"]),
                "Side" => ["left", "right"]
                    .iter()
                    .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None))
                    .collect(),
                named => defs
                    .iter()
                    .filter(|d| {
                        d.kind == DefKind::EnumValue
                            && d.signature.ends_with(&format!("a value of {named}"))
                    })
                    .map(|d| {
                        item(
                            &d.name,
                            CompletionItemKind::ENUM_MEMBER,
                            Some(named.to_string()),
                        )
                    })
                    .collect(),
            };
            if ty.ends_with('?') {
                values.push(item(
                    "none",
                    CompletionItemKind::KEYWORD,
                    Some("examined, negative".into()),
                ));
            }
            return values;
        }
    }
    // After `then`, `given` or `after` (in a check), and after commas on such lines: adjustments.
    let first = trimmed.split_whitespace().next().unwrap_or_default();
    if matches!(first, "then" | "given") && trimmed.len() > first.len()
        || trimmed.starts_with("after ") && !trimmed.contains('{')
    {
        return of(DefKind::Adjustment);
    }
    if first == "expect" {
        let rest = trimmed["expect".len()..].trim_start();
        return match rest.split_whitespace().next() {
            Some("category") if rest.contains(' ') => {
                let mut c = of(DefKind::Category);
                c.extend(keywords(&["none"]));
                c
            }
            Some("adjustment") | Some("no") if rest.contains(' ') => of(DefKind::Adjustment),
            Some("check") if rest.contains(' ') => of(DefKind::Check),
            Some("withheld") if rest.contains(' ') => of(DefKind::Rule),
            Some("red_flag") if rest.contains(' ') => of(DefKind::RedFlag),
            _ => keywords(&[
                "category",
                "ambiguous",
                "provisional",
                "refer",
                "red_flag",
                "adjustment",
                "no adjustment",
                "check",
                "withheld",
            ]),
        };
    }
    if trimmed.starts_with("in category") || trimmed.starts_with("precedence") {
        return of(DefKind::Category);
    }
    // In a condition: indicators, tables, and the words of conditions.
    if matches!(first, "when" | "unless" | "need" | "complete" | "marginal")
        && trimmed.len() > first.len()
    {
        let mut out = of(DefKind::Indicator);
        out.extend(of(DefKind::Table));
        out.extend(keywords(&[
            "and", "or", "not", "any of", "all of", "at least", "none", "yes", "no",
        ]));
        if matches!(first, "need" | "complete" | "marginal") {
            out.extend(keywords(&["before.", "after."]));
        }
        return out;
    }
    // At the start of a line: the clauses and items that can start there.
    if trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        let depth = text[..at]
            .matches('{')
            .count()
            .saturating_sub(text[..at].matches('}').count());
        if depth == 0 {
            let items: Vec<&str> = ItemKind::ALL.iter().map(|k| k.keyword()).collect();
            return keywords(&items);
        }
        let mut out = keywords(&[
            "when",
            "unless",
            "then",
            "in category",
            "for",
            "need",
            "complete",
            "marginal",
            "within visit",
            "across visits",
            "after",
            "refer",
            "visit",
            "findings",
            "given",
            "expect",
        ]);
        out.extend(of(DefKind::Indicator));
        return out;
    }
    let mut out = of(DefKind::Indicator);
    out.extend(of(DefKind::EnumValue));
    out
}

fn semantic_tokens(db: &Database, file: SourceFile, encoding: Encoding) -> Vec<SemanticToken> {
    let text = file.text(db);
    let defs = definitions(db, file);
    let names = analysis::by_name(&defs);
    let mut out = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    for (kind, start, end) in analysis::tokens(text) {
        let word = &text[start..end];
        let token_type = match kind {
            analysis::TokenKind::Comment => 1,
            analysis::TokenKind::String => 2,
            analysis::TokenKind::Number => 3,
            analysis::TokenKind::Punct => continue,
            analysis::TokenKind::Word if analysis::is_keyword(word) => 0,
            analysis::TokenKind::Word if analysis::is_label(text, start, end) => 8,
            analysis::TokenKind::Word if matches!(word, "Side" | "Vertebra" | "Category") => 4,
            analysis::TokenKind::Word => match names.get(word).map(|d| d.kind) {
                Some(DefKind::Indicator) => 6,
                Some(DefKind::EnumValue) => 7,
                Some(DefKind::Type) | Some(DefKind::Category) => 4,
                Some(_) => 5,
                None if word == "left" || word == "right" || sot_compiler::types_vertebra(word) => {
                    7
                }
                None => continue,
            },
        };
        let from = position::position(text, start, encoding);
        let to = position::position(text, end, encoding);
        let length = if to.line == from.line {
            to.character - from.character
        } else {
            continue;
        };
        let delta_line = from.line - last_line;
        let delta_start = if delta_line == 0 {
            from.character - last_start
        } else {
            from.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset: 0,
        });
        last_line = from.line;
        last_start = from.character;
    }
    out
}

fn code_actions(s: &Snapshot, file: SourceFile, uri: &Uri, wanted: Range) -> CodeActionResponse {
    let text = file.text(&s.db);
    let (from, to) = (
        offset(text, wanted.start, s.encoding),
        offset(text, wanted.end, s.encoding),
    );
    let mut out = Vec::new();
    for d in all_diagnostics(&s.db, file) {
        let (start, end) = (d.primary.span.start as usize, d.primary.span.end as usize);
        if end < from || start > to {
            continue;
        }
        let diagnostic_range = range(text, start, end, s.encoding);
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        };
        let action = |title: String, edits: Vec<TextEdit>| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                edit: Some(edit(edits)),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        };
        // Did you mean: replace the name.
        if let Some(suggestion) = d
            .help
            .as_deref()
            .and_then(|h| h.strip_prefix("did you mean `"))
            .and_then(|h| h.strip_suffix("`?"))
        {
            out.push(action(
                format!("Replace with `{suggestion}`"),
                vec![TextEdit {
                    range: diagnostic_range,
                    new_text: suggestion.into(),
                }],
            ));
        }
        match d.code.as_str() {
            "E0304" => {
                if let Some(fix) = narrowing_fix(&s.db, file, start, end) {
                    out.push(action(
                        fix.0,
                        vec![TextEdit {
                            range: range(text, fix.1, fix.2, s.encoding),
                            new_text: fix.3,
                        }],
                    ));
                }
            }
            "E0401" => {
                if let Some((title, at, new_text)) = missing_keys_fix(text, &d.message, end) {
                    let p = position::position(text, at, s.encoding);
                    out.push(action(
                        title,
                        vec![TextEdit {
                            range: Range { start: p, end: p },
                            new_text,
                        }],
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// E0304: adds `x != none and` to the `when` of the rule around the optional value.
fn narrowing_fix(
    db: &Database,
    file: SourceFile,
    start: usize,
    end: usize,
) -> Option<(String, usize, usize, String)> {
    let subject = file.text(db).get(start..end)?.to_string();
    for item in sot_compiler::file_items(db, file) {
        let offset = item.offset(db);
        if start < offset || start > offset + item.text(db).len() {
            continue;
        }
        let parsed = sot_compiler::parse_item(db, *item).item.as_ref()?;
        let sot_grammar::ast::ItemData::Rule(rule) = &parsed.data else {
            return None;
        };
        let when = &rule.when;
        let condition = sot_grammar::format_expr(when);
        let condition = match &when.kind {
            sot_grammar::ast::ExprKind::Logic(sot_grammar::ast::LogicOp::Or, _) => {
                format!("({condition})")
            }
            _ => condition,
        };
        return Some((
            format!("Add `{subject} != none` to `when`"),
            when.span.start as usize + offset,
            when.span.end as usize + offset,
            format!("{subject} != none and {condition}"),
        ));
    }
    None
}

/// E0401: inserts entries for the missing keys (with the first entry's value, to edit).
fn missing_keys_fix(text: &str, message: &str, name_end: usize) -> Option<(String, usize, String)> {
    let keys = message.split(" has no entry for ").nth(1)?;
    let keys = keys.split(" and ").next()?;
    let close = name_end
        + text[name_end..]
            .find("\n}")
            .map(|n| n + 1)
            .or_else(|| text[name_end..].find('}'))?;
    let body = &text[name_end..close];
    let value = body.lines().find_map(|l| {
        l.split_once("=>")
            .map(|(_, v)| v.split("//").next().unwrap_or(v).trim().to_string())
    })?;
    let mut insert = String::new();
    for key in split_keys(keys) {
        insert.push_str(&format!("  {key} => {value}\n"));
    }
    Some(("Add the missing table keys".into(), close, insert))
}

/// `1, (2, left), 3` → `1`, `(2, left)`, `3`.
fn split_keys(keys: &str) -> Vec<String> {
    let (mut out, mut depth, mut current) = (Vec::new(), 0i32, String::new());
    for c in keys.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// A lens above each case visit with what the protocol computes for it.
fn code_lenses(db: &Database, file: SourceFile, encoding: Encoding) -> Vec<CodeLens> {
    let text = file.text(db);
    let Some(program) = lower_file(db, file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for case in &program.cases {
        let states = sot_runtime::visit::evaluate_case(program, case);
        for (visit, state) in case.visits.iter().zip(&states) {
            let Some((_, _, span)) = analysis::visits(db, file)
                .into_iter()
                .find(|(c, n, _)| *c == case.name && *n == visit.number)
            else {
                continue;
            };
            let category = match &state.category {
                sot_runtime::visit::CategoryState::One(c) => {
                    format!("category {}", program.categories[*c as usize].name)
                }
                sot_runtime::visit::CategoryState::Ambiguous(cs) => format!(
                    "ambiguous ({})",
                    cs.iter()
                        .map(|c| program.categories[*c as usize].name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                sot_runtime::visit::CategoryState::None => "no category".into(),
            };
            let provisional = if state.provisional {
                ", provisional"
            } else {
                ""
            };
            let what = if state.referred() {
                "refer, no adjustment".to_string()
            } else if state.recommended.is_empty() {
                "no adjustment".to_string()
            } else {
                state
                    .recommended
                    .iter()
                    .map(|r| sot_runtime::explain::show_call(program, r.adjustment, &r.args))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(CodeLens {
                range: range(text, span.start as usize, span.end as usize, encoding),
                command: Some(Command {
                    title: format!("{category}{provisional} · {what}"),
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
    }
    out
}
