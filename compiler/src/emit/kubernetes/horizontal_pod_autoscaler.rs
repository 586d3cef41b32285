//! The HorizontalPodAutoscaler of a workload with `autoscaling`.
//!
//! Invariants: it scales the workload's Deployment (same name) between the model's
//! `min` and `max`, on the average CPU and memory use it names, in percent of the
//! containers' requests; with neither, on 80% CPU, written out rather than left to the
//! API server's default. The Deployment leaves `replicas` to it.

use serde::Serialize;

use crate::resolve::model::{Autoscaling, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::object::{Object, Spec};

pub(super) type HorizontalPodAutoscaler<'a> = Object<'a, HorizontalPodAutoscalerSpec<'a>>;

impl Spec for HorizontalPodAutoscalerSpec<'_> {
    const API_VERSION: &'static str = "autoscaling/v2";
    const KIND: &'static str = "HorizontalPodAutoscaler";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HorizontalPodAutoscalerSpec<'a> {
    pub max_replicas: u32,
    pub metrics: Vec<MetricSpec>,
    pub min_replicas: u32,
    pub scale_target_ref: CrossVersionObjectReference<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CrossVersionObjectReference<'a> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: &'a str,
}

/// A metric of a pod's resource use.
#[derive(Debug, Serialize)]
pub(super) struct MetricSpec {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub resource: ResourceMetricSource,
}

#[derive(Debug, Serialize)]
pub(super) struct ResourceMetricSource {
    pub name: &'static str,
    pub target: MetricTarget,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MetricTarget {
    pub average_utilization: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The CPU use to keep when `autoscaling` names no target.
const DEFAULT_CPU: u32 = 80;

fn utilization(resource: &'static str, percent: u32) -> MetricSpec {
    MetricSpec {
        kind: "Resource",
        resource: ResourceMetricSource {
            name: resource,
            target: MetricTarget {
                average_utilization: percent,
                kind: "Utilization",
            },
        },
    }
}

/// The autoscaler of `workload`'s Deployment.
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    autoscaling: &Autoscaling,
) -> HorizontalPodAutoscaler<'a> {
    let mut metrics: Vec<MetricSpec> = [("cpu", autoscaling.cpu), ("memory", autoscaling.memory)]
        .into_iter()
        .filter_map(|(resource, percent)| Some(utilization(resource, percent?)))
        .collect();
    if metrics.is_empty() {
        metrics.push(utilization("cpu", DEFAULT_CPU));
    }
    let spec = HorizontalPodAutoscalerSpec {
        max_replicas: autoscaling.max,
        metrics,
        min_replicas: autoscaling.min,
        scale_target_ref: CrossVersionObjectReference {
            api_version: "apps/v1",
            kind: "Deployment",
            name: app.name,
        },
    };
    Object::new(app.metadata(context, app.name, &workload.source), spec)
}
