//! What would break at run time, judged on one workload in one environment once its
//! values are decided: the checks that a declaration alone cannot make, because an
//! override, an environment or a value computed per environment decides them.
//!
//! Invariants: every check reads the workload as the environment sees it
//! ([`Effective`]) and its resolved values, and nothing of other workloads (a check
//! across workloads is a query of its own in [`crate::resolve::environment`]); each
//! problem is reported at the expression that causes it, with a message that does not
//! name the environment, so that the same problem found in several environments is
//! reported once.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::NameKind;
use crate::resolve::effective::Effective;
use crate::source::{Db, Project};
use crate::span::TextRange;

/// Everything this module finds about `workload`.
pub(crate) fn check(
    db: &dyn Db,
    project: Project,
    workload: &Effective<'_, '_>,
) -> Vec<Diagnostic> {
    addresses_without_calls(db, project, workload)
}

/// E0616 for each workload whose address `workload` reads without calling it: its
/// NetworkPolicy would drop every request. One diagnostic per workload read, at the
/// first place it is read, the others as secondary labels.
fn addresses_without_calls(
    db: &dyn Db,
    project: Project,
    workload: &Effective<'_, '_>,
) -> Vec<Diagnostic> {
    let index = crate::names::project_index(db, project);
    let exprs = workload.exprs();
    let mut locals: BTreeSet<&str> = ["env", "self"].into_iter().collect();
    locals.extend(
        workload
            .resources
            .iter()
            .map(|resource| resource.resource.name.text(db).as_str()),
    );
    let calls: Vec<(&str, TextRange)> = workload
        .fields
        .calls
        .iter()
        .flatten()
        .map(|(name, range)| (name.text(db).as_str(), *range))
        .collect();
    let mut roots = Vec::new();
    for id in workload.expressions() {
        exprs.roots(id, &mut roots);
    }
    let mut uncalled: BTreeMap<&str, Vec<TextRange>> = BTreeMap::new();
    for (name, range) in &roots {
        let name = name.text(db).as_str();
        let is_workload = index
            .project_decl(name)
            .is_some_and(|decl| decl.kind == NameKind::Workload);
        if is_workload && !locals.contains(name) && !calls.iter().any(|(called, _)| *called == name)
        {
            uncalled.entry(name).or_default().push(*range);
        }
    }
    let file = workload.file();
    uncalled
        .into_iter()
        .filter_map(|(name, mut ranges)| {
            ranges.sort();
            ranges.dedup();
            let (first, rest) = ranges.split_first()?;
            let mut diagnostic = Diagnostic::new(
                Code::AddressWithoutCall,
                format!(
                    "`{}` reads the address of `{name}` but does not call it",
                    workload.name()
                ),
                file,
                *first,
            )
            .with_label(format!("`{name}`'s address is read here"))
            .with_help(call_help(db, name, &calls, workload));
            for range in rest {
                diagnostic = diagnostic
                    .with_secondary(Label::new(file, *range).with_message("and here".to_string()));
            }
            if let Some(list) = calls
                .iter()
                .map(|(_, range)| *range)
                .reduce(|a, b| a.cover(b))
            {
                diagnostic = diagnostic
                    .with_secondary(Label::new(file, list).with_message("the workloads it calls"));
            }
            Some(diagnostic)
        })
        .collect()
}

fn call_help(
    db: &dyn Db,
    name: &str,
    calls: &[(&str, TextRange)],
    workload: &Effective<'_, '_>,
) -> String {
    let mut names: Vec<&str> = calls.iter().map(|(called, _)| *called).collect();
    names.push(name);
    let place = match workload.over {
        Some(over) if over.fields.calls.is_some() => {
            format!("the `calls` of `override {}`", over.environment.text(db))
        }
        _ => "`calls`".to_string(),
    };
    format!(
        "add it to {place}: `calls = [{}]`; the workload's NetworkPolicy lets its pods reach \
         only the workloads it calls",
        names.join(", ")
    )
}
