//! Values: what an expression evaluates to once an environment is chosen.
//!
//! Invariants: a value known at compile time is plain data; a value known only after
//! provisioning is a [`Deferred`] reference to where it will become known (a Terraform
//! module output or a generated password); a value that is secret is wrapped in
//! [`Value::Secret`], and anything built from a secret is wrapped too, so an emitter can
//! tell from the value alone where it may go. Maps are ordered (BTreeMap) so that every
//! artefact built from values is deterministic. Lists and maps are shared (`Arc`): a
//! value is immutable once built, so a copy of it (into a scope, a record, the model)
//! is a reference count, never a copy of the tree.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::resolve::instance_id::InstanceId;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    String(String),
    Int(i64),
    /// As written: floats are passed through, never computed with.
    Float(String),
    Bool(bool),
    /// A quantity as written: `250m`, `512Mi`, `30s`.
    Quantity(String),
    List(Arc<[Value]>),
    Map(Arc<BTreeMap<String, Value>>),
    /// A string built by interpolation, some of whose parts are known only after
    /// provisioning. (When every part is known, interpolation yields a `String`.)
    Template(Vec<TemplatePart>),
    /// Known only after provisioning. Boxed: it is rare, and the largest variant would
    /// otherwise set the size of every value.
    Deferred(Box<Deferred>),
    /// A secret value: never written in clear text to an artefact, a log or the graph.
    Secret(Box<Value>),
    /// An optional value that was left out.
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    Text(String),
    Value(Value),
}

/// Where a provision-time value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deferred {
    /// An output of the Terraform module that provisions `instance`; `path` is the
    /// output name followed by any attribute accesses (`records.route.fqdn`).
    ModuleOutput {
        instance: InstanceId,
        path: Vec<String>,
    },
    /// A password that plat has Terraform generate for `instance`.
    GeneratedPassword { instance: InstanceId },
}

impl Deferred {
    /// The instance whose provisioning the value comes from.
    pub fn instance(&self) -> &InstanceId {
        match self {
            Deferred::ModuleOutput { instance, .. } | Deferred::GeneratedPassword { instance } => {
                instance
            }
        }
    }
}

impl Value {
    /// A map value of `entries`.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Arc::new(entries))
    }

    /// A list value of `items`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items.into())
    }

    /// The provision-time references inside the value, in order, with repeats.
    pub fn deferreds(&self) -> Vec<Deferred> {
        let mut found = Vec::new();
        self.collect_deferreds(&mut found);
        found
    }

    fn collect_deferreds(&self, found: &mut Vec<Deferred>) {
        match self {
            Value::Deferred(deferred) => found.push((**deferred).clone()),
            Value::Secret(inner) => inner.collect_deferreds(found),
            Value::List(items) => items.iter().for_each(|item| item.collect_deferreds(found)),
            Value::Map(entries) => entries
                .values()
                .for_each(|entry| entry.collect_deferreds(found)),
            Value::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Value(value) = part {
                        value.collect_deferreds(found);
                    }
                }
            }
            Value::String(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Bool(_)
            | Value::Quantity(_)
            | Value::Absent => {}
        }
    }

    /// Whether the value, or anything inside it, is secret.
    pub fn is_secret(&self) -> bool {
        match self {
            Value::Secret(_) => true,
            Value::List(items) => items.iter().any(Value::is_secret),
            Value::Map(entries) => entries.values().any(Value::is_secret),
            Value::Template(parts) => parts.iter().any(|part| match part {
                TemplatePart::Text(_) => false,
                TemplatePart::Value(value) => value.is_secret(),
            }),
            _ => false,
        }
    }

    /// Whether the value, or anything inside it, is known only after provisioning.
    pub fn is_deferred(&self) -> bool {
        match self {
            Value::Deferred(_) | Value::Template(_) => true,
            Value::Secret(inner) => inner.is_deferred(),
            Value::List(items) => items.iter().any(Value::is_deferred),
            Value::Map(entries) => entries.values().any(Value::is_deferred),
            _ => false,
        }
    }

    /// The value without its secret wrapper(s).
    pub fn revealed(&self) -> &Value {
        match self {
            Value::Secret(inner) => inner.revealed(),
            other => other,
        }
    }

    /// The text of a compile-time scalar (`String`, `Int`, `Float`, `Bool`,
    /// `Quantity`), for places that take text; `None` for anything else.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::String(text) | Value::Float(text) | Value::Quantity(text) => Some(text.clone()),
            Value::Int(value) => Some(value.to_string()),
            Value::Bool(value) => Some(value.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;

    /// Maps and lists of values fill the memos of every resolution: a value stays the
    /// size of a string and its tag, its rare large variants boxed.
    #[test]
    fn a_value_is_the_size_of_a_string_and_a_tag() {
        assert!(std::mem::size_of::<Value>() <= 32);
    }
}
