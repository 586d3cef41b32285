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
//! template carries the [`checksum`] of the ConfigMap's data: a change of a file rolls
//! the pods.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};
use sha2::{Digest, Sha256};

use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::ResolvedWorkload;
use crate::resolve::value::Value;

use super::context::Context;
use super::meta::App;

/// The workload's ConfigMap, or none when it has no plain compile-time file.
pub(super) fn workload(
    context: &Context<'_>,
    app: &App<'_>,
    workload: &ResolvedWorkload,
) -> Option<Json> {
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
    let name = name?;
    let data: Map<String, Json> = data.into_iter().map(|(k, v)| (k, Json::from(v))).collect();
    Some(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": app.metadata(context, &name, &workload.source),
        "data": data,
    }))
}

/// The pod template annotation that holds the [`checksum`] of the workload's ConfigMap.
pub(super) const CHECKSUM_ANNOTATION: &str = "plat.dev/config-sha256";

/// The sha256, in lowercase hex, of the data of a ConfigMap built by [`workload`].
pub(super) fn checksum(config_map: &Json) -> String {
    let data = serde_json::to_string(&config_map["data"]).unwrap_or_default();
    Sha256::digest(data.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
