//! Ordering things that read each other: instances whose params read the outputs of
//! their siblings are resolved after those siblings.
//!
//! Invariant: [`dependency_order`] returns every index exactly once; each comes after
//! the ones it depends on unless they depend on it in turn (a cycle, which is broken
//! at the back edge); ties keep the given order. It is iterative, so deep chains do not
//! grow the stack.

/// The indices `0..deps.len()` ordered so that each comes after its dependencies.
pub(crate) fn dependency_order(deps: &[Vec<usize>]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; deps.len()];
    let mut order = Vec::with_capacity(deps.len());
    for root in 0..deps.len() {
        if state[root] != State::New {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = State::Open;
        while let Some((node, next)) = stack.pop() {
            let children = deps.get(node).map(Vec::as_slice).unwrap_or_default();
            match children.get(next) {
                Some(&child) => {
                    stack.push((node, next + 1));
                    if child < deps.len() && state[child] == State::New {
                        state[child] = State::Open;
                        stack.push((child, 0));
                    }
                }
                None => {
                    state[node] = State::Done;
                    order.push(node);
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_first_and_ties_keep_their_order() {
        assert_eq!(dependency_order(&[vec![], vec![], vec![]]), vec![0, 1, 2]);
        assert_eq!(dependency_order(&[vec![2], vec![], vec![1]]), vec![1, 2, 0]);
    }

    #[test]
    fn cycles_and_bad_indices_do_not_stop_it() {
        let order = dependency_order(&[vec![1], vec![0], vec![7]]);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2]);
    }
}

/// One instance reading a sibling's outputs: `from` reads `to` at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    pub from: usize,
    pub to: usize,
    pub at: crate::diagnostic::Label,
}

/// The settings of one sibling, as written in one place: the file, the declaration's
/// expressions, and the settings.
pub(crate) type Settings<'a, 'db> = (
    crate::source::SourceFile,
    &'a crate::lowered::Exprs<'db>,
    &'a [crate::lowered::Setting<'db>],
);

/// The reads between sibling instances named `names`: for each, every reference to a
/// sibling in the settings of its params.
pub(crate) fn sibling_reads(
    db: &dyn crate::source::Db,
    names: &[&str],
    bodies: &[Vec<Settings<'_, '_>>],
) -> Vec<Read> {
    let position: std::collections::BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(at, name)| (*name, at))
        .collect();
    let mut reads = Vec::new();
    for (from, bodies) in bodies.iter().enumerate() {
        for (file, exprs, settings) in bodies {
            for setting in *settings {
                let mut found = Vec::new();
                exprs.roots(setting.value, &mut found);
                for (name, range) in found {
                    if let Some(&to) = position.get(name.text(db).as_str()) {
                        let at = crate::diagnostic::Label::new(*file, range);
                        reads.push(Read { from, to, at });
                    }
                }
            }
        }
    }
    reads
}

/// The order in which `count` siblings are resolved, given their reads.
pub(crate) fn read_order(count: usize, reads: &[Read]) -> Vec<usize> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); count];
    for read in reads {
        if let Some(list) = deps.get_mut(read.from)
            && !list.contains(&read.to)
        {
            list.push(read.to);
        }
    }
    dependency_order(&deps)
}
