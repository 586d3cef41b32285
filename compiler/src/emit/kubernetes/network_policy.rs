//! NetworkPolicies that allow exactly the declared dependencies, and deny the rest.
//!
//! For a workload:
//! - ingress from the workloads that `calls` it, to its named ports; and, when it owns
//!   routes, from the namespace of the component that serves them (the ingress
//!   controller, or the Gateway), to each route's port;
//! - egress to the workloads it calls, to their ports; to the pods of the in-cluster
//!   instances it uses, to their port; to DNS in `kube-system` (port 53, UDP and TCP);
//!   and, only when it uses an instance outside the cluster (provisioned by Terraform,
//!   or existing), to addresses outside the cluster, whose address is not known when
//!   compiling.
//!
//! For an in-cluster instance: ingress from the workloads that use it and the instances
//! that need it, to its port; egress to DNS, to the in-cluster instances it needs, and
//! outside the cluster only when it needs an instance there.
//!
//! Invariants: both policy types are always set, so whatever is not listed is denied;
//! peers are selected by `app.kubernetes.io/name` (and the namespace label
//! `kubernetes.io/metadata.name`); rules are in a deterministic order (callers and
//! callees by name, instances by id). Instances mounted as volumes are storage, not
//! network peers, and get no rule.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;
use crate::resolve::model::{Instance, Provisioning, ResolvedWorkload};

use super::context::{self, Context};
use super::meta::{self, App, NAMESPACE_NAME_LABEL};
use super::service;

/// The namespace that the ingress controller serving `Ingress` routes runs in: the
/// namespace that ingress-nginx installs into. The model does not name it yet.
pub(super) const INGRESS_CONTROLLER_NAMESPACE: &str = "ingress-nginx";
const DNS_NAMESPACE: &str = "kube-system";
const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The NetworkPolicy of a workload.
pub(super) fn workload(context: &Context<'_>, app: &App<'_>, workload: &ResolvedWorkload) -> Json {
    let own_ports = tcp_ports(service::workload_ports(workload).values().copied());
    let callers: Vec<Json> = context
        .callers_of(&workload.name)
        .map(|caller| pod_peer(&caller.name))
        .collect();

    let mut ingress = Vec::new();
    if !callers.is_empty() {
        ingress.push(rule("from", callers, own_ports));
    }
    ingress.extend(route_rules(context, workload));

    let mut egress: Vec<Json> = workload
        .calls
        .iter()
        .filter_map(|callee| context.workload(callee))
        .map(|callee| {
            let ports = tcp_ports(service::workload_ports(callee).values().copied());
            rule("to", vec![pod_peer(&callee.name)], ports)
        })
        .collect();
    let resources = context.network_resources(workload);
    egress.extend(instance_rules(resources.iter().copied()));
    egress.push(dns_rule());
    if resources
        .iter()
        .any(|instance| context::is_outside_cluster(instance))
    {
        egress.push(outside_cluster_rule());
    }

    object(context, app, &workload.source, ingress, egress)
}

/// The NetworkPolicy of an in-cluster instance whose pods listen on `port`.
pub(super) fn instance(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    port: Option<u16>,
) -> Json {
    let peers: Vec<Json> = context
        .users_of(&instance.id)
        .map(|user| pod_peer(&user.name))
        .chain(
            context
                .needers_of(&instance.id)
                .filter(|needer| context::in_cluster(needer).is_some())
                .map(|needer| pod_peer(&needer.object_name)),
        )
        .collect();
    let mut ingress = Vec::new();
    if !peers.is_empty() {
        ingress.push(rule("from", peers, tcp_ports(port)));
    }

    let needed: Vec<&Instance> = instance
        .needs
        .iter()
        .filter_map(|id| context.instance(id))
        .collect();
    let mut egress: Vec<Json> = instance_rules(needed.iter().copied()).collect();
    egress.push(dns_rule());
    if needed
        .iter()
        .any(|needed| context::is_outside_cluster(needed))
    {
        egress.push(outside_cluster_rule());
    }

    object(context, app, &instance.source, ingress, egress)
}

fn object(
    context: &Context<'_>,
    app: &App<'_>,
    source: &Label,
    ingress: Vec<Json>,
    egress: Vec<Json>,
) -> Json {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": app.metadata(context, app.name, source),
        "spec": {
            "podSelector": app.selector(),
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    })
}

/// Egress rules to the pods of the in-cluster instances among `instances`.
fn instance_rules<'a>(instances: impl Iterator<Item = &'a Instance>) -> impl Iterator<Item = Json> {
    instances.filter_map(|instance| {
        let service = context::in_cluster(instance)?;
        Some(rule(
            "to",
            vec![pod_peer(&instance.object_name)],
            tcp_ports(service.port),
        ))
    })
}

/// Ingress rules for the routes that `workload` owns: from the namespace that serves
/// each route, to the route's port.
fn route_rules(context: &Context<'_>, workload: &ResolvedWorkload) -> Vec<Json> {
    let mut ports_by_namespace: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for instance in context.owned_by(&workload.name) {
        let (namespace, port) = match &instance.provisioning {
            Provisioning::Ingress(route) => (INGRESS_CONTROLLER_NAMESPACE, route.port),
            Provisioning::GatewayRoute(route) => (
                route
                    .gateway_namespace
                    .as_deref()
                    .unwrap_or(&context.env.namespace),
                route.port,
            ),
            _ => continue,
        };
        ports_by_namespace.entry(namespace).or_default().push(port);
    }
    ports_by_namespace
        .into_iter()
        .map(|(namespace, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            let peer = json!({ "namespaceSelector": { "matchLabels": { NAMESPACE_NAME_LABEL: namespace } } });
            rule("from", vec![peer], tcp_ports(ports))
        })
        .collect()
}

/// DNS: the cluster's resolver in `kube-system`, over UDP and TCP.
fn dns_rule() -> Json {
    let (key, value) = DNS_POD_LABEL;
    json!({
        "to": [{
            "namespaceSelector": { "matchLabels": { NAMESPACE_NAME_LABEL: DNS_NAMESPACE } },
            "podSelector": { "matchLabels": { key: value } },
        }],
        "ports": [
            { "protocol": "UDP", "port": 53 },
            { "protocol": "TCP", "port": 53 },
        ],
    })
}

/// Any address, for instances outside the cluster whose address is known only after
/// provisioning.
fn outside_cluster_rule() -> Json {
    json!({ "to": [{ "ipBlock": { "cidr": "0.0.0.0/0" } }, { "ipBlock": { "cidr": "::/0" } }] })
}

/// The pods of the app named `name`, in the same namespace.
fn pod_peer(name: &str) -> Json {
    json!({ "podSelector": meta::selector(name) })
}

fn tcp_ports(ports: impl IntoIterator<Item = u16>) -> Vec<Json> {
    ports
        .into_iter()
        .map(|port| json!({ "protocol": "TCP", "port": port }))
        .collect()
}

/// A rule `from` or `to` the `peers`, on `ports` (every port when there is none).
fn rule(direction: &str, peers: Vec<Json>, ports: Vec<Json>) -> Json {
    let mut rule = json!({ direction: peers });
    if !ports.is_empty() {
        rule["ports"] = Json::Array(ports);
    }
    rule
}
