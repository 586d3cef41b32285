//! The writer's text: its format, and that it reads back as the value written.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::to_string;

/// The text read back by another YAML reader.
fn read(text: &str) -> Json {
    match serde_saphyr::from_str::<Json>(text) {
        Ok(value) => value,
        Err(error) => panic!("not YAML: {error}\n{text}"),
    }
}

#[test]
fn quotes_what_a_yaml_1_1_reader_would_misread() {
    let text = to_string(&json!({
        "a": "yes", "b": "on", "c": "0755", "d": "10:30", "e": "2024-01-01", "f": "8080"
    }));
    assert_eq!(
        text,
        "a: \"yes\"\nb: \"on\"\nc: \"0755\"\nd: \"10:30\"\ne: \"2024-01-01\"\nf: \"8080\"\n"
    );
}

#[test]
fn sorts_keys_and_ends_with_one_newline() {
    let text = to_string(&json!({ "spec": { "b": 1, "a": [{ "z": 1, "x": 2 }] }, "kind": "X" }));
    assert_eq!(text, "kind: X\nspec:\n  a:\n  - x: 2\n    z: 1\n  b: 1\n");
}

#[test]
fn keeps_long_lines_on_one_line() {
    let image = format!("ghcr.io/acme/api@sha256:{}", "0".repeat(64));
    let text = to_string(&json!({ "image": image, "note": "a b ".repeat(40) }));
    assert_eq!(
        text,
        format!("image: {image}\nnote: \"{}\"\n", "a b ".repeat(40))
    );
}

#[test]
fn keeps_multi_line_text_exact() {
    let text = to_string(&json!({ "data": { "file": "a: 1\nb: two\n" } }));
    assert_eq!(text, "data:\n  file: |\n    a: 1\n    b: two\n");
}

#[test]
fn keeps_the_blank_lines_that_end_a_text_even_at_the_end_of_the_document() {
    let value = json!({ "data": { "file": "a\n\n\n" } });
    let text = to_string(&value);
    assert_eq!(text, "data:\n  file: |+\n    a\n\n\n");
    assert_eq!(read(&text), value);
}

#[test]
fn writes_a_long_key_as_an_explicit_key() {
    let key = "a b".repeat(600);
    let value = json!({ "data": { key.clone(): "x", "z": [{ key: { "b": 1 } }] } });
    assert_eq!(read(&to_string(&value)), value);
}

#[test]
fn writes_a_key_of_several_lines_on_one_line() {
    let value = json!({ "a\nb": [1], "c": 2 });
    let text = to_string(&value);
    assert_eq!(text, "\"a\\nb\":\n- 1\nc: 2\n");
    assert_eq!(read(&text), value);
}

/// An object as the emitters declare one: fields in any order, optional ones, a
/// flattened one-of, and nested lists.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a> {
    spec: Spec<'a>,
    kind: &'static str,
    api_version: &'static str,
    note: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    volumes: Vec<Volume<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<&'a str>,
    empty: Vec<&'a str>,
    labels: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Volume<'a> {
    name: &'a str,
    #[serde(flatten)]
    source: Source<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Source<'a> {
    EmptyDir {},
    ConfigMap(ConfigMapSource<'a>),
}

#[derive(Serialize)]
struct ConfigMapSource<'a> {
    name: &'a str,
}

#[test]
fn writes_typed_objects_with_sorted_keys() {
    let object = Object {
        spec: Spec {
            volumes: vec![
                Volume {
                    name: "tmp",
                    source: Source::EmptyDir {},
                },
                Volume {
                    name: "files",
                    source: Source::ConfigMap(ConfigMapSource { name: "api-config" }),
                },
            ],
            args: vec![],
            empty: vec![],
            labels: BTreeMap::from([("b", "2"), ("a", "x y")]),
        },
        kind: "Thing",
        api_version: "v1",
        note: None,
    };
    let text = to_string(&object);
    assert_eq!(
        text,
        "apiVersion: v1\nkind: Thing\nspec:\n  empty: []\n  labels:\n    a: x y\n    b: \"2\"\n  \
         volumes:\n  - emptyDir: {}\n    name: tmp\n  - configMap:\n      name: api-config\n    name: files\n"
    );
    let mut expected = serde_json::to_value(&object).unwrap_or_default();
    // `None` is left out.
    if let Some(fields) = expected.as_object_mut() {
        fields.remove("note");
    }
    assert_eq!(read(&text), expected);
}

#[test]
fn writes_empty_and_nested_collections() {
    let value = json!([[], {}, [[1, [2]], { "a": [] }], { "b": {} }, null]);
    let text = to_string(&value);
    assert_eq!(
        text,
        "- []\n- {}\n- - - 1\n    - - 2\n  - a: []\n- b: {}\n- null\n"
    );
    assert_eq!(read(&text), value);
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
        "  ",
        "#",
        "\n",
        "\n\n",
        "\t",
        "\r",
        "'",
        "\"",
        "\\",
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
        "\u{85}",
        "\u{2028}",
        "\u{feff}",
        "\u{7}",
        "{",
        "}",
        "[",
        "]",
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
        "...",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|pieces| pieces.concat())
}

fn json_value() -> impl Strategy<Value = Json> {
    json_value_with_keys(tricky().boxed())
}

/// Single-line strings made of the pieces that decide quoting.
fn one_line() -> impl Strategy<Value = String> {
    tricky().prop_map(|text| text.replace('\n', " "))
}

fn json_value_with_keys(keys: BoxedStrategy<String>) -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        tricky().prop_map(Json::String),
        any::<i64>().prop_map(Json::from),
        any::<bool>().prop_map(Json::Bool),
        (-1e6f64..1e6).prop_map(Json::from),
        Just(Json::Null),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..4)
                .prop_map(|map| Json::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    /// A string reads back exactly as it was wherever it is: alone, as a key, as a value
    /// that ends the document or is followed by another, as an item.
    #[test]
    fn every_string_reads_back_wherever_it_is(text in tricky()) {
        let values = [
            json!(text),
            json!({ "data": { "a": text, "z": [text] } }),
            json!({ "data": { "a": [text], "z": text } }),
            json!([{ text.clone(): text }, text]),
        ];
        for value in values {
            let text = to_string(&value);
            let back = serde_saphyr::from_str::<Json>(&text);
            prop_assert!(back.is_ok(), "{:?}\n{}", back, text);
            prop_assert_eq!(back.unwrap_or_default(), value, "{}", text);
        }
    }

    /// Every string, key and value reads back exactly as it was.
    #[test]
    fn reads_back_as_written(value in json_value()) {
        let text = to_string(&value);
        prop_assert!(text.ends_with('\n'));
        let back = serde_saphyr::from_str::<Json>(&text);
        prop_assert!(back.is_ok(), "{:?}\n{}", back, text);
        prop_assert_eq!(back.unwrap_or_default(), value, "{}", text);
    }

    /// The format is serde-saphyr's (sorted keys, no folding), but for keys of several
    /// lines, which it writes as blocks and this writer double-quoted on one line.
    #[test]
    fn writes_what_serde_saphyr_writes(
        entries in prop::collection::btree_map(one_line(), json_value_with_keys(one_line().boxed()), 1..5)
    ) {
        let value = Json::Object(entries.into_iter().collect());
        let options = serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX };
        let expected = serde_saphyr::to_string_with_options(&value, options);
        prop_assert!(expected.is_ok());
        prop_assert_eq!(to_string(&value), expected.unwrap_or_default());
    }
}
