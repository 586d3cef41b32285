//! The parts of a workload's pods that are records in source, decided: probes,
//! handlers, the kind of workload (a service and its autoscaler, a job, a schedule).
//!
//! Invariants: every function here reads an evaluated [`Value`] and nothing else;
//! fields left out take the defaults that `types::schema` documents (a probe's period
//! 10 s, timeout 1 s, failure threshold 3; a job's backoff limit 6, parallelism 1; a
//! schedule's history 3 and 1, concurrency `Allow`); a probe or handler that does not
//! have exactly one action, or whose port is not a port, is left out (the checker
//! reports it where it is written). Durations are whole seconds, as the checker
//! requires; a value that is not is rounded up, never down.

use std::collections::BTreeMap;

use crate::diagnostic::Label;
use crate::resolve::model::{
    Autoscaling, Concurrency, Handler, HandlerAction, HttpGet, Job, JobRestart, Probe, ProbeAction,
    Schedule, WorkloadKind,
};
use crate::resolve::provisioning::{port, text, texts};
use crate::resolve::value::Value;
use crate::types::literal;

/// The fields of a record value; none for anything else.
fn fields(value: &Value) -> Option<&BTreeMap<String, Value>> {
    match value {
        Value::Map(fields) => Some(fields),
        _ => None,
    }
}

/// A duration in whole seconds, rounded up.
pub(crate) fn seconds(value: &Value) -> Option<u32> {
    let millis = literal::parse_duration(&text(value)?).ok()?;
    u32::try_from(millis.div_ceil(1000)).ok()
}

/// A count: a non-negative integer.
fn count(value: Option<&Value>) -> Option<u32> {
    match value? {
        Value::Int(number) => u32::try_from(*number).ok(),
        _ => None,
    }
}

fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(flag) => Some(*flag),
        _ => None,
    }
}

/// The HTTP GET of a probe or handler, when it has `path`.
fn http_get(fields: &BTreeMap<String, Value>) -> Option<HttpGet> {
    let path = fields.get("path").and_then(text)?;
    let headers = match fields.get("headers") {
        Some(Value::Map(headers)) => headers
            .iter()
            .filter_map(|(name, value)| Some((name.clone(), text(value)?)))
            .collect(),
        _ => BTreeMap::new(),
    };
    Some(HttpGet {
        path,
        port: fields.get("port").and_then(port)?,
        headers,
        https: fields.get("scheme").and_then(text).as_deref() == Some("HTTPS"),
    })
}

/// The one action among `actions` that `fields` has; none when it has none or several.
fn only_action<'a>(fields: &BTreeMap<String, Value>, actions: &[&'a str]) -> Option<&'a str> {
    let mut present = actions
        .iter()
        .filter(|action| fields.contains_key(**action));
    let first = present.next()?;
    present.next().is_none().then_some(*first)
}

/// A probe (`liveness`, `readiness`, `startup`), written at `source`.
pub(crate) fn probe(value: &Value, source: Label) -> Option<Probe> {
    let fields = fields(value)?;
    let action = match only_action(fields, crate::types::schema::PROBE_ACTIONS)? {
        "path" => ProbeAction::HttpGet(http_get(fields)?),
        "grpc" => ProbeAction::Grpc {
            port: fields.get("grpc").and_then(port)?,
            service: fields.get("service").and_then(text),
        },
        "tcp" => ProbeAction::Tcp {
            port: fields.get("tcp").and_then(port)?,
        },
        _ => ProbeAction::Exec {
            command: fields.get("exec").map(texts).unwrap_or_default(),
        },
    };
    let duration = |name: &str, default: u32| fields.get(name).and_then(seconds).unwrap_or(default);
    let threshold = |name: &str, default: u32| count(fields.get(name)).unwrap_or(default);
    Some(Probe {
        action,
        source,
        initial_delay_seconds: duration("initial_delay", 0),
        period_seconds: duration("period", 10).max(1),
        timeout_seconds: duration("timeout", 1).max(1),
        success_threshold: threshold("success_threshold", 1).max(1),
        failure_threshold: threshold("failure_threshold", 3).max(1),
    })
}

/// A `pre_stop` handler, written at `source`.
pub(crate) fn handler(value: &Value, source: Label) -> Option<Handler> {
    let fields = fields(value)?;
    let action = match only_action(fields, crate::types::schema::HANDLER_ACTIONS)? {
        "path" => HandlerAction::HttpGet(http_get(fields)?),
        "sleep" => HandlerAction::Sleep {
            seconds: fields.get("sleep").and_then(seconds)?,
        },
        _ => HandlerAction::Exec {
            command: fields.get("exec").map(texts).unwrap_or_default(),
        },
    };
    Some(Handler { action, source })
}

/// The kind of a workload from its `job`, `schedule` and `autoscaling` values.
pub(crate) fn kind(job: &Value, schedule: &Value, autoscaling: &Value) -> WorkloadKind {
    match (fields(schedule), fields(job)) {
        (Some(schedule), job) => WorkloadKind::CronJob {
            schedule: schedule_of(schedule),
            job: job_of(job),
        },
        (None, Some(job)) => WorkloadKind::Job(job_of(Some(job))),
        (None, None) => WorkloadKind::Service {
            autoscaling: fields(autoscaling).map(autoscaling_of),
        },
    }
}

fn autoscaling_of(fields: &BTreeMap<String, Value>) -> Autoscaling {
    let min = count(fields.get("min")).unwrap_or(1).max(1);
    Autoscaling {
        min,
        max: count(fields.get("max")).unwrap_or(min),
        cpu: count(fields.get("cpu")),
        memory: count(fields.get("memory")),
    }
}

fn job_of(fields: Option<&BTreeMap<String, Value>>) -> Job {
    let get = |name: &str| fields.and_then(|fields| fields.get(name));
    Job {
        backoff_limit: count(get("backoff_limit")).unwrap_or(6),
        completions: count(get("completions")),
        parallelism: count(get("parallelism")).unwrap_or(1).max(1),
        active_deadline: get("active_deadline").and_then(seconds),
        ttl_after_finished: get("ttl_after_finished").and_then(seconds),
        restart: match get("restart").and_then(text).as_deref() {
            Some("OnFailure") => JobRestart::OnFailure,
            _ => JobRestart::Never,
        },
    }
}

fn schedule_of(fields: &BTreeMap<String, Value>) -> Schedule {
    Schedule {
        cron: fields.get("cron").and_then(text).unwrap_or_default(),
        time_zone: fields.get("time_zone").and_then(text),
        concurrency: match fields.get("concurrency").and_then(text).as_deref() {
            Some("Forbid") => Concurrency::Forbid,
            Some("Replace") => Concurrency::Replace,
            _ => Concurrency::Allow,
        },
        successful_history: count(fields.get("successful_history")).unwrap_or(3),
        failed_history: count(fields.get("failed_history")).unwrap_or(1),
        starting_deadline: fields.get("starting_deadline").and_then(seconds),
        suspend: flag(fields.get("suspend")).unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label() -> Label {
        use crate::source::{Database, Origin, SourceFile};
        let db = Database::default();
        let file = SourceFile::new(&db, "a.plat".into(), String::new(), Origin::Project);
        Label::new(file, crate::span::TextRange::default())
    }

    fn record(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    }

    #[test]
    fn probes_take_the_documented_defaults() {
        let probe = probe(&record(&[("tcp", Value::Int(6379))]), label()).expect("a probe");
        assert_eq!(probe.action, ProbeAction::Tcp { port: 6379 });
        assert_eq!(
            (
                probe.initial_delay_seconds,
                probe.period_seconds,
                probe.timeout_seconds,
                probe.success_threshold,
                probe.failure_threshold
            ),
            (0, 10, 1, 1, 3)
        );
    }

    #[test]
    fn a_probe_with_two_actions_or_none_is_left_out() {
        let two = record(&[("tcp", Value::Int(1)), ("grpc", Value::Int(2))]);
        assert_eq!(probe(&two, label()), None);
        let idle = record(&[("period", Value::Quantity("5s".into()))]);
        assert_eq!(probe(&idle, label()), None);
    }

    #[test]
    fn kinds() {
        let schedule = record(&[("cron", Value::String("@daily".into()))]);
        assert!(matches!(
            kind(&Value::Absent, &schedule, &Value::Absent),
            WorkloadKind::CronJob { .. }
        ));
        let autoscaling = record(&[("max", Value::Int(4))]);
        assert_eq!(
            kind(&Value::Absent, &Value::Absent, &autoscaling),
            WorkloadKind::Service {
                autoscaling: Some(Autoscaling {
                    min: 1,
                    max: 4,
                    cpu: None,
                    memory: None
                })
            }
        );
    }

    #[test]
    fn durations_round_up_to_seconds() {
        assert_eq!(seconds(&Value::Quantity("5m".into())), Some(300));
        assert_eq!(seconds(&Value::Quantity("1500ms".into())), Some(2));
    }
}
