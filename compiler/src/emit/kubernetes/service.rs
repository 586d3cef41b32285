//! The ClusterIP Service in front of an app's pods.
//!
//! Invariants: a Service exists only when the app has ports; each named container port
//! is exposed under its own name and number (the address `payments-api.url` points
//! at), targeting the container port by name; names and numbers are unique (the first
//! container that declares one wins) and ports are sorted by name.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;
use crate::resolve::model::ResolvedWorkload;

use super::context::Context;
use super::meta::App;

/// The named ports of a workload's containers: name → number.
pub(super) fn workload_ports(workload: &ResolvedWorkload) -> BTreeMap<&str, u16> {
    let mut ports = BTreeMap::new();
    let mut numbers = BTreeSet::new();
    for container in &workload.containers {
        for (name, port) in &container.ports {
            if !ports.contains_key(name.as_str()) && numbers.insert(*port) {
                ports.insert(name.as_str(), *port);
            }
        }
    }
    ports
}

/// The Service of `app` for `ports`, or none when there are no ports.
pub(super) fn object(
    context: &Context<'_>,
    app: &App<'_>,
    source: &Label,
    ports: &BTreeMap<&str, u16>,
) -> Option<Json> {
    if ports.is_empty() {
        return None;
    }
    let ports: Vec<Json> = ports
        .iter()
        .map(|(name, port)| {
            json!({ "name": name, "port": port, "targetPort": name, "protocol": "TCP" })
        })
        .collect();
    Some(with_ports(context, app, source, ports))
}

/// The Service of `app` with the given `ports` entries.
pub(super) fn with_ports(
    context: &Context<'_>,
    app: &App<'_>,
    source: &Label,
    ports: Vec<Json>,
) -> Json {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": app.metadata(context, app.name, source),
        "spec": {
            "type": "ClusterIP",
            "selector": { super::meta::NAME_LABEL: app.name },
            "ports": ports,
        },
    })
}
