//! The PodDisruptionBudget of a workload that runs more than one copy.
//!
//! Invariant: it exists only when `replicas > 1`, and lets a voluntary disruption (a
//! node drain, an upgrade) take down at most one pod at a time; a single copy would
//! block such disruptions for ever, so it gets none.

use serde_json::{Value as Json, json};

use crate::resolve::model::ResolvedWorkload;

use super::context::Context;
use super::meta::App;

/// The workload's PodDisruptionBudget, or none when it runs at most one copy.
pub(super) fn workload(
    context: &Context<'_>,
    app: &App<'_>,
    workload: &ResolvedWorkload,
) -> Option<Json> {
    (workload.replicas > 1).then(|| {
        json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": app.metadata(context, app.name, &workload.source),
            "spec": {
                "maxUnavailable": 1,
                "selector": app.selector(),
            },
        })
    })
}
