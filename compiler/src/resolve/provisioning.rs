//! How an instance is provisioned, from its implementation's attributes.
//!
//! Invariants: the attributes are evaluated in the implementation's scope (params,
//! `self`, `env`, `module`, the instances it needs) and read per provisioner, as its
//! schema in [`crate::types::schema`] describes them; a value of the wrong shape (which
//! the checker has already reported) reads as left out, never as a panic.

use std::collections::BTreeMap;

use crate::resolve::context::ImplView;
use crate::resolve::eval::eval;
use crate::resolve::model::{HttpRoute, InClusterService, Provisioning, TerraformModule};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::types::schema::Provisioner;

/// The provisioning of an implementation whose attributes are read in `scope`.
pub(crate) fn provisioning(
    provisioner: Option<Provisioner>,
    imp: ImplView<'_>,
    scope: &Scope,
) -> Provisioning {
    let read = |name: &str| {
        imp.attribute(name)
            .map_or(Value::Absent, |attribute| eval(scope, &attribute.value))
    };
    match provisioner {
        Some(Provisioner::Terraform) => Provisioning::Terraform(TerraformModule {
            source: text(&read("source")).unwrap_or_default(),
            version: text(&read("version")),
            inputs: map(read("inputs")),
            local: None,
        }),
        Some(Provisioner::Kubernetes) => Provisioning::Kubernetes(InClusterService {
            image: text(&read("image")).unwrap_or_default(),
            port: port(&read("port")),
            args: texts(&read("args")),
            env: map(read("env")),
            storage: text(&read("storage")),
        }),
        Some(Provisioner::Ingress) => Provisioning::Ingress(HttpRoute {
            class_or_gateway: text(&read("class")),
            gateway_namespace: None,
            ..route(&read)
        }),
        Some(Provisioner::HttpRoute) => Provisioning::GatewayRoute(HttpRoute {
            class_or_gateway: text(&read("gateway")),
            gateway_namespace: text(&read("gateway_namespace")),
            ..route(&read)
        }),
        Some(Provisioner::Existing) | None => Provisioning::Existing,
    }
}

/// The host, path and port of a route.
fn route(read: &dyn Fn(&str) -> Value) -> HttpRoute {
    HttpRoute {
        host: text(&read("host")).unwrap_or_default(),
        path: text(&read("path")).unwrap_or_else(|| "/".to_string()),
        port: port(&read("port")).unwrap_or_default(),
        class_or_gateway: None,
        gateway_namespace: None,
    }
}

/// The text of a plain compile-time scalar.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::Secret(_) => None,
        other => other.as_text(),
    }
}

/// The texts of a list of scalars (items that are not are left out).
pub(crate) fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items.iter().filter_map(text).collect(),
        _ => Vec::new(),
    }
}

/// A port number.
pub(crate) fn port(value: &Value) -> Option<u16> {
    match value {
        Value::Int(number) => u16::try_from(*number).ok().filter(|port| *port > 0),
        _ => None,
    }
}

/// The entries of a map value that have a value (an optional param left out leaves
/// its entry out); empty for anything else.
pub(crate) fn map(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(entries) => entries
            .into_iter()
            .filter(|(_, value)| !matches!(value, Value::Absent))
            .collect(),
        _ => BTreeMap::new(),
    }
}
