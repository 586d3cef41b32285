//! HTTP routes from outside the cluster to a workload: a networking.k8s.io/v1 Ingress,
//! or a Gateway API (gateway.networking.k8s.io/v1) HTTPRoute.
//!
//! Invariants: a route is written beside the workload that owns it, named after the
//! route instance's object name, and sends requests under its path prefix to the
//! workload's Service on the route's port. Host, path and port are plain compile-time
//! values in the model; nothing here reads a [`crate::resolve::value::Value`].

use serde_json::{Value as Json, json};

use crate::resolve::model::{HttpRoute, Instance, ResolvedWorkload};

use super::context::Context;
use super::meta::App;

/// The Ingress of `instance`, a route to `workload`.
pub(super) fn ingress(
    context: &Context<'_>,
    app: &App<'_>,
    workload: &ResolvedWorkload,
    instance: &Instance,
    route: &HttpRoute,
) -> Json {
    let backend = json!({
        "service": { "name": workload.name, "port": { "number": route.port } },
    });
    let mut spec = json!({
        "rules": [{
            "host": route.host,
            "http": {
                "paths": [{ "path": route.path, "pathType": "Prefix", "backend": backend }],
            },
        }],
    });
    if let Some(class) = &route.class_or_gateway {
        spec["ingressClassName"] = json!(class);
    }
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": app.metadata(context, &instance.object_name, &instance.source),
        "spec": spec,
    })
}

/// The HTTPRoute of `instance`, a route to `workload`, attached to the route's Gateway
/// when it names one.
pub(super) fn http_route(
    context: &Context<'_>,
    app: &App<'_>,
    workload: &ResolvedWorkload,
    instance: &Instance,
    route: &HttpRoute,
) -> Json {
    let mut spec = json!({
        "hostnames": [route.host],
        "rules": [{
            "matches": [{ "path": { "type": "PathPrefix", "value": route.path } }],
            "backendRefs": [{ "name": workload.name, "port": route.port }],
        }],
    });
    if let Some(gateway) = &route.class_or_gateway {
        let mut parent = json!({ "name": gateway });
        if let Some(namespace) = &route.gateway_namespace {
            parent["namespace"] = json!(namespace);
        }
        spec["parentRefs"] = json!([parent]);
    }
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": app.metadata(context, &instance.object_name, &instance.source),
        "spec": spec,
    })
}
