//! Two declarations that would become one object (E0618): plat names a workload's
//! Kubernetes objects after the workload, and an instance's objects (and its Terraform
//! module) after its object name, the id with `.` and `_` as `-`; two of these that
//! are the same in one environment would be written as one object, the second silently
//! replacing the first (a workload `shared` with a resource `db`, and an environment's
//! `shared_db`, both `shared-db`). An application shares the namespace of its
//! platform's environment: the platform's workloads and shared resources, and the
//! workloads of other applications that it calls, name objects there too.
//!
//! Invariants: one diagnostic per name that several of them share and that names at
//! least one of the project's own declarations or calls (a clash within a package is
//! its own project's to report). It is in the order the declarations are given (the
//! platform's workloads, the project's workloads by name, instances by id, the
//! workloads of other applications the project calls, by application and name, each
//! at its first call), with those of packages first: the primary label at the second
//! of them, or at the project's first when it comes later, so that a clash is reported
//! in the project's own files; a secondary label at each other one. The message names
//! each declaration and not the environment, so the same clash in several
//! environments is reported once. A callee that has the name of one of the project's
//! workloads is not here: that is E1003, where it is called.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::resolve::model::{Instance, Owner, ResolvedWorkload};
use crate::resolve::remote::RemoteCall;

/// A declaration that names objects in the environment's namespace.
pub(crate) struct Named<'a> {
    /// The name of its objects.
    name: &'a str,
    /// What messages call it: "the workload `api`", "the resource `db` of `shared`".
    what: String,
    source: Label,
    /// The project's own (or a call it makes), rather than a package's.
    own: bool,
}

impl<'a> Named<'a> {
    /// A workload of the project.
    pub(crate) fn workload(workload: &'a ResolvedWorkload) -> Self {
        Named {
            name: &workload.name,
            what: format!("the workload `{}`", workload.name),
            source: workload.source.clone(),
            own: true,
        }
    }

    /// A workload of the platform, `name` declared at `source`.
    pub(crate) fn platform_workload(name: &'a str, platform: &str, source: Label) -> Self {
        Named {
            name,
            what: format!("the workload `{name}` of `{platform}`"),
            source,
            own: false,
        }
    }

    /// An instance: `own` unless it is a shared resource of the platform's environment.
    pub(crate) fn instance(instance: &'a Instance, own: bool) -> Self {
        Named {
            name: &instance.object_name,
            what: describe(instance),
            source: instance.source.clone(),
            own,
        }
    }

    /// A workload of another application, where the project calls it.
    pub(crate) fn callee(remote: &'a RemoteCall) -> Self {
        let callee = &remote.callee;
        Named {
            name: &callee.workload.name,
            what: format!(
                "the workload `{}` of `{}`",
                callee.workload.name, callee.application
            ),
            source: remote.at.clone(),
            own: true,
        }
    }
}

/// E0618 for every name that several of `named` would give their objects.
pub(crate) fn check<'a>(named: impl IntoIterator<Item = Named<'a>>) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<&str, Vec<Named<'a>>> = BTreeMap::new();
    for named in named {
        by_name.entry(named.name).or_default().push(named);
    }
    by_name
        .into_iter()
        .filter_map(|(name, mut named)| {
            // Those of packages first, in the order given.
            named.sort_by_key(|named| named.own);
            clash(name, &named)
        })
        .collect()
}

fn clash(name: &str, named: &[Named<'_>]) -> Option<Diagnostic> {
    let first_own = named.iter().position(|named| named.own)?;
    if named.len() < 2 {
        return None;
    }
    let primary = &named[first_own.max(1)];
    let whats: Vec<&str> = named.iter().map(|named| named.what.as_str()).collect();
    let (last, whats) = whats.split_last()?;
    let mut diagnostic = located(
        Code::NameClash,
        format!(
            "{} and {last} would {} be named `{name}`",
            whats.join(", "),
            if named.len() == 2 { "both" } else { "all" }
        ),
        primary.source.clone(),
        format!("{} is named `{name}`", primary.what),
    )
    .with_help(
        "rename one of them: plat names a workload's objects after the workload, and a \
         resource's after its id with `.` and `_` as `-`, so one would replace the other",
    );
    for other in named.iter().filter(|other| !std::ptr::eq(*other, primary)) {
        diagnostic = diagnostic.with_secondary(
            other
                .source
                .clone()
                .with_message(format!("{} is named `{name}` too", other.what)),
        );
    }
    Some(diagnostic)
}

/// An instance as messages name it.
fn describe(instance: &Instance) -> String {
    match &instance.owner {
        Owner::Environment if !instance.id.contains('.') => {
            format!("the shared resource `{}`", instance.id)
        }
        Owner::Workload(workload) => match instance.id.name_in(workload) {
            Some(local) if !local.contains('.') => {
                format!("the resource `{local}` of `{workload}`")
            }
            _ => format!("the instance `{}`", instance.id),
        },
        Owner::Environment => format!("the instance `{}`", instance.id),
    }
}
