//! Scalars and keys: how one string is written so that it reads back unchanged.
//!
//! Invariant: the text written for a string always reads back as that very string.
//! The common ones (names, images, paths, quantities) are written plain, certainly
//! safe; the rest as serde-saphyr writes a lone scalar (quoted, or a literal block),
//! re-indented under its key; a key serde-saphyr would write on several lines, and any
//! text in a shape this module does not expect, is written double-quoted with escapes.

use serde::Serialize;

/// Longer keys are written as explicit keys (`? key`): readers refuse an implicit key
/// of more than 1,024 characters.
const LONGEST_IMPLICIT_KEY: usize = 1000;

fn options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX }
}

/// Writes `text` as a value after `key: ` or `- `; the lines of a block scalar are
/// indented two more than `indent`, the column of its key or dash.
pub(super) fn write_str(out: &mut String, text: &str, indent: usize) {
    if is_plain(text, true) {
        out.push_str(text);
    } else if !write_by_serde_saphyr(out, &text, indent) {
        write_double_quoted(out, text);
    }
}

/// Writes a scalar that is not a string (a float) as serde-saphyr writes it.
pub(super) fn write_other<T: Serialize>(out: &mut String, value: &T) {
    if !write_by_serde_saphyr(out, value, 0) {
        out.push_str("null");
    }
}

/// Writes a key at `indent`, before the `:` of its value.
pub(super) fn write_key(out: &mut String, key: &str, indent: usize) {
    if is_plain(key, false) {
        out.push_str(key);
    } else if key.len() > LONGEST_IMPLICIT_KEY {
        out.push_str("? ");
        write_double_quoted(out, key);
        out.push('\n');
        pad(out, indent);
    } else if !write_key_by_serde_saphyr(out, key) {
        write_double_quoted(out, key);
    }
}

pub(super) fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A lone scalar as serde-saphyr writes it, its block lines moved under `indent`; false,
/// with nothing written, when its text is not in the shape expected.
fn write_by_serde_saphyr<T: Serialize>(out: &mut String, value: &T, indent: usize) -> bool {
    let Ok(text) = serde_saphyr::to_string_with_options(value, options()) else {
        return false;
    };
    let Some(text) = text.strip_suffix('\n') else {
        return false;
    };
    let mark = out.len();
    let mut lines = text.split('\n');
    out.push_str(lines.next().unwrap_or_default());
    // A block scalar's lines come indented by two, as at the top level.
    for line in lines {
        out.push('\n');
        if line.is_empty() {
            continue;
        }
        let Some(line) = line.strip_prefix("  ") else {
            out.truncate(mark);
            return false;
        };
        pad(out, indent + 2);
        out.push_str(line);
    }
    true
}

/// A key as serde-saphyr writes it: that of a one-entry map, before `: 0`; false, with
/// nothing written, when it takes more than one line.
fn write_key_by_serde_saphyr(out: &mut String, key: &str) -> bool {
    let map = std::collections::BTreeMap::from([(key, 0)]);
    let Ok(text) = serde_saphyr::to_string_with_options(&map, options()) else {
        return false;
    };
    match text.strip_suffix(": 0\n") {
        Some(written) if !written.contains('\n') => {
            out.push_str(written);
            true
        }
        _ => false,
    }
}

/// `text` as a double-quoted scalar, every character that is not printable escaped.
fn write_double_quoted(out: &mut String, text: &str) {
    use std::fmt::Write;
    out.push('"');
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if u32::from(c) <= 0xFF && c.is_control() => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c if c.is_control() || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `text` is certainly written plain, and read back as the same string: it
/// starts with an ASCII letter, holds only letters, digits and `.`, `_`, `/`, `-` (and
/// `:` inside, for a value), and is none of the words a YAML 1.1 reader takes for a
/// boolean, a null or a number; or it is a quantity (`250m`, `512Mi`, `30s`).
fn is_plain(text: &str, value: bool) -> bool {
    let bytes = text.as_bytes();
    let Some(first) = bytes.first() else {
        return false;
    };
    if first.is_ascii_digit() {
        return is_quantity(text);
    }
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    first.is_ascii_alphabetic()
        && bytes.iter().all(|byte| {
            byte.is_ascii_alphanumeric()
                || matches!(byte, b'.' | b'_' | b'/' | b'-')
                || (value && *byte == b':')
        })
        && !text.ends_with(':')
        && !WORDS.iter().any(|word| text.eq_ignore_ascii_case(word))
}

/// Digits and one of the units of a Kubernetes quantity or a duration.
fn is_quantity(text: &str) -> bool {
    const UNITS: &[&str] = &[
        "m", "k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "s", "ms", "h",
    ];
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let unit = &text[digits..];
    digits > 0 && UNITS.contains(&unit)
}
