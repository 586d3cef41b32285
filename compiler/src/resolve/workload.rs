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
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{EnvironmentId, Expr, ExprId, Exprs, Workload, WorkloadId};
use crate::names::NameKind;
use crate::resolve::context::offering;
use crate::resolve::cycle::Frame;
use crate::resolve::effective::{Effective, EffectiveContainer, EffectiveResource};
use crate::resolve::eval::eval;
use crate::resolve::instance::{Assigned, Instantiator, Request, assign};
use crate::resolve::instance_id::InstanceId;
use crate::resolve::model::{
    Caller, Container as ResolvedContainer, Instance, Owner, ResolvedWorkload, WorkloadKind,
};
use crate::resolve::order::{Settings, read_order, sibling_reads};
use crate::resolve::pod;
use crate::resolve::policy::{Judged, check_policies};
use crate::resolve::provisioning::{map, port, text, texts};
use crate::resolve::remote::RemoteCall;
use crate::resolve::removal::{Removal, is_removed, pulled_in, used_removed, uses_of_removed};
use crate::resolve::runtime::{self, Decided};
use crate::resolve::scope::{Scope, record};
use crate::resolve::shared::{SharedPart, environment_shared, uses};
use crate::resolve::value::Value;
use crate::source::{Db, Origin};
use crate::span::TextRange;
use crate::types::schema::{REMOVED, SHARED};

/// One workload resolved in one environment, with the instances it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkloadResolution {
    pub(crate) workload: Arc<ResolvedWorkload>,
    /// Its own instances and what they need, by id.
    pub(crate) instances: BTreeMap<InstanceId, Arc<Instance>>,
    /// Whether the sources remove the workload in this environment (`removed = true`).
    pub(crate) removed: bool,
    /// The ids of its own instances that are removed: all of them when it is, else
    /// those of its resources that say `removed = true`, and what they pulled in.
    pub(crate) removed_instances: BTreeSet<InstanceId>,
    /// The ids of its own instances whose offering is stateful, and of the protected
    /// among them.
    pub(crate) stateful: BTreeSet<InstanceId>,
    pub(crate) protected: BTreeSet<InstanceId>,
    /// E0601–E0607 about it, its policy violations (E0605), its calls to other
    /// applications (E1002–E1004), and what its removals find (E0904, E0905, W0906).
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The workloads of other applications it calls, with where.
    pub(crate) remotes: Vec<RemoteCall>,
}

/// A resource of the workload that says `removed = true`: instantiated, never bound.
struct RemovedResource {
    id: InstanceId,
    /// The `removed = true` that says so.
    site: Label,
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
    in_environment(db, env, workload, |effective, scope, shared| {
        let port = effective.first_port(db, scope);
        address(effective.name(), &shared.settings.namespace, port)
    })
    .unwrap_or(Value::Absent)
}

/// `f` of `workload` as the environment `env` sees it, with the scope of its own
/// expressions (without other workloads' addresses); `None` when either does not exist.
fn in_environment<'db, R>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    workload: WorkloadId<'db>,
    f: impl FnOnce(&Effective<'_, 'db>, &Scope, &SharedPart) -> R,
) -> Option<R> {
    let shared = environment_shared(db, env).as_ref()?;
    let lowered = crate::lowered::workload(db, workload).as_ref()?;
    let effective = Effective::new(db, lowered, env.name(db));
    let scope = workload_scope(Scope::new(), shared, effective.name());
    Some(f(&effective, &scope, shared))
}

/// Whether the sources remove `workload` in the environment `env` (`removed = true`,
/// possibly in its `override` for the environment).
#[salsa::tracked(returns(copy))]
pub(crate) fn workload_removed<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    workload: WorkloadId<'db>,
) -> bool {
    in_environment(db, env, workload, |effective, scope, _| {
        is_removed(db, scope, effective.exprs(), effective.fields.removed)
    })
    .unwrap_or(false)
}

/// Bounds the memo of [`resolve_workload`] to one resolution: the next new revision, or
/// an eviction ([`crate::check::check_rendering_each_environment`]), drops the others.
pub(crate) fn keep_one_resolution(db: &mut dyn Db) {
    resolve_workload::set_lru_capacity(db, 1);
}

/// Whether `workload` runs to completion (a job, scheduled or not): it has no address.
#[salsa::tracked(returns(copy))]
pub(crate) fn runs_to_completion<'db>(db: &'db dyn Db, workload: WorkloadId<'db>) -> bool {
    crate::lowered::workload(db, workload)
        .as_ref()
        .is_some_and(|lowered| lowered.fields.job.is_some() || lowered.fields.schedule.is_some())
}

/// Resolves `workload` in the environment `env`; `None` when either does not exist.
///
/// Kept for as long as the database lives (the language server re-reads them on every
/// edit), unless a command that renders each environment once bounds it
/// ([`keep_one_resolution`]).
#[salsa::tracked(returns(ref), lru = 0)]
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
    let removed = is_removed(db, &scope, effective.exprs(), effective.fields.removed);
    let (resources, removed_resources) = resolver.bind_resources(&effective, &mut scope);
    let resolved = resolver.workload(&effective, &scope, resources);
    let Instantiator {
        instances,
        mut diagnostics,
        stateful,
        protected,
        ..
    } = resolver.instantiator;
    let environment_name = env.name(db);
    let mut removals = Vec::new();
    let mut removed_instances = BTreeSet::new();
    if removed {
        removed_instances.extend(instances.keys().cloned());
        let site = effective
            .fields
            .removed
            .map(|expr| effective.exprs().range(expr))
            .unwrap_or(lowered.name_range);
        removals.push(Removal {
            site: Label::new(effective.file(), site),
            what: format!("the workload `{}`", effective.name()),
            environment: environment_name,
            instances: instances.values().map(AsRef::as_ref).collect(),
        });
    }
    for resource in &removed_resources {
        let ids = pulled_in(instances.keys(), &resource.id);
        if !removed {
            removals.push(Removal {
                site: resource.site.clone(),
                what: format!("the resource `{}`", resource.id),
                environment: environment_name,
                instances: ids
                    .iter()
                    .filter_map(|id| instances.get(id).map(AsRef::as_ref))
                    .collect(),
            });
        }
        removed_instances.extend(ids);
    }
    for removal in &removals {
        diagnostics.extend(removal.diagnostics(&stateful, &protected));
    }
    if !removed {
        diagnostics.extend(uses_of_removed_things(
            db,
            env,
            &effective,
            &removed_resources,
        ));
        diagnostics.extend(runtime::check(&Decided {
            db,
            project,
            environment: environment_name,
            workload: &effective,
            scope: &scope,
            resolved: &resolved,
            instances: &instances,
        }));
        let instance = |id: &str| {
            instances
                .get(id)
                .or_else(|| shared.instances.get(id))
                .map(Arc::as_ref)
        };
        diagnostics.extend(check_policies(&Judged {
            db,
            project,
            env: &shared.settings,
            environment,
            workload: &resolved,
            decl: &lowered.decl,
            instance: &instance,
        }));
    }
    let remote = crate::resolve::remote::remote_calls(
        db,
        env,
        &lowered.decl,
        effective.file(),
        effective.fields.calls.as_deref().unwrap_or_default(),
    );
    if !removed {
        diagnostics.extend(remote.diagnostics);
    }
    Some(WorkloadResolution {
        workload: Arc::new(resolved),
        instances,
        removed,
        removed_instances,
        stateful,
        protected,
        diagnostics,
        remotes: remote.callees,
    })
}

/// E0905 for what the live workload `effective` uses that is removed in `env`: a
/// resource of its own that says `removed = true`, a workload it calls or whose
/// address it reads.
fn uses_of_removed_things<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    effective: &Effective<'_, 'db>,
    removed_resources: &[RemovedResource],
) -> Vec<Diagnostic> {
    let project = env.project(db);
    let index = crate::names::project_index(db, project);
    let environment = env.name(db);
    let exprs = effective.exprs();
    let user = format!("the workload `{}`", effective.name());
    let own: BTreeSet<&str> = removed_resources
        .iter()
        .filter_map(|resource| resource.id.rsplit_once('.').map(|(_, name)| name))
        .collect();
    let mut roots = Vec::new();
    let fields = effective
        .fields
        .named()
        .into_iter()
        .filter_map(|(_, id)| id);
    let containers = effective
        .containers
        .iter()
        .flat_map(|container| container.fields.named())
        .filter_map(|(_, id)| id);
    let resources = effective
        .resources
        .iter()
        .filter(|resource| !own.contains(resource.resource.name.text(db).as_str()))
        .flat_map(|resource| [Some(resource.resource), resource.overridden])
        .flatten()
        .flat_map(|declared| declared.settings.iter().map(|setting| setting.value));
    for expr in fields.chain(containers).chain(resources) {
        exprs.roots(expr, &mut roots);
    }
    let calls = effective.fields.calls.iter().flatten();
    roots.extend(calls.map(|call| (call.name, call.range)));
    let removed_workload = |name: &str| {
        index
            .project_decl(name)
            .filter(|decl| decl.kind == NameKind::Workload)
            .is_some_and(|_| {
                workload_removed(
                    db,
                    env,
                    WorkloadId::new(db, project, Origin::Project, name.to_string()),
                )
            })
    };
    let mut removed: BTreeMap<String, String> = BTreeMap::new();
    for (name, _) in &roots {
        let name = name.text(db);
        if own.contains(name.as_str()) {
            let id = InstanceId::child(effective.name(), name);
            removed.insert(name.clone(), format!("the resource `{id}`"));
        } else if name != effective.name() && removed_workload(name) {
            removed.insert(name.clone(), format!("the workload `{name}`"));
        }
    }
    uses_of_removed(db, effective.file(), &roots, &removed, &user, environment)
}

/// The addresses of the workloads that `lowered`'s expressions name, by name.
fn addresses<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    lowered: &Workload<'db>,
) -> BTreeMap<String, Value> {
    let project = env.project(db);
    lowered
        .workloads_named
        .iter()
        .map(|named| {
            let decl = &named.decl;
            let other = WorkloadId::new(db, project, decl.origin, decl.name.clone());
            (
                named.name.text(db).clone(),
                workload_address(db, env, other).clone(),
            )
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
        resources: BTreeMap<String, InstanceId>,
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
            .filter_map(|call| Some(call.target.as_ref()?.name.clone()))
            .collect();
        calls.sort();
        calls.dedup();
        let callers = callers(read(fields.callers));
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
            callers,
            source: Label::new(workload.file(), workload.lowered.name_range),
        }
    }

    /// Binds the workload's resources in `scope` to their outputs; returns local name →
    /// instance id, and the resources that say `removed = true` (instantiated, so that
    /// what Terraform needs to destroy them is known, but never bound).
    fn bind_resources(
        &mut self,
        workload: &Effective<'_, 'db>,
        scope: &mut Scope,
    ) -> (BTreeMap<String, InstanceId>, Vec<RemovedResource>) {
        let db = self.db();
        let project = self.instantiator.project;
        let file = workload.file();
        let exprs = workload.exprs();
        let mut bound = BTreeMap::new();
        let mut removed = Vec::new();
        // Shared ones first: the environment has resolved them already.
        let mut own = Vec::new();
        for resource in &workload.resources {
            let removal = self.removal(resource, exprs, scope);
            if removal.is_some()
                && shared_setting(db, resource).is_some()
                && !offers_param(db, project, resource, SHARED)
            {
                continue; // it stops using the shared resource: nothing of its own goes
            }
            let shared = shared_setting(db, resource);
            let offers_shared_param = offers_param(db, project, resource, SHARED);
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
            let id = InstanceId::child(workload.name(), name);
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
            let outputs = self.instantiator.instantiate(request, None, &mut stack);
            if let Some(site) = self.removal(resource, exprs, scope) {
                removed.push(RemovedResource {
                    id,
                    site: Label::new(file, site),
                });
            } else if let Some(outputs) = outputs {
                scope.bind(name.clone(), outputs);
                bound.insert(name.clone(), id);
            }
        }
        (bound, removed)
    }

    /// Where a resource says `removed = true` (the last of its declaration and its
    /// override's), when it does and its offering has no param of that name.
    fn removal(
        &self,
        resource: &EffectiveResource<'_, 'db>,
        exprs: &Exprs<'db>,
        scope: &Scope,
    ) -> Option<TextRange> {
        let db = self.db();
        if offers_param(db, self.instantiator.project, resource, REMOVED) {
            return None;
        }
        let setting = [Some(resource.resource), resource.overridden]
            .into_iter()
            .flatten()
            .filter_map(|declared| {
                declared
                    .settings
                    .iter()
                    .find(|setting| setting.name.text(db) == REMOVED)
            })
            .next_back()?;
        is_removed(db, scope, exprs, Some(setting.value)).then(|| exprs.range(setting.value))
    }

    /// `shared = NAME`: binds the environment's shared instance, or reports E0606.
    fn bind_shared(
        &mut self,
        workload: &Effective<'_, 'db>,
        resource: &EffectiveResource<'_, 'db>,
        shared: ExprId,
        scope: &mut Scope,
        bound: &mut BTreeMap<String, InstanceId>,
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
        if let Some((id, outputs)) = self.shared.outputs.get_key_value(name.as_str()) {
            scope.bind(local.clone(), outputs.clone());
            bound.insert(local.clone(), id.clone());
            return;
        }
        if self.shared.removed.contains(name) {
            let at = Label::new(workload.file(), path.root_range);
            self.instantiator.diagnostics.push(used_removed(
                at,
                &format!("`{}.{local}`", workload.name()),
                &format!("the shared resource `{name}`"),
                &self.shared.settings.name,
            ));
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

/// The `shared = NAME` of a resource: the last of its declaration and its override's.
fn shared_setting<'a, 'db>(
    db: &'db dyn Db,
    resource: &EffectiveResource<'a, 'db>,
) -> Option<&'a crate::lowered::Setting<'db>> {
    [Some(resource.resource), resource.overridden]
        .into_iter()
        .flatten()
        .filter_map(|declared| {
            declared
                .settings
                .iter()
                .find(|setting| setting.name.text(db) == SHARED)
        })
        .next_back()
}

/// Whether the offering of a resource declares a param `name` (which then is one, not
/// the language's `shared` or `removed`).
fn offers_param(
    db: &dyn Db,
    project: crate::source::Project,
    resource: &EffectiveResource<'_, '_>,
    name: &str,
) -> bool {
    resource
        .resource
        .offering
        .as_ref()
        .and_then(|decl| offering(db, project, decl))
        .is_some_and(|offering| offering.sig.param(name).is_some())
}

fn container_of<'db>(
    db: &'db dyn Db,
    container: &EffectiveContainer<'db>,
    workload: &Effective<'_, 'db>,
    resources: &BTreeMap<String, InstanceId>,
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
    resources: &BTreeMap<String, InstanceId>,
) -> BTreeMap<String, InstanceId> {
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

/// The workloads of other applications that `callers = ["APPLICATION.WORKLOAD", ...]`
/// admits, sorted, each once (the checker holds every entry to that form).
fn callers(value: Value) -> Vec<Caller> {
    let mut callers: Vec<Caller> = texts(&value)
        .into_iter()
        .filter_map(|entry| {
            // A workload's name has no `.`; an application's may.
            let (application, workload) = entry.rsplit_once('.')?;
            Some(Caller {
                application: application.to_string(),
                workload: workload.to_string(),
            })
        })
        .collect();
    callers.sort();
    callers.dedup();
    callers
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
