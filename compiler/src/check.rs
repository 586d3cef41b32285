//! The entry point: every diagnostic of a project.
//!
//! Invariants: diagnostics are query results, never accumulated; the result is sorted
//! by (file path, start offset, code) with project-level diagnostics (no file) first,
//! and holds no exact repeats, so output is deterministic. The work is split into
//! per-file queries ([`crate::syntax::parse_file`], [`file_analysis`]) so that an edit
//! re-checks only what depends on it; this query only gathers their results.

use crate::diagnostic::Diagnostic;
use crate::names::{ResolutionTable, duplicate_declarations};
use crate::source::{Db, Project, SourceFile};
use crate::types::file_analysis;

/// Every diagnostic of the project: loading, syntax, names, types and, for every
/// environment, resolution.
#[salsa::tracked(returns(ref))]
pub fn check_project(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = project.load_diagnostics(db).clone();
    diagnostics.extend(duplicate_declarations(db, project).iter().cloned());
    for &file in project.files(db) {
        diagnostics.extend(
            crate::syntax::parse_file(db, file)
                .diagnostics
                .iter()
                .cloned(),
        );
        diagnostics.extend(file_analysis(db, project, file).diagnostics.iter().cloned());
    }
    // Resolution's findings only when the earlier layers found no error, so that users
    // are not shown the knock-on effects of a mistake they already see.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let resolved = crate::resolve::resolve_project(db, project);
        diagnostics.extend(resolved.diagnostics.iter().cloned());
    }
    crate::diagnostic::sort(db, &mut diagnostics);
    diagnostics
}

/// The resolution table of one file: every reference and what it refers to (for
/// go-to-definition, find-references, rename and hover).
pub fn definitions(db: &dyn Db, project: Project, file: SourceFile) -> &ResolutionTable {
    &file_analysis(db, project, file).table
}
