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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::bundle;
use plat_compiler::source::{Database, Project};

use crate::Status;
use crate::cli::Format;
use crate::commands::diff;
use crate::output::{self, Staging, Tree, Writer};
use crate::report::Report;
use crate::report::terminal::clean;

/// The output directory, in the project's directory, when `--out` is not given.
const DEFAULT_OUT: &str = "out";

pub fn run(path: &Path, environments: &[String], out: Option<&Path>, color: bool) -> Status {
    let mut db = Database::default();
    // The build reads what the checks resolved, never the syntax trees again.
    plat_compiler::check::drop_syntax_once_checked(&mut db);
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let out = out.map_or_else(|| root.join(DEFAULT_OUT), Path::to_path_buf);
    let out = out.as_path();
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
    let every = environments.is_empty();
    let counts = match write(&db, loaded.project, &selected, every, &loaded.name, out) {
        Ok(counts) => counts,
        Err(refusal) => {
            let (message, status) = match refusal {
                Refusal::Output(message) => (message, Status::Usage),
                Refusal::Orphans(message) => (message, Status::Blocked),
            };
            eprintln!("error: {message}\nnote: the previous output, if any, is unchanged");
            return status;
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

/// Why a build writes nothing.
enum Refusal {
    /// The output cannot be written (or must not be replaced).
    Output(String),
    /// Replacing it would orphan Terraform state.
    Orphans(String),
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal::Output(message)
    }
}

/// Renders the selected environments one after the other (each in parallel inside)
/// and writes each part of one into the staging directory as soon as it is rendered,
/// so that one part at most is held in memory; then swaps the output in, unless that
/// would orphan Terraform state. Returns how many files each environment has.
fn write<'a>(
    db: &Database,
    project: Project,
    selected: &[&'a String],
    every: bool,
    name: &str,
    out: &Path,
) -> Result<Vec<(&'a str, usize)>, Refusal> {
    let mut staging = Staging::begin(out, Writer::Build)?;
    let mut counts = Vec::new();
    for env in selected {
        let mut files = 0;
        let mut outline = BTreeMap::new();
        if let Some(id) = plat_compiler::resolve::environment_named(db, project, env) {
            let lifecycle = plat_compiler::resolve::environment_lifecycle(db, id);
            if let Some(resolved) = plat_compiler::resolve::environment_model(db, id) {
                bundle::environment_in_parts(db, &resolved, &lifecycle, name, &mut |part| {
                    files += part.len();
                    outline.extend(diff::outline_of_artifacts(&part));
                    let mut tree = Tree::default();
                    for artifact in part {
                        tree.insert(format!("{env}/{}", artifact.path), artifact.contents);
                    }
                    staging.add(&tree)
                })?;
            }
        }
        refuse_orphans(out, env, outline)?;
        counts.push((env.as_str(), files));
    }
    if every {
        // Environments gone from the sources leave the output with all their roots.
        for gone in built_environments(out)
            .into_iter()
            .filter(|env| !selected.contains(&env))
        {
            refuse_orphans(out, &gone, BTreeMap::new())?;
        }
    }
    let kept_state: Vec<PathBuf> = staging
        .carried()
        .iter()
        .filter(|path| holds_state(path))
        .map(|path| out.join(path))
        .collect();
    for note in staging.finish()? {
        eprintln!("{note}");
    }
    for state in kept_state {
        eprintln!(
            "warning: `{}` holds Terraform state that an earlier plat kept inside the build \
             output, where deleting the output loses it; no root module reads it any more (an \
             environment names its backend now)\nhelp: push it into the backend and move it out \
             of the output: see \"Moving state out of an output\" in docs/commands.md",
            state.display()
        );
    }
    Ok(counts)
}

/// Refuses to replace the output's environment `env` when that would drop a root
/// module that still creates something: its state would be left with nothing to
/// destroy what it holds (what `plat diff` calls orphaning).
fn refuse_orphans(out: &Path, env: &str, new: BTreeMap<String, String>) -> Result<(), Refusal> {
    let Some(old) = diff::outline_of_directory(&out.join(env)) else {
        return Ok(());
    };
    let orphaned = diff::orphaned(env, old, new);
    if orphaned.is_empty() {
        return Ok(());
    }
    Err(Refusal::Orphans(format!(
        "refusing to replace the environment `{env}` in `{}`:\n{}\nhelp: keep what the sources \
         dropped, with `removed = true`, until `terraform apply` of its root module has destroyed \
         what it provisioned (`plat diff` shows it); if that is done already, or its state was \
         moved, delete the root module's directory from the output yourself and build again",
        out.display(),
        orphaned
            .iter()
            .map(|message| format!("  {message}"))
            .collect::<Vec<_>>()
            .join("\n")
    )))
}

/// The environments an earlier build wrote into `out`: its directories with a
/// `manifest.json`.
fn built_environments(out: &Path) -> Vec<String> {
    crate::files::subdirectories(out)
        .into_iter()
        .filter(|name| out.join(name).join("manifest.json").is_file())
        .collect()
}

/// Whether a path that an earlier output held, and the build carried, is Terraform
/// state: the `.state` directory of an earlier plat, or a `*.tfstate` file.
fn holds_state(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        let name = name.to_string_lossy();
        name == ".state" || name.ends_with(".tfstate")
    })
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
