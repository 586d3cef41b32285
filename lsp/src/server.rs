//! The protocol: capabilities, notifications that set inputs, and requests answered on
//! snapshots.
//!
//! Invariants: notifications that change text (`didOpen`, `didChange`, `didClose`,
//! `didChangeWatchedFiles`) write inputs synchronously, before their handler first
//! awaits, so they apply in the order the client sent them. Requests run on a
//! [`Snapshot`] in `spawn_blocking`; a cancelled query answers `ContentModified`.
//! Diagnostics are published only when no edit happened since the snapshot they were
//! computed on, with the document's version.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use plat_compiler::source::SourceFile;
use plat_compiler::span::TextRange;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::Ending;
use crate::convert::Encoding;
use crate::snapshot::Snapshot;
use crate::workspace::{Document, Workspace};

/// Serves the protocol until the client sends `exit` or the input ends; whether the
/// client asked for a shutdown first.
pub async fn serve<I, O>(input: I, output: O) -> Ending
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let shut_down = Arc::new(AtomicBool::new(false));
    let (service, socket) = LspService::new(|client| Backend {
        client,
        state: Arc::new(Mutex::new(Workspace::default())),
        publishing: Arc::new(tokio::sync::Mutex::new(())),
        shut_down: shut_down.clone(),
    });
    Server::new(input, output, socket).serve(service).await;
    if shut_down.load(Ordering::SeqCst) {
        Ending::ShutDown
    } else {
        Ending::Abandoned
    }
}

/// The protocol's error code for a request that was understood but cannot be done.
const REQUEST_FAILED: i64 = -32803;

pub struct Backend {
    client: Client,
    /// Set when the client sends `shutdown`.
    shut_down: Arc<AtomicBool>,
    state: Arc<Mutex<Workspace>>,
    /// Held while checking that diagnostics are current and sending them, so that an
    /// older result can never be sent after a newer one.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

fn lock(state: &Mutex<Workspace>) -> MutexGuard<'_, Workspace> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` on a blocking thread; a salsa cancellation is `ContentModified`, any other
/// panic an internal error (the server keeps running).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let outcome =
        tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(f))).await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) if payload.is::<salsa::Cancelled>() => {
            Err(Error::new(ErrorCode::ContentModified))
        }
        _ => Err(Error::internal_error()),
    }
}

impl Backend {
    /// Answers a request about the document at `uri` and a position in it; a document
    /// the server does not know answers `None`.
    async fn at<T: Send + 'static>(
        &self,
        uri: &Uri,
        position: Position,
        f: impl FnOnce(&Snapshot, SourceFile, u32) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        let (snapshot, file) = {
            let workspace = lock(&self.state);
            let Some(file) = workspace.file_of(uri) else {
                return Ok(None);
            };
            (Snapshot::of(&workspace), file)
        };
        blocking(move || {
            let offset = snapshot.line_map(file).offset(position);
            f(&snapshot, file, offset)
        })
        .await
    }

    /// Answers a request about a range of the document at `uri` (clamped into its text).
    async fn over<T: Send + 'static>(
        &self,
        uri: &Uri,
        range: Range,
        f: impl FnOnce(&Snapshot, SourceFile, TextRange) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        self.at(uri, Position::default(), move |snapshot, file, _| {
            let range = snapshot.line_map(file).text_range(range);
            f(snapshot, file, range)
        })
        .await
    }

    /// Recomputes the project's diagnostics and publishes them if still current.
    fn schedule_diagnostics(&self) {
        let (snapshot, revision) = {
            let workspace = lock(&self.state);
            (Snapshot::of(&workspace), workspace.revision)
        };
        let client = self.client.clone();
        let state = self.state.clone();
        let publishing = self.publishing.clone();
        tokio::spawn(async move {
            let Ok(mut by_uri) =
                blocking(move || crate::diagnostics::project_diagnostics(&snapshot)).await
            else {
                return;
            };
            let _guard = publishing.lock().await;
            let batch: Vec<(Uri, Vec<Diagnostic>, Option<i32>)> = {
                let mut workspace = lock(&state);
                if workspace.revision != revision {
                    return;
                }
                let uris: Vec<Uri> = workspace.open.keys().cloned().collect();
                for uri in uris.into_iter().chain(workspace.published.clone()) {
                    by_uri.entry(uri).or_default();
                }
                workspace.published = by_uri
                    .iter()
                    .filter(|(_, list)| !list.is_empty())
                    .map(|(uri, _)| uri.clone())
                    .collect();
                by_uri
                    .into_iter()
                    .map(|(uri, list)| {
                        let version = workspace.version(&uri);
                        (uri, list, version)
                    })
                    .collect()
            };
            for (uri, list, version) in batch {
                client.publish_diagnostics(uri, list, version).await;
            }
        });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = Encoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        #[allow(deprecated)]
        let root: Option<PathBuf> = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| folder.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()));
        {
            let mut workspace = lock(&self.state);
            workspace.encoding = encoding;
            workspace.load(root);
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                type_definition_provider: Some(TypeDefinitionProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: crate::semantic_tokens::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                inlay_hint_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), ":".into(), " ".into(), "=".into()]),
                    ..Default::default()
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "plat".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            ..Default::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.schedule_diagnostics();
        let client = self.client.clone();
        // Not awaited in the handler: the client answers on the same connection.
        tokio::spawn(async move {
            let registration = Registration {
                id: "plat-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: Some(json!({ "watchers": [
                    { "globPattern": "**/*.plat" },
                    { "globPattern": "**/*.tf" },
                    { "globPattern": "**/plat.modules.lock.json" },
                    { "globPattern": "**/plat.toml" },
                    { "globPattern": "**/plat.lock" },
                ] })),
            };
            let _ = client.register_capability(vec![registration]).await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        {
            let mut workspace = lock(&self.state);
            // A dependency's file is read-only: what the project reads is the package on
            // disk, whatever the editor holds.
            let file = match workspace.package_file(&document.uri) {
                Some(file) => file,
                None => {
                    let Some(path) = workspace.paths.path_of(&document.uri) else {
                        return;
                    };
                    workspace.set_text(&path, document.text)
                }
            };
            workspace.open.insert(
                document.uri,
                Document {
                    file,
                    version: document.version,
                },
            );
            workspace.revision += 1;
        }
        self.schedule_diagnostics();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        {
            let mut workspace = lock(&self.state);
            let document = params.text_document;
            if !workspace.change(&document.uri, document.version, params.content_changes) {
                return;
            }
        }
        self.schedule_diagnostics();
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        self.schedule_diagnostics();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        {
            let mut workspace = lock(&self.state);
            let uri = params.text_document.uri;
            let Some(closed) = workspace.open.remove(&uri) else {
                return;
            };
            // A dependency's file was never edited: it is as it was read.
            if closed.file.origin(&workspace.db) == plat_compiler::source::Origin::Project {
                workspace.reload_from_disk(&uri);
            }
            workspace.revision += 1;
        }
        self.schedule_diagnostics();
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        {
            let mut workspace = lock(&self.state);
            for change in params.changes {
                workspace.reload_from_disk(&change.uri);
            }
        }
        self.schedule_diagnostics();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.at(
            &p.text_document.uri,
            p.position,
            |snapshot, file, offset| {
                let (text, range) = crate::hover::hover(snapshot, file, offset)?;
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: Some(snapshot.line_map(file).range(range)),
                })
            },
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.at(
            &p.text_document.uri,
            p.position,
            |snapshot, file, offset| {
                crate::navigation::definition(snapshot, file, offset)
                    .map(GotoDefinitionResponse::Scalar)
            },
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.at(
            &p.text_document.uri,
            p.position,
            move |snapshot, file, offset| {
                Some(crate::navigation::references(
                    snapshot, file, offset, include,
                ))
            },
        )
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.at(
            &params.text_document.uri,
            params.position,
            |snapshot, file, offset| {
                let range = crate::rename::prepare_rename(snapshot, file, offset)?;
                Some(PrepareRenameResponse::Range(
                    snapshot.line_map(file).range(range),
                ))
            },
        )
        .await
    }

    /// A new name that the compiler refuses is the protocol's "request failed", with
    /// the reason, and no edit.
    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let answer = self
            .at(
                &p.text_document.uri,
                p.position,
                move |snapshot, file, offset| {
                    Some(crate::rename::rename(snapshot, file, offset, &new_name))
                },
            )
            .await?;
        match answer {
            Some(Ok(edit)) => Ok(edit),
            None => Ok(None),
            Some(Err(reason)) => Err(Error {
                code: ErrorCode::ServerError(REQUEST_FAILED),
                message: reason.into(),
                data: None,
            }),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.at(
            &params.text_document.uri,
            Position::default(),
            |snapshot, file, _| {
                Some(DocumentSymbolResponse::Nested(
                    crate::symbols::document_symbols(snapshot, file),
                ))
            },
        )
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let snapshot = Snapshot::of(&lock(&self.state));
        blocking(move || {
            Some(WorkspaceSymbolResponse::Flat(
                crate::symbols::workspace_symbols(&snapshot, &params.query),
            ))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.at(
            &p.text_document.uri,
            p.position,
            |snapshot, file, offset| {
                Some(CompletionResponse::Array(crate::completion::complete(
                    snapshot, file, offset,
                )))
            },
        )
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.at(
            &params.text_document.uri,
            Position::default(),
            |snapshot, file, _| {
                let text = file.text(&snapshot.db);
                let formatted = plat_compiler::format::format_text(text).ok()?;
                if formatted == *text {
                    return Some(Vec::new());
                }
                let map = snapshot.line_map(file);
                let whole = plat_compiler::span::TextRange::new(0, text.len() as u32);
                Some(vec![TextEdit::new(map.range(whole), formatted)])
            },
        )
        .await
    }

    async fn goto_type_definition(
        &self,
        params: request::GotoTypeDefinitionParams,
    ) -> Result<Option<request::GotoTypeDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.at(
            &p.text_document.uri,
            p.position,
            |snapshot, file, offset| {
                crate::navigation::type_definition(snapshot, file, offset)
                    .map(GotoDefinitionResponse::Scalar)
            },
        )
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.at(
            &params.text_document.uri,
            Position::default(),
            |snapshot, file, _| {
                Some(SemanticTokensResult::Tokens(SemanticTokens {
                    result_id: None,
                    data: crate::semantic_tokens::tokens(snapshot, file),
                }))
            },
        )
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.over(
            &params.text_document.uri,
            params.range,
            |snapshot, file, range| Some(crate::actions::code_actions(snapshot, file, range)),
        )
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.over(
            &params.text_document.uri,
            params.range,
            |snapshot, file, range| Some(crate::inlay::inlay_hints(snapshot, file, range)),
        )
        .await
    }
}
