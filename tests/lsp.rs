//! Protocol tests: the real `plat lsp` binary over stdio, one feature per test.

#[path = "lsp/client.rs"]
mod client;

use std::path::PathBuf;

use client::{Client, uri};
use serde_json::{Value, json};

fn shop() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/shop")
}

/// The LSP position (ASCII text) of the `nth` occurrence of `needle`, plus `shift`.
fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).expect(needle).0 + shift;
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    json!({ "line": line, "character": column })
}

/// A server on the shop example with `workloads/orders-worker.plat` open (version 1).
fn open_shop() -> (Client, String, String) {
    let mut client = Client::start();
    client.initialize(&uri(&shop()), json!({}));
    let path = shop().join("workloads/orders-worker.plat");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    (client, file, text)
}

fn at(file: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": file }, "position": position })
}

#[test]
fn diagnostics_carry_the_version_and_follow_edits() {
    let (mut client, file, text) = open_shop();
    assert_eq!(client.diagnostics(&file, 1), Vec::<Value>::new());
    let broken = text.replace("${db.host}", "${db.hots}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": broken }] }),
    );
    let diagnostics = client.diagnostics(&file, 2);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert!(diagnostic["message"].as_str().unwrap().contains("hots"));
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("did you mean"),
        "{diagnostic}"
    );
    assert_eq!(diagnostic["source"], "plat");
    assert_eq!(
        diagnostic["range"]["start"],
        position(&broken, "hots", 0, 0)
    );
    // An incremental edit that fixes it.
    let range =
        json!({ "start": position(&broken, "hots", 0, 0), "end": position(&broken, "hots", 0, 4) });
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 3 }, "contentChanges": [{ "range": range, "text": "host" }] }),
    );
    assert_eq!(client.diagnostics(&file, 3), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn positions_are_utf16_on_non_ascii_text_and_utf8_when_offered() {
    let utf8 = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    // `é` is 1 UTF-16 unit and 2 bytes; `😀` is 2 units and 4 bytes.
    for (capabilities, encoding, column) in [(json!({}), "utf-16", 31), (utf8, "utf-8", 34)] {
        let mut client = Client::start();
        let dir = tempfile::tempdir().unwrap();
        let result = client.initialize(&uri(dir.path()), capabilities);
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        let file = uri(&dir.path().join("main.plat"));
        let text = "workload w {\n  labels = { team = \"é😀\", x = nope }\n}\n";
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 7, "text": text } }),
        );
        let diagnostics = client.diagnostics(&file, 7);
        let unknown = diagnostics
            .iter()
            .find(|d| d["code"] == "E0201")
            .expect("E0201");
        assert_eq!(
            unknown["range"]["start"],
            json!({ "line": 1, "character": column })
        );
        assert_eq!(
            unknown["range"]["end"],
            json!({ "line": 1, "character": column + 4 })
        );
        // Hover at a position given in the same encoding lands on the same name.
        let response = client.request_full(
            "textDocument/definition",
            at(&file, json!({ "line": 1, "character": column + 1 })),
        );
        assert!(response.get("error").is_none());
        assert!(client.shutdown().success());
    }
}

#[test]
fn hover_shows_the_offering_api_and_field_docs() {
    let (mut client, file, text) = open_shop();
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(&text, "db: postgres", 0, 5)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("offering postgres"), "{value}");
    assert!(value.contains("output host"), "{value}");
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(&text, "replicas", 0, 2)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("replicas"), "{value}");
    // Nothing to say on a keyword; out-of-range positions are not an error.
    let hover = client.request(
        "textDocument/hover",
        at(&file, json!({ "line": 9999, "character": 9999 })),
    );
    assert!(hover.is_null());
}

#[test]
fn definition_and_references_cross_files() {
    let (mut client, file, text) = open_shop();
    let target = client.request(
        "textDocument/definition",
        at(&file, position(&text, "payments-api", 0, 3)),
    );
    assert!(
        target["uri"]
            .as_str()
            .unwrap()
            .ends_with("workloads/payments-api.plat"),
        "{target}"
    );
    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": file }, "position": position(&text, "payments-api", 0, 3), "context": { "includeDeclaration": true } }),
    );
    let uris: Vec<&str> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with("checkout-api.plat")),
        "{uris:?}"
    );
    assert!(
        uris.iter().any(|u| u.ends_with("payments-api.plat")),
        "{uris:?}"
    );
    assert!(
        uris.iter()
            .filter(|u| u.ends_with("orders-worker.plat"))
            .count()
            >= 2,
        "{uris:?}"
    );
}

#[test]
fn rename_edits_every_file() {
    let (mut client, file, text) = open_shop();
    let prepared = client.request(
        "textDocument/prepareRename",
        at(&file, position(&text, "payments-api", 0, 3)),
    );
    assert_eq!(prepared["start"], position(&text, "payments-api", 0, 0));
    let mut params = at(&file, position(&text, "payments-api", 0, 3));
    params["newName"] = json!("billing-api");
    let edit = client.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().unwrap();
    assert!(changes.keys().any(|u| u.ends_with("payments-api.plat")));
    assert!(changes.keys().any(|u| u.ends_with("checkout-api.plat")));
}

#[test]
fn completion_in_context() {
    let (mut client, file, text) = open_shop();
    let labels = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // After `db.`: the outputs of postgres.
    let result = client.request(
        "textDocument/completion",
        at(&file, position(&text, "${db.host}", 0, 5)),
    );
    assert!(labels(&result).contains(&"host".to_string()), "{result}");
    // After `db: `: offerings.
    let result = client.request(
        "textDocument/completion",
        at(&file, position(&text, "db: postgres", 0, 4)),
    );
    assert!(
        labels(&result).contains(&"postgres".to_string()),
        "{result}"
    );
    // At the start of a line in a container: its fields, with types and docs.
    let result = client.request(
        "textDocument/completion",
        at(&file, position(&text, "    cpu = ", 0, 4)),
    );
    let fields = labels(&result);
    assert!(
        fields.contains(&"readiness".to_string())
            || fields.contains(&"liveness".to_string())
            || fields.len() > 3,
        "{fields:?}"
    );
    assert!(
        !fields.contains(&"image".to_string()),
        "already set: {fields:?}"
    );
    // After `override `: environments.
    let result = client.request(
        "textDocument/completion",
        at(&file, position(&text, "override production", 0, 9)),
    );
    assert!(
        labels(&result).contains(&"production".to_string()),
        "{result}"
    );
}

#[test]
fn document_and_workspace_symbols() {
    let (mut client, file, _) = open_shop();
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": file } }),
    );
    assert_eq!(symbols[0]["name"], "orders-worker");
    let children: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        children.contains(&"db") && children.contains(&"container main"),
        "{children:?}"
    );
    let symbols = client.request("workspace/symbol", json!({ "query": "payments" }));
    assert!(
        symbols
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "payments-api"),
        "{symbols}"
    );
}

#[test]
fn formatting_returns_the_canonical_text() {
    let (mut client, file, text) = open_shop();
    let messy = text.replace("  calls = [payments-api]", "calls    =   [payments-api]");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": messy }] }),
    );
    let edits = client.request("textDocument/formatting", json!({ "textDocument": { "uri": file }, "options": { "tabSize": 2, "insertSpaces": true } }));
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert!(
        edits[0]["newText"]
            .as_str()
            .unwrap()
            .contains("  calls = [payments-api]")
    );
}

#[test]
fn hostile_input_does_not_kill_the_server() {
    let mut client = Client::start();
    client.initialize(&uri(&shop()), json!({}));
    client.send_raw("{ this is not json");
    client.send_raw(r#"{"jsonrpc":"2.0","id":99,"method":"plat/unknown","params":{}}"#);
    client.send_raw("[1, 2]");
    let unknown = client.wait(|m| m["id"] == 99);
    assert!(unknown.get("error").is_some());
    // Documents never opened, unknown URIs, absurd positions.
    for uri in ["file:///nowhere/x.plat", "untitled:Untitled-1"] {
        let response = client.request_full(
            "textDocument/hover",
            at(
                uri,
                json!({ "line": 4294967295u32, "character": 4294967295u32 }),
            ),
        );
        assert!(response["result"].is_null(), "{response}");
        client.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": "x" }] }));
        client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    let symbols = client.request("workspace/symbol", json!({ "query": "" }));
    assert!(!symbols.as_array().unwrap().is_empty());
    assert!(client.shutdown().success());
}
