//! The ClusterIP Service in front of an app's pods.
//!
//! Invariants: a Service exists only when the app has ports; each named port of a
//! container or sidecar is exposed under its own name, on the number `service_ports`
//! gives it or else its own (the address `payments-api.url` points at), targeting the
//! container port by name; names and numbers are unique (the first container that
//! declares one wins; resolution reports two on one number, E0614) and ports are
//! sorted by name.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diagnostic::Label;
use crate::resolve::model::ResolvedWorkload;

use super::context::Context;
use super::meta::{App, IntOrString, Labels, NAME_LABEL};
use super::object::{Object, Spec};

pub(super) type Service<'a> = Object<'a, ServiceSpec<'a>>;

impl Spec for ServiceSpec<'_> {
    const API_VERSION: &'static str = "v1";
    const KIND: &'static str = "Service";
}

#[derive(Debug, Serialize)]
pub(super) struct ServiceSpec<'a> {
    pub ports: Vec<ServicePort<'a>>,
    pub selector: Labels<'a>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServicePort<'a> {
    pub name: &'a str,
    pub port: u16,
    pub protocol: &'static str,
    pub target_port: IntOrString<'a>,
}

impl<'a> ServicePort<'a> {
    /// The port `port` named `name`, to the container port of the same name.
    pub(super) fn named(name: &'a str, port: u16, protocol: &'static str) -> Self {
        ServicePort {
            name,
            port,
            protocol,
            target_port: IntOrString::String(name),
        }
    }
}

/// The named ports of a workload's containers and sidecars: name → the number the
/// container listens on.
pub(super) fn workload_ports(workload: &ResolvedWorkload) -> BTreeMap<&str, u16> {
    let mut ports = BTreeMap::new();
    let mut numbers = BTreeSet::new();
    for container in workload.serving_containers() {
        for (name, port) in &container.ports {
            if !ports.contains_key(name.as_str()) && numbers.insert(*port) {
                ports.insert(name.as_str(), *port);
            }
        }
    }
    ports
}

/// The Service of `workload` for its container `ports`, or none when there are none.
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    ports: &BTreeMap<&'a str, u16>,
) -> Option<Service<'a>> {
    if ports.is_empty() {
        return None;
    }
    let ports = ports
        .iter()
        .map(|(name, port)| ServicePort::named(name, workload.service_port(name, *port), "TCP"))
        .collect();
    Some(with_ports(context, app, &workload.source, ports))
}

/// The Service port that sends to the container port `port` of `workload`: the one
/// `service_ports` gives its name, or the same number.
pub(super) fn port_to(workload: &ResolvedWorkload, port: u16) -> u16 {
    workload_ports(workload)
        .into_iter()
        .find(|(_, number)| *number == port)
        .map_or(port, |(name, number)| workload.service_port(name, number))
}

/// The ClusterIP Service of `app` with the given `ports`.
pub(super) fn with_ports<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    source: &Label,
    ports: Vec<ServicePort<'a>>,
) -> Service<'a> {
    let spec = ServiceSpec {
        ports,
        selector: Labels::from([(NAME_LABEL, app.name)]),
        kind: "ClusterIP",
    };
    Object::new(app.metadata(context, app.name, source), spec)
}
