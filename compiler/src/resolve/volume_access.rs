//! Volumes that one node mounts at a time: a ReadWriteOnce claim mounted by more than
//! one pod fails to attach on any cluster with more than one node (Kubernetes reports
//! a Multi-Attach error and the second pod never starts).
//!
//! Invariant: for every instance that containers mount and whose claim is
//! ReadWriteOnce (an in-cluster volume that does not say `ReadWriteMany`), the pods
//! that mount it are counted (the most pods each mounting workload may run at once:
//! its replicas, its autoscaler's `max`, a job's parallelism, without bound for a
//! scheduled job whose runs may overlap; once however many of its containers mount
//! it); more than one is one E0608 at the instance's declaration, with a secondary
//! label at each container that mounts it.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::resolve::model::{AccessMode, Instance, Provisioning, ResolvedWorkload};

/// E0608 for each ReadWriteOnce volume of the environment `env` that more than one pod
/// mounts; `workloads` are its workloads in name order, `instance` finds an instance of
/// it by id.
pub(crate) fn check<'a>(
    env: &str,
    workloads: impl IntoIterator<Item = &'a ResolvedWorkload>,
    instance: &dyn Fn(&str) -> Option<&'a Instance>,
) -> Vec<Diagnostic> {
    let mut mounters: BTreeMap<&str, Vec<(&ResolvedWorkload, Label)>> = BTreeMap::new();
    for workload in workloads {
        let mut seen = Vec::new();
        for container in &workload.containers {
            for id in container.volumes.values() {
                if !seen.contains(&id) {
                    seen.push(id);
                    mounters
                        .entry(id)
                        .or_default()
                        .push((workload, container.source.clone()));
                }
            }
        }
    }
    let mut diagnostics = Vec::new();
    for (id, mounters) in mounters {
        let Some(instance) = instance(id) else {
            continue;
        };
        let Provisioning::Kubernetes(service) = &instance.provisioning else {
            continue;
        };
        if service.access_mode != AccessMode::ReadWriteOnce {
            continue;
        }
        let pods: Option<u32> = mounters
            .iter()
            .map(|(workload, _)| workload.most_pods())
            .try_fold(0u32, |total, pods| Some(total.saturating_add(pods?)));
        if pods.is_some_and(|pods| pods <= 1) {
            continue;
        }
        let count = match pods {
            Some(pods) => format!("{pods} pods"),
            None => "several pods".to_string(),
        };
        let mut diagnostic = located(
            Code::ReadWriteOnceShared,
            format!(
                "the volume `{id}` can be mounted by one node only, but {count} mount it in \
                 the environment `{env}`"
            ),
            instance.source.clone(),
            format!(
                "`{}.{}` gives a ReadWriteOnce claim",
                instance.offering, instance.implementation
            ),
        );
        for (workload, container) in &mounters {
            let pods = match workload.most_pods() {
                Some(1) => "1 pod".to_string(),
                Some(many) if many == workload.replicas => format!("{many} pods"),
                Some(many) => format!("up to {many} pods"),
                None => "the overlapping runs".to_string(),
            };
            diagnostic = diagnostic.with_secondary(
                container
                    .clone()
                    .with_message(format!("mounted by {pods} of `{}` here", workload.name)),
            );
        }
        diagnostics.push(diagnostic.with_help(format!(
            "select an implementation whose volume several nodes can mount (an in-cluster one \
             with `access_mode = \"ReadWriteMany\"`, on a storage class that supports it), or \
             mount `{id}` from a single workload with `replicas = 1`"
        )));
    }
    diagnostics
}
