//! `plat semver OLD [NEW]`: what changed between two versions of a package, what the
//! changes break, and whether the versions say so.
//!
//! Each side is a directory, or a revision (a tag, a branch, a commit) of the git
//! repository at `--repository` (the current directory by default), which is read from
//! a copy that shares the repository's objects: the repository and its working tree
//! are never changed, and the copy is removed at the end. `--application DIR` names a
//! project that depends on the package: its workloads and environments that a change
//! breaks are named too.

use std::path::{Path, PathBuf};

use plat_compiler::compat::{self, Dependent, Judged, Report, Side};
use plat_compiler::diagnostic::{Diagnostic, Label};
use plat_compiler::package::manifest::{self, MANIFEST, Manifest};
use plat_compiler::project::read::Root;
use plat_compiler::source::{Database, Origin, Project, SourceFile};

use crate::Status;
use crate::cli::Format;
use crate::git;
use crate::report::Report as Printer;
use crate::report::terminal::clean;

/// One version of the package, loaded.
struct Loaded {
    project: Project,
    root: PathBuf,
    name: String,
    manifest: Manifest,
    /// Where its manifest writes its version.
    version_at: Option<Label>,
    /// As the user named it: `v1.0.0`, `.`.
    named: String,
}

/// The directories of the sides that are copies of git revisions, removed when
/// dropped.
#[derive(Default)]
struct Copies(Vec<PathBuf>);

impl Drop for Copies {
    fn drop(&mut self) {
        for copy in &self.0 {
            let _ = std::fs::remove_dir_all(copy);
        }
    }
}

pub struct Arguments<'a> {
    pub old: &'a str,
    pub new: &'a str,
    pub repository: &'a Path,
    pub applications: &'a [PathBuf],
    pub format: Format,
    pub color: bool,
}

pub fn run(arguments: &Arguments<'_>) -> Status {
    let db = Database::default();
    let mut copies = Copies::default();
    let old = match load(&db, arguments.old, arguments.repository, &mut copies) {
        Ok(loaded) => loaded,
        Err(message) => return usage(&message),
    };
    let new = match load(&db, arguments.new, arguments.repository, &mut copies) {
        Ok(loaded) => loaded,
        Err(message) => return usage(&message),
    };
    let mut dependents = Vec::new();
    for application in arguments.applications {
        match plat_compiler::project::load(&db, application) {
            Ok(loaded) => dependents.push((loaded.project, loaded.name)),
            Err(diagnostic) => {
                return usage(&format!(
                    "cannot read the application `{}`: {}",
                    application.display(),
                    diagnostic.message
                ));
            }
        }
    }
    let dependents: Vec<Dependent<'_>> = dependents
        .iter()
        .map(|(project, name)| Dependent {
            project: *project,
            name,
        })
        .collect();
    let report = compat::report(
        &db,
        side(&old),
        side(&new),
        new.version_at.clone(),
        &dependents,
    );
    print_report(&old, &new, &report);
    let printer = Printer::new(&db, &new.root, arguments.color);
    if !report.diagnostics.is_empty() || arguments.format != Format::Human {
        printer.print(arguments.format, &report.diagnostics, None);
    }
    let status = if report.diagnostics.iter().any(Diagnostic::is_error) {
        Status::Errors
    } else {
        Status::Clean
    };
    drop(copies);
    super::exit_without_freeing(db);
    status
}

fn side(loaded: &Loaded) -> Side<'_> {
    Side {
        project: loaded.project,
        name: &loaded.name,
        version: loaded.manifest.version.as_ref(),
    }
}

/// The package as `what` names it: a directory, or a revision of `repository`.
fn load(
    db: &Database,
    what: &str,
    repository: &Path,
    copies: &mut Copies,
) -> Result<Loaded, String> {
    let directory = Path::new(what);
    let root = if directory.is_dir() {
        directory.to_path_buf()
    } else {
        let commit = git::commit_of(repository, what)
            .map_err(|error| {
                format!(
                    "cannot read `{}` with git: {}",
                    repository.display(),
                    error.0
                )
            })?
            .ok_or_else(|| {
                format!(
                    "`{what}` is neither a directory nor a revision of the git repository `{}`",
                    repository.display()
                )
            })?;
        let copy = std::env::temp_dir().join(format!(
            "plat-semver-{}-{}",
            std::process::id(),
            copies.0.len()
        ));
        let _ = std::fs::remove_dir_all(&copy);
        copies.0.push(copy.clone());
        git::checkout_copy(repository, &commit, &copy).map_err(|error| {
            format!(
                "cannot read `{what}` of `{}`: {}",
                repository.display(),
                error.0
            )
        })?;
        copy
    };
    let loaded = plat_compiler::project::load(db, &root)
        .map_err(|diagnostic| format!("cannot read `{what}`: {}", diagnostic.message))?;
    let (manifest, version_at) = read_manifest(db, &root);
    Ok(Loaded {
        project: loaded.project,
        root,
        name: loaded.name,
        manifest,
        version_at,
        named: what.to_string(),
    })
}

/// The manifest at `root`, with where it writes its version.
fn read_manifest(db: &Database, root: &Path) -> (Manifest, Option<Label>) {
    let Ok(text) = Root::new(root).and_then(|rule| rule.read_text(&root.join(MANIFEST))) else {
        return (Manifest::default(), None);
    };
    let file = SourceFile::new(db, MANIFEST.to_string(), text, Origin::Project);
    let (manifest, _) = manifest::parse(file, file.text(db));
    let at = manifest.version_at.map(|range| Label::new(file, range));
    (manifest, at)
}

/// The changes, offering by offering, on standard error.
fn print_report(old: &Loaded, new: &Loaded, report: &Report) {
    let version = |loaded: &Loaded| {
        loaded
            .manifest
            .version
            .as_ref()
            .map(|version| format!(" {version}"))
            .unwrap_or_default()
    };
    eprintln!(
        "{}",
        clean(&format!(
            "comparing `{}`{} ({}) with{} ({})",
            new.name,
            version(old),
            old.named,
            version(new),
            new.named
        ))
    );
    let mut changed = false;
    for offering in &report.offerings {
        if offering.changes.is_empty() {
            continue;
        }
        changed = true;
        let versions = match (&offering.old_version, &offering.new_version) {
            (Some(old), Some(new)) => format!(" {old} → {new}"),
            (None, Some(new)) => format!(" (new, {new})"),
            (Some(old), None) => format!(" {old} (removed)"),
            (None, None) => String::new(),
        };
        let needed = offering
            .needed
            .as_ref()
            .map(|needed| format!(", needs {needed}"))
            .unwrap_or_default();
        eprintln!(
            "{}",
            clean(&format!("offering `{}`{versions}{needed}", offering.name))
        );
        print_changes(&offering.changes);
    }
    if !report.environments.is_empty() {
        changed = true;
        eprintln!("environments");
        print_changes(&report.environments);
    }
    if !changed {
        eprintln!("no change to what the package offers");
    } else if let Some(needed) = &report.needed {
        eprintln!(
            "{}",
            clean(&format!("the package needs version {needed} or later"))
        );
    }
}

fn print_changes(changes: &[Judged]) {
    for judged in changes {
        let kind = if judged.change.is_breaking() {
            "breaking"
        } else {
            "compatible"
        };
        eprintln!(
            "{}",
            clean(&format!("  {kind}: {}", judged.change.describe()))
        );
        for broken in &judged.breaks {
            eprintln!("{}", clean(&format!("    breaks: {broken}")));
        }
    }
}

fn usage(message: &str) -> Status {
    eprintln!("error: {}", clean(message));
    Status::Usage
}
