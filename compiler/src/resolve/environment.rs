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
use crate::lowered::{EnvironmentId, WorkloadId};
use crate::names::NameKind;
use crate::resolve::model::{Instance, ResolvedEnvironment};
use crate::resolve::shared::environment_shared;
use crate::resolve::workload::{WorkloadResolution, resolve_workload};
use crate::source::{Db, Project};

/// The environments of a project, sorted by name.
#[salsa::tracked(returns(ref))]
pub fn environments<'db>(db: &'db dyn Db, project: Project) -> Vec<EnvironmentId<'db>> {
    declared(db, project, NameKind::Environment)
        .into_iter()
        .map(|name| EnvironmentId::new(db, project, name))
        .collect()
}

/// The workloads of a project, sorted by name.
#[salsa::tracked(returns(ref))]
pub fn workloads<'db>(db: &'db dyn Db, project: Project) -> Vec<WorkloadId<'db>> {
    declared(db, project, NameKind::Workload)
        .into_iter()
        .map(|name| WorkloadId::new(db, project, name))
        .collect()
}

/// The names of the project's declarations of `kind` (the first of each name), sorted.
fn declared(db: &dyn Db, project: Project, kind: NameKind) -> Vec<String> {
    crate::names::project_index(db, project)
        .project_names_of(kind)
        .map(|decl| decl.name.clone())
        .collect()
}

/// E0608 for the ReadWriteOnce volumes that several pods of `env` mount.
#[salsa::tracked(returns(ref))]
fn volume_access<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let Some(shared) = environment_shared(db, env) else {
        return Vec::new();
    };
    let resolved: Vec<&WorkloadResolution> = workloads(db, env.project(db))
        .iter()
        .filter_map(|&workload| resolve_workload(db, env, workload).as_ref())
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

/// E0618 for the workloads and instances of `env` that would give their objects one
/// name.
#[salsa::tracked(returns(ref))]
fn name_clashes<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let Some(shared) = environment_shared(db, env) else {
        return Vec::new();
    };
    let resolved: Vec<&WorkloadResolution> = workloads(db, env.project(db))
        .iter()
        .filter_map(|&workload| resolve_workload(db, env, workload).as_ref())
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
    crate::resolve::name_clash::check(
        resolved.iter().map(|resolution| &*resolution.workload),
        instances.into_values(),
    )
}

/// What resolving `env` found: its shared part's, each workload's, the volumes mounted
/// by more pods than they can be, the names that clash.
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
    diagnostics.extend(name_clashes(db, env).iter().cloned());
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
/// renders one environment after the other and keeps none of them.
pub fn environment_model<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
) -> Option<ResolvedEnvironment> {
    let shared = environment_shared(db, env).as_ref()?;
    let mut instances = shared.instances.clone();
    let mut resolved_workloads = Vec::new();
    for &workload in workloads(db, env.project(db)) {
        let Some(resolved) = resolve_workload(db, env, workload) else {
            continue;
        };
        for (id, instance) in &resolved.instances {
            instances
                .entry(id.clone())
                .or_insert_with(|| instance.clone());
        }
        resolved_workloads.push(resolved.workload.clone());
    }
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
        source: Label::new(settings.file, settings.name_range),
    })
}
