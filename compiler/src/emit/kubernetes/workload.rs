//! Every object of one workload, under `<workload>/`.
//!
//! Invariants: a workload always has a NetworkPolicy, and a ServiceAccount unless its
//! Terraform writes it; a ConfigMap when it has plain compile-time files. A service has
//! a Deployment, a Service when it has ports, a HorizontalPodAutoscaler with
//! `autoscaling`, a PodDisruptionBudget when at least two copies run, and an Ingress or
//! HTTPRoute per route it owns; a job has a Job, a scheduled job a CronJob, and neither
//! a Service. Its own labels and annotations are on every one of them.

use crate::emit::Artifact;
use crate::emit::delivery::{self, ServiceAccount};
use crate::resolve::model::{Provisioning, ResolvedWorkload, WorkloadKind};

use super::context::Context;
use super::meta::App;
use super::{
    artifact, config_map, deployment, horizontal_pod_autoscaler, http_route, ingress, job,
    network_policy, pod_disruption_budget, service, service_account,
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
    let mut artifacts = vec![artifact(
        file("networkpolicy"),
        &network_policy::workload(context, &app, workload),
        source,
    )];
    if let ServiceAccount::Plat(annotations) = delivery::service_account(workload) {
        let account = service_account::object(context, &app, source, &annotations);
        artifacts.push(artifact(file("serviceaccount"), &account, source));
    }
    if let Some(config_map) = config_map {
        artifacts.push(artifact(file("configmap"), &config_map, source));
    }
    match &workload.kind {
        WorkloadKind::Service { autoscaling } => {
            let deployment = deployment::workload(context, &app, workload, checksum);
            artifacts.push(artifact(file("deployment"), &deployment, source));
            if let Some(autoscaling) = autoscaling {
                let scaler =
                    horizontal_pod_autoscaler::object(context, &app, workload, autoscaling);
                artifacts.push(artifact(file("hpa"), &scaler, source));
            }
            let ports = service::workload_ports(workload);
            if let Some(service) = service::object(context, &app, workload, &ports) {
                artifacts.push(artifact(file("service"), &service, source));
            }
            if let Some(budget) = pod_disruption_budget::workload(context, &app, workload) {
                artifacts.push(artifact(file("pdb"), &budget, source));
            }
            artifacts.extend(routes(context, &app, workload));
        }
        WorkloadKind::Job(settings) => {
            let job = job::job(context, &app, workload, settings, checksum);
            artifacts.push(artifact(file("job"), &job, source));
        }
        WorkloadKind::CronJob { schedule, job } => {
            let cron_job = job::cron_job(context, &app, workload, schedule, job, checksum);
            artifacts.push(artifact(file("cronjob"), &cron_job, source));
        }
    }
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
