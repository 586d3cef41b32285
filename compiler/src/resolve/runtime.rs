//! What would break at run time, judged on one workload in one environment once its
//! values are decided: the checks that a declaration alone cannot make, because an
//! override, an environment or a value computed per environment decides them.
//!
//! Invariants: every check reads the workload as the environment sees it
//! ([`Effective`]) and its resolved values, and nothing of other workloads (a check
//! across workloads is a query of its own in [`crate::resolve::environment`]); each
//! problem is reported at the expression that causes it, with a message that does not
//! name the environment, so that the same problem found in several environments is
//! reported once.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::lowered::{Expr, ExprId, Exprs};
use crate::resolve::conform::{describe, misfit};
use crate::resolve::effective::{Effective, EffectiveContainer};
use crate::resolve::eval::evaluate;
use crate::resolve::model::{Container, Instance, Provisioning, ResolvedWorkload};
use crate::resolve::naming::{Carrier, file_key};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::source::{Db, SourceFile};
use crate::span::TextRange;
use crate::types::literal;
use crate::types::schema::{self, BlockSchema};

/// One workload in one environment, decided: what the checks read.
pub(crate) struct Decided<'a, 'db> {
    pub(crate) db: &'db dyn Db,
    /// The environment's name.
    pub(crate) environment: &'a str,
    pub(crate) workload: &'a Effective<'a, 'db>,
    /// The scope its expressions are evaluated in.
    pub(crate) scope: &'a Scope,
    pub(crate) resolved: &'a ResolvedWorkload,
    /// The instances it owns, by id.
    pub(crate) instances: &'a BTreeMap<String, Instance>,
}

/// Everything this module finds about a decided workload.
pub(crate) fn check(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let mut diagnostics = addresses_without_calls(decided.db, decided.workload);
    diagnostics.extend(unfit_attributes(decided));
    for (container, resolved) in decided.containers() {
        diagnostics.extend(requests_above_limits(decided, container, resolved));
        diagnostics.extend(undeclared_probe_ports(decided, container, resolved));
        diagnostics.extend(mount_clashes(decided, container, resolved));
    }
    diagnostics.extend(undeclared_route_ports(decided));
    diagnostics.extend(port_clashes(decided));
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

    /// Each container as written, with its resolved values (they are in the same order).
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
}

/// E0616 for each workload whose address `workload` reads without calling it: its
/// NetworkPolicy would drop every request. One diagnostic per workload read, at the
/// first place it is read, the others as secondary labels.
fn addresses_without_calls(db: &dyn Db, workload: &Effective<'_, '_>) -> Vec<Diagnostic> {
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
    let mut uncalled: BTreeMap<&str, Vec<TextRange>> = BTreeMap::new();
    for (name, range) in &roots {
        let name = name.text(db).as_str();
        // A workload of the project, or of another application imported by this name.
        let is_workload = workload
            .lowered
            .workloads_named
            .iter()
            .any(|named| named.name.text(db) == name);
        if is_workload && !locals.contains(name) && !calls.iter().any(|(called, _)| *called == name)
        {
            uncalled.entry(name).or_default().push(*range);
        }
    }
    let file = workload.file();
    uncalled
        .into_iter()
        .filter_map(|(name, mut ranges)| {
            ranges.sort();
            ranges.dedup();
            let (first, rest) = ranges.split_first()?;
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
            for range in rest {
                diagnostic = diagnostic
                    .with_secondary(Label::new(file, *range).with_message("and here".to_string()));
            }
            if let Some(list) = calls
                .iter()
                .map(|(_, range)| *range)
                .reduce(|a, b| a.cover(b))
            {
                diagnostic = diagnostic
                    .with_secondary(Label::new(file, list).with_message("the workloads it calls"));
            }
            Some(diagnostic)
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
/// a value that does not fit (a label computed per environment, a probe's period).
fn unfit_attributes(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let workload = decided.workload;
    let mut diagnostics = Vec::new();
    let owner = format!("`{}`", workload.name());
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
        let owner = format!(
            "the container `{}` of `{}`",
            container.name.text(decided.db),
            workload.name()
        );
        for (name, id) in container.fields.named() {
            diagnostics.extend(judge_attribute(
                decided,
                schema::container(),
                &owner,
                name,
                id,
            ));
        }
    }
    diagnostics
}

fn judge_attribute(
    decided: &Decided<'_, '_>,
    schema: &BlockSchema,
    owner: &str,
    name: &str,
    id: Option<ExprId>,
) -> Vec<Diagnostic> {
    let (Some(id), Some(field)) = (id, schema.field(name)) else {
        return Vec::new();
    };
    let exprs = decided.exprs();
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
    let Some(reason) = misfit(&evaluated.value, &field.ty) else {
        return Vec::new();
    };
    vec![
        Diagnostic::new(
            Code::MergedTypeMismatch,
            format!(
                "`{name}` of {owner} does not fit its type in the environment `{}`",
                decided.environment
            ),
            decided.file(),
            exprs.range(id),
        )
        .with_label(reason)
        .with_help(format!(
            "give `{name}` a value that is a `{}` in `{}`: it is {} there",
            field.ty,
            decided.environment,
            describe(&evaluated.value)
        )),
    ]
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

/// E0617 for a probe on a port the container does not declare.
fn undeclared_probe_ports(
    decided: &Decided<'_, '_>,
    container: &EffectiveContainer<'_>,
    resolved: &Container,
) -> Vec<Diagnostic> {
    let probes = [
        ("liveness", container.fields.liveness, &resolved.liveness),
        ("readiness", container.fields.readiness, &resolved.readiness),
    ];
    let declared: Vec<u16> = resolved.ports.values().copied().collect();
    probes
        .into_iter()
        .filter_map(|(kind, field, probe)| {
            let port = probe.as_ref()?.port;
            if declared.contains(&port) {
                return None;
            }
            let range = decided.entry_range(field, "port")?;
            Some(
                Diagnostic::new(
                    Code::UndeclaredPort,
                    format!(
                        "the {kind} probe of the container `{}` of `{}` is sent to port {port}, \
                         which the container does not declare",
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
    let ports: BTreeMap<String, u16> = decided
        .resolved
        .containers
        .iter()
        .flat_map(|container| container.ports.iter())
        .map(|(name, port)| (name.clone(), *port))
        .collect();
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

/// E0624 for a port number declared twice in the workload's pod, or a port name given
/// two numbers.
fn port_clashes(decided: &Decided<'_, '_>) -> Vec<Diagnostic> {
    let mut numbers: BTreeMap<u16, (String, TextRange)> = BTreeMap::new();
    let mut names: BTreeMap<String, (u16, TextRange)> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (container, resolved) in decided.containers() {
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
