//! The environments and the workloads of a project, by name.
//!
//! Invariants: each is listed once (the first declaration of a name), sorted by name,
//! as interned ids; nothing is resolved here.

use crate::lowered::{EnvironmentId, WorkloadId};
use crate::names::NameKind;
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
