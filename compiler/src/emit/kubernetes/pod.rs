//! Pod templates and containers, shared by workloads and in-cluster instances.
//!
//! Invariants: every pod has its own service account without a mounted token, the
//! restricted security context ([`super::security`]) and no service links; every
//! container pulls its image always, has the restricted container security context and
//! requests and limits for CPU and memory (a limit defaults to the request). Empty
//! lists are left out rather than written as `[]`.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::resolve::model::{HttpGet, Probe, ProbeAction};

use super::context::Context;
use super::meta::App;
use super::security;

/// The volume that every pod mounts at `/tmp`, since the root filesystem is read-only.
pub(super) const TMP_VOLUME: &str = "tmp";
pub(super) const TMP_PATH: &str = "/tmp";

/// A pod template for `app`, run by the service account of the same name, as `user`.
pub(super) fn template(
    context: &Context<'_>,
    app: &App<'_>,
    containers: Vec<Json>,
    volumes: Vec<Json>,
    lowest_port: Option<u16>,
    user: u32,
) -> Json {
    let mut spec = json!({
        "serviceAccountName": app.name,
        "automountServiceAccountToken": false,
        "enableServiceLinks": false,
        "securityContext": security::pod_security_context(user, lowest_port),
        "containers": containers,
    });
    if !volumes.is_empty() {
        spec["volumes"] = Json::Array(volumes);
    }
    json!({ "metadata": app.pod_metadata(context), "spec": spec })
}

/// What a container is made of, before it is written.
pub(super) struct ContainerParts<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    pub env: Vec<Json>,
    pub ports: Vec<Json>,
    pub resources: Json,
    pub liveness: Option<Json>,
    pub readiness: Option<Json>,
    pub mounts: Vec<Json>,
    /// The user and group the container runs as.
    pub user: u32,
}

/// A container of a pod template.
pub(super) fn container(parts: ContainerParts<'_>) -> Json {
    let mut container = json!({
        "name": parts.name,
        "image": parts.image,
        "imagePullPolicy": "Always",
        "resources": parts.resources,
        "securityContext": security::container_security_context(parts.user),
    });
    let lists = [
        ("command", strings(parts.command)),
        ("args", strings(parts.args)),
        ("env", parts.env),
        ("ports", parts.ports),
        ("volumeMounts", parts.mounts),
    ];
    for (key, list) in lists {
        if !list.is_empty() {
            container[key] = Json::Array(list);
        }
    }
    if let Some(probe) = parts.liveness {
        container["livenessProbe"] = probe;
    }
    if let Some(probe) = parts.readiness {
        container["readinessProbe"] = probe;
    }
    container
}

fn strings(items: &[String]) -> Vec<Json> {
    items.iter().map(|item| Json::from(item.as_str())).collect()
}

/// CPU and memory requests and limits; a limit that is not given is the request.
pub(super) fn resources(
    cpu: &str,
    memory: &str,
    cpu_limit: Option<&str>,
    memory_limit: Option<&str>,
) -> Json {
    json!({
        "requests": { "cpu": cpu, "memory": memory },
        "limits": {
            "cpu": cpu_limit.unwrap_or(cpu),
            "memory": memory_limit.unwrap_or(memory),
        },
    })
}

/// Named TCP container ports, sorted by name.
pub(super) fn container_ports(ports: &BTreeMap<String, u16>) -> Vec<Json> {
    ports
        .iter()
        .map(|(name, port)| json!({ "name": name, "containerPort": port, "protocol": "TCP" }))
        .collect()
}

/// A probe: its action, its period, and each other timing that is not Kubernetes'
/// default (plat's defaults are Kubernetes' own: no initial delay, a timeout of one
/// second, thresholds of 1 and 3).
pub(super) fn probe(probe: &Probe) -> Json {
    let mut written = json!({ "periodSeconds": probe.period_seconds });
    let timings = [
        ("initialDelaySeconds", probe.initial_delay_seconds, 0),
        ("timeoutSeconds", probe.timeout_seconds, 1),
        ("successThreshold", probe.success_threshold, 1),
        ("failureThreshold", probe.failure_threshold, 3),
    ];
    for (key, value, default) in timings {
        if value != default {
            written[key] = json!(value);
        }
    }
    let (key, action) = match &probe.action {
        ProbeAction::HttpGet(http) => ("httpGet", http_get(http)),
        ProbeAction::Grpc { port, service } => {
            let mut grpc = json!({ "port": port });
            if let Some(service) = service {
                grpc["service"] = json!(service);
            }
            ("grpc", grpc)
        }
        ProbeAction::Tcp { port } => ("tcpSocket", json!({ "port": port })),
        ProbeAction::Exec { command } => ("exec", json!({ "command": command })),
    };
    written[key] = action;
    written
}

fn http_get(http: &HttpGet) -> Json {
    let mut get = json!({ "path": http.path, "port": http.port });
    if http.https {
        get["scheme"] = json!("HTTPS");
    }
    if !http.headers.is_empty() {
        get["httpHeaders"] = http
            .headers
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
    }
    get
}

/// A volume mount.
pub(super) fn mount(volume: &str, path: &str) -> Json {
    json!({ "name": volume, "mountPath": path })
}

/// A volume of scratch space that lives as long as the pod.
pub(super) fn empty_dir(volume: &str) -> Json {
    json!({ "name": volume, "emptyDir": {} })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_defaults_to_the_request() {
        assert_eq!(
            resources("250m", "256Mi", None, Some("1Gi")),
            json!({
                "requests": { "cpu": "250m", "memory": "256Mi" },
                "limits": { "cpu": "250m", "memory": "1Gi" },
            })
        );
    }
}
