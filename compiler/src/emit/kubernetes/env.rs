//! A container's environment variables, each delivered as [`delivery::env_var`]
//! decides.
//!
//! Invariants: a secret reaches the container only through a `secretKeyRef` to the
//! Secret that the owner's Terraform writes; a plain provision-time value through a
//! `configMapKeyRef`; only a plain compile-time value is written inline. A value that
//! was left out ([`Value::Absent`]) sets no variable. Variables are sorted by name.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::emit::delivery::{self, Delivery};
use crate::resolve::value::Value;

/// The `env` list of a container of `owner` (a workload, or an instance's object name).
pub(super) fn variables(owner: &str, env: &BTreeMap<String, Value>) -> Vec<Json> {
    env.iter()
        .filter(|(_, value)| !matches!(value, Value::Absent))
        .map(|(name, value)| variable(name, delivery::env_var(owner, name, value)))
        .collect()
}

fn variable(name: &str, delivery: Delivery) -> Json {
    match delivery {
        Delivery::Inline(text) => json!({ "name": name, "value": text }),
        Delivery::PlatConfigMap { name: map, key }
        | Delivery::ProvisionedConfigMap { name: map, key } => json!({
            "name": name,
            "valueFrom": { "configMapKeyRef": { "name": map, "key": key } },
        }),
        Delivery::ProvisionedSecret { name: secret, key } => json!({
            "name": name,
            "valueFrom": { "secretKeyRef": { "name": secret, "key": key } },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::value::{Deferred, TemplatePart};

    fn password() -> Value {
        Value::Secret(Box::new(Value::Deferred(Deferred::GeneratedPassword {
            instance: "api.db".into(),
        })))
    }

    #[test]
    fn delivers_each_value_where_delivery_says() {
        let env = BTreeMap::from([
            ("PORT".to_string(), Value::Int(8080)),
            (
                "DB_HOST".to_string(),
                Value::Deferred(Deferred::ModuleOutput {
                    instance: "api.db".into(),
                    path: vec!["address".into()],
                }),
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
            Json::Array(variables("api", &env)),
            json!([
                { "name": "DB_HOST", "valueFrom": { "configMapKeyRef": { "name": "api-provisioned", "key": "DB_HOST" } } },
                { "name": "DB_URL", "valueFrom": { "secretKeyRef": { "name": "api-secrets", "key": "DB_URL" } } },
                { "name": "PORT", "value": "8080" },
            ])
        );
    }
}
