//! The PodDisruptionBudget of a service that runs more than one copy.
//!
//! Invariant: it exists only for a service whose fewest copies (`replicas`, or its
//! autoscaler's `min`) are more than one, and lets a voluntary disruption (a node
//! drain, an upgrade) take down at most one pod at a time; a single copy would block
//! such disruptions for ever, so it gets none, and so does a job, whose pods finish.

use serde::Serialize;

use crate::resolve::model::ResolvedWorkload;

use super::context::Context;
use super::meta::{App, IntOrString, LabelSelector};
use super::object::{Object, Spec};

pub(super) type PodDisruptionBudget<'a> = Object<'a, PodDisruptionBudgetSpec<'a>>;

impl Spec for PodDisruptionBudgetSpec<'_> {
    const API_VERSION: &'static str = "policy/v1";
    const KIND: &'static str = "PodDisruptionBudget";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PodDisruptionBudgetSpec<'a> {
    pub max_unavailable: IntOrString<'a>,
    pub selector: LabelSelector<'a>,
}

/// The workload's PodDisruptionBudget, or none when it runs at most one copy.
pub(super) fn workload<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
) -> Option<PodDisruptionBudget<'a>> {
    (!workload.runs_to_completion() && workload.replicas > 1).then(|| {
        let spec = PodDisruptionBudgetSpec {
            max_unavailable: IntOrString::Int(1),
            selector: app.selector(),
        };
        Object::new(app.metadata(context, app.name, &workload.source), spec)
    })
}
