//! Scopes of evaluation: the names an expression may read, with their values.
//!
//! Invariants: a scope maps each name to an already evaluated [`Value`] (a resource to
//! the record of its outputs, another workload to its address, `params`, `self` and
//! `env` to records), so evaluating never calls back into resolution; `module` is the
//! only name that is not a value but a place: the Terraform module of the instance
//! being provisioned, whose outputs are [`crate::resolve::value::Deferred`]. Names are
//! kept in a `BTreeMap`, so a scope is deterministic and a later binding replaces an
//! earlier one of the same name.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::resolve::instance_id::InstanceId;
use crate::resolve::value::Value;

/// The names visible to an expression.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    values: BTreeMap<String, Value>,
    /// Names shared with other scopes, looked up after `values`.
    globals: Arc<BTreeMap<String, Value>>,
    /// In a Terraform implementation: the id of the instance whose module `module.*`
    /// reads.
    module: Option<InstanceId>,
}

impl Scope {
    pub(crate) fn new() -> Scope {
        Scope::default()
    }

    /// Binds `name` to `value`, replacing an earlier binding of the same name.
    pub(crate) fn bind(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    /// A scope whose names, after its own, are `globals` (shared, not copied).
    pub(crate) fn with_globals(globals: Arc<BTreeMap<String, Value>>) -> Scope {
        Scope {
            globals,
            ..Scope::default()
        }
    }

    /// The same scope, with `module.*` reading the module of `instance`.
    pub(crate) fn with_module(mut self, instance: InstanceId) -> Scope {
        self.module = Some(instance);
        self
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).or_else(|| self.globals.get(name))
    }

    /// The instance whose Terraform module `module` names, if any.
    pub(crate) fn module(&self) -> Option<&InstanceId> {
        self.module.as_ref()
    }
}

/// A record value from `(name, value)` pairs.
pub(crate) fn record<I, K>(fields: I) -> Value
where
    I: IntoIterator<Item = (K, Value)>,
    K: Into<String>,
{
    Value::map(
        fields
            .into_iter()
            .map(|(name, value)| (name.into(), value))
            .collect(),
    )
}

/// A string value, or nothing when `text` is `None`.
pub(crate) fn optional_text(text: Option<&str>) -> Value {
    text.map_or(Value::Absent, |text| Value::String(text.to_string()))
}
