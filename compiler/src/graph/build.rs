//! Building the graph of one resolved environment, and the query that builds them
//! all.
//!
//! Invariants: node ids are unique and say what a node is (`workload:checkout-api`,
//! `instance:checkout-api.db`); the workloads of other applications that workloads of
//! the project call are nodes too, with their application; a workload has a `uses` edge to every instance it binds
//! (labelled with the resource's local name), an instance a `needs` edge to every
//! instance its implementation needs, a workload a `calls` edge to every workload it
//! calls; an edge to something the environment does not have is left out. What the
//! sources remove is in the graph too, marked `removed`. Nodes and edges are in a fixed
//! order.

use std::collections::BTreeMap;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::resolve::model::{Instance, Lifecycle, Owner, Provisioning, ResolvedEnvironment};
use crate::source::{Db, Project};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Workload,
    Instance,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Workload => "workload",
            NodeKind::Instance => "instance",
        }
    }
}

/// A workload or a resource instance; holds names only, never values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node {
    /// `workload:NAME` or `instance:ID`.
    pub id: String,
    pub kind: NodeKind,
    /// The workload's name or the instance's id.
    pub name: String,
    /// Instances only: the offering, its version, the implementation and how it is
    /// provisioned (`terraform`, `kubernetes`, `existing`, `ingress`, `http_route`).
    pub offering: Option<String>,
    pub version: Option<String>,
    pub implementation: Option<String>,
    pub provisioner: Option<&'static str>,
    /// Instances only: the id of the workload node that owns it; `None` for the
    /// environment's shared instances.
    pub owner: Option<String>,
    /// Workloads of another application only (that a workload of this one calls): the
    /// application's name.
    pub application: Option<String>,
    /// Instances only: whether its offering keeps data, and whether it is protected
    /// from destruction (`protect = true`).
    pub stateful: Option<bool>,
    pub protected: Option<bool>,
    /// Whether the sources remove it (`removed = true`): it is destroyed, not run.
    pub removed: bool,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A workload binds an instance.
    Uses,
    /// An instance's implementation needs another instance.
    Needs,
    /// A workload calls another.
    Calls,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Uses => "uses",
            EdgeKind::Needs => "needs",
            EdgeKind::Calls => "calls",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edge {
    pub kind: EdgeKind,
    /// `uses`: the resource's local name in the workload (`db`); `needs`: the
    /// instance's name in the implementation (`network`).
    pub name: Option<String>,
}

/// The graph of one environment.
#[derive(Debug, Clone)]
pub struct ResourceGraph {
    pub environment: String,
    pub graph: DiGraph<Node, Edge>,
}

impl PartialEq for ResourceGraph {
    fn eq(&self, other: &Self) -> bool {
        self.environment == other.environment
            && self.graph.node_weights().eq(other.graph.node_weights())
            && self.edges().eq(other.edges())
    }
}

impl Eq for ResourceGraph {}

impl ResourceGraph {
    /// The graph of a resolved environment: what runs, and what `lifecycle` says the
    /// sources remove (marked `removed`).
    pub fn of(environment: &ResolvedEnvironment, lifecycle: &Lifecycle) -> ResourceGraph {
        let mut graph = DiGraph::new();
        let mut index: BTreeMap<NodeKey<'_>, NodeIndex> = BTreeMap::new();
        let workloads = environment
            .workloads
            .iter()
            .map(|workload| (workload, false))
            .chain(lifecycle.removed_workloads.iter().map(|w| (w, true)));
        let mut workloads: Vec<_> = workloads.collect();
        workloads.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        for (workload, removed) in &workloads {
            let mut node = workload_node(&workload.name, None);
            node.removed = *removed;
            index.insert((NodeKind::Workload, &workload.name), graph.add_node(node));
        }
        for remote in &environment.remote_workloads {
            index
                .entry((NodeKind::Workload, &remote.workload.name))
                .or_insert_with(|| {
                    graph.add_node(workload_node(
                        &remote.workload.name,
                        Some(&remote.application),
                    ))
                });
        }
        let mut instances: Vec<(&Arc<Instance>, bool)> = environment
            .instances
            .iter()
            .map(|instance| (instance, false))
            .chain(lifecycle.removed_instances.iter().map(|i| (i, true)))
            .collect();
        instances.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        for (instance, removed) in &instances {
            let node = Node {
                id: instance_id(&instance.id),
                kind: NodeKind::Instance,
                name: instance.id.to_string(),
                offering: Some(instance.offering.clone()),
                version: Some(instance.offering_version.clone()),
                implementation: Some(instance.implementation.clone()),
                provisioner: Some(provisioner(&instance.provisioning)),
                owner: match &instance.owner {
                    Owner::Environment => None,
                    Owner::Workload(name) => Some(workload_id(name)),
                },
                application: None,
                stateful: Some(lifecycle.is_stateful(&instance.id)),
                protected: Some(lifecycle.is_protected(&instance.id)),
                removed: *removed,
            };
            index.insert((NodeKind::Instance, &instance.id), graph.add_node(node));
        }
        // An edge to something the environment does not have is left out.
        let mut edges: Vec<(NodeIndex, NodeIndex, Edge)> = Vec::new();
        let mut link = |from: NodeKey<'_>, to: NodeKey<'_>, weight: Edge| {
            if let (Some(&from), Some(&to)) = (index.get(&from), index.get(&to)) {
                edges.push((from, to, weight));
            }
        };
        for (workload, _) in &workloads {
            let from = (NodeKind::Workload, workload.name.as_str());
            for (local, id) in &workload.resources {
                let to = (NodeKind::Instance, id.as_str());
                link(from, to, edge(EdgeKind::Uses, Some(local)));
            }
            for called in &workload.calls {
                let to = (NodeKind::Workload, called.as_str());
                link(from, to, edge(EdgeKind::Calls, None));
            }
        }
        for (instance, _) in &instances {
            let from = (NodeKind::Instance, instance.id.as_str());
            for needed in &instance.needs {
                let name = needed.name_in(&instance.id);
                link(
                    from,
                    (NodeKind::Instance, needed),
                    edge(EdgeKind::Needs, name),
                );
            }
        }
        // In the order of the nodes' ids (`instance:...` before `workload:...`).
        edges.sort_by(|a, b| {
            let key = |(from, to, weight): &(NodeIndex, NodeIndex, Edge)| {
                (&graph[*from].id, &graph[*to].id, weight.kind)
            };
            key(a).cmp(&key(b))
        });
        edges.dedup();
        for (from, to, weight) in edges {
            graph.add_edge(from, to, weight);
        }
        ResourceGraph {
            environment: environment.name.clone(),
            graph,
        }
    }

    /// The nodes, in order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.graph.node_weights()
    }

    /// The edges, in order, as `(from, to, edge)`.
    pub fn edges(&self) -> impl Iterator<Item = (&Node, &Node, &Edge)> {
        self.graph.edge_references().map(|edge| {
            (
                &self.graph[edge.source()],
                &self.graph[edge.target()],
                edge.weight(),
            )
        })
    }
}

/// How a node is found while the graph is built: its kind, and the workload's name or
/// the instance's id.
type NodeKey<'a> = (NodeKind, &'a str);

/// The id of a workload's node.
pub(crate) fn workload_id(name: &str) -> String {
    format!("workload:{name}")
}

/// The id of an instance's node.
pub(crate) fn instance_id(id: &str) -> String {
    format!("instance:{id}")
}

fn workload_node(name: &str, application: Option<&str>) -> Node {
    Node {
        id: workload_id(name),
        kind: NodeKind::Workload,
        name: name.to_string(),
        offering: None,
        version: None,
        implementation: None,
        provisioner: None,
        owner: None,
        application: application.map(str::to_string),
        stateful: None,
        protected: None,
        removed: false,
    }
}

fn edge(kind: EdgeKind, name: Option<&str>) -> Edge {
    Edge {
        kind,
        name: name.map(str::to_string),
    }
}

fn provisioner(provisioning: &Provisioning) -> &'static str {
    match provisioning {
        Provisioning::Terraform(_) => "terraform",
        Provisioning::Kubernetes(_) => "kubernetes",
        Provisioning::Existing => "existing",
        Provisioning::Ingress(_) => "ingress",
        Provisioning::GatewayRoute(_) => "http_route",
    }
}

/// The graph of every environment of the project, sorted by environment name.
#[salsa::tracked(returns(ref))]
pub fn project_graphs(db: &dyn Db, project: Project) -> Vec<ResourceGraph> {
    crate::resolve::resolve_project(db, project)
        .with_lifecycles()
        .map(|(env, lifecycle)| ResourceGraph::of(env, lifecycle))
        .collect()
}

/// The graph of the environment `name`, if the project has it.
pub fn environment_graph<'db>(
    db: &'db dyn Db,
    project: Project,
    name: &str,
) -> Option<&'db ResourceGraph> {
    project_graphs(db, project)
        .iter()
        .find(|graph| graph.environment == name)
}
