//! The graph as JSON, for tools.
//!
//! Invariants: the shape is stable and documented in `docs/graph.md`: an object with
//! `environment`, `nodes` and `edges`; every node has the keys `id`, `kind`, `name`,
//! `offering`, `version`, `implementation`, `provisioner`, `owner`, `application`,
//! `stateful`, `protected` (null where they do not apply) and `removed`; every edge has
//! `from`, `to`, `kind` and `name`. Keys are sorted and
//! the text ends with a newline.

use serde_json::{Value, json};

use crate::graph::build::ResourceGraph;

/// The graph as pretty-printed JSON.
pub fn render(graph: &ResourceGraph) -> String {
    let nodes: Vec<Value> = graph
        .nodes()
        .map(|node| {
            json!({
                "id": node.id,
                "kind": node.kind.as_str(),
                "name": node.name,
                "offering": node.offering,
                "version": node.version,
                "implementation": node.implementation,
                "provisioner": node.provisioner,
                "owner": node.owner,
                "application": node.application,
                "stateful": node.stateful,
                "protected": node.protected,
                "removed": node.removed,
            })
        })
        .collect();
    let edges: Vec<Value> = graph
        .edges()
        .map(|(from, to, edge)| {
            json!({
                "from": from.id,
                "to": to.id,
                "kind": edge.kind.as_str(),
                "name": edge.name,
            })
        })
        .collect();
    let document = json!({
        "environment": graph.environment,
        "nodes": nodes,
        "edges": edges,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
