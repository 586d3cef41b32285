//! A top-level object with a `spec`: its type (`apiVersion`, `kind`), its `metadata`,
//! and the spec of its kind.
//!
//! Invariant: the type of an object comes from its spec's [`Spec`] implementation, so
//! an object of a kind is always written with that kind's `apiVersion` and `kind`.
//! Objects without a spec (ConfigMap, ServiceAccount, Namespace) declare their own
//! struct in their module.

use serde::Serialize;

use super::meta::ObjectMeta;

/// The spec of a kind of object.
pub(super) trait Spec: Serialize {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Object<'a, S> {
    api_version: &'static str,
    kind: &'static str,
    pub metadata: ObjectMeta<'a>,
    pub spec: S,
}

impl<'a, S: Spec> Object<'a, S> {
    pub(super) fn new(metadata: ObjectMeta<'a>, spec: S) -> Self {
        Object {
            api_version: S::API_VERSION,
            kind: S::KIND,
            metadata,
            spec,
        }
    }
}
