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

use serde_json::{Map, Value as Json, json};

use crate::emit::delivery::{self, Delivery};
use crate::resolve::model::{InClusterService, Instance, Protocol, Provisioning};
use crate::resolve::value::Value;

use super::context::Context;
use super::meta::App;
use super::pod::{self, ContainerParts, TMP_PATH, TMP_VOLUME};
use super::security::USER_ID;
use super::{
    Object, config_map, deployment, env, network_policy, service, service_account, volume_claim,
};

const DATA_VOLUME: &str = "data";
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
pub(super) fn admission(context: &Context<'_>, instance: &Instance) -> Vec<Object> {
    let Provisioning::Kubernetes(service) = &instance.provisioning else {
        return Vec::new();
    };
    if service.image.is_none() || context.is_mounted(&instance.id) {
        return Vec::new();
    }
    network_policy::admission(context, instance, service)
        .map(|body| {
            let file = format!("instances/{}/networkpolicy.yaml", instance.object_name);
            Object::new(file, body, &instance.source)
        })
        .into_iter()
        .collect()
}

/// The objects of `instance`, none when it does not run in the cluster.
pub(super) fn objects(context: &Context<'_>, instance: &Instance) -> Vec<Object> {
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
            let body = volume_claim::object(context, &app, instance, service);
            return vec![Object::new(file("persistentvolumeclaim"), body, source)];
        }
    };

    let files = files_config_map(context, &app, instance, service);
    let checksum = files.as_ref().map(config_map::checksum);
    let mut template = pod_template(context, &app, image, service);
    if let Some(checksum) = checksum {
        template["metadata"]["annotations"][config_map::CHECKSUM_ANNOTATION] = checksum.into();
    }
    let (kind, mut body) = match &service.storage {
        Some(_) => (
            "statefulset",
            stateful_set(context, &app, instance, service, template),
        ),
        None => (
            "deployment",
            deployment::object(context, &app, source, 1, template),
        ),
    };
    if service.user.is_some_and(|user| user < USER_ID) {
        let (key, reason) = OWN_USER_SKIP;
        body["metadata"]["annotations"][key] = reason.into();
    }
    let mut objects = vec![
        Object::new(file(kind), body, source),
        Object::new(
            file("serviceaccount"),
            service_account::object(context, &app, source, &BTreeMap::new()),
            source,
        ),
        Object::new(
            file("networkpolicy"),
            network_policy::instance(context, &app, instance, service),
            source,
        ),
    ];
    if let Some(body) = files {
        objects.push(Object::new(file("configmap"), body, source));
    }
    if let Some(port) = service.port {
        let ports = service
            .protocols
            .iter()
            .map(|protocol| {
                let name = port_name(*protocol);
                json!({ "name": name, "port": port, "targetPort": name, "protocol": protocol.name() })
            })
            .collect();
        let body = service::with_ports(context, &app, source, ports);
        objects.push(Object::new(file("service"), body, source));
    }
    objects
}

fn stateful_set(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    service: &InClusterService,
    template: Json,
) -> Json {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": app.metadata(context, app.name, &instance.source),
        "spec": {
            "serviceName": app.name,
            "replicas": 1,
            "selector": app.selector(),
            "template": template,
            "volumeClaimTemplates": [{
                "metadata": { "name": DATA_VOLUME, "labels": app.labels(context) },
                "spec": volume_claim::spec(instance, service),
            }],
        },
    })
}

/// The files the service reads, each with the key of the ConfigMap that holds it.
fn files(owner: &str, service: &InClusterService) -> Vec<(String, String, String)> {
    service
        .files
        .iter()
        .filter(|(_, value)| !matches!(value, Value::Absent))
        .filter_map(|(path, value)| match delivery::file(owner, path, value) {
            Delivery::PlatConfigMap { key, .. } => {
                Some((path.clone(), key, delivery::compile_time_text(value)))
            }
            _ => None,
        })
        .collect()
}

/// The ConfigMap of the service's files, when it reads any.
fn files_config_map(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    service: &InClusterService,
) -> Option<Json> {
    let files = files(app.name, service);
    if files.is_empty() {
        return None;
    }
    let data: Map<String, Json> = files
        .into_iter()
        .map(|(_, key, text)| (key, Json::from(text)))
        .collect();
    Some(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": app.metadata(context, &delivery::config_map_name(app.name), &instance.source),
        "data": data,
    }))
}

/// The name of the empty volume mounted at the `index`th writable path.
fn writable_volume(index: usize) -> String {
    format!("writable-{index}")
}

fn pod_template(
    context: &Context<'_>,
    app: &App<'_>,
    image: &str,
    service: &InClusterService,
) -> Json {
    let mut mounts: BTreeMap<String, Json> = BTreeMap::new();
    if service.storage.is_some() {
        mounts.insert(
            service.data_path.clone(),
            pod::mount(DATA_VOLUME, &service.data_path),
        );
    }
    let files = files(app.name, service);
    for (path, key, _) in &files {
        mounts.entry(path.clone()).or_insert_with(
            || json!({ "name": FILES_VOLUME, "mountPath": path, "subPath": key, "readOnly": true }),
        );
    }
    let mut volumes = vec![pod::empty_dir(TMP_VOLUME)];
    for (index, path) in service.writable.iter().enumerate() {
        let volume = writable_volume(index);
        mounts
            .entry(path.clone())
            .or_insert_with(|| pod::mount(&volume, path));
        volumes.push(pod::empty_dir(&volume));
    }
    mounts
        .entry(TMP_PATH.to_string())
        .or_insert_with(|| pod::mount(TMP_VOLUME, TMP_PATH));
    if !files.is_empty() {
        let items: Vec<Json> = files
            .iter()
            .map(|(_, key, _)| json!({ "key": key, "path": key }))
            .collect();
        volumes.push(json!({
            "name": FILES_VOLUME,
            "configMap": { "name": delivery::config_map_name(app.name), "items": items },
        }));
    }

    let pod_port = service.pod_port();
    let ports: Vec<Json> = pod_port
        .map(|port| {
            service
                .protocols
                .iter()
                .map(|protocol| {
                    json!({
                        "name": port_name(*protocol),
                        "containerPort": port,
                        "protocol": protocol.name(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let probed = pod_port.filter(|_| service.protocols.contains(&Protocol::Tcp));
    let user = service.user.unwrap_or(USER_ID);
    let container = pod::container(ContainerParts {
        name: CONTAINER,
        image,
        command: &[],
        args: &service.args,
        env: env::variables(app.name, &service.env),
        ports,
        resources: pod::resources(CPU, MEMORY, Some(CPU_LIMIT), Some(MEMORY_LIMIT)),
        liveness: probed.map(|_| tcp_probe(true)),
        readiness: probed.map(|_| tcp_probe(false)),
        mounts: mounts.into_values().collect(),
        user,
    });
    pod::template(context, app, vec![container], volumes, pod_port, user)
}

/// A probe that connects to the service's TCP port; the liveness probe gives a first
/// start (a database initialising its data) a minute and a half.
fn tcp_probe(liveness: bool) -> Json {
    let mut probe = json!({
        "tcpSocket": { "port": port_name(Protocol::Tcp) },
        "periodSeconds": 10,
    });
    if liveness {
        probe["initialDelaySeconds"] = json!(30);
        probe["failureThreshold"] = json!(6);
    }
    probe
}
