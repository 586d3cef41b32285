//! Probes: how the kubelet tells that a container is alive, or ready for traffic.
//!
//! Invariant: a probe has exactly one handler (an HTTP GET, a TCP connection), which
//! [`Handler`] makes a matter of type; timings left at `None` are the cluster's
//! defaults.

use serde::Serialize;

use crate::resolve::model;

use super::meta::IntOrString;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Probe<'a> {
    #[serde(flatten)]
    pub handler: Handler<'a>,
    pub failure_threshold: Option<u32>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: Option<u32>,
}

/// What a probe does.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Handler<'a> {
    HttpGet(HttpGet<'a>),
    TcpSocket(TcpSocket<'a>),
}

#[derive(Debug, Serialize)]
pub(super) struct HttpGet<'a> {
    pub path: &'a str,
    pub port: IntOrString<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct TcpSocket<'a> {
    pub port: IntOrString<'a>,
}

impl<'a> Probe<'a> {
    /// A probe by `handler`, every `period_seconds`, with the other timings by default.
    pub(super) fn every(handler: Handler<'a>, period_seconds: u32) -> Self {
        Probe {
            handler,
            failure_threshold: None,
            initial_delay_seconds: None,
            period_seconds: Some(period_seconds),
        }
    }
}

/// The HTTP GET probe of the model.
pub(super) fn http(probe: &model::Probe) -> Probe<'_> {
    let handler = Handler::HttpGet(HttpGet {
        path: &probe.path,
        port: IntOrString::Int(u32::from(probe.port)),
    });
    Probe::every(handler, probe.period_seconds)
}
