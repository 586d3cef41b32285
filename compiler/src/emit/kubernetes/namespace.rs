//! The Namespace of the environment.
//!
//! Invariant: Pod Security Admission enforces, audits and warns at the "restricted"
//! level, so a pod that would not meet it is refused by the cluster, not only by plat.

use serde::Serialize;

use super::context::Context;
use super::meta::{
    Labels, MANAGED_BY_LABEL, MANAGER, NAME_LABEL, ObjectMeta, PART_OF_LABEL, SOURCE_ANNOTATION,
};

const LEVEL: &str = "restricted";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Namespace<'a> {
    api_version: &'static str,
    kind: &'static str,
    pub metadata: ObjectMeta<'a>,
}

/// The Namespace of the environment.
pub(super) fn object<'a>(context: &Context<'a>) -> Namespace<'a> {
    let env = context.env;
    let labels = Labels::from([
        (NAME_LABEL, env.namespace.as_str()),
        (PART_OF_LABEL, context.project),
        (MANAGED_BY_LABEL, MANAGER),
        ("pod-security.kubernetes.io/enforce", LEVEL),
        ("pod-security.kubernetes.io/enforce-version", "latest"),
        ("pod-security.kubernetes.io/audit", LEVEL),
        ("pod-security.kubernetes.io/warn", LEVEL),
    ]);
    let annotations = [(SOURCE_ANNOTATION, context.locate(&env.source).into())].into();
    Namespace {
        api_version: "v1",
        kind: "Namespace",
        metadata: ObjectMeta {
            annotations,
            labels,
            name: Some(env.namespace.as_str().into()),
            namespace: None,
        },
    }
}
