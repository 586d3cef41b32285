//! `plat diff`: what a change does, per environment, computed from two builds.
//!
//! A [`Build`] is the files of a build, per environment (made in memory from the
//! sources, or read from a build directory); [`diff`] compares two of them:
//!
//! - the Kubernetes objects and the Terraform root modules and blocks added, removed
//!   and changed, with the paths of the fields that changed ([`fields`]);
//! - the instances whose offering's version or implementation changed;
//! - what destroys or replaces data, or leaves Terraform state with nothing to destroy
//!   it, as [`Finding`]s: a stateful instance destroyed or replaced ([`Severity::Destroys`]),
//!   a root module that leaves the output while it still creates something
//!   ([`Severity::Orphans`]), a protected instance among them ([`Severity::Protected`]).
//!
//! Invariants: computed from the files alone (never the sources, the disk or the
//! network), in the order of environment names, then paths and addresses, so the same
//! two builds give the same diff; every value shown comes from a build's files, which
//! never hold a secret. [`Diff::blocks`] is the gate a CI uses: protected and orphaning
//! changes always block, destroying ones unless allowed.

pub mod fields;
mod inventory;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;

use fields::FieldChange;
use inventory::{InstanceFacts, Inventory, Root};

/// The files of a build: environment → path relative to the environment's directory
/// (`terraform/shared/main.tf.json`) → text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Build {
    pub environments: BTreeMap<String, BTreeMap<String, String>>,
}

/// What a change does, per environment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// Sorted by name: every environment of either build.
    pub environments: Vec<EnvironmentDiff>,
}

/// What a change does to one environment.
#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentDiff {
    pub name: String,
    pub status: Status,
    /// What destroys, replaces or orphans something, most serious first.
    pub findings: Vec<Finding>,
    /// The instances whose offering's version or implementation changed, by id.
    pub offerings: Vec<OfferingChange>,
    /// Objects, root modules, blocks and module files added, removed or changed, in
    /// address order.
    pub changes: Vec<Change>,
    /// Files of either build that could not be read, with why.
    pub unreadable: Vec<String>,
}

/// Whether an environment is new, gone, changed or as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// How serious a finding is, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A protected instance would be destroyed, replaced or orphaned: never allowed.
    Protected,
    /// Terraform state is left with nothing to destroy what it holds: never allowed.
    Orphans,
    /// A stateful instance is destroyed or replaced: allowed only when asked.
    Destroys,
    /// Not destructive, but needs a step of its own (state that moves).
    Attention,
    /// Worth knowing.
    Note,
}

impl Severity {
    /// As written in every format: `destroys`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Protected => "protected",
            Severity::Orphans => "orphans",
            Severity::Destroys => "destroys",
            Severity::Attention => "attention",
            Severity::Note => "note",
        }
    }
}

/// One thing a change does that someone must know before applying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The instance it is about, when it is about one.
    pub instance: Option<String>,
    pub message: String,
}

/// An instance whose offering's version or implementation changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferingChange {
    pub instance: String,
    pub offering: String,
    pub old_version: String,
    pub new_version: String,
    pub old_implementation: String,
    pub new_implementation: String,
}

/// Where a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    Kubernetes,
    Terraform,
    /// The files of a Terraform module copied beside the root modules.
    Module,
}

/// What happened to an object, a block or a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// An object, a root module, a block or a file added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub system: System,
    /// `Deployment shop/api`; `workloads/api` (a root module); `workloads/api:
    /// module.api_db` (a block); `terraform/std/route53_zone/main.tf` (a file).
    pub address: String,
    pub kind: ChangeKind,
    /// The fields that changed (for `changed`), in path order.
    pub fields: Vec<FieldChange>,
    /// How many more fields changed than are listed.
    pub more_fields: usize,
}

impl Diff {
    /// Whether a CI gate stops the change: a protected instance or orphaned state
    /// always does, destroyed or replaced data unless `allow_destroy`.
    pub fn blocks(&self, allow_destroy: bool) -> bool {
        self.findings().any(|finding| match finding.severity {
            Severity::Protected | Severity::Orphans => true,
            Severity::Destroys => !allow_destroy,
            Severity::Attention | Severity::Note => false,
        })
    }

    /// Every finding of every environment.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.environments.iter().flat_map(|env| &env.findings)
    }

    /// How many findings of `severity` there are.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// Whether nothing changes anywhere.
    pub fn is_empty(&self) -> bool {
        self.environments
            .iter()
            .all(|env| env.status == Status::Unchanged)
    }
}

/// What changing `old` into `new` does.
pub fn diff(old: &Build, new: &Build) -> Diff {
    let names: BTreeSet<&String> = old
        .environments
        .keys()
        .chain(new.environments.keys())
        .collect();
    let none = BTreeMap::new();
    let environments = names
        .into_iter()
        .map(|name| {
            let before = old.environments.get(name);
            let after = new.environments.get(name);
            let mut env = environment(
                name,
                &inventory::of(before.unwrap_or(&none)),
                &inventory::of(after.unwrap_or(&none)),
            );
            env.status = match (before, after) {
                (None, _) => Status::Added,
                (_, None) => Status::Removed,
                _ if env.changes.is_empty() && env.findings.is_empty() => Status::Unchanged,
                _ => Status::Changed,
            };
            env
        })
        .collect();
    Diff { environments }
}

/// The diff of one environment.
fn environment(name: &str, old: &Inventory, new: &Inventory) -> EnvironmentDiff {
    let mut env = EnvironmentDiff {
        name: name.to_string(),
        status: Status::Unchanged,
        findings: Vec::new(),
        offerings: Vec::new(),
        changes: Vec::new(),
        unreadable: old
            .unreadable
            .iter()
            .map(|problem| format!("old: {problem}"))
            .chain(
                new.unreadable
                    .iter()
                    .map(|problem| format!("new: {problem}")),
            )
            .collect(),
    };
    compare_maps(
        &old.objects,
        &new.objects,
        System::Kubernetes,
        &mut env.changes,
    );
    compare_roots(old, new, &mut env);
    let module_files = |files: &BTreeMap<String, String>| -> BTreeMap<String, Json> {
        files
            .iter()
            .map(|(path, text)| (path.clone(), Json::String(text.clone())))
            .collect()
    };
    let mut modules = Vec::new();
    compare_maps(
        &module_files(&old.module_files),
        &module_files(&new.module_files),
        System::Module,
        &mut modules,
    );
    for change in &mut modules {
        // A file's text is no field: say only that it changed.
        change.fields.clear();
        change.more_fields = 0;
    }
    env.changes.extend(modules);
    compare_instances(old, new, &mut env);
    replaced_claims(&env.changes.clone(), &mut env.findings);
    env.findings.sort_by(|a, b| {
        (a.severity, &a.instance, &a.message).cmp(&(b.severity, &b.instance, &b.message))
    });
    env.findings.dedup();
    env
}

/// Objects (or blocks) added, removed and changed between two maps, by key.
fn compare_maps(
    old: &BTreeMap<String, Json>,
    new: &BTreeMap<String, Json>,
    system: System,
    into: &mut Vec<Change>,
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let change = match (old.get(key), new.get(key)) {
            (Some(_), None) => change(system, key.clone(), ChangeKind::Removed),
            (None, Some(_)) => change(system, key.clone(), ChangeKind::Added),
            (Some(a), Some(b)) if a != b => {
                let (fields, more) = fields::changes(a, b);
                Change {
                    fields,
                    more_fields: more,
                    ..change(system, key.clone(), ChangeKind::Changed)
                }
            }
            _ => continue,
        };
        into.push(change);
    }
}

fn change(system: System, address: String, kind: ChangeKind) -> Change {
    Change {
        system,
        address,
        kind,
        fields: Vec::new(),
        more_fields: 0,
    }
}

/// Root modules added and removed, their blocks, their backends, and what leaving the
/// output orphans.
fn compare_roots(old: &Inventory, new: &Inventory, env: &mut EnvironmentDiff) {
    let names: BTreeSet<&String> = old.roots.keys().chain(new.roots.keys()).collect();
    for name in names {
        match (old.roots.get(name), new.roots.get(name)) {
            (Some(root), None) => {
                env.changes
                    .push(change(System::Terraform, name.clone(), ChangeKind::Removed));
                env.findings.extend(left_the_output(name, root, old));
            }
            (None, Some(root)) => {
                env.changes
                    .push(change(System::Terraform, name.clone(), ChangeKind::Added));
                if !root.creates {
                    env.findings.push(Finding {
                        severity: Severity::Note,
                        instance: None,
                        message: format!(
                            "the root module `{name}` creates nothing: it is kept so that \
                             `terraform apply` there destroys what the sources remove"
                        ),
                    });
                }
            }
            (Some(before), Some(after)) => {
                let mut blocks = Vec::new();
                compare_maps(
                    &before.blocks,
                    &after.blocks,
                    System::Terraform,
                    &mut blocks,
                );
                for block in &mut blocks {
                    block.address = format!("{name}: {}", block.address);
                }
                env.changes.extend(blocks);
                if before.creates && !after.creates {
                    env.findings.push(Finding {
                        severity: Severity::Note,
                        instance: None,
                        message: format!(
                            "the root module `{name}` creates nothing now: `terraform apply` \
                             there destroys what its state holds"
                        ),
                    });
                }
                if before.backend != after.backend {
                    env.changes.push(Change {
                        fields: fields::changes(
                            before.backend.as_ref().unwrap_or(&Json::Null),
                            after.backend.as_ref().unwrap_or(&Json::Null),
                        )
                        .0,
                        ..change(
                            System::Terraform,
                            format!("{name}: terraform.backend"),
                            ChangeKind::Changed,
                        )
                    });
                    env.findings.push(backend_changed(name, before, after));
                }
            }
            (None, None) => {}
        }
    }
}

/// What a change of a root module's backend asks for: moving its state when the state's
/// location changes, re-initialising otherwise.
fn backend_changed(name: &str, before: &Root, after: &Root) -> Finding {
    let old = before.backend.as_ref().map(state_location);
    let new = after.backend.as_ref().map(state_location);
    if old != new {
        return Finding {
            severity: Severity::Attention,
            instance: None,
            message: format!(
                "the state of the root module `{name}` moves to another backend or location: \
                 move it first (`terraform init -migrate-state` there), or Terraform starts \
                 from an empty state and creates everything again"
            ),
        };
    }
    Finding {
        severity: Severity::Note,
        instance: None,
        message: format!(
            "the backend settings of the root module `{name}` change, not where its state \
             is: run `terraform init -reconfigure` there before the next plan"
        ),
    }
}

/// What in a backend block says where the state is: its kind, and the settings of that
/// kind that locate the state (all of them for a kind plat does not know).
fn state_location(backend: &Json) -> Json {
    let Some((kind, config)) = backend.as_object().and_then(|b| b.iter().next()) else {
        return backend.clone();
    };
    let locating: &[&str] = match kind.as_str() {
        "s3" => &[
            "bucket",
            "key",
            "workspace_key_prefix",
            "endpoints",
            "endpoint",
        ],
        "gcs" => &["bucket", "prefix"],
        "kubernetes" => &[
            "secret_suffix",
            "namespace",
            "config_context",
            "config_path",
            "config_paths",
            "host",
        ],
        "local" => &["path", "workspace_dir"],
        _ => return backend.clone(),
    };
    let kept: serde_json::Map<String, Json> = config
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| locating.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    serde_json::json!({ kind: kept })
}

/// What a root module that leaves the output leaves behind.
fn left_the_output(name: &str, root: &Root, old: &Inventory) -> Vec<Finding> {
    if !root.creates {
        return vec![Finding {
            severity: Severity::Note,
            instance: None,
            message: format!(
                "the root module `{name}`, kept to destroy what the sources removed, leaves the \
                 output: the removal is done, provided `terraform apply` ran there"
            ),
        }];
    }
    let held: Vec<(&String, &InstanceFacts)> = old
        .instances
        .iter()
        .filter(|(_, facts)| !facts.removed && facts.root() == name)
        .filter(|(_, facts)| facts.provisioner == "terraform")
        .collect();
    let what = if held.is_empty() {
        "what it provisioned (generated passwords, the Secrets it wrote)".to_string()
    } else {
        held.iter()
            .map(|(id, facts)| format!("`{id}` ({})", facts.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut findings = vec![Finding {
        severity: Severity::Orphans,
        instance: None,
        message: format!(
            "the root module `{name}` leaves the output while its state still holds {what}: \
             nothing would be left to destroy them, and they would live on unmanaged. Keep the \
             declaration with `removed = true` until `terraform apply` has destroyed them"
        ),
    }];
    for (id, facts) in held.iter().filter(|(_, facts)| facts.protected) {
        findings.push(protected(id, facts, "would be orphaned"));
    }
    findings
}

fn protected(id: &str, facts: &InstanceFacts, what: &str) -> Finding {
    Finding {
        severity: Severity::Protected,
        instance: Some(id.to_string()),
        message: format!(
            "`{id}` ({}) is protected (`protect = true`) and {what}: lift the protection in a \
             change of its own, apply it, then remove it",
            facts.describe()
        ),
    }
}

/// Offerings upgraded or implemented otherwise, and stateful instances destroyed or
/// replaced.
fn compare_instances(old: &Inventory, new: &Inventory, env: &mut EnvironmentDiff) {
    for (id, before) in old.instances.iter().filter(|(_, facts)| !facts.removed) {
        let after = new.instances.get(id);
        if let Some(after) = after.filter(|after| !after.removed) {
            if before.version != after.version
                || before.implementation != after.implementation
                || before.offering != after.offering
            {
                env.offerings.push(OfferingChange {
                    instance: id.clone(),
                    offering: after.offering.clone(),
                    old_version: before.version.clone(),
                    new_version: after.version.clone(),
                    old_implementation: before.implementation.clone(),
                    new_implementation: after.implementation.clone(),
                });
            }
            let replaced = before.implementation != after.implementation
                || before.offering != after.offering
                || before.provisioner != after.provisioner;
            if replaced && before.stateful {
                env.findings.push(destroyed(
                    id,
                    before,
                    &format!(
                        "is replaced: its implementation changes from `{}` to `{}`, and its \
                         data is not carried over",
                        before.describe(),
                        after.describe()
                    ),
                ));
            }
            continue;
        }
        let why = match after {
            Some(_) => "is destroyed: the sources remove it (`removed = true`)",
            None if before.provisioner != "terraform" => {
                "is destroyed: it is no longer in the sources, and its volume leaves the \
                 manifests (a GitOps controller that prunes deletes it)"
            }
            // Its root module left the output: reported there, as orphaned.
            None if !new.roots.contains_key(&before.root()) => continue,
            None => {
                "is destroyed: it is no longer in the sources, and `terraform apply` of its \
                 root module destroys it"
            }
        };
        if before.stateful {
            env.findings.push(destroyed(id, before, why));
        }
    }
}

/// A stateful instance destroyed or replaced; protected, it is never allowed.
fn destroyed(id: &str, facts: &InstanceFacts, why: &str) -> Finding {
    if facts.protected {
        return protected(id, facts, &why.replacen("is ", "would be ", 1));
    }
    Finding {
        severity: Severity::Destroys,
        instance: Some(id.to_string()),
        message: format!("`{id}` ({}) {why}", facts.describe()),
    }
}

/// A PersistentVolumeClaim whose spec changes other than by growing: Kubernetes cannot
/// change it in place, so it is replaced, and its data with it.
fn replaced_claims(changes: &[Change], findings: &mut Vec<Finding>) {
    for change in changes {
        if change.system != System::Kubernetes
            || change.kind != ChangeKind::Changed
            || !change.address.starts_with("PersistentVolumeClaim ")
        {
            continue;
        }
        let immutable = change.fields.iter().any(|field| {
            field.path.starts_with("spec.") && field.path != "spec.resources.requests.storage"
        });
        if immutable {
            findings.push(Finding {
                severity: Severity::Destroys,
                instance: None,
                message: format!(
                    "the `{}` is replaced: Kubernetes cannot change its spec in place, and its \
                     data goes with the old claim",
                    change.address
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests;
