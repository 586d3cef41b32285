//! `plat import score`: Score workload specifications (score.dev, `score.dev/v1b1`)
//! into plat workloads.
//!
//! The stages, each its own module: [`yaml`] reads the file into nodes that know their
//! byte range; [`schema`] validates it against the Score JSON schema; [`convert`] maps
//! it onto a plat workload, with [`offerings`] (resource types → standard offerings)
//! and [`placeholder`] (`${...}` → plat references); [`plat`] writes the text, through
//! the formatter.
//!
//! Invariants: a file with any error yields no text; every diagnostic points into the
//! Score file (its line and column); the result is deterministic for a given input.

pub mod convert;
pub mod offerings;
pub mod placeholder;
pub mod plat;
pub mod schema;
pub mod yaml;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Db, SourceFile};

pub use convert::SourceReader;

/// What importing one Score file gave.
#[derive(Debug, Default)]
pub struct Imported {
    /// The workload's name, which names its `.plat` file.
    pub name: Option<String>,
    /// The `.plat` text; `None` when the file has errors.
    pub text: Option<String>,
    /// Errors and warnings, in the order of the file.
    pub diagnostics: Vec<Diagnostic>,
    /// Shared resources the workload binds (`id` in Score): name and offering; each
    /// environment must declare them.
    pub shared: Vec<(String, &'static str)>,
}

/// Imports the Score file `file`; `read_source` reads the files that its `files`
/// entries name in `source`.
pub fn import(db: &dyn Db, file: SourceFile, read_source: &SourceReader<'_>) -> Imported {
    let text = file.text(db).as_str();
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(error) => {
            let diagnostic = Diagnostic::new(Code::InvalidYaml, error.message, file, error.range)
                .with_label("not valid YAML here");
            return Imported {
                diagnostics: vec![diagnostic],
                ..Imported::default()
            };
        }
    };
    let invalid = schema::validate(&root, file);
    if !invalid.is_empty() {
        return Imported {
            diagnostics: invalid,
            ..Imported::default()
        };
    }
    let mut converter = convert::Converter::new(file, text, read_source);
    let workload = converter.workload(&root);
    let mut diagnostics = converter.diagnostics;
    diagnostics.sort_by_key(|d| d.primary.as_ref().map(|label| label.range.start));
    let shared = workload
        .resources
        .iter()
        .filter_map(|resource| {
            let (_, id) = resource.params.iter().find(|(name, _)| name == "shared")?;
            Some((id.clone(), resource.offering))
        })
        .collect();
    let text = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        let origin = file
            .path(db)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        Some(
            workload
                .render(&origin)
                .unwrap_or_else(|error| panic!("an imported workload does not parse: {error}")),
        )
    };
    Imported {
        name: Some(workload.name),
        text,
        diagnostics,
        shared,
    }
}
