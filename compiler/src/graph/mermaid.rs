//! The graph as a Mermaid flowchart, for Markdown that GitHub and GitLab render.
//!
//! Invariants: node ids are `n0`, `n1`, … in node order (Mermaid ids must be plain
//! words); labels are quoted with `"` written as `#quot;` and `<`, `>` as entities, so
//! no name breaks the chart; `calls` edges are dotted and `needs` edges thick. The text
//! ends with a newline.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::graph::build::{EdgeKind, NodeKind, ResourceGraph};

/// The graph as a Mermaid `flowchart`.
pub fn render(graph: &ResourceGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (at, node) in graph.nodes().enumerate() {
        let id = format!("n{at}");
        let line = match node.kind {
            NodeKind::Workload => format!("  {id}[\"{}\"]", escape(&node.name)),
            NodeKind::Instance => format!(
                "  {id}[(\"{}<br/>{} · {}\")]",
                escape(&node.name),
                escape(node.offering.as_deref().unwrap_or_default()),
                escape(node.implementation.as_deref().unwrap_or_default())
            ),
        };
        let _ = writeln!(out, "{line}");
        ids.insert(node.id.as_str(), id);
    }
    for (from, to, edge) in graph.edges() {
        let (Some(from), Some(to)) = (ids.get(from.id.as_str()), ids.get(to.id.as_str())) else {
            continue;
        };
        let arrow = match edge.kind {
            EdgeKind::Uses => "-->",
            EdgeKind::Needs => "==>",
            EdgeKind::Calls => "-.->",
        };
        let label = edge.name.as_deref().unwrap_or(edge.kind.as_str());
        let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", escape(label));
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', " ")
}
