//! The pod template of a workload, which its Deployment, Job or CronJob runs.
//!
//! Invariants: containers keep their declaration order, and so do init containers and
//! sidecars (in `initContainers`, sidecars with `restartPolicy: Always`); each gets its
//! image, command, args, named ports, environment ([`super::env`]), probes and
//! `preStop` hook, requests and limits, and mounts ([`super::volumes`]). The pod's
//! lowest port is that of its serving containers. The template carries the checksum
//! of the workload's ConfigMap, when it has one, so that a change of its files rolls
//! the pods; a job's pods restart as its `restart` says.

use std::borrow::Cow;

use crate::resolve::model::{Container, ContainerKind, ResolvedWorkload, WorkloadKind};

use super::context::Context;
use super::meta::App;
use super::pod::{self, PodTemplate};
use super::volumes::WorkloadVolumes;
use super::{config_map, env, probe, security};

/// The pod template of `workload`; `config_checksum` is the checksum of its ConfigMap.
pub(super) fn template<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    config_checksum: Option<String>,
) -> PodTemplate<'a> {
    let volumes = WorkloadVolumes::new(context, workload);
    let of_kind = |kinds: &[ContainerKind]| -> Vec<pod::Container<'a>> {
        workload
            .containers
            .iter()
            .filter(|container| kinds.contains(&container.kind))
            .map(|container| container_of(&workload.name, container, &volumes))
            .collect()
    };
    let containers = of_kind(&[ContainerKind::Main]);
    let init_containers = of_kind(&[ContainerKind::Init, ContainerKind::Sidecar]);
    let lowest_port = workload
        .serving_containers()
        .flat_map(|container| container.ports.values().copied())
        .min();
    let mut template = pod::template(
        context,
        app,
        containers,
        volumes.volumes(&workload.containers),
        lowest_port,
        security::USER_ID,
    );
    template.spec.init_containers = init_containers;
    template.spec.termination_grace_period_seconds = workload.termination_grace_period;
    template.spec.restart_policy = match &workload.kind {
        WorkloadKind::Service { .. } => None,
        WorkloadKind::Job(job) | WorkloadKind::CronJob { job, .. } => Some(job.restart.name()),
    };
    if let Some(checksum) = config_checksum {
        template
            .metadata
            .annotations
            .insert(config_map::CHECKSUM_ANNOTATION, Cow::Owned(checksum));
    }
    template
}

fn container_of<'a>(
    owner: &str,
    container: &'a Container,
    volumes: &WorkloadVolumes<'a>,
) -> pod::Container<'a> {
    let resources = pod::resources(
        &container.cpu,
        &container.memory,
        container.cpu_limit.as_deref(),
        container.memory_limit.as_deref(),
    );
    pod::Container {
        args: &container.args,
        command: &container.command,
        env: env::variables(owner, &container.env),
        ports: pod::container_ports(&container.ports),
        lifecycle: container.pre_stop.as_ref().map(probe::lifecycle),
        liveness_probe: container.liveness.as_ref().map(probe::of),
        readiness_probe: container.readiness.as_ref().map(probe::of),
        startup_probe: container.startup.as_ref().map(probe::of),
        restart_policy: (container.kind == ContainerKind::Sidecar).then_some("Always"),
        volume_mounts: volumes.mounts(container),
        ..pod::Container::restricted(
            &container.name,
            &container.image,
            resources,
            security::USER_ID,
        )
    }
}
