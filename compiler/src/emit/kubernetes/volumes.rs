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

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::{Container, InstanceId, ResolvedWorkload};
use crate::resolve::value::Value;

use super::context::Context;
use super::pod::{self, TMP_PATH, TMP_VOLUME};

const FILES_VOLUME: &str = "files";
const PROVISIONED_FILES_VOLUME: &str = "provisioned-files";
const SECRET_FILES_VOLUME: &str = "secret-files";
/// `0440`: readable by the owner and the pod's filesystem group only.
const SECRET_FILE_MODE: u32 = 0o440;

/// A volume of a pod.
#[derive(Debug, Serialize)]
pub(super) struct Volume<'a> {
    pub name: Cow<'a, str>,
    #[serde(flatten)]
    pub source: VolumeSource<'a>,
}

/// What a volume holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum VolumeSource<'a> {
    ConfigMap(ConfigMapVolume),
    /// Scratch space that lives as long as the pod.
    EmptyDir {},
    PersistentVolumeClaim(ClaimVolume<'a>),
    Secret(SecretVolume),
}

/// Keys of a ConfigMap, each as a file.
#[derive(Debug, Serialize)]
pub(super) struct ConfigMapVolume {
    pub items: Vec<KeyToPath>,
    pub name: String,
}

/// Keys of a Secret, each as a file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SecretVolume {
    pub default_mode: u32,
    pub items: Vec<KeyToPath>,
    pub secret_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClaimVolume<'a> {
    pub claim_name: &'a str,
}

/// A key of a ConfigMap or Secret and the file it is projected to.
#[derive(Debug, Serialize)]
pub(super) struct KeyToPath {
    pub key: String,
    pub path: String,
}

/// Where a container mounts a volume.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VolumeMount<'a> {
    pub mount_path: &'a str,
    pub name: Cow<'a, str>,
    pub read_only: Option<bool>,
    pub sub_path: Option<String>,
}

impl<'a> Volume<'a> {
    /// A volume of scratch space named `name`.
    pub(super) fn empty_dir(name: impl Into<Cow<'a, str>>) -> Self {
        Volume {
            name: name.into(),
            source: VolumeSource::EmptyDir {},
        }
    }
}

/// The read-only mount at `path` of the file that is `key` in `volume`.
pub(super) fn file_mount<'a>(volume: &'a str, path: &'a str, key: &str) -> VolumeMount<'a> {
    VolumeMount {
        read_only: Some(true),
        sub_path: Some(key.to_string()),
        ..pod::mount(volume, path)
    }
}

/// Each key as a file of the same name.
pub(super) fn items(keys: impl IntoIterator<Item = String>) -> Vec<KeyToPath> {
    keys.into_iter()
        .map(|key| KeyToPath {
            path: key.clone(),
            key,
        })
        .collect()
}

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
            .map(InstanceId::as_str)
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
    pub(super) fn volumes(&self, containers: &[Container]) -> Vec<Volume<'a>> {
        let mut volumes = vec![Volume::empty_dir(TMP_VOLUME)];
        volumes.extend(self.file_volumes(containers));
        volumes.extend(self.claims.iter().enumerate().map(|(index, claim)| Volume {
            name: claim_volume(index).into(),
            source: VolumeSource::PersistentVolumeClaim(ClaimVolume { claim_name: claim }),
        }));
        volumes
    }

    /// The `volumeMounts` of `container`.
    pub(super) fn mounts(&self, container: &'a Container) -> Vec<VolumeMount<'a>> {
        let mut mounts: BTreeMap<&str, VolumeMount<'a>> = BTreeMap::new();
        for (path, id) in &container.volumes {
            if let Some(index) = self.claim_index.get(id.as_str()) {
                mounts.insert(path, pod::mount(claim_volume(*index), path));
            }
        }
        for (path, delivery) in self.files(container) {
            if let Some((volume, key)) = file_source(&delivery) {
                mounts
                    .entry(path)
                    .or_insert_with(|| file_mount(volume, path, key));
            }
        }
        mounts
            .entry(TMP_PATH)
            .or_insert_with(|| pod::mount(TMP_VOLUME, TMP_PATH));
        mounts.into_values().collect()
    }

    /// One volume per ConfigMap or Secret that holds files, with the keys it projects.
    fn file_volumes(&self, containers: &[Container]) -> Vec<Volume<'a>> {
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
            .filter_map(|(volume, (delivery, keys))| file_volume(volume, delivery, keys))
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

fn file_volume(
    volume: &'static str,
    delivery: Delivery,
    keys: BTreeSet<String>,
) -> Option<Volume<'static>> {
    let items = items(keys);
    let source = match delivery {
        Delivery::PlatConfigMap { name, .. } | Delivery::ProvisionedConfigMap { name, .. } => {
            VolumeSource::ConfigMap(ConfigMapVolume { items, name })
        }
        Delivery::ProvisionedSecret { name, .. } => VolumeSource::Secret(SecretVolume {
            default_mode: SECRET_FILE_MODE,
            items,
            secret_name: name,
        }),
        Delivery::Inline(_) => return None,
    };
    Some(Volume {
        name: volume.into(),
        source,
    })
}
