//! What a workload's pods need, in one environment, to start and keep running: checks
//! of the decided workload that Kubernetes would otherwise make fail in the cluster.
//!
//! Invariants: every check reads the resolved workload (overrides applied) and the
//! sites where its fields are written, and reports at the site: a probe or `pre_stop`
//! on a port its container does not declare, or a `service_ports` entry no serving
//! container declares (E0609); two Service ports on one number (E0614); an autoscaler
//! whose `min` is above its `max` (E0610), and `replicas` set beside one (W0611, which
//! says that `replicas` is left out); a `pre_stop` sleep longer than the grace period
//! (E0613); a field of the workload model whose value, decided here, does not fit its
//! type (E0603, [`misfits`]). Jobs that other workloads address are
//! [`address_of_a_job`]'s (E0612).

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::names::suggest;
use crate::resolve::conform::{describe, misfit};
use crate::resolve::model::{Container, HandlerAction, Probe, ResolvedWorkload, WorkloadKind};
use crate::resolve::value::Value;
use crate::types::Ty;

/// Kubernetes' grace period when a pod does not set one, in seconds.
pub(crate) const DEFAULT_GRACE_SECONDS: u32 = 30;

/// Where the workload-level fields of a workload are written, in one environment.
#[derive(Debug, Default)]
pub(crate) struct Sites {
    pub(crate) replicas: Option<Label>,
    pub(crate) autoscaling: Option<Label>,
    pub(crate) service_ports: Option<Label>,
    pub(crate) termination_grace_period: Option<Label>,
}

/// Every diagnostic of this module about `workload` in the environment `env`.
pub(crate) fn check(workload: &ResolvedWorkload, sites: &Sites, env: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for container in workload.serving_containers() {
        diagnostics.extend(undeclared_probe_ports(container, env));
        diagnostics.extend(pre_stop_outlasts_grace(workload, container, sites));
    }
    diagnostics.extend(undeclared_service_ports(workload, sites));
    diagnostics.extend(service_ports_taken(workload, sites));
    diagnostics.extend(autoscaling(workload, sites, env));
    diagnostics
}

/// The probes and the `pre_stop` of a container, with their field names.
fn probes(container: &Container) -> impl Iterator<Item = (&'static str, &Probe)> {
    [
        ("liveness", &container.liveness),
        ("readiness", &container.readiness),
        ("startup", &container.startup),
    ]
    .into_iter()
    .filter_map(|(field, probe)| Some((field, probe.as_ref()?)))
}

/// E0609 for each probe and `pre_stop` HTTP GET of `container` on a port it does not
/// declare.
fn undeclared_probe_ports(container: &Container, env: &str) -> Vec<Diagnostic> {
    let mut reached: Vec<(&str, u16, &Label)> = probes(container)
        .filter_map(|(field, probe)| Some((field, probe.action.port()?, &probe.source)))
        .collect();
    if let Some(pre_stop) = &container.pre_stop
        && let HandlerAction::HttpGet(http) = &pre_stop.action
    {
        reached.push(("pre_stop", http.port, &pre_stop.source));
    }
    reached
        .into_iter()
        .filter(|(_, port, _)| !container.ports.values().any(|declared| declared == port))
        .map(|(field, port, site)| {
            let help = match container.ports.iter().next() {
                None => format!("declare the port the container listens on: `ports = {{ http = {port} }}`"),
                Some(_) => format!(
                    "reach one of its ports ({}), or declare {port} in `ports`",
                    declared(&container.ports)
                ),
            };
            located(
                Code::UndeclaredPort,
                format!(
                    "`{field}` of the container `{}` reaches port {port}, which it does not declare",
                    container.name
                ),
                site.clone(),
                format!("nothing of `{}` listens on {port} in `{env}`", container.name),
            )
            .with_secondary(
                container
                    .source
                    .clone()
                    .with_message(format!("`{}` is declared here", container.name)),
            )
            .with_help(help)
        })
        .collect()
}

/// `http = 8080, metrics = 9090`.
fn declared(ports: &BTreeMap<String, u16>) -> String {
    let named: Vec<String> = ports
        .iter()
        .map(|(name, port)| format!("`{name}` = {port}"))
        .collect();
    named.join(", ")
}

/// The ports of the containers that serve (main containers and sidecars): name →
/// number, the first container that declares a name wins, as in the Service.
fn serving_ports(workload: &ResolvedWorkload) -> BTreeMap<&str, u16> {
    let mut ports = BTreeMap::new();
    for container in workload.serving_containers() {
        for (name, port) in &container.ports {
            ports.entry(name.as_str()).or_insert(*port);
        }
    }
    ports
}

/// E0609 for each name of `service_ports` that no serving container declares.
fn undeclared_service_ports(workload: &ResolvedWorkload, sites: &Sites) -> Vec<Diagnostic> {
    let Some(site) = &sites.service_ports else {
        return Vec::new();
    };
    let ports = serving_ports(workload);
    workload
        .service_ports
        .keys()
        .filter(|name| !ports.contains_key(name.as_str()))
        .map(|name| {
            let names: Vec<&str> = ports.keys().copied().collect();
            let help = suggest::did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
                if names.is_empty() {
                    "declare the container port in a container's `ports`".to_string()
                } else {
                    format!("the container ports are {}", suggest::all_of(&names))
                }
            });
            located(
                Code::UndeclaredPort,
                format!(
                    "`service_ports` of `{}` names the port `{name}`, which no container declares",
                    workload.name
                ),
                site.clone(),
                format!("no container port `{name}`"),
            )
            .with_help(help)
        })
        .collect()
}

/// E0614 for each Service port number that two container ports would share.
fn service_ports_taken(workload: &ResolvedWorkload, sites: &Sites) -> Vec<Diagnostic> {
    if workload.runs_to_completion() {
        return Vec::new();
    }
    let mut by_number: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for (name, port) in serving_ports(workload) {
        by_number
            .entry(workload.service_port(name, port))
            .or_default()
            .push(name);
    }
    by_number
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(number, names)| {
            let site = sites
                .service_ports
                .clone()
                .unwrap_or_else(|| workload.source.clone());
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
fn autoscaling(workload: &ResolvedWorkload, sites: &Sites, env: &str) -> Vec<Diagnostic> {
    let WorkloadKind::Service {
        autoscaling: Some(autoscaling),
    } = &workload.kind
    else {
        return Vec::new();
    };
    let Some(site) = &sites.autoscaling else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    if autoscaling.min > autoscaling.max {
        diagnostics.push(
            located(
                Code::AutoscalingBounds,
                format!(
                    "the autoscaler of `{}` keeps at least {} and at most {} replicas in `{env}`",
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
    if let Some(replicas) = &sites.replicas {
        diagnostics.push(
            located(
                Code::ReplicasWithAutoscaling,
                format!(
                    "`replicas` of `{}` is left out in `{env}`, where the autoscaler keeps {} to {} replicas",
                    workload.name, autoscaling.min, autoscaling.max
                ),
                replicas.clone(),
                "not written: the autoscaler owns the replica count",
            )
            .with_secondary(site.clone().with_message("the autoscaler is set here"))
            .with_help(format!(
                "remove `replicas`, or set it only in the overrides of the environments without \
                 `autoscaling`; policies read `workload.replicas` as the autoscaler's `min` ({})",
                autoscaling.min
            )),
        );
    }
    diagnostics
}

/// E0613 for a `pre_stop` sleep of `container` longer than the workload's grace period.
fn pre_stop_outlasts_grace(
    workload: &ResolvedWorkload,
    container: &Container,
    sites: &Sites,
) -> Option<Diagnostic> {
    let pre_stop = container.pre_stop.as_ref()?;
    let HandlerAction::Sleep { seconds } = pre_stop.action else {
        return None;
    };
    let grace = workload
        .termination_grace_period
        .unwrap_or(DEFAULT_GRACE_SECONDS);
    if seconds <= grace {
        return None;
    }
    let mut diagnostic = located(
        Code::PreStopOutlastsGrace,
        format!(
            "the `pre_stop` of `{}` sleeps {seconds}s, longer than the {grace}s a pod of `{}` has to stop",
            container.name, workload.name
        ),
        pre_stop.source.clone(),
        format!("sleeps {seconds}s"),
    );
    diagnostic = match &sites.termination_grace_period {
        Some(site) => diagnostic.with_secondary(
            site.clone()
                .with_message(format!("the grace period is {grace}s here")),
        ),
        None => diagnostic,
    };
    Some(diagnostic.with_help(format!(
        "sleep at most {grace}s, or set `termination_grace_period = {seconds}s` (or longer) on the workload"
    )))
}

/// A field of the workload model, decided in one environment.
pub(crate) struct Decided {
    /// How messages name it: ``"`liveness` of the container `main`"``.
    pub(crate) name: String,
    pub(crate) value: Value,
    pub(crate) ty: Ty,
    pub(crate) site: Label,
}

/// E0603 for each of `decided` (of the workload `workload`, in the environment `env`)
/// whose value does not fit its type: a value computed per environment, which the
/// checker could not judge where it is written.
pub(crate) fn misfits(workload: &str, env: &str, decided: Vec<Decided>) -> Vec<Diagnostic> {
    decided
        .into_iter()
        .filter_map(|field| {
            let reason = misfit(&field.value, &field.ty)?;
            Some(
                located(
                    Code::MergedTypeMismatch,
                    format!(
                        "{} of `{workload}` does not fit its type in the environment `{env}`",
                        field.name
                    ),
                    field.site,
                    reason,
                )
                .with_help(format!(
                    "give it a value that is a `{}` in `{env}`: it is {} there",
                    field.ty,
                    describe(&field.value)
                )),
            )
        })
        .collect()
}

/// E0612 at `site`, where `workload` reaches the job `job` (`how`: "calls", "reads the
/// address of").
pub(crate) fn address_of_a_job(workload: &str, job: &str, how: &str, site: Label) -> Diagnostic {
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

/// E0612 for a route that a job owns, at the route's declaration.
pub(crate) fn route_of_a_job(workload: &str, route: &str, site: Label) -> Diagnostic {
    located(
        Code::JobWithoutAddress,
        format!("the job `{workload}` owns the route `{route}`, which would reach no Service"),
        site,
        "a job has no Service to route requests to",
    )
    .with_help(format!(
        "move the route to the service that answers the requests, or make `{workload}` a \
         service by removing its `job` and `schedule`"
    ))
}
