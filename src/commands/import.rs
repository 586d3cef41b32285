//! `plat import score`: Score workload files into `.plat` workloads.
//!
//! Invariants: all or nothing: if any Score file has errors, or any file to write
//! exists already (or two Score files name the same workload), nothing is written;
//! each file is created with `create_new`, so a file that appears meanwhile is not
//! clobbered either. Diagnostics render through the same report as `plat check`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::import::score;
use plat_compiler::project::read::{Refusal, Root};
use plat_compiler::source::{Database, Origin, SourceFile};

use crate::Status;
use crate::cli::{Format, ImportCommand};
use crate::report::Report;
use crate::report::terminal::clean;

use super::init::create;

pub fn run(command: ImportCommand, format: Format, color: bool) -> Status {
    match command {
        ImportCommand::Score { files, out } => import_score(&files, &out, format, color),
    }
}

/// One workload to write: its file name and text.
struct Output {
    file_name: String,
    text: String,
}

fn import_score(files: &[PathBuf], out: &Path, format: Format, color: bool) -> Status {
    let db = Database::default();
    let mut diagnostics = Vec::new();
    let mut outputs: Vec<Output> = Vec::new();
    let mut shared: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut usage = false;
    for path in files {
        let (root, text) = match read(path) {
            Ok(read) => read,
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                usage = true;
                continue;
            }
        };
        let display = path.to_string_lossy().into_owned();
        let file = SourceFile::new(&db, display, text, Origin::Project);
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let reader = move |source: &str| root.read_text(&directory.join(source));
        let imported = score::import(&db, file, &reader);
        if let Some(error) = &imported.internal_error {
            eprintln!(
                "error: internal error in plat {}: the workload imported from `{}` does not \
                 parse again: {}; nothing is written\n\
                 note: this is a bug in plat, not in your Score file; please report it with the file",
                env!("CARGO_PKG_VERSION"),
                clean(&path.to_string_lossy()),
                clean(error)
            );
            return Status::Internal;
        }
        diagnostics.extend(imported.diagnostics);
        shared.extend(imported.shared);
        if let (Some(name), Some(text)) = (imported.name, imported.text) {
            let file_name = format!("{name}.plat");
            if outputs.iter().any(|output| output.file_name == file_name) {
                diagnostics.push(
                    Diagnostic::about_path(
                        Code::ImportTargetExists,
                        format!("two Score files name the workload `{name}`: both would write `{file_name}`"),
                        path.to_string_lossy().into_owned(),
                    )
                    .with_help("give each workload its own `metadata.name`"),
                );
                continue;
            }
            outputs.push(Output { file_name, text });
        }
    }
    let errors = diagnostics.iter().any(Diagnostic::is_error);
    if !errors && out.as_os_str() != "-" {
        diagnostics.extend(existing(out, &outputs));
    }
    Report::new(&db, Path::new(""), color).print(format, &diagnostics, None);
    if usage {
        return Status::Usage;
    }
    if diagnostics
        .iter()
        .any(|d| d.code == Code::ImportTargetExists)
    {
        return if diagnostics
            .iter()
            .any(|d| d.is_error() && d.code != Code::ImportTargetExists)
        {
            Status::Errors
        } else {
            Status::Usage
        };
    }
    if errors {
        return Status::Errors;
    }
    if out.as_os_str() == "-" {
        for output in &outputs {
            print!("{}", output.text);
        }
    } else {
        for output in &outputs {
            if let Err(message) = create(&out.join(&output.file_name), &output.text) {
                eprintln!("error: {message}");
                return Status::Usage;
            }
        }
        if format == Format::Human {
            let written: Vec<String> = outputs
                .iter()
                .map(|o| format!("  {}", out.join(&o.file_name).display()))
                .collect();
            eprintln!(
                "imported {} into {}:\n{}",
                plural(outputs.len()),
                out.display(),
                written.join("\n")
            );
        }
    }
    if format == Format::Human && !shared.is_empty() {
        let lines: Vec<String> = shared
            .iter()
            .map(|(name, offering)| format!("  {name}: {offering} {{}}"))
            .collect();
        eprintln!(
            "note: declare these shared resources in every environment the workloads run in:\n{}",
            lines.join("\n")
        );
    }
    Status::Clean
}

fn plural(count: usize) -> String {
    if count == 1 {
        "1 workload".to_string()
    } else {
        format!("{count} workloads")
    }
}

/// An E0807 for every file that exists already in `out`.
fn existing(out: &Path, outputs: &[Output]) -> Vec<Diagnostic> {
    outputs
        .iter()
        .map(|output| out.join(&output.file_name))
        .filter(|path| fs::symlink_metadata(path).is_ok())
        .map(|path| {
            Diagnostic::about_path(
                Code::ImportTargetExists,
                format!("not importing: `{}` exists already", path.display()),
                path.to_string_lossy().into_owned(),
            )
            .with_help("move it away first, or import into another directory with `--out`")
        })
        .collect()
}

/// A Score file's text, through the loader's rule with the file's directory as the
/// root (a link that leaves it is refused, E0506), and that root, which the files its
/// `source`s name must be inside of too.
fn read(path: &Path) -> Result<(Root, String), Box<Diagnostic>> {
    let display = path.to_string_lossy().into_owned();
    let refused = |refusal: Refusal| {
        let diagnostic = match refusal {
            Refusal::Outside => Diagnostic::about_path(
                Code::OutsideProject,
                format!("not reading `{display}`: it is a link to a file outside its directory"),
                display.clone(),
            )
            .with_help("plat reads only files inside the Score file's directory, once every symbolic link is resolved: name the file itself"),
            Refusal::NotUtf8 { .. } => Diagnostic::about_path(
                Code::NotUtf8,
                format!("`{display}` is not UTF-8"),
                display.clone(),
            )
            .with_help("Score files are UTF-8 YAML"),
            other => Diagnostic::about_path(
                Code::Io,
                format!("cannot read `{display}`: {}", other.reason()),
                display.clone(),
            ),
        };
        Box::new(diagnostic)
    };
    let root = Root::around(path).map_err(refused)?;
    let text = root.read_text(path).map_err(refused)?;
    Ok((root, text))
}
