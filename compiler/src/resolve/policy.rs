//! Policies: the `require` conditions an environment holds its workloads to, their
//! severity, and the environment's waivers.
//!
//! Invariants: every policy the environment lists is evaluated for every workload,
//! after the workload's override for the environment, in the scope `workload` (its
//! name, kind, replicas, labels, images, calls, callers, containers of every kind with
//! their ports, probes, requests and limits, and the instances its resources are bound
//! to, with the implementation the environment chose and their params) and `env`. Each
//! `require` that is false is one diagnostic: E0605, or W0621 when the policy's
//! `severity` is `"warn"` there; when the condition is `every x in
//! workload.containers: ...` (or `workload.instances`), one per item that fails, at
//! that container or resource; otherwise one at the workload. A condition that cannot
//! be decided at compile time (it reads a value known only after provisioning, or one
//! that is left out) is not reported; a `match` with no arm for its value is (E0620).
//! A violation the environment waives for the workload is still reported, waived, with
//! the waiver's reason; a waiver for a workload that satisfies the policy is W0622. A
//! waiver names workloads as the environment's file sees them: it applies to those
//! declarations, never to a workload of another application that has one's name.

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{Environment, Expr, ExprId, Exprs, Name, Quantifier, Waiver};
use crate::names::{DeclRef, NameKind, Resolver};
use crate::resolve::eval::{evaluate, field, truth};
use crate::resolve::instance::EnvSettings;
use crate::resolve::model::{
    Container, Instance, Owner, Probe, ProbeAction, ResolvedWorkload, WorkloadKind,
};
use crate::resolve::runtime::no_arm;
use crate::resolve::scope::{Scope, record};
use crate::resolve::value::Value;
use crate::source::{Db, Project, SourceFile};
use crate::types::schema::WARN;

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

/// What the policies of an environment are judged on, for one workload.
pub(crate) struct Judged<'a, 'db> {
    pub(crate) db: &'db dyn Db,
    pub(crate) project: Project,
    pub(crate) env: &'a EnvSettings,
    /// The environment's declaration: its policies and waivers.
    pub(crate) environment: &'a Environment<'db>,
    pub(crate) workload: &'a ResolvedWorkload,
    /// The workload's declaration, which a waiver names.
    pub(crate) decl: &'a DeclRef,
    /// The instance of an id (the workload's own, or the environment's shared ones).
    pub(crate) instance: &'a dyn Fn(&str) -> Option<&'a Instance>,
}

/// One item of a list a policy goes over, with where it is written.
struct Item {
    value: Value,
    /// "the container `main` of `api`".
    what: String,
    at: Label,
}

/// The diagnostics of every policy of the environment for the workload.
pub(crate) fn check_policies(judged: &Judged<'_, '_>) -> Vec<Diagnostic> {
    if judged.environment.policies.is_empty() {
        return Vec::new();
    }
    let db = judged.db;
    let index = crate::names::project_index(db, judged.project);
    // A policy is named in the environment's namespace: the project's, or its
    // platform's.
    let env_file = judged.environment.decl.file;
    let file_scope = crate::names::file_scope(db, judged.project, env_file);
    let resolver = Resolver::new(db, env_file, index, file_scope);
    let containers = containers(judged.workload);
    let instances = instances(judged);
    let view = workload_record(judged.workload, &containers, &instances);
    let mut scope = Scope::new();
    scope.bind("workload", view);
    scope.bind("env", judged.env.value.clone());
    let mut diagnostics = Vec::new();
    for (policy, _) in &judged.environment.policies {
        let name = policy.text(db);
        let Some(found) = resolver
            .lookup(name)
            .filter(|found| found.decl.kind == NameKind::Policy)
        else {
            continue;
        };
        let decl = found.decl;
        let Some(lowered) =
            crate::lowered::lowered_file(db, judged.project, decl.file).policy(decl)
        else {
            continue;
        };
        let judge = PolicyJudge {
            judged,
            name,
            file: decl.file,
            exprs: &lowered.exprs,
            scope: &scope,
            containers: &containers,
            instances: &instances,
        };
        let warn = lowered.severity.is_some_and(|severity| {
            matches!(evaluate(db, &scope, &lowered.exprs, severity).value, Value::String(text) if text == WARN)
        });
        let waiver = waiver_for(judged, &resolver, *policy);
        let mut violated = false;
        for require in &lowered.requires {
            let (violations, unmatched) = judge.require(require.condition);
            diagnostics.extend(unmatched);
            for (what, at) in violations {
                violated = true;
                let diagnostic = judge.violation(
                    &what,
                    at,
                    require.message.as_deref(),
                    warn,
                    require.condition,
                );
                diagnostics.push(match &waiver {
                    Some((reason, place)) => diagnostic.waived(reason.clone(), place.clone()),
                    None => diagnostic,
                });
            }
        }
        if let (Some((_, place)), false) = (&waiver, violated) {
            diagnostics.push(unused_waiver(judged, name, place.clone()));
        }
    }
    diagnostics
}

/// The reason and the place of the waiver of `policy` for the workload, when the
/// environment has one: a waiver that names the workload's declaration, as `resolver`
/// (the environment file's) finds the names it lists.
fn waiver_for(
    judged: &Judged<'_, '_>,
    resolver: &Resolver<'_>,
    policy: Name<'_>,
) -> Option<(String, Label)> {
    let db = judged.db;
    let environment = judged.environment;
    let waiver: &Waiver<'_> = environment
        .waivers
        .iter()
        .find(|waiver| waiver.policy.text(db) == policy.text(db))?;
    let (_, range) = waiver.workloads.iter().find(|(name, _)| {
        resolver
            .lookup(name.text(db))
            .is_some_and(|found| found.decl == judged.decl)
    })?;
    let mut scope = Scope::new();
    scope.bind("env", judged.env.value.clone());
    let reason = waiver
        .reason
        .map(|reason| evaluate(db, &scope, &environment.exprs, reason).value)
        .and_then(|value| value.as_text())
        .unwrap_or_default();
    Some((reason, Label::new(environment.decl.file, *range)))
}

/// W0622 at the name of a workload in a waiver of a policy it satisfies.
fn unused_waiver(judged: &Judged<'_, '_>, policy: &str, place: Label) -> Diagnostic {
    let workload = &judged.workload.name;
    located(
        Code::UnusedWaiver,
        format!(
            "the waiver of `{policy}` for `{workload}` is not needed in the environment `{}`",
            judged.env.name
        ),
        place,
        format!("`{workload}` satisfies `{policy}` here"),
    )
    .with_help(format!(
        "remove `{workload}` from the waiver, so that the policy holds for it again"
    ))
}

/// One policy, judged for one workload.
struct PolicyJudge<'a, 'j, 'db> {
    judged: &'a Judged<'j, 'db>,
    name: &'a str,
    file: SourceFile,
    exprs: &'a Exprs<'db>,
    scope: &'a Scope,
    containers: &'a [Item],
    instances: &'a [Item],
}

impl PolicyJudge<'_, '_, '_> {
    /// Where the `require` whose condition is `condition` does not hold (what and
    /// where, one per failing item of a top-level `every` over the workload's containers
    /// or instances), and E0620 for each `match` in it without an arm for its value.
    fn require(&self, condition: ExprId) -> (Vec<(String, Label)>, Vec<Diagnostic>) {
        let db = self.judged.db;
        let workload = self.judged.workload;
        let whole = || (format!("`{}`", workload.name), workload.source.clone());
        if let Some((binding, offering, body, items)) = self.over_items(condition) {
            let mut failing = Vec::new();
            let mut unmatched = Vec::new();
            for item in items {
                if let Some(offering) = &offering
                    && field(&item.value, "offering") != Value::String(offering.clone())
                {
                    continue;
                }
                let mut scope = self.scope.clone();
                scope.bind(binding.text(db).clone(), item.value.clone());
                let evaluated = evaluate(db, &scope, self.exprs, body);
                unmatched.extend(
                    evaluated
                        .unmatched
                        .iter()
                        .map(|id| self.no_arm(&scope, *id)),
                );
                if truth(&evaluated.value) == Some(false) {
                    failing.push((item.what.clone(), item.at.clone()));
                }
            }
            return (failing, unmatched);
        }
        let evaluated = evaluate(db, self.scope, self.exprs, condition);
        let unmatched = evaluated
            .unmatched
            .iter()
            .map(|id| self.no_arm(self.scope, *id))
            .collect();
        let failing = match truth(&evaluated.value) {
            Some(false) => vec![whole()],
            _ => Vec::new(),
        };
        (failing, unmatched)
    }

    /// `every x in workload.containers: body` (or `workload.instances`): the binding,
    /// the offering it narrows to, the body, and the items.
    fn over_items(&self, condition: ExprId) -> Option<(Name<'_>, Option<String>, ExprId, &[Item])> {
        let Expr::Quantified {
            quantifier: Quantifier::Every,
            binding,
            offering,
            list,
            condition: body,
        } = self.exprs.get(condition)
        else {
            return None;
        };
        let Expr::Path(path) = self.exprs.get(*list) else {
            return None;
        };
        let db = self.judged.db;
        let [root, field] = path.segments.as_slice() else {
            return None;
        };
        if root.text(db) != "workload" {
            return None;
        }
        let items = match field.text(db).as_str() {
            "containers" => self.containers,
            "instances" => self.instances,
            _ => return None,
        };
        Some((*binding, offering.clone(), *body, items))
    }

    fn no_arm(&self, scope: &Scope, unmatched: ExprId) -> Diagnostic {
        no_arm(
            self.judged.db,
            scope,
            self.file,
            self.exprs,
            unmatched,
            &self.judged.env.name,
        )
    }

    /// E0605 (or W0621) for `what` at `at`, which does not satisfy the policy.
    fn violation(
        &self,
        what: &str,
        at: Label,
        message: Option<&str>,
        warn: bool,
        condition: ExprId,
    ) -> Diagnostic {
        let policy = self.name;
        let env = &self.judged.env.name;
        let message = message
            .map(str::to_string)
            .unwrap_or_else(|| format!("{what} does not satisfy the policy `{policy}`"));
        let requirement = Label::new(self.file, self.exprs.range(condition))
            .with_message(format!("required by the policy `{policy}` here"));
        let code = if warn {
            Code::PolicyWarning
        } else {
            Code::PolicyViolation
        };
        located(
            code,
            message,
            at,
            format!("{what} does not satisfy `{policy}` in the environment `{env}`"),
        )
        .with_secondary(requirement)
        .with_help(self.violation_help())
    }

    /// How to make a violation go away: change the workload, or waive the policy for
    /// it where the environment is declared, when that is the workload's own project
    /// (a platform's waivers name its own workloads, never an application's).
    fn violation_help(&self) -> String {
        let judged = self.judged;
        let policy = self.name;
        let env = &judged.env.name;
        let change = format!(
            "change the workload so that it does, for this environment only with \
             `override {env} {{ ... }}`"
        );
        let environment_origin = judged.environment.decl.origin;
        if environment_origin != judged.decl.origin {
            let platform = judged.project.application(judged.db, environment_origin);
            return format!(
                "{change}: `{policy}` is a policy of the platform `{platform}`, which cannot \
                 waive it for a workload of an application"
            );
        }
        format!(
            "{change}; or waive `{policy}` for it in the environment, with the reason: \
             `waiver {policy} {{ workloads = [{}], reason = \"...\" }}`",
            judged.workload.name
        )
    }
}

/// The containers of a workload as a policy reads them.
fn containers(workload: &ResolvedWorkload) -> Vec<Item> {
    workload
        .containers
        .iter()
        .map(|container| Item {
            value: container_record(container),
            what: format!("the container `{}` of `{}`", container.name, workload.name),
            at: container.source.clone(),
        })
        .collect()
}

fn container_record(container: &Container) -> Value {
    let texts = |items: &mut dyn Iterator<Item = &String>| {
        Value::List(items.map(|item| Value::String(item.clone())).collect())
    };
    let ports = container
        .ports
        .iter()
        .map(|(name, port)| {
            record([
                ("name", Value::String(name.clone())),
                ("port", Value::Int(i64::from(*port))),
            ])
        })
        .collect();
    let quantity = |text: &str| Value::Quantity(text.to_string());
    record([
        ("name", Value::String(container.name.clone())),
        ("kind", Value::String(container.kind.keyword().to_string())),
        ("image", Value::String(container.image.clone())),
        ("image_tag", Value::String(image_tag(&container.image))),
        ("command", texts(&mut container.command.iter())),
        ("args", texts(&mut container.args.iter())),
        ("env", texts(&mut container.env.keys())),
        ("files", texts(&mut container.files.keys())),
        ("volumes", texts(&mut container.volumes.keys())),
        ("ports", Value::List(ports)),
        ("cpu", quantity(&container.cpu)),
        ("memory", quantity(&container.memory)),
        (
            "cpu_limit",
            quantity(container.cpu_limit.as_deref().unwrap_or(&container.cpu)),
        ),
        (
            "memory_limit",
            quantity(
                container
                    .memory_limit
                    .as_deref()
                    .unwrap_or(&container.memory),
            ),
        ),
        ("liveness", probe_record(container.liveness.as_ref())),
        ("readiness", probe_record(container.readiness.as_ref())),
        ("startup", probe_record(container.startup.as_ref())),
    ])
}

/// A workload's `kind` as a policy reads it.
pub(crate) fn workload_kind(kind: &WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Service { .. } => "service",
        WorkloadKind::Job(_) => "job",
        WorkloadKind::CronJob { .. } => "scheduled_job",
    }
}

fn probe_record(probe: Option<&Probe>) -> Value {
    let Some(probe) = probe else {
        return Value::Absent;
    };
    let (kind, path, port) = match &probe.action {
        ProbeAction::HttpGet(http) => ("http", Some(&http.path), Some(http.port)),
        ProbeAction::Grpc { port, .. } => ("grpc", None, Some(*port)),
        ProbeAction::Tcp { port } => ("tcp", None, Some(*port)),
        ProbeAction::Exec { .. } => ("exec", None, None),
    };
    let seconds = |seconds: u32| Value::Quantity(format!("{seconds}s"));
    let count = |count: u32| Value::Int(i64::from(count));
    record([
        ("kind", Value::String(kind.to_string())),
        (
            "path",
            path.map_or(Value::Absent, |path| Value::String(path.clone())),
        ),
        (
            "port",
            port.map_or(Value::Absent, |port| Value::Int(i64::from(port))),
        ),
        ("initial_delay", seconds(probe.initial_delay_seconds)),
        ("period", seconds(probe.period_seconds)),
        ("timeout", seconds(probe.timeout_seconds)),
        ("success_threshold", count(probe.success_threshold)),
        ("failure_threshold", count(probe.failure_threshold)),
    ])
}

/// The instances a workload's resources are bound to, as a policy reads them, in the
/// order of the resources' names.
fn instances(judged: &Judged<'_, '_>) -> Vec<Item> {
    let workload = judged.workload;
    workload
        .resources
        .iter()
        .filter_map(|(local, id)| {
            let instance = (judged.instance)(id)?;
            let shared = instance.owner == Owner::Environment;
            let value = record([
                ("name", Value::String(local.clone())),
                ("id", Value::String(instance.id.to_string())),
                ("offering", Value::String(instance.offering.clone())),
                ("version", Value::String(instance.offering_version.clone())),
                (
                    "implementation",
                    Value::String(instance.implementation.clone()),
                ),
                ("shared", Value::Bool(shared)),
                ("params", Value::Map(instance.params.clone())),
            ]);
            let at = if shared {
                workload.source.clone()
            } else {
                instance.source.clone()
            };
            Some(Item {
                value,
                what: format!("the resource `{local}` of `{}`", workload.name),
                at,
            })
        })
        .collect()
}

/// The record `workload` of a policy.
fn workload_record(workload: &ResolvedWorkload, containers: &[Item], instances: &[Item]) -> Value {
    let texts = |items: Vec<String>| Value::List(items.into_iter().map(Value::String).collect());
    let images: Vec<String> = workload
        .containers
        .iter()
        .map(|container| container.image.clone())
        .collect();
    let tags = images.iter().map(|image| image_tag(image)).collect();
    let callers = workload
        .callers
        .iter()
        .map(|caller| format!("{}.{}", caller.application, caller.workload))
        .collect();
    let mut offerings: Vec<String> = instances
        .iter()
        .filter_map(|item| field(&item.value, "offering").as_text())
        .collect();
    offerings.sort();
    offerings.dedup();
    let strings = |entries: &std::collections::BTreeMap<String, String>| {
        Value::map(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), Value::String(value.clone())))
                .collect(),
        )
    };
    record([
        ("name", Value::String(workload.name.clone())),
        (
            "kind",
            Value::String(workload_kind(&workload.kind).to_string()),
        ),
        ("replicas", Value::Int(i64::from(workload.replicas))),
        ("labels", strings(&workload.labels)),
        ("annotations", strings(&workload.annotations)),
        ("images", texts(images)),
        ("image_tags", texts(tags)),
        ("resources", texts(offerings)),
        ("calls", texts(workload.calls.clone())),
        ("callers", texts(callers)),
        (
            "containers",
            Value::List(containers.iter().map(|item| item.value.clone()).collect()),
        ),
        (
            "instances",
            Value::List(instances.iter().map(|item| item.value.clone()).collect()),
        ),
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
