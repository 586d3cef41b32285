//! The StatefulSet of an in-cluster service that keeps data: one replica, whose data
//! volume comes from a claim template.
//!
//! Invariant: the claim template is named [`DATA_VOLUME`], the name under which the
//! pod mounts it, and carries the app's labels.

use serde::Serialize;

use super::context::Context;
use super::meta::{App, LabelSelector, ObjectMeta};
use super::object::{Object, Spec};
use super::pod::PodTemplate;
use super::volume_claim::ClaimSpec;

/// The name of the claim template, and of the volume the pod mounts.
pub(super) const DATA_VOLUME: &str = "data";

pub(super) type StatefulSet<'a> = Object<'a, StatefulSetSpec<'a>>;

impl Spec for StatefulSetSpec<'_> {
    const API_VERSION: &'static str = "apps/v1";
    const KIND: &'static str = "StatefulSet";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatefulSetSpec<'a> {
    pub replicas: u32,
    pub selector: LabelSelector<'a>,
    pub service_name: &'a str,
    pub template: PodTemplate<'a>,
    pub volume_claim_templates: Vec<ClaimTemplate<'a>>,
}

#[derive(Debug, Serialize)]
pub(super) struct ClaimTemplate<'a> {
    pub metadata: ObjectMeta<'a>,
    pub spec: ClaimSpec<'a>,
}

/// One replica of `template` for `app`, with `metadata`, its data claimed by `claim`.
pub(super) fn single<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    metadata: ObjectMeta<'a>,
    template: PodTemplate<'a>,
    claim: ClaimSpec<'a>,
) -> StatefulSet<'a> {
    let claim_template = ClaimTemplate {
        metadata: ObjectMeta {
            labels: app.labels(context),
            name: Some(DATA_VOLUME.into()),
            ..ObjectMeta::default()
        },
        spec: claim,
    };
    let spec = StatefulSetSpec {
        replicas: 1,
        selector: app.selector(),
        service_name: app.name,
        template,
        volume_claim_templates: vec![claim_template],
    };
    Object::new(metadata, spec)
}
