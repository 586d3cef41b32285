//! `plat graph`: print the resource graph of one environment.
//!
//! Invariants: the graph goes to standard output and nothing else does (diagnostics go
//! to standard error); nothing is printed to standard output when the project has
//! errors (exit 1) or the environment does not exist (exit 2, naming those that do).
//! The same project always prints the same bytes, and the graph holds no values, so no
//! secret can be printed.

use std::io::Write;
use std::path::Path;

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::graph::{self, ResourceGraph};
use plat_compiler::source::Database;

use crate::Status;
use crate::cli::{Format, GraphFormat};
use crate::report::Report;
use crate::report::terminal::clean;

pub fn run(path: &Path, environment: Option<&str>, format: GraphFormat, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let diagnostics: &[Diagnostic] = plat_compiler::check::check_project(&db, loaded.project);
    let resolved = plat_compiler::resolve::resolve_project(&db, loaded.project);
    let names = resolved.environment_names();
    let name = match choose(environment, &names, &loaded.name) {
        Ok(name) => name,
        Err(message) => {
            eprintln!("{message}");
            return Status::Usage;
        }
    };
    if !diagnostics.is_empty() {
        Report::new(&db, &root, color).print(Format::Human, diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!(
            "error: no graph for `{}`: it has errors",
            clean(&loaded.name)
        );
        return Status::Errors;
    }
    let Some(graph) = graph::environment_graph(&db, loaded.project, name) else {
        return Status::Internal;
    };
    let text = render(graph, format);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Status::Clean,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Status::Clean,
        Err(error) => {
            eprintln!("error: cannot write the graph: {error}");
            Status::Usage
        }
    }
}

fn render(graph: &ResourceGraph, format: GraphFormat) -> String {
    match format {
        GraphFormat::Json => graph::json::render(graph),
        GraphFormat::Dot => graph::dot::render(graph),
        GraphFormat::Mermaid => graph::mermaid::render(graph),
    }
}

/// The environment to draw: the one named with `--env`, or the only one.
fn choose<'a>(
    wanted: Option<&'a str>,
    known: &[&'a str],
    project: &str,
) -> Result<&'a str, String> {
    let list = match known {
        [] => {
            "it has none: declare one with `environment NAME { namespace = \"...\" }`".to_string()
        }
        _ => format!("its environments are {}", quoted(known)),
    };
    match (wanted, known) {
        (Some(name), _) if known.contains(&name) => Ok(name),
        (Some(name), _) => Err(format!(
            "error: `{project}` has no environment `{name}`\nhelp: {list}"
        )),
        (None, [only]) => Ok(only),
        (None, _) => Err(format!(
            "error: which environment? pass `--env NAME`\nhelp: {list}"
        )),
    }
}

fn quoted(names: &[&str]) -> String {
    plat_compiler::names::suggest::all_of(names)
}
