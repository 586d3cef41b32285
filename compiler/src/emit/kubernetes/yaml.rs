//! YAML text of one object, written by a writer built for Kubernetes objects.
//!
//! Invariants: keys are sorted at every level, so the same object always gives the
//! same bytes; a string is written plain only when it is certainly read back as the
//! same string by a YAML 1.1 reader (the one Kubernetes uses): names, labels, images,
//! paths and quantities; any other scalar (`yes`, `on`, `0755`, `10:30`, `2024-01-01`,
//! text with spaces or several lines, a float) is written exactly as serde-saphyr
//! writes it, which quotes what a reader would take for another type, keeps a
//! single-line string on one line however long (no folded `>` scalars, which some
//! tools mishandle) and writes text of several lines as a literal `|` block. The text
//! ends with exactly one newline. Should a scalar ever come back from serde-saphyr in
//! a shape this writer does not expect, the whole object is written by serde-saphyr
//! (and if even that failed, as JSON, which is YAML too), never a panic.

use serde_json::Value as Json;

/// The YAML document of `value`.
pub(super) fn to_string(value: Json) -> String {
    let mut writer = Writer {
        out: String::with_capacity(1024),
    };
    let written = match &value {
        Json::Object(map) if !map.is_empty() => writer.entries(map, 0, false),
        _ => None,
    };
    match written {
        // As serde-saphyr's text is cut: one final newline (which shortens a `|+` block
        // that ends the document, as it always has).
        Some(()) if writer.out.ends_with("\n\n") => {
            format!("{}\n", writer.out.trim_end_matches('\n'))
        }
        Some(()) => writer.out,
        None => by_serde_saphyr(value),
    }
}

/// The document as serde-saphyr writes it.
fn by_serde_saphyr(mut value: Json) -> String {
    sort_keys(&mut value);
    let text = serde_saphyr::to_string_with_options(&value, options())
        .unwrap_or_else(|_| serde_json::to_string_pretty(&value).unwrap_or_default());
    format!("{}\n", text.trim_end_matches('\n'))
}

fn options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX }
}

/// Sorts the keys of every object in `value` (a no-op unless serde_json keeps insertion
/// order, which another crate of the build may turn on).
fn sort_keys(value: &mut Json) {
    match value {
        Json::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        Json::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Writes block-style YAML; every method returns `None` when it meets a scalar whose
/// rendering it does not recognise.
struct Writer {
    out: String,
}

impl Writer {
    fn pad(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// The entries of a map, each on its own line at `indent`; with `inline`, the first
    /// one continues the current line (after `- `).
    fn entries(
        &mut self,
        map: &serde_json::Map<String, Json>,
        indent: usize,
        inline: bool,
    ) -> Option<()> {
        let mut entries: Vec<(&String, &Json)> = map.iter().collect();
        if !entries.is_sorted_by_key(|(key, _)| *key) {
            entries.sort_by_key(|(key, _)| *key);
        }
        for (at, (key, value)) in entries.into_iter().enumerate() {
            if at > 0 || !inline {
                self.pad(indent);
            }
            self.key(key)?;
            match value {
                Json::Object(map) if map.is_empty() => self.out.push_str(": {}\n"),
                Json::Array(items) if items.is_empty() => self.out.push_str(": []\n"),
                Json::Object(map) => {
                    self.out.push_str(":\n");
                    self.entries(map, indent + 2, false)?;
                }
                Json::Array(items) => {
                    self.out.push_str(":\n");
                    self.items(items, indent)?;
                }
                scalar => {
                    self.out.push_str(": ");
                    self.scalar(scalar, indent)?;
                }
            }
        }
        Some(())
    }

    /// The items of a sequence, each on its own line at `indent` after `- `; with
    /// `inline`, the first one continues the current line.
    fn items(&mut self, items: &[Json], indent: usize) -> Option<()> {
        self.items_from(items, indent, false)
    }

    fn items_from(&mut self, items: &[Json], indent: usize, inline: bool) -> Option<()> {
        for (at, item) in items.iter().enumerate() {
            if at > 0 || !inline {
                self.pad(indent);
            }
            self.out.push_str("- ");
            match item {
                Json::Object(map) if map.is_empty() => self.out.push_str("{}\n"),
                Json::Array(items) if items.is_empty() => self.out.push_str("[]\n"),
                Json::Object(map) => self.entries(map, indent + 2, true)?,
                Json::Array(items) => self.items_from(items, indent + 2, true)?,
                scalar => self.scalar(scalar, indent)?,
            }
        }
        Some(())
    }

    fn key(&mut self, key: &str) -> Option<()> {
        if is_plain(key, false) {
            self.out.push_str(key);
            return Some(());
        }
        // A key as serde-saphyr writes it: that of a one-entry map, before `: 0`.
        let map = serde_json::Map::from_iter([(key.to_string(), Json::from(0))]);
        let text = serde_saphyr::to_string_with_options(&map, options()).ok()?;
        let written = text.strip_suffix(": 0\n")?;
        (!written.contains('\n')).then(|| self.out.push_str(written))
    }

    /// A scalar after `key: ` or `- `, with its newline; the lines of a block scalar are
    /// indented two more than `indent`.
    fn scalar(&mut self, value: &Json, indent: usize) -> Option<()> {
        match value {
            Json::Bool(value) => self.out.push_str(if *value { "true" } else { "false" }),
            Json::Number(number) if number.is_i64() || number.is_u64() => {
                self.out.push_str(&number.to_string());
            }
            Json::String(text) if is_plain(text, true) => self.out.push_str(text),
            other => {
                let text = serde_saphyr::to_string_with_options(other, options()).ok()?;
                let mut lines = text.strip_suffix('\n')?.split('\n');
                self.out.push_str(lines.next()?);
                // A block scalar's lines come indented by two at the top level.
                for line in lines {
                    self.out.push('\n');
                    if !line.is_empty() {
                        self.pad(indent + 2);
                        self.out.push_str(line.strip_prefix("  ")?);
                    }
                }
            }
        }
        self.out.push('\n');
        Some(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn quotes_what_a_yaml_1_1_reader_would_misread() {
        let text = to_string(json!({
            "a": "yes", "b": "on", "c": "0755", "d": "10:30", "e": "2024-01-01", "f": "8080"
        }));
        assert_eq!(
            text,
            "a: \"yes\"\nb: \"on\"\nc: \"0755\"\nd: \"10:30\"\ne: \"2024-01-01\"\nf: \"8080\"\n"
        );
    }

    #[test]
    fn sorts_keys_and_ends_with_one_newline() {
        let text = to_string(json!({ "spec": { "b": 1, "a": [{ "z": 1, "x": 2 }] }, "kind": "X" }));
        assert_eq!(text, "kind: X\nspec:\n  a:\n  - x: 2\n    z: 1\n  b: 1\n");
    }

    #[test]
    fn keeps_long_lines_on_one_line() {
        let image = format!("ghcr.io/acme/api@sha256:{}", "0".repeat(64));
        let text = to_string(json!({ "image": image, "note": "a b ".repeat(40) }));
        assert_eq!(
            text,
            format!("image: {image}\nnote: \"{}\"\n", "a b ".repeat(40))
        );
    }

    #[test]
    fn keeps_multi_line_text_exact() {
        let text = to_string(json!({ "data": { "file": "a: 1\nb: two\n" } }));
        assert_eq!(text, "data:\n  file: |\n    a: 1\n    b: two\n");
    }

    /// Strings made of the pieces that decide quoting.
    fn tricky() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            "Z",
            "0",
            "7",
            "-",
            ".",
            "_",
            "/",
            ":",
            " ",
            "#",
            "\n",
            "\t",
            "'",
            "\"",
            "yes",
            "On",
            "null",
            "~",
            "0x1F",
            "1e3",
            "10:30",
            "2024-01-01",
            "Mi",
            "m",
            "é",
            "{",
            "[",
            ",",
            "&",
            "*",
            "!",
            "|",
            ">",
            "%",
            "@",
            "`",
            "?",
            "---",
        ]);
        prop::collection::vec(pieces, 0..6).prop_map(|pieces| pieces.concat())
    }

    fn json_value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            tricky().prop_map(Json::String),
            any::<i64>().prop_map(Json::from),
            any::<bool>().prop_map(Json::Bool),
            (-1e6f64..1e6).prop_map(Json::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::btree_map(tricky(), inner, 0..4)
                    .prop_map(|map| Json::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn writes_what_serde_saphyr_writes(
            entries in prop::collection::btree_map(tricky(), json_value(), 1..5)
        ) {
            let value = Json::Object(entries.into_iter().collect());
            let mut writer = Writer { out: String::new() };
            if let Json::Object(map) = &value
                && !value.to_string().contains("\\n\":")
            {
                // Without a key of several lines, the writer itself writes it all.
                prop_assert!(writer.entries(map, 0, false).is_some(), "{}", value);
            }
            prop_assert_eq!(to_string(value.clone()), by_serde_saphyr(value));
        }
    }
}
