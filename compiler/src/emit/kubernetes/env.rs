//! A container's environment variables, each delivered as [`delivery::env_var`]
//! decides.
//!
//! Invariants: a secret reaches the container only through a `secretKeyRef` to the
//! Secret that the owner's Terraform writes; a plain provision-time value through a
//! `configMapKeyRef`; only a plain compile-time value is written inline. A value that
//! was left out ([`Value::Absent`]) sets no variable. Variables are sorted by name.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::delivery::{self, Delivery};
use crate::resolve::value::Value;

/// An environment variable of a container.
#[derive(Debug, Serialize)]
pub(super) struct EnvVar<'a> {
    pub name: &'a str,
    #[serde(flatten)]
    pub source: EnvSource,
}

/// Where a variable's value is: written inline, or read from a key of a ConfigMap or
/// Secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum EnvSource {
    Value(String),
    ValueFrom(KeyRef),
}

/// A key of a ConfigMap or a Secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum KeyRef {
    ConfigMapKeyRef(KeySelector),
    SecretKeyRef(KeySelector),
}

#[derive(Debug, Serialize)]
pub(super) struct KeySelector {
    pub key: String,
    pub name: String,
}

/// The `env` list of a container of `owner` (a workload, or an instance's object name).
pub(super) fn variables<'a>(owner: &str, env: &'a BTreeMap<String, Value>) -> Vec<EnvVar<'a>> {
    env.iter()
        .filter(|(_, value)| !matches!(value, Value::Absent))
        .map(|(name, value)| EnvVar {
            name,
            source: source(delivery::env_var(owner, name, value)),
        })
        .collect()
}

fn source(delivery: Delivery) -> EnvSource {
    match delivery {
        Delivery::Inline(text) => EnvSource::Value(text),
        Delivery::PlatConfigMap { name, key } | Delivery::ProvisionedConfigMap { name, key } => {
            EnvSource::ValueFrom(KeyRef::ConfigMapKeyRef(KeySelector { key, name }))
        }
        Delivery::ProvisionedSecret { name, key } => {
            EnvSource::ValueFrom(KeyRef::SecretKeyRef(KeySelector { key, name }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::value::{Deferred, TemplatePart};
    use serde_json::json;

    fn password() -> Value {
        Value::Secret(Box::new(Value::Deferred(Box::new(
            Deferred::GeneratedPassword {
                instance: "api.db".into(),
            },
        ))))
    }

    #[test]
    fn delivers_each_value_where_delivery_says() {
        let env = BTreeMap::from([
            ("PORT".to_string(), Value::Int(8080)),
            (
                "DB_HOST".to_string(),
                Value::Deferred(Box::new(Deferred::ModuleOutput {
                    instance: "api.db".into(),
                    path: vec!["address".into()],
                })),
            ),
            (
                "DB_URL".to_string(),
                Value::Template(vec![
                    TemplatePart::Text("postgres://app:".into()),
                    TemplatePart::Value(password()),
                ]),
            ),
            ("UNSET".to_string(), Value::Absent),
        ]);
        assert_eq!(
            serde_json::to_value(variables("api", &env)).unwrap_or_default(),
            json!([
                { "name": "DB_HOST", "valueFrom": { "configMapKeyRef": { "name": "api-provisioned", "key": "DB_HOST" } } },
                { "name": "DB_URL", "valueFrom": { "secretKeyRef": { "name": "api-secrets", "key": "DB_URL" } } },
                { "name": "PORT", "value": "8080" },
            ])
        );
    }
}
