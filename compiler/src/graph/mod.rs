//! The resource graph of an environment: workloads and resource instances, and the
//! edges between them, as a petgraph graph, rendered as JSON, DOT or Mermaid.
//!
//! Invariants: the graph is built only from the resolved model
//! ([`crate::resolve::model::ResolvedEnvironment`]) and holds no values at all (no
//! params, no outputs, no environment variables), so a secret can never appear in it;
//! nodes are added in a fixed order (workloads by name, then instances by id) and
//! edges sorted, so every rendering is byte-identical across runs. The layer is split
//! by concept: [`build`] (the graph and its query), [`json`], [`dot`], [`mermaid`].

pub(crate) mod build;
pub mod dot;
pub mod json;
pub mod mermaid;

pub use build::{Edge, EdgeKind, Node, NodeKind, ResourceGraph, environment_graph, project_graphs};
