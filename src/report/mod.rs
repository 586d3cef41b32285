//! Printing diagnostics: for people (`human`), and for tools (`json`, `sarif`).
//!
//! Invariant: every format shows the same diagnostics in the same order, with paths as
//! the user would type them (the project path they gave, joined with the file's path in
//! the project); the standard library's files keep their `std/` paths.

mod human;
mod json;
mod location;
mod sarif;
pub mod terminal;

use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::{Diagnostic, Severity};
use plat_compiler::source::Database;

use crate::cli::Format;

pub use location::Located;

/// What was checked, for the closing line of the human format.
pub struct Summary {
    pub project: String,
    pub files: usize,
    /// The one file whose diagnostics are shown, when a file of the project was asked
    /// for.
    pub focus: Option<String>,
}

/// Prints diagnostics of one project.
pub struct Report<'a> {
    db: &'a Database,
    root: PathBuf,
    color: bool,
}

impl<'a> Report<'a> {
    pub fn new(db: &'a Database, root: &Path, color: bool) -> Self {
        Report {
            db,
            root: root.to_path_buf(),
            color,
        }
    }

    /// Human output goes to standard error, machine formats to standard output.
    pub fn print(&self, format: Format, diagnostics: &[Diagnostic], summary: Option<&Summary>) {
        let located = Located::new(self.db, &self.root);
        match format {
            Format::Human => {
                eprint!("{}", human::render(&located, diagnostics, self.color));
                if let Some(summary) = summary {
                    eprintln!("{}", terminal::clean(&closing_line(diagnostics, summary)));
                }
            }
            Format::Json => println!(
                "{}",
                terminal::escape_json(json::render(&located, diagnostics))
            ),
            Format::Sarif => println!(
                "{}",
                terminal::escape_json(sarif::render(&located, diagnostics))
            ),
        }
    }
}

/// `checked shop (12 files): 2 errors, 1 warning, 1 waived`, or, for one file of the
/// project, `checked workloads/api.plat in shop (12 files): no problems`.
fn closing_line(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let waived = diagnostics
        .iter()
        .filter(|d| d.suppression.is_some())
        .count();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.suppression.is_none())
        .count();
    let files = plural(summary.files, "file", "files");
    let counts: Vec<String> = [
        (errors, plural(errors, "error", "errors")),
        (warnings, plural(warnings, "warning", "warnings")),
        (waived, format!("{waived} waived")),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(_, text)| text)
    .collect();
    let outcome = if counts.is_empty() {
        "no problems".to_string()
    } else {
        counts.join(", ")
    };
    match &summary.focus {
        Some(focus) => format!(
            "checked {focus} in {} ({files}): {outcome}",
            summary.project
        ),
        None => format!("checked {} ({files}): {outcome}", summary.project),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
