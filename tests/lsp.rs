//! Protocol tests: the real `plat lsp` binary over stdio, one feature per test.

#[path = "lsp/client.rs"]
mod client;

use std::path::{Path, PathBuf};

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
fn rename_refuses_what_is_not_a_name_or_is_taken_and_edits_nothing() {
    let (mut client, file, text) = open_shop();
    let rename = |client: &mut Client, needle: &str, new_name: &str| {
        let mut params = at(&file, position(&text, needle, 0, 1));
        params["newName"] = json!(new_name);
        client.request_full("textDocument/rename", params)
    };
    for (needle, new_name) in [
        ("payments-api", ""),
        ("payments-api", "  "),
        ("payments-api", "billing api"),
        ("payments-api", "workload"),
        ("payments-api", "${x}"),
        ("payments-api", "billing\napi"),
        // Names already taken: another workload, another resource of this workload.
        ("payments-api", "cart-api"),
        ("db: postgres", "orders"),
    ] {
        let response = rename(&mut client, needle, new_name);
        assert!(
            response.get("result").is_none_or(Value::is_null),
            "{needle} → {new_name:?}: {response}"
        );
        let error = &response["error"];
        assert_eq!(error["code"], -32803, "{needle} → {new_name:?}: {response}");
        assert!(
            !error["message"].as_str().unwrap_or_default().is_empty(),
            "{response}"
        );
    }
    // A free name is renamed everywhere: the declaration and its six uses.
    let response = rename(&mut client, "db: postgres", "database");
    let changes = response["result"]["changes"].as_object().expect("changes");
    let edits = changes.values().flat_map(|e| e.as_array().unwrap()).count();
    assert_eq!(edits, 7, "{response}");
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

const WORKLOAD_MODEL: &str = r#"workload api {
  schedule = { cron = "@daily", concurrency = "Forbid" }

  init_container migrate {
    image = "ghcr.io/acme/api:1.0.0"
    
  }

  sidecar proxy {
    image = "ghcr.io/acme/proxy:1.0.0"
    
  }

  container main {
    image = "ghcr.io/acme/api:1.0.0"
    ports = { grpc = 9090 }
    liveness = { grpc = 9090,  }
  }
}
"#;

#[test]
fn completion_and_hover_know_the_workload_model() {
    let (mut client, file, _dir) = open_project(WORKLOAD_MODEL);
    let text = WORKLOAD_MODEL;
    let labels = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let complete = |client: &mut Client, needle: &str, nth: usize, shift: usize| {
        labels(&client.request(
            "textDocument/completion",
            at(&file, position(text, needle, nth, shift)),
        ))
    };
    // A workload's fields and blocks.
    let workload = complete(&mut client, "\n\n  init_container", 0, 1);
    for field in [
        "autoscaling",
        "job",
        "service_ports",
        "termination_grace_period",
        "init_container",
        "sidecar",
    ] {
        assert!(
            workload.contains(&field.to_string()),
            "{field}: {workload:?}"
        );
    }
    // A sidecar has probes and hooks; an init container has none.
    let sidecar = complete(&mut client, "\n    \n", 1, 5);
    assert!(sidecar.contains(&"startup".to_string()), "{sidecar:?}");
    assert!(sidecar.contains(&"pre_stop".to_string()), "{sidecar:?}");
    let init = complete(&mut client, "\n    \n", 0, 5);
    assert!(init.contains(&"args".to_string()), "{init:?}");
    assert!(!init.contains(&"liveness".to_string()), "{init:?}");
    // The fields of a probe, inside its record.
    let probe = complete(&mut client, "grpc = 9090,  }", 0, 13);
    for field in ["path", "tcp", "exec", "initial_delay", "failure_threshold"] {
        assert!(probe.contains(&field.to_string()), "{field}: {probe:?}");
    }
    // The values of an enum field inside a record.
    let concurrency = complete(&mut client, "\"Forbid\"", 0, 0);
    assert!(
        concurrency.contains(&"\"Replace\"".to_string()),
        "{concurrency:?}"
    );
    // Hover on a record's key: its field's type and doc, from the schema.
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(text, "grpc = 9090,", 0, 1)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("grpc: port?"), "{value}");
    assert!(value.contains("gRPC"), "{value}");
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(text, "cron", 0, 1)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("five cron fields"), "{value}");
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(text, "schedule", 0, 1)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("CronJob"), "{value}");
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
    // Broken framing: a header without a length, a length past the limit with no body.
    client.send_bytes(b"X-Nonsense: 1\r\n\r\n");
    client.send_bytes(b"Content-Length: 99999999999\r\n\r\n");
    // A header line of 1 MB that is not UTF-8, then a blank line.
    client.send_bytes(&[0xff; 1 << 20]);
    client.send_bytes(b"\r\n\r\n");
    client.send_raw("\u{0}\u{1}\u{ff}");
    // Well-framed JSON-RPC with parameters of the wrong shape.
    client
        .send_raw(r#"{"jsonrpc":"2.0","id":98,"method":"textDocument/hover","params":"nonsense"}"#);
    let invalid = client.wait(|m| m["id"] == 98);
    assert!(invalid.get("error").is_some(), "{invalid}");
    client.send_raw(r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{}}"#);
    client.send_raw(r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":[]}"#);
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

#[test]
fn every_malformed_message_is_answered_with_the_protocols_error_and_the_session_goes_on() {
    let mut client = Client::start();
    client.initialize(&uri(&shop()), json!({}));
    let hover = |id: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"file:///x.plat"}},"position":{{"line":0,"character":0}}}}}}"#
        )
    };
    // Ids that are not an integer or a string: an array, an object, a boolean, floats,
    // an integer past 64 bits.
    for id in [
        "[1]",
        "{\"a\":1}",
        "true",
        "1.5",
        "2e3",
        "18446744073709551616",
    ] {
        client.send_raw(&hover(id));
        let answer = client.wait(|m| m.get("error").is_some() && m["id"].is_null());
        assert_eq!(answer["error"]["code"], -32600, "{id}: {answer}");
        // And the session goes on.
        let response = client.request_full(
            "textDocument/hover",
            at("file:///x.plat", json!({ "line": 0, "character": 0 })),
        );
        assert!(response.get("error").is_none(), "{id}: {response}");
    }
    // Not JSON, a batch, not JSON-RPC, a header without a length: each is answered.
    for (body, code) in [
        ("{ not json", -32700),
        ("[1, 2]", -32600),
        (r#"{"jsonrpc":"2.0","id":7}"#, -32600),
        (r#"{"jsonrpc":"2.0","id":8,"method":["x"]}"#, -32600),
    ] {
        client.send_raw(body);
        let answer = client.wait(|m| m.get("error").is_some() && m.get("method").is_none());
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    client.send_bytes(b"X-Nonsense: 1\r\n\r\n");
    let answer = client.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let mut client = Client::start();
    client.initialize(&uri(&shop()), json!({}));
    assert_eq!(client.exit().code(), Some(1));
    // Before `initialize` too.
    assert_eq!(Client::start().exit().code(), Some(1));
}

#[test]
fn out_of_range_edits_and_files_deleted_under_the_server_are_survived() {
    let (mut client, file, dir) = open_project("workload w {\n  replicas = 1\n}\n");
    // Ranges past the end, reversed, and inside a surrogate pair all clamp.
    let huge = json!({ "line": 4294967295u32, "character": 4294967295u32 });
    let edits = [
        json!({ "range": { "start": huge, "end": huge }, "text": "\n// 😀 end\n" }),
        json!({ "range": { "start": { "line": 2, "character": 1 }, "end": { "line": 0, "character": 0 } }, "text": "workload v {" }),
        json!({ "range": { "start": { "line": 1, "character": 6 }, "end": { "line": 1, "character": 7 } }, "text": "x" }),
    ];
    for (version, edit) in edits.iter().enumerate() {
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": file, "version": version + 2 }, "contentChanges": [edit] }),
        );
    }
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
    ] {
        let response = client.request_full(method, at(&file, huge.clone()));
        assert!(response.get("error").is_none(), "{method}: {response}");
    }
    client.diagnostics(&file, 4);
    // A file created then deleted on disk, and the open file deleted, then closed.
    let other = dir.path().join("other.plat");
    std::fs::write(&other, "workload other {}\n").unwrap();
    let watched = |kind: u8| json!({ "changes": [{ "uri": uri(&other), "type": kind }] });
    client.notify("workspace/didChangeWatchedFiles", watched(1));
    std::fs::remove_file(&other).unwrap();
    client.notify("workspace/didChangeWatchedFiles", watched(3));
    std::fs::remove_file(dir.path().join("main.plat")).unwrap();
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": file } }),
    );
    // The whole project directory goes too.
    let root = dir.path().to_path_buf();
    drop(dir);
    assert!(!root.exists());
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file, "type": 3 }] }),
    );
    let response = client.request_full(
        "textDocument/hover",
        at(&file, json!({ "line": 0, "character": 0 })),
    );
    assert!(response["result"].is_null(), "{response}");
    let symbols = client.request("workspace/symbol", json!({ "query": "other" }));
    assert_eq!(symbols, json!([]), "the deleted file is gone");
    assert!(client.shutdown().success());
}

/// A one-file project with its own offering, user type, environment and workload.
const CACHE_PROJECT: &str = r#"/// How big.
type tier = "small" | "large"

/// A cache.
offering cache {
  version = "1.0.0"
  /// Its size.
  param size: tier = "small"
  param name: string
  output url: string
  output token: secret
  implementation local: kubernetes {
    image = "redis:7"
    port = 6379
    outputs = { url = self.name, token = self.generated_password }
  }
  implementation other: kubernetes {
    image = "redis:6"
    port = 6379
    outputs = { url = self.name, token = self.generated_password }
  }
}

environment production {
  backend kubernetes {}
  namespace = "shop"
  use cache.local
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    env = { URL = c.url, TOKEN = c.token }
  }
  c: cache { name = "x" }
}
"#;

/// A server on a temporary project whose `main.plat` is `text`, open as version 1.
fn open_project(text: &str) -> (Client, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.plat"), text).unwrap();
    let mut client = Client::start();
    client.initialize(&uri(dir.path()), json!({}));
    let file = uri(&dir.path().join("main.plat"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    (client, file, dir)
}

/// Replaces the whole text of `file` with `text` as `version`.
fn change(client: &mut Client, file: &str, version: i64, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

/// Applies LSP text edits (ASCII text, ranges not overlapping) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

/// Decoded semantic tokens: (line, column, length, type name, modifier names).
fn semantic_tokens(
    client: &mut Client,
    legend: &Value,
    file: &str,
) -> Vec<(u64, u64, u64, String, Vec<String>)> {
    let result = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": file } }),
    );
    let data: Vec<u64> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let (mut line, mut column) = (0, 0);
    data.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                column = 0;
            }
            line += t[0];
            column += t[1];
            let kind = legend["tokenTypes"][t[3] as usize]
                .as_str()
                .unwrap()
                .to_string();
            let modifiers = (0..2)
                .filter(|bit| t[4] & (1 << bit) != 0)
                .map(|bit| legend["tokenModifiers"][bit].as_str().unwrap().to_string())
                .collect();
            (line, column, t[2], kind, modifiers)
        })
        .collect()
}

#[test]
fn semantic_tokens_classify_keywords_declarations_literals_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.plat"), CACHE_PROJECT).unwrap();
    let mut client = Client::start();
    let result = client.initialize(&uri(dir.path()), json!({}));
    let legend = result["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let file = uri(&dir.path().join("main.plat"));
    let tokens = semantic_tokens(&mut client, &legend, &file);
    let text = CACHE_PROJECT;
    let token_at = |needle: &str, nth: usize| {
        let p = position(text, needle, nth, 0);
        let (line, column) = (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        );
        tokens
            .iter()
            .find(|t| t.0 == line && t.1 == column)
            .unwrap_or_else(|| panic!("no token at {needle}: {tokens:?}"))
            .clone()
    };
    let kind = |needle: &str, nth: usize| token_at(needle, nth).3;
    assert_eq!(kind("offering", 0), "keyword");
    assert_eq!(kind("workload", 0), "keyword");
    let cache = token_at("cache {", 0);
    assert_eq!(
        (cache.3.as_str(), cache.4.clone()),
        ("class", vec!["declaration".to_string()])
    );
    assert_eq!(kind("api {", 0), "struct");
    assert_eq!(kind("production", 0), "namespace");
    assert_eq!(kind("tier =", 0), "type");
    assert_eq!(kind("tier =", 1), "type", "a reference to the user type");
    assert_eq!(kind("size:", 0), "parameter");
    assert_eq!(kind("url:", 0), "property");
    assert_eq!(kind("c: cache", 0), "variable");
    assert_eq!(kind("c.url", 0), "variable");
    assert_eq!(kind("url, TOKEN", 0), "property");
    assert_eq!(kind("\"redis:7\"", 0), "string");
    assert_eq!(kind("6379", 0), "number");
    let doc = token_at("/// A cache.", 0);
    assert_eq!(
        (doc.3.as_str(), doc.4.clone()),
        ("comment", vec!["documentation".to_string()])
    );
    // No token spans lines or overlaps the next one.
    for pair in tokens.windows(2) {
        assert!(
            pair[0].0 < pair[1].0 || pair[0].1 + pair[0].2 <= pair[1].1,
            "{pair:?}"
        );
    }
    assert!(client.shutdown().success());
}

#[test]
fn semantic_tokens_count_utf16_units() {
    let text = "// é😀\nworkload w {\n  labels = { team = \"é😀\" }\n}\n";
    let (mut client, file, _dir) = open_project(text);
    let tokens = semantic_tokens(
        &mut client,
        &json!({ "tokenTypes": ["keyword", "type", "class", "namespace", "struct", "interface", "parameter", "property", "variable", "string", "number", "comment"], "tokenModifiers": ["declaration", "documentation"] }),
        &file,
    );
    // `// é😀` is 2 + 1 + 1 + 2 = 6 UTF-16 units; the string `"é😀"` is 5.
    assert_eq!(tokens[0], (0, 0, 6, "comment".to_string(), vec![]));
    let string = tokens.iter().find(|t| t.3 == "string").unwrap();
    assert_eq!((string.0, string.2), (2, 5), "{tokens:?}");
}

/// The code actions at the first diagnostic with `code` published for `file` at
/// `version`.
fn actions_for(client: &mut Client, file: &str, version: i64, code: &str) -> Vec<Value> {
    let diagnostics = client.diagnostics(file, version);
    let diagnostic = diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {diagnostics:?}"))
        .clone();
    let result = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": file }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
    );
    result.as_array().unwrap().clone()
}

#[test]
fn code_action_applies_did_you_mean() {
    let (mut client, file, text) = open_shop();
    let broken = text.replace("${db.host}", "${db.hots}");
    change(&mut client, &file, 2, &broken);
    let actions = actions_for(&mut client, &file, 2, "E0204");
    let action = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("`host`"))
        .unwrap_or_else(|| panic!("{actions:?}"));
    assert_eq!(action["kind"], "quickfix");
    let edits = action["edit"]["changes"][&file].as_array().unwrap();
    assert_eq!(apply(&broken, edits), text);
}

#[test]
fn code_action_adds_the_missing_required_params() {
    let (mut client, file, _dir) = open_project(CACHE_PROJECT);
    let broken = CACHE_PROJECT.replace("c: cache { name = \"x\" }", "c: cache {}");
    change(&mut client, &file, 2, &broken);
    let actions = actions_for(&mut client, &file, 2, "E0302");
    let edits = actions[0]["edit"]["changes"][&file].as_array().unwrap();
    let fixed = apply(&broken, edits);
    assert!(
        fixed.contains("  c: cache {\n    name = \n  }\n"),
        "{fixed}"
    );
    // A multi-line body gets the line before its closing brace.
    let broken = CACHE_PROJECT.replace("  namespace = \"shop\"\n", "");
    change(&mut client, &file, 3, &broken);
    let actions = actions_for(&mut client, &file, 3, "E0302");
    let edits = actions[0]["edit"]["changes"][&file].as_array().unwrap();
    let fixed = apply(&broken, edits);
    assert!(
        fixed.contains("  use cache.local\n  namespace = \n}\n"),
        "{fixed}"
    );
}

#[test]
fn code_action_adds_the_missing_implementation_to_the_environment() {
    let broken = CACHE_PROJECT.replace("  use cache.local\n", "");
    let (mut client, file, _dir) = open_project(&broken);
    let actions = actions_for(&mut client, &file, 1, "E0601");
    let action = &actions[0];
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .contains("use cache.local"),
        "{action}"
    );
    let edits = action["edit"]["changes"][&file].as_array().unwrap();
    let fixed = apply(&broken, edits);
    assert!(
        fixed.contains("  namespace = \"shop\"\n  use cache.local\n}"),
        "{fixed}"
    );
    // The fix is complete: the server then reports nothing.
    change(&mut client, &file, 2, &fixed);
    assert_eq!(client.diagnostics(&file, 2), Vec::<Value>::new());
}

/// The inlay hints of the whole of `file`: (line, column, label).
fn inlay_hints(client: &mut Client, file: &str) -> Vec<(u64, u64, String)> {
    let result = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": file }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9999, "character": 0 } } }),
    );
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["position"]["character"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn inlay_hints_show_defaults_secrets_and_provision_time_values() {
    let (mut client, file, _dir) = open_project(CACHE_PROJECT);
    let hints = inlay_hints(&mut client, &file);
    let labels: Vec<&str> = hints.iter().map(|h| h.2.as_str()).collect();
    // The resource omits `size`; the container omits `cpu` and `memory`.
    let size = hints
        .iter()
        .find(|h| h.2 == "size = \"small\"")
        .expect("size");
    let close = position(CACHE_PROJECT, "\"x\" }", 0, 4);
    assert_eq!(json!({ "line": size.0, "character": size.1 }), close);
    assert!(labels.contains(&"cpu = 100m"), "{labels:?}");
    assert!(labels.contains(&"memory = 128Mi"), "{labels:?}");
    // `c.token` is a secret, generated when the cache is provisioned.
    let token = hints
        .iter()
        .find(|h| h.2.contains("secret"))
        .unwrap_or_else(|| panic!("{labels:?}"));
    assert_eq!(
        json!({ "line": token.0, "character": token.1 }),
        position(CACHE_PROJECT, "c.token", 0, 7)
    );
    assert!(token.2.contains("after provisioning"), "{labels:?}");
    // `c.url` is known when the plan is made: no hint after it.
    let url_end = position(CACHE_PROJECT, "c.url", 0, 5);
    assert!(
        !hints
            .iter()
            .any(|h| json!({ "line": h.0, "character": h.1 }) == url_end),
        "{hints:?}"
    );
    // In the shop, a shared resource shows no defaults (the environment's apply).
    let (mut client, file, text) = open_shop();
    let hints = inlay_hints(&mut client, &file);
    let password = hints
        .iter()
        .find(|h| json!({ "line": h.0, "character": h.1 }) == position(&text, "db.password", 0, 11))
        .unwrap_or_else(|| panic!("{hints:?}"));
    assert!(password.2.contains("secret"), "{password:?}");
    assert!(
        !hints.iter().any(|h| h.2.starts_with("size =")),
        "{hints:?}"
    );
}

#[test]
fn hover_on_a_resource_lists_its_implementation_per_environment() {
    let (mut client, file, text) = open_shop();
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(&text, "db: postgres", 0, 0)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("Bound to"), "{value}");
    assert!(
        value.contains("- `development`: `postgres.in_cluster` (shared `shared_db`)"),
        "{value}"
    );
    assert!(value.contains("- `production`: `postgres.aws`"), "{value}");
    // On a reference too.
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(&text, "orders.url", 0, 1)),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("`queue."), "{value}");
}

#[test]
fn type_definition_of_a_resource_and_of_a_param() {
    let (mut client, file, _dir) = open_project(CACHE_PROJECT);
    let text = CACHE_PROJECT;
    // A resource (its declaration or a reference) → its offering.
    for (needle, nth) in [("c: cache", 0), ("c.url", 0)] {
        let target = client.request(
            "textDocument/typeDefinition",
            at(&file, position(text, needle, nth, 0)),
        );
        assert_eq!(target["uri"], file);
        assert_eq!(
            target["range"]["start"],
            position(text, "cache {", 0, 0),
            "{needle}"
        );
    }
    // A param → its user type.
    let target = client.request(
        "textDocument/typeDefinition",
        at(&file, position(text, "size: tier", 0, 1)),
    );
    assert_eq!(target["range"]["start"], position(text, "tier =", 0, 0));
    // A param without a user type, a keyword: nothing.
    for needle in ["name: string", "workload"] {
        let target = client.request(
            "textDocument/typeDefinition",
            at(&file, position(text, needle, 0, 1)),
        );
        assert!(target.is_null(), "{needle}: {target}");
    }
}

#[test]
fn definition_reaches_the_standard_library_on_disk() {
    let (mut client, file, text) = open_shop();
    let target = client.request(
        "textDocument/definition",
        at(&file, position(&text, "db: postgres", 0, 6)),
    );
    let uri = target["uri"].as_str().expect("a location");
    assert!(uri.ends_with("/postgres.plat"), "{target}");
    assert!(uri.contains("/plat/std-"), "{target}");
    let path = uri.strip_prefix("file://").expect("a file URI");
    let on_disk = std::fs::read_to_string(path).expect("the file is written");
    assert!(on_disk.contains("offering postgres"), "{on_disk}");
    // Opening it is reading it: hover answers there, and it does not become a second,
    // duplicate declaration of the project.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "plat", "version": 1, "text": on_disk } }),
    );
    let hover = client.request(
        "textDocument/hover",
        at(uri, position(&on_disk, "offering postgres", 0, 10)),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|value| value.contains("postgres")),
        "{hover}"
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    assert_eq!(client.diagnostics(&file, 2), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn a_terraform_module_changed_on_disk_is_checked_again() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/own-module");
    for relative in [
        "plat.toml",
        "catalog.plat",
        "environments.plat",
        "search.plat",
        "modules/search_cluster/main.tf",
        "modules/search_cluster/outputs.tf",
        "modules/search_cluster/variables.tf",
    ] {
        let to = dir.path().join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(example.join(relative), &to).unwrap();
    }
    let mut client = Client::start();
    client.initialize(&uri(dir.path()), json!({}));
    let search = dir.path().join("search.plat");
    let text = std::fs::read_to_string(&search).unwrap();
    let file = uri(&search);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    assert_eq!(client.diagnostics(&file, 1), Vec::<Value>::new());
    // The platform team renames a variable of its module.
    let variables = dir.path().join("modules/search_cluster/variables.tf");
    let renamed = std::fs::read_to_string(&variables)
        .unwrap()
        .replace("variable \"instance_type\"", "variable \"node_type\"");
    std::fs::write(&variables, renamed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&variables), "type": 2 }] }),
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    let diagnostics = client.diagnostics(&file, 2);
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"E0701"), "{diagnostics:?}");
    assert!(client.shutdown().success());
}

#[test]
fn a_lock_of_module_interfaces_changed_on_disk_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.plat");
    let text = "offering cache {\n  version = \"1.0.0\"\n  output host: string\n  implementation aws: terraform {\n    source = \"acme/valkey/aws\"\n    version = \"2.1.0\"\n    outputs = { host = module.endpoint }\n  }\n}\n";
    std::fs::write(&cache, text).unwrap();
    let mut client = Client::start();
    client.initialize(&uri(dir.path()), json!({}));
    let file = uri(&cache);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    let codes = |diagnostics: &[Value]| -> Vec<String> {
        diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(codes(&client.diagnostics(&file, 1)), vec!["E0706"]);
    // The platform team records the module's interface.
    let lock = dir.path().join("plat.modules.lock.json");
    std::fs::write(
        &lock,
        r#"{ "format": 1, "modules": [ { "source": "acme/valkey/aws", "version": "2.1.0", "outputs": { "endpoint": {} } } ] }"#,
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&lock), "type": 1 }] }),
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    assert_eq!(client.diagnostics(&file, 2), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

/// A copy of the platform and its two applications (`tests/fixtures/applications`, path
/// dependencies), with a server on `storefront` and its `web.plat` open (version 1).
fn open_storefront() -> (Client, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/applications");
    for project in ["platform", "payments", "storefront"] {
        std::fs::create_dir_all(dir.path().join(project)).unwrap();
        for entry in std::fs::read_dir(fixtures.join(project)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(
                entry.path(),
                dir.path().join(project).join(entry.file_name()),
            )
            .unwrap();
        }
    }
    let storefront = dir.path().join("storefront");
    let mut client = Client::start();
    client.initialize(&uri(&storefront), json!({}));
    let path = storefront.join("web.plat");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    (client, file, text, dir)
}

#[test]
fn names_hover_definitions_and_diagnostics_follow_the_dependencies() {
    let (mut client, file, text, dir) = open_storefront();
    assert_eq!(client.diagnostics(&file, 1), Vec::<Value>::new());

    // Hover over an offering the platform declares shows its documentation.
    let hover = client.request(
        "textDocument/hover",
        at(&file, position(&text, "search {}", 0, 2)),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("search service"), "{hover}");

    // Definitions lead into the dependencies' own files, by their real paths.
    let platform = dir.path().join("platform/search.plat");
    let payments = dir.path().join("payments/payments-api.plat");
    for (needle, expected) in [("search {}", &platform), ("payments-api]", &payments)] {
        let target = client.request(
            "textDocument/definition",
            at(&file, position(&text, needle, 0, 2)),
        );
        assert_eq!(target["uri"], uri(expected), "{needle}: {target}");
    }

    // An output the platform's offering does not have is reported in the application.
    change(
        &mut client,
        &file,
        2,
        &text.replace("catalog.endpoint", "catalog.endpoin"),
    );
    let diagnostics = client.diagnostics(&file, 2);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `endpoint`?"),
        "{diagnostics:?}"
    );
    change(&mut client, &file, 3, &text);
    assert_eq!(client.diagnostics(&file, 3), Vec::<Value>::new());

    // A dependency's file is read-only: what an editor holds of it is not read.
    let package = uri(&platform);
    let original = std::fs::read_to_string(&platform).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": package, "languageId": "plat", "version": 1,
            "text": original.replace("output endpoint: string", "") } }),
    );
    change(&mut client, &package, 2, "");
    let hover = client.request(
        "textDocument/hover",
        at(&package, position(&original, "endpoint", 0, 2)),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("endpoint"),
        "{hover}"
    );
    change(&mut client, &file, 4, &format!("{text}\n"));
    assert_eq!(
        client.diagnostics(&file, 4),
        Vec::<Value>::new(),
        "the application still reads the platform's `endpoint`"
    );
    client.shutdown();
}

#[test]
fn a_waived_violation_is_information_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.plat");
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/diagnostics/W0622-unused-waiver.plat"),
    )
    .unwrap();
    std::fs::write(&path, &text).unwrap();
    let mut client = Client::start();
    client.initialize(&uri(dir.path()), json!({}));
    let file = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "plat", "version": 1, "text": text } }),
    );
    let diagnostics = client.diagnostics(&file, 1);
    let waived = diagnostics
        .iter()
        .find(|d| d["code"] == "E0605")
        .unwrap_or_else(|| panic!("the waived violation: {diagnostics:?}"));
    assert_eq!(waived["severity"], 3, "information: {waived}");
    assert!(
        waived["message"]
            .as_str()
            .unwrap()
            .contains("waived: one replica while the new cache warms up"),
        "{waived}"
    );
    let unused = diagnostics
        .iter()
        .find(|d| d["code"] == "W0622")
        .expect("the unused waiver");
    assert_eq!(unused["severity"], 2, "a warning: {unused}");
    assert!(client.shutdown().success());
}
