//! A workload as one environment sees it: its `override` for the environment applied.
//!
//! Invariants: an override replaces what it sets and nothing else: an attribute of the
//! workload, an attribute of a container (a container it names that the workload does
//! not have is added, after the others), a param of a resource (kept beside the
//! resource's own declaration, which it wins over; a resource it names that the
//! workload does not have is added). A container keeps the block that declares it in the
//! workload (an override cannot change it). Nothing here evaluates, but
//! [`Effective::first_port`].

use crate::diagnostic::Label;
use crate::lowered::{
    Container, ContainerFields, Expr, ExprId, Exprs, Name, Override, Resource, Workload,
    WorkloadFields,
};
use crate::resolve::eval::eval;
use crate::resolve::provisioning::port;
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::source::{Db, SourceFile};
use crate::span::TextRange;
use crate::types::schema::ContainerKind;

/// A workload as one environment sees it.
pub(crate) struct Effective<'a, 'db> {
    pub(crate) lowered: &'a Workload<'db>,
    pub(crate) fields: WorkloadFields<'db>,
    pub(crate) containers: Vec<EffectiveContainer<'db>>,
    pub(crate) resources: Vec<EffectiveResource<'a, 'db>>,
    /// The override for the environment, when the workload has one.
    pub(crate) over: Option<&'a Override<'db>>,
}

/// A container with the override's attributes applied.
pub(crate) struct EffectiveContainer<'db> {
    pub(crate) name: Name<'db>,
    pub(crate) kind: ContainerKind,
    pub(crate) label_range: TextRange,
    pub(crate) fields: ContainerFields,
}

/// A resource, and its declaration in the override when it has one.
pub(crate) struct EffectiveResource<'a, 'db> {
    pub(crate) resource: &'a Resource<'db>,
    pub(crate) overridden: Option<&'a Resource<'db>>,
}

impl<'a, 'db> Effective<'a, 'db> {
    /// `lowered` with its `override ENVIRONMENT { ... }` applied.
    pub(crate) fn new(db: &'db dyn Db, lowered: &'a Workload<'db>, environment: &str) -> Self {
        let mut effective = Effective {
            lowered,
            fields: lowered.fields.clone(),
            containers: lowered.containers.iter().map(effective_container).collect(),
            resources: lowered
                .resources
                .iter()
                .map(|resource| EffectiveResource {
                    resource,
                    overridden: None,
                })
                .collect(),
            over: None,
        };
        let over = lowered
            .overrides
            .iter()
            .find(|over| over.environment.text(db) == environment);
        effective.over = over;
        if let Some(over) = over {
            effective.fields = effective.fields.overlay(&over.fields);
            for container in &over.containers {
                match effective
                    .containers
                    .iter_mut()
                    .find(|base| base.name == container.name)
                {
                    Some(base) => base.fields = base.fields.overlay(&container.fields),
                    None => effective.containers.push(effective_container(container)),
                }
            }
            for resource in &over.resources {
                match effective
                    .resources
                    .iter_mut()
                    .find(|base| base.resource.name == resource.name)
                {
                    Some(base) => base.overridden = Some(resource),
                    None => effective.resources.push(EffectiveResource {
                        resource,
                        overridden: None,
                    }),
                }
            }
        }
        effective
    }

    pub(crate) fn name(&self) -> &'a str {
        &self.lowered.decl.name
    }

    pub(crate) fn file(&self) -> SourceFile {
        self.lowered.decl.file
    }

    pub(crate) fn exprs(&self) -> &'a Exprs<'db> {
        &self.lowered.exprs
    }

    /// Every expression the workload has in this environment: its attributes, its
    /// containers' and its resources' (the override's included, and nothing of the
    /// overrides for other environments).
    pub(crate) fn expressions(&self) -> Vec<ExprId> {
        let attributes = self.fields.named().into_iter().filter_map(|(_, id)| id);
        let containers = self
            .containers
            .iter()
            .flat_map(|container| container.fields.named())
            .filter_map(|(_, id)| id);
        let settings = self
            .resources
            .iter()
            .flat_map(|resource| [Some(resource.resource), resource.overridden])
            .flatten()
            .flat_map(|declared| declared.settings.iter().map(|setting| setting.value));
        attributes.chain(containers).chain(settings).collect()
    }

    /// Where an expression of its declaration is written.
    pub(crate) fn site(&self, expr: ExprId) -> Label {
        Label::new(self.file(), self.exprs().range(expr))
    }

    /// The port other workloads reach it on: the Service port of the first port of its
    /// first container (or sidecar) that has ports, as written.
    pub(crate) fn first_port(&self, db: &'db dyn Db, scope: &Scope) -> Option<u16> {
        let (name, number) = self
            .containers
            .iter()
            .filter(|container| container.kind != ContainerKind::Init)
            .find_map(|container| {
                let Expr::Record(entries) = self.exprs().get(container.fields.ports?) else {
                    return None;
                };
                let (name, first) = entries.first()?;
                Some((name, port(&eval(db, scope, self.exprs(), *first))?))
            })?;
        let service_ports = self
            .fields
            .service_ports
            .map_or(Value::Absent, |ports| eval(db, scope, self.exprs(), ports));
        match service_ports {
            Value::Map(ports) => Some(ports.get(name.text(db)).and_then(port).unwrap_or(number)),
            _ => Some(number),
        }
    }
}

fn effective_container<'db>(container: &Container<'db>) -> EffectiveContainer<'db> {
    EffectiveContainer {
        name: container.name,
        kind: container.kind,
        label_range: container.label_range,
        fields: container.fields.clone(),
    }
}
