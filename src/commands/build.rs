//! `plat build`: check a project, resolve its environments and write their artefacts.
//!
//! Per environment, under `--out`: `<env>/kubernetes/...`, `<env>/terraform/...`,
//! `<env>/graph.json` and `<env>/manifest.json` (every other artefact of the
//! environment with its sha256 and the source location that produced it, sorted by
//! path).
//!
//! Invariants: nothing is written unless the project checks without errors and every
//! requested environment exists; everything is built in memory first and written by
//! [`crate::output`] atomically, so a failed build leaves the previous output as it
//! was; the same project always gives the same bytes.

use std::collections::BTreeSet;
use std::path::Path;

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::{self, Artifact, bundle};
use plat_compiler::resolve::model::ResolvedEnvironment;
use plat_compiler::source::Database;
use rayon::prelude::*;

use crate::Status;
use crate::cli::Format;
use crate::output::{self, Tree};
use crate::report::Report;
use crate::report::terminal::clean;

pub fn run(path: &Path, environments: &[String], out: &Path, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    if let Err(message) = output::destination(out, &root) {
        eprintln!("error: {message}\nhelp: pass `--out DIR` with a directory of its own");
        return Status::Usage;
    }
    let report = Report::new(&db, &root, color);
    let diagnostics = bundle::diagnostics(&db, loaded.project);
    if !diagnostics.is_empty() {
        report.print(Format::Human, &diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!(
            "error: not building `{}`: it has errors",
            clean(&loaded.name)
        );
        return Status::Errors;
    }
    let resolved = plat_compiler::resolve::resolve_project(&db, loaded.project);
    let selected = match select(&resolved.environments, environments, &loaded.name) {
        Ok(selected) => selected,
        Err(message) => {
            eprintln!("{message}");
            return Status::Usage;
        }
    };
    let mut tree = Tree::default();
    let mut counts = Vec::new();
    for (env, artifacts) in selected
        .iter()
        .zip(all_artifacts(&db, &selected, &loaded.name))
    {
        counts.push((env.name.as_str(), artifacts.len()));
        for artifact in artifacts {
            tree.insert(format!("{}/{}", env.name, artifact.path), artifact.contents);
        }
    }
    let state = format!("terraform/{}", emit::terraform::LOCAL_STATE_DIRECTORY);
    if let Err(message) = output::write(out, &tree, &[state.as_str()]) {
        eprintln!("error: {message}\nnote: the previous output, if any, is unchanged");
        return Status::Usage;
    }
    for (name, count) in counts {
        eprintln!("  {name}: {count} files");
    }
    eprintln!(
        "built {} ({}) into {}",
        clean(&loaded.name),
        plural(selected.len(), "environment", "environments"),
        out.display()
    );
    super::exit_without_freeing((db, tree));
    Status::Clean
}

/// The environments to build: those named with `--env`, or every one.
fn select<'a>(
    all: &'a [ResolvedEnvironment],
    wanted: &[String],
    project: &str,
) -> Result<Vec<&'a ResolvedEnvironment>, String> {
    if wanted.is_empty() {
        return Ok(all.iter().collect());
    }
    let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
    let known: Vec<&str> = all.iter().map(|env| env.name.as_str()).collect();
    let unknown: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|name| !known.contains(name))
        .collect();
    if !unknown.is_empty() {
        let list = if known.is_empty() {
            "it has none".to_string()
        } else {
            format!("its environments are {}", quoted(&known))
        };
        return Err(format!(
            "error: `{project}` has no environment {}\nhelp: {list}",
            quoted(&unknown)
        ));
    }
    Ok(all
        .iter()
        .filter(|env| wanted.contains(env.name.as_str()))
        .collect())
}

/// The artefacts of every selected environment, in order, built in parallel (each
/// environment on its own handle of the database, which is `Send` but not `Sync`).
fn all_artifacts(
    db: &Database,
    selected: &[&ResolvedEnvironment],
    project: &str,
) -> Vec<Vec<Artifact>> {
    let handles: Vec<Database> = selected.iter().map(|_| db.clone()).collect();
    selected
        .par_iter()
        .zip(handles)
        .map(|(env, db)| bundle::environment(&db, env, project))
        .collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}
