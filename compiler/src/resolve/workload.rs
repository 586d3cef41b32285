//! Workloads in one environment: the override for that environment applied, resources
//! bound (to instances of their own or to the environment's shared ones), every value
//! evaluated, and the environment's policies judged.
//!
//! Invariants: [`resolve_workload`] is one query per (environment, workload); it reads
//! the workload's lowered declaration, the environment's shared part
//! ([`crate::resolve::shared::environment_shared`]), the offerings it instantiates and
//! the addresses of the workloads it names ([`workload_address`]), and nothing else, so
//! an edit to one workload re-runs it for that workload only (and for those that name
//! it, when its address changes). The override is applied as [`crate::resolve::effective`]
//! says, and the decided values are judged by [`crate::resolve::runtime`]. A resource
//! with `shared = NAME` binds the
//! environment's shared instance `NAME` (E0606 when the environment does not declare
//! it); any other resource is instantiated with the id `WORKLOAD.RESOURCE`. Another
//! workload's address is its Service's DNS name in the environment's namespace, known at
//! compile time.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{EnvironmentId, Expr, ExprId, Exprs, Workload, WorkloadId};
use crate::names::NameKind;
use crate::resolve::context::offering;
use crate::resolve::cycle::Frame;
use crate::resolve::effective::{Effective, EffectiveContainer, EffectiveResource};
use crate::resolve::eval::eval;
use crate::resolve::instance::{Assigned, Instantiator, Request, assign};
use crate::resolve::model::{
    Container as ResolvedContainer, Instance, Owner, ResolvedWorkload, WorkloadKind,
};
use crate::resolve::naming::child_id;
use crate::resolve::order::{Settings, read_order, sibling_reads};
use crate::resolve::pod;
use crate::resolve::policy::{Judged, check_policies};
use crate::resolve::provisioning::{map, port, text, texts};
use crate::resolve::runtime::{self, Decided};
use crate::resolve::scope::{Scope, record};
use crate::resolve::shared::{SharedPart, environment_shared, uses};
use crate::resolve::value::Value;
use crate::source::Db;
use crate::types::schema::SHARED;

/// One workload resolved in one environment, with the instances it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkloadResolution {
    pub(crate) workload: Arc<ResolvedWorkload>,
    /// Its own instances and what they need, by id.
    pub(crate) instances: BTreeMap<String, Arc<Instance>>,
    /// E0601–E0607 about it, and its policy violations (E0605).
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// The scope a workload's own expressions start from: `env` and `self` over `base`.
fn workload_scope(base: Scope, shared: &SharedPart, name: &str) -> Scope {
    let mut scope = base;
    scope.bind("env", shared.settings.value.clone());
    scope.bind(
        "self",
        record([
            ("name", Value::String(name.to_string())),
            (
                "namespace",
                Value::String(shared.settings.namespace.clone()),
            ),
        ]),
    );
    scope
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

/// The address of `workload` in the environment `env`, as other workloads read it.
#[salsa::tracked(returns(ref))]
pub(crate) fn workload_address<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    workload: WorkloadId<'db>,
) -> Value {
    let shared = environment_shared(db, env).as_ref();
    let lowered = crate::lowered::workload(db, workload).as_ref();
    let (Some(shared), Some(lowered)) = (shared, lowered) else {
        return Value::Absent;
    };
    let effective = Effective::new(db, lowered, env.name(db));
    let scope = workload_scope(Scope::new(), shared, effective.name());
    let port = effective.first_port(db, &scope);
    address(effective.name(), &shared.settings.namespace, port)
}

/// Whether `workload` runs to completion (a job, scheduled or not): it has no address.
#[salsa::tracked(returns(copy))]
pub(crate) fn runs_to_completion<'db>(db: &'db dyn Db, workload: WorkloadId<'db>) -> bool {
    crate::lowered::workload(db, workload)
        .as_ref()
        .is_some_and(|lowered| lowered.fields.job.is_some() || lowered.fields.schedule.is_some())
}

/// Resolves `workload` in the environment `env`; `None` when either does not exist.
#[salsa::tracked(returns(ref))]
pub(crate) fn resolve_workload<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    workload: WorkloadId<'db>,
) -> Option<WorkloadResolution> {
    let shared = environment_shared(db, env).as_ref()?;
    let lowered = crate::lowered::workload(db, workload).as_ref()?;
    let environment = crate::lowered::environment(db, env).as_ref()?;
    let project = env.project(db);
    let effective = Effective::new(db, lowered, env.name(db));
    let uses = uses(db, environment);
    let mut resolver = WorkloadResolver {
        instantiator: Instantiator::new(
            db,
            project,
            &shared.settings,
            &uses,
            Cow::Borrowed(&shared.scope),
        ),
        shared,
    };
    let globals = Scope::with_globals(Arc::new(addresses(db, env, lowered)));
    let mut scope = workload_scope(globals, shared, effective.name());
    let resources = resolver.bind_resources(&effective, &mut scope);
    let resolved = resolver.workload(&effective, &scope, resources);
    let Instantiator {
        instances,
        mut diagnostics,
        ..
    } = resolver.instantiator;
    let instance = |id: &str| {
        instances
            .get(id)
            .or_else(|| shared.instances.get(id))
            .map(Arc::as_ref)
    };
    diagnostics.extend(runtime::check(&Decided {
        db,
        project,
        environment: env.name(db),
        workload: &effective,
        scope: &scope,
        resolved: &resolved,
        instances: &instances,
    }));
    diagnostics.extend(check_policies(&Judged {
        db,
        project,
        env: &shared.settings,
        environment,
        workload: &resolved,
        instance: &instance,
    }));
    Some(WorkloadResolution {
        workload: Arc::new(resolved),
        instances,
        diagnostics,
    })
}

/// The addresses of the workloads that `lowered`'s expressions name, by name.
fn addresses<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    lowered: &Workload<'db>,
) -> BTreeMap<String, Value> {
    let project = env.project(db);
    let index = crate::names::project_index(db, project);
    lowered
        .exprs
        .all_roots()
        .into_iter()
        .filter_map(|name| {
            let name = name.text(db);
            let decl = index.project_decl(name)?;
            (decl.kind == NameKind::Workload).then_some(())?;
            let other = WorkloadId::new(db, project, name.clone());
            Some((name.clone(), workload_address(db, env, other).clone()))
        })
        .collect()
}

/// Resolves one workload on top of its environment's shared part.
struct WorkloadResolver<'a, 'db> {
    instantiator: Instantiator<'a, 'db>,
    shared: &'a SharedPart,
}

impl<'a, 'db> WorkloadResolver<'a, 'db> {
    fn db(&self) -> &'db dyn Db {
        self.instantiator.db
    }

    /// The workload in this environment.
    fn workload(
        &self,
        workload: &Effective<'_, 'db>,
        scope: &Scope,
        resources: BTreeMap<String, String>,
    ) -> ResolvedWorkload {
        let db = self.db();
        let exprs = workload.exprs();
        let read = |field: Option<ExprId>| {
            field.map_or(Value::Absent, |value| eval(db, scope, exprs, value))
        };
        let fields = &workload.fields;
        let kind = pod::kind(
            &read(fields.job),
            &read(fields.schedule),
            &read(fields.autoscaling),
        );
        let replicas = match &kind {
            WorkloadKind::Service {
                autoscaling: Some(autoscaling),
            } => autoscaling.min,
            WorkloadKind::Service { autoscaling: None } => match read(fields.replicas) {
                Value::Int(replicas) => u32::try_from(replicas).unwrap_or(0),
                _ => 1,
            },
            WorkloadKind::Job(job) | WorkloadKind::CronJob { job, .. } => job.parallelism,
        };
        let mut calls: Vec<String> = fields
            .calls
            .iter()
            .flatten()
            .map(|(name, _)| name.text(db).clone())
            .collect();
        calls.sort();
        calls.dedup();
        let containers = workload
            .containers
            .iter()
            .map(|container| {
                container_of(db, container, workload, &resources, &|field| read(field))
            })
            .collect();
        let service_ports = match read(fields.service_ports) {
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), port(value)?)))
                .collect(),
            _ => BTreeMap::new(),
        };
        ResolvedWorkload {
            name: workload.name().to_string(),
            replicas,
            kind,
            labels: text_map(read(fields.labels)),
            annotations: text_map(read(fields.annotations)),
            service_account_annotations: value_map(read(fields.service_account_annotations)),
            containers,
            service_ports,
            termination_grace_period: pod::seconds(&read(fields.termination_grace_period)),
            resources,
            calls,
            source: Label::new(workload.file(), workload.lowered.name_range),
        }
    }

    /// Binds the workload's resources in `scope` to their outputs; returns local name →
    /// instance id.
    fn bind_resources(
        &mut self,
        workload: &Effective<'_, 'db>,
        scope: &mut Scope,
    ) -> BTreeMap<String, String> {
        let db = self.db();
        let project = self.instantiator.project;
        let file = workload.file();
        let exprs = workload.exprs();
        let mut bound = BTreeMap::new();
        // Shared ones first: the environment has resolved them already.
        let mut own = Vec::new();
        for resource in &workload.resources {
            let shared = [Some(resource.resource), resource.overridden]
                .into_iter()
                .flatten()
                .filter_map(|declared| {
                    declared
                        .settings
                        .iter()
                        .find(|setting| setting.name.text(db) == SHARED)
                })
                .next_back();
            let offers_shared_param = resource
                .resource
                .offering
                .as_ref()
                .and_then(|decl| offering(db, project, decl))
                .is_some_and(|offering| offering.sig.param(SHARED).is_some());
            match shared {
                Some(shared) if !offers_shared_param => {
                    self.bind_shared(workload, resource, shared.value, scope, &mut bound);
                }
                _ => own.push(resource),
            }
        }
        let names: Vec<&str> = own
            .iter()
            .map(|resource| resource.resource.name.text(db).as_str())
            .collect();
        let bodies: Vec<Vec<Settings<'_, 'db>>> = own
            .iter()
            .map(|resource| {
                [Some(resource.resource), resource.overridden]
                    .into_iter()
                    .flatten()
                    .map(|declared| (file, exprs, declared.settings.as_slice()))
                    .collect()
            })
            .collect();
        let reads = sibling_reads(db, &names, &bodies);
        let tangled = self.instantiator.read_cycles(&names, &reads);
        for at in read_order(own.len(), &reads) {
            let Some(resource) = own.get(at) else {
                continue;
            };
            let Some(offering) = resource
                .resource
                .offering
                .as_ref()
                .and_then(|decl| offering(db, project, decl))
            else {
                continue;
            };
            let name = resource.resource.name.text(db);
            let id = child_id(workload.name(), name);
            let mut assigned: Vec<Assigned> =
                assign(db, scope, (file, exprs, &resource.resource.settings));
            if let Some(overridden) = resource.overridden {
                assigned.extend(assign(db, scope, (file, exprs, &overridden.settings)));
            }
            let request = Request {
                id: id.clone(),
                owner: Owner::Workload(workload.name().to_string()),
                offering,
                site: Label::new(file, resource.resource.site),
                assigned,
                quiet: tangled.contains(&at),
            };
            let mut stack: Vec<Frame> = Vec::new();
            if let Some(outputs) = self.instantiator.instantiate(request, None, &mut stack) {
                scope.bind(name.clone(), outputs);
                bound.insert(name.clone(), id);
            }
        }
        bound
    }

    /// `shared = NAME`: binds the environment's shared instance, or reports E0606.
    fn bind_shared(
        &mut self,
        workload: &Effective<'_, 'db>,
        resource: &EffectiveResource<'_, 'db>,
        shared: ExprId,
        scope: &mut Scope,
        bound: &mut BTreeMap<String, String>,
    ) {
        let db = self.db();
        let Expr::Path(path) = workload.exprs().get(shared) else {
            return;
        };
        let [name] = path.segments.as_slice() else {
            return;
        };
        let name = name.text(db);
        let local = resource.resource.name.text(db);
        if let Some(outputs) = self.shared.outputs.get(name) {
            scope.bind(local.clone(), outputs.clone());
            bound.insert(local.clone(), name.clone());
            return;
        }
        if self.shared.declared.contains(name) {
            return; // declared, but it could not be bound: reported there
        }
        let settings = &self.shared.settings;
        let offering = &resource.resource.offering_written;
        let environment = Label::new(settings.file, settings.name_range).with_message(format!(
            "the environment `{}` is declared here",
            settings.name
        ));
        self.instantiator.diagnostics.push(
            located(
                Code::MissingSharedResource,
                format!(
                    "the environment `{}` has no shared resource `{name}`",
                    settings.name
                ),
                Label::new(workload.file(), path.root_range),
                format!("`{}.{local}` binds `{name}` here", workload.name()),
            )
            .with_secondary(environment)
            .with_help(format!(
                "declare it in the environment `{}`: `{name}: {offering} {{ ... }}`",
                settings.name
            )),
        );
    }
}

fn container_of<'db>(
    db: &'db dyn Db,
    container: &EffectiveContainer<'db>,
    workload: &Effective<'_, 'db>,
    resources: &BTreeMap<String, String>,
    read: &dyn Fn(Option<ExprId>) -> Value,
) -> ResolvedContainer {
    let fields = &container.fields;
    let quantity = |field: Option<ExprId>| text(&read(field));
    ResolvedContainer {
        name: container.name.text(db).clone(),
        image: text(&read(fields.image)).unwrap_or_default(),
        command: texts(&read(fields.command)),
        args: texts(&read(fields.args)),
        env: map(read(fields.env)),
        files: map(read(fields.files)),
        ports: match read(fields.ports) {
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), port(value)?)))
                .collect(),
            _ => BTreeMap::new(),
        },
        cpu: quantity(fields.cpu).unwrap_or_else(|| "100m".to_string()),
        memory: quantity(fields.memory).unwrap_or_else(|| "128Mi".to_string()),
        cpu_limit: quantity(fields.cpu_limit),
        memory_limit: quantity(fields.memory_limit),
        kind: container.kind,
        liveness: fields
            .liveness
            .and_then(|expr| pod::probe(&read(Some(expr)), workload.site(expr))),
        readiness: fields
            .readiness
            .and_then(|expr| pod::probe(&read(Some(expr)), workload.site(expr))),
        startup: fields
            .startup
            .and_then(|expr| pod::probe(&read(Some(expr)), workload.site(expr))),
        pre_stop: fields
            .pre_stop
            .and_then(|expr| pod::handler(&read(Some(expr)), workload.site(expr))),
        volumes: volumes(db, workload.exprs(), fields.volumes, resources),
        source: Label::new(workload.file(), container.label_range),
    }
}

/// The mounts of a container: path → the id of the instance the resource is bound to.
fn volumes(
    db: &dyn Db,
    exprs: &Exprs<'_>,
    field: Option<ExprId>,
    resources: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let Some(Expr::Record(entries)) = field.map(|volumes| exprs.get(volumes)) else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| {
            let Expr::Path(path) = exprs.get(*value) else {
                return None;
            };
            let [name] = path.segments.as_slice() else {
                return None;
            };
            let id = resources.get(name.text(db))?;
            Some((key.text(db).clone(), id.clone()))
        })
        .collect()
}

fn value_map(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(entries) => Arc::unwrap_or_clone(entries),
        _ => BTreeMap::new(),
    }
}

fn text_map(value: Value) -> BTreeMap<String, String> {
    match value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), text(value)?)))
            .collect(),
        _ => BTreeMap::new(),
    }
}
