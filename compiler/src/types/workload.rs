//! Workloads: containers (main ones, init containers and sidecars), resources, calls
//! and per-environment overrides.
//!
//! Invariants: a workload has at least one `container` (E0302); container names (of
//! every kind of container block) and resource names are unique in it (E0202); every
//! expression in it sees the workload's resources, `self`, `env` and the other
//! workloads; an override names an environment (E0208, or E0209 for another kind of
//! name) and sets only what it changes, declaring each container it changes with the
//! block that declares it in the workload (E0317). What kind of workload it is, and the
//! fields that apply to that kind only, is checked in [`crate::types::workload_kind`];
//! probes and handlers in [`crate::types::probe`].

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::kube;
use crate::names::{Definition, NameKind, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{Block, Declaration, Ident, Instance};
use crate::types::checker::{Checker, Locals};
use crate::types::instance::InstanceContext;
use crate::types::schema::{self, ContainerKind};

impl Checker<'_> {
    pub(crate) fn check_workload(&mut self, decl: &Declaration) {
        let owner = format!("the workload `{}`", decl.name.name);
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
        let kind = self.workload_kind(&decl.name, &members);
        for block in &members.blocks {
            let Some(label) = self.block_label(block, false) else {
                continue;
            };
            let name = label.name.as_str();
            if let Some(container_kind) = ContainerKind::from_keyword(&block.kind.name) {
                if !self.seen_before(&mut containers, "the container", name, label.range) {
                    self.check_container(&scope, block, label, container_kind, false);
                }
                continue;
            }
            if block.kind.name == "override"
                && !self.seen_before(&mut overrides, "the override", name, label.range)
            {
                self.check_override(
                    &scope,
                    block,
                    label,
                    &containers_of(&members.blocks),
                    &resources,
                    kind,
                );
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

    fn check_container(
        &mut self,
        scope: &Locals,
        block: &Block,
        label: &Ident,
        kind: ContainerKind,
        partial: bool,
    ) {
        let noun = kind.noun();
        if !partial {
            self.kubernetes_name(label, noun, kube::dns_label, kube::MAX_LABEL);
        }
        let owner = format!("the {noun} `{}`", label.name);
        let schema = kind.schema(partial);
        let members = self.sort_members(&block.body, schema, &owner);
        let lacks = match kind {
            ContainerKind::Init => schema::RUN_TO_COMPLETION_LACKS,
            _ => &[],
        };
        self.check_fields(scope, &members.attributes, schema, &owner, lacks);
        self.fields_an_init_container_lacks(&members.attributes, lacks, &owner);
        self.check_required(&members, schema, &owner, label.range);
        if kind != ContainerKind::Init {
            self.check_probes(&members.attributes);
        }
    }

    /// E0203 for a probe, hook or port on an init container, which runs to completion.
    fn fields_an_init_container_lacks(
        &mut self,
        attributes: &[&crate::syntax::ast::Attribute],
        lacks: &[&str],
        owner: &str,
    ) {
        for attribute in attributes {
            let name = attribute.name.name.as_str();
            if !lacks.contains(&name) {
                continue;
            }
            self.report(
                Diagnostic::new(
                    Code::UnknownField,
                    format!("unknown field `{name}`"),
                    self.file,
                    attribute.name.range,
                )
                .with_label(format!("{owner} has no field `{name}`"))
                .with_help(
                    "an init container runs to completion before the others start: it has no \
                     probes, `pre_stop` or ports; declare it as a `sidecar` to keep it running \
                     beside them",
                ),
            );
        }
    }

    fn check_override(
        &mut self,
        scope: &Locals,
        block: &Block,
        label: &Ident,
        base_containers: &[(&str, ContainerKind)],
        base_resources: &[(&Instance, crate::names::DeclRef)],
        kind: crate::types::workload_kind::WorkloadKind,
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
        self.check_override_kind(&members.attributes, kind, &label.name);
        let mut containers: BTreeMap<&str, TextRange> = BTreeMap::new();
        for nested in &members.blocks {
            let Some(container_kind) = ContainerKind::from_keyword(&nested.kind.name) else {
                continue;
            };
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
            let base = base_containers
                .iter()
                .find(|(name, _)| *name == container.name.as_str());
            match base {
                Some((_, declared)) if *declared != container_kind => {
                    self.container_changes_kind(nested, container, *declared);
                }
                _ => {
                    self.check_container(&scope, nested, container, container_kind, base.is_some())
                }
            }
        }
    }

    /// E0220 when `name`, the name of a `what` (`service`, `job`, `container`), is not
    /// one that Kubernetes accepts for the objects plat names after it: `rule`, which
    /// allows at most `most` characters.
    pub(crate) fn kubernetes_name(
        &mut self,
        name: &Ident,
        what: &str,
        rule: fn(&str) -> Result<(), String>,
        most: usize,
    ) {
        let Err(reason) = rule(&name.name) else {
            return;
        };
        let advice = format!(
            "use lower-case letters, digits and `-`, starting with a letter, at most {most} \
             characters"
        );
        let help = match kube::to_dns_label_within(&name.name, most) {
            suggestion if suggestion.is_empty() || suggestion == name.name => advice,
            suggestion => format!("{advice}: `{suggestion}`"),
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

    /// E0317 for a container of an override declared with another block than in the
    /// workload.
    fn container_changes_kind(&mut self, block: &Block, label: &Ident, declared: ContainerKind) {
        self.report(
            Diagnostic::new(
                Code::WrongWorkloadKind,
                format!(
                    "`{}` is declared as `{} {}` in the workload",
                    label.name,
                    declared.keyword(),
                    label.name
                ),
                self.file,
                block.kind.range,
            )
            .with_label(format!("not a `{}` in the workload", block.kind.name))
            .with_help(format!(
                "write `{} {} {{ ... }}` to change it here",
                declared.keyword(),
                label.name
            )),
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

/// The containers of every kind that `blocks` declare, the first of each name.
fn containers_of<'b>(blocks: &[&'b Block]) -> Vec<(&'b str, ContainerKind)> {
    let mut containers: Vec<(&str, ContainerKind)> = Vec::new();
    for block in blocks {
        let Some(kind) = ContainerKind::from_keyword(&block.kind.name) else {
            continue;
        };
        let Some(label) = &block.label else { continue };
        if !containers.iter().any(|(name, _)| *name == label.name) {
            containers.push((label.name.as_str(), kind));
        }
    }
    containers
}
