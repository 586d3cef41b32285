//! The objects of an instance that runs in the environment's cluster, under
//! `instances/<object name>/`.
//!
//! An in-cluster service is a StatefulSet with a volume claim template when it keeps
//! data (`storage`), a Deployment otherwise, with one replica; a Service on its port; a
//! ServiceAccount; and a NetworkPolicy that lets in only the workloads that use it. An
//! instance that containers mount in `volumes` is storage, not a service: it is a
//! PersistentVolumeClaim of the same name, which those containers mount directly.
//!
//! Invariants: the pod has the same restricted security context as a workload's; its
//! environment is delivered as [`crate::emit::delivery`] decides with the object name
//! as owner, so its secrets come from `<object name>-secrets`, which the Terraform
//! writes; its data volume is mounted at [`DATA_PATH`], and scratch space at `/tmp`
//! and [`RUN_PATH`], since the root filesystem is read-only. Instances provisioned by
//! Terraform, existing ones and routes have no object here (routes are written beside
//! the workload that owns them).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::resolve::model::{InClusterService, Instance, Provisioning};

use super::context::Context;
use super::meta::App;
use super::pod::{self, ContainerParts, TMP_PATH, TMP_VOLUME};
use super::{Object, deployment, env, network_policy, service, service_account, volume_claim};

/// Where the persistent volume of a service that keeps data is mounted.
pub(super) const DATA_PATH: &str = "/data";
/// Scratch space for sockets and pid files.
pub(super) const RUN_PATH: &str = "/var/run";
const DATA_VOLUME: &str = "data";
const RUN_VOLUME: &str = "run";
const CONTAINER: &str = "main";
const PORT_NAME: &str = "service";

/// Requests and limits of an in-cluster service (the model does not carry them): enough
/// for the development databases, caches and emulators that the standard library runs.
const CPU: &str = "100m";
const MEMORY: &str = "256Mi";
const CPU_LIMIT: &str = "1";
const MEMORY_LIMIT: &str = "1Gi";

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

    if context.is_mounted(&instance.id) {
        let body = volume_claim::object(context, &app, instance, service);
        return vec![Object::new(file("persistentvolumeclaim"), body, source)];
    }

    let (kind, body) = match &service.storage {
        Some(_) => (
            "statefulset",
            stateful_set(context, &app, instance, service),
        ),
        None => {
            let template = pod_template(context, &app, service);
            let body = deployment::object(context, &app, source, 1, template);
            ("deployment", body)
        }
    };
    let mut objects = vec![
        Object::new(file(kind), body, source),
        Object::new(
            file("serviceaccount"),
            service_account::object(context, &app, source, &BTreeMap::new()),
            source,
        ),
        Object::new(
            file("networkpolicy"),
            network_policy::instance(context, &app, instance, service.port),
            source,
        ),
    ];
    let ports = service
        .port
        .map(|port| (PORT_NAME, port))
        .into_iter()
        .collect();
    if let Some(body) = service::object(context, &app, source, &ports) {
        objects.push(Object::new(file("service"), body, source));
    }
    objects
}

fn stateful_set(
    context: &Context<'_>,
    app: &App<'_>,
    instance: &Instance,
    service: &InClusterService,
) -> Json {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": app.metadata(context, app.name, &instance.source),
        "spec": {
            "serviceName": app.name,
            "replicas": 1,
            "selector": app.selector(),
            "template": pod_template(context, app, service),
            "volumeClaimTemplates": [{
                "metadata": { "name": DATA_VOLUME, "labels": app.labels(context) },
                "spec": volume_claim::spec(instance, service),
            }],
        },
    })
}

fn pod_template(context: &Context<'_>, app: &App<'_>, service: &InClusterService) -> Json {
    let mut mounts = vec![
        pod::mount(TMP_VOLUME, TMP_PATH),
        pod::mount(RUN_VOLUME, RUN_PATH),
    ];
    if service.storage.is_some() {
        mounts.insert(0, pod::mount(DATA_VOLUME, DATA_PATH));
    }
    let ports = service
        .port
        .map(|port| json!({ "name": PORT_NAME, "containerPort": port, "protocol": "TCP" }));
    let container = pod::container(ContainerParts {
        name: CONTAINER,
        image: &service.image,
        command: &[],
        args: &service.args,
        env: env::variables(app.name, &service.env),
        ports: ports.into_iter().collect(),
        resources: pod::resources(CPU, MEMORY, Some(CPU_LIMIT), Some(MEMORY_LIMIT)),
        liveness: service.port.map(|_| tcp_probe(true)),
        readiness: service.port.map(|_| tcp_probe(false)),
        mounts,
    });
    let volumes = vec![pod::empty_dir(TMP_VOLUME), pod::empty_dir(RUN_VOLUME)];
    pod::template(context, app, vec![container], volumes, service.port)
}

/// A probe that connects to the service's port; the liveness probe gives a first start
/// (a database initialising its data) a minute and a half.
fn tcp_probe(liveness: bool) -> Json {
    let mut probe = json!({ "tcpSocket": { "port": PORT_NAME }, "periodSeconds": 10 });
    if liveness {
        probe["initialDelaySeconds"] = json!(30);
        probe["failureThreshold"] = json!(6);
    }
    probe
}
