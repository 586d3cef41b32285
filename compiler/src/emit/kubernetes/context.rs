//! What every object builder needs: the environment, the project's name, the source
//! locator, and the questions about the graph that several objects ask (who calls a
//! workload, who uses an instance, which instances are mounted as volumes).
//!
//! Invariants: every answer is in a deterministic order (the model's sorted order, or
//! sorted here); the questions asked once per workload or instance are answered from
//! indexes built once per environment, so that emitting stays linear in the size of
//! the environment.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Label;
use crate::resolve::model::{
    InClusterService, Instance, InstanceId, Owner, Provisioning, ResolvedEnvironment,
    ResolvedWorkload,
};

use super::Locate;

pub(super) struct Context<'a> {
    pub env: &'a ResolvedEnvironment,
    pub project: &'a str,
    locate: Locate<'a>,
    /// Ids of the instances that some container mounts in `volumes`.
    mounted: BTreeSet<&'a str>,
    /// Workload name → the workloads that call it, in the model's order.
    callers: BTreeMap<&'a str, Vec<&'a ResolvedWorkload>>,
    /// Instance id → the workloads that bind it, in the model's order.
    users: BTreeMap<&'a str, Vec<&'a ResolvedWorkload>>,
    /// Instance id → the instances that need it, in the model's order.
    needers: BTreeMap<&'a str, Vec<&'a Instance>>,
    /// Workload name → the instances it owns, in the model's order.
    owned: BTreeMap<&'a str, Vec<&'a Instance>>,
}

/// Adds `item` to the list of each key, once per key however often `keys` repeats it.
fn index<'a, T>(
    map: &mut BTreeMap<&'a str, Vec<&'a T>>,
    keys: impl IntoIterator<Item = &'a str>,
    item: &'a T,
) {
    for key in keys {
        let list = map.entry(key).or_default();
        if !list.last().is_some_and(|last| std::ptr::eq(*last, item)) {
            list.push(item);
        }
    }
}

impl<'a> Context<'a> {
    pub(super) fn new(env: &'a ResolvedEnvironment, project: &'a str, locate: Locate<'a>) -> Self {
        let mut callers = BTreeMap::new();
        let mut users = BTreeMap::new();
        for workload in env.workloads.iter().map(AsRef::as_ref) {
            index(
                &mut callers,
                workload.calls.iter().map(String::as_str),
                workload,
            );
            index(
                &mut users,
                workload.resources.values().map(InstanceId::as_str),
                workload,
            );
        }
        let mut needers = BTreeMap::new();
        let mut owned = BTreeMap::new();
        for instance in env.instances.iter().map(AsRef::as_ref) {
            index(
                &mut needers,
                instance.needs.iter().map(InstanceId::as_str),
                instance,
            );
            if let Owner::Workload(owner) = &instance.owner {
                index(&mut owned, [owner.as_str()], instance);
            }
        }
        Context {
            env,
            project,
            locate,
            mounted: env.mounted_instances(),
            callers,
            users,
            needers,
            owned,
        }
    }

    /// The text of the `plat.dev/source` annotation for `label`.
    pub(super) fn locate(&self, label: &Label) -> String {
        (self.locate)(label)
    }

    pub(super) fn workload(&self, name: &str) -> Option<&'a ResolvedWorkload> {
        self.env.workload(name)
    }

    pub(super) fn instance(&self, id: &str) -> Option<&'a Instance> {
        self.env.instance(id)
    }

    /// The workloads whose `calls` name `name`, sorted by name.
    pub(super) fn callers_of(&self, name: &str) -> impl Iterator<Item = &'a ResolvedWorkload> {
        self.callers.get(name).into_iter().flatten().copied()
    }

    /// The workloads that bind the instance `id` as one of their resources, sorted by
    /// name.
    pub(super) fn users_of(&self, id: &str) -> impl Iterator<Item = &'a ResolvedWorkload> {
        self.users.get(id).into_iter().flatten().copied()
    }

    /// The instances whose implementation needs the instance `id`, sorted by id.
    pub(super) fn needers_of(&self, id: &str) -> impl Iterator<Item = &'a Instance> {
        self.needers.get(id).into_iter().flatten().copied()
    }

    /// The instances that the workload `name` owns, sorted by id.
    pub(super) fn owned_by(&self, name: &str) -> impl Iterator<Item = &'a Instance> {
        self.owned.get(name).into_iter().flatten().copied()
    }

    /// Whether some container mounts the instance `id` as a volume: such an instance is
    /// storage, reached through a PersistentVolumeClaim rather than over the network.
    pub(super) fn is_mounted(&self, id: &str) -> bool {
        self.mounted.contains(id)
    }

    /// The resources (instance ids) that `workload` reaches over the network, sorted
    /// and without repeats.
    pub(super) fn network_resources(&self, workload: &'a ResolvedWorkload) -> Vec<&'a Instance> {
        let ids: BTreeSet<&str> = workload
            .resources
            .values()
            .map(InstanceId::as_str)
            .collect();
        ids.into_iter()
            .filter(|id| !self.is_mounted(id))
            .filter_map(|id| self.instance(id))
            .collect()
    }
}

/// The in-cluster service of `instance`, when it runs in the environment's cluster.
pub(super) fn in_cluster(instance: &Instance) -> Option<&InClusterService> {
    match &instance.provisioning {
        Provisioning::Kubernetes(service) => Some(service),
        _ => None,
    }
}

/// Whether reaching `instance` means leaving the cluster: it is provisioned by
/// Terraform or already exists, so its address is not a pod of the cluster.
pub(super) fn is_outside_cluster(instance: &Instance) -> bool {
    matches!(
        instance.provisioning,
        Provisioning::Terraform(_) | Provisioning::Existing
    )
}
