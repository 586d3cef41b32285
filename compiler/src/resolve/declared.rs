//! The environments and the workloads of a project, by name.
//!
//! Invariants: each is listed once (the first declaration of a name), sorted by name,
//! as interned ids; nothing is resolved here. A project's environments are its own and
//! its platform's (an application's workloads run in its platform's environments); its
//! workloads are its own only (those of the packages it depends on are built by their
//! own projects).

use crate::lowered::{EnvironmentId, WorkloadId};
use crate::names::NameKind;
use crate::source::{Db, Origin, Project};

/// The environments of a project, sorted by name: its own, and its platform's.
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

/// The workloads of a project, sorted by name: its own only.
#[salsa::tracked(returns(ref))]
pub fn workloads<'db>(db: &'db dyn Db, project: Project) -> Vec<WorkloadId<'db>> {
    crate::names::project_index(db, project)
        .project_names_of(NameKind::Workload)
        .map(|decl| WorkloadId::new(db, project, Origin::Project, decl.name.clone()))
        .collect()
}
