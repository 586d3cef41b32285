//! `plat build`: check a project, resolve its environments and write their artefacts.
//!
//! Per environment, under `--out`: `<env>/kubernetes/...`, `<env>/terraform/...`,
//! `<env>/graph.json` and `<env>/manifest.json` (every other artefact of the
//! environment with its sha256 and the source location that produced it, sorted by
//! path).
//!
//! Invariants: nothing is written unless the project checks without errors and every
//! requested environment exists; environments are rendered one after the other, each
//! written into [`crate::output`]'s staging directory as soon as it is rendered (one in
//! memory at a time) and swapped in atomically at the end, so a failed build leaves the
//! previous output as it was; the same project always gives the same bytes.

use std::collections::BTreeSet;
use std::path::Path;

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::{self, bundle};
use plat_compiler::lowered::EnvironmentId;
use plat_compiler::source::{Database, Project};

use crate::Status;
use crate::cli::Format;
use crate::output::{self, Staging, Tree};
use crate::report::Report;
use crate::report::terminal::clean;

pub fn run(path: &Path, environments: &[String], out: &Path, color: bool) -> Status {
    let mut db = Database::default();
    // The build reads what the checks resolved, never the syntax trees again.
    plat_compiler::check::drop_syntax_once_checked(&mut db);
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    if let Err(message) = output::destination(out, &root) {
        eprintln!("error: {message}\nhelp: pass `--out DIR` with a directory of its own");
        return Status::Usage;
    }
    let report = Report::new(&db, &root, color);
    let diagnostics = plat_compiler::check::check_project_in_parallel(&db, loaded.project);
    if !diagnostics.is_empty() {
        report.print(Format::Human, diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!(
            "error: not building `{}`: it has errors",
            clean(&loaded.name)
        );
        return Status::Errors;
    }
    plat_compiler::check::release_syntax(&mut db);
    let all: Vec<String> = plat_compiler::resolve::environments(&db, loaded.project)
        .iter()
        .map(|env| env.name(&db).clone())
        .collect();
    let selected = match select(&all, environments, &loaded.name) {
        Ok(selected) => selected,
        Err(message) => {
            eprintln!("{message}");
            return Status::Usage;
        }
    };
    let counts = match write(&db, loaded.project, &selected, &loaded.name, out) {
        Ok(counts) => counts,
        Err(message) => {
            eprintln!("error: {message}\nnote: the previous output, if any, is unchanged");
            return Status::Usage;
        }
    };
    for (name, count) in counts {
        eprintln!("  {name}: {count} files");
    }
    eprintln!(
        "built {} ({}) into {}",
        clean(&loaded.name),
        plural(selected.len(), "environment", "environments"),
        out.display()
    );
    super::exit_without_freeing(db);
    Status::Clean
}

/// The environments to build: those named with `--env`, or every one.
fn select<'a>(
    all: &'a [String],
    wanted: &[String],
    project: &str,
) -> Result<Vec<&'a String>, String> {
    if wanted.is_empty() {
        return Ok(all.iter().collect());
    }
    let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
    let known: Vec<&str> = all.iter().map(String::as_str).collect();
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
        .filter(|env| wanted.contains(env.as_str()))
        .collect())
}

/// Renders the selected environments one after the other (each in parallel inside)
/// and writes each part of one into the staging directory as soon as it is rendered,
/// so that one part at most is held in memory; then swaps the output in. Returns how
/// many files each environment has.
fn write<'a>(
    db: &Database,
    project: Project,
    selected: &[&'a String],
    name: &str,
    out: &Path,
) -> Result<Vec<(&'a str, usize)>, String> {
    let mut staging = Staging::begin(out)?;
    let mut counts = Vec::new();
    for env in selected {
        let id = EnvironmentId::new(db, project, env.to_string());
        let mut files = 0;
        if let Some(resolved) = plat_compiler::resolve::environment_model(db, id) {
            bundle::environment_in_parts(db, &resolved, name, &mut |part| {
                files += part.len();
                let mut tree = Tree::default();
                for artifact in part {
                    tree.insert(format!("{env}/{}", artifact.path), artifact.contents);
                }
                staging.add(&tree)
            })?;
        }
        counts.push((env.as_str(), files));
    }
    let state = format!("terraform/{}", emit::terraform::LOCAL_STATE_DIRECTORY);
    staging.finish(&[state.as_str()])?;
    Ok(counts)
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
