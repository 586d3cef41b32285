//! Reading a Score file: YAML into a tree whose every node knows where it is.
//!
//! Invariants: every [`Node`] and every mapping [`Key`] carries the byte range of its
//! text in the file, so that any later diagnostic points at the offending node; the
//! parser's budget bounds depth and size, so hostile input is refused, never followed.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use crate::span::TextRange;

/// A YAML value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub range: TextRange,
    pub value: Value,
}

/// A mapping key (always a scalar in Score) and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub text: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// Why a file is not YAML, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub range: TextRange,
}

/// The most nodes a Score file may have: real ones have a few hundred.
const MAX_NODES: usize = 20_000;
/// The most aliases (`*name`) a Score file may use.
const MAX_ALIASES: usize = 1_000;

/// Parses one YAML document.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_nodes = MAX_NODES;
    budget.max_aliases = MAX_ALIASES;
    let mut options = serde_saphyr::options::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    match serde_saphyr::from_str_with_options::<Spanned<Value>>(text, options) {
        Ok(spanned) => Ok(clamped(raw_node(spanned), text)),
        Err(error) => {
            let at = error
                .location()
                .map_or(0, |location| offset_of(&location, text));
            let message = error.to_string();
            // The position is shown by the label: keep only the reason.
            let reason = message
                .split(" at line ")
                .next()
                .unwrap_or("not valid YAML");
            let reason = if reason.starts_with("budget breached") {
                format!("the file is too large or too deeply nested for a Score file ({reason})")
            } else {
                reason.to_string()
            };
            Err(YamlError {
                message: reason,
                range: TextRange::empty(at),
            })
        }
    }
}

/// The byte offset of a location: its byte offset when known, else its line and
/// (character) column.
fn offset_of(location: &Location, text: &str) -> u32 {
    if let Some(offset) = location.span().byte_offset() {
        return clamp(offset, text);
    }
    let line = usize::try_from(location.line()).unwrap_or(0).max(1);
    let column = usize::try_from(location.column()).unwrap_or(0).max(1);
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let line_text = text.get(start..).unwrap_or_default();
    let within: usize = line_text
        .chars()
        .take_while(|c| *c != '\n')
        .take(column - 1)
        .map(char::len_utf8)
        .sum();
    clamp((start + within) as u64, text)
}

fn clamp(offset: u64, text: &str) -> u32 {
    let mut at = (offset as usize).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at as u32
}

/// Keeps every range inside `text` and on character boundaries.
fn clamped(mut node: Node, text: &str) -> Node {
    node.range = TextRange::new(
        clamp(u64::from(node.range.start), text),
        clamp(u64::from(node.range.end), text),
    );
    node.value = match node.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|n| clamped(n, text)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(mut key, value)| {
                    key.range = TextRange::new(
                        clamp(u64::from(key.range.start), text),
                        clamp(u64::from(key.range.end), text),
                    );
                    (key, clamped(value, text))
                })
                .collect(),
        ),
        other => other,
    };
    node
}

impl Value {
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The scalar as text, as YAML would print it.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Bool(value) => Some(value.to_string()),
            Value::Int(value) => Some(value.to_string()),
            Value::Float(value) => Some(value.to_string()),
            Value::String(value) => Some(value.clone()),
            _ => None,
        }
    }
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, node)| node)
    }

    /// The entries of a mapping; none for anything else.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The node as JSON, for schema validation.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => Json::from(*value),
            Value::Float(value) => serde_json::Number::from_f64(*value)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            Value::String(value) => Json::String(value.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(key, node)| (key.text.clone(), node.to_json()))
                    .collect(),
            ),
        }
    }

    /// The node at a JSON pointer (`/containers/main/image`), or the deepest one on
    /// the way.
    pub fn at_pointer(&self, pointer: &str) -> &Node {
        let mut node = self;
        for part in pointer.split('/').skip(1) {
            let part = part.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(entries) => entries.iter().find(|(k, _)| k.text == part).map(|(_, n)| n),
                Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }

    /// The key of the entry at a JSON pointer, when it names a mapping entry.
    pub fn key_at_pointer(&self, pointer: &str) -> Option<&Key> {
        let (parent, last) = pointer.rsplit_once('/')?;
        let last = last.replace("~1", "/").replace("~0", "~");
        self.at_pointer(parent)
            .entries()
            .iter()
            .find(|(k, _)| k.text == last)
            .map(|(k, _)| k)
    }
}

/// Deserializes any YAML value, with a span for every child.
struct ValueVisitor;

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(raw_node(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Value>>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            let text = key.value.scalar_text().unwrap_or_default();
            entries.push((
                Key {
                    text,
                    range: raw_range(&key.referenced),
                },
                raw_node(value),
            ));
        }
        Ok(Value::Map(entries))
    }
}

fn raw_range(location: &Location) -> TextRange {
    let span = location.span();
    let start = span.byte_offset().unwrap_or(0);
    let end = start + span.byte_len().unwrap_or(0);
    TextRange::new(
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(end).unwrap_or(u32::MAX),
    )
}

fn raw_node(spanned: Spanned<Value>) -> Node {
    Node {
        range: raw_range(&spanned.referenced),
        value: spanned.value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_ranges() {
        let text = "a: 1\nb:\n  c: \"x\"\n  d: [1, two]\n";
        let root = parse(text).unwrap();
        let c = root.get("b").unwrap().get("c").unwrap();
        assert_eq!(&text[c.range.as_range()], "\"x\"");
        let d = root.at_pointer("/b/d/1");
        assert_eq!(&text[d.range.as_range()], "two");
        let key = root.key_at_pointer("/b/d").unwrap();
        assert_eq!(&text[key.range.as_range()], "d");
        assert_eq!(root.get("a").unwrap().value, Value::Int(1));
    }
}
