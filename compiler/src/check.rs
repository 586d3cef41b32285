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
    diagnostics.extend(crate::terraform::lock_diagnostics(db, project));
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
    sort_diagnostics(db, &mut diagnostics);
    diagnostics
}

/// The diagnostics about one file (syntax, names, types, and the duplicates whose
/// repeat is in it), sorted: what an editor shows for an open document.
pub fn file_diagnostics(db: &dyn Db, project: Project, file: SourceFile) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = crate::syntax::parse_file(db, file).diagnostics.clone();
    diagnostics.extend(file_analysis(db, project, file).diagnostics.iter().cloned());
    diagnostics.extend(
        duplicate_declarations(db, project)
            .iter()
            .filter(|diagnostic| {
                diagnostic
                    .primary
                    .as_ref()
                    .is_some_and(|label| label.file == file)
            })
            .cloned(),
    );
    sort_diagnostics(db, &mut diagnostics);
    diagnostics
}

/// The resolution table of one file: every reference and what it refers to (for
/// go-to-definition, find-references, rename and hover).
pub fn definitions(db: &dyn Db, project: Project, file: SourceFile) -> &ResolutionTable {
    &file_analysis(db, project, file).table
}

/// Sorts by (file path, start, code), project-level diagnostics first, and removes
/// exact repeats.
pub fn sort_diagnostics(db: &dyn Db, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_cached_key(|diagnostic| {
        let (path, start, end) = match &diagnostic.primary {
            Some(label) => (
                Some(label.file.path(db).clone()),
                label.range.start,
                label.range.end,
            ),
            None => (None, 0, 0),
        };
        (
            path,
            diagnostic.subject.clone(),
            start,
            diagnostic.code,
            end,
            diagnostic.message.clone(),
        )
    });
    diagnostics.dedup();
}
