//! Every object of one workload, under `<workload>/`.
//!
//! Invariants: a workload always has a Deployment and a NetworkPolicy; a
//! ServiceAccount unless its Terraform writes it; a Service when it has ports, a ConfigMap when it has plain
//! compile-time files, a PodDisruptionBudget when it runs more than one copy, and an
//! Ingress or HTTPRoute per route it owns. Its own labels and annotations are on every
//! one of them.

use crate::emit::delivery::{self, ServiceAccount};
use crate::resolve::model::{Provisioning, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::{
    Object, config_map, deployment, network_policy, pod_disruption_budget, route, service,
    service_account,
};

/// The objects of `workload`.
pub(super) fn objects(context: &Context<'_>, workload: &ResolvedWorkload) -> Vec<Object> {
    let app = App {
        labels: &workload.labels,
        annotations: &workload.annotations,
        ..App::new(&workload.name)
    };
    let source = &workload.source;
    let file = |name: &str| format!("{}/{name}.yaml", workload.name);

    let config_map = config_map::workload(context, &app, workload);
    let checksum = config_map.as_ref().map(config_map::checksum);
    let mut objects = vec![
        Object::new(
            file("deployment"),
            deployment::workload(context, &app, workload, checksum),
            source,
        ),
        Object::new(
            file("networkpolicy"),
            network_policy::workload(context, &app, workload),
            source,
        ),
    ];
    if let ServiceAccount::Plat(annotations) = delivery::service_account(workload) {
        objects.push(Object::new(
            file("serviceaccount"),
            service_account::object(context, &app, source, &annotations),
            source,
        ));
    }
    let ports = service::workload_ports(workload);
    if let Some(body) = service::object(context, &app, source, &ports) {
        objects.push(Object::new(file("service"), body, source));
    }
    if let Some(body) = config_map {
        objects.push(Object::new(file("configmap"), body, source));
    }
    if let Some(body) = pod_disruption_budget::workload(context, &app, workload) {
        objects.push(Object::new(file("pdb"), body, source));
    }
    objects.extend(routes(context, &app, workload));
    objects
}

/// The Ingresses and HTTPRoutes of the routes that `workload` owns.
fn routes(context: &Context<'_>, app: &App<'_>, workload: &ResolvedWorkload) -> Vec<Object> {
    context
        .owned_by(&workload.name)
        .filter_map(|instance| {
            let (kind, body) = match &instance.provisioning {
                Provisioning::Ingress(http) => (
                    "ingress",
                    route::ingress(context, app, workload, instance, http),
                ),
                Provisioning::GatewayRoute(http) => (
                    "httproute",
                    route::http_route(context, app, workload, instance, http),
                ),
                _ => return None,
            };
            let file = format!("{}/{kind}-{}.yaml", workload.name, instance.object_name);
            Some(Object::new(file, body, &instance.source))
        })
        .collect()
}
