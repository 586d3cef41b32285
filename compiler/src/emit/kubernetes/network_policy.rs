//! NetworkPolicies that allow exactly the declared dependencies, and deny the rest.
//!
//! For a workload:
//! - ingress from the workloads that `calls` it, and from the workloads of other
//!   applications its `callers` names (selected by `app.kubernetes.io/part-of` too), to
//!   its named ports; and, for each
//!   route it owns, from where the route's requests come (the namespace of the ingress
//!   controller or of the Gateway's proxies, or the address ranges of a load balancer
//!   outside the cluster), to the route's port;
//! - egress to the workloads it calls (of another application: selected by
//!   `app.kubernetes.io/part-of` too), to their ports; to the pods of the in-cluster
//!   instances it uses, to the port and protocols their pods listen on; to the
//!   `endpoints` (address ranges and TCP ports) of the instances outside the cluster it
//!   uses; and to DNS in `kube-system` (port 53, UDP and TCP). Nothing else: no rule
//!   ever opens all addresses.
//!
//! For an in-cluster instance: ingress from the workloads that use it and the instances
//! that need it, to its pods' port; egress to DNS, and to the instances it needs, as
//! for a workload. In an application's build, for each in-cluster instance of its
//! platform that its workloads use, a policy of its own that admits them
//! ([`admission`]): NetworkPolicies add up, so the platform's policy, which cannot know
//! them, and this one together admit exactly the workloads that bind the instance.
//!
//! Invariants: both policy types are always set, so whatever is not listed is denied;
//! peers are selected by `app.kubernetes.io/name` (and the namespace label
//! `kubernetes.io/metadata.name`); rules are in a deterministic order (callers and
//! callees by name, instances by id). Instances mounted as volumes are storage, not
//! network peers, and get no rule: their node mounts them.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;
use crate::resolve::model::{InClusterService, Instance, Protocol, Provisioning, ResolvedWorkload};

use super::context::{self, Context};
use super::meta::{self, App, NAMESPACE_NAME_LABEL};
use super::service;

const DNS_NAMESPACE: &str = "kube-system";
const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The NetworkPolicy of a workload.
pub(super) fn workload(context: &Context<'_>, app: &App<'_>, workload: &ResolvedWorkload) -> Json {
    let own_ports = tcp_ports(service::workload_ports(workload).values().copied());
    let callers: Vec<Json> = context
        .callers_of(&workload.name)
        .map(|caller| pod_peer(&caller.name))
        .chain(
            workload
                .callers
                .iter()
                .map(|caller| application_peer(&caller.workload, &caller.application)),
        )
        .collect();

    let mut ingress = Vec::new();
    if !callers.is_empty() {
        ingress.push(rule("from", callers, own_ports));
    }
    ingress.extend(route_rules(context, workload));

    let mut egress: Vec<Json> = workload
        .calls
        .iter()
        .filter_map(|callee| match context.workload(callee) {
            Some(own) => Some((own, pod_peer(&own.name))),
            None => context.env.remote_workload(callee).map(|remote| {
                let peer = application_peer(&remote.workload.name, &remote.application);
                (&remote.workload, peer)
            }),
        })
        .map(|(callee, peer)| {
            let ports = tcp_ports(service::workload_ports(callee).values().copied());
            rule("to", vec![peer], ports)
        })
        .collect();
    let resources = context.network_resources(workload);
    egress.extend(instance_rules(resources.iter().copied()));
    egress.push(dns_rule());

    object(context, app, &workload.source, ingress, egress)
}

/// The NetworkPolicy of an in-cluster instance that runs `service`.
pub(super) fn instance(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    service: &InClusterService,
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
        ingress.push(rule("from", peers, service_ports(service)));
    }

    let needed = instance.needs.iter().filter_map(|id| context.instance(id));
    let mut egress: Vec<Json> = instance_rules(needed).collect();
    egress.push(dns_rule());

    object(context, app, &instance.source, ingress, egress)
}

/// In an application's build, the policy that admits its workloads that use `instance`,
/// an in-cluster instance of its platform, to the instance's pods; none when none does.
/// It is named after the instance and the application, beside the platform's own.
pub(super) fn admission(
    context: &Context<'_>,
    instance: &Instance,
    service: &InClusterService,
) -> Option<Json> {
    let users: Vec<Json> = context
        .users_of(&instance.id)
        .map(|user| pod_peer(&user.name))
        .collect();
    if users.is_empty() {
        return None;
    }
    let name = format!("{}-{}", instance.object_name, context.project);
    let app = App::new(&instance.object_name);
    Some(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": app.metadata(context, &name, &instance.source),
        "spec": {
            "podSelector": app.selector(),
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [rule("from", users, service_ports(service))],
            "egress": [],
        },
    }))
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

/// Egress rules to the instances among `instances`: the pods of those in the cluster,
/// the endpoints of those outside it.
fn instance_rules<'a>(instances: impl Iterator<Item = &'a Instance>) -> impl Iterator<Item = Json> {
    instances.filter_map(|instance| match context::in_cluster(instance) {
        Some(service) if service.image.is_some() => Some(rule(
            "to",
            vec![pod_peer(&instance.object_name)],
            service_ports(service),
        )),
        Some(_) => None,
        None if context::is_outside_cluster(instance) && !instance.endpoints.is_empty() => {
            let peers = instance
                .endpoints
                .cidrs
                .iter()
                .map(|cidr| json!({ "ipBlock": { "cidr": cidr } }))
                .collect();
            Some(rule(
                "to",
                peers,
                tcp_ports(instance.endpoints.ports.iter().copied()),
            ))
        }
        None => None,
    })
}

/// The port of an in-cluster service's pods, once per protocol it serves.
fn service_ports(service: &InClusterService) -> Vec<Json> {
    let Some(port) = service.pod_port() else {
        return Vec::new();
    };
    service
        .protocols
        .iter()
        .map(|protocol| json!({ "protocol": protocol.name(), "port": port }))
        .collect()
}

/// Ingress rules for the routes that `workload` owns: from where each route's requests
/// come, to the route's port.
fn route_rules(context: &Context<'_>, workload: &ResolvedWorkload) -> Vec<Json> {
    let mut ports_by_peer: BTreeMap<(bool, String), Vec<u16>> = BTreeMap::new();
    for instance in context.owned_by(&workload.name) {
        let route = match &instance.provisioning {
            Provisioning::Ingress(route) | Provisioning::GatewayRoute(route) => route,
            _ => continue,
        };
        // Without a namespace or ranges, the Gateway's proxies run beside it, in the
        // environment's namespace.
        let namespace = match &route.sources.namespace {
            Some(namespace) => Some(namespace.clone()),
            None if route.sources.cidrs.is_empty() => Some(context.env.namespace.clone()),
            None => None,
        };
        let peers = route
            .sources
            .cidrs
            .iter()
            .map(|cidr| (true, cidr.clone()))
            .chain(namespace.map(|namespace| (false, namespace)));
        for peer in peers {
            ports_by_peer.entry(peer).or_default().push(route.port);
        }
    }
    // One rule per set of ports, with every peer that sends to those ports.
    let mut peers_by_ports: BTreeMap<Vec<u16>, Vec<Json>> = BTreeMap::new();
    for ((is_cidr, peer), mut ports) in ports_by_peer {
        ports.sort_unstable();
        ports.dedup();
        let peer = if is_cidr {
            json!({ "ipBlock": { "cidr": peer } })
        } else {
            json!({ "namespaceSelector": { "matchLabels": { NAMESPACE_NAME_LABEL: peer } } })
        };
        peers_by_ports.entry(ports).or_default().push(peer);
    }
    peers_by_ports
        .into_iter()
        .map(|(ports, peers)| rule("from", peers, tcp_ports(ports)))
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

/// The pods of the app named `name`, in the same namespace.
fn pod_peer(name: &str) -> Json {
    json!({ "podSelector": meta::selector(name) })
}

/// The pods of the workload `name` of the application `application`, in the same
/// namespace.
fn application_peer(name: &str, application: &str) -> Json {
    json!({ "podSelector": { "matchLabels": {
        meta::NAME_LABEL: name,
        meta::PART_OF_LABEL: application,
    } } })
}

fn tcp_ports(ports: impl IntoIterator<Item = u16>) -> Vec<Json> {
    ports
        .into_iter()
        .map(|port| json!({ "protocol": Protocol::Tcp.name(), "port": port }))
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
