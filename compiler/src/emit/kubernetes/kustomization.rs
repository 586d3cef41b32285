//! `kustomization.yaml`: the list of every object file, so that `kubectl apply -k`,
//! Argo CD or Flux apply the directory as it is.
//!
//! Invariants: it lists every object file that [`super::emit`] writes, exactly once,
//! sorted, relative to the `kubernetes/` directory; it changes nothing in the objects
//! (no name prefixes, no common labels), so what is applied is what plat wrote.

use serde::Serialize;

use crate::emit::Artifact;

use super::context::Context;
use super::{DIRECTORY, yaml};

pub(super) const FILE: &str = "kustomization.yaml";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization<'a> {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<&'a str>,
}

/// The kustomization of the object files `files` (relative to [`DIRECTORY`]).
pub(super) fn artifact(context: &Context<'_>, files: &[&str]) -> Artifact {
    let mut resources: Vec<&str> = files.to_vec();
    resources.sort_unstable();
    resources.dedup();
    let kustomization = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources,
    };
    Artifact {
        path: format!("{DIRECTORY}/{FILE}"),
        contents: yaml::to_string(&kustomization),
        source: Some(context.env.source.clone()),
    }
}
