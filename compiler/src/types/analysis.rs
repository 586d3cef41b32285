//! The per-file check: everything the names and types layers have to say about one
//! file, and the file's resolution table.
//!
//! Invariants: the query depends on the file's own syntax, the project index (which
//! changes only when declarations are added, removed or renamed), the type table, and
//! the signatures of the offerings the file uses; so an edit to a workload re-checks
//! that file alone, and an edit to an offering re-checks the files that use it. The
//! result is sorted; it holds no parse diagnostics and no project-level duplicates
//! (see [`crate::check`]).

use crate::diagnostic::{Code, Diagnostic};
use crate::names::{
    DeclRef, Definition, NameKind, Reference, ResolutionTable, Resolver, TargetKind, file_scope,
    project_index,
};
use crate::source::{Db, Project, SourceFile};
use crate::syntax::ast::{DeclKind, Item};
use crate::types::checker::Checker;
use crate::types::lower::type_table;

/// What checking one file found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileAnalysis {
    /// Diagnostics of names and types, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// For each resolved reference, what it refers to.
    pub table: ResolutionTable,
}

/// Bounds the memo of [`file_analysis`] to one file: the next new revision, or an
/// eviction ([`crate::check::check_rendering_each_environment`]), drops the others.
pub(crate) fn keep_one_file_analysis(db: &mut dyn Db) {
    file_analysis::set_lru_capacity(db, 1);
}

/// Checks the names and types of one file of a project.
///
/// Kept for as long as the database lives (the language server reads its table for
/// navigation), unless a command that reads only its diagnostics, once, bounds it
/// ([`keep_one_file_analysis`]).
#[salsa::tracked(returns(ref), lru = 0)]
pub fn file_analysis(db: &dyn Db, project: Project, file: SourceFile) -> FileAnalysis {
    let index = project_index(db, project);
    let scope = file_scope(db, project, file);
    let types = type_table(db, project);
    let resolver = Resolver::new(db, file, index, scope);
    let mut checker = Checker::new(db, project, resolver, types);
    let module = &crate::syntax::parse_file(db, file).module;
    for (item, node) in module.items.iter().enumerate() {
        match node {
            Item::Type(decl) => {
                let decl_ref = decl_ref(db, file, item, NameKind::Type, &decl.name.name);
                checker.check_type_decl(decl, &decl_ref);
            }
            Item::Decl(decl) => match decl.kind {
                DeclKind::Offering => {
                    let decl_ref = decl_ref(db, file, item, NameKind::Offering, &decl.name.name);
                    checker.check_offering(decl, &decl_ref);
                }
                DeclKind::Environment => checker.check_environment(decl),
                DeclKind::Workload => checker.check_workload(decl),
                DeclKind::Policy => checker.check_policy(decl),
            },
            Item::Import(_) | Item::Error(_) => {}
        }
    }
    let mut diagnostics = scope.diagnostics.clone();
    for binding in scope.imports.values() {
        let target = Definition {
            file: binding.target.file,
            range: binding.target.name_range(db),
        };
        let kind = TargetKind::Declaration(binding.target.kind);
        checker.references.push(Reference {
            range: binding.name_range,
            target,
            kind,
        });
        if binding.local_range != binding.name_range {
            checker.references.push(Reference {
                range: binding.local_range,
                target,
                kind,
            });
        }
        if !checker.used_imports.contains(&binding.local) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnusedImport,
                    format!("unused import `{}`", binding.local),
                    file,
                    binding.local_range,
                )
                .with_label("never used in this file")
                .with_help("remove the import"),
            );
        }
    }
    diagnostics.extend(checker.diagnostics);
    crate::diagnostic::sort(db, &mut diagnostics);
    FileAnalysis {
        diagnostics,
        table: ResolutionTable {
            references: checker.references,
        }
        .finish(),
    }
}

fn decl_ref(db: &dyn Db, file: SourceFile, item: usize, kind: NameKind, name: &str) -> DeclRef {
    DeclRef {
        file,
        origin: file.origin(db),
        item,
        kind,
        name: name.to_string(),
    }
}
