//! What would break at run time, judged on one workload in one environment once its
//! values are decided: the checks that a declaration alone cannot make, because an
//! override, an environment or a value computed per environment decides them.
//!
//! Invariants: every check reads the workload as the environment sees it
//! ([`Effective`]) and its resolved values, and nothing of other workloads but whether
//! they run to completion (a check across workloads is a query of its own in
//! [`crate::resolve::environment`]); each problem is reported once, under one code, at
//! the expression that causes it, with a message that does not name the environment,
//! so that the same problem found in several environments is reported once. What it
//! finds:
//!
//! - what the workload reaches of others: the address of a workload it does not call
//!   (E0616), a job it calls or whose address it reads (E0612);
//! - every attribute against its schema type once decided (E0603), and a `match` with
//!   no arm for its value (E0620);
//! - its pods: a request above its limit (E0615); a probe (HTTP, gRPC or TCP) or a
//!   `pre_stop` HTTP GET on a port its container does not declare, a route on a port
//!   no container declares, a `service_ports` entry for a port no container declares
//!   (E0617); a port number or name declared twice among the containers that run
//!   together (E0624); two mounts at one path (E0623); a `pre_stop` sleep longer than
//!   the grace period (E0613); two values under one key of a ConfigMap or Secret (E0619);
//! - its Service: two container ports on one Service port (E0614), where their
//!   container ports differ (the same number twice is E0624's);
//! - its autoscaler: `min` above `max` (E0610), `replicas` beside it (W0611);
//! - a route that a job owns (E0612).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{Expr, ExprId, Exprs, Part, WorkloadId};
use crate::names::{DeclRef, suggest};
use crate::resolve::conform::{describe, misfit};
use crate::resolve::effective::{Effective, EffectiveContainer};
use crate::resolve::eval::evaluate;
use crate::resolve::instance_id::InstanceId;
use crate::resolve::model::{
    Container, HandlerAction, Instance, ProbeAction, Provisioning, ResolvedWorkload, WorkloadKind,
};
use crate::resolve::naming::{Carrier, file_key};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::resolve::workload::runs_to_completion;
use crate::source::{Db, Project, SourceFile};
use crate::span::TextRange;
use crate::types::literal;
use crate::types::schema::{self, BlockSchema};
use crate::types::{FieldTy, Ty};

/// Kubernetes' grace period when a pod does not set one, in seconds.
pub(crate) const DEFAULT_GRACE_SECONDS: u32 = 30;

/// One workload in one environment, decided: what the checks read.
pub(crate) struct Decided<'a, 'db> {
    pub(crate) db: &'db dyn Db,
    pub(crate) project: Project,
    /// The environment's name.
    pub(crate) environment: &'a str,
    pub(crate) workload: &'a Effective<'a, 'db>,
    /// The scope its expressions are evaluated in.
    pub(crate) scope: &'a Scope,
    pub(crate) resolved: &'a ResolvedWorkload,
    /// The instances it owns, by id.
    pub(crate) instances: &'a BTreeMap<InstanceId, Arc<Instance>>,
}

/// Everything this module finds about a decided workload.
pub(crate) fn check(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let mut diagnostics = reached_workloads(decided);
    diagnostics.extend(unfit_attributes(decided));
    for (container, resolved) in decided.containers() {
        diagnostics.extend(requests_above_limits(decided, container, resolved));
        diagnostics.extend(undeclared_probe_ports(decided, container, resolved));
        diagnostics.extend(mount_clashes(decided, container, resolved));
        diagnostics.extend(pre_stop_outlasts_grace(decided, container, resolved));
    }
    if decided.resolved.runs_to_completion() {
        diagnostics.extend(routes_of_a_job(decided));
    } else {
        diagnostics.extend(undeclared_route_ports(decided));
        diagnostics.extend(undeclared_service_ports(decided));
        diagnostics.extend(service_ports_taken(decided));
    }
    diagnostics.extend(port_clashes(decided));
    diagnostics.extend(autoscaling(decided));
    diagnostics.extend(key_clashes(decided));
    diagnostics
}

impl<'a, 'db> Decided<'a, 'db> {
    fn exprs(&self) -> &'a Exprs<'db> {
        self.workload.exprs()
    }

    fn file(&self) -> SourceFile {
        self.workload.file()
    }

    /// Each container as written (of every kind), with its resolved values (they are in
    /// the same order).
    fn containers(&self) -> impl Iterator<Item = (&'a EffectiveContainer<'db>, &'a Container)> {
        self.workload
            .containers
            .iter()
            .zip(&self.resolved.containers)
    }

    /// Where the entry `key` of the record literal `field` is written (its value), or
    /// the whole field when it is not a record literal.
    fn entry_range(&self, field: Option<ExprId>, key: &str) -> Option<TextRange> {
        let field = field?;
        let exprs = self.exprs();
        if let Expr::Record(entries) = exprs.get(field)
            && let Some((_, value)) = entries.iter().find(|(name, _)| name.text(self.db) == key)
        {
            return Some(exprs.range(*value));
        }
        Some(exprs.range(field))
    }

    fn label(&self, range: TextRange) -> Label {
        Label::new(self.file(), range)
    }

    /// Where the attribute `field` is written, when it is.
    fn site(&self, field: Option<ExprId>) -> Option<Label> {
        Some(self.label(self.exprs().range(field?)))
    }
}

/// What the workload reaches of other workloads, as its expressions and its `calls`
/// name them: E0612 for a job it calls or whose address it reads (a job has none);
/// E0616 for a workload whose address it reads without calling it, since its
/// NetworkPolicy would drop every request. One diagnostic per workload read, at the
/// first place it is read, the others as secondary labels; one per call of a job.
fn reached_workloads(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let db = decided.db;
    let workload = decided.workload;
    let is_job = |decl: &DeclRef| {
        let id = WorkloadId::new(db, decided.project, decl.origin, decl.name.clone());
        runs_to_completion(db, id)
    };
    // The workloads its expressions name: of the project, or of another application
    // imported by that name.
    let named = |name: &str| {
        workload
            .lowered
            .workloads_named
            .iter()
            .find(|named| named.name.text(db) == name)
            .map(|named| &named.decl)
    };
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
        .map(|call| (call.name.text(db).as_str(), call.range))
        .collect();
    let mut roots = Vec::new();
    for id in workload.expressions() {
        exprs.roots(id, &mut roots);
    }
    let mut read: BTreeMap<&str, Vec<TextRange>> = BTreeMap::new();
    for (name, range) in &roots {
        let name = name.text(db).as_str();
        if named(name).is_some() && !locals.contains(name) {
            read.entry(name).or_default().push(*range);
        }
    }
    let file = workload.file();
    let mut diagnostics: Vec<Diagnostic> = workload
        .fields
        .calls
        .iter()
        .flatten()
        .filter(|call| call.target.as_ref().is_some_and(is_job))
        .map(|call| {
            let name = call.name.text(db);
            address_of_a_job(workload.name(), name, "calls", Label::new(file, call.range))
        })
        .collect();
    for (name, mut ranges) in read {
        ranges.sort();
        ranges.dedup();
        let Some((first, rest)) = ranges.split_first() else {
            continue;
        };
        let mut diagnostic = if named(name).is_some_and(is_job) {
            address_of_a_job(
                workload.name(),
                name,
                "reads the address of",
                Label::new(file, *first),
            )
        } else if calls.iter().any(|(called, _)| *called == name) {
            continue;
        } else {
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
            if let Some(list) = calls
                .iter()
                .map(|(_, range)| *range)
                .reduce(|a, b| a.cover(b))
            {
                diagnostic = diagnostic
                    .with_secondary(Label::new(file, list).with_message("the workloads it calls"));
            }
            diagnostic
        };
        for range in rest {
            diagnostic = diagnostic
                .with_secondary(Label::new(file, *range).with_message("and here".to_string()));
        }
        diagnostics.push(diagnostic);
    }
    diagnostics
}

/// E0612 at `site`, where `workload` reaches the job `job` (`how`: "calls", "reads the
/// address of").
fn address_of_a_job(workload: &str, job: &str, how: &str, site: Label) -> Diagnostic {
    located(
        Code::JobWithoutAddress,
        format!("`{workload}` {how} `{job}`, a job, which has no address"),
        site,
        format!("`{job}` runs to completion: it has no Service"),
    )
    .with_help(format!(
        "a job is reached by nothing: hand it work through a resource both use (a queue, a \
         bucket), or make `{job}` a service by removing its `job` and `schedule`"
    ))
}

/// E0612 for each route that the job owns, at the route's declaration.
fn routes_of_a_job(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let workload = decided.workload.name();
    decided
        .instances
        .values()
        .filter(|instance| {
            matches!(
                instance.provisioning,
                Provisioning::Ingress(_) | Provisioning::GatewayRoute(_)
            )
        })
        .map(|instance| {
            let route = instance.id.rsplit('.').next().unwrap_or(&instance.id);
            located(
                Code::JobWithoutAddress,
                format!(
                    "the job `{workload}` owns the route `{route}`, which would reach no Service"
                ),
                instance.source.clone(),
                "a job has no Service to route requests to",
            )
            .with_help(format!(
                "move the route to the service that answers the requests, or make \
                 `{workload}` a service by removing its `job` and `schedule`"
            ))
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

/// Every attribute of the workload and of its containers, evaluated in the environment,
/// against the type its schema gives it: E0620 at a `match` that no arm fits, E0603 for
/// a value that does not fit (a label computed per environment, a probe's period). A
/// record literal (a probe, `autoscaling`, `schedule`) is judged field by field, at
/// each field's value.
fn unfit_attributes(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let workload = decided.workload;
    let mut diagnostics = Vec::new();
    let owner = || format!("`{}`", workload.name());
    for (name, id) in workload.fields.named() {
        diagnostics.extend(judge_attribute(
            decided,
            schema::workload(),
            &owner,
            name,
            id,
        ));
    }
    for container in &workload.containers {
        let owner = || {
            format!(
                "the {} `{}` of `{}`",
                container.kind.noun(),
                container.name.text(decided.db),
                workload.name()
            )
        };
        for (name, id) in container.fields.named() {
            diagnostics.extend(judge_attribute(
                decided,
                container.kind.schema(false),
                &owner,
                name,
                id,
            ));
        }
    }
    diagnostics
}

/// What a diagnostic calls a judged value and its owner (`` `period` of `liveness` ``,
/// `` the container `main` of `api` ``): written only when there is a diagnostic.
type Naming<'n> = &'n dyn Fn() -> String;

fn judge_attribute(
    decided: &Decided<'_, '_>,
    schema: &BlockSchema,
    owner: Naming<'_>,
    name: &str,
    id: Option<ExprId>,
) -> Vec<Diagnostic> {
    let (Some(id), Some(field)) = (id, schema.field(name)) else {
        return Vec::new();
    };
    let exprs = decided.exprs();
    if let (Expr::Record(entries), Some(fields)) = (exprs.get(id), field.ty.fields()) {
        return entries
            .iter()
            .filter_map(|(key, value)| {
                let key = key.text(decided.db);
                let field: &FieldTy = fields.iter().find(|field| field.name == *key)?;
                Some(judge_value(
                    decided,
                    &|| format!("`{key}` of `{name}`"),
                    owner,
                    &field.ty,
                    *value,
                ))
            })
            .flatten()
            .collect();
    }
    judge_value(decided, &|| format!("`{name}`"), owner, &field.ty, id)
}

/// E0620 for each `match` of the expression `id` without an arm for its value; else
/// E0603 when its value does not fit `ty`.
fn judge_value(
    decided: &Decided<'_, '_>,
    name: Naming<'_>,
    owner: Naming<'_>,
    ty: &Ty,
    id: ExprId,
) -> Vec<Diagnostic> {
    let exprs = decided.exprs();
    if is_literal(exprs, id, 0) {
        return Vec::new();
    }
    let evaluated = evaluate(decided.db, decided.scope, exprs, id);
    if !evaluated.unmatched.is_empty() {
        return evaluated
            .unmatched
            .iter()
            .map(|unmatched| no_matching_arm(decided, exprs, *unmatched))
            .collect();
    }
    // A value with a part left out comes from something reported where it is made (a
    // resource that could not be bound), or not decided before provisioning: not judged.
    if has_absent(&evaluated.value) {
        return Vec::new();
    }
    let Some(reason) = misfit(&evaluated.value, ty) else {
        return Vec::new();
    };
    let (name, owner) = (name(), owner());
    vec![
        Diagnostic::new(
            Code::MergedTypeMismatch,
            format!(
                "{name} of {owner} does not fit its type in the environment `{}`",
                decided.environment
            ),
            decided.file(),
            exprs.range(id),
        )
        .with_label(reason)
        .with_help(format!(
            "give {name} a value that is a `{ty}` in `{}`: it is {} there",
            decided.environment,
            describe(&evaluated.value)
        )),
    ]
}

/// Whether the expression `id` is a literal (a list or record of literals included): the
/// same in every environment, and judged against the same type by the checker already
/// (`types::expr::constraint`), which reports it once rather than once per environment.
fn is_literal(exprs: &Exprs<'_>, id: ExprId, depth: usize) -> bool {
    if depth > crate::resolve::eval::MAX_DEPTH {
        return false;
    }
    match exprs.get(id) {
        Expr::Int(_) | Expr::Float(_) | Expr::Quantity(_) | Expr::Bool(_) => true,
        Expr::Str(parts) => parts.iter().all(|part| matches!(part, Part::Text(_))),
        Expr::List(items) => items.iter().all(|item| is_literal(exprs, *item, depth + 1)),
        Expr::Record(entries) => entries
            .iter()
            .all(|(_, value)| is_literal(exprs, *value, depth + 1)),
        _ => false,
    }
}

/// Whether `value`, or a part of it, is left out.
fn has_absent(value: &Value) -> bool {
    match value.revealed() {
        Value::Absent => true,
        Value::List(items) => items.iter().any(has_absent),
        Value::Map(entries) => entries.values().any(has_absent),
        _ => false,
    }
}

/// E0620 at a `match` of `exprs` that no arm fits in the environment.
pub(crate) fn no_matching_arm(
    decided: &Decided<'_, '_>,
    exprs: &Exprs<'_>,
    unmatched: ExprId,
) -> Diagnostic {
    no_arm(
        decided.db,
        decided.scope,
        decided.file(),
        exprs,
        unmatched,
        decided.environment,
    )
}

/// E0620 at the `match` `unmatched` of `exprs`, in `file`, evaluated in `scope`.
pub(crate) fn no_arm(
    db: &dyn Db,
    scope: &Scope,
    file: SourceFile,
    exprs: &Exprs<'_>,
    unmatched: ExprId,
    environment: &str,
) -> Diagnostic {
    let value = match exprs.get(unmatched) {
        Expr::Match { scrutinee, .. } => evaluate(db, scope, exprs, *scrutinee).value,
        _ => Value::Absent,
    };
    let range = exprs.range(unmatched);
    Diagnostic::new(
        Code::NoMatchingArm,
        format!(
            "no arm of this `match` matches {} in the environment `{environment}`",
            describe(&value)
        ),
        file,
        TextRange::new(range.start, range.start + "match".len() as u32),
    )
    .with_label(format!("nothing matches {}", describe(&value)))
    .with_help("add an arm for it, or a `_ => ...` arm for every other value")
}

/// E0615 for a request above its limit (a limit left out is the request).
fn requests_above_limits(
    decided: &Decided<'_, '_>,
    container: &EffectiveContainer<'_>,
    resolved: &Container,
) -> Vec<Diagnostic> {
    let fields = &container.fields;
    let pairs = [
        (
            "cpu",
            &resolved.cpu,
            resolved.cpu_limit.as_ref(),
            fields.cpu,
            fields.cpu_limit,
            literal::parse_cpu as fn(&str) -> Result<u128, String>,
        ),
        (
            "memory",
            &resolved.memory,
            resolved.memory_limit.as_ref(),
            fields.memory,
            fields.memory_limit,
            literal::parse_memory,
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(what, request, limit, request_at, limit_at, parse)| {
            let limit = limit?;
            let (Ok(wanted), Ok(most)) = (parse(request), parse(limit)) else {
                return None;
            };
            if wanted <= most {
                return None;
            }
            let limit_range = decided.exprs().range(limit_at?);
            let request_label = match request_at {
                Some(at) => decided
                    .label(decided.exprs().range(at))
                    .with_message(format!("requests {request}")),
                None => decided
                    .label(container.label_range)
                    .with_message(format!("requests {request} (the default)")),
            };
            Some(
                Diagnostic::new(
                    Code::RequestAboveLimit,
                    format!(
                        "the container `{}` of `{}` requests more {what} than its limit",
                        container.name.text(decided.db),
                        decided.workload.name()
                    ),
                    decided.file(),
                    limit_range,
                )
                .with_label(format!(
                    "a limit of {limit} is below the request of {request}"
                ))
                .with_secondary(request_label)
                .with_help(format!(
                    "Kubernetes refuses a pod whose {what} request is above its limit: raise \
                     `{what}_limit` to at least {request}, or lower `{what}`"
                )),
            )
        })
        .collect()
}

/// E0617 for each probe (HTTP, gRPC or TCP) and `pre_stop` HTTP GET of a container
/// that reaches a port the container does not declare, at the port as written.
fn undeclared_probe_ports(
    decided: &Decided<'_, '_>,
    container: &EffectiveContainer<'_>,
    resolved: &Container,
) -> Vec<Diagnostic> {
    let fields = &container.fields;
    let probes = [
        ("liveness", fields.liveness, &resolved.liveness),
        ("readiness", fields.readiness, &resolved.readiness),
        ("startup", fields.startup, &resolved.startup),
    ];
    let mut reached: Vec<(String, Option<ExprId>, &'static str, u16)> = probes
        .into_iter()
        .filter_map(|(kind, field, probe)| {
            let (key, port) = match probe.as_ref()?.action {
                ProbeAction::HttpGet(ref http) => ("port", http.port),
                ProbeAction::Grpc { port, .. } => ("grpc", port),
                ProbeAction::Tcp { port } => ("tcp", port),
                ProbeAction::Exec { .. } => return None,
            };
            Some((format!("the {kind} probe"), field, key, port))
        })
        .collect();
    if let Some(pre_stop) = &resolved.pre_stop
        && let HandlerAction::HttpGet(http) = &pre_stop.action
    {
        reached.push((
            "the `pre_stop` hook".to_string(),
            fields.pre_stop,
            "port",
            http.port,
        ));
    }
    reached
        .into_iter()
        .filter(|(_, _, _, port)| !resolved.ports.values().any(|declared| declared == port))
        .filter_map(|(what, field, key, port)| {
            let range = decided.entry_range(field, key)?;
            Some(
                Diagnostic::new(
                    Code::UndeclaredPort,
                    format!(
                        "{what} of the {} `{}` of `{}` is sent to port {port}, which the \
                         container does not declare",
                        container.kind.noun(),
                        container.name.text(decided.db),
                        decided.workload.name()
                    ),
                    decided.file(),
                    range,
                )
                .with_label(format!("port {port} is not in the container's `ports`"))
                .with_help(ports_help(&resolved.ports, port)),
            )
        })
        .collect()
}

/// E0617 for a route of the workload to a port its Service does not have.
fn undeclared_route_ports(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let ports = serving_ports(decided.resolved);
    decided
        .instances
        .values()
        .filter_map(|instance| {
            let (Provisioning::Ingress(route) | Provisioning::GatewayRoute(route)) =
                &instance.provisioning
            else {
                return None;
            };
            if ports.values().any(|port| *port == route.port) {
                return None;
            }
            let local = instance.id.rsplit('.').next().unwrap_or(&instance.id);
            let range = route_port_range(decided, local);
            let (file, range) = match range {
                Some(range) => (decided.file(), range),
                None => (instance.source.file, instance.source.range),
            };
            Some(
                Diagnostic::new(
                    Code::UndeclaredPort,
                    format!(
                        "the route `{local}` of `{}` sends requests to port {}, which no \
                         container of `{}` declares",
                        decided.workload.name(),
                        route.port,
                        decided.workload.name()
                    ),
                    file,
                    range,
                )
                .with_label(format!("the workload's Service has no port {}", route.port))
                .with_help(ports_help(&ports, route.port)),
            )
        })
        .collect()
}

/// Where the resource `local` of the workload sets `port`: its override's, else its own.
fn route_port_range(decided: &Decided<'_, '_>, local: &str) -> Option<TextRange> {
    let resource = decided
        .workload
        .resources
        .iter()
        .find(|resource| resource.resource.name.text(decided.db) == local)?;
    [resource.overridden, Some(resource.resource)]
        .into_iter()
        .flatten()
        .find_map(|declared| {
            declared
                .settings
                .iter()
                .find(|setting| setting.name.text(decided.db) == "port")
                .map(|setting| decided.exprs().range(setting.value))
        })
}

fn ports_help(ports: &BTreeMap<String, u16>, port: u16) -> String {
    if ports.is_empty() {
        return format!("declare it: `ports = {{ http = {port} }}`");
    }
    let declared: Vec<String> = ports
        .iter()
        .map(|(name, number)| format!("`{name}` = {number}"))
        .collect();
    format!(
        "declare port {port} in `ports`, or use a declared one: {}",
        declared.join(", ")
    )
}

/// The ports of the containers that serve (main containers and sidecars): name →
/// number, the first container that declares a name wins, as in the Service.
fn serving_ports(workload: &ResolvedWorkload) -> BTreeMap<String, u16> {
    let mut ports = BTreeMap::new();
    for container in workload.serving_containers() {
        for (name, port) in &container.ports {
            ports.entry(name.clone()).or_insert(*port);
        }
    }
    ports
}

/// E0617 for each name of `service_ports` that no serving container declares.
fn undeclared_service_ports(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let field = decided.workload.fields.service_ports;
    let ports = serving_ports(decided.resolved);
    decided
        .resolved
        .service_ports
        .keys()
        .filter(|name| !ports.contains_key(name.as_str()))
        .filter_map(|name| {
            let names: Vec<&str> = ports.keys().map(String::as_str).collect();
            let help = suggest::did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
                if names.is_empty() {
                    "declare the port in a container's `ports`: `ports = { http = 8080 }`"
                        .to_string()
                } else {
                    format!("the container ports are {}", suggest::all_of(&names))
                }
            });
            let range = decided.entry_range(field, name)?;
            Some(
                Diagnostic::new(
                    Code::UndeclaredPort,
                    format!(
                        "`service_ports` of `{}` names the port `{name}`, which no container \
                         declares",
                        decided.workload.name()
                    ),
                    decided.file(),
                    range,
                )
                .with_label(format!("no container port `{name}`"))
                .with_help(help),
            )
        })
        .collect()
}

/// E0614 for each Service port number that two container ports of different numbers
/// would share (two of one number are E0624's).
fn service_ports_taken(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let workload = decided.resolved;
    let field = decided.workload.fields.service_ports;
    let mut by_number: BTreeMap<u16, Vec<(String, u16)>> = BTreeMap::new();
    for (name, port) in serving_ports(workload) {
        by_number
            .entry(workload.service_port(&name, port))
            .or_default()
            .push((name, port));
    }
    by_number
        .into_iter()
        .filter(|(_, ports)| {
            let numbers: BTreeSet<u16> = ports.iter().map(|(_, port)| *port).collect();
            numbers.len() > 1
        })
        .map(|(number, ports)| {
            let names: Vec<&str> = ports.iter().map(|(name, _)| name.as_str()).collect();
            let mapped = names
                .iter()
                .find(|name| workload.service_ports.contains_key(**name))
                .and_then(|name| decided.entry_range(field, name));
            let site = mapped.map_or_else(|| workload.source.clone(), |range| decided.label(range));
            located(
                Code::ServicePortTaken,
                format!(
                    "the Service of `{}` would listen on port {number} for {}",
                    workload.name,
                    suggest::all_of(&names)
                ),
                site,
                format!("{} share port {number}", suggest::all_of(&names)),
            )
            .with_help(format!(
                "give each its own port in `service_ports`: `{{ {} = {number}, {} = {} }}`",
                names[0],
                names[1],
                number.saturating_add(1)
            ))
        })
        .collect()
}

/// E0610 for an autoscaler's `min` above its `max`; W0611 for `replicas` beside it.
fn autoscaling(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let workload = decided.resolved;
    let WorkloadKind::Service {
        autoscaling: Some(autoscaling),
    } = &workload.kind
    else {
        return Vec::new();
    };
    let fields = &decided.workload.fields;
    let Some(site) = decided.site(fields.autoscaling) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    if autoscaling.min > autoscaling.max {
        diagnostics.push(
            located(
                Code::AutoscalingBounds,
                format!(
                    "the autoscaler of `{}` keeps at least {} and at most {} replicas",
                    workload.name, autoscaling.min, autoscaling.max
                ),
                site.clone(),
                format!(
                    "`min` ({}) is above `max` ({})",
                    autoscaling.min, autoscaling.max
                ),
            )
            .with_help("set `min` to at most `max`"),
        );
    }
    if let Some(replicas) = decided.site(fields.replicas) {
        diagnostics.push(
            located(
                Code::ReplicasWithAutoscaling,
                format!(
                    "`replicas` of `{}` is left out where the autoscaler keeps {} to {} replicas",
                    workload.name, autoscaling.min, autoscaling.max
                ),
                replicas,
                "not written: the autoscaler owns the replica count",
            )
            .with_secondary(site.with_message("the autoscaler is set here"))
            .with_help(format!(
                "remove `replicas`, or set it only in the overrides of the environments without \
                 `autoscaling`; policies read `workload.replicas` as the autoscaler's `min` ({})",
                autoscaling.min
            )),
        );
    }
    diagnostics
}

/// E0613 for a `pre_stop` sleep of a container longer than the workload's grace period.
fn pre_stop_outlasts_grace(
    decided: &Decided<'_, '_>,
    container: &EffectiveContainer<'_>,
    resolved: &Container,
) -> Option<Diagnostic> {
    let pre_stop = resolved.pre_stop.as_ref()?;
    let HandlerAction::Sleep { seconds } = pre_stop.action else {
        return None;
    };
    let workload = decided.resolved;
    let grace = workload
        .termination_grace_period
        .unwrap_or(DEFAULT_GRACE_SECONDS);
    if seconds <= grace {
        return None;
    }
    let range = decided.entry_range(container.fields.pre_stop, "sleep")?;
    let mut diagnostic = Diagnostic::new(
        Code::PreStopOutlastsGrace,
        format!(
            "the `pre_stop` of `{}` sleeps {seconds}s, longer than the {grace}s a pod of `{}` \
             has to stop",
            resolved.name, workload.name
        ),
        decided.file(),
        range,
    )
    .with_label(format!("sleeps {seconds}s"));
    if let Some(site) = decided.site(decided.workload.fields.termination_grace_period) {
        diagnostic = diagnostic
            .with_secondary(site.with_message(format!("the grace period is {grace}s here")));
    }
    Some(diagnostic.with_help(format!(
        "sleep at most {grace}s, or set `termination_grace_period = {seconds}s` (or longer) on \
         the workload"
    )))
}

/// E0623 for two mounts of a container at one path, or one under a mounted file.
fn mount_clashes(
    decided: &Decided<'_, '_>,
    container: &EffectiveContainer<'_>,
    resolved: &Container,
) -> Vec<Diagnostic> {
    let fields = &container.fields;
    let mut mounts: Vec<(String, bool, TextRange)> = Vec::new();
    for path in resolved.files.keys() {
        let range = decided.entry_range(fields.files, path).unwrap_or_default();
        mounts.push((normal(path), true, range));
    }
    for path in resolved.volumes.keys() {
        let range = decided
            .entry_range(fields.volumes, path)
            .unwrap_or_default();
        mounts.push((normal(path), false, range));
    }
    let mut diagnostics = Vec::new();
    for (at, (path, _, range)) in mounts.iter().enumerate() {
        let earlier = mounts.iter().take(at).find(|(other, is_file, _)| {
            other == path || (*is_file && path.starts_with(&format!("{other}/")))
        });
        let Some((other, is_file, other_range)) = earlier else {
            continue;
        };
        let (message, label) = if other == path {
            (
                format!("`{path}` is mounted twice"),
                "mounted here again".to_string(),
            )
        } else {
            (
                format!("`{path}` is under the file `{other}`"),
                format!("`{other}` is a file, not a directory"),
            )
        };
        let first = if *is_file { "a file" } else { "a volume" };
        diagnostics.push(
            Diagnostic::new(
                Code::MountClash,
                format!(
                    "{message} in the container `{}` of `{}`",
                    container.name.text(decided.db),
                    decided.workload.name()
                ),
                decided.file(),
                *range,
            )
            .with_label(label)
            .with_secondary(
                decided
                    .label(*other_range)
                    .with_message(format!("{first} is mounted at `{other}` here")),
            )
            .with_help("give each file and volume a path of its own, outside the files mounted"),
        );
    }
    diagnostics
}

/// A mount path without a trailing `/`.
fn normal(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed.to_string(),
        _ => path.to_string(),
    }
}

/// E0624 for a port number declared twice among the containers of the workload's pod
/// that run together (the main containers and the sidecars), or a port name given two
/// numbers.
fn port_clashes(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let mut numbers: BTreeMap<u16, (String, TextRange)> = BTreeMap::new();
    let mut names: BTreeMap<String, (u16, TextRange)> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let serving = decided
        .containers()
        .filter(|(container, _)| container.kind != crate::types::schema::ContainerKind::Init);
    for (container, resolved) in serving {
        let container_name = container.name.text(decided.db);
        for (name, port) in &resolved.ports {
            let range = decided
                .entry_range(container.fields.ports, name)
                .unwrap_or_default();
            let clash = if let Some((first, first_range)) = numbers.get(port) {
                Some((
                    format!(
                        "port {port} is declared twice in the pod of `{}`",
                        decided.workload.name()
                    ),
                    format!("`{first}` is port {port} too"),
                    *first_range,
                ))
            } else if let Some((first, first_range)) =
                names.get(name).filter(|(first, _)| first != port)
            {
                Some((
                    format!(
                        "the port `{name}` of `{}` is {first} in one container and {port} in \
                         `{container_name}`",
                        decided.workload.name()
                    ),
                    format!("`{name}` is port {first} here"),
                    *first_range,
                ))
            } else {
                None
            };
            match clash {
                Some((message, earlier, earlier_range)) => diagnostics.push(
                    Diagnostic::new(Code::PortClash, message, decided.file(), range)
                        .with_label(format!("`{name}` = {port}"))
                        .with_secondary(decided.label(earlier_range).with_message(earlier))
                        .with_help(
                            "the containers of a pod share its network: give every port of the \
                             workload its own number and name",
                        ),
                ),
                None => {
                    numbers.insert(*port, (name.clone(), range));
                    names.entry(name.clone()).or_insert((*port, range));
                }
            }
        }
    }
    diagnostics
}

/// One value that travels under a key of a ConfigMap or Secret of the workload.
struct Keyed<'v> {
    carrier: Carrier,
    key: String,
    value: &'v Value,
    /// What it is, for messages: "the file `/etc/a/b`", "the variable `X`".
    what: String,
    range: TextRange,
}

/// E0619 for two different values under one key of one ConfigMap or Secret.
fn key_clashes(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let mut keyed: Vec<Keyed<'_>> = Vec::new();
    for (container, resolved) in decided.containers() {
        let of = format!("of the container `{}`", container.name.text(decided.db));
        for (name, value) in &resolved.env {
            let Some(carrier) = Carrier::of_env(value) else {
                continue;
            };
            keyed.push(Keyed {
                carrier,
                key: name.clone(),
                value,
                what: format!("the variable `{name}` {of}"),
                range: decided
                    .entry_range(container.fields.env, name)
                    .unwrap_or_default(),
            });
        }
        for (path, value) in &resolved.files {
            keyed.push(Keyed {
                carrier: Carrier::of_file(value),
                key: file_key(path),
                value,
                what: format!("the file `{path}` {of}"),
                range: decided
                    .entry_range(container.fields.files, path)
                    .unwrap_or_default(),
            });
        }
    }
    let mut diagnostics = Vec::new();
    for (at, entry) in keyed.iter().enumerate() {
        let earlier = keyed.iter().take(at).find(|other| {
            other.carrier == entry.carrier && other.key == entry.key && other.value != entry.value
        });
        let Some(other) = earlier else { continue };
        diagnostics.push(
            Diagnostic::new(
                Code::KeyClash,
                format!(
                    "{} and {} are both the key `{}` of the {} of `{}`",
                    other.what,
                    entry.what,
                    entry.key,
                    entry.carrier.describe(),
                    decided.workload.name()
                ),
                decided.file(),
                entry.range,
            )
            .with_label("one value would replace the other under this key")
            .with_secondary(decided.label(other.range).with_message("the other value"))
            .with_help("rename one of them, so that each has a key of its own"),
        );
    }
    diagnostics
}
