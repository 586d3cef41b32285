//! The ConfigMap that plat writes beside a workload: its plain, compile-time files.
//!
//! Invariants: it holds exactly the files that [`delivery::file`] sends to the
//! ConfigMap plat writes, under the name and keys that delivery gives, so the mounts of
//! [`super::volumes`] find them; a secret or provision-time file is never here (those
//! are in the Secret and ConfigMap that the Terraform writes). It is left out when the
//! workload has no such file. When two containers declare the same path, the first one
//! in declaration order wins.
//!
//! Files are mounted by `subPath`, which a running pod never sees change, so the pod
//! template carries the [`ConfigMap::checksum`] of the ConfigMap's data: a change of a file rolls
//! the pods.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::ResolvedWorkload;
use crate::resolve::value::Value;

use super::context::Context;
use super::meta::{App, ObjectMeta};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConfigMap<'a> {
    api_version: &'static str,
    /// Key → text.
    pub data: BTreeMap<String, String>,
    kind: &'static str,
    pub metadata: ObjectMeta<'a>,
}

impl<'a> ConfigMap<'a> {
    pub(super) fn new(metadata: ObjectMeta<'a>, data: BTreeMap<String, String>) -> Self {
        ConfigMap {
            api_version: "v1",
            data,
            kind: "ConfigMap",
            metadata,
        }
    }

    /// The sha256, in lowercase hex, of the ConfigMap's data (as JSON, keys sorted).
    pub(super) fn checksum(&self) -> String {
        let data = serde_json::to_string(&self.data).unwrap_or_default();
        crate::emit::sha256_hex(data.as_bytes())
    }
}

/// The workload's ConfigMap, or none when it has no plain compile-time file.
pub(super) fn workload<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
) -> Option<ConfigMap<'a>> {
    let mut name = None;
    let mut data = BTreeMap::new();
    for container in &workload.containers {
        for (path, value) in &container.files {
            if matches!(value, Value::Absent) {
                continue;
            }
            if let Delivery::PlatConfigMap { name: map, key } =
                delivery::file(&workload.name, path, value)
            {
                data.entry(key)
                    .or_insert_with(|| delivery::compile_time_text(value));
                name.get_or_insert(map);
            }
        }
    }
    let metadata = app.metadata(context, name?, &workload.source);
    Some(ConfigMap::new(metadata, data))
}

/// The pod template annotation that holds the [`ConfigMap::checksum`] of the workload's
/// ConfigMap.
pub(super) const CHECKSUM_ANNOTATION: &str = "plat.dev/config-sha256";
