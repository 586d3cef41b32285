//! An application's Terraform reads the state of its platform's shared root module.
//!
//! Invariant: in an environment that is its platform's, an application whose root
//! modules would read a value the platform's shared root module provisions (a
//! generated password, a module output) can do so only from a backend both reach; a
//! state kept on the platform's machine (no backend, or a `local` one at a relative
//! path) cannot be, and is reported (E1005) rather than written into a build that
//! would fail at `terraform plan`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::resolve::model::{Backend, Instance, InstanceId, Provisioning, ResolvedWorkload};
use crate::resolve::value::Value;

/// E1005 for the environment `environment` (its declaration at `source`), when
/// `backend` cannot be read from an application and one of `workloads` (with the
/// instances they own) reads a value that one of the shared `instances` provisions.
pub(crate) fn check<'a>(
    environment: &str,
    source: &Label,
    backend: Option<&Backend>,
    shared: &BTreeMap<InstanceId, Arc<Instance>>,
    workloads: impl Iterator<
        Item = (
            &'a ResolvedWorkload,
            &'a BTreeMap<InstanceId, Arc<Instance>>,
        ),
    >,
) -> Option<Diagnostic> {
    let why = unreadable(backend)?;
    let (workload, _) = workloads
        .into_iter()
        .find(|(workload, owned)| reads_shared_state(workload, owned, shared))?;
    Some(
        Diagnostic::new(
            Code::PlatformStateUnreadable,
            format!(
                "`{}` reads what the platform provisions in `{environment}`, whose Terraform state {why}",
                workload.name
            ),
            workload.source.file,
            workload.source.range,
        )
        .with_label("its Terraform reads the platform's shared state")
        .with_secondary(source.clone().with_message(format!("`{environment}` is declared here")))
        .with_help(format!(
            "give `{environment}` a backend that the platform and its applications both reach, in the platform's repository: `backend s3 {{ bucket = \"...\", key = \"...\", region = \"...\" }}`, or `backend local {{ path = \"/an/absolute/path.tfstate\" }}` on one machine"
        )),
    )
}

/// Why an application cannot read the platform's state under `backend`, if it cannot.
fn unreadable(backend: Option<&Backend>) -> Option<&'static str> {
    let Some(backend) = backend else {
        return Some("is kept in the platform's own output (it has no backend)");
    };
    if backend.kind != "local" {
        return None;
    }
    match backend.config.get("path").and_then(Value::as_text) {
        Some(path) if std::path::Path::new(&path).is_absolute() => None,
        _ => Some("is kept at a path relative to the platform's own output"),
    }
}

/// Whether a value of `workload`, or of an instance it owns, is provisioned by one of
/// the `shared` instances.
fn reads_shared_state(
    workload: &ResolvedWorkload,
    owned: &BTreeMap<InstanceId, Arc<Instance>>,
    shared: &BTreeMap<InstanceId, Arc<Instance>>,
) -> bool {
    let from_shared = |value: &Value| {
        value
            .deferreds()
            .iter()
            .any(|deferred| shared.contains_key(deferred.instance()))
    };
    let containers = workload
        .containers
        .iter()
        .flat_map(|container| container.env.values().chain(container.files.values()));
    let instances = owned
        .values()
        .filter(|instance| !shared.contains_key(&instance.id))
        .flat_map(instance_values);
    containers
        .chain(workload.service_account_annotations.values())
        .chain(instances)
        .any(from_shared)
}

/// The values an instance's provisioning is written from.
fn instance_values(instance: &Arc<Instance>) -> Vec<&Value> {
    let mut values: Vec<&Value> = instance.outputs.values().collect();
    match &instance.provisioning {
        Provisioning::Terraform(module) => values.extend(module.inputs.values()),
        Provisioning::Kubernetes(service) => values.extend(service.env.values()),
        _ => {}
    }
    values
}
