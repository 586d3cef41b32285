//! How each value reaches a container: the one place that decides it, read by both the
//! Kubernetes and the Terraform emitters so that the names they write always agree.
//!
//! Invariants: a secret value never goes inline or into a ConfigMap; it is delivered
//! through the Secret that the Terraform of the owner's root module writes (so it never
//! passes through a file in git). A plain value known only after provisioning goes
//! through a ConfigMap that the same Terraform writes. A plain compile-time value is
//! inline (environment variables) or in the ConfigMap that plat writes (files).
//! A workload's ServiceAccount is written by plat when its annotations are known at
//! compile time, and by the workload's Terraform when one is known only after
//! provisioning (a cloud role's ARN), so that pods are never created before it carries
//! them. A resource that containers mount is the PersistentVolumeClaim named after its
//! instance: written by plat for an in-cluster instance, and for one provisioned by
//! Terraform, by that Terraform, bound to a PersistentVolume of the CSI volume that its
//! implementation's `mount` names ([`mounted_volume`]).

use std::collections::BTreeMap;

use crate::resolve::model::{CsiVolume, Instance, Provisioning, ResolvedWorkload};
use crate::resolve::naming::Carrier;
use crate::resolve::value::Value;

/// Who writes a workload's ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAccount {
    /// plat, beside the Deployment, with these annotations.
    Plat(BTreeMap<String, String>),
    /// The workload's Terraform, after provisioning what its annotations refer to.
    Terraform,
}

/// Who writes the ServiceAccount of `workload`. A secret annotation is never written
/// anywhere (the checker refuses one before this is reached).
pub fn service_account(workload: &ResolvedWorkload) -> ServiceAccount {
    let annotations = &workload.service_account_annotations;
    if annotations
        .values()
        .any(|value| value.is_deferred() && !value.is_secret())
    {
        return ServiceAccount::Terraform;
    }
    ServiceAccount::Plat(
        annotations
            .iter()
            .filter(|(_, value)| !value.is_secret())
            .map(|(key, value)| (key.clone(), compile_time_text(value)))
            .collect(),
    )
}

/// Where one value is delivered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Written in the manifest as it is: a plain compile-time environment variable.
    Inline(String),
    /// A key of the ConfigMap that plat writes beside the workload.
    PlatConfigMap { name: String, key: String },
    /// A key of the ConfigMap that the owner's Terraform writes after provisioning.
    ProvisionedConfigMap { name: String, key: String },
    /// A key of the Secret that the owner's Terraform writes.
    ProvisionedSecret { name: String, key: String },
}

/// The ConfigMap plat writes for `owner` (a workload or an in-cluster instance).
pub fn config_map_name(owner: &str) -> String {
    format!("{owner}-config")
}

/// The ConfigMap the owner's Terraform writes with plain provision-time values.
pub fn provisioned_config_map_name(owner: &str) -> String {
    format!("{owner}-provisioned")
}

/// The Secret the owner's Terraform writes with secret values.
pub fn provisioned_secret_name(owner: &str) -> String {
    format!("{owner}-secrets")
}

/// The CSI volume that a mounted instance provisioned by Terraform offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountedVolume<'a> {
    pub volume: &'a CsiVolume,
    /// The instance's `size` param, as written, when it has one.
    pub size: Option<String>,
}

/// The CSI volume of `instance`, when its implementation says how to mount it.
pub fn mounted_volume(instance: &Instance) -> Option<MountedVolume<'_>> {
    let Provisioning::Terraform(module) = &instance.provisioning else {
        return None;
    };
    Some(MountedVolume {
        volume: module.volume.as_ref()?,
        size: instance
            .params
            .get("size")
            .filter(|value| !value.is_deferred() && !value.is_secret())
            .map(compile_time_text),
    })
}

/// The PersistentVolume that holds the volume of the instance `object_name` in the
/// namespace `namespace`: volumes belong to the cluster, so the name carries the
/// namespace.
pub fn persistent_volume_name(namespace: &str, object_name: &str) -> String {
    format!("{namespace}-{object_name}")
}

/// How the environment variable `key` of `owner` is delivered.
pub fn env_var(owner: &str, key: &str, value: &Value) -> Delivery {
    match Carrier::of_env(value) {
        Some(carrier) => carried(carrier, owner, key.to_string()),
        None => Delivery::Inline(compile_time_text(value)),
    }
}

/// How the file at `path` of `owner` is delivered; files are mounted, never inline.
pub fn file(owner: &str, path: &str, value: &Value) -> Delivery {
    carried(Carrier::of_file(value), owner, file_key(path))
}

/// The key `key` of the object of `owner` that `carrier` names.
fn carried(carrier: Carrier, owner: &str, key: String) -> Delivery {
    match carrier {
        Carrier::ProvisionedSecret => Delivery::ProvisionedSecret {
            name: provisioned_secret_name(owner),
            key,
        },
        Carrier::ProvisionedConfigMap => Delivery::ProvisionedConfigMap {
            name: provisioned_config_map_name(owner),
            key,
        },
        Carrier::PlatConfigMap => Delivery::PlatConfigMap {
            name: config_map_name(owner),
            key,
        },
    }
}

/// A ConfigMap or Secret key for a file path: `/etc/app/config.yaml` →
/// `file.etc.app.config.yaml` (keys may hold only `[-._a-zA-Z0-9]`).
pub fn file_key(path: &str) -> String {
    crate::resolve::naming::file_key(path)
}

/// The text of a plain compile-time value, as an environment variable or a file holds
/// it: scalars as written, lists and maps as JSON.
pub fn compile_time_text(value: &Value) -> String {
    if let Some(text) = value.as_text() {
        return text;
    }
    serde_json::to_string(&compile_time_json(value)).unwrap_or_default()
}

fn compile_time_json(value: &Value) -> serde_json::Value {
    match value {
        Value::List(items) => items.iter().map(compile_time_json).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|(key, value)| (key.clone(), compile_time_json(value)))
            .collect(),
        Value::Int(value) => (*value).into(),
        Value::Bool(value) => (*value).into(),
        Value::Absent => serde_json::Value::Null,
        other => other.as_text().unwrap_or_default().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::value::Deferred;

    #[test]
    fn secrets_go_through_the_provisioned_secret() {
        let password = Value::Secret(Box::new(Value::Deferred(Box::new(
            Deferred::GeneratedPassword {
                instance: "api.db".into(),
            },
        ))));
        assert_eq!(
            env_var("api", "DB_PASSWORD", &password),
            Delivery::ProvisionedSecret {
                name: "api-secrets".to_string(),
                key: "DB_PASSWORD".to_string()
            }
        );
    }

    #[test]
    fn plain_provision_time_values_go_through_the_provisioned_config_map() {
        let host = Value::Deferred(Box::new(Deferred::ModuleOutput {
            instance: "api.db".into(),
            path: vec!["db_instance_address".to_string()],
        }));
        assert!(matches!(
            env_var("api", "DB_HOST", &host),
            Delivery::ProvisionedConfigMap { .. }
        ));
    }

    #[test]
    fn plain_compile_time_values_are_inline() {
        assert_eq!(
            env_var("api", "PORT", &Value::Int(8080)),
            Delivery::Inline("8080".to_string())
        );
    }

    #[test]
    fn file_keys_are_valid_config_map_keys() {
        assert_eq!(file_key("/etc/app/config.yaml"), "file.etc.app.config.yaml");
        assert_eq!(file_key("/a b/c"), "file.a_b.c");
    }
}
