//! `plat check`: load a project, run every check, print the diagnostics.
//!
//! `plat check FILE`, for a file inside a project (a directory above it holds
//! `plat.toml`), checks the whole project, so that the names the file uses from the
//! project's other files are known, and reports the diagnostics that concern that file.

use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::project::LoadedProject;
use plat_compiler::source::{Database, SourceFile};

use crate::Status;
use crate::cli::Format;
use crate::report::{Located, Report, Summary};

pub fn run(path: &Path, format: Format, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match open(&db, path, format, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let all: &[Diagnostic] = plat_compiler::check::check_project_in_parallel(&db, loaded.project);
    let diagnostics: Vec<Diagnostic> = match loaded.focus {
        Some(focus) => all
            .iter()
            .filter(|diagnostic| concerns(&db, diagnostic, focus))
            .cloned()
            .collect(),
        None => all.to_vec(),
    };
    let report = Report::new(&db, &root, color);
    let summary = Summary {
        project: loaded.name.clone(),
        files: loaded.project.source_count(&db),
        focus: loaded
            .focus
            .map(|focus| Located::new(&db, &root).display_path(focus)),
    };
    report.print(format, &diagnostics, Some(&summary));
    let status = if diagnostics.iter().any(Diagnostic::is_error) {
        Status::Errors
    } else {
        Status::Clean
    };
    super::exit_without_freeing(db);
    status
}

/// Whether `diagnostic` is about `file`: one of its labels is in it, or its subject is.
fn concerns(db: &Database, diagnostic: &Diagnostic, file: SourceFile) -> bool {
    let labelled = diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .any(|label| label.file == file);
    labelled || diagnostic.subject.as_deref() == Some(file.path(db).as_str())
}

/// Reads the project at `path` (shared by the commands that start by checking one):
/// the project, and the directory that paths in its diagnostics are shown relative to.
/// A file inside a project stands for that whole project.
/// When there is nothing to read, prints why and returns the exit status.
pub(super) fn open(
    db: &Database,
    path: &Path,
    format: Format,
    color: bool,
) -> Result<(LoadedProject, PathBuf), Status> {
    let loaded = match plat_compiler::project::load_enclosing(db, path) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            let report = Report::new(db, Path::new(""), color);
            report.print(format, std::slice::from_ref(&diagnostic), None);
            return Err(Status::Usage);
        }
    };
    let root = loaded.root.clone();
    Ok((loaded, root))
}
