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

use serde::Serialize;

use crate::resolve::model::{InClusterService, Instance};
use crate::resolve::value::Value;

use super::context::Context;
use super::meta::App;
use super::object::{Object, Spec};

/// The size of a claim whose instance does not give one.
pub(super) const DEFAULT_SIZE: &str = "1Gi";
const STORAGE_CLASS_PARAM: &str = "storage_class";

pub(super) type PersistentVolumeClaim<'a> = Object<'a, ClaimSpec<'a>>;

impl Spec for ClaimSpec<'_> {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "PersistentVolumeClaim";
}

/// The `spec` of a claim, or of a StatefulSet's claim template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClaimSpec<'a> {
    pub access_modes: Vec<&'static str>,
    pub resources: ClaimResources<'a>,
    pub storage_class_name: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(super) struct ClaimResources<'a> {
    pub requests: Storage<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct Storage<'a> {
    /// A quantity: `10Gi`.
    pub storage: &'a str,
}

/// The `spec` of a claim for the storage of `instance`.
pub(super) fn spec<'a>(instance: &'a Instance, service: &'a InClusterService) -> ClaimSpec<'a> {
    let size = service.storage.as_deref().unwrap_or(DEFAULT_SIZE);
    let storage_class_name = match instance.params.get(STORAGE_CLASS_PARAM) {
        Some(Value::String(class)) => Some(class.as_str()),
        _ => None,
    };
    ClaimSpec {
        access_modes: vec![service.access_mode.name()],
        resources: ClaimResources {
            requests: Storage { storage: size },
        },
        storage_class_name,
    }
}

/// The claim that stands for an instance that containers mount as a volume.
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    instance: &'a Instance,
    service: &'a InClusterService,
) -> PersistentVolumeClaim<'a> {
    let metadata = app.metadata(context, instance.object_name.as_str(), &instance.source);
    Object::new(metadata, spec(instance, service))
}
