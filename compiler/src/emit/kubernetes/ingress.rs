//! The networking.k8s.io/v1 Ingress of a route to a workload.
//!
//! Invariants: it is written beside the workload that owns the route, named after the
//! route instance's object name, and sends requests under its path prefix to the
//! workload's Service, on the Service port that sends to the route's container port.
//! Host, path and port are plain compile-time values in the model; nothing here reads a
//! [`crate::resolve::value::Value`].

use serde::Serialize;

use crate::resolve::model::{HttpRoute, Instance, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::object::{Object, Spec};
use super::service;

pub(super) type Ingress<'a> = Object<'a, IngressSpec<'a>>;

impl Spec for IngressSpec<'_> {
    const API_VERSION: &'static str = "networking.k8s.io/v1";
    const KIND: &'static str = "Ingress";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IngressSpec<'a> {
    pub ingress_class_name: Option<&'a str>,
    pub rules: Vec<Rule<'a>>,
}

/// The requests for one host.
#[derive(Debug, Serialize)]
pub(super) struct Rule<'a> {
    pub host: &'a str,
    pub http: HttpRule<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct HttpRule<'a> {
    pub paths: Vec<Path<'a>>,
}

/// The requests under one path, and where they go.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Path<'a> {
    pub backend: Backend<'a>,
    pub path: &'a str,
    pub path_type: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct Backend<'a> {
    pub service: BackendService<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct BackendService<'a> {
    pub name: &'a str,
    pub port: BackendPort,
}

#[derive(Debug, Serialize)]
pub(super) struct BackendPort {
    pub number: u16,
}

/// The Ingress of `instance`, a route to `workload`.
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    instance: &'a Instance,
    route: &'a HttpRoute,
) -> Ingress<'a> {
    let backend = Backend {
        service: BackendService {
            name: &workload.name,
            port: BackendPort {
                number: service::port_to(workload, route.port),
            },
        },
    };
    let spec = IngressSpec {
        ingress_class_name: route.class_or_gateway.as_deref(),
        rules: vec![Rule {
            host: &route.host,
            http: HttpRule {
                paths: vec![Path {
                    backend,
                    path: &route.path,
                    path_type: "Prefix",
                }],
            },
        }],
    };
    let metadata = app.metadata(context, instance.object_name.as_str(), &instance.source);
    Object::new(metadata, spec)
}
