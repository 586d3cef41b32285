//! One environment, gathered: its shared part and each of its workloads, resolved by
//! their own queries, put together for the diagnostics of a check and for the model the
//! emitters read.
//!
//! Invariants: nothing is resolved here; [`environment_diagnostics`] and
//! [`resolved_environment`] only gather what [`environment_shared`] and
//! [`resolve_workload`] decided (and the checks that need every workload at once, each
//! a query of its own), so an edit to one workload re-runs its own resolution and these
//! gatherings only. Workloads are in name order, instances in id order (the environment's shared
//! ones win over a workload's of the same id, as they are bound first), and
//! diagnostics name the environment, so the same project gives the same result on
//! every run.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Label};
use crate::lowered::EnvironmentId;
use crate::names::NameKind;
use crate::resolve::model::{
    Instance, InstanceId, Lifecycle, Owner, RemoteWorkload, ResolvedEnvironment,
};
use crate::resolve::name_clash::Named;
use crate::resolve::remote::RemoteCall;
use crate::resolve::shared::environment_shared;
use crate::resolve::workload::{WorkloadResolution, resolve_workload};
use crate::source::{Db, Origin};

pub use crate::resolve::declared::{environment_named, environments, workloads};

/// E0608 for the ReadWriteOnce volumes that several pods of `env` mount.
#[salsa::tracked(returns(ref))]
fn volume_access<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let Some(shared) = environment_shared(db, env) else {
        return Vec::new();
    };
    let resolved: Vec<&WorkloadResolution> = workloads(db, env.project(db))
        .iter()
        .filter_map(|&workload| resolve_workload(db, env, workload).as_ref())
        .filter(|resolution| !resolution.removed)
        .collect();
    // As in the model: the environment's instances first, then those of the workload
    // that owns the id (`WORKLOAD.RESOURCE...`; workloads are in name order).
    let instance = |id: &str| {
        shared
            .instances
            .get(id)
            .or_else(|| {
                let owner = id.split('.').next()?;
                let at = resolved
                    .binary_search_by(|resolution| resolution.workload.name.as_str().cmp(owner))
                    .ok()?;
                resolved.get(at)?.instances.get(id)
            })
            .map(Arc::as_ref)
    };
    crate::resolve::volume_access::check(
        &shared.settings.name,
        resolved.iter().map(|resolution| &*resolution.workload),
        &instance,
    )
}

/// E1005 when `env` is its platform's and an application's Terraform would read a
/// state it cannot reach.
#[salsa::tracked(returns(ref))]
fn platform_state<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Option<Diagnostic> {
    if env.origin(db) == Origin::Project {
        return None;
    }
    let shared = environment_shared(db, env).as_ref()?;
    let resolved: Vec<&WorkloadResolution> = workloads(db, env.project(db))
        .iter()
        .filter_map(|&workload| resolve_workload(db, env, workload).as_ref())
        .collect();
    crate::resolve::platform_state::check(
        &shared.settings.name,
        &Label::new(shared.settings.file, shared.settings.name_range),
        shared.backend.as_ref(),
        &shared.instances,
        resolved
            .iter()
            .map(|resolution| (&*resolution.workload, &resolution.instances)),
    )
}

/// E0618 for the workloads and instances of `env`, its platform's workloads and the
/// workloads of other applications that its workloads call (all of which run in the
/// environment's namespace), that would give their objects one name.
#[salsa::tracked(returns(ref))]
fn name_clashes<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let Some(shared) = environment_shared(db, env) else {
        return Vec::new();
    };
    let project = env.project(db);
    let resolved: Vec<&WorkloadResolution> = workloads(db, project)
        .iter()
        .filter_map(|&workload| resolve_workload(db, env, workload).as_ref())
        .filter(|resolution| !resolution.removed)
        .collect();
    let mut instances: BTreeMap<&str, &Instance> = shared
        .instances
        .iter()
        .map(|(id, instance)| (id.as_str(), &**instance))
        .collect();
    for resolution in &resolved {
        for (id, instance) in &resolution.instances {
            instances.entry(id.as_str()).or_insert(&**instance);
        }
    }
    // Each callee once, at the first call of it (workloads are in name order).
    let mut remotes: BTreeMap<(&str, &str), &RemoteCall> = BTreeMap::new();
    for remote in resolved.iter().flat_map(|resolution| &resolution.remotes) {
        let callee = &remote.callee;
        remotes
            .entry((&callee.application, &callee.workload.name))
            .or_insert(remote);
    }
    // The environment is the platform's when it is not the project's own.
    let platform = env.origin(db);
    let platform_name = project.application(db, platform);
    let platform_workloads = match platform {
        Origin::Project => Vec::new(),
        origin => crate::names::project_index(db, project)
            .names_of(origin, NameKind::Workload)
            .map(|decl| {
                let at = Label::new(decl.file, decl.name_range(db));
                Named::platform_workload(&decl.name, &platform_name, at)
            })
            .collect(),
    };
    let own_instance =
        |instance: &Instance| platform == Origin::Project || instance.owner != Owner::Environment;
    crate::resolve::name_clash::check(
        platform_workloads
            .into_iter()
            .chain(
                resolved
                    .iter()
                    .map(|resolution| Named::workload(&resolution.workload)),
            )
            .chain(
                instances
                    .into_values()
                    .map(|instance| Named::instance(instance, own_instance(instance))),
            )
            .chain(remotes.into_values().map(Named::callee)),
    )
}

/// What resolving `env` found: its shared part's, each workload's, the volumes mounted
/// by more pods than they can be, the names that clash, a platform's state that an
/// application cannot read.
#[salsa::tracked(returns(ref))]
pub fn environment_diagnostics<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let Some(shared) = environment_shared(db, env) else {
        return Vec::new();
    };
    let mut diagnostics = shared.diagnostics.clone();
    for &workload in workloads(db, env.project(db)) {
        if let Some(resolved) = resolve_workload(db, env, workload) {
            diagnostics.extend(resolved.diagnostics.iter().cloned());
        }
    }
    diagnostics.extend(volume_access(db, env).iter().cloned());
    diagnostics.extend(
        crate::resolve::state::state_diagnostics(db, env)
            .iter()
            .cloned(),
    );
    diagnostics.extend(name_clashes(db, env).iter().cloned());
    diagnostics.extend(platform_state(db, env).iter().cloned());
    crate::diagnostic::sort(db, &mut diagnostics);
    diagnostics
}

/// The environment `env`, resolved: what the graph and the emitters read, memoized.
#[salsa::tracked(returns(ref))]
pub fn resolved_environment<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
) -> Option<ResolvedEnvironment> {
    environment_model(db, env)
}

/// The environment `env`, resolved, gathered anew and not kept: for a build, which
/// renders one environment after the other and keeps none of them. Holds what is live
/// only: what the sources remove is in [`environment_lifecycle`].
pub fn environment_model<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
) -> Option<ResolvedEnvironment> {
    let shared = environment_shared(db, env).as_ref()?;
    let project = env.project(db);
    let mut instances: BTreeMap<InstanceId, Arc<Instance>> = shared
        .instances
        .iter()
        .filter(|(id, _)| !shared.removed_instances.contains(*id))
        .map(|(id, instance)| (id.clone(), instance.clone()))
        .collect();
    let mut resolved_workloads = Vec::new();
    let mut remote_workloads: BTreeMap<String, RemoteWorkload> = BTreeMap::new();
    for &workload in workloads(db, project) {
        let Some(resolved) = resolve_workload(db, env, workload) else {
            continue;
        };
        if resolved.removed {
            continue;
        }
        for (id, instance) in &resolved.instances {
            if !resolved.removed_instances.contains(id) && !shared.instances.contains_key(id) {
                instances
                    .entry(id.clone())
                    .or_insert_with(|| instance.clone());
            }
        }
        for remote in &resolved.remotes {
            remote_workloads
                .entry(remote.callee.workload.name.clone())
                .or_insert_with(|| remote.callee.clone());
        }
        resolved_workloads.push(resolved.workload.clone());
    }
    let platform = match env.origin(db) {
        Origin::Project => None,
        origin => Some(project.application(db, origin)),
    };
    let settings = &shared.settings;
    Some(ResolvedEnvironment {
        name: settings.name.clone(),
        namespace: settings.namespace.clone(),
        cluster: shared.cluster.clone(),
        region: shared.region.clone(),
        domain: shared.domain.clone(),
        backend: shared.backend.clone(),
        workloads: resolved_workloads,
        instances: instances.into_values().collect(),
        remote_workloads: remote_workloads.into_values().collect(),
        platform,
        source: Label::new(settings.file, settings.name_range),
    })
}

/// What the sources say of the environment `env`'s instances besides what runs: which
/// keep data, which are protected, and what is removed.
pub fn environment_lifecycle<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Lifecycle {
    let Some(shared) = environment_shared(db, env).as_ref() else {
        return Lifecycle::default();
    };
    let mut lifecycle = Lifecycle {
        stateful: shared.stateful.clone(),
        protected: shared.protected.clone(),
        ..Lifecycle::default()
    };
    let mut removed: BTreeMap<InstanceId, Arc<Instance>> = shared
        .removed_instances
        .iter()
        .filter_map(|id| Some((id.clone(), shared.instances.get(id)?.clone())))
        .collect();
    for &workload in workloads(db, env.project(db)) {
        let Some(resolved) = resolve_workload(db, env, workload) else {
            continue;
        };
        lifecycle.stateful.extend(resolved.stateful.iter().cloned());
        lifecycle
            .protected
            .extend(resolved.protected.iter().cloned());
        for id in &resolved.removed_instances {
            if let Some(instance) = resolved.instances.get(id) {
                removed
                    .entry(id.clone())
                    .or_insert_with(|| instance.clone());
            }
        }
        if resolved.removed {
            lifecycle.removed_workloads.push(resolved.workload.clone());
        }
    }
    lifecycle.removed_instances = removed.into_values().collect();
    lifecycle
}
