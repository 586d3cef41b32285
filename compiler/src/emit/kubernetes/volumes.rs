//! The volumes of a workload's pod and each container's mounts: scratch space at
//! `/tmp`, the container's `files`, and the resources it mounts in `volumes`.
//!
//! Invariants:
//! - A file is mounted read-only, one key of one ConfigMap or Secret at its path, from
//!   where [`delivery::file`] says: the ConfigMap plat writes (`files`), the ConfigMap
//!   the Terraform writes (`provisioned-files`) or the Secret the Terraform writes
//!   (`secret-files`, mode 0440). A secret file is never in a ConfigMap.
//! - A mounted resource is the PersistentVolumeClaim named after the instance's object
//!   name (written here for an in-cluster instance, by the Terraform otherwise), as the
//!   volume `volume-<n>`, numbered in the order of the instance ids.
//! - Each container has at most one mount per path (the first of: resource, file,
//!   scratch space), sorted by path, so a parent directory is mounted before what is
//!   mounted inside it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::{Container, ResolvedWorkload};
use crate::resolve::value::Value;

use super::context::Context;
use super::pod::{self, TMP_PATH, TMP_VOLUME};

const FILES_VOLUME: &str = "files";
const PROVISIONED_FILES_VOLUME: &str = "provisioned-files";
const SECRET_FILES_VOLUME: &str = "secret-files";
/// `0440`: readable by the owner and the pod's filesystem group only.
const SECRET_FILE_MODE: u32 = 0o440;

/// The volumes of a workload's pod.
pub(super) struct WorkloadVolumes<'a> {
    owner: &'a str,
    /// Object names of the mounted instances, in the order of their ids.
    claims: Vec<&'a str>,
    /// Instance id → index in `claims`.
    claim_index: BTreeMap<&'a str, usize>,
}

impl<'a> WorkloadVolumes<'a> {
    pub(super) fn new(context: &Context<'a>, workload: &'a ResolvedWorkload) -> Self {
        let ids: BTreeSet<&str> = workload
            .containers
            .iter()
            .flat_map(|container| container.volumes.values())
            .map(String::as_str)
            .collect();
        let mounted: Vec<(&str, &str)> = ids
            .into_iter()
            .filter_map(|id| Some((id, context.instance(id)?.object_name.as_str())))
            .collect();
        WorkloadVolumes {
            owner: &workload.name,
            claims: mounted.iter().map(|(_, claim)| *claim).collect(),
            claim_index: mounted
                .iter()
                .enumerate()
                .map(|(index, (id, _))| (*id, index))
                .collect(),
        }
    }

    /// The pod's `volumes`.
    pub(super) fn volumes(&self, containers: &[Container]) -> Vec<Json> {
        let mut volumes = vec![pod::empty_dir(TMP_VOLUME)];
        volumes.extend(self.file_volumes(containers));
        volumes.extend(self.claims.iter().enumerate().map(|(index, claim)| {
            json!({
                "name": claim_volume(index),
                "persistentVolumeClaim": { "claimName": claim },
            })
        }));
        volumes
    }

    /// The `volumeMounts` of `container`.
    pub(super) fn mounts(&self, container: &Container) -> Vec<Json> {
        let mut mounts: BTreeMap<&str, Json> = BTreeMap::new();
        for (path, id) in &container.volumes {
            if let Some(index) = self.claim_index.get(id.as_str()) {
                mounts.insert(path, pod::mount(&claim_volume(*index), path));
            }
        }
        for (path, delivery) in self.files(container) {
            if let Some((volume, key)) = file_source(&delivery) {
                let mount = json!({
                    "name": volume,
                    "mountPath": path,
                    "subPath": key,
                    "readOnly": true,
                });
                mounts.entry(path).or_insert(mount);
            }
        }
        mounts
            .entry(TMP_PATH)
            .or_insert_with(|| pod::mount(TMP_VOLUME, TMP_PATH));
        mounts.into_values().collect()
    }

    /// One volume per ConfigMap or Secret that holds files, with the keys it projects.
    fn file_volumes(&self, containers: &[Container]) -> Vec<Json> {
        let mut sources: BTreeMap<&'static str, (Delivery, BTreeSet<String>)> = BTreeMap::new();
        for delivery in containers
            .iter()
            .flat_map(|c| self.files(c))
            .map(|(_, d)| d)
        {
            if let Some((volume, key)) = file_source(&delivery) {
                let key = key.to_string();
                sources
                    .entry(volume)
                    .or_insert_with(|| (delivery, BTreeSet::new()))
                    .1
                    .insert(key);
            }
        }
        sources
            .into_iter()
            .filter_map(|(volume, (delivery, keys))| file_volume(volume, &delivery, keys))
            .collect()
    }

    /// The container's files that are set, each with where it is delivered from.
    fn files<'c>(&self, container: &'c Container) -> impl Iterator<Item = (&'c str, Delivery)> {
        let owner = self.owner;
        container
            .files
            .iter()
            .filter(|(_, value)| !matches!(value, Value::Absent))
            .map(move |(path, value)| (path.as_str(), delivery::file(owner, path, value)))
    }
}

fn claim_volume(index: usize) -> String {
    format!("volume-{index}")
}

/// The pod volume that holds a delivered file, and the file's key in it.
fn file_source(delivery: &Delivery) -> Option<(&'static str, &str)> {
    match delivery {
        Delivery::PlatConfigMap { key, .. } => Some((FILES_VOLUME, key)),
        Delivery::ProvisionedConfigMap { key, .. } => Some((PROVISIONED_FILES_VOLUME, key)),
        Delivery::ProvisionedSecret { key, .. } => Some((SECRET_FILES_VOLUME, key)),
        Delivery::Inline(_) => None,
    }
}

fn file_volume(volume: &str, delivery: &Delivery, keys: BTreeSet<String>) -> Option<Json> {
    let items: Vec<Json> = keys
        .into_iter()
        .map(|key| json!({ "key": key, "path": key }))
        .collect();
    match delivery {
        Delivery::PlatConfigMap { name, .. } | Delivery::ProvisionedConfigMap { name, .. } => {
            Some(json!({ "name": volume, "configMap": { "name": name, "items": items } }))
        }
        Delivery::ProvisionedSecret { name, .. } => Some(json!({
            "name": volume,
            "secret": { "secretName": name, "items": items, "defaultMode": SECRET_FILE_MODE },
        })),
        Delivery::Inline(_) => None,
    }
}
