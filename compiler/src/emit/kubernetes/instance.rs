//! The objects of an instance that runs in the environment's cluster, under
//! `instances/<object name>/`.
//!
//! An in-cluster service is a StatefulSet with a volume claim template when it keeps
//! data (`storage`), a Deployment otherwise, with one replica; a Service on its port,
//! for each of its protocols; a ServiceAccount; a ConfigMap of the files it reads; and
//! a NetworkPolicy that lets in only the workloads that use it. An instance without an
//! image, or that containers mount in `volumes`, is storage, not a service: it is a
//! PersistentVolumeClaim of the same name, which those containers mount directly.
//!
//! Invariants: the pod has the same restricted security context as a workload's, as
//! the user its image needs when the implementation names one (`user`); its environment
//! is delivered as [`crate::emit::delivery`] decides with the object name as owner, so
//! its secrets come from `<object name>-secrets`, which the Terraform writes; its data
//! volume is mounted at the implementation's `data_path`, its files one by one from its
//! ConfigMap, and scratch space at `/tmp` and at each `writable` path, since the root
//! filesystem is read-only. Instances provisioned by Terraform, existing ones and
//! routes have no object here (routes are written beside the workload that owns them).

use std::collections::BTreeMap;

use crate::emit::Artifact;
use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::{InClusterService, Instance, Protocol, Provisioning};
use crate::resolve::value::Value;

use super::config_map::{self, ConfigMap};
use super::context::Context;
use super::meta::{App, IntOrString};
use super::pod::{self, Container, ContainerPort, PodTemplate, TMP_PATH, TMP_VOLUME};
use super::probe::{Handler, Probe, TcpSocket};
use super::security::USER_ID;
use super::service::ServicePort;
use super::stateful_set::{self, DATA_VOLUME};
use super::volumes::{self, ConfigMapVolume, Volume, VolumeMount, VolumeSource};
use super::{artifact, deployment, env, network_policy, service, service_account, volume_claim};

const FILES_VOLUME: &str = "files";
const CONTAINER: &str = "main";

/// Requests and limits of an in-cluster service (the model does not carry them): enough
/// for the development databases, caches and emulators that the standard library runs.
const CPU: &str = "100m";
const MEMORY: &str = "256Mi";
const CPU_LIMIT: &str = "1";
const MEMORY_LIMIT: &str = "1Gi";

/// Why a pod that runs as its image's own user, a low id, is not flagged by the
/// scanner's check for high user ids (an annotation the scanner reads on the object).
const OWN_USER_SKIP: (&str, &str) = (
    "checkov.io/skip1",
    "CKV_K8S_40=the image writes its directories as its own user; see docs/security.md",
);

/// The name of the container port (and Service port) of `protocol`.
pub(super) fn port_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "service",
        Protocol::Udp => "service-udp",
    }
}

/// In an application's build, the policy that admits its workloads to `instance`, one
/// of its platform's shared instances, when it runs a service in the cluster that
/// they use.
pub(super) fn admission<'a>(context: &Context<'a>, instance: &'a Instance) -> Vec<Artifact> {
    let Provisioning::Kubernetes(service) = &instance.provisioning else {
        return Vec::new();
    };
    if service.image.is_none() || context.is_mounted(&instance.id) {
        return Vec::new();
    }
    network_policy::admission(context, instance, service)
        .map(|policy| {
            let file = format!("instances/{}/networkpolicy.yaml", instance.object_name);
            artifact(file, &policy, &instance.source)
        })
        .into_iter()
        .collect()
}

/// The files of `instance`, none when it does not run in the cluster.
pub(super) fn artifacts<'a>(context: &Context<'a>, instance: &'a Instance) -> Vec<Artifact> {
    let Provisioning::Kubernetes(service) = &instance.provisioning else {
        return Vec::new();
    };
    let app = App {
        component: Some(&instance.offering),
        ..App::new(&instance.object_name)
    };
    let source = &instance.source;
    let file = |name: &str| format!("instances/{}/{name}.yaml", instance.object_name);

    let image = match &service.image {
        Some(image) if !context.is_mounted(&instance.id) => image,
        _ => {
            let claim = volume_claim::object(context, &app, instance, service);
            return vec![artifact(file("persistentvolumeclaim"), &claim, source)];
        }
    };

    let files = files(app.name, service);
    let config_map = files_config_map(context, &app, instance, &files);
    let mut template = pod_template(context, &app, image, service, &files);
    if let Some(config_map) = &config_map {
        template.metadata.annotations.insert(
            config_map::CHECKSUM_ANNOTATION,
            config_map.checksum().into(),
        );
    }
    let mut metadata = app.metadata(context, app.name, source);
    if service.user.is_some_and(|user| user < USER_ID) {
        let (key, reason) = OWN_USER_SKIP;
        metadata.annotations.insert(key, reason.into());
    }
    let controller = match &service.storage {
        Some(_) => {
            let claim = volume_claim::spec(instance, service);
            let stateful_set = stateful_set::single(context, &app, metadata, template, claim);
            artifact(file("statefulset"), &stateful_set, source)
        }
        None => {
            let deployment = deployment::object(&app, metadata, Some(1), template);
            artifact(file("deployment"), &deployment, source)
        }
    };
    let no_annotations = BTreeMap::new();
    let mut artifacts = vec![
        controller,
        artifact(
            file("serviceaccount"),
            &service_account::object(context, &app, source, &no_annotations),
            source,
        ),
        artifact(
            file("networkpolicy"),
            &network_policy::instance(context, &app, instance, service),
            source,
        ),
    ];
    if let Some(config_map) = &config_map {
        artifacts.push(artifact(file("configmap"), config_map, source));
    }
    if let Some(port) = service.port {
        let ports = service
            .protocols
            .iter()
            .map(|protocol| ServicePort::named(port_name(*protocol), port, protocol.name()))
            .collect();
        let service = service::with_ports(context, &app, source, ports);
        artifacts.push(artifact(file("service"), &service, source));
    }
    artifacts
}

/// A file the service reads: its path, its key in the ConfigMap, and its text.
struct File {
    path: String,
    key: String,
    text: String,
}

/// The files the service reads, each with the key of the ConfigMap that holds it.
fn files(owner: &str, service: &InClusterService) -> Vec<File> {
    service
        .files
        .iter()
        .filter(|(_, value)| !matches!(value, Value::Absent))
        .filter_map(|(path, value)| match delivery::file(owner, path, value) {
            Delivery::PlatConfigMap { key, .. } => Some(File {
                path: path.clone(),
                key,
                text: delivery::compile_time_text(value),
            }),
            _ => None,
        })
        .collect()
}

/// The ConfigMap of the service's files, when it reads any (of two files with the same
/// key, the last one).
fn files_config_map<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    instance: &'a Instance,
    files: &[File],
) -> Option<ConfigMap<'a>> {
    if files.is_empty() {
        return None;
    }
    let data = files
        .iter()
        .map(|file| (file.key.clone(), file.text.clone()))
        .collect();
    let metadata = app.metadata(
        context,
        delivery::config_map_name(app.name),
        &instance.source,
    );
    Some(ConfigMap::new(metadata, data))
}

/// The name of the empty volume mounted at the `index`th writable path.
fn writable_volume(index: usize) -> String {
    format!("writable-{index}")
}

fn pod_template<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    image: &'a str,
    service: &'a InClusterService,
    files: &'a [File],
) -> PodTemplate<'a> {
    let mut mounts: BTreeMap<&str, VolumeMount<'a>> = BTreeMap::new();
    if service.storage.is_some() {
        mounts.insert(
            &service.data_path,
            pod::mount(DATA_VOLUME, &service.data_path),
        );
    }
    for file in files {
        mounts
            .entry(&file.path)
            .or_insert_with(|| volumes::file_mount(FILES_VOLUME, &file.path, &file.key));
    }
    let mut pod_volumes = vec![Volume::empty_dir(TMP_VOLUME)];
    for (index, path) in service.writable.iter().enumerate() {
        let volume = writable_volume(index);
        mounts
            .entry(path)
            .or_insert_with(|| pod::mount(volume.clone(), path));
        pod_volumes.push(Volume::empty_dir(volume));
    }
    mounts
        .entry(TMP_PATH)
        .or_insert_with(|| pod::mount(TMP_VOLUME, TMP_PATH));
    if !files.is_empty() {
        pod_volumes.push(Volume {
            name: FILES_VOLUME.into(),
            source: VolumeSource::ConfigMap(ConfigMapVolume {
                items: volumes::items(files.iter().map(|file| file.key.clone())),
                name: delivery::config_map_name(app.name),
            }),
        });
    }

    let pod_port = service.pod_port();
    let ports: Vec<ContainerPort<'a>> = pod_port
        .map(|port| {
            service
                .protocols
                .iter()
                .map(|protocol| ContainerPort {
                    container_port: port,
                    name: port_name(*protocol),
                    protocol: protocol.name(),
                })
                .collect()
        })
        .unwrap_or_default();
    let probed = pod_port.filter(|_| service.protocols.contains(&Protocol::Tcp));
    let user = service.user.unwrap_or(USER_ID);
    let resources = pod::resources(CPU, MEMORY, Some(CPU_LIMIT), Some(MEMORY_LIMIT));
    let container = Container {
        args: &service.args,
        env: env::variables(app.name, &service.env),
        ports,
        liveness_probe: probed.map(|_| tcp_probe(true)),
        readiness_probe: probed.map(|_| tcp_probe(false)),
        volume_mounts: mounts.into_values().collect(),
        ..Container::restricted(CONTAINER, image, resources, user)
    };
    pod::template(context, app, vec![container], pod_volumes, pod_port, user)
}

/// A probe that connects to the service's TCP port; the liveness probe gives a first
/// start (a database initialising its data) a minute and a half.
fn tcp_probe(liveness: bool) -> Probe<'static> {
    let handler = Handler::TcpSocket(TcpSocket {
        port: IntOrString::String(port_name(Protocol::Tcp)),
    });
    let probe = Probe::every(handler, 10);
    if liveness {
        Probe {
            initial_delay_seconds: Some(30),
            failure_threshold: Some(6),
            ..probe
        }
    } else {
        probe
    }
}
