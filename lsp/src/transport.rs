//! A guard in front of the protocol library's reader.
//!
//! Invariant: only well-framed messages that are JSON-RPC shaped (an object with a
//! string `method`, or a response with an `id` and a `result` or `error`) reach the
//! server. The library's framed reader stops reading for good at the first message it
//! cannot decode, so malformed input is dropped here (and logged on stderr) instead of
//! ending the session.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Messages larger than this are dropped.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

fn is_message(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    object.get("method").is_some_and(Value::is_string)
        || (object.contains_key("id")
            && (object.contains_key("result") || object.contains_key("error")))
}

/// Copies the well-formed messages of `input` to `output` until `input` ends.
pub async fn filter(input: impl AsyncRead + Unpin, mut output: DuplexStream) {
    let mut reader = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                if length.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok();
            }
        }
        let Some(length) = length.filter(|length| *length <= MAX_MESSAGE) else {
            eprintln!("plat lsp: dropped a message without a valid Content-Length");
            continue;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) if is_message(&value) => {
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if output.write_all(header.as_bytes()).await.is_err()
                    || output.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            _ => eprintln!("plat lsp: dropped a message that is not JSON-RPC"),
        }
    }
}
