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

use serde::Serialize;

use crate::diagnostic::Label;
use crate::resolve::model::{InClusterService, Instance, Protocol, Provisioning, ResolvedWorkload};

use super::context::{self, Context};
use super::meta::{App, LabelSelector, Labels, NAME_LABEL, NAMESPACE_NAME_LABEL, PART_OF_LABEL};
use super::object::{Object, Spec};
use super::service;

const DNS_NAMESPACE: &str = "kube-system";
const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

pub(super) type NetworkPolicy<'a> = Object<'a, NetworkPolicySpec<'a>>;

impl Spec for NetworkPolicySpec<'_> {
    const API_VERSION: &'static str = "networking.k8s.io/v1";
    const KIND: &'static str = "NetworkPolicy";
}

/// Both lists are always written: what they do not allow is denied.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NetworkPolicySpec<'a> {
    pub egress: Vec<EgressRule<'a>>,
    pub ingress: Vec<IngressRule<'a>>,
    pub pod_selector: LabelSelector<'a>,
    pub policy_types: [&'static str; 2],
}

/// Traffic in from `from`, on `ports` (every port when there is none). `from` is never
/// empty: an empty list would let in everything.
#[derive(Debug, Serialize)]
pub(super) struct IngressRule<'a> {
    pub from: Vec<Peer<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
}

/// Traffic out to `to`, on `ports` (every port when there is none). `to` is never
/// empty: an empty list would let out everything.
#[derive(Debug, Serialize)]
pub(super) struct EgressRule<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    pub to: Vec<Peer<'a>>,
}

/// Pods (in namespaces) or address ranges.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Peer<'a> {
    pub ip_block: Option<IpBlock<'a>>,
    pub namespace_selector: Option<LabelSelector<'a>>,
    pub pod_selector: Option<LabelSelector<'a>>,
}

#[derive(Debug, Serialize)]
pub(super) struct IpBlock<'a> {
    pub cidr: &'a str,
}

#[derive(Debug, Serialize)]
pub(super) struct Port {
    pub port: u16,
    pub protocol: &'static str,
}

impl<'a> Peer<'a> {
    /// The pods of the app named `name`, in the same namespace.
    fn pods(name: &'a str) -> Self {
        Peer {
            pod_selector: Some(LabelSelector::app(name)),
            ..Peer::default()
        }
    }

    /// The pods of the workload `name` of the application `application`, in the same
    /// namespace.
    fn application_pods(name: &'a str, application: &'a str) -> Self {
        Peer {
            pod_selector: Some(LabelSelector {
                match_labels: Labels::from([(NAME_LABEL, name), (PART_OF_LABEL, application)]),
            }),
            ..Peer::default()
        }
    }

    /// The addresses of `cidr`.
    fn cidr(cidr: &'a str) -> Self {
        Peer {
            ip_block: Some(IpBlock { cidr }),
            ..Peer::default()
        }
    }

    /// Every pod of the namespace `namespace`.
    fn namespace(namespace: &'a str) -> Self {
        Peer {
            namespace_selector: Some(namespace_selector(namespace)),
            ..Peer::default()
        }
    }
}

fn namespace_selector(namespace: &str) -> LabelSelector<'_> {
    LabelSelector {
        match_labels: Labels::from([(NAMESPACE_NAME_LABEL, namespace)]),
    }
}

/// The NetworkPolicy of a workload.
pub(super) fn workload<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
) -> NetworkPolicy<'a> {
    let own_ports = tcp_ports(service::workload_ports(workload).values().copied());
    let callers: Vec<Peer<'a>> = context
        .callers_of(&workload.name)
        .map(|caller| Peer::pods(&caller.name))
        .chain(
            workload
                .callers
                .iter()
                .map(|caller| Peer::application_pods(&caller.workload, &caller.application)),
        )
        .collect();

    let mut ingress = Vec::new();
    if !callers.is_empty() {
        ingress.push(IngressRule {
            from: callers,
            ports: own_ports,
        });
    }
    ingress.extend(route_rules(context, workload));

    let mut egress: Vec<EgressRule<'a>> = workload
        .calls
        .iter()
        .filter_map(|callee| match context.workload(callee) {
            Some(own) => Some((own, Peer::pods(&own.name))),
            None => context.env.remote_workload(callee).map(|remote| {
                let name = remote.workload.name.as_str();
                (
                    &*remote.workload,
                    Peer::application_pods(name, &remote.application),
                )
            }),
        })
        .map(|(callee, peer)| EgressRule {
            ports: tcp_ports(service::workload_ports(callee).values().copied()),
            to: vec![peer],
        })
        .collect();
    let resources = context.network_resources(workload);
    egress.extend(instance_rules(resources.iter().copied()));
    egress.push(dns_rule());

    object(context, app, &workload.source, ingress, egress)
}

/// The NetworkPolicy of an in-cluster instance that runs `service`.
pub(super) fn instance<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    instance: &'a Instance,
    service: &InClusterService,
) -> NetworkPolicy<'a> {
    let peers: Vec<Peer<'a>> = context
        .users_of(&instance.id)
        .map(|user| Peer::pods(&user.name))
        .chain(
            context
                .needers_of(&instance.id)
                .filter(|needer| context::in_cluster(needer).is_some())
                .map(|needer| Peer::pods(&needer.object_name)),
        )
        .collect();
    let mut ingress = Vec::new();
    if !peers.is_empty() {
        ingress.push(IngressRule {
            from: peers,
            ports: service_ports(service),
        });
    }

    let needed = instance.needs.iter().filter_map(|id| context.instance(id));
    let mut egress: Vec<EgressRule<'a>> = instance_rules(needed).collect();
    egress.push(dns_rule());

    object(context, app, &instance.source, ingress, egress)
}

/// In an application's build, the policy that admits its workloads that use `instance`,
/// an in-cluster instance of its platform, to the instance's pods; none when none does.
/// It is named after the instance and the application, beside the platform's own.
pub(super) fn admission<'a>(
    context: &Context<'a>,
    instance: &'a Instance,
    service: &InClusterService,
) -> Option<NetworkPolicy<'a>> {
    let users: Vec<Peer<'a>> = context
        .users_of(&instance.id)
        .map(|user| Peer::pods(&user.name))
        .collect();
    if users.is_empty() {
        return None;
    }
    let app = App::new(&instance.object_name);
    let name = format!("{}-{}", instance.object_name, context.project);
    let spec = NetworkPolicySpec {
        egress: Vec::new(),
        ingress: vec![IngressRule {
            from: users,
            ports: service_ports(service),
        }],
        pod_selector: app.selector(),
        policy_types: ["Ingress", "Egress"],
    };
    Some(Object::new(
        app.metadata(context, name, &instance.source),
        spec,
    ))
}

fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    source: &Label,
    ingress: Vec<IngressRule<'a>>,
    egress: Vec<EgressRule<'a>>,
) -> NetworkPolicy<'a> {
    let spec = NetworkPolicySpec {
        egress,
        ingress,
        pod_selector: app.selector(),
        policy_types: ["Ingress", "Egress"],
    };
    Object::new(app.metadata(context, app.name, source), spec)
}

/// Egress rules to the instances among `instances`: the pods of those in the cluster,
/// the endpoints of those outside it.
fn instance_rules<'a>(
    instances: impl Iterator<Item = &'a Instance>,
) -> impl Iterator<Item = EgressRule<'a>> {
    instances.filter_map(|instance| match context::in_cluster(instance) {
        Some(service) if service.image.is_some() => Some(EgressRule {
            ports: service_ports(service),
            to: vec![Peer::pods(&instance.object_name)],
        }),
        Some(_) => None,
        None if context::is_outside_cluster(instance) && !instance.endpoints.is_empty() => {
            Some(EgressRule {
                ports: tcp_ports(instance.endpoints.ports.iter().copied()),
                to: instance
                    .endpoints
                    .cidrs
                    .iter()
                    .map(|cidr| Peer::cidr(cidr))
                    .collect(),
            })
        }
        None => None,
    })
}

/// The port of an in-cluster service's pods, once per protocol it serves.
fn service_ports(service: &InClusterService) -> Vec<Port> {
    let Some(port) = service.pod_port() else {
        return Vec::new();
    };
    service
        .protocols
        .iter()
        .map(|protocol| Port {
            port,
            protocol: protocol.name(),
        })
        .collect()
}

/// Ingress rules for the routes that `workload` owns: from where each route's requests
/// come, to the route's port.
fn route_rules<'a>(context: &Context<'a>, workload: &ResolvedWorkload) -> Vec<IngressRule<'a>> {
    let mut ports_by_peer: BTreeMap<(bool, &'a str), Vec<u16>> = BTreeMap::new();
    for instance in context.owned_by(&workload.name) {
        let route = match &instance.provisioning {
            Provisioning::Ingress(route) | Provisioning::GatewayRoute(route) => route,
            _ => continue,
        };
        // Without a namespace or ranges, the Gateway's proxies run beside it, in the
        // environment's namespace.
        let namespace = match &route.sources.namespace {
            Some(namespace) => Some(namespace.as_str()),
            None if route.sources.cidrs.is_empty() => Some(context.env.namespace.as_str()),
            None => None,
        };
        let peers = route
            .sources
            .cidrs
            .iter()
            .map(|cidr| (true, cidr.as_str()))
            .chain(namespace.map(|namespace| (false, namespace)));
        for peer in peers {
            ports_by_peer.entry(peer).or_default().push(route.port);
        }
    }
    // One rule per set of ports, with every peer that sends to those ports.
    let mut peers_by_ports: BTreeMap<Vec<u16>, Vec<Peer<'a>>> = BTreeMap::new();
    for ((is_cidr, peer), mut ports) in ports_by_peer {
        ports.sort_unstable();
        ports.dedup();
        let peer = if is_cidr {
            Peer::cidr(peer)
        } else {
            Peer::namespace(peer)
        };
        peers_by_ports.entry(ports).or_default().push(peer);
    }
    peers_by_ports
        .into_iter()
        .map(|(ports, peers)| IngressRule {
            from: peers,
            ports: tcp_ports(ports),
        })
        .collect()
}

/// DNS: the cluster's resolver in `kube-system`, over UDP and TCP.
fn dns_rule() -> EgressRule<'static> {
    let (key, value) = DNS_POD_LABEL;
    EgressRule {
        ports: vec![
            Port {
                port: 53,
                protocol: Protocol::Udp.name(),
            },
            Port {
                port: 53,
                protocol: Protocol::Tcp.name(),
            },
        ],
        to: vec![Peer {
            namespace_selector: Some(namespace_selector(DNS_NAMESPACE)),
            pod_selector: Some(LabelSelector {
                match_labels: Labels::from([(key, value)]),
            }),
            ..Peer::default()
        }],
    }
}

fn tcp_ports(ports: impl IntoIterator<Item = u16>) -> Vec<Port> {
    ports
        .into_iter()
        .map(|port| Port {
            port,
            protocol: Protocol::Tcp.name(),
        })
        .collect()
}
