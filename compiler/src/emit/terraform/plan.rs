//! The plan: which root module each piece of Terraform goes into, and how root modules
//! refer to each other.
//!
//! Invariants:
//! - an instance lives in the root module of its owner: `shared` for the environment's,
//!   `workloads/<name>` for a workload's (an id the environment does not know is treated
//!   as the environment's, so a broken model still renders, deterministically);
//! - a module block is written for every instance provisioned by Terraform, and a
//!   `random_password` for every instance whose generated password any value of the
//!   environment refers to; such an instance is *provisioned here*, and every one of its
//!   outputs becomes a Terraform output of its root module;
//! - every secret environment variable or file of an owner (a workload, or an in-cluster
//!   instance) goes into the owner's provisioned Secret, every plain provision-time one
//!   into its provisioned ConfigMap, under the keys [`delivery`] decides (the first
//!   container that sets a key wins, in declaration order);
//! - a workload whose ServiceAccount [`delivery::service_account`] gives to Terraform
//!   has it written by its own root module;
//! - an instance provisioned by Terraform that a container mounts, and whose
//!   implementation says how (`mount`), gets a PersistentVolume of that CSI volume and
//!   the claim bound to it from the root module of its owner
//!   ([`delivery::mounted_volume`]);
//! - a reference to a value provisioned in another root module goes through that root
//!   module's remote state, and that root module exports it as an output (reusing the
//!   instance output that holds exactly that value, when there is one);
//! - every Terraform output whose value is known only after provisioning is sensitive:
//!   it is either secret, or it comes from a third-party module whose outputs plat cannot
//!   see (and Terraform refuses a plain output made from a sensitive one). Only plain
//!   compile-time outputs are not sensitive.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Label;
use crate::emit::delivery::{self, Delivery, ServiceAccount};
use crate::resolve::model::{
    Instance, InstanceId, Owner, Provisioning, ResolvedEnvironment, ResolvedWorkload,
    TerraformModule,
};
use crate::resolve::value::{Deferred, Value};

use super::expr::{self, References};
use super::names::{self, Names};

/// A root module of an environment's Terraform. Ordered: `shared` first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum RootId {
    Shared,
    Workload(String),
}

impl RootId {
    fn of(owner: &Owner) -> RootId {
        match owner {
            Owner::Environment => RootId::Shared,
            Owner::Workload(name) => RootId::Workload(name.clone()),
        }
    }

    /// The directory, relative to the environment's output directory.
    pub(super) fn directory(&self) -> String {
        format!("terraform/{}", self.state_name())
    }

    /// How many directories the root module lies below `terraform/`.
    pub(super) fn depth(&self) -> usize {
        match self {
            RootId::Shared => 1,
            RootId::Workload(_) => 2,
        }
    }

    /// A name unique among the environment's root modules, usable in a state path:
    /// `shared`, `workloads/cart-api`.
    pub(super) fn state_name(&self) -> String {
        match self {
            RootId::Shared => "shared".to_string(),
            RootId::Workload(name) => format!("workloads/{}", names::directory(name)),
        }
    }

    /// The name of the `terraform_remote_state` data source that reads this root
    /// module's state from another one: `shared`, `workload_cart_api`.
    pub(super) fn data_source(&self) -> String {
        match self {
            RootId::Shared => "shared".to_string(),
            RootId::Workload(name) => format!("workload_{}", names::identifier(name)),
        }
    }
}

/// The Secret and the ConfigMap that one owner's Terraform writes.
#[derive(Debug)]
pub(super) struct Handover<'a> {
    /// A workload's name or an in-cluster instance's object name.
    pub owner: String,
    /// The Terraform resource name of both objects.
    pub identifier: String,
    pub secret: BTreeMap<String, &'a Value>,
    pub config: BTreeMap<String, &'a Value>,
}

/// A Terraform output of a root module.
#[derive(Debug)]
pub(super) struct Output {
    pub name: String,
    pub value: Value,
    pub sensitive: bool,
    pub description: String,
}

/// Everything one root module holds.
#[derive(Debug)]
pub(super) struct RootModule<'a> {
    pub id: RootId,
    pub source: Label,
    /// Instances provisioned by a Terraform module here, by id.
    pub modules: Vec<(&'a Instance, &'a TerraformModule)>,
    /// Instances whose password is generated here, by id.
    pub passwords: Vec<&'a Instance>,
    /// By owner.
    pub handovers: Vec<Handover<'a>>,
    /// The workloads whose ServiceAccount this root module writes.
    pub service_accounts: Vec<&'a ResolvedWorkload>,
    /// Mounted instances whose PersistentVolume and claim this root module writes, by id.
    pub claims: Vec<&'a Instance>,
    /// By name.
    pub outputs: Vec<Output>,
    /// The root modules whose state this one reads.
    pub remotes: BTreeSet<RootId>,
}

impl RootModule<'_> {
    /// Whether the root module creates anything; one that does not is not written.
    pub(super) fn has_work(&self) -> bool {
        !self.modules.is_empty()
            || !self.passwords.is_empty()
            || !self.handovers.is_empty()
            || !self.service_accounts.is_empty()
            || !self.claims.is_empty()
    }
}

/// The Terraform of one environment, decided.
#[derive(Debug)]
pub(super) struct Plan<'a> {
    pub roots: Vec<RootModule<'a>>,
    /// Instance id → (its root module, its Terraform identifier).
    placement: BTreeMap<InstanceId, (RootId, String)>,
    /// Root module → (deferred value → the output that exports it).
    exports: BTreeMap<RootId, BTreeMap<Deferred, String>>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(env: &'a ResolvedEnvironment) -> Plan<'a> {
        let placement = place(env);
        let generated = generated_passwords(env);
        let mut roots = assemble(env, &placement, &generated);
        let mut plan = Plan {
            roots: Vec::new(),
            placement,
            exports: BTreeMap::new(),
        };
        plan.link(&mut roots, env);
        plan.roots = roots.into_values().collect();
        plan
    }

    /// The references as seen from the root module `from`.
    pub(super) fn references_from<'p>(&'p self, from: &'p RootId) -> impl References + 'p {
        ReferencesFrom { plan: self, from }
    }

    fn root_of(&self, instance: &str) -> RootId {
        self.placement
            .get(instance)
            .map(|(root, _)| root.clone())
            .unwrap_or(RootId::Shared)
    }

    /// The Terraform identifier of an instance's module block or password.
    pub(super) fn identifier(&self, instance: &str) -> String {
        self.placement
            .get(instance)
            .map(|(_, identifier)| identifier.clone())
            .unwrap_or_else(|| names::identifier(instance))
    }

    /// Finds every reference that crosses root modules, exports the value from the
    /// root module that provisions it and has the other one read its state.
    ///
    /// The shared root module exports every provision-time value its outputs are built
    /// from, whether another root module of this build reads it or not: an
    /// application's root modules read them from the platform's state, and find there
    /// the outputs they would have exported, by the same names.
    fn link(&mut self, roots: &mut BTreeMap<RootId, RootModule<'a>>, env: &'a ResolvedEnvironment) {
        let mut wanted: BTreeMap<RootId, BTreeSet<Deferred>> = BTreeMap::new();
        if let Some(shared) = roots.get(&RootId::Shared) {
            let published: BTreeSet<Deferred> = shared
                .outputs
                .iter()
                .flat_map(|output| output.value.deferreds())
                .collect();
            if !published.is_empty() {
                wanted.insert(RootId::Shared, published);
            }
        }
        for root in roots.values_mut() {
            for deferred in deferred_in(root) {
                let owner = self.root_of(deferred.instance());
                if owner != root.id {
                    root.remotes.insert(owner.clone());
                    wanted.entry(owner).or_default().insert(deferred);
                }
            }
        }
        for (owner, deferreds) in wanted {
            let root = roots
                .entry(owner.clone())
                .or_insert_with(|| empty_root(owner.clone(), env));
            let mut taken: Names = Names::default();
            for output in &root.outputs {
                taken.claim(output.name.clone());
            }
            let exported = self.exports.entry(owner).or_default();
            for deferred in deferreds {
                let name = export(root, &mut taken, &deferred, &self.placement);
                exported.insert(deferred, name);
            }
            root.outputs.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
}

/// The references of one root module.
struct ReferencesFrom<'p, 'a> {
    plan: &'p Plan<'a>,
    from: &'p RootId,
}

impl References for ReferencesFrom<'_, '_> {
    fn reference(&self, deferred: &Deferred) -> String {
        let instance = deferred.instance();
        let owner = self.plan.root_of(instance);
        let exported = self
            .plan
            .exports
            .get(&owner)
            .and_then(|exports| exports.get(deferred));
        match exported {
            Some(output) if owner != *self.from => expr::traversal(
                &format!(
                    "data.terraform_remote_state.{}.outputs",
                    owner.data_source()
                ),
                std::slice::from_ref(output),
            ),
            _ => local_reference(&self.plan.identifier(instance), deferred),
        }
    }
}

/// A reference to a value provisioned in the same root module.
fn local_reference(identifier: &str, deferred: &Deferred) -> String {
    match deferred {
        Deferred::ModuleOutput { path, .. } => {
            expr::traversal(&format!("module.{identifier}"), path)
        }
        Deferred::GeneratedPassword { .. } => format!("random_password.{identifier}.result"),
    }
}

/// Every instance's root module and Terraform identifier, handed out in id order, the
/// environment's shared instances first: their identifiers, and so the names of the
/// shared root module's outputs, depend on the shared instances only, and are the same
/// in the platform's build and in each application's that reads them.
fn place(env: &ResolvedEnvironment) -> BTreeMap<InstanceId, (RootId, String)> {
    let mut instances: Vec<&Instance> = env.instances.iter().map(AsRef::as_ref).collect();
    instances.sort_by(|a, b| {
        (a.owner != Owner::Environment, &a.id).cmp(&(b.owner != Owner::Environment, &b.id))
    });
    let mut taken = Names::default();
    instances
        .into_iter()
        .map(|instance| {
            let identifier = taken.claim(names::identifier(&instance.object_name));
            (
                instance.id.clone(),
                (RootId::of(&instance.owner), identifier),
            )
        })
        .collect()
}

/// The ids of the instances whose generated password some value refers to.
fn generated_passwords(env: &ResolvedEnvironment) -> BTreeSet<InstanceId> {
    crate::resolve::model::generated_passwords(
        env.instances.iter().map(AsRef::as_ref),
        env.workloads.iter().map(AsRef::as_ref),
    )
}

/// Every root module with its modules, passwords, handovers and instance outputs.
fn assemble<'a>(
    env: &'a ResolvedEnvironment,
    placement: &BTreeMap<InstanceId, (RootId, String)>,
    generated: &BTreeSet<InstanceId>,
) -> BTreeMap<RootId, RootModule<'a>> {
    let mut roots: BTreeMap<RootId, RootModule<'a>> = BTreeMap::new();
    let mut instances: Vec<&Instance> = env.instances.iter().map(AsRef::as_ref).collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    for instance in instances {
        let id = RootId::of(&instance.owner);
        let root = roots
            .entry(id.clone())
            .or_insert_with(|| empty_root(id, env));
        add_instance(root, instance, placement, generated);
    }
    for workload in &env.workloads {
        let id = RootId::Workload(workload.name.clone());
        let handover = workload_handover(workload);
        if !handover.secret.is_empty() || !handover.config.is_empty() {
            let root = roots
                .entry(id.clone())
                .or_insert_with(|| empty_root(id.clone(), env));
            root.handovers.push(handover);
        }
        if delivery::service_account(workload) == ServiceAccount::Terraform {
            let root = roots
                .entry(id.clone())
                .or_insert_with(|| empty_root(id, env));
            root.service_accounts.push(workload);
        }
    }
    for instance in mounted_volumes(env) {
        let id = RootId::of(&instance.owner);
        let root = roots
            .entry(id.clone())
            .or_insert_with(|| empty_root(id, env));
        root.claims.push(instance);
    }
    for root in roots.values_mut() {
        name_resources(root);
    }
    roots
}

/// The instances provisioned by Terraform that some container mounts and that say how,
/// sorted by id.
fn mounted_volumes(env: &ResolvedEnvironment) -> Vec<&Instance> {
    let mounted = env.mounted_instances();
    let mut found: Vec<&Instance> = env
        .instances
        .iter()
        .map(AsRef::as_ref)
        .filter(|instance| mounted.contains(instance.id.as_str()))
        .filter(|instance| delivery::mounted_volume(instance).is_some())
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Gives the handovers and outputs of a root module their final, distinct names:
/// handovers in owner order, outputs in the order they were added (instance id, then
/// output name), so that the same model always gets the same names.
fn name_resources(root: &mut RootModule<'_>) {
    root.handovers.sort_by(|a, b| a.owner.cmp(&b.owner));
    let mut taken = Names::default();
    for handover in &mut root.handovers {
        handover.identifier = taken.claim(names::identifier(&handover.owner));
    }
    let mut taken = Names::default();
    for output in &mut root.outputs {
        output.name = taken.claim(std::mem::take(&mut output.name));
    }
    root.outputs.sort_by(|a, b| a.name.cmp(&b.name));
}

/// Adds what an instance needs to its owner's root module.
fn add_instance<'a>(
    root: &mut RootModule<'a>,
    instance: &'a Instance,
    placement: &BTreeMap<InstanceId, (RootId, String)>,
    generated: &BTreeSet<InstanceId>,
) {
    let mut provisioned_here = false;
    if let Provisioning::Terraform(module) = &instance.provisioning {
        root.modules.push((instance, module));
        provisioned_here = true;
    }
    if generated.contains(&instance.id) {
        root.passwords.push(instance);
        provisioned_here = true;
    }
    if let Provisioning::Kubernetes(service) = &instance.provisioning {
        let mut handover = Handover::new(&instance.object_name);
        for (key, value) in &service.env {
            handover.add(delivery::env_var(&instance.object_name, key, value), value);
        }
        if !handover.secret.is_empty() || !handover.config.is_empty() {
            root.handovers.push(handover);
        }
    }
    if provisioned_here {
        let identifier = placement
            .get(&instance.id)
            .map(|(_, identifier)| identifier.clone())
            .unwrap_or_else(|| names::identifier(&instance.object_name));
        for (name, value) in instance.outputs.iter() {
            root.outputs.push(Output {
                name: format!("{identifier}_{}", names::identifier(name)),
                value: value.clone(),
                sensitive: is_sensitive(value),
                description: format!(
                    "The `{name}` of `{}` ({} {}, implementation `{}`).",
                    instance.id,
                    instance.offering,
                    instance.offering_version,
                    instance.implementation
                ),
            });
        }
    }
}

/// The values of a workload's containers that its Terraform hands over to the cluster.
fn workload_handover(workload: &ResolvedWorkload) -> Handover<'_> {
    let mut handover = Handover::new(&workload.name);
    for container in &workload.containers {
        for (key, value) in &container.env {
            handover.add(delivery::env_var(&workload.name, key, value), value);
        }
        for (path, value) in &container.files {
            handover.add(delivery::file(&workload.name, path, value), value);
        }
    }
    handover
}

impl<'a> Handover<'a> {
    fn new(owner: &str) -> Handover<'a> {
        Handover {
            owner: owner.to_string(),
            identifier: String::new(),
            secret: BTreeMap::new(),
            config: BTreeMap::new(),
        }
    }

    /// Keeps the value if it is handed over by Terraform; the first value for a key wins.
    fn add(&mut self, delivery: Delivery, value: &'a Value) {
        match delivery {
            Delivery::ProvisionedSecret { key, .. } => {
                self.secret.entry(key).or_insert(value);
            }
            Delivery::ProvisionedConfigMap { key, .. } => {
                self.config.entry(key).or_insert(value);
            }
            Delivery::Inline(_) | Delivery::PlatConfigMap { .. } => {}
        }
    }
}

fn empty_root<'a>(id: RootId, env: &'a ResolvedEnvironment) -> RootModule<'a> {
    let source = match &id {
        RootId::Shared => env.source.clone(),
        RootId::Workload(name) => env
            .workload(name)
            .map(|workload| workload.source.clone())
            .unwrap_or_else(|| env.source.clone()),
    };
    RootModule {
        id,
        source,
        modules: Vec::new(),
        passwords: Vec::new(),
        handovers: Vec::new(),
        service_accounts: Vec::new(),
        claims: Vec::new(),
        outputs: Vec::new(),
        remotes: BTreeSet::new(),
    }
}

/// Adds the output that exports `deferred` from `root`, or finds the instance output
/// that already holds exactly it; returns the output's name.
fn export(
    root: &mut RootModule<'_>,
    taken: &mut Names,
    deferred: &Deferred,
    placement: &BTreeMap<InstanceId, (RootId, String)>,
) -> String {
    let wanted = Value::Deferred(Box::new(deferred.clone()));
    if let Some(output) = root
        .outputs
        .iter()
        .find(|output| output.value.revealed() == &wanted)
    {
        return output.name.clone();
    }
    let instance = deferred.instance();
    let identifier = placement
        .get(instance)
        .map(|(_, identifier)| identifier.clone())
        .unwrap_or_else(|| names::identifier(instance));
    let (suffix, what) = match deferred {
        Deferred::ModuleOutput { path, .. } => (
            path.iter()
                .map(|segment| names::identifier(segment))
                .collect::<Vec<_>>()
                .join("_"),
            format!("The module output `{}`", path.join(".")),
        ),
        Deferred::GeneratedPassword { .. } => (
            "generated_password".to_string(),
            "The generated password".to_string(),
        ),
    };
    let name = taken.claim(format!("{identifier}_{suffix}"));
    root.outputs.push(Output {
        name: name.clone(),
        value: wanted,
        sensitive: true,
        description: format!("{what} of `{instance}`, read by other root modules."),
    });
    name
}

/// Whether a Terraform output holding `value` must be sensitive (see the module docs).
pub(super) fn is_sensitive(value: &Value) -> bool {
    value.is_secret() || value.is_deferred()
}

/// Every provision-time value that a root module renders.
fn deferred_in(root: &RootModule<'_>) -> BTreeSet<Deferred> {
    let mut found = BTreeSet::new();
    for (_, module) in &root.modules {
        module
            .inputs
            .values()
            .for_each(|value| found.extend(value.deferreds()));
    }
    for output in &root.outputs {
        found.extend(output.value.deferreds());
    }
    for handover in &root.handovers {
        for value in handover.secret.values().chain(handover.config.values()) {
            found.extend(value.deferreds());
        }
    }
    for workload in &root.service_accounts {
        for value in workload.service_account_annotations.values() {
            found.extend(value.deferreds());
        }
    }
    for instance in &root.claims {
        if let Some(mounted) = delivery::mounted_volume(instance) {
            found.extend(mounted.volume.handle.deferreds());
            for value in mounted.volume.attributes.values() {
                found.extend(value.deferreds());
            }
        }
    }
    found
}
