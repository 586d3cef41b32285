//! The graph in Graphviz's DOT language: `plat graph --format dot | dot -Tsvg`.
//!
//! Invariants: every id and label is a quoted DOT string with `"` and `\` escaped, so
//! any name renders; workloads are boxes, instances cylinders; `calls` edges are
//! dashed and `needs` edges dotted. The text ends with a newline.

use std::fmt::Write;

use crate::graph::build::{EdgeKind, NodeKind, ResourceGraph};

/// The graph as a DOT digraph.
pub fn render(graph: &ResourceGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&graph.environment));
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\"];\n");
    out.push_str("  node [fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for node in graph.nodes() {
        let (label, shape) = match node.kind {
            NodeKind::Workload => (node.name.clone(), "box, style=rounded"),
            NodeKind::Instance => (
                format!(
                    "{}\n{} {}\n{} ({})",
                    node.name,
                    node.offering.as_deref().unwrap_or_default(),
                    node.version.as_deref().unwrap_or_default(),
                    node.implementation.as_deref().unwrap_or_default(),
                    node.provisioner.unwrap_or_default()
                ),
                "cylinder",
            ),
        };
        let _ = writeln!(
            out,
            "  {} [label={}, shape={shape}];",
            quote(&node.id),
            quote(&label)
        );
    }
    for (from, to, edge) in graph.edges() {
        let label = edge.name.as_deref().unwrap_or(edge.kind.as_str());
        let style = match edge.kind {
            EdgeKind::Uses => "",
            EdgeKind::Needs => ", style=dotted",
            EdgeKind::Calls => ", style=dashed",
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            quote(&from.id),
            quote(&to.id),
            quote(label)
        );
    }
    out.push_str("}\n");
    out
}

/// A DOT string: quoted, with `\`, `"` and newlines escaped.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => {}
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}
