//! YAML text of one object, through serde-saphyr.
//!
//! Invariants: keys are sorted at every level, so the same object always gives the
//! same bytes; strings that a YAML 1.1 reader (the one Kubernetes uses) would take for
//! another type (`yes`, `on`, `0755`, `10:30`, `2024-01-01`) are quoted by the
//! serializer; a single-line string stays on one line however long (no folded `>`
//! scalars, which some tools mishandle), and text of several lines is a literal `|`
//! block that keeps it exactly; the text ends with exactly one newline. Serializing a JSON value cannot
//! really fail; if it ever did, the object is written as JSON, which is YAML too,
//! rather than panicking.

use serde_json::Value as Json;

/// The YAML document of `value`.
pub(super) fn to_string(mut value: Json) -> String {
    sort_keys(&mut value);
    let options = serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX };
    let text = serde_saphyr::to_string_with_options(&value, options)
        .unwrap_or_else(|_| serde_json::to_string_pretty(&value).unwrap_or_default());
    format!("{}\n", text.trim_end_matches('\n'))
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
