//! The Gateway API (gateway.networking.k8s.io/v1) HTTPRoute of a route to a workload.
//!
//! Invariants: it is written beside the workload that owns the route, named after the
//! route instance's object name, attached to the route's Gateway when it names one, and
//! sends requests under its path prefix to the workload's Service, on the Service port
//! that sends to the route's container port. Host, path and port are plain compile-time
//! values in the model; nothing here reads a [`crate::resolve::value::Value`].

use serde::Serialize;

use crate::resolve::model::{HttpRoute as Route, Instance, ResolvedWorkload};

use super::context::Context;
use super::meta::App;
use super::object::{Object, Spec};
use super::service;

pub(super) type HttpRoute<'a> = Object<'a, HttpRouteSpec<'a>>;

impl Spec for HttpRouteSpec<'_> {
    const API_VERSION: &'static str = "gateway.networking.k8s.io/v1";
    const KIND: &'static str = "HTTPRoute";
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpRouteSpec<'a> {
    pub hostnames: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parent_refs: Vec<ParentRef<'a>>,
    pub rules: Vec<Rule<'a>>,
}

/// The Gateway a route is attached to.
#[derive(Debug, Serialize)]
pub(super) struct ParentRef<'a> {
    pub name: &'a str,
    pub namespace: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Rule<'a> {
    pub backend_refs: Vec<BackendRef<'a>>,
    pub matches: Vec<Match<'a>>,
}

#[derive(Debug, Serialize)]
pub(super) struct BackendRef<'a> {
    pub name: &'a str,
    pub port: u16,
}

#[derive(Debug, Serialize)]
pub(super) struct Match<'a> {
    pub path: PathMatch<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct PathMatch<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: &'a str,
}

/// The HTTPRoute of `instance`, a route to `workload`.
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    workload: &'a ResolvedWorkload,
    instance: &'a Instance,
    route: &'a Route,
) -> HttpRoute<'a> {
    let parent_refs = route
        .class_or_gateway
        .iter()
        .map(|gateway| ParentRef {
            name: gateway,
            namespace: route.gateway_namespace.as_deref(),
        })
        .collect();
    let spec = HttpRouteSpec {
        hostnames: vec![&route.host],
        parent_refs,
        rules: vec![Rule {
            backend_refs: vec![BackendRef {
                name: &workload.name,
                port: service::port_to(workload, route.port),
            }],
            matches: vec![Match {
                path: PathMatch {
                    kind: "PathPrefix",
                    value: &route.path,
                },
            }],
        }],
    };
    let metadata = app.metadata(context, instance.object_name.as_str(), &instance.source);
    Object::new(metadata, spec)
}
