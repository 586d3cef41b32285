//! The language server's transport: a session of frames, each with headers (a right
//! `Content-Length`, none, one that is not a number, one past the limit, junk header
//! lines) and a body (raw bytes, or a JSON-RPC shape with every kind of `id`, `method`,
//! `jsonrpc`, `params`, `result` and `error`), sent after `initialize` to the whole
//! server (`plat_lsp::serve`) over in-memory streams.
//!
//! What must hold: the server never panics or hangs; everything it writes is framed
//! JSON-RPC 2.0; unless the session sent `exit`, every frame without a usable length
//! is answered with a Parse error, every request whose `id` is not an integer or a
//! string with an Invalid Request, and a `shutdown` sent last is answered: the session
//! went on to the end.
#![no_main]

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const END_ID: &str = "plat-fuzz-end";
const MAX_FRAMES: usize = 24;

/// Methods the server knows, and a few it does not.
const METHODS: &[&str] = &[
    "initialize",
    "initialized",
    "shutdown",
    "exit",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/rename",
    "textDocument/prepareRename",
    "textDocument/formatting",
    "textDocument/semanticTokens/full",
    "textDocument/documentSymbol",
    "textDocument/codeAction",
    "textDocument/inlayHint",
    "workspace/symbol",
    "workspace/didChangeWatchedFiles",
    "$/cancelRequest",
    "$/setTrace",
    "plat/unknown",
    "",
];

/// Keys of params, so that objects look like the protocol's.
const KEYS: &[&str] = &[
    "textDocument",
    "uri",
    "text",
    "version",
    "position",
    "line",
    "character",
    "range",
    "start",
    "end",
    "contentChanges",
    "newName",
    "query",
    "changes",
    "type",
    "context",
    "includeDeclaration",
    "languageId",
    "capabilities",
    "id",
];

#[derive(Debug, Arbitrary)]
struct Session {
    frames: Vec<Frame>,
}

#[derive(Debug, Arbitrary)]
enum Frame {
    /// A body with its right length, and maybe other header lines.
    Framed { junk: Vec<Junk>, body: Body },
    /// Headers that end without a usable length; no body follows.
    Unframed { junk: Vec<Junk>, length: BadLength },
}

#[derive(Debug, Arbitrary)]
enum BadLength {
    Missing,
    NotANumber(String),
    Negative(u32),
    PastTheLimit(u32),
}

/// A header line that is not `Content-Length`.
#[derive(Debug, Arbitrary)]
struct Junk(Vec<u8>);

#[derive(Debug, Arbitrary)]
enum Body {
    Raw(Vec<u8>),
    Message(Shape),
}

#[derive(Debug, Arbitrary)]
struct Shape {
    jsonrpc: Version,
    id: Option<Id>,
    method: Option<Method>,
    params: Option<Json>,
    result: Option<Json>,
    error: Option<Json>,
}

#[derive(Debug, Arbitrary)]
enum Version {
    Right,
    Wrong(Json),
    Missing,
}

#[derive(Debug, Arbitrary)]
enum Id {
    Int(i32),
    Str(String),
    Null,
    Float(f64),
    Bool(bool),
    Array(Vec<Json>),
    Object(Vec<(u8, Json)>),
    PastI64(u64),
}


#[derive(Debug, Arbitrary)]
enum Method {
    Known(u8),
    Other(String),
    NotAString(Json),
}

#[derive(Debug, Arbitrary)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Uri(u8),
    Array(Vec<Json>),
    Object(Vec<(u8, Json)>),
}

impl Json {
    /// The value, nested at most `depth` deep.
    fn value(&self, depth: u8) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => json!(b),
            Json::Int(i) => json!(i),
            Json::Float(f) => json!(f),
            Json::Str(s) => json!(s),
            // URIs of documents that do not exist on disk, never of the disk itself.
            Json::Uri(n) => json!(format!("file:///nonexistent/plat-fuzz/d{}.plat", n % 4)),
            _ if depth == 0 => Value::Null,
            Json::Array(items) => {
                Value::Array(items.iter().take(8).map(|i| i.value(depth - 1)).collect())
            }
            Json::Object(entries) => object(entries, depth - 1),
        }
    }
}

fn object(entries: &[(u8, Json)], depth: u8) -> Value {
    let mut map = Map::new();
    for (key, value) in entries.iter().take(8) {
        let key = KEYS[usize::from(*key) % KEYS.len()];
        map.insert(key.to_string(), value.value(depth));
    }
    Value::Object(map)
}

impl Shape {
    fn value(&self) -> Value {
        let mut map = Map::new();
        match &self.jsonrpc {
            Version::Right => drop(map.insert("jsonrpc".into(), json!("2.0"))),
            Version::Wrong(value) => drop(map.insert("jsonrpc".into(), value.value(2))),
            Version::Missing => {}
        }
        if let Some(id) = &self.id {
            let id = match id {
                Id::Int(i) => json!(i),
                Id::Str(s) if s == END_ID => json!("not-the-end"),
                Id::Str(s) => json!(s),
                Id::Null => Value::Null,
                Id::Float(f) => json!(f),
                Id::Bool(b) => json!(b),
                Id::Array(items) => {
                    Value::Array(items.iter().take(4).map(|i| i.value(2)).collect())
                }
                Id::Object(entries) => object(entries, 2),
                // Past what an `i64` holds.
                Id::PastI64(n) => json!(u64::MAX - n % (u64::MAX / 2)),
            };
            map.insert("id".into(), id);
        }
        if let Some(method) = &self.method {
            let method = match method {
                Method::Known(n) => json!(METHODS[usize::from(*n) % METHODS.len()]),
                Method::Other(s) => json!(s),
                Method::NotAString(value) => value.value(2),
            };
            map.insert("method".into(), method);
        }
        for (key, value) in [
            ("params", &self.params),
            ("result", &self.result),
            ("error", &self.error),
        ] {
            if let Some(value) = value {
                map.insert(key.into(), value.value(4));
            }
        }
        Value::Object(map)
    }

}

/// Whether the server must answer `message` with an Invalid Request whose id is null: a
/// request (a string `method`) whose `id` is there but neither an integer, a string nor
/// `null` (a float that is not a number becomes `null` in JSON).
fn must_be_refused_with_a_null_id(message: &Value) -> bool {
    let id = &message["id"];
    message["method"].is_string()
        && message.get("id").is_some()
        && !(id.is_string() || id.is_i64() || id.is_null())
}

impl Junk {
    /// A header line that keeps the framing: no line break, not empty, not a length.
    fn line(&self) -> Vec<u8> {
        let mut line = b"X-".to_vec();
        line.extend(self.0.iter().take(2048).filter(|b| **b != b'\n'));
        if String::from_utf8_lossy(&line)
            .to_ascii_lowercase()
            .contains("content-length")
        {
            line.truncate(2);
        }
        line.extend_from_slice(b"\r\n");
        line
    }
}

/// What one session expects of the server's answers.
#[derive(Default)]
struct Expected {
    exits: bool,
    parse_errors: usize,
    null_id_invalid_requests: usize,
}

fn message(body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn input(session: &Session, expected: &mut Expected) -> Vec<u8> {
    let initialize = json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": { "processId": null, "rootUri": null, "capabilities": {} },
    });
    let mut bytes = message(initialize.to_string().as_bytes());
    for frame in session.frames.iter().take(MAX_FRAMES) {
        match frame {
            Frame::Framed { junk, body } => {
                let body = match body {
                    Body::Raw(raw) => {
                        if raw.windows(4).any(|w| w == b"exit") {
                            expected.exits = true;
                        }
                        raw.clone()
                    }
                    Body::Message(shape) => {
                        let value = shape.value();
                        if value["method"] == "exit" {
                            expected.exits = true;
                        }
                        if must_be_refused_with_a_null_id(&value) {
                            expected.null_id_invalid_requests += 1;
                        }
                        value.to_string().into_bytes()
                    }
                };
                for line in junk.iter().take(4) {
                    bytes.extend(line.line());
                }
                bytes.extend(message(&body));
            }
            Frame::Unframed { junk, length } => {
                for line in junk.iter().take(4) {
                    bytes.extend(line.line());
                }
                match length {
                    BadLength::Missing => bytes.extend_from_slice(b"X-Length: none\r\n"),
                    BadLength::NotANumber(text) => {
                        let text: String = text
                            .chars()
                            .filter(|c| !c.is_ascii_digit() && *c != '\n' && *c != '\r')
                            .take(64)
                            .collect();
                        bytes.extend(format!("Content-Length: x{text}\r\n").into_bytes());
                    }
                    BadLength::Negative(n) => {
                        bytes.extend(format!("Content-Length: -{}\r\n", n.max(&1)).into_bytes())
                    }
                    BadLength::PastTheLimit(n) => bytes.extend(
                        format!("Content-Length: {}\r\n", 64 * 1024 * 1024 + u64::from(*n) + 1)
                            .into_bytes(),
                    ),
                }
                bytes.extend_from_slice(b"\r\n");
                expected.parse_errors += 1;
            }
        }
    }
    let end = json!({ "jsonrpc": "2.0", "id": END_ID, "method": "shutdown" });
    bytes.extend(message(end.to_string().as_bytes()));
    bytes
}

/// What the server writes, kept for the checks.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl tokio::io::AsyncWrite for Output {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The messages in the server's output; every one must be framed JSON-RPC 2.0.
fn messages(mut output: &[u8]) -> Vec<Value> {
    let mut found = Vec::new();
    while !output.is_empty() {
        let end = output
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header ends with a blank line");
        let header = std::str::from_utf8(&output[..end]).expect("a UTF-8 header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|length| length.parse().ok())
            .unwrap_or_else(|| panic!("a Content-Length header: {header:?}"));
        let body = &output[end + 4..end + 4 + length];
        let value: Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(value["jsonrpc"], "2.0", "{value}");
        found.push(value);
        output = &output[end + 4 + length..];
    }
    found
}

fuzz_target!(|session: Session| {
    let mut expected = Expected::default();
    let bytes = input(&session, &mut expected);
    let output = Output::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(plat_lsp::serve(std::io::Cursor::new(bytes), output.clone()));
    drop(runtime);
    let written = output.0.lock().unwrap().clone();
    let answers = messages(&written);
    if expected.exits {
        return;
    }
    let errors = |code: i64| {
        answers
            .iter()
            .filter(|m| m["error"]["code"] == code && m["id"].is_null())
            .count()
    };
    assert!(errors(-32700) >= expected.parse_errors, "parse errors: {answers:?}");
    assert!(
        errors(-32600) >= expected.null_id_invalid_requests,
        "invalid requests: {answers:?}"
    );
    assert!(
        answers.iter().any(|m| m["id"] == END_ID),
        "the last request was not answered: {answers:?}"
    );
});
