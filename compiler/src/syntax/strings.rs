//! String literals: escapes and interpolation.
//!
//! Invariants: these functions are pure and total. They take the raw text of a string
//! token (opening quote included, closing quote when the string is closed) and the
//! offset of that token in the file; every error they report (E0105 bad escape, E0106
//! bad interpolation) has a range that lies inside the token, on character boundaries.
//! Escapes are resolved; an invalid escape keeps its text as written.

use super::SyntaxError;
use super::ast::{Ident, Path, StringPart};
use crate::diagnostic::Code;
use crate::span::TextRange;

/// The parts of a string literal that may contain `${a.b}` interpolations.
pub(crate) fn parse_parts(raw: &str, offset: usize) -> (Vec<StringPart>, Vec<SyntaxError>) {
    let mut scanner = Scanner::new(raw, offset, true);
    scanner.run();
    scanner.flush_text();
    (scanner.parts, scanner.errors)
}

/// The value of a string literal where interpolation is not allowed (enum variants,
/// patterns, messages, keys). A `${` in it is reported (E0106) and kept as text.
pub(crate) fn parse_plain(raw: &str, offset: usize) -> (String, Vec<SyntaxError>) {
    let mut scanner = Scanner::new(raw, offset, false);
    scanner.run();
    (scanner.text, scanner.errors)
}

/// The text between the quotes: `(start, end)` byte offsets into `raw`.
fn content_bounds(raw: &str) -> (usize, usize) {
    let start = usize::from(raw.starts_with('"'));
    let bytes = raw.as_bytes();
    let closed = raw.len() > start
        && bytes[raw.len() - 1] == b'"'
        && !ends_escaped(&raw[start..raw.len() - 1]);
    (start, if closed { raw.len() - 1 } else { raw.len() })
}

/// Whether `text` ends in an odd number of backslashes (so a following quote is escaped).
fn ends_escaped(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

struct Scanner<'a> {
    raw: &'a str,
    offset: usize,
    pos: usize,
    end: usize,
    interpolate: bool,
    text: String,
    parts: Vec<StringPart>,
    errors: Vec<SyntaxError>,
}

impl<'a> Scanner<'a> {
    fn new(raw: &'a str, offset: usize, interpolate: bool) -> Self {
        let (pos, end) = content_bounds(raw);
        Scanner {
            raw,
            offset,
            pos,
            end,
            interpolate,
            text: String::new(),
            parts: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn range(&self, start: usize, end: usize) -> TextRange {
        TextRange::new((self.offset + start) as u32, (self.offset + end) as u32)
    }

    fn peek(&self) -> Option<char> {
        self.raw[self.pos..self.end].chars().next()
    }

    fn run(&mut self) {
        while let Some(ch) = self.peek() {
            match ch {
                '\\' => self.escape(),
                '$' if self.raw[self.pos..self.end].starts_with("${") => self.interpolation(),
                _ => {
                    self.text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    /// Handles `\x` at `pos`.
    fn escape(&mut self) {
        let start = self.pos;
        self.pos += 1;
        let Some(ch) = self.peek() else {
            self.bad_escape(start, "a `\\` must be followed by an escape character");
            self.text.push('\\');
            return;
        };
        self.pos += ch.len_utf8();
        let resolved = match ch {
            '"' => Some('"'),
            '\\' => Some('\\'),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '$' => Some('$'),
            'u' => return self.unicode_escape(start),
            _ => None,
        };
        match resolved {
            Some(c) => self.text.push(c),
            None => {
                self.bad_escape(start, "unknown escape");
                self.text.push_str(&self.raw[start..self.pos]);
            }
        }
    }

    /// Handles `\u{XXXX}` after the `\u`.
    fn unicode_escape(&mut self, start: usize) {
        let rest = &self.raw[self.pos..self.end];
        let close = rest.find('}');
        let value = rest
            .strip_prefix('{')
            .zip(close)
            .map(|(_, close)| &rest[1..close])
            .filter(|hex| (1..=6).contains(&hex.len()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match (value, close) {
            (Some(c), Some(close)) => {
                self.pos += close + 1;
                self.text.push(c);
            }
            _ => {
                if rest.starts_with('{')
                    && let Some(close) = close
                {
                    self.pos += close + 1;
                }
                self.bad_escape(start, "invalid unicode escape");
                self.text.push_str(&self.raw[start..self.pos]);
            }
        }
    }

    fn bad_escape(&mut self, start: usize, label: &str) {
        let range = self.range(start, self.pos);
        let shown: String = self.raw[start + 1..self.pos].escape_debug().collect();
        self.errors.push(
            SyntaxError::new(
                Code::InvalidEscape,
                format!("invalid escape sequence `\\{shown}`"),
                range,
            )
            .with_label(label)
            .with_help("valid escapes are `\\\"` `\\\\` `\\n` `\\t` `\\r` `\\$` and `\\u{XXXX}`"),
        );
    }

    /// Handles `${ ... }` at `pos`.
    fn interpolation(&mut self) {
        let start = self.pos;
        let inner_start = start + 2;
        let Some(close) = self.raw[inner_start..self.end].find('}') else {
            self.pos = self.end;
            self.invalid_interpolation(start, self.end, "this interpolation is never closed");
            return;
        };
        let inner_end = inner_start + close;
        self.pos = inner_end + 1;
        if !self.interpolate {
            self.text.push_str(&self.raw[start..self.pos]);
            let range = self.range(start, self.pos);
            self.errors.push(
                SyntaxError::new(
                    Code::InvalidInterpolation,
                    "interpolation is not allowed in this string",
                    range,
                )
                .with_label("only values can be interpolated, not this literal")
                .with_help("write `\\${` to mean the characters `${`"),
            );
            return;
        }
        match self.dotted_path(inner_start, inner_end) {
            Some(path) => {
                self.flush_text();
                self.parts.push(StringPart::Interpolation(path));
            }
            None => {
                self.invalid_interpolation(start, self.pos, "expected a reference like `db.host`")
            }
        }
    }

    fn invalid_interpolation(&mut self, start: usize, end: usize, label: &str) {
        let range = self.range(start, end);
        self.errors.push(
            SyntaxError::new(Code::InvalidInterpolation, "invalid interpolation", range)
                .with_label(label)
                .with_help(
                    "only a dotted reference can be interpolated: `${db.host}`; \
                     write `\\${` for the characters `${`",
                ),
        );
    }

    /// Reads `a.b.c` between `start` and `end` (whitespace around allowed).
    fn dotted_path(&self, start: usize, end: usize) -> Option<Path> {
        let inner = &self.raw[start..end];
        let lead = inner.len() - inner.trim_start().len();
        let trimmed = inner.trim();
        if trimmed.is_empty() {
            return None;
        }
        let mut segments = Vec::new();
        let mut at = start + lead;
        for name in trimmed.split('.') {
            if !is_ident(name) {
                return None;
            }
            segments.push(Ident {
                name: name.to_string(),
                range: self.range(at, at + name.len()),
            });
            at += name.len() + 1;
        }
        let range = self.range(start + lead, start + lead + trimmed.len());
        Some(Path { segments, range })
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            self.parts
                .push(StringPart::Text(std::mem::take(&mut self.text)));
        }
    }
}

/// Whether `name` is an identifier (`[A-Za-z_][A-Za-z0-9_-]*`) and not a keyword.
fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && name != "_"
}
