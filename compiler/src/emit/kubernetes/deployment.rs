//! The Deployment of a workload that is a service (and of an in-cluster instance).
//!
//! Invariants: the selector is the app's name label only; the pods are the workload's
//! ([`super::workload_pod`]); `replicas` is written unless a HorizontalPodAutoscaler
//! owns it, so that applying the output never resets what the autoscaler chose.

use serde::Serialize;

use crate::resolve::model::{ResolvedWorkload, WorkloadKind};

use super::context::Context;
use super::meta::{App, LabelSelector, ObjectMeta};
use super::object::{Object, Spec};
use super::pod::PodTemplate;
use super::workload_pod;

pub(super) type Deployment<'a> = Object<'a, DeploymentSpec<'a>>;

impl Spec for DeploymentSpec<'_> {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "Deployment";
}

#[derive(Debug, Serialize)]
pub(super) struct DeploymentSpec<'a> {
    pub replicas: Option<u32>,
    pub selector: LabelSelector<'a>,
    pub template: PodTemplate<'a>,
}

/// A Deployment of `replicas` copies of `template` (as many as an autoscaler says when
/// `None`), for `app`, with `metadata`.
pub(super) fn object<'a>(
    app: &App<'a>,
    metadata: ObjectMeta<'a>,
    replicas: Option<u32>,
    template: PodTemplate<'a>,
) -> Deployment<'a> {
    let spec = DeploymentSpec {
        replicas,
        selector: app.selector(),
        template,
    };
    Object::new(metadata, spec)
}

/// The workload's Deployment; `config_checksum` is the checksum of its ConfigMap. With
/// an autoscaler, `replicas` is left out: the autoscaler owns it.
pub(super) fn workload<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    config_checksum: Option<String>,
) -> Deployment<'a> {
    let template = workload_pod::template(context, app, workload, config_checksum);
    let metadata = app.metadata(context, app.name, &workload.source);
    let replicas = match &workload.kind {
        WorkloadKind::Service {
            autoscaling: Some(_),
        } => None,
        _ => Some(workload.replicas),
    };
    object(app, metadata, replicas, template)
}
