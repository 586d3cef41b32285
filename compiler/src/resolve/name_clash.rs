//! Two declarations that would become one object (E0618): plat names a workload's
//! Kubernetes objects after the workload, and an instance's objects (and its Terraform
//! module) after its object name, the id with `.` and `_` as `-`; two of these that
//! are the same in one environment would be written as one object, the second silently
//! replacing the first (a workload `shared` with a resource `db`, and an environment's
//! `shared_db`, both `shared-db`).
//!
//! Invariants: one diagnostic per name that several of them share, at the second of
//! them in the order below (workloads by name, then instances by id), with a secondary
//! label at each other one; the message names each declaration and not the
//! environment, so the same clash in several environments is reported once.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::resolve::model::{Instance, Owner, ResolvedWorkload};

/// A declaration that names objects.
struct Named<'a> {
    /// What messages call it: "the workload `api`", "the resource `db` of `shared`".
    what: String,
    source: &'a Label,
}

/// E0618 for every name that several of `workloads` and `instances` would give their
/// objects.
pub(crate) fn check<'a>(
    workloads: impl Iterator<Item = &'a ResolvedWorkload>,
    instances: impl Iterator<Item = &'a Instance>,
) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<&str, Vec<Named<'a>>> = BTreeMap::new();
    for workload in workloads {
        by_name.entry(&workload.name).or_default().push(Named {
            what: format!("the workload `{}`", workload.name),
            source: &workload.source,
        });
    }
    for instance in instances {
        by_name
            .entry(&instance.object_name)
            .or_default()
            .push(Named {
                what: describe(instance),
                source: &instance.source,
            });
    }
    by_name
        .into_iter()
        .filter_map(|(name, named)| clash(name, &named))
        .collect()
}

fn clash(name: &str, named: &[Named<'_>]) -> Option<Diagnostic> {
    let [first, second, rest @ ..] = named else {
        return None;
    };
    let mut whats: Vec<&str> = named.iter().map(|named| named.what.as_str()).collect();
    let last = whats.pop()?;
    let mut diagnostic = located(
        Code::NameClash,
        format!(
            "{} and {last} would {} be named `{name}`",
            whats.join(", "),
            if rest.is_empty() { "both" } else { "all" }
        ),
        second.source.clone(),
        format!("{} is named `{name}`", second.what),
    )
    .with_secondary(
        first
            .source
            .clone()
            .with_message(format!("{} is named `{name}` too", first.what)),
    )
    .with_help(
        "rename one of them: plat names a workload's objects after the workload, and a \
         resource's after its id with `.` and `_` as `-`, so one would replace the other",
    );
    for other in rest {
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
        Owner::Workload(workload) => match instance.id.strip_prefix(&format!("{workload}.")) {
            Some(local) if !local.contains('.') => {
                format!("the resource `{local}` of `{workload}`")
            }
            _ => format!("the instance `{}`", instance.id),
        },
        Owner::Environment => format!("the instance `{}`", instance.id),
    }
}
