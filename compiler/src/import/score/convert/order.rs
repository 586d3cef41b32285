//! Score's `before`: the containers that must have started, become healthy or
//! completed before another starts, as init containers and native sidecars.
//!
//! Invariants: a container that some `before` names with `ready: complete` becomes an
//! `init_container`; one named only with `started` or `healthy` a `sidecar` (healthy:
//! it is started once its readiness probe, as its `startup` probe, succeeds); the
//! others stay containers. Init containers and sidecars are written first, in an order
//! that respects every `before` (the Score file's order among those it leaves free),
//! then the containers in the file's order. A `before` that names no container of the
//! workload, or a cycle of them, is refused (E0805) at its key; nothing else is read
//! here. Linear in the number of containers and `before` entries.

use std::collections::BTreeSet;

use super::Converter;
use crate::import::score::plat::ContainerKind;
use crate::import::score::yaml::{Key, Node};

/// What a container becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Role {
    pub(super) kind: ContainerKind,
    /// A sidecar that must be healthy before what comes after it starts.
    pub(super) healthy: bool,
}

/// How strongly a `before` entry asks for a container: started < healthy < complete.
fn strength(ready: &str) -> u8 {
    match ready {
        "complete" => 3,
        "healthy" => 2,
        _ => 1,
    }
}

impl Converter<'_> {
    /// Each container's role, and the order to write them in (indices into
    /// `containers`); `None` when a `before` is refused.
    pub(super) fn start_order(
        &mut self,
        containers: &[(Key, Node)],
    ) -> Option<(Vec<Role>, Vec<usize>)> {
        let count = containers.len();
        let mut asked = vec![0u8; count];
        // after[i]: the containers that must start before container i.
        let mut after: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut refused = false;
        for (index, (_, node)) in containers.iter().enumerate() {
            let Some(before) = node.get("before") else {
                continue;
            };
            for (name, entry) in before.entries() {
                let Some(other) = containers.iter().position(|(key, _)| key.text == name.text)
                else {
                    self.unsupported(
                        name.range,
                        format!(
                            "`before` names `{}`, which is not a container of this workload",
                            name.text
                        ),
                        "name a container of the workload's `containers`",
                    );
                    refused = true;
                    continue;
                };
                let ready = entry
                    .get("ready")
                    .and_then(Node::as_str)
                    .unwrap_or("started");
                asked[other] = asked[other].max(strength(ready));
                after[index].push(other);
            }
        }
        if refused {
            return None;
        }
        let roles: Vec<Role> = asked
            .iter()
            .map(|asked| match asked {
                0 => Role {
                    kind: ContainerKind::Main,
                    healthy: false,
                },
                3 => Role {
                    kind: ContainerKind::Init,
                    healthy: false,
                },
                strength => Role {
                    kind: ContainerKind::Sidecar,
                    healthy: *strength == 2,
                },
            })
            .collect();
        let order = self.topological(containers, &roles, &after)?;
        Some((roles, order))
    }

    /// The init containers and sidecars in an order that respects `after` (the file's
    /// order where it leaves a choice), then the containers; `None` on a cycle.
    fn topological(
        &mut self,
        containers: &[(Key, Node)],
        roles: &[Role],
        after: &[Vec<usize>],
    ) -> Option<Vec<usize>> {
        let starting: Vec<usize> = (0..containers.len())
            .filter(|index| roles[*index].kind != ContainerKind::Main)
            .collect();
        let mut waiting: Vec<usize> = vec![0; containers.len()];
        let mut unblocks: Vec<Vec<usize>> = vec![Vec::new(); containers.len()];
        for &index in &starting {
            for &first in &after[index] {
                waiting[index] += 1;
                unblocks[first].push(index);
            }
        }
        let mut ready: BTreeSet<usize> = starting
            .iter()
            .copied()
            .filter(|index| waiting[*index] == 0)
            .collect();
        let mut order = Vec::with_capacity(containers.len());
        while let Some(next) = ready.pop_first() {
            order.push(next);
            for &unblocked in &unblocks[next] {
                waiting[unblocked] -= 1;
                if waiting[unblocked] == 0 {
                    ready.insert(unblocked);
                }
            }
        }
        if order.len() < starting.len() {
            let stuck = starting
                .iter()
                .copied()
                .find(|index| !order.contains(index))
                .unwrap_or(0);
            let (key, _) = &containers[stuck];
            self.unsupported(
                key.range,
                format!(
                    "the `before` of the containers form a cycle through `{}`",
                    key.text
                ),
                "a container cannot start before one that starts after it: remove one `before`",
            );
            return None;
        }
        order.extend(
            (0..containers.len()).filter(|index| roles[*index].kind == ContainerKind::Main),
        );
        Some(order)
    }
}
