//! What every object builder needs: the environment, the project's name, the source
//! locator, and the questions about the graph that several objects ask (who calls a
//! workload, who uses an instance, which instances are mounted as volumes).
//!
//! Invariant: every answer is in a deterministic order (the model's sorted order, or
//! sorted here).

use std::collections::BTreeSet;

use crate::diagnostic::Label;
use crate::resolve::model::{
    InClusterService, Instance, Provisioning, ResolvedEnvironment, ResolvedWorkload,
};

use super::Locate;

pub(super) struct Context<'a> {
    pub env: &'a ResolvedEnvironment,
    pub project: &'a str,
    locate: Locate<'a>,
    /// Ids of the instances that some container mounts in `volumes`.
    mounted: BTreeSet<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(env: &'a ResolvedEnvironment, project: &'a str, locate: Locate<'a>) -> Self {
        Context {
            env,
            project,
            locate,
            mounted: env.mounted_instances(),
        }
    }

    /// The text of the `plat.dev/source` annotation for `label`.
    pub fn locate(&self, label: &Label) -> String {
        (self.locate)(label)
    }

    pub fn workload(&self, name: &str) -> Option<&'a ResolvedWorkload> {
        self.env
            .workloads
            .iter()
            .find(|workload| workload.name == name)
    }

    pub fn instance(&self, id: &str) -> Option<&'a Instance> {
        self.env.instances.iter().find(|instance| instance.id == id)
    }

    /// The workloads whose `calls` name `name`, sorted by name.
    pub fn callers_of(&self, name: &str) -> impl Iterator<Item = &'a ResolvedWorkload> {
        self.env
            .workloads
            .iter()
            .filter(move |workload| workload.calls.iter().any(|callee| callee == name))
    }

    /// The workloads that bind the instance `id` as one of their resources, sorted by
    /// name.
    pub fn users_of(&self, id: &str) -> impl Iterator<Item = &'a ResolvedWorkload> {
        self.env
            .workloads
            .iter()
            .filter(move |workload| workload.resources.values().any(|used| used == id))
    }

    /// The instances whose implementation needs the instance `id`, sorted by id.
    pub fn needers_of(&self, id: &str) -> impl Iterator<Item = &'a Instance> {
        self.env
            .instances
            .iter()
            .filter(move |instance| instance.needs.iter().any(|needed| needed == id))
    }

    /// Whether some container mounts the instance `id` as a volume: such an instance is
    /// storage, reached through a PersistentVolumeClaim rather than over the network.
    pub fn is_mounted(&self, id: &str) -> bool {
        self.mounted.contains(id)
    }

    /// The resources (instance ids) that `workload` reaches over the network, sorted
    /// and without repeats.
    pub fn network_resources(&self, workload: &'a ResolvedWorkload) -> Vec<&'a Instance> {
        let ids: BTreeSet<&str> = workload.resources.values().map(String::as_str).collect();
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
