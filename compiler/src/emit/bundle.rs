//! A whole build of one resolved environment: every artefact, `graph.json` and
//! `manifest.json` included.
//!
//! This is what `plat build` writes, part after part as it is rendered
//! ([`environment_in_parts`]); tests and fuzzing take it whole ([`environment`]), so
//! that the command line, tests and fuzzing build through one path.
//!
//! Invariants: nothing here reads or writes a file; [`environment`] is sorted by path
//! with `manifest.json` last, the parts hold the same artefacts, and the same
//! environment always gives the same bytes.

use super::{Artifact, Sha256};
use crate::diagnostic::Label;
use crate::resolve::model::{Lifecycle, ResolvedEnvironment};
use crate::source::Db;

/// The manifest of each environment's artefacts.
pub const MANIFEST: &str = "manifest.json";
/// The resolved graph of each environment.
pub const GRAPH: &str = "graph.json";

/// Every artefact of one environment, its manifest included, sorted by path with the
/// manifest last. `lifecycle` says what the sources remove (its Terraform stays, to
/// destroy it) and protect.
pub fn environment(
    db: &dyn Db,
    env: &ResolvedEnvironment,
    lifecycle: &Lifecycle,
    project: &str,
) -> Vec<Artifact> {
    let mut artifacts: Vec<Artifact> =
        super::gathered(|sink| environment_in_parts(db, env, lifecycle, project, sink))
            .into_iter()
            .map(|(artifact, _)| artifact)
            .collect();
    // The manifest comes last; every other artefact by path.
    if let Some(manifest) = artifacts.pop() {
        artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        artifacts.push(manifest);
    }
    artifacts
}

/// The artefacts of [`environment`], each with its sha256 (the one the manifest lists),
/// handed to `sink` in parts as they are rendered, in no particular order but for the
/// manifest, which comes last and alone: a build writes each part and drops it, so that
/// the text of a whole environment is never held at once. Stops at the first error of
/// `sink`.
pub fn environment_in_parts<E>(
    db: &dyn Db,
    env: &ResolvedEnvironment,
    lifecycle: &Lifecycle,
    project: &str,
    sink: &mut dyn FnMut(Vec<(Artifact, Sha256)>) -> Result<(), E>,
) -> Result<(), E> {
    let places = super::Places::of(db, env);
    let locate = |label: &Label| places.locate(label);
    let mut entries = Vec::new();
    let mut hand_on = |part: Vec<Artifact>| {
        let hashed = hashed(part);
        entries.extend(entries_of(&hashed, &locate));
        sink(hashed)
    };
    super::kubernetes::emit_in_parts(env, project, &locate, &mut hand_on)?;
    super::terraform::emit_in_parts(env, lifecycle, project, &mut hand_on)?;
    hand_on(vec![graph(env, lifecycle)])?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(env, project, &entries);
    drop(entries);
    sink(hashed(vec![manifest]))
}

/// `graph.json`: the resolved graph (it holds no values, so no secret).
fn graph(env: &ResolvedEnvironment, lifecycle: &Lifecycle) -> Artifact {
    let graph = crate::graph::ResourceGraph::of(env, lifecycle);
    Artifact {
        path: GRAPH.to_string(),
        contents: crate::graph::json::render(&graph),
        source: Some(env.source.clone()),
    }
}

/// What the manifest says of one artefact; its fields in key order, as JSON writes them.
#[derive(serde::Serialize)]
struct Entry {
    path: String,
    sha256: Sha256,
    /// Where its source is, when it has one.
    source: Option<String>,
}

/// `manifest.json`, its fields in key order.
#[derive(serde::Serialize)]
struct Manifest<'a> {
    artifacts: &'a [Entry],
    environment: &'a str,
    project: &'a str,
}

/// `artifacts` with their sha256, hashed in parallel.
fn hashed(artifacts: Vec<Artifact>) -> Vec<(Artifact, Sha256)> {
    use rayon::prelude::*;
    artifacts
        .into_par_iter()
        .map(|artifact| {
            let sha256 = Sha256::of(artifact.contents.as_bytes());
            (artifact, sha256)
        })
        .collect()
}

/// The manifest's entries of `artifacts`.
fn entries_of(artifacts: &[(Artifact, Sha256)], locate: &dyn Fn(&Label) -> String) -> Vec<Entry> {
    artifacts
        .iter()
        .map(|(artifact, sha256)| Entry {
            path: artifact.path.clone(),
            sha256: *sha256,
            source: artifact.source.as_ref().map(locate),
        })
        .collect()
}

/// `manifest.json`: every artefact with its sha256 and the source that produced it,
/// from `entries` sorted by path.
fn manifest(env: &ResolvedEnvironment, project: &str, entries: &[Entry]) -> Artifact {
    let document = Manifest {
        artifacts: entries,
        environment: &env.name,
        project,
    };
    // Serialising strings and sequences of them cannot fail.
    let mut contents = serde_json::to_string_pretty(&document).unwrap_or_default();
    contents.push('\n');
    Artifact {
        path: MANIFEST.to_string(),
        contents,
        source: Some(env.source.clone()),
    }
}
