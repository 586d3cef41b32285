//! The Deployment of a workload: its containers, as the model decided them.
//!
//! Invariants: containers keep their declaration order; each gets its image, command,
//! args, named ports, environment ([`super::env`]), probes, requests and limits, and
//! mounts ([`super::volumes`]). The selector is the workload's name label only. The pod
//! template carries the checksum of the workload's ConfigMap, when it has one, so that
//! a change of its files rolls the pods.

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;
use crate::resolve::model::{Container, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::pod::{self, ContainerParts};
use super::volumes::WorkloadVolumes;
use super::{config_map, env, security};

/// The workload's Deployment; `config_checksum` is the checksum of its ConfigMap.
pub(super) fn workload(
    context: &Context<'_>,
    app: &App<'_>,
    workload: &ResolvedWorkload,
    config_checksum: Option<String>,
) -> Json {
    let volumes = WorkloadVolumes::new(context, workload);
    let containers = workload
        .containers
        .iter()
        .map(|container| workload_container(&workload.name, container, &volumes))
        .collect();
    let lowest_port = workload
        .containers
        .iter()
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
    if let Some(checksum) = config_checksum {
        template["metadata"]["annotations"][config_map::CHECKSUM_ANNOTATION] = checksum.into();
    }
    object(context, app, &workload.source, workload.replicas, template)
}

/// A Deployment of `replicas` copies of `template`, for `app`.
pub(super) fn object(
    context: &Context<'_>,
    app: &App<'_>,
    source: &Label,
    replicas: u32,
    template: Json,
) -> Json {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": app.metadata(context, app.name, source),
        "spec": {
            "replicas": replicas,
            "selector": app.selector(),
            "template": template,
        },
    })
}

fn workload_container(owner: &str, container: &Container, volumes: &WorkloadVolumes<'_>) -> Json {
    pod::container(ContainerParts {
        name: &container.name,
        image: &container.image,
        command: &container.command,
        args: &container.args,
        env: env::variables(owner, &container.env),
        ports: pod::container_ports(&container.ports),
        resources: pod::resources(
            &container.cpu,
            &container.memory,
            container.cpu_limit.as_deref(),
            container.memory_limit.as_deref(),
        ),
        liveness: container.liveness.as_ref().map(pod::probe),
        readiness: container.readiness.as_ref().map(pod::probe),
        mounts: volumes.mounts(container),
        user: security::USER_ID,
    })
}
