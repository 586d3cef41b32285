//! Pod templates and containers, shared by workloads and in-cluster instances.
//!
//! Invariants: every pod has its own service account without a mounted token, the
//! restricted security context ([`super::security`]) and no service links; every
//! container, init containers and sidecars included, pulls its image always, has the
//! restricted container security context and requests and limits for CPU and memory (a
//! limit defaults to the request). A sidecar is an init container that restarts
//! always. Empty lists are left out rather than written as `[]`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::context::Context;
use super::env::EnvVar;
use super::meta::{App, ObjectMeta};
use super::probe::{Lifecycle, Probe};
use super::security::{self, ContainerSecurityContext, PodSecurityContext};
use super::volumes::{Volume, VolumeMount};

/// The volume that every pod mounts at `/tmp`, since the root filesystem is read-only.
pub(super) const TMP_VOLUME: &str = "tmp";
pub(super) const TMP_PATH: &str = "/tmp";

/// A pod template: the pods a Deployment or StatefulSet runs.
#[derive(Debug, Serialize)]
pub(super) struct PodTemplate<'a> {
    pub metadata: ObjectMeta<'a>,
    pub spec: PodSpec<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PodSpec<'a> {
    pub automount_service_account_token: bool,
    pub containers: Vec<Container<'a>>,
    pub enable_service_links: bool,
    /// Init containers and sidecars, in the order they start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container<'a>>,
    /// `Never` or `OnFailure` for a job's pods; the default (`Always`) otherwise.
    pub restart_policy: Option<&'static str>,
    pub security_context: PodSecurityContext,
    pub service_account_name: &'a str,
    pub termination_grace_period_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume<'a>>,
}

/// A container of a pod; [`Container::restricted`] makes one with every default.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Container<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub args: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub command: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar<'a>>,
    pub image: &'a str,
    pub image_pull_policy: &'static str,
    pub lifecycle: Option<Lifecycle<'a>>,
    pub liveness_probe: Option<Probe<'a>>,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort<'a>>,
    pub readiness_probe: Option<Probe<'a>>,
    pub resources: ResourceRequirements<'a>,
    /// `Always` for a sidecar, an init container that runs beside the others.
    pub restart_policy: Option<&'static str>,
    pub security_context: ContainerSecurityContext,
    pub startup_probe: Option<Probe<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount<'a>>,
}

impl<'a> Container<'a> {
    /// A container named `name` that runs `image` as `user` with `resources`, under the
    /// restricted security context; nothing else set.
    pub(super) fn restricted(
        name: &'a str,
        image: &'a str,
        resources: ResourceRequirements<'a>,
        user: u32,
    ) -> Self {
        Container {
            args: &[],
            command: &[],
            env: Vec::new(),
            image,
            image_pull_policy: "Always",
            lifecycle: None,
            liveness_probe: None,
            name,
            ports: Vec::new(),
            readiness_probe: None,
            resources,
            restart_policy: None,
            security_context: ContainerSecurityContext::restricted(user),
            startup_probe: None,
            volume_mounts: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContainerPort<'a> {
    pub container_port: u16,
    pub name: &'a str,
    pub protocol: &'static str,
}

/// Requests and limits.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(super) struct ResourceRequirements<'a> {
    pub limits: ResourceList<'a>,
    pub requests: ResourceList<'a>,
}

/// Quantities as written: `250m`, `256Mi`.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(super) struct ResourceList<'a> {
    pub cpu: &'a str,
    pub memory: &'a str,
}

/// A pod template for `app`, run by the service account of the same name, as `user`.
pub(super) fn template<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    containers: Vec<Container<'a>>,
    volumes: Vec<Volume<'a>>,
    lowest_port: Option<u16>,
    user: u32,
) -> PodTemplate<'a> {
    PodTemplate {
        metadata: app.pod_metadata(context),
        spec: PodSpec {
            automount_service_account_token: false,
            containers,
            enable_service_links: false,
            init_containers: Vec::new(),
            restart_policy: None,
            security_context: security::pod_security_context(user, lowest_port),
            service_account_name: app.name,
            termination_grace_period_seconds: None,
            volumes,
        },
    }
}

/// CPU and memory requests and limits; a limit that is not given is the request.
pub(super) fn resources<'a>(
    cpu: &'a str,
    memory: &'a str,
    cpu_limit: Option<&'a str>,
    memory_limit: Option<&'a str>,
) -> ResourceRequirements<'a> {
    ResourceRequirements {
        limits: ResourceList {
            cpu: cpu_limit.unwrap_or(cpu),
            memory: memory_limit.unwrap_or(memory),
        },
        requests: ResourceList { cpu, memory },
    }
}

/// Named TCP container ports, sorted by name.
pub(super) fn container_ports(ports: &BTreeMap<String, u16>) -> Vec<ContainerPort<'_>> {
    ports
        .iter()
        .map(|(name, port)| ContainerPort {
            container_port: *port,
            name,
            protocol: "TCP",
        })
        .collect()
}

/// A volume mount.
pub(super) fn mount<'a>(volume: impl Into<Cow<'a, str>>, path: &'a str) -> VolumeMount<'a> {
    VolumeMount {
        mount_path: path,
        name: volume.into(),
        read_only: None,
        sub_path: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_defaults_to_the_request() {
        assert_eq!(
            resources("250m", "256Mi", None, Some("1Gi")),
            ResourceRequirements {
                limits: ResourceList {
                    cpu: "250m",
                    memory: "1Gi"
                },
                requests: ResourceList {
                    cpu: "250m",
                    memory: "256Mi"
                },
            }
        );
    }
}
