//! YAML text of one object, written straight from its typed form by a writer built for
//! Kubernetes objects: no intermediate tree.
//!
//! The writer is a [`serde::Serializer`], so an object is any type that derives
//! `Serialize` (with `#[serde(rename_all = "camelCase")]` for Kubernetes' field names).
//!
//! Invariants:
//! - Keys are sorted at every level (by bytes, whatever order a struct declares its
//!   fields in), so the same object always gives the same bytes.
//! - A field whose value is `None` is left out; an empty list or map is written `[]` or
//!   `{}` unless its field says `skip_serializing_if`.
//! - Every string reads back as exactly the same string, in a YAML 1.1 reader (the one
//!   Kubernetes uses) as in a YAML 1.2 one: it is written plain only when it is certainly
//!   read back as that string (names, labels, images, paths and quantities); any other
//!   scalar (`yes`, `on`, `0755`, `10:30`, `2024-01-01`, text with spaces or several
//!   lines, a float) is written as serde-saphyr writes it, which quotes what a reader
//!   would take for another type, keeps a single-line string on one line however long
//!   (no folded `>` scalars, which some tools mishandle) and writes text of several lines
//!   as a literal `|` block, with its trailing newlines kept (`|+`) even at the end of
//!   the document.
//! - The text ends with a newline (after the blank lines of a `|+` block that ends it).
//!   Nothing panics: a value the writer cannot write as YAML blocks (an enum variant
//!   with fields, a key that is not a string) is written as JSON, which is YAML too.

mod scalar;
mod serializer;
#[cfg(test)]
mod tests;

use serde::Serialize;

/// The YAML document of `value`.
pub(super) fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut writer = serializer::Writer::default();
    match value.serialize(writer.document()) {
        Ok(_) => writer.into_text(),
        Err(_) => {
            let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}
