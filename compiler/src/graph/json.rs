//! The graph as JSON, for tools.
//!
//! Invariants: the shape is stable and documented in `docs/graph.md`: an object with
//! `environment`, `nodes` and `edges`; every node has the keys `id`, `kind`, `name`,
//! `offering`, `version`, `implementation`, `provisioner`, `owner`, `application`,
//! `stateful`, `protected` (null where they do not apply) and `removed`; every edge has
//! `from`, `to`, `kind` and `name`. Keys are sorted and
//! the text ends with a newline.

use serde::Serialize;

use crate::graph::build::ResourceGraph;

/// The document, its fields in the order of their keys: serialised as it is read,
/// without a tree of JSON values in between.
#[derive(Serialize)]
struct Document<'a> {
    edges: Vec<EdgeRecord<'a>>,
    environment: &'a str,
    nodes: Vec<NodeRecord<'a>>,
}

#[derive(Serialize)]
struct NodeRecord<'a> {
    application: Option<&'a str>,
    id: &'a str,
    implementation: Option<&'a str>,
    kind: &'a str,
    name: &'a str,
    offering: Option<&'a str>,
    owner: Option<&'a str>,
    protected: Option<bool>,
    provisioner: Option<&'a str>,
    removed: bool,
    stateful: Option<bool>,
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct EdgeRecord<'a> {
    from: &'a str,
    kind: &'a str,
    name: Option<&'a str>,
    to: &'a str,
}

/// The graph as pretty-printed JSON.
pub fn render(graph: &ResourceGraph) -> String {
    let nodes = graph
        .nodes()
        .map(|node| NodeRecord {
            application: node.application.as_deref(),
            id: &node.id,
            implementation: node.implementation.as_deref(),
            kind: node.kind.as_str(),
            name: &node.name,
            offering: node.offering.as_deref(),
            owner: node.owner.as_deref(),
            protected: node.protected,
            provisioner: node.provisioner,
            removed: node.removed,
            stateful: node.stateful,
            version: node.version.as_deref(),
        })
        .collect();
    let edges = graph
        .edges()
        .map(|(from, to, edge)| EdgeRecord {
            from: &from.id,
            kind: edge.kind.as_str(),
            name: edge.name.as_deref(),
            to: &to.id,
        })
        .collect();
    let document = Document {
        edges,
        environment: &graph.environment,
        nodes,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
