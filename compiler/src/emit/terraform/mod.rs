//! Terraform, in its JSON syntax (`*.tf.json`), for one resolved environment.
//!
//! Layout, relative to the environment's output directory, chosen to keep the blast
//! radius of each `terraform apply` small:
//!
//! - `terraform/shared/`: the root module of the environment's shared instances;
//! - `terraform/workloads/<workload>/`: one root module per workload, for the instances
//!   it owns and the values it hands over to its containers.
//!
//! A root module is written only when it creates something. Its files:
//! - `terraform.tf.json`: `terraform { required_version, required_providers, backend }`
//!   ([`providers`], [`backend`]);
//! - `providers.tf.json`: the `provider` blocks;
//! - `main.tf.json`: a `module` block per instance provisioned by Terraform; a
//!   `random_password` per generated password; the `kubernetes_secret_v1` and
//!   `kubernetes_config_map_v1` that hand provision-time values to the cluster, named as
//!   [`crate::emit::delivery`] says; a `terraform_remote_state` for each other root
//!   module it reads (apply `shared` first);
//! - `outputs.tf.json`: an `output` per output of the instances it provisions, and per
//!   value another root module reads.
//!
//! Invariants: the output is a pure function of the model and the project name
//! (byte-identical across runs; JSON keys sorted; every file ends with a newline); no
//! secret is ever written as a literal (secrets are references to module outputs or
//! generated passwords); every output that may hold a secret is `sensitive`; nothing
//! here panics.

mod backend;
mod expr;
mod names;
mod plan;
mod providers;
mod render;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::emit::Artifact;
use crate::resolve::model::{Lifecycle, Owner, Provisioning, ResolvedEnvironment, TerraformModule};

use plan::RootId;
use providers::Provider;

/// The Terraform of `env`: the files of every root module that creates something, and
/// of every root module kept only to destroy what `lifecycle` says the sources remove,
/// in path order. `project` names the project in labels and default state locations.
/// [`emit_in_parts`] taken whole.
pub fn emit(env: &ResolvedEnvironment, lifecycle: &Lifecycle, project: &str) -> Vec<Artifact> {
    let mut artifacts = super::gathered(|sink| emit_in_parts(env, lifecycle, project, sink));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// The artefacts of [`emit`], handed to `sink` in parts as they are rendered (the live
/// root modules a batch at a time, then those kept only to destroy, with the copies of
/// the project's own modules), in no particular order. Stops at the first error of
/// `sink`.
pub(crate) fn emit_in_parts<E>(
    env: &ResolvedEnvironment,
    lifecycle: &Lifecycle,
    project: &str,
    sink: &mut dyn FnMut(Vec<Artifact>) -> Result<(), E>,
) -> Result<(), E> {
    let plan = plan::Plan::new(env);
    let removed_env = removed(env, lifecycle);
    let removed_plan = plan::Plan::new(&removed_env);
    // The providers each root module needs to destroy what the sources remove from it.
    let leftovers: BTreeMap<&RootId, BTreeSet<Provider>> = removed_plan
        .roots
        .iter()
        .filter(|root| root.has_work())
        .map(|root| (&root.id, render::used_providers(root)))
        .collect();
    let none = BTreeSet::new();
    // Root modules are independent: render them across cores.
    // An application's build leaves out the root module of the shared instances: the
    // platform provisions them, and the application's root modules read their state.
    let written: Vec<&plan::RootModule<'_>> = plan
        .roots
        .iter()
        .filter(|root| root.has_work())
        .filter(|root| !(env.is_platforms() && root.id == plan::RootId::Shared))
        .collect();
    super::in_parts(
        &written,
        |root| {
            let removed = leftovers.get(&root.id).unwrap_or(&none);
            render::files(env, lifecycle, project, &plan, root, removed)
                .into_iter()
                .map(|(name, document)| Artifact {
                    path: format!("{}/{name}", root.id.directory()),
                    contents: to_text(&document),
                    source: Some(root.source.clone()),
                })
                .collect()
        },
        sink,
    )?;
    let live: BTreeSet<&RootId> = plan
        .roots
        .iter()
        .filter(|root| root.has_work())
        .map(|root| &root.id)
        .collect();
    let mut rest = Vec::new();
    for root in removed_plan.roots.iter().filter(|root| root.has_work()) {
        if live.contains(&root.id) {
            continue;
        }
        let refs = removed_plan.references_from(&root.id);
        let providers = leftovers.get(&root.id).unwrap_or(&none);
        rest.extend(
            render::destroy_only_files(env, project, &root.id, &refs, providers)
                .into_iter()
                .map(|(name, document)| Artifact {
                    path: format!("{}/{name}", root.id.directory()),
                    contents: to_text(&document),
                    source: Some(root.source.clone()),
                }),
        );
    }
    rest.extend(local_modules(env));
    sink(rest)
}

/// What the sources remove from `env`, as an environment of its own: its root modules
/// are those the removal leaves with something to destroy.
fn removed(env: &ResolvedEnvironment, lifecycle: &Lifecycle) -> ResolvedEnvironment {
    ResolvedEnvironment {
        workloads: lifecycle.removed_workloads.clone(),
        instances: lifecycle.removed_instances.clone(),
        ..env.clone()
    }
}

/// The files of every module kept in the project that an instance uses, copied beside
/// the root modules, each once; in an application's build, only those of the
/// instances it provisions (the platform's shared ones are the platform's).
fn local_modules(env: &ResolvedEnvironment) -> Vec<Artifact> {
    let mut copied = std::collections::BTreeMap::new();
    let provisioned = env
        .instances
        .iter()
        .filter(|instance| !env.is_platforms() || instance.owner != Owner::Environment);
    for instance in provisioned {
        if let Provisioning::Terraform(TerraformModule {
            local: Some(local), ..
        }) = &instance.provisioning
        {
            copied.entry(local.directory.clone()).or_insert_with(|| {
                local
                    .files
                    .iter()
                    .map(|(name, text)| Artifact {
                        path: format!("terraform/{}/{name}", local.copy),
                        contents: text.clone(),
                        source: Some(instance.source.clone()),
                    })
                    .collect::<Vec<_>>()
            });
        }
    }
    copied.into_values().flatten().collect()
}

/// The `source` by which the root module in `root_directory` reaches the copy of a
/// module kept in the project, copied at `copy` (relative to `terraform/`):
/// `../../project/modules/search_cluster`.
pub(crate) fn local_module_source(root_directory: &str, copy: &str) -> String {
    // `root_directory` starts with `terraform/`, where the copies live too.
    let depth = root_directory.split('/').count().saturating_sub(1);
    let up = "../".repeat(depth);
    format!("{up}{copy}")
}

/// Pretty-printed JSON with a final newline.
fn to_text(document: &serde_json::Value) -> String {
    // Serialising a `serde_json::Value` cannot fail: its keys are strings.
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}
