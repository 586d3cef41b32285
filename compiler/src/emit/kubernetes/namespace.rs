//! The Namespace of the environment.
//!
//! Invariant: Pod Security Admission enforces, audits and warns at the "restricted"
//! level, so a pod that would not meet it is refused by the cluster, not only by plat.

use serde_json::json;

use super::Object;
use super::context::Context;
use super::meta::{MANAGED_BY_LABEL, NAME_LABEL, PART_OF_LABEL, SOURCE_ANNOTATION};

const LEVEL: &str = "restricted";

/// The Namespace object, at `namespace.yaml`.
pub(super) fn object(context: &Context<'_>) -> Object {
    let env = context.env;
    let body = json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": env.namespace,
            "labels": {
                NAME_LABEL: env.namespace,
                PART_OF_LABEL: context.project,
                MANAGED_BY_LABEL: super::meta::MANAGER,
                "pod-security.kubernetes.io/enforce": LEVEL,
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": LEVEL,
                "pod-security.kubernetes.io/warn": LEVEL,
            },
            "annotations": { SOURCE_ANNOTATION: context.locate(&env.source) },
        },
    });
    Object::new("namespace.yaml".to_string(), body, &env.source)
}
