//! Workloads in one environment: the override for that environment applied, resources
//! bound (to instances of their own or to the environment's shared ones), and every
//! value evaluated.
//!
//! Invariants: an override replaces what it sets and nothing else: an attribute of the
//! workload, an attribute of a container (a container it names that the workload does
//! not have is added), a param of a resource (a resource it names that the workload
//! does not have is added). A resource with `shared = NAME` binds the environment's
//! shared instance `NAME` (E0606 when the environment does not declare it); any other
//! resource is instantiated with the id `WORKLOAD.RESOURCE`. Another workload's address
//! is its Service's DNS name in the environment's namespace, known at compile time.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Label};
use crate::names::DeclRef;
use crate::resolve::context::{attribute, attributes, blocks, instance_range, instances};
use crate::resolve::environment::EnvResolver;
use crate::resolve::eval::eval;
use crate::resolve::instance::{Assigned, Frame, Request, assign, located};
use crate::resolve::model::{Container, Owner, Probe, ResolvedWorkload};
use crate::resolve::naming::child_id;
use crate::resolve::order::{read_order, sibling_reads};
use crate::resolve::provisioning::{map, port, text, texts};
use crate::resolve::scope::{Scope, record};
use crate::resolve::value::Value;
use crate::source::SourceFile;
use crate::syntax::ast::{self, Attribute, Declaration, Expr, Ident};
use crate::types::literal;
use crate::types::schema::SHARED;

/// A workload as one environment sees it.
pub(crate) struct Effective<'db> {
    pub decl: &'db DeclRef,
    pub syntax: &'db Declaration,
    pub attributes: BTreeMap<&'db str, &'db Attribute>,
    pub containers: Vec<EffectiveContainer<'db>>,
    pub resources: Vec<EffectiveResource<'db>>,
}

/// A container with the override's attributes applied.
pub(crate) struct EffectiveContainer<'db> {
    pub label: &'db Ident,
    pub attributes: BTreeMap<&'db str, &'db Attribute>,
}

/// A resource, and its declaration in the override when it has one.
pub(crate) struct EffectiveResource<'db> {
    pub instance: &'db ast::Instance,
    pub overridden: Option<&'db ast::Instance>,
}

impl<'db> Effective<'db> {
    /// `decl` with its `override ENVIRONMENT { ... }` applied.
    pub(crate) fn new(decl: &'db DeclRef, syntax: &'db Declaration, environment: &str) -> Self {
        let body = &syntax.body;
        let over = blocks(body, "override")
            .into_iter()
            .find(|block| {
                block
                    .label
                    .as_ref()
                    .is_some_and(|label| label.name == environment)
            })
            .map(|block| &block.body);
        let mut effective = Effective {
            decl,
            syntax,
            attributes: by_name(attributes(body)),
            containers: containers(body),
            resources: instances(body)
                .into_iter()
                .map(|instance| EffectiveResource {
                    instance,
                    overridden: None,
                })
                .collect(),
        };
        if let Some(over) = over {
            effective.apply(over);
        }
        effective
    }

    fn apply(&mut self, over: &'db ast::Body) {
        self.attributes.extend(by_name(attributes(over)));
        for container in containers(over) {
            match self
                .containers
                .iter_mut()
                .find(|base| base.label.name == container.label.name)
            {
                Some(base) => base.attributes.extend(container.attributes),
                None => self.containers.push(container),
            }
        }
        for instance in instances(over) {
            match self
                .resources
                .iter_mut()
                .find(|base| base.instance.name.name == instance.name.name)
            {
                Some(base) => base.overridden = Some(instance),
                None => self.resources.push(EffectiveResource {
                    instance,
                    overridden: None,
                }),
            }
        }
    }

    pub(crate) fn name(&self) -> &'db str {
        &self.decl.name
    }

    pub(crate) fn file(&self) -> SourceFile {
        self.decl.file
    }

    /// The names the workload calls, with where each is written.
    pub(crate) fn calls(&self) -> Vec<&'db Ident> {
        let Some(calls) = self.attributes.get("calls") else {
            return Vec::new();
        };
        let Expr::List { items, .. } = &calls.value else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item {
                Expr::Name(ident) => Some(ident),
                _ => None,
            })
            .collect()
    }

    /// The port other workloads reach it on: the first port of its first container
    /// that has ports, as written.
    pub(crate) fn first_port(&self, scope: &Scope) -> Option<u16> {
        self.containers.iter().find_map(|container| {
            let ports = container.attributes.get("ports")?;
            let Expr::Record { entries, .. } = &ports.value else {
                return None;
            };
            port(&eval(scope, &entries.first()?.value))
        })
    }
}

fn by_name(attributes: Vec<&Attribute>) -> BTreeMap<&str, &Attribute> {
    attributes
        .into_iter()
        .map(|attribute| (attribute.name.name.as_str(), attribute))
        .collect()
}

fn containers(body: &ast::Body) -> Vec<EffectiveContainer<'_>> {
    blocks(body, "container")
        .into_iter()
        .filter_map(|block| {
            Some(EffectiveContainer {
                label: block.label.as_ref()?,
                attributes: by_name(attributes(&block.body)),
            })
        })
        .collect()
}

/// The address of a workload: `{ host, port, url }`.
pub(crate) fn address(name: &str, namespace: &str, port: Option<u16>) -> Value {
    let host = format!("{name}.{namespace}.svc.cluster.local");
    let url = match port {
        Some(port) => format!("http://{host}:{port}"),
        None => format!("http://{host}"),
    };
    record([
        ("host", Value::String(host)),
        (
            "port",
            port.map_or(Value::Absent, |port| Value::Int(i64::from(port))),
        ),
        ("url", Value::String(url)),
    ])
}

impl<'db> EnvResolver<'db> {
    /// Resolves one workload; `globals` holds every workload's address.
    pub(crate) fn resolve_workload(
        &mut self,
        workload: &Effective<'db>,
        globals: &Scope,
    ) -> ResolvedWorkload {
        let mut scope = globals.clone();
        scope.bind("env", self.env_value.clone());
        scope.bind(
            "self",
            record([
                ("name", Value::String(workload.name().to_string())),
                ("namespace", Value::String(self.namespace.clone())),
            ]),
        );
        let resources = self.bind_resources(workload, &mut scope);
        let read = |attributes: &BTreeMap<&str, &Attribute>, name: &str| {
            attributes
                .get(name)
                .map_or(Value::Absent, |attribute| eval(&scope, &attribute.value))
        };
        let replicas = match read(&workload.attributes, "replicas") {
            Value::Int(replicas) => u32::try_from(replicas).unwrap_or(0),
            _ => 1,
        };
        let mut calls: Vec<String> = workload
            .calls()
            .iter()
            .map(|ident| ident.name.clone())
            .collect();
        calls.sort();
        calls.dedup();
        let containers = workload
            .containers
            .iter()
            .map(|container| {
                self.container(container, workload.file(), &resources, &|name| {
                    read(&container.attributes, name)
                })
            })
            .collect();
        ResolvedWorkload {
            name: workload.name().to_string(),
            replicas,
            labels: text_map(read(&workload.attributes, "labels")),
            annotations: text_map(read(&workload.attributes, "annotations")),
            service_account_annotations: value_map(read(
                &workload.attributes,
                "service_account_annotations",
            )),
            containers,
            resources,
            calls,
            source: Label::new(workload.file(), workload.syntax.name.range),
        }
    }

    /// Binds the workload's resources in `scope` to their outputs; returns local name →
    /// instance id.
    fn bind_resources(
        &mut self,
        workload: &Effective<'db>,
        scope: &mut Scope,
    ) -> BTreeMap<String, String> {
        let file = workload.file();
        let mut bound = BTreeMap::new();
        // Shared ones first: the environment has resolved them already.
        let mut own = Vec::new();
        for resource in &workload.resources {
            let shared = [Some(resource.instance), resource.overridden]
                .into_iter()
                .flatten()
                .filter_map(|instance| attribute(&instance.body, SHARED))
                .next_back();
            let offers_shared_param = self
                .cx
                .offering(file, &resource.instance.offering)
                .is_some_and(|offering| offering.sig.param(SHARED).is_some());
            match shared {
                Some(shared) if !offers_shared_param => {
                    self.bind_shared(workload, resource, shared, scope, &mut bound);
                }
                _ => own.push(resource),
            }
        }
        let names: Vec<&str> = own
            .iter()
            .map(|resource| resource.instance.name.name.as_str())
            .collect();
        let bodies: Vec<Vec<(SourceFile, &ast::Body)>> = own
            .iter()
            .map(|resource| {
                [Some(resource.instance), resource.overridden]
                    .into_iter()
                    .flatten()
                    .map(|instance| (file, &instance.body))
                    .collect()
            })
            .collect();
        let reads = sibling_reads(&names, &bodies);
        let tangled = self.read_cycles(&names, &reads);
        for at in read_order(own.len(), &reads) {
            let Some(resource) = own.get(at) else {
                continue;
            };
            let Some(offering) = self.cx.offering(file, &resource.instance.offering) else {
                continue;
            };
            let id = child_id(workload.name(), &resource.instance.name.name);
            let mut assigned: Vec<Assigned> = assign(scope, file, &resource.instance.body);
            if let Some(overridden) = resource.overridden {
                assigned.extend(assign(scope, file, &overridden.body));
            }
            let request = Request {
                id: id.clone(),
                owner: Owner::Workload(workload.name().to_string()),
                offering,
                site: Label::new(file, instance_range(resource.instance)),
                assigned,
                quiet: tangled.contains(&at),
            };
            let mut stack: Vec<Frame> = Vec::new();
            if let Some(outputs) = self.instantiate(request, None, &mut stack) {
                scope.bind(resource.instance.name.name.clone(), outputs);
                bound.insert(resource.instance.name.name.clone(), id);
            }
        }
        bound
    }

    /// `shared = NAME`: binds the environment's shared instance, or reports E0606.
    fn bind_shared(
        &mut self,
        workload: &Effective<'db>,
        resource: &EffectiveResource<'db>,
        shared: &Attribute,
        scope: &mut Scope,
        bound: &mut BTreeMap<String, String>,
    ) {
        let Expr::Name(name) = &shared.value else {
            return;
        };
        let local = &resource.instance.name.name;
        if let Some(outputs) = self.shared_outputs.get(&name.name) {
            scope.bind(local.clone(), outputs.clone());
            bound.insert(local.clone(), name.name.clone());
            return;
        }
        if self.shared_declared.contains(&name.name) {
            return; // declared, but it could not be bound: reported there
        }
        let offering = resource.instance.offering.text();
        let environment = Label::new(self.file, self.name_range)
            .with_message(format!("the environment `{}` is declared here", self.name));
        self.diagnostics.push(
            located(
                Code::MissingSharedResource,
                format!(
                    "the environment `{}` has no shared resource `{}`",
                    self.name, name.name
                ),
                Label::new(workload.file(), name.range),
                format!("`{}.{local}` binds `{}` here", workload.name(), name.name),
            )
            .with_secondary(environment)
            .with_help(format!(
                "declare it in the environment `{}`: `{}: {offering} {{ ... }}`",
                self.name, name.name
            )),
        );
    }

    fn container(
        &self,
        container: &EffectiveContainer<'db>,
        file: SourceFile,
        resources: &BTreeMap<String, String>,
        read: &dyn Fn(&str) -> Value,
    ) -> Container {
        let quantity = |name: &str| text(&read(name));
        Container {
            name: container.label.name.clone(),
            image: text(&read("image")).unwrap_or_default(),
            command: texts(&read("command")),
            args: texts(&read("args")),
            env: map(read("env")),
            files: map(read("files")),
            ports: match read("ports") {
                Value::Map(entries) => entries
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), port(value)?)))
                    .collect(),
                _ => BTreeMap::new(),
            },
            cpu: quantity("cpu").unwrap_or_else(|| "100m".to_string()),
            memory: quantity("memory").unwrap_or_else(|| "128Mi".to_string()),
            cpu_limit: quantity("cpu_limit"),
            memory_limit: quantity("memory_limit"),
            liveness: probe(&read("liveness")),
            readiness: probe(&read("readiness")),
            volumes: volumes(container, resources),
            source: Label::new(file, container.label.range),
        }
    }
}

/// The mounts of a container: path → the id of the instance the resource is bound to.
fn volumes(
    container: &EffectiveContainer<'_>,
    resources: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let Some(volumes) = container.attributes.get("volumes") else {
        return BTreeMap::new();
    };
    let Expr::Record { entries, .. } = &volumes.value else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let Expr::Name(name) = &entry.value else {
                return None;
            };
            let id = resources.get(&name.name)?;
            Some((entry.key.text().to_string(), id.clone()))
        })
        .collect()
}

fn probe(value: &Value) -> Option<Probe> {
    let Value::Map(fields) = value else {
        return None;
    };
    let period = fields
        .get("period")
        .and_then(text)
        .and_then(|period| literal::parse_duration(&period).ok())
        .map_or(10, |millis| {
            u32::try_from(millis.div_ceil(1000)).unwrap_or(u32::MAX)
        });
    Some(Probe {
        path: fields.get("path").and_then(text)?,
        port: fields.get("port").and_then(port)?,
        period_seconds: period.max(1),
    })
}

fn value_map(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(entries) => entries,
        _ => BTreeMap::new(),
    }
}

fn text_map(value: Value) -> BTreeMap<String, String> {
    match value {
        Value::Map(entries) => entries
            .into_iter()
            .filter_map(|(key, value)| Some((key, text(&value)?)))
            .collect(),
        _ => BTreeMap::new(),
    }
}
