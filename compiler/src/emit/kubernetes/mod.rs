//! The Kubernetes artefacts of one environment: one YAML object per file under
//! `kubernetes/`, and a `kustomization.yaml` that lists them all, so that
//! `kubectl apply -k`, Argo CD or Flux apply the directory as it is.
//!
//! Layout, relative to the environment's output directory:
//!
//! ```text
//! kubernetes/kustomization.yaml
//! kubernetes/namespace.yaml
//! kubernetes/<workload>/{deployment,service,configmap,serviceaccount,pdb,networkpolicy}.yaml
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

mod config_map;
mod context;
mod deployment;
mod env;
mod instance;
mod kustomization;
mod meta;
mod namespace;
mod network_policy;
mod pod;
mod pod_disruption_budget;
mod route;
mod security;
mod service;
mod service_account;
mod volume_claim;
mod volumes;
mod workload;
mod yaml;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

use rayon::prelude::*;
use serde_json::Value as Json;

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
/// the `app.kubernetes.io/part-of` label), sorted by path.
pub(crate) fn emit(env: &ResolvedEnvironment, project: &str, locate: Locate<'_>) -> Vec<Artifact> {
    let context = Context::new(env, project, locate);
    // Each workload's and each instance's objects are built and written at once, in
    // parallel: the object trees of one of them at a time per thread, never the
    // environment's.
    let rendered = |objects: Vec<Object>| -> Vec<Artifact> {
        objects.into_iter().map(Object::into_artifact).collect()
    };
    // In an application's build, the namespace and the shared instances are the
    // platform's: only the policies that admit the application to them are written.
    let platforms = env.is_platforms();
    let mut artifacts: Vec<Artifact> = if platforms {
        Vec::new()
    } else {
        rendered(vec![namespace::object(&context)])
    };
    let workloads: Vec<Vec<Artifact>> = env
        .workloads
        .par_iter()
        .map(|workload| rendered(workload::objects(&context, workload)))
        .collect();
    let instances: Vec<Vec<Artifact>> = env
        .instances
        .par_iter()
        .map(|instance| match instance.owner {
            Owner::Environment if platforms => rendered(instance::admission(&context, instance)),
            _ => rendered(instance::objects(&context, instance)),
        })
        .collect();
    artifacts.extend(workloads.into_iter().flatten());
    artifacts.extend(instances.into_iter().flatten());
    // Sorted by path, the first of a path kept (the stable sort keeps the order above).
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts.dedup_by(|a, b| a.path == b.path);
    let prefix = format!("{DIRECTORY}/");
    let files: Vec<&str> = artifacts
        .iter()
        .filter_map(|artifact| artifact.path.strip_prefix(&prefix))
        .collect();
    let kustomization = kustomization::artifact(&context, &files);
    artifacts.push(kustomization);
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// One Kubernetes object before it is written.
#[derive(Debug, Clone)]
struct Object {
    /// Relative to [`DIRECTORY`]: `api/deployment.yaml`.
    file: String,
    body: Json,
    source: Label,
}

impl Object {
    fn new(file: String, body: Json, source: &Label) -> Self {
        Object {
            file,
            body,
            source: source.clone(),
        }
    }

    fn into_artifact(self) -> Artifact {
        Artifact {
            path: format!("{DIRECTORY}/{}", self.file),
            contents: yaml::to_string(self.body),
            source: Some(self.source),
        }
    }
}
