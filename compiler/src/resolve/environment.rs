//! One environment, gathered: its shared part and each of its workloads, resolved by
//! their own queries, put together for the diagnostics of a check and for the model the
//! emitters read.
//!
//! Invariants: nothing is resolved here; [`environment_diagnostics`] and
//! [`resolved_environment`] only gather what [`environment_shared`] and
//! [`resolve_workload`] decided (and the cycles of calls, which need every workload's
//! calls), so an edit to one workload re-runs its own resolution and these gatherings
//! only. Workloads are in name order, instances in id order (the environment's shared
//! ones win over a workload's of the same id, as they are bound first), and
//! diagnostics name the environment, so the same project gives the same result on
//! every run.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Label};
use crate::lowered::{EnvironmentId, WorkloadId};
use crate::names::NameKind;
use crate::resolve::cycle::Cycles;
use crate::resolve::model::{RemoteWorkload, ResolvedEnvironment};
use crate::resolve::shared::environment_shared;
use crate::resolve::workload::{WorkloadResolution, resolve_workload, workload_calls};
use crate::source::{Db, Origin, Project};

/// The environments of a project, sorted by name: its own, and its platform's (whose
/// environments an application's workloads run in).
#[salsa::tracked(returns(ref))]
pub fn environments<'db>(db: &'db dyn Db, project: Project) -> Vec<EnvironmentId<'db>> {
    crate::names::project_index(db, project)
        .environments(Origin::Project)
        .map(|decl| EnvironmentId::new(db, project, decl.origin, decl.name.clone()))
        .collect()
}

/// The environment of the project named `name`.
pub fn environment_named<'db>(
    db: &'db dyn Db,
    project: Project,
    name: &str,
) -> Option<EnvironmentId<'db>> {
    environments(db, project)
        .iter()
        .copied()
        .find(|env| env.name(db) == name)
}

/// The workloads of a project, sorted by name: its own only (those of the packages it
/// depends on are built by their own projects).
#[salsa::tracked(returns(ref))]
pub fn workloads<'db>(db: &'db dyn Db, project: Project) -> Vec<WorkloadId<'db>> {
    crate::names::project_index(db, project)
        .project_names_of(NameKind::Workload)
        .map(|decl| WorkloadId::new(db, project, Origin::Project, decl.name.clone()))
        .collect()
}

/// E0604 for the cycles of calls between the workloads of `env`.
#[salsa::tracked(returns(ref))]
fn call_cycles<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let calls: BTreeMap<String, _> = workloads(db, env.project(db))
        .iter()
        .filter_map(|&workload| {
            let calls = workload_calls(db, env, workload).clone()?;
            Some((workload.name(db).clone(), calls))
        })
        .collect();
    Cycles::default().call_cycles(&calls)
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
        shared.instances.get(id).or_else(|| {
            let owner = id.split('.').next()?;
            let at = resolved
                .binary_search_by(|resolution| resolution.workload.name.as_str().cmp(owner))
                .ok()?;
            resolved.get(at)?.instances.get(id)
        })
    };
    crate::resolve::volume_access::check(
        &shared.settings.name,
        resolved.iter().map(|resolution| &resolution.workload),
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
            .map(|resolution| (&resolution.workload, &resolution.instances)),
    )
}

/// What resolving `env` found: its shared part's, each workload's, the cycles of calls,
/// the volumes mounted by more pods than they can be, a platform's state that an
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
    diagnostics.extend(call_cycles(db, env).iter().cloned());
    diagnostics.extend(volume_access(db, env).iter().cloned());
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
/// renders one environment after the other and keeps none of them.
pub fn environment_model<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
) -> Option<ResolvedEnvironment> {
    let shared = environment_shared(db, env).as_ref()?;
    let project = env.project(db);
    let mut instances = shared.instances.clone();
    let mut resolved_workloads = Vec::new();
    let mut remote_workloads: BTreeMap<String, RemoteWorkload> = BTreeMap::new();
    for &workload in workloads(db, project) {
        let Some(resolved) = resolve_workload(db, env, workload) else {
            continue;
        };
        for (id, instance) in &resolved.instances {
            instances
                .entry(id.clone())
                .or_insert_with(|| instance.clone());
        }
        for remote in &resolved.remotes {
            remote_workloads
                .entry(remote.workload.name.clone())
                .or_insert_with(|| remote.clone());
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
