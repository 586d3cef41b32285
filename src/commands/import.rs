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
use plat_compiler::project::MAX_FILE_BYTES;
use plat_compiler::source::{Database, Origin, SourceFile};

use crate::Status;
use crate::cli::{Format, ImportCommand};
use crate::report::Report;

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
        let text = match read(path) {
            Ok(text) => text,
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                usage = true;
                continue;
            }
        };
        let display = path.to_string_lossy().into_owned();
        let file = SourceFile::new(&db, display, text, Origin::Project);
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let reader = move |source: &str| read_source(&directory, source);
        let imported = score::import(&db, file, &reader);
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

/// A Score file's text, within the size limit of a source file.
fn read(path: &Path) -> Result<String, Box<Diagnostic>> {
    let display = path.to_string_lossy().into_owned();
    let bytes = read_bounded(path).map_err(|reason| {
        Box::new(Diagnostic::about_path(
            Code::Io,
            format!("cannot read `{display}`: {reason}"),
            display.clone(),
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Box::new(
            Diagnostic::about_path(
                Code::NotUtf8,
                format!("`{display}` is not UTF-8"),
                display.clone(),
            )
            .with_help("Score files are UTF-8 YAML"),
        )
    })
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let metadata = fs::metadata(path).map_err(|error| reason(&error))?;
    if !metadata.is_file() {
        return Err("it is not a file".to_string());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "it is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    fs::read(path).map_err(|error| reason(&error))
}

/// The text of the file that a `source:` names, relative to the Score file's directory.
fn read_source(directory: &Path, source: &str) -> Result<String, String> {
    let bytes = read_bounded(&directory.join(source))?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}
