//! `plat doc`: write the catalogue of a platform's offerings as HTML and Markdown.
//!
//! Under `--out`: `index.html` and `index.md`, and per offering `<offering>.html` and
//! `<offering>.md` (see [`plat_compiler::catalog`] for what a page holds).
//!
//! Invariants: nothing is written unless the project checks and resolves without
//! errors; the catalogue is built from the compiler's queries, rendered in memory and
//! written by [`crate::output`] atomically (all of it or none of it, replacing a
//! previous catalogue as a whole); the same project always gives the same bytes.

use std::path::Path;

use plat_compiler::catalog::{self, Catalog};
use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::source::Database;

use crate::Status;
use crate::cli::Format;
use crate::output::{self, Tree, Writer};
use crate::report::Report;
use crate::report::terminal::clean;

pub fn run(path: &Path, out: &Path, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    if let Err(message) = output::destination(out, &root) {
        eprintln!("error: {message}\nhelp: pass `--out DIR` with a directory of its own");
        return Status::Usage;
    }
    let diagnostics = plat_compiler::check::check_project(&db, loaded.project);
    if !diagnostics.is_empty() {
        Report::new(&db, &root, color).print(Format::Human, diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!(
            "error: no catalogue for `{}`: it has errors\nhelp: `plat check` shows them; fix \
             them and run `plat doc` again",
            clean(&loaded.name)
        );
        return Status::Errors;
    }
    let catalog = catalog::build(&db, loaded.project, &loaded.name);
    match output::write(out, &tree(&catalog), Writer::Doc) {
        Ok(notes) => notes.iter().for_each(|note| eprintln!("{note}")),
        Err(message) => {
            eprintln!("error: {message}\nnote: the previous output, if any, is unchanged");
            return Status::Usage;
        }
    }
    let count = catalog.offerings.len();
    eprintln!(
        "wrote the catalogue of {} ({count} {}) into {}",
        clean(&loaded.name),
        if count == 1 { "offering" } else { "offerings" },
        out.display()
    );
    Status::Clean
}

/// Every page of the catalogue, in both formats.
fn tree(catalog: &Catalog) -> Tree {
    let mut tree = Tree::default();
    let pages = catalog::markdown::render(catalog)
        .into_iter()
        .chain(catalog::html::render(catalog));
    for (path, contents) in pages {
        tree.insert(path, contents);
    }
    tree
}
