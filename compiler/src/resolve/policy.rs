//! Policies: the `require` conditions an environment holds its workloads to.
//!
//! Invariants: every policy the environment lists is evaluated for every workload,
//! after the workload's override for the environment, in the scope `workload` (name,
//! replicas, labels, images, image tags, the offerings of its resources) and `env`;
//! each `require` that is false is one E0605 at the workload, with a secondary label at
//! the `require` and its `else` text as the message. A condition that cannot be decided
//! at compile time is not reported.

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::Name;
use crate::names::NameKind;
use crate::resolve::eval::{eval, truth};
use crate::resolve::instance::EnvSettings;
use crate::resolve::model::ResolvedWorkload;
use crate::resolve::scope::{Scope, record};
use crate::resolve::value::Value;
use crate::source::{Db, Project, SourceFile};
use crate::span::TextRange;

/// The tag of an image reference: `1.4.2` for `ghcr.io/acme/api:1.4.2`, the digest
/// for `api@sha256:...`, and `latest` when it has neither (what a registry serves).
pub(crate) fn image_tag(image: &str) -> String {
    if let Some((_, digest)) = image.split_once('@') {
        return digest.to_string();
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag.to_string(),
        _ => "latest".to_string(),
    }
}

/// E0605 for each `require` of the listed `policies` that `workload` does not satisfy
/// in the environment `env`; `offering_of` gives the offering of an instance id.
pub(crate) fn check_policies(
    db: &dyn Db,
    project: Project,
    env_file: SourceFile,
    env: &EnvSettings,
    policies: &[(Name<'_>, TextRange)],
    workload: &ResolvedWorkload,
    offering_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let index = crate::names::project_index(db, project);
    let scope = crate::names::file_scope(db, project, env_file);
    // A policy is named in the environment's namespace: the project's, or its platform's.
    let resolver = crate::names::Resolver::new(db, env_file, index, scope);
    for (policy, _) in policies {
        let policy = policy.text(db);
        let Some(found) = resolver
            .lookup(policy)
            .filter(|found| found.decl.kind == NameKind::Policy)
        else {
            continue;
        };
        let decl = found.decl;
        let Some(lowered) = crate::lowered::lowered_file(db, project, decl.file).policy(decl)
        else {
            continue;
        };
        let mut scope = Scope::new();
        scope.bind("workload", workload_record(workload, offering_of));
        scope.bind("env", env.value.clone());
        for require in &lowered.requires {
            if truth(&eval(db, &scope, &lowered.exprs, require.condition)) != Some(false) {
                continue;
            }
            let message = require.message.clone().unwrap_or_else(|| {
                format!(
                    "the workload `{}` does not satisfy the policy `{policy}`",
                    workload.name
                )
            });
            let requirement = Label::new(decl.file, lowered.exprs.range(require.condition))
                .with_message(format!("required by the policy `{policy}` here"));
            diagnostics.push(
                located(
                    Code::PolicyViolation,
                    message,
                    workload.source.clone(),
                    format!(
                        "`{}` does not satisfy `{policy}` in the environment `{}`",
                        workload.name, env.name
                    ),
                )
                .with_secondary(requirement)
                .with_help(format!(
                    "change the workload so that it does, for this environment only with \
                     `override {} {{ ... }}`, or take `{policy}` out of the environment's `policies`",
                    env.name
                )),
            );
        }
    }
    diagnostics
}

/// The record `workload` of a policy.
fn workload_record(
    workload: &ResolvedWorkload,
    offering_of: &dyn Fn(&str) -> Option<String>,
) -> Value {
    let texts = |items: Vec<String>| Value::List(items.into_iter().map(Value::String).collect());
    let images: Vec<String> = workload
        .containers
        .iter()
        .map(|container| container.image.clone())
        .collect();
    let tags = images.iter().map(|image| image_tag(image)).collect();
    let mut offerings: Vec<String> = workload
        .resources
        .values()
        .filter_map(|id| offering_of(id))
        .collect();
    offerings.sort();
    offerings.dedup();
    record([
        ("name", Value::String(workload.name.clone())),
        ("replicas", Value::Int(i64::from(workload.replicas))),
        (
            "labels",
            Value::Map(
                workload
                    .labels
                    .iter()
                    .map(|(key, value)| (key.clone(), Value::String(value.clone())))
                    .collect(),
            ),
        ),
        ("images", texts(images)),
        ("image_tags", texts(tags)),
        ("resources", texts(offerings)),
    ])
}

#[cfg(test)]
mod tests {
    use super::image_tag;

    #[test]
    fn tags_of_images() {
        assert_eq!(image_tag("ghcr.io/acme/api:1.4.2"), "1.4.2");
        assert_eq!(image_tag("localhost:5000/api"), "latest");
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx@sha256:abc"), "sha256:abc");
    }
}
