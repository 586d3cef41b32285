//! The query: every environment of a project, resolved.
//!
//! Invariants: [`resolve_project`] is a salsa query over the earlier layers' queries,
//! so an edit re-resolves only when what it read changed; its environments are sorted
//! by name and its diagnostics by (file path, position, code, message) without exact
//! repeats, so a problem found the same way in several environments (a cycle) is
//! reported once. It runs on any project, even one with errors, without panicking;
//! [`crate::check::check_project`] shows its diagnostics only when the earlier layers
//! report no errors.

use crate::diagnostic::Diagnostic;
use crate::names::NameKind;
use crate::resolve::context::Context;
use crate::resolve::environment::resolve_environment;
use crate::resolve::model::ResolvedEnvironment;
use crate::source::{Db, Project};

/// Every environment of a project, resolved, and what resolving them found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedProject {
    /// Sorted by name.
    pub environments: Vec<ResolvedEnvironment>,
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

    /// The environments' names, sorted.
    pub fn environment_names(&self) -> Vec<&str> {
        self.environments
            .iter()
            .map(|environment| environment.name.as_str())
            .collect()
    }
}

/// Resolves every environment of the project.
#[salsa::tracked(returns(ref))]
pub fn resolve_project(db: &dyn Db, project: Project) -> ResolvedProject {
    let cx = Context::new(db, project);
    let mut resolved = ResolvedProject::default();
    for (decl, syntax) in cx.declarations(NameKind::Environment) {
        let (environment, diagnostics) = resolve_environment(cx, decl, syntax);
        resolved.environments.push(environment);
        resolved.diagnostics.extend(diagnostics);
    }
    resolved.environments.sort_by(|a, b| a.name.cmp(&b.name));
    crate::diagnostic::sort(db, &mut resolved.diagnostics);
    resolved
}
