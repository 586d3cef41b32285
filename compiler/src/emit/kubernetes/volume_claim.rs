//! PersistentVolumeClaims: the storage of an in-cluster instance.
//!
//! Invariants: a claim asks for the instance's `storage` (or [`DEFAULT_SIZE`]) with
//! the implementation's access mode (ReadWriteOnce, which every storage class supports,
//! unless it says ReadWriteMany; resolution refuses a ReadWriteOnce volume that more
//! than one pod mounts), and for the storage class that the implementation's
//! `storage_class` param names, when it has one (the cluster's default class
//! otherwise). An instance without an image, or that containers mount in `volumes`, is
//! exactly such a claim, named after the instance's object name, which is the name that
//! the mounts of [`super::volumes`] use.

use serde_json::{Value as Json, json};

use crate::resolve::model::{InClusterService, Instance};
use crate::resolve::value::Value;

use super::context::Context;
use super::meta::App;

/// The size of a claim whose instance does not give one.
pub(super) const DEFAULT_SIZE: &str = "1Gi";
const STORAGE_CLASS_PARAM: &str = "storage_class";

/// The `spec` of a claim for the storage of `instance`.
pub(super) fn spec(instance: &Instance, service: &InClusterService) -> Json {
    let size = service.storage.as_deref().unwrap_or(DEFAULT_SIZE);
    let mut spec = json!({
        "accessModes": [service.access_mode.name()],
        "resources": { "requests": { "storage": size } },
    });
    if let Some(Value::String(class)) = instance.params.get(STORAGE_CLASS_PARAM) {
        spec["storageClassName"] = json!(class);
    }
    spec
}

/// The claim that stands for an instance that containers mount as a volume.
pub(super) fn object(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    service: &InClusterService,
) -> Json {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": app.metadata(context, &instance.object_name, &instance.source),
        "spec": spec(instance, service),
    })
}
