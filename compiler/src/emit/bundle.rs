//! A whole build of one resolved environment, in memory: every artefact, `graph.json`
//! and `manifest.json` included.
//!
//! This is what `plat build` writes, before anything touches the disk, so that the
//! command line, tests and fuzzing build through one path.
//!
//! Invariants: nothing here reads or writes a file; artefacts are sorted by path with
//! `manifest.json` last, and the same environment always gives the same bytes.

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use super::Artifact;
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
    let places = super::Places::of(db, env);
    let locate = |label: &Label| places.locate(label);
    let mut artifacts = super::kubernetes::emit(env, project, &locate);
    artifacts.extend(super::terraform::emit(env, lifecycle, project));
    artifacts.push(graph(env, lifecycle));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest(env, project, &artifacts, &locate);
    artifacts.push(manifest);
    artifacts
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

/// `manifest.json`: every artefact with its sha256 and the source that produced it.
fn manifest(
    env: &ResolvedEnvironment,
    project: &str,
    artifacts: &[Artifact],
    locate: &dyn Fn(&Label) -> String,
) -> Artifact {
    use rayon::prelude::*;
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
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
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
