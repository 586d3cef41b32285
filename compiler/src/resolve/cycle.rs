//! Dependency cycles (E0604): between offerings, through the instances their
//! implementations need; and between resources, through params that read each other's
//! outputs. These are orders of provisioning; calls between workloads are not (two
//! services that call each other both start, and find each other by name), so they
//! are never a cycle.
//!
//! Invariants: a cycle is reported once, with every hop (up to [`MAX_HOPS_SHOWN`]): the primary label at the
//! first hop and a secondary label at each other one, each at the place that makes the
//! hop (the instance an implementation needs, the reference to another resource). The cycle is rotated to start at its smallest name, so the
//! same cycle found from different places, or in different environments, gives the
//! same diagnostic (which the project's check then keeps once). Of a strongly connected
//! tangle, the shortest cycle through its smallest name is reported.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::resolve::order::Read;

/// How many steps of a cycle are named and labelled; a longer cycle (only hostile or
/// generated input has one) is cut short with the count of its steps.
pub(crate) const MAX_HOPS_SHOWN: usize = 32;

/// One offering being instantiated, for finding cycles.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) key: crate::resolve::context::OfferingKey,
    pub(crate) offering: String,
    pub(crate) implementation: String,
    /// Where the implementation one level up needs this offering.
    pub(crate) hop: Option<Label>,
}

/// One step of a cycle: `from` depends on `to` because of what is at `at`.
#[derive(Debug, Clone)]
struct Hop {
    from: String,
    to: String,
    at: Label,
    says: String,
}

/// The cycles among `names` along `edges` (`from` depends on `to` at a label): for
/// each strongly connected component that has one, the shortest cycle through its
/// smallest name, as `(from, to, label)` steps.
pub(crate) fn find_cycles(
    names: &[&str],
    edges: &[(usize, usize, Label)],
) -> Vec<Vec<(usize, usize, Label)>> {
    let mut graph: DiGraph<usize, Label> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..names.len()).map(|at| graph.add_node(at)).collect();
    for (from, to, label) in edges {
        if let (Some(&a), Some(&b)) = (nodes.get(*from), nodes.get(*to)) {
            graph.add_edge(a, b, label.clone());
        }
    }
    let name = |node: NodeIndex| names.get(graph[node]).copied().unwrap_or_default();
    let mut components: Vec<Vec<NodeIndex>> = kosaraju_scc(&graph)
        .into_iter()
        .filter(|component| {
            component.len() > 1
                || component
                    .first()
                    .is_some_and(|&node| graph.find_edge(node, node).is_some())
        })
        .collect();
    for component in &mut components {
        component.sort_by_key(|&node| (name(node), graph[node]));
    }
    components.sort_by_key(|component| component.first().map(|&node| (name(node), graph[node])));
    components
        .iter()
        .map(|component| shortest_cycle(&graph, component, names))
        .filter(|cycle| !cycle.is_empty())
        .collect()
}

/// The shortest cycle through the first node of a component, breadth first with
/// neighbours in name order.
fn shortest_cycle(
    graph: &DiGraph<usize, Label>,
    component: &[NodeIndex],
    names: &[&str],
) -> Vec<(usize, usize, Label)> {
    let name = |node: NodeIndex| names.get(graph[node]).copied().unwrap_or_default();
    let Some(&start) = component.first() else {
        return Vec::new();
    };
    let inside: BTreeSet<NodeIndex> = component.iter().copied().collect();
    let mut parent: BTreeMap<NodeIndex, (NodeIndex, Label)> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut edges: Vec<(NodeIndex, Label)> = graph
            .edges(node)
            .map(|edge| (edge.target(), edge.weight().clone()))
            .filter(|(target, _)| inside.contains(target))
            .collect();
        edges.sort_by(|(a, x), (b, y)| (name(*a), x.range).cmp(&(name(*b), y.range)));
        for (target, label) in edges {
            if target == start {
                let mut steps = vec![(graph[node], graph[start], label)];
                let mut at = node;
                while at != start {
                    let Some((previous, label)) = parent.get(&at) else {
                        break;
                    };
                    steps.push((graph[*previous], graph[at], label.clone()));
                    at = *previous;
                }
                steps.reverse();
                return steps;
            }
            if seen.insert(target) {
                parent.insert(target, (node, label));
                queue.push_back(target);
            }
        }
    }
    Vec::new()
}

/// The cycles reported so far in one query, so that each is reported once.
#[derive(Default)]
pub(crate) struct Cycles {
    seen: BTreeSet<Vec<String>>,
}

impl Cycles {
    /// E0604 for a cycle between offerings: `frames` are the offerings being
    /// instantiated from the one that is needed again, and `hop` is where the last
    /// one needs the first.
    pub(crate) fn offering_cycle(&mut self, frames: &[Frame], hop: Label) -> Option<Diagnostic> {
        let mut hops = Vec::new();
        for pair in frames.windows(2) {
            let [from, to] = pair else { continue };
            if let Some(at) = &to.hop {
                hops.push(offering_hop(from, &to.offering, at.clone()));
            }
        }
        if let (Some(last), Some(first)) = (frames.last(), frames.first()) {
            hops.push(offering_hop(last, &first.offering, hop));
        }
        let help = "an implementation cannot need, directly or through others, the offering it \
                    implements: remove one of these needs, or `use` another implementation";
        self.report(hops, "offerings", help)
    }

    /// E0604 for every cycle of resources whose params read each other's outputs;
    /// returns the indices of the resources in a cycle.
    pub(crate) fn read_cycles(
        &mut self,
        names: &[&str],
        reads: &[Read],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> BTreeSet<usize> {
        let edges: Vec<(usize, usize, Label)> = reads
            .iter()
            .map(|read| (read.from, read.to, read.at.clone()))
            .collect();
        let mut tangled = BTreeSet::new();
        for cycle in find_cycles(names, &edges) {
            let hops = cycle
                .into_iter()
                .map(|(from, to, at)| {
                    tangled.insert(from);
                    let (from, to) = (name_at(names, from), name_at(names, to));
                    Hop {
                        says: format!("`{from}` reads `{to}` here"),
                        from,
                        to,
                        at,
                    }
                })
                .collect();
            let help = "a resource's parameters cannot read its own outputs, directly or \
                        through other resources: set one of them without the others";
            diagnostics.extend(self.report(hops, "resources", help));
        }
        tangled
    }

    fn report(&mut self, hops: Vec<Hop>, between: &str, help: &str) -> Option<Diagnostic> {
        let hops = rotate(hops);
        let identity: Vec<String> = std::iter::once(between.to_string())
            .chain(hops.iter().map(|hop| format!("{}>{}", hop.from, hop.to)))
            .collect();
        if hops.is_empty() || !self.seen.insert(identity) {
            return None;
        }
        let steps = hops.len();
        let shown = steps.min(MAX_HOPS_SHOWN);
        let mut path: Vec<String> = hops
            .iter()
            .take(shown)
            .map(|hop| format!("`{}`", hop.from))
            .collect();
        if steps > shown {
            path.push(format!("… ({steps} steps in all)"));
        }
        if let Some(first) = hops.first() {
            path.push(format!("`{}`", first.from));
        }
        let mut hops = hops.into_iter().take(shown);
        let first = hops.next()?;
        let help = if steps > shown {
            format!("{help} (the first {shown} of its {steps} steps are labelled)")
        } else {
            help.to_string()
        };
        let mut diagnostic: Diagnostic = located(
            Code::DependencyCycle,
            format!("dependency cycle between {between}: {}", path.join(" → ")),
            first.at,
            first.says,
        )
        .with_help(help);
        for hop in hops {
            diagnostic = diagnostic.with_secondary(hop.at.with_message(hop.says));
        }
        Some(diagnostic)
    }
}

fn name_at(names: &[&str], at: usize) -> String {
    names.get(at).copied().unwrap_or_default().to_string()
}

fn offering_hop(from: &Frame, to: &str, at: Label) -> Hop {
    Hop {
        says: format!(
            "the implementation `{}.{}` needs `{to}` here",
            from.offering, from.implementation
        ),
        from: from.offering.clone(),
        to: to.to_string(),
        at,
    }
}

/// The hops rotated to start at the smallest name.
fn rotate(mut hops: Vec<Hop>) -> Vec<Hop> {
    let start = hops
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| a.from.cmp(&b.from))
        .map_or(0, |(at, _)| at);
    hops.rotate_left(start);
    hops
}
