//! Values as Terraform expressions, in Terraform's JSON syntax.
//!
//! In a `*.tf.json` file a JSON string is a template: `${...}` interpolates and `%{...}`
//! is a directive. So every piece of literal text is escaped (`${` → `$${`, `%{` →
//! `%%{`) and only references that plat itself makes are interpolated.
//!
//! Invariants: a [`Deferred`] value becomes a reference (the caller decides which, see
//! [`References`]), never a literal; [`Value::Secret`] renders as the expression of the
//! value inside it, which is a reference for every value a checked program can produce.
//! A secret known at compile time cannot come from a checked program (it would be a
//! secret literal, E0402); should one reach this module it is written as `null`, never in
//! clear text. Rendering is a pure function of the value and the references.

use serde_json::Value as Json;

use crate::emit::delivery;
use crate::resolve::value::{Deferred, TemplatePart, Value};

/// How a provision-time value is referred to from the root module being written:
/// `module.shared_db.db_instance_address`,
/// `data.terraform_remote_state.shared.outputs.shared_db_password`.
pub(super) trait References {
    /// A Terraform traversal expression, without `${` `}`.
    fn reference(&self, deferred: &Deferred) -> String;
}

/// `value` as a JSON-syntax expression: strings are templates, lists are tuples, maps
/// are objects; `Absent` is `null` (a module input left to its default).
pub(super) fn json(value: &Value, refs: &dyn References) -> Json {
    match value {
        Value::String(text) | Value::Quantity(text) => Json::String(escape(text)),
        Value::Int(number) => Json::from(*number),
        Value::Bool(flag) => Json::Bool(*flag),
        Value::Float(text) => float(text),
        Value::List(items) => Json::Array(items.iter().map(|item| json(item, refs)).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| (escape(key), json(value, refs)))
                .collect(),
        ),
        Value::Template(_) | Value::Deferred(_) => Json::String(string(value, refs)),
        Value::Secret(inner) if inner.is_deferred() => json(inner, refs),
        Value::Secret(_) | Value::Absent => Json::Null,
    }
}

/// `value` as a string template: what a ConfigMap or Secret key holds. Lists and maps
/// are JSON-encoded, as [`delivery::compile_time_text`] writes them when they are known.
pub(super) fn string(value: &Value, refs: &dyn References) -> String {
    let mut out = String::new();
    push_template(&mut out, value, refs, Quoting::Json);
    out
}

/// The reference to `deferred`, interpolated: `${module.db.db_instance_address}`.
pub(super) fn interpolation(deferred: &Deferred, refs: &dyn References) -> String {
    format!("${{{}}}", refs.reference(deferred))
}

/// Literal text made safe inside a Terraform template.
pub(super) fn escape(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// A traversal: `base` followed by attribute accesses (`.fqdn`), index accesses for
/// numbers (`[0]`) and quoted keys for anything else (`["a.b"]`).
pub(super) fn traversal(base: &str, path: &[String]) -> String {
    let mut out = base.to_string();
    for segment in path {
        if super::names::is_attribute(segment) {
            out.push('.');
            out.push_str(segment);
        } else if !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            out.push_str(&format!("[{}]", hcl_string(segment)));
        }
    }
    out
}

/// Where a template is written: inside a JSON string (serde escapes it) or inside a
/// quoted string of Terraform's native syntax (escaped here).
#[derive(Clone, Copy)]
enum Quoting {
    Json,
    Native,
}

fn push_template(out: &mut String, value: &Value, refs: &dyn References, quoting: Quoting) {
    match value {
        Value::Deferred(deferred) => out.push_str(&interpolation(deferred, refs)),
        Value::Template(parts) => {
            for part in parts {
                match part {
                    TemplatePart::Text(text) => push_text(out, text, quoting),
                    TemplatePart::Value(value) => push_template(out, value, refs, quoting),
                }
            }
        }
        Value::Secret(inner) if inner.is_deferred() => push_template(out, inner, refs, quoting),
        Value::Secret(_) | Value::Absent => {}
        Value::List(_) | Value::Map(_) if value.is_deferred() => {
            out.push_str(&format!("${{jsonencode({})}}", native(value, refs)));
        }
        plain => push_text(out, &delivery::compile_time_text(plain), quoting),
    }
}

fn push_text(out: &mut String, text: &str, quoting: Quoting) {
    match quoting {
        Quoting::Json => out.push_str(&escape(text)),
        Quoting::Native => out.push_str(&native_text(text)),
    }
}

/// `value` in Terraform's native expression syntax (for `jsonencode(...)` of a list or
/// map that holds references, inside a template).
fn native(value: &Value, refs: &dyn References) -> String {
    match value {
        Value::String(text) | Value::Quantity(text) => hcl_string(text),
        Value::Int(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Float(text) => match float(text) {
            Json::Number(number) => number.to_string(),
            _ => hcl_string(text),
        },
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|item| native(item, refs)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{} = {}", hcl_string(key), native(value, refs)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Deferred(deferred) => refs.reference(deferred),
        Value::Template(_) => {
            let mut out = String::from('"');
            push_template(&mut out, value, refs, Quoting::Native);
            out.push('"');
            out
        }
        Value::Secret(inner) if inner.is_deferred() => native(inner, refs),
        Value::Secret(_) | Value::Absent => "null".to_string(),
    }
}

/// A quoted string of the native syntax holding `text` literally.
fn hcl_string(text: &str) -> String {
    format!("\"{}\"", native_text(text))
}

/// Literal text inside a quoted string of the native syntax: template escapes and
/// string escapes.
fn native_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A float as written, as a JSON number when it is one (else as a string).
fn float(text: &str) -> Json {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Json::Number)
        .unwrap_or_else(|_| Json::String(escape(text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Local;

    impl References for Local {
        fn reference(&self, deferred: &Deferred) -> String {
            match deferred {
                Deferred::ModuleOutput { instance, path } => {
                    traversal(&format!("module.{instance}"), path)
                }
                Deferred::GeneratedPassword { instance } => {
                    format!("random_password.{instance}.result")
                }
            }
        }
    }

    fn output(instance: &str, path: &[&str]) -> Value {
        Value::Deferred(Box::new(Deferred::ModuleOutput {
            instance: instance.into(),
            path: path.iter().map(|s| s.to_string()).collect(),
        }))
    }

    #[test]
    fn literal_text_is_escaped() {
        assert_eq!(
            json(&Value::String("a ${b} %{c} $${d}".into()), &Local),
            Json::String("a $${b} %%{c} $$${d}".into())
        );
    }

    #[test]
    fn deferred_values_are_references() {
        assert_eq!(
            json(&output("db", &["records", "route", "fqdn"]), &Local),
            Json::String("${module.db.records.route.fqdn}".into())
        );
        assert_eq!(
            traversal("module.db", &["0".into(), "a.b".into()]),
            "module.db[0][\"a.b\"]"
        );
    }

    #[test]
    fn templates_interpolate_references_and_escape_text() {
        let template = Value::Template(vec![
            TemplatePart::Text("postgres://${user}:".into()),
            TemplatePart::Value(Value::Secret(Box::new(Value::Deferred(Box::new(
                Deferred::GeneratedPassword {
                    instance: "db".into(),
                },
            ))))),
            TemplatePart::Text("@".into()),
            TemplatePart::Value(output("db", &["host"])),
            TemplatePart::Text(":".into()),
            TemplatePart::Value(Value::Int(5432)),
        ]);
        assert_eq!(
            string(&template, &Local),
            "postgres://$${user}:${random_password.db.result}@${module.db.host}:5432"
        );
    }

    #[test]
    fn a_secret_known_at_compile_time_is_never_written() {
        let secret = Value::Secret(Box::new(Value::String("hunter2".into())));
        assert_eq!(json(&secret, &Local), Json::Null);
        assert_eq!(string(&secret, &Local), "");
    }

    #[test]
    fn lists_with_references_are_json_encoded_in_strings() {
        let list = Value::map(BTreeMap::from([(
            "hosts".to_string(),
            Value::list(vec![output("db", &["host"]), Value::String("a\"b".into())]),
        )]));
        assert_eq!(
            string(&list, &Local),
            "${jsonencode({\"hosts\" = [module.db.host, \"a\\\"b\"]})}"
        );
    }

    #[test]
    fn scalars() {
        assert_eq!(json(&Value::Int(3), &Local), Json::from(3));
        assert_eq!(json(&Value::Float("0.5".into()), &Local), Json::from(0.5));
        assert_eq!(json(&Value::Bool(true), &Local), Json::Bool(true));
        assert_eq!(json(&Value::Absent, &Local), Json::Null);
        assert_eq!(
            json(&Value::Quantity("10Gi".into()), &Local),
            Json::String("10Gi".into())
        );
    }
}
