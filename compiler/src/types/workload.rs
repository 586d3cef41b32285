//! Workloads: containers, resources, calls and per-environment overrides.
//!
//! Invariants: a workload has at least one container (E0302); container and resource
//! names are unique in it (E0202); every expression in it sees the workload's
//! resources, `self`, `env` and the other workloads; an override names an environment
//! (E0208, or E0209 for another kind of name) and sets only what it changes.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::kube;
use crate::names::{Definition, NameKind, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{Block, Declaration, Ident, Instance};
use crate::types::checker::{Checker, Locals};
use crate::types::instance::InstanceContext;
use crate::types::schema;

impl Checker<'_> {
    pub(crate) fn check_workload(&mut self, decl: &Declaration) {
        let owner = format!("the workload `{}`", decl.name.name);
        self.kubernetes_name(&decl.name, "workload", kube::service_name);
        let members = self.sort_members(&decl.body, schema::workload(), &owner);
        let mut scope = Locals {
            bindings: Vec::new(),
            globals: vec![NameKind::Workload],
        };
        scope.push_record("env", schema::env_record());
        scope.push_record("self", schema::workload_self());
        let resources = self.bind_instances(&mut scope, &members.instances);
        for (instance, offering) in &resources {
            self.check_instance_body(&scope, instance, offering, InstanceContext::Workload, false);
        }
        self.check_fields(&scope, &members.attributes, schema::workload(), &owner, &[]);
        self.check_requires(&members.attributes);
        self.check_required(&members, schema::workload(), &owner, decl.name.range);

        let mut containers: BTreeMap<&str, TextRange> = BTreeMap::new();
        let mut overrides: BTreeMap<&str, TextRange> = BTreeMap::new();
        for block in &members.blocks {
            let Some(label) = self.block_label(block, false) else {
                continue;
            };
            let name = label.name.as_str();
            match block.kind.name.as_str() {
                "container"
                    if !self.seen_before(&mut containers, "the container", name, label.range) =>
                {
                    self.check_container(&scope, block, label, false);
                }
                "override"
                    if !self.seen_before(&mut overrides, "the override", name, label.range) =>
                {
                    self.check_override(
                        &scope,
                        block,
                        label,
                        &containers_of(&members.blocks),
                        &resources,
                    );
                }
                _ => {}
            }
        }
        let has_container = members
            .blocks
            .iter()
            .any(|block| block.kind.name == "container");
        if !has_container {
            self.report(
                Diagnostic::new(
                    Code::MissingField,
                    format!("the workload `{}` has no container", decl.name.name),
                    self.file,
                    decl.name.range,
                )
                .with_label("a workload needs at least one `container`")
                .with_help("add `container main { image = \"...\" }`"),
            );
        }
    }

    /// Binds the resources of a body (reporting duplicates) and returns them with
    /// their offerings, for their parameters to be checked in the complete scope.
    pub(crate) fn bind_instances<'i>(
        &mut self,
        scope: &mut Locals,
        instances: &[&'i Instance],
    ) -> Vec<(&'i Instance, crate::names::DeclRef)> {
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        let mut bound = Vec::new();
        for instance in instances {
            if self.seen_before(
                &mut seen,
                "the resource",
                &instance.name.name,
                instance.name.range,
            ) {
                continue;
            }
            let (binding, offering) = self.instance_binding(instance);
            scope.push(binding);
            if let Some(offering) = offering {
                bound.push((*instance, offering));
            }
        }
        bound
    }

    fn check_container(&mut self, scope: &Locals, block: &Block, label: &Ident, partial: bool) {
        let owner = format!("the container `{}`", label.name);
        if !partial {
            self.kubernetes_name(label, "container", kube::dns_label);
        }
        let schema = if partial {
            schema::container_override()
        } else {
            schema::container()
        };
        let members = self.sort_members(&block.body, schema, &owner);
        self.check_fields(scope, &members.attributes, schema, &owner, &[]);
        self.check_required(&members, schema, &owner, label.range);
    }

    fn check_override(
        &mut self,
        scope: &Locals,
        block: &Block,
        label: &Ident,
        base_containers: &[&str],
        base_resources: &[(&Instance, crate::names::DeclRef)],
    ) {
        self.override_environment(label);
        let owner = format!("the override `{}`", label.name);
        let schema = schema::override_block();
        let members = self.sort_members(&block.body, schema, &owner);
        let mut scope = scope.clone();
        let mut new_instances = Vec::new();
        for instance in &members.instances {
            let base = base_resources
                .iter()
                .find(|(base, _)| base.name.name == instance.name.name);
            match base {
                Some((base_instance, offering)) => {
                    let def = self.here(base_instance.name.range);
                    self.reference(instance.name.range, Some(def), TargetKind::Resource);
                    let offering = offering.clone();
                    match self.resolve_offering(&instance.offering) {
                        Some(resolved) if resolved == offering => {
                            self.check_instance_body(
                                &scope,
                                instance,
                                &offering,
                                InstanceContext::Workload,
                                true,
                            );
                        }
                        Some(_) => self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                format!(
                                    "the resource `{}` changes its offering in an override",
                                    instance.name.name
                                ),
                                self.file,
                                instance.offering.range,
                            )
                            .with_label(format!("the workload declares it as `{}`", offering.name))
                            .with_help(format!(
                                "keep `{}: {}`, or give the new resource another name",
                                instance.name.name, offering.name
                            )),
                        ),
                        None => {}
                    }
                }
                None => new_instances.push(*instance),
            }
        }
        let added = self.bind_instances(&mut scope, &new_instances);
        for (instance, offering) in &added {
            self.check_instance_body(&scope, instance, offering, InstanceContext::Workload, false);
        }
        self.check_fields(&scope, &members.attributes, schema, &owner, &[]);
        let mut containers: BTreeMap<&str, TextRange> = BTreeMap::new();
        for nested in &members.blocks {
            if nested.kind.name != "container" {
                continue;
            }
            let Some(container) = self.block_label(nested, false) else {
                continue;
            };
            if self.seen_before(
                &mut containers,
                "the container",
                &container.name,
                container.range,
            ) {
                continue;
            }
            let partial = base_containers.contains(&container.name.as_str());
            self.check_container(&scope, nested, container, partial);
        }
    }

    /// E0220 when `name`, the name of a `what` (`workload`, `container`), is not one
    /// that Kubernetes accepts for the objects plat names after it.
    fn kubernetes_name(&mut self, name: &Ident, what: &str, rule: fn(&str) -> Result<(), String>) {
        let Err(reason) = rule(&name.name) else {
            return;
        };
        let suggestion = kube::to_dns_label(&name.name);
        let help = if suggestion.is_empty() {
            "use lower-case letters, digits and `-`, starting with a letter, at most 63 \
             characters"
                .to_string()
        } else {
            format!(
                "use lower-case letters, digits and `-`, starting with a letter, at most 63 \
                 characters: `{suggestion}`"
            )
        };
        self.report(
            Diagnostic::new(
                Code::InvalidName,
                format!(
                    "`{}` is not a valid name for a {what} in Kubernetes",
                    name.name
                ),
                self.file,
                name.range,
            )
            .with_label(reason)
            .with_help(help),
        );
    }

    /// The label of an override names an environment.
    fn override_environment(&mut self, label: &Ident) {
        match self.resolver.lookup(&label.name) {
            Some(found) if found.decl.kind == NameKind::Environment => {
                let decl = found.decl.clone();
                self.use_import(found.import);
                let def = Definition {
                    file: decl.file,
                    range: decl.name_range(self.db),
                };
                self.reference(
                    label.range,
                    Some(def),
                    TargetKind::Declaration(NameKind::Environment),
                );
            }
            Some(found) => {
                let decl = found.decl.clone();
                let diagnostic = self.resolver.wrong_kind(
                    label,
                    &decl,
                    "an environment",
                    &[NameKind::Environment],
                );
                self.report(diagnostic);
            }
            None => {
                let environments = self.resolver.names_of(&[NameKind::Environment]);
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownEnvironment,
                    format!("unknown environment `{}`", label.name),
                    self.file,
                    label.range,
                )
                .with_label("no environment of this name");
                let help = suggest::did_you_mean(&label.name, environments.iter().copied())
                    .or_else(|| match environments.len() {
                        0 => Some(format!(
                            "declare it: `environment {} {{ namespace = \"...\" }}`",
                            label.name
                        )),
                        n if n <= suggest::SHORT_LIST => Some(format!(
                            "the environments are {}",
                            suggest::all_of(&environments)
                        )),
                        _ => None,
                    });
                if let Some(help) = help {
                    diagnostic = diagnostic.with_help(help);
                }
                self.report(diagnostic);
            }
        }
    }
}

fn containers_of<'b>(blocks: &[&'b Block]) -> Vec<&'b str> {
    blocks
        .iter()
        .filter(|block| block.kind.name == "container")
        .filter_map(|block| block.label.as_ref().map(|label| label.name.as_str()))
        .collect()
}
