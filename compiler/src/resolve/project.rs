//! Every environment of a project, resolved.
//!
//! Invariants: [`resolve_project`] gathers the per-environment queries and resolves
//! nothing itself; its environments are sorted by name and its diagnostics in the one
//! order of [`crate::diagnostic::sort`] without exact repeats, so a problem found the
//! same way in several environments (a cycle) is reported once. It runs on any project, even one with errors, without panicking;
//! [`crate::check::check_project`] shows its diagnostics only when the earlier layers
//! report no errors.

use crate::diagnostic::Diagnostic;
use crate::resolve::environment::{
    environment_diagnostics, environment_lifecycle, environments, resolved_environment,
};
use crate::resolve::model::{Lifecycle, ResolvedEnvironment};
use crate::source::{Db, Project};

/// Every environment of a project, resolved, and what resolving them found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedProject {
    /// Sorted by name.
    pub environments: Vec<ResolvedEnvironment>,
    /// What the sources say of each environment's instances besides what runs
    /// ([`Lifecycle`]), in the order of `environments`.
    pub lifecycles: Vec<Lifecycle>,
    /// E0601–E0606, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl ResolvedProject {
    /// The environment `name`.
    pub fn environment(&self, name: &str) -> Option<&ResolvedEnvironment> {
        self.environments
            .iter()
            .find(|environment| environment.name == name)
    }

    /// Each environment with its lifecycle.
    pub fn with_lifecycles(&self) -> impl Iterator<Item = (&ResolvedEnvironment, &Lifecycle)> {
        self.environments.iter().zip(&self.lifecycles)
    }

    /// The environments' names, sorted.
    pub fn environment_names(&self) -> Vec<&str> {
        self.environments
            .iter()
            .map(|environment| environment.name.as_str())
            .collect()
    }
}

/// Every environment of the project, resolved: a gathering of the per-environment
/// queries, for the readers that want them all (the graph, the catalogue, hover).
#[salsa::tracked(returns(ref))]
pub fn resolve_project(db: &dyn Db, project: Project) -> ResolvedProject {
    let mut resolved = ResolvedProject::default();
    for &env in environments(db, project) {
        if let Some(environment) = resolved_environment(db, env) {
            resolved.environments.push(environment.clone());
            resolved.lifecycles.push(environment_lifecycle(db, env));
        }
        resolved
            .diagnostics
            .extend(environment_diagnostics(db, env).iter().cloned());
    }
    crate::diagnostic::sort(db, &mut resolved.diagnostics);
    resolved
}
