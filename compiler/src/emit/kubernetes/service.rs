//! The ClusterIP Service in front of an app's pods.
//!
//! Invariants: a Service exists only when the app has ports; each named container port
//! is exposed under its own name and number (the address `payments-api.url` points
//! at), targeting the container port by name; names and numbers are unique (the first
//! container that declares one wins) and ports are sorted by name.

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
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    source: &Label,
    ports: &BTreeMap<&'a str, u16>,
) -> Option<Service<'a>> {
    if ports.is_empty() {
        return None;
    }
    let ports = ports
        .iter()
        .map(|(name, port)| ServicePort::named(name, *port, "TCP"))
        .collect();
    Some(with_ports(context, app, source, ports))
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
