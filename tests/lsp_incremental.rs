//! Incremental equals from scratch: random edit sequences applied to the shop example
//! through `plat lsp` (incremental `didChange`s on one salsa database) publish, after
//! every step and for every file, exactly the diagnostics that a fresh database computes
//! for the same texts.
//!
//! The fresh side is in-process: the texts are written to the server's own root (the
//! server never reads a file that is open, and is sent no file events), then loaded into
//! a new `Workspace` (a new `Database`, `project::load` as `plat check` does) and
//! converted by the same code the server publishes with, so the comparison is of the
//! incremental computation, not of two renderings.
//!
//! Each step edits one file (insert a snippet from a small vocabulary, some of which
//! break the syntax, or delete a range) at a random offset, then sends every other file
//! an empty change with the same new version: every published list with that version
//! was computed on the final texts, so the test waits for one per file.

#[path = "lsp/client.rs"]
mod client;

use std::path::{Path, PathBuf};

use client::{Client, uri};
use plat_lsp::snapshot::Snapshot;
use plat_lsp::workspace::Workspace;
use proptest::prelude::*;
use serde_json::{Value, json};

const VOCABULARY: &[&str] = &[
    "{",
    "}",
    "\"",
    "db.hots",
    " = ",
    "\n",
    "workload x {",
    "container c { image = \"a\" }\n",
    "é😀",
    "import std.redis\n",
    "cpu = 1\n",
    "// ",
    "/*",
    "param p: int\n",
    "${",
    "payments-api",
    "use postgres.aws\n",
    "shared = shared_db",
    "cache: redis {}\n",
    "replicas = \"two\"\n",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert {
        file: usize,
        at: f64,
        snippet: usize,
    },
    Delete {
        file: usize,
        at: f64,
        len: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0.0..1.0f64, 0..VOCABULARY.len())
            .prop_map(|(file, at, snippet)| Edit::Insert { file, at, snippet }),
        (any::<usize>(), 0.0..1.0f64, 1..24usize).prop_map(|(file, at, len)| Edit::Delete {
            file,
            at,
            len
        }),
    ]
}

/// The shop's `.plat` files, relative to its root, sorted.
fn shop_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["platform", "workloads"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "plat") {
                files.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

fn copy_shop(to: &Path) {
    let shop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/shop");
    std::fs::copy(shop.join("plat.toml"), to.join("plat.toml")).unwrap();
    for file in shop_files(&shop) {
        std::fs::create_dir_all(to.join(file.parent().unwrap())).unwrap();
        std::fs::copy(shop.join(&file), to.join(&file)).unwrap();
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The LSP (UTF-16) position of a byte offset.
fn position(text: &str, at: usize) -> Value {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": before.matches('\n').count(), "character": character })
}

/// Applies `edit` to `texts`: the file, the byte range replaced and the new text.
fn apply(texts: &mut [String], edit: &Edit) -> (usize, usize, usize, String) {
    let (file, start, end, new) = match *edit {
        Edit::Insert { file, at, snippet } => {
            let file = file % texts.len();
            let start = floor(&texts[file], (at * texts[file].len() as f64) as usize);
            (file, start, start, VOCABULARY[snippet].to_string())
        }
        Edit::Delete { file, at, len } => {
            let file = file % texts.len();
            let text = &texts[file];
            let start = floor(text, (at * text.len() as f64) as usize);
            (file, start, floor(text, start + len), String::new())
        }
    };
    (file, start, end, new)
}

/// The diagnostics of a fresh database over the files under `root`, by URI.
fn from_scratch(root: &Path) -> Value {
    let mut workspace = Workspace::default();
    workspace.load(Some(root.to_path_buf()));
    // The standard library where the server under test writes it (tests/lsp/client.rs).
    workspace.paths.std_dir =
        plat_lsp::stdlib_files::materialize_in(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let snapshot = Snapshot::of(&workspace);
    serde_json::to_value(plat_lsp::diagnostics::project_diagnostics(&snapshot)).unwrap()
}

fn run(edits: &[Edit]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_shop(&root);
    let files = shop_files(&root);
    let uris: Vec<String> = files.iter().map(|f| uri(&root.join(f))).collect();
    let mut texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).unwrap())
        .collect();
    let mut client = Client::start();
    client.initialize(&uri(&root), json!({}));
    for (uri, text) in uris.iter().zip(&texts) {
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "plat", "version": 0, "text": text } }),
        );
    }
    for (step, edit) in edits.iter().enumerate() {
        let version = step as i64 + 1;
        let (file, start, end, new) = apply(&mut texts, edit);
        let range =
            json!({ "start": position(&texts[file], start), "end": position(&texts[file], end) });
        texts[file].replace_range(start..end, &new);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uris[file], "version": version }, "contentChanges": [{ "range": range, "text": new }] }),
        );
        for uri in &uris {
            client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [] }),
            );
        }
        std::fs::write(root.join(&files[file]), &texts[file]).unwrap();
        let expected = from_scratch(&root);
        for uri in &uris {
            let published = Value::Array(client.diagnostics(uri, version));
            let wanted = expected.get(uri).cloned().unwrap_or(json!([]));
            prop_assert_eq!(
                &published,
                &wanted,
                "step {} ({:?}) in {}:\n{}",
                step,
                edit,
                uri,
                texts[file]
            );
        }
    }
    prop_assert!(client.shutdown().success());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_diagnostics_equal_a_fresh_check(edits in prop::collection::vec(edit(), 1..=8)) {
        run(&edits)?;
    }
}
