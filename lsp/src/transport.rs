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
/// A header line is read at most this many bytes at a time, so a "line" that never
/// ends cannot fill the memory: each piece is a header line that is not understood.
const MAX_HEADER_LINE: u64 = 8 * 1024;

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
            let mut bytes = Vec::new();
            match (&mut reader)
                .take(MAX_HEADER_LINE)
                .read_until(b'\n', &mut bytes)
                .await
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            // A header that is not UTF-8 is not understood, but does not end the session.
            let line = String::from_utf8_lossy(&bytes);
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
