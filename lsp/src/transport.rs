//! The wire: reading framed messages from the client, and writing the server's.
//!
//! Invariant: every message the client sends is either handed to the server, when it is
//! a well-framed JSON-RPC 2.0 request, notification or response that the protocol
//! library decodes (an `id` that is an integer or a string, a `method` that is a
//! string), or answered here with the protocol's error, and the session goes on: a
//! frame without a valid `Content-Length`, or whose body is not JSON, gets a Parse
//! error (-32700); JSON that is not such a message (a batch, an `id` that is an array,
//! an object, a boolean or a float, no `method`) gets an Invalid Request (-32600), with
//! the message's `id` when it has a valid one and `null` otherwise. (The library's own
//! reader stops for good at the first message it cannot decode: nothing it cannot
//! decode reaches it.) Whole messages are written, the server's and these errors, one
//! after the other, never interleaved.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Messages larger than this are answered with an error and not read.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// A header line is read at most this many bytes at a time, so a "line" that never
/// ends cannot fill the memory: each piece is a header line that is not understood.
const MAX_HEADER_LINE: u64 = 8 * 1024;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What to do with one message from the client.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Hand it to the server.
    Pass,
    /// Answer it with this error response.
    Answer(Value),
}

/// Reads framed messages from `input` until it ends: the ones the server can decode go
/// to `server`, framed again; every other one is answered through `replies`.
pub async fn filter(
    input: impl AsyncRead + Unpin,
    mut server: impl AsyncWrite + Unpin,
    replies: UnboundedSender<Value>,
) {
    let mut reader = BufReader::new(input);
    loop {
        let length = match read_headers(&mut reader).await {
            Headers::End => return,
            Headers::Length(length) => length,
            Headers::Invalid(reason) => {
                let _ = replies.send(error(PARSE_ERROR, &reason, Value::Null));
                continue;
            }
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        match verdict(&body) {
            Verdict::Pass => {
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if server.write_all(header.as_bytes()).await.is_err()
                    || server.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            Verdict::Answer(response) => {
                let _ = replies.send(response);
            }
        }
    }
}

/// The headers of one message.
enum Headers {
    /// The input ended.
    End,
    /// The body's length, within [`MAX_MESSAGE`].
    Length(usize),
    /// The headers end without a length that can be used; the body is not read.
    Invalid(String),
}

/// Reads header lines up to the blank line that ends them. Blank lines before any
/// header are skipped; header lines other than `Content-Length` are ignored.
async fn read_headers(reader: &mut (impl AsyncBufReadExt + Unpin)) -> Headers {
    let mut length: Option<Result<usize, String>> = None;
    let mut lines = 0;
    loop {
        let mut bytes = Vec::new();
        match (&mut *reader)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut bytes)
            .await
        {
            Ok(0) | Err(_) => return Headers::End,
            Ok(_) => {}
        }
        // A header that is not UTF-8 is not understood, but does not end the session.
        let line = String::from_utf8_lossy(&bytes);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if lines == 0 {
                continue;
            }
            return match length {
                Some(Ok(length)) => Headers::Length(length),
                Some(Err(reason)) => Headers::Invalid(reason),
                None => Headers::Invalid("a message without a `Content-Length` header".into()),
            };
        }
        lines += 1;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(match value.trim().parse::<usize>() {
                Ok(length) if length <= MAX_MESSAGE => Ok(length),
                Ok(_) => Err(format!(
                    "a message longer than {} MiB",
                    MAX_MESSAGE / (1024 * 1024)
                )),
                Err(_) => Err("a `Content-Length` that is not a length".into()),
            });
        }
    }
}

/// Whether the body of one message goes to the server, or is answered with an error.
pub fn verdict(body: &[u8]) -> Verdict {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Verdict::Answer(error(PARSE_ERROR, "the body is not JSON", Value::Null));
    };
    let Some(object) = value.as_object() else {
        let what = if value.is_array() {
            "a batch: the Language Server Protocol has none"
        } else {
            "a message must be a JSON object"
        };
        return Verdict::Answer(error(INVALID_REQUEST, what, Value::Null));
    };
    let id = object.get("id");
    let echo = id
        .filter(|id| is_valid_id(id))
        .cloned()
        .unwrap_or(Value::Null);
    let invalid = |reason: &str| Verdict::Answer(error(INVALID_REQUEST, reason, echo.clone()));
    if id.is_some_and(|id| !is_valid_id(id) && !id.is_null()) {
        return invalid("an `id` must be an integer or a string");
    }
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("`jsonrpc` must be \"2.0\"");
    }
    if let Some(method) = object.get("method") {
        if !method.is_string() {
            return invalid("`method` must be a string");
        }
        return match serde_json::from_value::<Request>(value) {
            Ok(_) => Verdict::Pass,
            Err(_) => invalid("not a request or a notification"),
        };
    }
    if object.contains_key("result") && object.contains_key("error") {
        return invalid("a response has a `result` or an `error`, not both");
    }
    if object.contains_key("result") || object.contains_key("error") {
        return match serde_json::from_value::<Response>(value) {
            Ok(_) => Verdict::Pass,
            Err(_) => invalid("not a response"),
        };
    }
    invalid("a message needs a `method`, or a `result` or an `error`")
}

/// An integer (that the protocol library can hold), or a string.
fn is_valid_id(id: &Value) -> bool {
    id.is_string() || id.as_i64().is_some()
}

/// An error response of the protocol.
fn error(code: i64, reason: &str, id: Value) -> Value {
    let kind = if code == PARSE_ERROR {
        "Parse error"
    } else {
        "Invalid request"
    };
    json!({
        "jsonrpc": "2.0",
        "error": { "code": code, "message": format!("{kind}: {reason}") },
        "id": id,
    })
}

/// Writes, whole, each message the server writes to `from_server` and each reply of
/// [`filter`], until the server's output ends.
pub async fn write(
    from_server: impl AsyncRead + Unpin + Send + 'static,
    mut replies: UnboundedReceiver<Value>,
    mut output: impl AsyncWrite + Unpin,
) {
    // The server's messages are read whole by a task of their own, so that waiting for
    // one never loses half of it when a reply is written first.
    let (messages, mut received) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    tokio::spawn(async move {
        let mut from_server = BufReader::new(from_server);
        while let Some(message) = read_message(&mut from_server).await {
            if messages.send(message).await.is_err() {
                return;
            }
        }
    });
    loop {
        let bytes = tokio::select! {
            biased;
            message = received.recv() => match message {
                Some(message) => message,
                None => break,
            },
            Some(reply) = replies.recv() => framed(&reply),
        };
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    while let Ok(reply) = replies.try_recv() {
        if output.write_all(&framed(&reply)).await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

/// `message` with its header.
fn framed(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// One whole message as the server framed it (headers and body), `None` at its end.
async fn read_message(reader: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut length = 0;
    loop {
        let start = message.len();
        if reader.read_until(b'\n', &mut message).await.ok()? == 0 {
            return None;
        }
        let line = String::from_utf8_lossy(&message[start..]);
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let start = message.len();
    message.resize(start + length, 0);
    reader.read_exact(&mut message[start..]).await.ok()?;
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Value {
        match verdict(body.as_bytes()) {
            Verdict::Answer(response) => response,
            Verdict::Pass => panic!("passed: {body}"),
        }
    }

    #[test]
    fn well_formed_messages_pass() {
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"no"}}"#,
        ] {
            assert_eq!(verdict(body.as_bytes()), Verdict::Pass, "{body}");
        }
    }

    #[test]
    fn ids_of_the_wrong_type_are_invalid_requests_with_a_null_id() {
        for id in ["[1]", "{}", "true", "1.5", "1e3", "9223372036854775808"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize"}}"#);
            let response = answer(&body);
            assert_eq!(response["error"]["code"], INVALID_REQUEST, "{id}");
            assert_eq!(response["id"], Value::Null, "{id}");
        }
    }

    #[test]
    fn other_malformed_messages_are_answered() {
        assert_eq!(answer("{ not json")["error"]["code"], PARSE_ERROR);
        assert_eq!(answer("[1, 2]")["error"]["code"], INVALID_REQUEST);
        assert_eq!(answer("7")["error"]["code"], INVALID_REQUEST);
        // The id is echoed when it is valid.
        let response = answer(r#"{"jsonrpc":"2.0","id":4,"method":5}"#);
        assert_eq!(response["id"], 4);
        assert_eq!(answer(r#"{"jsonrpc":"1.0","id":4,"method":"x"}"#)["id"], 4);
        assert_eq!(answer(r#"{"jsonrpc":"2.0","id":"k"}"#)["id"], "k");
        assert_eq!(
            answer(r#"{"jsonrpc":"2.0","id":2,"result":1,"error":{}}"#)["error"]["code"],
            INVALID_REQUEST
        );
    }
}
