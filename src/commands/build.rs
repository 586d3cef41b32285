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

use plat_compiler::diagnostic::{Diagnostic, Label};
use plat_compiler::emit::{self, Artifact};
use plat_compiler::resolve::model::ResolvedEnvironment;
use plat_compiler::source::Database;
use rayon::prelude::*;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::Status;
use crate::cli::Format;
use crate::output::{self, Tree};
use crate::report::Report;

/// The manifest of each environment's artefacts.
const MANIFEST: &str = "manifest.json";
/// The resolved graph of each environment.
const GRAPH: &str = "graph.json";

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
    let mut diagnostics: Vec<Diagnostic> =
        plat_compiler::check::check_project(&db, loaded.project).clone();
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let resolved = plat_compiler::resolve::resolve_project(&db, loaded.project);
        for diagnostic in &resolved.diagnostics {
            if !diagnostics.contains(diagnostic) {
                diagnostics.push(diagnostic.clone());
            }
        }
    }
    if !diagnostics.is_empty() {
        report.print(Format::Human, &diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!("error: not building `{}`: it has errors", loaded.name);
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
        loaded.name,
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
        .map(|(env, db)| environment_artifacts(&db, env, project))
        .collect()
}

/// Every artefact of one environment, its manifest included, sorted by path.
fn environment_artifacts(db: &Database, env: &ResolvedEnvironment, project: &str) -> Vec<Artifact> {
    let locate = |label: &Label| emit::source_location(db, label);
    let mut artifacts = emit::kubernetes::emit(env, project, &locate);
    artifacts.extend(emit::terraform::emit(env, project));
    artifacts.push(graph(env));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(env, project, &artifacts, &locate);
    artifacts.push(manifest);
    artifacts
}

/// `graph.json`: the resolved graph (it holds no values, so no secret).
fn graph(env: &ResolvedEnvironment) -> Artifact {
    let graph = plat_compiler::graph::ResourceGraph::of(env);
    Artifact {
        path: GRAPH.to_string(),
        contents: plat_compiler::graph::json::render(&graph),
        source: Some(env.source.clone()),
    }
}

/// `manifest.json`: every artefact with its sha256 and the source that produced it.
fn manifest(
    env: &ResolvedEnvironment,
    project: &str,
    artifacts: &[Artifact],
    locate: &dyn Fn(&Label) -> String,
) -> Artifact {
    let hashes: Vec<String> = artifacts
        .par_iter()
        .map(|artifact| sha256(artifact.contents.as_bytes()))
        .collect();
    let entries: Vec<Json> = artifacts
        .iter()
        .zip(hashes)
        .map(|(artifact, hash)| {
            Json::Object(Map::from_iter([
                ("path".to_string(), Json::String(artifact.path.clone())),
                ("sha256".to_string(), Json::String(hash)),
                (
                    "source".to_string(),
                    artifact
                        .source
                        .as_ref()
                        .map(|label| Json::String(locate(label)))
                        .unwrap_or(Json::Null),
                ),
            ]))
        })
        .collect();
    let document = Json::Object(Map::from_iter([
        ("artifacts".to_string(), Json::Array(entries)),
        ("environment".to_string(), Json::String(env.name.clone())),
        ("project".to_string(), Json::String(project.to_string())),
    ]));
    // Serialising a `serde_json::Value` cannot fail.
    let mut contents = serde_json::to_string_pretty(&document).unwrap_or_default();
    contents.push('\n');
    Artifact {
        path: MANIFEST.to_string(),
        contents,
        source: Some(env.source.clone()),
    }
}

/// The sha256 of `bytes`, as lowercase hex.
fn sha256(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
