//! The Kubernetes artefacts of one environment: one YAML object per file under
//! `kubernetes/`, and a `kustomization.yaml` that lists them all, so that
//! `kubectl apply -k`, Argo CD or Flux apply the directory as it is.
//!
//! Layout, relative to the environment's output directory:
//!
//! ```text
//! kubernetes/kustomization.yaml
//! kubernetes/namespace.yaml
//! kubernetes/<workload>/{deployment,hpa,service,configmap,serviceaccount,pdb,networkpolicy}.yaml
//! kubernetes/<workload>/{job,cronjob}.yaml              (a job's, instead of a deployment)
//! kubernetes/<workload>/{ingress,httproute}-<route object name>.yaml
//! kubernetes/instances/<object name>/{statefulset|deployment,service,serviceaccount,networkpolicy}.yaml
//! kubernetes/instances/<object name>/persistentvolumeclaim.yaml
//! ```
//!
//! An application's build (an environment of its platform) writes no Namespace and no
//! objects of the platform's shared instances, only, for each in-cluster one its
//! workloads use, `instances/<object name>/networkpolicy.yaml`, the policy that admits
//! them.
//!
//! Invariants:
//! - The only input is the [`ResolvedEnvironment`]; how each value reaches a container
//!   is decided by [`crate::emit::delivery`], never here, so that the names agree with
//!   the Secrets and ConfigMaps that the Terraform writes.
//! - A secret value is never rendered: secret environment variables and files reach a
//!   container only through a `secretKeyRef` or a Secret volume; labels and annotations
//!   are plain by construction of the model.
//! - Every object carries `metadata.namespace` (the Namespace itself aside), the
//!   recommended `app.kubernetes.io/{name,part-of,managed-by}` labels and a
//!   `plat.dev/source` annotation naming the source location that produced it.
//! - Every pod meets the Pod Security Standard "restricted" (see `security.rs`), and
//!   every container has CPU and memory requests and limits.
//! - Output is deterministic: keys are sorted, lists are sorted or in declaration order,
//!   and the artefacts are returned sorted by path. Nothing here panics.
//! - Objects are typed Rust values, written straight to YAML by [`yaml`] as soon as they
//!   are built: no intermediate tree, and no object outlives its text.
//!
//! Adding an object, or a field:
//! - A kind of object is a module named after it (`deployment.rs`) that declares its
//!   spec as structs deriving `Serialize` with `#[serde(rename_all = "camelCase")]`,
//!   `impl object::Spec` for it (its `apiVersion` and `kind`), `type Kind<'a> =
//!   Object<'a, KindSpec<'a>>`, and small constructors from the model. A kind without a
//!   spec (ConfigMap, ServiceAccount) declares its own struct with `api_version` and
//!   `kind` fields.
//! - The parts several kinds share have their module: [`meta`] (`ObjectMeta`,
//!   selectors, `IntOrString`, the app's labels), [`pod`] (pod templates, containers,
//!   resources), [`workload_pod`] (a workload's pods, whatever runs them), [`probe`],
//!   [`env`](mod@env), [`volumes`], [`security`]. A container starts from
//!   `pod::Container::restricted` and sets what it has (`Container { env, ..restricted }`).
//! - Fields: an `Option` that is `None` is left out; a list is written even when empty
//!   unless its field says `#[serde(skip_serializing_if = "Vec::is_empty")]`; a one-of
//!   (a probe's handler, a volume's source) is an enum `#[serde(flatten)]`ed into its
//!   struct. Field order does not matter: the writer sorts keys. Borrow from the model
//!   (`&'a str`) rather than cloning.
//! - The workload's or instance's `artifacts` function writes the object with
//!   [`artifact`] under its file name, which the layout above lists.

mod config_map;
mod context;
mod deployment;
mod env;
mod horizontal_pod_autoscaler;
mod http_route;
mod ingress;
mod instance;
mod job;
mod kustomization;
mod meta;
mod namespace;
mod network_policy;
mod object;
mod pod;
mod pod_disruption_budget;
mod probe;
mod security;
mod service;
mod service_account;
mod stateful_set;
mod volume_claim;
mod volumes;
mod workload;
mod workload_pod;
mod yaml;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::diagnostic::Label;
use crate::emit::Artifact;
use crate::resolve::model::{Owner, ResolvedEnvironment};

use context::Context;

/// The directory, relative to the environment's output directory, that holds every
/// Kubernetes artefact.
pub(crate) const DIRECTORY: &str = "kubernetes";

/// Turns a source label into the text of the `plat.dev/source` annotation
/// (`workloads/api.plat:12`). The caller provides it because reading a label's file
/// needs the database; [`crate::emit::Places::locate`] is the usual one.
pub(crate) type Locate<'a> = &'a (dyn Fn(&Label) -> String + Sync);

/// The Kubernetes artefacts of `env`, for the project named `project` (the value of
/// the `app.kubernetes.io/part-of` label), sorted by path: [`emit_in_parts`] taken
/// whole, as the tests read them.
#[cfg(test)]
pub(crate) fn emit(env: &ResolvedEnvironment, project: &str, locate: Locate<'_>) -> Vec<Artifact> {
    let mut artifacts = super::gathered(|sink| emit_in_parts(env, project, locate, sink));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// The artefacts of [`emit`], handed to `sink` in parts as they are rendered (the
/// namespace, then the workloads and the instances a batch at a time, the
/// kustomization last), each path once: the first of a path is kept, in that order.
/// Stops at the first error of `sink`.
pub(crate) fn emit_in_parts<E>(
    env: &ResolvedEnvironment,
    project: &str,
    locate: Locate<'_>,
    sink: &mut dyn FnMut(Vec<Artifact>) -> Result<(), E>,
) -> Result<(), E> {
    let context = Context::new(env, project, locate);
    // Each object is written as soon as it is built, each workload and instance on a
    // thread of its own: no object outlives its text, and no part outlives its files.
    // In an application's build, the namespace and the shared instances are the
    // platform's: only the policies that admit the application to them are written.
    let platforms = env.is_platforms();
    let mut paths = std::collections::BTreeSet::new();
    let mut hand_on = |part: Vec<Artifact>| {
        let part: Vec<Artifact> = part
            .into_iter()
            .filter(|artifact| paths.insert(artifact.path.clone()))
            .collect();
        sink(part)
    };
    if !platforms {
        let namespace = namespace::object(&context);
        hand_on(vec![artifact(
            "namespace.yaml".to_string(),
            &namespace,
            &env.source,
        )])?;
    }
    super::in_parts(
        &env.workloads,
        |workload| workload::artifacts(&context, workload),
        &mut hand_on,
    )?;
    super::in_parts(
        &env.instances,
        |instance| match instance.owner {
            Owner::Environment if platforms => instance::admission(&context, instance),
            _ => instance::artifacts(&context, instance),
        },
        &mut hand_on,
    )?;
    let prefix = format!("{DIRECTORY}/");
    let files: Vec<&str> = paths
        .iter()
        .filter_map(|path| path.strip_prefix(&prefix))
        .collect();
    let kustomization = kustomization::artifact(&context, &files);
    sink(vec![kustomization])
}

/// The file of one object: `object` written as YAML at `file` (relative to
/// [`DIRECTORY`]), produced by `source`.
fn artifact(file: String, object: &impl Serialize, source: &Label) -> Artifact {
    Artifact {
        path: format!("{DIRECTORY}/{file}"),
        contents: yaml::to_string(object),
        source: Some(source.clone()),
    }
}
