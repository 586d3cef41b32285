//! The Deployment of a workload: its containers, as the model decided them.
//!
//! Invariants: containers keep their declaration order; each gets its image, command,
//! args, named ports, environment ([`super::env`]), probes, requests and limits, and
//! mounts ([`super::volumes`]). The selector is the workload's name label only. The pod
//! template carries the checksum of the workload's ConfigMap, when it has one, so that
//! a change of its files rolls the pods.

use std::borrow::Cow;

use serde::Serialize;

use crate::resolve::model::{Container, ResolvedWorkload};

use super::context::Context;
use super::meta::{App, LabelSelector, ObjectMeta};
use super::object::{Object, Spec};
use super::pod::{self, PodTemplate};
use super::volumes::WorkloadVolumes;
use super::{config_map, env, probe, security};

pub(super) type Deployment<'a> = Object<'a, DeploymentSpec<'a>>;

impl Spec for DeploymentSpec<'_> {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "Deployment";
}

#[derive(Debug, Serialize)]
pub(super) struct DeploymentSpec<'a> {
    pub replicas: u32,
    pub selector: LabelSelector<'a>,
    pub template: PodTemplate<'a>,
}

/// A Deployment of `replicas` copies of `template`, for `app`, with `metadata`.
pub(super) fn object<'a>(
    app: &App<'a>,
    metadata: ObjectMeta<'a>,
    replicas: u32,
    template: PodTemplate<'a>,
) -> Deployment<'a> {
    let spec = DeploymentSpec {
        replicas,
        selector: app.selector(),
        template,
    };
    Object::new(metadata, spec)
}

/// The workload's Deployment; `config_checksum` is the checksum of its ConfigMap.
pub(super) fn workload<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    config_checksum: Option<String>,
) -> Deployment<'a> {
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
        template
            .metadata
            .annotations
            .insert(config_map::CHECKSUM_ANNOTATION, Cow::Owned(checksum));
    }
    let metadata = app.metadata(context, app.name, &workload.source);
    object(app, metadata, workload.replicas, template)
}

fn workload_container<'a>(
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
        liveness_probe: container.liveness.as_ref().map(probe::http),
        readiness_probe: container.readiness.as_ref().map(probe::http),
        volume_mounts: volumes.mounts(container),
        ..pod::Container::restricted(
            &container.name,
            &container.image,
            resources,
            security::USER_ID,
        )
    }
}
