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
//! Score file (its line and column); the result is deterministic for a given input;
//! text that does not parse again (a bug in plat) is an internal error, never a panic.

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
    /// A bug in plat: the `.plat` text written for a valid Score file does not parse
    /// again (why). There is then no text; the command reports an internal error.
    pub internal_error: Option<String>,
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
    let mut imported = Imported {
        name: Some(workload.name.clone()),
        diagnostics,
        shared,
        ..Imported::default()
    };
    if !imported.diagnostics.iter().any(Diagnostic::is_error) {
        let origin = file
            .path(db)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        write_text(&workload, &origin, &mut imported);
    }
    imported
}

/// The `.plat` text of `workload` into `imported`, or, when plat's own text does not
/// parse again, the internal error.
fn write_text(workload: &plat::Workload, origin: &str, imported: &mut Imported) {
    match workload.render(origin) {
        Ok(text) => imported.text = Some(text),
        Err(error) => imported.internal_error = Some(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workload_whose_text_does_not_parse_again_is_an_internal_error_not_a_panic() {
        let workload = plat::Workload {
            name: "not a name".to_string(),
            ..plat::Workload::default()
        };
        let mut imported = Imported::default();
        write_text(&workload, "score.yaml", &mut imported);
        assert_eq!(imported.text, None);
        assert!(imported.internal_error.is_some());
    }
}
