//! A language-server session: documents opened, edited with ranges anywhere (in range
//! or not, in either position encoding), closed (so read back from a disk where they do
//! not exist, as if deleted), and every kind of request at any position in between.
//! Edits go through the server's own `Workspace::change`, requests through the same
//! functions its handlers call.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use plat_compiler::span::TextRange;
use plat_lsp::convert::Encoding;
use plat_lsp::snapshot::Snapshot;
use plat_lsp::workspace::{Document, Workspace};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// A root that does not exist: closing a document reads it back from disk and finds
/// it gone.
const ROOT: &str = "/nonexistent/plat-fuzz";
const DOCUMENTS: u8 = 3;

#[derive(Debug, Arbitrary)]
struct Session {
    utf8: bool,
    steps: Vec<Step>,
}

#[derive(Debug, Arbitrary)]
enum Step {
    Open {
        document: u8,
        text: String,
    },
    Change {
        document: u8,
        changes: Vec<Change>,
    },
    Close {
        document: u8,
    },
    Request {
        document: u8,
        kind: u8,
        at: Spot,
        to: Spot,
    },
    Diagnostics,
}

#[derive(Debug, Arbitrary)]
struct Change {
    range: Option<(Spot, Spot)>,
    text: String,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
struct Spot {
    line: u32,
    character: u32,
}

impl Spot {
    /// Mostly small positions (inside the text), sometimes absurd ones.
    fn position(self) -> Position {
        let wrap = |value: u32| {
            if value > u32::MAX - 4 {
                value
            } else {
                value % 64
            }
        };
        Position::new(wrap(self.line), wrap(self.character))
    }
}

fn uri(document: u8) -> Uri {
    let path = format!("{ROOT}/d{}.plat", document % DOCUMENTS);
    Uri::from_file_path(path).expect("an absolute path")
}

fn open(workspace: &mut Workspace, document: u8, text: String) {
    let uri = uri(document);
    let Some(path) = workspace.paths.path_of(&uri) else {
        return;
    };
    let file = workspace.set_text(&path, text);
    workspace.open.insert(uri, Document { file, version: 0 });
    workspace.revision += 1;
}

fn close(workspace: &mut Workspace, document: u8) {
    let uri = uri(document);
    if workspace.open.remove(&uri).is_some() {
        workspace.reload_from_disk(&uri);
        workspace.revision += 1;
    }
}

fn request(workspace: &Workspace, document: u8, kind: u8, at: Spot, to: Spot) {
    let Some(file) = workspace.file_of(&uri(document)) else {
        return;
    };
    let snapshot = Snapshot::of(workspace);
    let map = snapshot.line_map(file);
    let offset = map.offset(at.position());
    let range: TextRange = map.text_range(Range::new(at.position(), to.position()));
    let s = &snapshot;
    match kind % 14 {
        0 => drop(plat_lsp::hover::hover(s, file, offset)),
        1 => drop(plat_lsp::completion::complete(s, file, offset)),
        2 => drop(plat_lsp::navigation::definition(s, file, offset)),
        3 => drop(plat_lsp::navigation::references(s, file, offset, true)),
        4 => drop(plat_lsp::rename::prepare_rename(s, file, offset)),
        5 => drop(plat_lsp::rename::rename(s, file, offset, "renamed")),
        6 => drop(plat_lsp::navigation::type_definition(s, file, offset)),
        7 => drop(plat_lsp::semantic_tokens::tokens(s, file)),
        8 => drop(plat_lsp::symbols::document_symbols(s, file)),
        9 => drop(plat_lsp::symbols::workspace_symbols(s, "")),
        10 => drop(plat_lsp::inlay::inlay_hints(s, file, range)),
        11 => drop(plat_lsp::actions::code_actions(s, file, range)),
        12 => drop(plat_compiler::format::format_text(file.text(&s.db))),
        _ => drop(map.range(range)),
    }
}

fuzz_target!(|session: Session| {
    let mut workspace = Workspace::default();
    workspace.load(Some(ROOT.into()));
    workspace.encoding = if session.utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    for step in session.steps.into_iter().take(32) {
        match step {
            Step::Open { document, text } => open(&mut workspace, document, text),
            Step::Change { document, changes } => {
                let changes = changes
                    .into_iter()
                    .map(|change| TextDocumentContentChangeEvent {
                        range: change
                            .range
                            .map(|(a, b)| Range::new(a.position(), b.position())),
                        range_length: None,
                        text: change.text,
                    })
                    .collect();
                workspace.change(&uri(document), 1, changes);
            }
            Step::Close { document } => close(&mut workspace, document),
            Step::Request {
                document,
                kind,
                at,
                to,
            } => request(&workspace, document, kind, at, to),
            Step::Diagnostics => drop(plat_lsp::diagnostics::project_diagnostics(&Snapshot::of(
                &workspace,
            ))),
        }
    }
});
