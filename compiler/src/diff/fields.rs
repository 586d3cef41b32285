//! What changed inside one object: the paths of the fields that differ between two JSON
//! values, with their old and new values.
//!
//! Invariants: paths are written the way people read them (`spec.replicas`,
//! `containers[main].image`: a list whose items all have a distinct `name` is matched by
//! name, any other list by position); fields are compared in key order, so the result is
//! the same on every run; recursion is bounded ([`MAX_DEPTH`]) and so is the number of
//! paths kept per object ([`MAX_FIELDS`], the rest counted); values are shown as compact
//! JSON, cut to [`MAX_VALUE`] characters.

use serde::Serialize;
use serde_json::Value as Json;

/// How deeply values are compared; deeper differences are reported at this depth.
const MAX_DEPTH: usize = 64;
/// How many changed fields of one object are listed.
pub const MAX_FIELDS: usize = 50;
/// How many characters of a value are shown.
const MAX_VALUE: usize = 120;

/// One field that differs: its path, and its value on each side (`None` where absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The fields that differ between `old` and `new`, and how many more there were than
/// are listed.
pub fn changes(old: &Json, new: &Json) -> (Vec<FieldChange>, usize) {
    let mut found = Vec::new();
    let mut more = 0;
    compare(old, new, String::new(), 0, &mut found, &mut more);
    (found, more)
}

fn compare(
    old: &Json,
    new: &Json,
    path: String,
    depth: usize,
    found: &mut Vec<FieldChange>,
    more: &mut usize,
) {
    if old == new {
        return;
    }
    if depth < MAX_DEPTH {
        match (old, new) {
            (Json::Object(a), Json::Object(b)) => {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for key in keys {
                    let child = join(&path, key);
                    match (a.get(key), b.get(key)) {
                        (Some(x), Some(y)) => compare(x, y, child, depth + 1, found, more),
                        (x, y) => push(found, more, child, x, y),
                    }
                }
                return;
            }
            (Json::Array(a), Json::Array(b)) => {
                compare_lists(a, b, &path, depth, found, more);
                return;
            }
            _ => {}
        }
    }
    push(found, more, path, Some(old), Some(new));
}

/// Lists whose items all have a distinct `name` are matched by name; others by position.
fn compare_lists(
    a: &[Json],
    b: &[Json],
    path: &str,
    depth: usize,
    found: &mut Vec<FieldChange>,
    more: &mut usize,
) {
    if let (Some(a_named), Some(b_named)) = (named(a), named(b)) {
        let names: std::collections::BTreeSet<&str> =
            a_named.keys().chain(b_named.keys()).copied().collect();
        for name in names {
            let child = format!("{path}[{name}]");
            match (a_named.get(name), b_named.get(name)) {
                (Some(x), Some(y)) => compare(x, y, child, depth + 1, found, more),
                (x, y) => push(found, more, child, x.copied(), y.copied()),
            }
        }
        return;
    }
    for at in 0..a.len().max(b.len()) {
        let child = format!("{path}[{at}]");
        match (a.get(at), b.get(at)) {
            (Some(x), Some(y)) => compare(x, y, child, depth + 1, found, more),
            (x, y) => push(found, more, child, x, y),
        }
    }
}

/// The items of a list by their `name`, when every item has a distinct one.
fn named(items: &[Json]) -> Option<std::collections::BTreeMap<&str, &Json>> {
    let mut by_name = std::collections::BTreeMap::new();
    for item in items {
        let name = item.get("name")?.as_str()?;
        if by_name.insert(name, item).is_some() {
            return None;
        }
    }
    (!by_name.is_empty()).then_some(by_name)
}

fn join(path: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if simple {
        key.to_string()
    } else {
        format!("{:?}", key)
    };
    if path.is_empty() {
        key
    } else if simple {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key}]")
    }
}

fn push(
    found: &mut Vec<FieldChange>,
    more: &mut usize,
    path: String,
    old: Option<&Json>,
    new: Option<&Json>,
) {
    if found.len() >= MAX_FIELDS {
        *more += 1;
        return;
    }
    found.push(FieldChange {
        path: if path.is_empty() {
            "(the whole value)".to_string()
        } else {
            path
        },
        old: old.map(shown),
        new: new.map(shown),
    });
}

/// A value as compact JSON, cut to [`MAX_VALUE`] characters.
pub fn shown(value: &Json) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_VALUE {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_fields_that_differ() {
        let old = json!({ "spec": { "replicas": 2, "template": { "containers": [
            { "name": "main", "image": "a:1" }, { "name": "side", "image": "b:1" } ] } } });
        let new = json!({ "spec": { "replicas": 3, "template": { "containers": [
            { "name": "main", "image": "a:2" }, { "name": "side", "image": "b:1" } ] } } });
        let (found, more) = changes(&old, &new);
        assert_eq!(more, 0);
        let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["spec.replicas", "spec.template.containers[main].image"]
        );
        assert_eq!(found[1].old.as_deref(), Some("\"a:1\""));
        assert_eq!(found[1].new.as_deref(), Some("\"a:2\""));
    }

    #[test]
    fn added_and_removed_fields_and_odd_keys() {
        let old = json!({ "labels": { "app.kubernetes.io/name": "a" }, "gone": 1 });
        let new = json!({ "labels": { "app.kubernetes.io/name": "b" }, "list": [1, 2] });
        let (found, _) = changes(&old, &new);
        let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["gone", "labels[\"app.kubernetes.io/name\"]", "list"]
        );
        assert_eq!(found[0].new, None);
    }

    #[test]
    fn long_values_and_many_fields_are_cut() {
        let old = json!({ "text": "x".repeat(500) });
        let new = json!({ "text": "y".repeat(500) });
        let (found, _) = changes(&old, &new);
        assert!(found[0].old.as_deref().is_some_and(|v| v.ends_with('…')));
        let old = Json::Object((0..80).map(|i| (format!("k{i:02}"), json!(i))).collect());
        let (found, more) = changes(&old, &json!({}));
        assert_eq!((found.len(), more), (MAX_FIELDS, 30));
    }
}
