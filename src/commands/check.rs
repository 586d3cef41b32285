//! `plat check`: load a project, run every check, print the diagnostics.

use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::project::LoadedProject;
use plat_compiler::source::Database;

use crate::Status;
use crate::cli::Format;
use crate::report::{Report, Summary};

pub fn run(path: &Path, format: Format, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match open(&db, path, format, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let diagnostics: &[Diagnostic] =
        plat_compiler::check::check_project_in_parallel(&db, loaded.project);
    let summary = Summary {
        project: loaded.name.clone(),
        files: loaded.project.source_count(&db),
    };
    Report::new(&db, &root, color).print(format, diagnostics, Some(&summary));
    let status = if diagnostics.iter().any(Diagnostic::is_error) {
        Status::Errors
    } else {
        Status::Clean
    };
    super::exit_without_freeing(db);
    status
}

/// Reads the project at `path` (shared by the commands that start by checking one):
/// the project, and the directory that paths in its diagnostics are shown relative to.
/// When there is nothing to read, prints why and returns the exit status.
pub(super) fn open(
    db: &Database,
    path: &Path,
    format: Format,
    color: bool,
) -> Result<(LoadedProject, PathBuf), Status> {
    let loaded = match plat_compiler::project::load(db, path) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            let report = Report::new(db, Path::new(""), color);
            report.print(format, std::slice::from_ref(&diagnostic), None);
            return Err(Status::Usage);
        }
    };
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        loaded.root.clone()
    };
    Ok((loaded, root))
}
