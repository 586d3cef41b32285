//! What changed between two versions of a package, and which changes break those who
//! depend on it.
//!
//! Invariants: a change breaks when something written against the old version may no
//! longer check against the new one: an offering, param, output, implementation,
//! environment or shared resource removed; a param (of the offering or of an
//! implementation) added without a default or made required; a type changed (a param
//! made optional aside); an output made secret or known only after provisioning. The
//! opposite changes (an output made plain, or known when compiling) and additions are
//! compatible. Changes are listed in name order, each once.

use crate::compat::api::{EnvironmentApi, FieldApi, OfferingApi, OutputApi, PackageApi};

/// One change between two versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    OfferingRemoved,
    OfferingAdded,
    ParamRemoved(String),
    ParamAddedRequired(String),
    ParamMadeRequired(String),
    ParamTypeChanged(String, String, String),
    ParamAdded(String),
    ParamMadeOptional(String),
    OutputRemoved(String),
    OutputTypeChanged(String, String, String),
    OutputMadeSecret(String),
    OutputMadeProvisionTime(String),
    OutputAdded(String),
    OutputMadePlain(String),
    OutputMadeCompileTime(String),
    ImplementationRemoved(String),
    ImplementationAdded(String),
    /// A param of an implementation: which environments set.
    ImplementationParam(String, Box<Change>),
    EnvironmentRemoved(String),
    EnvironmentAdded(String),
    SharedResourceRemoved(String, String),
    SharedResourceChanged(String, String, String, String),
    SharedResourceAdded(String, String),
}

impl Change {
    /// Whether something written against the old version may not check against the new.
    pub fn is_breaking(&self) -> bool {
        match self {
            Change::OfferingRemoved
            | Change::ParamRemoved(_)
            | Change::ParamAddedRequired(_)
            | Change::ParamMadeRequired(_)
            | Change::ParamTypeChanged(..)
            | Change::OutputRemoved(_)
            | Change::OutputTypeChanged(..)
            | Change::OutputMadeSecret(_)
            | Change::OutputMadeProvisionTime(_)
            | Change::ImplementationRemoved(_)
            | Change::EnvironmentRemoved(_)
            | Change::SharedResourceRemoved(..)
            | Change::SharedResourceChanged(..) => true,
            Change::ImplementationParam(_, change) => change.is_breaking(),
            Change::OfferingAdded
            | Change::ParamAdded(_)
            | Change::ParamMadeOptional(_)
            | Change::OutputAdded(_)
            | Change::OutputMadePlain(_)
            | Change::OutputMadeCompileTime(_)
            | Change::ImplementationAdded(_)
            | Change::EnvironmentAdded(_)
            | Change::SharedResourceAdded(..) => false,
        }
    }

    /// The change in words: `the output `endpoint` is removed`.
    pub fn describe(&self) -> String {
        match self {
            Change::OfferingRemoved => "the offering is removed".to_string(),
            Change::OfferingAdded => "the offering is added".to_string(),
            Change::ParamRemoved(name) => format!("the param `{name}` is removed"),
            Change::ParamAddedRequired(name) => {
                format!("the param `{name}` is added, without a default")
            }
            Change::ParamMadeRequired(name) => format!("the param `{name}` is made required"),
            Change::ParamTypeChanged(name, old, new) => {
                format!("the param `{name}` changes from `{old}` to `{new}`")
            }
            Change::ParamAdded(name) => format!("the param `{name}` is added, with a default"),
            Change::ParamMadeOptional(name) => format!("the param `{name}` is made optional"),
            Change::OutputRemoved(name) => format!("the output `{name}` is removed"),
            Change::OutputTypeChanged(name, old, new) => {
                format!("the output `{name}` changes from `{old}` to `{new}`")
            }
            Change::OutputMadeSecret(name) => format!("the output `{name}` is made secret"),
            Change::OutputMadeProvisionTime(name) => {
                format!("the output `{name}` is known only after provisioning now")
            }
            Change::OutputAdded(name) => format!("the output `{name}` is added"),
            Change::OutputMadePlain(name) => format!("the output `{name}` is no longer secret"),
            Change::OutputMadeCompileTime(name) => {
                format!("the output `{name}` is known when compiling now")
            }
            Change::ImplementationRemoved(name) => {
                format!("the implementation `{name}` is removed")
            }
            Change::ImplementationAdded(name) => format!("the implementation `{name}` is added"),
            Change::ImplementationParam(implementation, change) => {
                format!(
                    "in the implementation `{implementation}`, {}",
                    change.describe()
                )
            }
            Change::EnvironmentRemoved(name) => format!("the environment `{name}` is removed"),
            Change::EnvironmentAdded(name) => format!("the environment `{name}` is added"),
            Change::SharedResourceRemoved(environment, name) => {
                format!("the shared resource `{name}` of `{environment}` is removed")
            }
            Change::SharedResourceChanged(environment, name, old, new) => format!(
                "the shared resource `{name}` of `{environment}` is a `{new}` now, no longer a `{old}`"
            ),
            Change::SharedResourceAdded(environment, name) => {
                format!("the shared resource `{name}` of `{environment}` is added")
            }
        }
    }
}

/// The changes of one offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingChanges {
    pub name: String,
    pub old: Option<OfferingApi>,
    pub new: Option<OfferingApi>,
    pub changes: Vec<Change>,
}

/// Every change between two versions of a package.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    /// Every offering of either version, by name, changed or not.
    pub offerings: Vec<OfferingChanges>,
    /// Environments and their shared resources.
    pub environments: Vec<Change>,
}

impl Comparison {
    /// Every change, the package's own included.
    pub fn all_changes(&self) -> impl Iterator<Item = &Change> {
        self.offerings
            .iter()
            .flat_map(|offering| &offering.changes)
            .chain(&self.environments)
    }
}

/// What changed from `old` to `new`.
pub fn compare(old: &PackageApi, new: &PackageApi) -> Comparison {
    let names: std::collections::BTreeSet<&String> =
        old.offerings.keys().chain(new.offerings.keys()).collect();
    let offerings = names
        .into_iter()
        .map(|name| {
            let (before, after) = (old.offerings.get(name), new.offerings.get(name));
            let changes = match (before, after) {
                (Some(before), Some(after)) => offering_changes(before, after),
                (Some(_), None) => vec![Change::OfferingRemoved],
                (None, _) => vec![Change::OfferingAdded],
            };
            OfferingChanges {
                name: name.clone(),
                old: before.cloned(),
                new: after.cloned(),
                changes,
            }
        })
        .collect();
    Comparison {
        offerings,
        environments: environment_changes(&old.environments, &new.environments),
    }
}

fn offering_changes(old: &OfferingApi, new: &OfferingApi) -> Vec<Change> {
    let mut changes = field_changes(&old.params, &new.params);
    for (name, before) in &old.outputs {
        match new.outputs.get(name) {
            None => changes.push(Change::OutputRemoved(name.clone())),
            Some(after) => changes.extend(output_changes(name, before, after)),
        }
    }
    for name in new.outputs.keys() {
        if !old.outputs.contains_key(name) {
            changes.push(Change::OutputAdded(name.clone()));
        }
    }
    for (name, before) in &old.implementations {
        match new.implementations.get(name) {
            None => changes.push(Change::ImplementationRemoved(name.clone())),
            Some(after) => changes.extend(
                field_changes(before, after)
                    .into_iter()
                    .map(|change| Change::ImplementationParam(name.clone(), Box::new(change))),
            ),
        }
    }
    for name in new.implementations.keys() {
        if !old.implementations.contains_key(name) {
            changes.push(Change::ImplementationAdded(name.clone()));
        }
    }
    changes.sort();
    changes
}

fn field_changes(
    old: &std::collections::BTreeMap<String, FieldApi>,
    new: &std::collections::BTreeMap<String, FieldApi>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, before) in old {
        let Some(after) = new.get(name) else {
            changes.push(Change::ParamRemoved(name.clone()));
            continue;
        };
        if before.ty != after.ty && after.ty != format!("{}?", before.ty) {
            changes.push(Change::ParamTypeChanged(
                name.clone(),
                before.ty.clone(),
                after.ty.clone(),
            ));
        } else if !before.required && after.required {
            changes.push(Change::ParamMadeRequired(name.clone()));
        } else if before.required && !after.required {
            changes.push(Change::ParamMadeOptional(name.clone()));
        }
    }
    for (name, after) in new {
        if !old.contains_key(name) {
            changes.push(if after.required {
                Change::ParamAddedRequired(name.clone())
            } else {
                Change::ParamAdded(name.clone())
            });
        }
    }
    changes
}

fn output_changes(name: &str, old: &OutputApi, new: &OutputApi) -> Vec<Change> {
    let name = name.to_string();
    let mut changes = Vec::new();
    if old.ty != new.ty && old.secret == new.secret {
        changes.push(Change::OutputTypeChanged(
            name.clone(),
            old.ty.clone(),
            new.ty.clone(),
        ));
    }
    match (old.secret, new.secret) {
        (false, true) => changes.push(Change::OutputMadeSecret(name.clone())),
        (true, false) => changes.push(Change::OutputMadePlain(name.clone())),
        _ => {}
    }
    match (old.provision, new.provision) {
        (false, true) => changes.push(Change::OutputMadeProvisionTime(name)),
        (true, false) => changes.push(Change::OutputMadeCompileTime(name)),
        _ => {}
    }
    changes
}

fn environment_changes(
    old: &std::collections::BTreeMap<String, EnvironmentApi>,
    new: &std::collections::BTreeMap<String, EnvironmentApi>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, before) in old {
        let Some(after) = new.get(name) else {
            changes.push(Change::EnvironmentRemoved(name.clone()));
            continue;
        };
        for (shared, offering) in &before.shared {
            match after.shared.get(shared) {
                None => changes.push(Change::SharedResourceRemoved(name.clone(), shared.clone())),
                Some(now) if now != offering => changes.push(Change::SharedResourceChanged(
                    name.clone(),
                    shared.clone(),
                    offering.clone(),
                    now.clone(),
                )),
                Some(_) => {}
            }
        }
        for shared in after.shared.keys() {
            if !before.shared.contains_key(shared) {
                changes.push(Change::SharedResourceAdded(name.clone(), shared.clone()));
            }
        }
    }
    for name in new.keys() {
        if !old.contains_key(name) {
            changes.push(Change::EnvironmentAdded(name.clone()));
        }
    }
    changes.sort();
    changes
}

/// The smallest version after `old` that `changes` allow, by semantic versioning: the
/// next major for a breaking change (the next minor before 1.0.0), the next minor for a
/// compatible one; `None` when nothing changed.
pub fn needed(old: &semver::Version, changes: &[&Change]) -> Option<semver::Version> {
    if changes.is_empty() {
        return None;
    }
    let breaking = changes.iter().any(|change| change.is_breaking());
    let (major, minor) = (old.major, old.minor);
    Some(match (breaking, major) {
        (true, 0) => semver::Version::new(0, minor + 1, 0),
        (true, _) => semver::Version::new(major + 1, 0, 0),
        (false, 0) => semver::Version::new(0, minor, old.patch + 1),
        (false, _) => semver::Version::new(major, minor + 1, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaking_change_needs_the_next_major_and_an_addition_the_next_minor() {
        let removed = Change::OutputRemoved("endpoint".to_string());
        let added = Change::OutputAdded("tls".to_string());
        let v = |text: &str| semver::Version::parse(text).unwrap();
        assert_eq!(needed(&v("1.4.2"), &[&removed, &added]), Some(v("2.0.0")));
        assert_eq!(needed(&v("1.4.2"), &[&added]), Some(v("1.5.0")));
        assert_eq!(needed(&v("0.3.1"), &[&removed]), Some(v("0.4.0")));
        assert_eq!(needed(&v("1.4.2"), &[]), None);
        assert!(
            Change::ImplementationParam(
                "aws".to_string(),
                Box::new(Change::ParamAddedRequired("vpc_id".to_string()))
            )
            .is_breaking()
        );
    }
}
