//! Probes: how the kubelet tells that a container has started, is alive, or is ready
//! for traffic; and the `preStop` hook that runs before it is stopped.
//!
//! Invariant: a probe and a hook have exactly one action (an HTTP GET, a gRPC health
//! check, a TCP connection, a command; a sleep for a hook), which [`Handler`] and
//! [`LifecycleHandler`] make a matter of type; a timing left at `None` is the cluster's
//! default, and a timing of the model is written only when it differs from that
//! default (plat's defaults are Kubernetes' own), the period always.

use serde::Serialize;

use crate::resolve::model::{self, HandlerAction, ProbeAction};

use super::meta::IntOrString;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Probe<'a> {
    #[serde(flatten)]
    pub handler: Handler<'a>,
    pub failure_threshold: Option<u32>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: Option<u32>,
    pub success_threshold: Option<u32>,
    pub timeout_seconds: Option<u32>,
}

/// What a probe does.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Handler<'a> {
    Exec(ExecAction<'a>),
    Grpc(GrpcAction<'a>),
    HttpGet(HttpGet<'a>),
    TcpSocket(TcpSocket<'a>),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpGet<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http_headers: Vec<HttpHeader<'a>>,
    pub path: &'a str,
    pub port: IntOrString<'a>,
    pub scheme: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub(super) struct HttpHeader<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

#[derive(Debug, Serialize)]
pub(super) struct TcpSocket<'a> {
    pub port: IntOrString<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct GrpcAction<'a> {
    pub port: u16,
    pub service: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(super) struct ExecAction<'a> {
    pub command: &'a [String],
}

impl<'a> Probe<'a> {
    /// A probe by `handler`, every `period_seconds`, with the other timings by default.
    pub(super) fn every(handler: Handler<'a>, period_seconds: u32) -> Self {
        Probe {
            handler,
            failure_threshold: None,
            initial_delay_seconds: None,
            period_seconds: Some(period_seconds),
            success_threshold: None,
            timeout_seconds: None,
        }
    }
}

/// `Some(value)` unless it is Kubernetes' default.
fn unless_default(value: u32, default: u32) -> Option<u32> {
    (value != default).then_some(value)
}

/// A probe of the model.
pub(super) fn of(probe: &model::Probe) -> Probe<'_> {
    let handler = match &probe.action {
        ProbeAction::HttpGet(http) => Handler::HttpGet(http_get(http)),
        ProbeAction::Grpc { port, service } => Handler::Grpc(GrpcAction {
            port: *port,
            service: service.as_deref(),
        }),
        ProbeAction::Tcp { port } => Handler::TcpSocket(TcpSocket {
            port: IntOrString::Int(u32::from(*port)),
        }),
        ProbeAction::Exec { command } => Handler::Exec(ExecAction { command }),
    };
    Probe {
        failure_threshold: unless_default(probe.failure_threshold, 3),
        initial_delay_seconds: unless_default(probe.initial_delay_seconds, 0),
        success_threshold: unless_default(probe.success_threshold, 1),
        timeout_seconds: unless_default(probe.timeout_seconds, 1),
        ..Probe::every(handler, probe.period_seconds)
    }
}

fn http_get(http: &model::HttpGet) -> HttpGet<'_> {
    HttpGet {
        http_headers: http
            .headers
            .iter()
            .map(|(name, value)| HttpHeader { name, value })
            .collect(),
        path: &http.path,
        port: IntOrString::Int(u32::from(http.port)),
        scheme: http.https.then_some("HTTPS"),
    }
}

/// A container's lifecycle hooks: what runs before it is stopped.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Lifecycle<'a> {
    pub pre_stop: LifecycleHandler<'a>,
}

/// What a hook does.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum LifecycleHandler<'a> {
    Exec(ExecAction<'a>),
    HttpGet(HttpGet<'a>),
    Sleep(SleepAction),
}

#[derive(Debug, Serialize)]
pub(super) struct SleepAction {
    pub seconds: u32,
}

/// The hooks of a container with the model's `pre_stop` handler.
pub(super) fn lifecycle(pre_stop: &model::Handler) -> Lifecycle<'_> {
    let pre_stop = match &pre_stop.action {
        HandlerAction::HttpGet(http) => LifecycleHandler::HttpGet(http_get(http)),
        HandlerAction::Sleep { seconds } => {
            LifecycleHandler::Sleep(SleepAction { seconds: *seconds })
        }
        HandlerAction::Exec { command } => LifecycleHandler::Exec(ExecAction { command }),
    };
    Lifecycle { pre_stop }
}
