//! Who a change breaks: the workloads and environments of a project that use what
//! changed, read from their lowered declarations.
//!
//! Invariants: a declaration is named when it uses what the change removes or changes
//! (reads the output, sets the param, does not set a param that became required, uses
//! the implementation, binds the shared resource, overrides the environment), and
//! only then; the offering is matched by where it is declared (the package compared,
//! or the project itself) and its name. Results are in file and declaration order.

use crate::compat::compare::Change;
use crate::lowered::{Environment, Resource, Workload, lowered_file};
use crate::source::{Db, Origin, Project};
use crate::types::schema::SHARED;

/// Where the offering that changed is declared, as the project sees it.
#[derive(Debug, Clone, Copy)]
pub struct Changed<'a> {
    /// The origin of the package that declares it, in the project.
    pub origin: Origin,
    pub offering: &'a str,
}

/// The declarations of `project` that the offering change `change` breaks, each with
/// how: "`web` reads `db.endpoint`".
pub fn broken_by(
    db: &dyn Db,
    project: Project,
    changed: Changed<'_>,
    change: &Change,
) -> Vec<String> {
    let mut found = Vec::new();
    for &file in project.files(db) {
        if file.origin(db) != Origin::Project {
            continue;
        }
        let lowered = lowered_file(db, project, file);
        for workload in &lowered.workloads {
            found.extend(workload_breakage(db, workload, changed, change));
        }
        for environment in &lowered.environments {
            found.extend(environment_breakage(db, environment, changed, change));
        }
    }
    found
}

/// The workloads of `project` that a change to the environments of the package of
/// `origin` breaks (an environment or a shared resource removed or changed).
pub fn broken_by_environments(db: &dyn Db, project: Project, change: &Change) -> Vec<String> {
    let mut found = Vec::new();
    for &file in project.files(db) {
        if file.origin(db) != Origin::Project {
            continue;
        }
        for workload in &lowered_file(db, project, file).workloads {
            let name = &workload.decl.name;
            match change {
                Change::EnvironmentRemoved(environment)
                    if workload
                        .overrides
                        .iter()
                        .any(|over| over.environment.text(db) == environment) =>
                {
                    found.push(format!("`{name}` overrides `{environment}`"));
                }
                Change::SharedResourceRemoved(_, shared)
                | Change::SharedResourceChanged(_, shared, ..) => {
                    for resource in &workload.resources {
                        if binds(db, workload, resource, shared) {
                            found.push(format!(
                                "`{name}` binds `{shared}` as `{}`",
                                resource.name.text(db)
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn workload_breakage(
    db: &dyn Db,
    workload: &Workload<'_>,
    changed: Changed<'_>,
    change: &Change,
) -> Vec<String> {
    let name = &workload.decl.name;
    let resources = resources_of(workload).filter(|resource| is_of(resource, changed));
    let mut found = Vec::new();
    for resource in resources {
        let local = resource.name.text(db);
        let how = match change {
            Change::OfferingRemoved => Some(format!("uses it as `{local}`")),
            Change::OutputRemoved(output)
            | Change::OutputTypeChanged(output, ..)
            | Change::OutputMadeSecret(output)
            | Change::OutputMadeProvisionTime(output) => {
                reads(db, workload, local, output).then(|| format!("reads `{local}.{output}`"))
            }
            Change::ParamRemoved(param) | Change::ParamTypeChanged(param, ..) => {
                sets(db, resource, param).then(|| format!("sets `{param}` of `{local}`"))
            }
            Change::ParamAddedRequired(param) | Change::ParamMadeRequired(param) => {
                let bound = sets(db, resource, SHARED);
                let set = resources_of(workload)
                    .filter(|other| other.name == resource.name)
                    .any(|other| sets(db, other, param));
                (!bound && !set).then(|| format!("does not set `{param}` of `{local}`"))
            }
            _ => None,
        };
        if let Some(how) = how {
            let line = format!("`{name}` {how}");
            if !found.contains(&line) {
                found.push(line);
            }
        }
    }
    found
}

fn environment_breakage(
    db: &dyn Db,
    environment: &Environment<'_>,
    changed: Changed<'_>,
    change: &Change,
) -> Vec<String> {
    let name = &environment.decl.name;
    let used = environment.uses.iter().find(|used| {
        used.offering.origin == changed.origin && used.offering.name == changed.offering
    });
    let shared = environment
        .shared
        .iter()
        .filter(|resource| is_of(resource, changed));
    let mut found = Vec::new();
    match change {
        Change::OfferingRemoved => {
            if used.is_some() {
                found.push(format!("the environment `{name}` uses it"));
            }
            for resource in shared {
                found.push(format!(
                    "the environment `{name}` shares `{}`",
                    resource.name.text(db)
                ));
            }
        }
        Change::ImplementationRemoved(implementation)
            if used.is_some_and(|used| used.implementation.text(db) == implementation) =>
        {
            found.push(format!(
                "the environment `{name}` uses `{}.{implementation}`",
                changed.offering
            ));
        }
        Change::ImplementationParam(implementation, inner) => {
            let Some(used) = used.filter(|used| used.implementation.text(db) == implementation)
            else {
                return found;
            };
            let sets = |param: &str| {
                used.settings
                    .iter()
                    .any(|setting| setting.name.text(db) == param)
            };
            match inner.as_ref() {
                Change::ParamRemoved(param) | Change::ParamTypeChanged(param, ..)
                    if sets(param) =>
                {
                    found.push(format!("the environment `{name}` sets `{param}`"));
                }
                Change::ParamAddedRequired(param) | Change::ParamMadeRequired(param)
                    if !sets(param) =>
                {
                    found.push(format!("the environment `{name}` does not set `{param}`"));
                }
                _ => {}
            }
        }
        Change::ParamRemoved(param) | Change::ParamTypeChanged(param, ..) => {
            for resource in shared {
                if sets(db, resource, param) {
                    found.push(format!(
                        "the environment `{name}` sets `{param}` of `{}`",
                        resource.name.text(db)
                    ));
                }
            }
        }
        Change::ParamAddedRequired(param) | Change::ParamMadeRequired(param) => {
            let default = used.is_some_and(|used| {
                used.settings
                    .iter()
                    .any(|setting| setting.name.text(db) == param)
            });
            for resource in shared {
                if !default && !sets(db, resource, param) {
                    found.push(format!(
                        "the environment `{name}` does not set `{param}` of `{}`",
                        resource.name.text(db)
                    ));
                }
            }
        }
        _ => {}
    }
    found
}

/// The resources of `workload` and of its overrides.
fn resources_of<'a, 'db>(workload: &'a Workload<'db>) -> impl Iterator<Item = &'a Resource<'db>> {
    workload
        .resources
        .iter()
        .chain(workload.overrides.iter().flat_map(|over| &over.resources))
}

/// Whether `resource` is an instance of the offering that changed.
fn is_of(resource: &Resource<'_>, changed: Changed<'_>) -> bool {
    resource.offering.as_ref().is_some_and(|offering| {
        offering.origin == changed.origin && offering.name == changed.offering
    })
}

/// Whether `resource`'s body sets `param`.
fn sets(db: &dyn Db, resource: &Resource<'_>, param: &str) -> bool {
    resource
        .settings
        .iter()
        .any(|setting| setting.name.text(db) == param)
}

/// Whether an expression of `workload` reads `local.output`.
fn reads(db: &dyn Db, workload: &Workload<'_>, local: &str, output: &str) -> bool {
    workload.exprs.paths().iter().any(|path| {
        matches!(path.segments.as_slice(), [first, second, ..]
            if first.text(db) == local && second.text(db) == output)
    })
}

/// Whether `resource` is bound to the shared resource `shared` of its environment.
fn binds(db: &dyn Db, workload: &Workload<'_>, resource: &Resource<'_>, shared: &str) -> bool {
    resource.settings.iter().any(|setting| {
        setting.name.text(db) == SHARED
            && matches!(workload.exprs.get(setting.value), crate::lowered::Expr::Path(path)
                if matches!(path.segments.as_slice(), [only] if only.text(db) == shared))
    })
}
