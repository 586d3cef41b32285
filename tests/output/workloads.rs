//! What a workload's pods need to start, stay up and be scaled, as a cluster would
//! judge the objects plat writes: every probe and `preStop` hook reaches a port its
//! container declares; every HorizontalPodAutoscaler scales a Deployment that exists
//! and leaves it no `replicas` to fight over, within bounds, on resources every
//! container requests; every Job's pods restart as a Job's may, and no Service sends
//! requests to a job's pods; a sidecar is an init container that restarts always.

use serde_json::Value as Json;

use crate::kubernetes::{Cluster, Object, containers, selects};

/// The ports a container declares: `(name, number)`.
fn declared(container: &Json) -> Vec<(Option<&str>, u64)> {
    container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|port| Some((port["name"].as_str(), port["containerPort"].as_u64()?)))
        .collect()
}

/// Whether `port` (a number, or the name of a port) is one `container` declares.
fn declares(container: &Json, port: &Json) -> bool {
    declared(container).iter().any(|(name, number)| match port {
        Json::String(wanted) => *name == Some(wanted.as_str()),
        other => other.as_u64() == Some(*number),
    })
}

/// The ports a container's probes and `preStop` hook reach: where, and the port.
fn reached(container: &Json) -> Vec<(String, &Json)> {
    let mut reached = Vec::new();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let handler = &container[probe];
        for (action, port) in [
            ("httpGet", &handler["httpGet"]["port"]),
            ("tcpSocket", &handler["tcpSocket"]["port"]),
            ("grpc", &handler["grpc"]["port"]),
        ] {
            if !port.is_null() {
                reached.push((format!("{probe}.{action}"), port));
            }
        }
    }
    let hook = &container["lifecycle"]["preStop"]["httpGet"]["port"];
    if !hook.is_null() {
        reached.push(("lifecycle.preStop.httpGet".to_string(), hook));
    }
    reached
}

/// Every probe and `preStop` hook reaches a port that its own container declares.
pub fn check_probes(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    for pods in cluster.pods() {
        for container in containers(pods.spec) {
            let name = container["name"].as_str().unwrap_or_default();
            for (what, port) in reached(container) {
                if !declares(container, port) {
                    problems.push(cluster.problem(
                        &pods.object.path,
                        format!(
                            "{}: the {what} of the container `{name}` reaches the port {port}, which the container does not declare",
                            pods.describe()
                        ),
                    ));
                }
            }
        }
    }
}

/// Every HorizontalPodAutoscaler scales an existing Deployment of its namespace, which
/// has no `replicas` of its own; its `minReplicas` is at most its `maxReplicas`; and
/// every container of the pods it scales requests each resource it measures.
pub fn check_autoscalers(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    for scaler in cluster.objects_of("HorizontalPodAutoscaler") {
        let spec = &scaler.value["spec"];
        let target = &spec["scaleTargetRef"];
        let at = |text: String| {
            cluster.problem(
                &scaler.path,
                format!("the HorizontalPodAutoscaler `{}` {text}", scaler.name()),
            )
        };
        let min = spec["minReplicas"].as_u64().unwrap_or(1);
        let max = spec["maxReplicas"].as_u64().unwrap_or(0);
        if min > max {
            problems.push(at(format!(
                "keeps at least {min} and at most {max} replicas"
            )));
        }
        let scaled: Option<&Object> = cluster.objects_of("Deployment").find(|deployment| {
            deployment.namespace() == scaler.namespace()
                && target["kind"].as_str() == Some("Deployment")
                && target["apiVersion"].as_str() == Some("apps/v1")
                && target["name"].as_str() == Some(deployment.name())
        });
        let Some(deployment) = scaled else {
            problems.push(at(format!(
                "scales {target}, which is not a Deployment of its namespace"
            )));
            continue;
        };
        if !deployment.value["spec"]["replicas"].is_null() {
            problems.push(at(format!(
                "scales the Deployment `{}`, which sets `replicas` too: every apply resets what the autoscaler chose",
                deployment.name()
            )));
        }
        let pod = &deployment.value["spec"]["template"]["spec"];
        for metric in spec["metrics"].as_array().into_iter().flatten() {
            let Some(resource) = metric["resource"]["name"].as_str() else {
                continue;
            };
            for container in containers(pod) {
                if container["resources"]["requests"][resource].is_null() {
                    problems.push(at(format!(
                        "measures {resource} against requests, but the container `{}` of `{}` requests none",
                        container["name"].as_str().unwrap_or_default(),
                        deployment.name()
                    )));
                }
            }
        }
    }
}

/// A Job's pods restart `Never` or `OnFailure`; no Service selects a job's pods (they
/// finish, and nothing may call them); a sidecar (an init container with probes or
/// ports, that runs beside the others) restarts `Always`.
pub fn check_jobs(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    let pods = cluster.pods();
    for pods in &pods {
        let restart = pods.spec["restartPolicy"].as_str();
        let job = matches!(pods.object.kind(), "Job" | "CronJob");
        if job && !matches!(restart, Some("Never" | "OnFailure")) {
            problems.push(cluster.problem(
                &pods.object.path,
                format!(
                    "{}: a Job's pods restart `Never` or `OnFailure`, not {restart:?}",
                    pods.describe()
                ),
            ));
        }
        for init in pods.spec["initContainers"].as_array().into_iter().flatten() {
            let serves = !init["ports"].is_null()
                || !init["readinessProbe"].is_null()
                || !init["livenessProbe"].is_null();
            if serves && init["restartPolicy"].as_str() != Some("Always") {
                problems.push(cluster.problem(
                    &pods.object.path,
                    format!(
                        "{}: the init container `{}` has ports or probes but runs to completion (no `restartPolicy: Always`)",
                        pods.describe(),
                        init["name"].as_str().unwrap_or_default()
                    ),
                ));
            }
        }
        if !job {
            continue;
        }
        for service in cluster.objects_of("Service") {
            let selector = &service.value["spec"]["selector"];
            if service.namespace() == pods.namespace()
                && !selector.is_null()
                && selects(selector, &pods.labels)
            {
                problems.push(cluster.problem(
                    &service.path,
                    format!(
                        "the Service `{}` selects the pods of the job {}, which finish",
                        service.name(),
                        pods.describe()
                    ),
                ));
            }
        }
    }
}
