//! How an instance is provisioned, from its implementation's attributes.
//!
//! Invariants: the attributes are evaluated in the implementation's scope (params,
//! `self`, `env`, `module`, the instances it needs) and read per provisioner, as its
//! schema in [`crate::types::schema`] describes them; a value of the wrong shape (which
//! the checker has already reported) reads as left out, never as a panic.

use std::collections::BTreeMap;

use crate::lowered::ExprId;
use crate::resolve::context::ImplView;
use crate::resolve::eval::eval;
use crate::resolve::model::{HttpRoute, InClusterService, Provisioning, TerraformModule};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::source::Db;
use crate::types::schema::Provisioner;

/// The provisioning of an implementation whose attributes are read in `scope`.
pub(crate) fn provisioning(
    db: &dyn Db,
    provisioner: Option<Provisioner>,
    imp: ImplView<'_>,
    scope: &Scope,
) -> Provisioning {
    let fields = &imp.lowered.fields;
    let read = |field: Option<ExprId>| {
        field.map_or(Value::Absent, |value| eval(db, scope, imp.exprs, value))
    };
    let route = || HttpRoute {
        host: text(&read(fields.host)).unwrap_or_default(),
        path: text(&read(fields.path)).unwrap_or_else(|| "/".to_string()),
        port: port(&read(fields.port)).unwrap_or_default(),
        class_or_gateway: None,
        gateway_namespace: None,
    };
    match provisioner {
        Some(Provisioner::Terraform) => Provisioning::Terraform(TerraformModule {
            source: text(&read(fields.source)).unwrap_or_default(),
            version: text(&read(fields.version)),
            inputs: map(read(fields.inputs)),
            local: None,
        }),
        Some(Provisioner::Kubernetes) => Provisioning::Kubernetes(InClusterService {
            image: text(&read(fields.image)).unwrap_or_default(),
            port: port(&read(fields.port)),
            args: texts(&read(fields.args)),
            env: map(read(fields.env)),
            storage: text(&read(fields.storage)),
        }),
        Some(Provisioner::Ingress) => Provisioning::Ingress(HttpRoute {
            class_or_gateway: text(&read(fields.class)),
            gateway_namespace: None,
            ..route()
        }),
        Some(Provisioner::HttpRoute) => Provisioning::GatewayRoute(HttpRoute {
            class_or_gateway: text(&read(fields.gateway)),
            gateway_namespace: text(&read(fields.gateway_namespace)),
            ..route()
        }),
        Some(Provisioner::Existing) | None => Provisioning::Existing,
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
