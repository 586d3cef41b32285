//! Every object of one workload, under `<workload>/`.
//!
//! Invariants: a workload always has a Deployment and a NetworkPolicy; a
//! ServiceAccount unless its Terraform writes it; a Service when it has ports, a ConfigMap when it has plain
//! compile-time files, a PodDisruptionBudget when it runs more than one copy, and an
//! Ingress or HTTPRoute per route it owns. Its own labels and annotations are on every
//! one of them.

use crate::emit::Artifact;
use crate::emit::delivery::{self, ServiceAccount};
use crate::resolve::model::{Provisioning, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::{
    artifact, config_map, deployment, http_route, ingress, network_policy, pod_disruption_budget,
    service, service_account,
};

/// The files of the objects of `workload`.
pub(super) fn artifacts<'a>(
    context: &Context<'a>,
    workload: &'a ResolvedWorkload,
) -> Vec<Artifact> {
    let app = App {
        labels: &workload.labels,
        annotations: &workload.annotations,
        ..App::new(&workload.name)
    };
    let source = &workload.source;
    let file = |name: &str| format!("{}/{name}.yaml", workload.name);

    let config_map = config_map::workload(context, &app, workload);
    let checksum = config_map.as_ref().map(config_map::ConfigMap::checksum);
    let mut artifacts = vec![
        artifact(
            file("deployment"),
            &deployment::workload(context, &app, workload, checksum),
            source,
        ),
        artifact(
            file("networkpolicy"),
            &network_policy::workload(context, &app, workload),
            source,
        ),
    ];
    if let ServiceAccount::Plat(annotations) = delivery::service_account(workload) {
        let account = service_account::object(context, &app, source, &annotations);
        artifacts.push(artifact(file("serviceaccount"), &account, source));
    }
    let ports = service::workload_ports(workload);
    if let Some(service) = service::object(context, &app, source, &ports) {
        artifacts.push(artifact(file("service"), &service, source));
    }
    if let Some(config_map) = config_map {
        artifacts.push(artifact(file("configmap"), &config_map, source));
    }
    if let Some(budget) = pod_disruption_budget::workload(context, &app, workload) {
        artifacts.push(artifact(file("pdb"), &budget, source));
    }
    artifacts.extend(routes(context, &app, workload));
    artifacts
}

/// The Ingresses and HTTPRoutes of the routes that `workload` owns.
fn routes<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
) -> Vec<Artifact> {
    context
        .owned_by(&workload.name)
        .filter_map(|instance| {
            let file =
                |kind: &str| format!("{}/{kind}-{}.yaml", workload.name, instance.object_name);
            let written = match &instance.provisioning {
                Provisioning::Ingress(route) => artifact(
                    file("ingress"),
                    &ingress::object(context, app, workload, instance, route),
                    &instance.source,
                ),
                Provisioning::GatewayRoute(route) => artifact(
                    file("httproute"),
                    &http_route::object(context, app, workload, instance, route),
                    &instance.source,
                ),
                _ => return None,
            };
            Some(written)
        })
        .collect()
}
