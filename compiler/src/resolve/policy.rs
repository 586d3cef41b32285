//! Policies: the `require` conditions an environment holds its workloads to.
//!
//! Invariants: every policy the environment lists is evaluated for every workload,
//! after the workload's override for the environment, in the scope `workload` (name,
//! replicas, labels, images, image tags, the offerings of its resources) and `env`;
//! each `require` that is false is one E0605 at the workload, with a secondary label at
//! the `require` and its `else` text as the message. A condition that cannot be decided
//! at compile time is not reported.

use crate::diagnostic::{Code, Label};
use crate::names::NameKind;
use crate::resolve::environment::EnvResolver;
use crate::resolve::eval::{eval, truth};
use crate::resolve::instance::located;
use crate::resolve::model::ResolvedWorkload;
use crate::resolve::scope::{Scope, record};
use crate::resolve::value::Value;
use crate::syntax::ast::{Ident, Member};

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

impl EnvResolver<'_> {
    /// Evaluates the listed policies for each workload.
    pub(crate) fn check_policies(&mut self, policies: &[&Ident], workloads: &[ResolvedWorkload]) {
        for policy in policies {
            let Some((_, syntax)) = self.cx.declaration(&policy.name, NameKind::Policy) else {
                continue;
            };
            let Some(decl) = self.cx.index.project_decl(&policy.name) else {
                continue;
            };
            for workload in workloads {
                let mut scope = Scope::new();
                scope.bind("workload", self.workload_record(workload));
                scope.bind("env", self.env_value.clone());
                for member in &syntax.body.members {
                    let Member::Require(require) = member else {
                        continue;
                    };
                    if truth(&eval(&scope, &require.condition)) != Some(false) {
                        continue;
                    }
                    let message = require.message.as_ref().map_or_else(
                        || {
                            format!(
                                "the workload `{}` does not satisfy the policy `{}`",
                                workload.name, policy.name
                            )
                        },
                        |message| message.value.clone(),
                    );
                    let requirement = Label::new(decl.file, require.condition.range())
                        .with_message(format!("required by the policy `{}` here", policy.name));
                    self.diagnostics.push(
                        located(
                            Code::PolicyViolation,
                            message,
                            workload.source.clone(),
                            format!(
                                "`{}` does not satisfy `{}` in the environment `{}`",
                                workload.name, policy.name, self.name
                            ),
                        )
                        .with_secondary(requirement)
                        .with_help(format!(
                            "change the workload so that it does, for this environment only with \
                             `override {} {{ ... }}`, or take `{}` out of the environment's `policies`",
                            self.name, policy.name
                        )),
                    );
                }
            }
        }
    }

    /// The record `workload` of a policy.
    fn workload_record(&self, workload: &ResolvedWorkload) -> Value {
        let texts =
            |items: Vec<String>| Value::List(items.into_iter().map(Value::String).collect());
        let images: Vec<String> = workload
            .containers
            .iter()
            .map(|container| container.image.clone())
            .collect();
        let tags = images.iter().map(|image| image_tag(image)).collect();
        let mut offerings: Vec<String> = workload
            .resources
            .values()
            .filter_map(|id| self.instances.get(id))
            .map(|instance| instance.offering.clone())
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
