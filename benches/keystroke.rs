//! Keystroke-to-diagnostics latency of `plat lsp`, over stdio, in release mode:
//!
//! ```text
//! cargo bench --bench keystroke            # 200 keystrokes per workspace
//! KEYSTROKES=1000 cargo bench --bench keystroke
//! KEYSTROKES=10 WORKLOADS=20 cargo bench --bench keystroke   # a smoke test
//! ```
//!
//! For each workspace the server is started on it, one file is opened, and each
//! keystroke is an incremental `didChange` (typing one character into a string, then
//! deleting it, alternately); the latency is the time from writing the notification to
//! reading the `publishDiagnostics` for that document version. Workspaces: the largest
//! example (`examples/shop`, editing its largest file, `platform/environments.plat`) and
//! the synthetic platform of `benches/synthetic.rs` with `WORKLOADS` workloads (1,000 by
//! default: 1,002 files) and 3 environments, editing a queue worker in its middle.
//! Prints median, p95 and max per workspace.

#[path = "synthetic.rs"]
mod synthetic;

#[path = "../tests/lsp/client.rs"]
#[allow(dead_code)]
mod client;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use client::{Client, uri};
use serde_json::json;

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let keystrokes: usize = std::env::var("KEYSTROKES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let shop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/shop");
    measure(
        "examples/shop (platform/environments.plat)",
        &shop,
        "platform/environments.plat",
        "namespace = \"shop-dev",
        keystrokes,
    );
    let workloads: usize = std::env::var("WORKLOADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let synthetic = tempfile::tempdir().expect("a temporary directory");
    synthetic::write(synthetic.path(), workloads, 3).expect("the synthetic platform");
    // A queue worker in the middle of the project: it binds shared resources and calls
    // an API, so an edit to it touches every layer.
    let edited = format!("workloads/worker-{:05}.plat", (workloads / 2) / 10 * 10 + 3);
    measure(
        &format!("synthetic, {workloads} workloads x 3 environments ({edited})"),
        synthetic.path(),
        &edited,
        "labels = { team = \"team-",
        keystrokes,
    );
}

fn measure(name: &str, root: &Path, file: &str, after: &str, keystrokes: usize) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).expect("the file to edit");
    let at = text.find(after).expect("the place to type") + after.len();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    let mut client = Client::start();
    client.initialize(&uri(root), json!({}));
    let file = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 0, "text": text } }),
    );
    let initial = client.diagnostics(&file, 0);
    assert!(initial.is_empty(), "{name}: {initial:?}");
    let mut latencies = Vec::with_capacity(keystrokes);
    for k in 0..keystrokes {
        let version = k as i64 + 1;
        let (end, typed) = if k % 2 == 0 {
            (column, "x")
        } else {
            (column + 1, "")
        };
        let range = json!({ "start": { "line": line, "character": column }, "end": { "line": line, "character": end } });
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": file, "version": version }, "contentChanges": [{ "range": range, "text": typed }] }),
        );
        client.diagnostics(&file, version);
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: {keystrokes} keystrokes, median {}, p95 {}, max {}",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(pick(1.0))
    );
    client.shutdown();
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}
