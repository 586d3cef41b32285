//! How an instance is provisioned, from its implementation's attributes.
//!
//! Invariants: the attributes are evaluated in the implementation's scope (params,
//! `self`, `env`, `module`, the instances it needs) and read per provisioner, as its
//! schema in [`crate::types::schema`] describes them; a value of the wrong shape (which
//! the checker has already reported) reads as left out, never as a panic.

use std::collections::BTreeMap;

use crate::lowered::{ExprId, ImplementationFields};
use crate::resolve::context::ImplView;
use crate::resolve::eval::eval;
use crate::resolve::eval::field;
use crate::resolve::model::{
    AccessMode, CsiVolume, Endpoints, HttpRoute, InClusterService, Protocol, Provisioning,
    RouteSources, TerraformModule,
};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::source::Db;
use crate::types::schema::Provisioner;

/// Reads a field of an implementation: its value, or `Absent` when it is not set.
type Read<'r> = &'r dyn Fn(Option<ExprId>) -> Value;

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
    match provisioner {
        Some(Provisioner::Terraform) => Provisioning::Terraform(TerraformModule {
            source: text(&read(fields.source)).unwrap_or_default(),
            version: text(&read(fields.version)),
            inputs: map(read(fields.inputs)),
            local: None,
            volume: csi_volume(&read(fields.mount)),
        }),
        Some(Provisioner::Kubernetes) => Provisioning::Kubernetes(in_cluster(fields, &read)),
        Some(Provisioner::Ingress) => {
            let cidrs = texts(&read(fields.source_cidrs));
            let namespace = text(&read(fields.source_namespace)).or_else(|| {
                cidrs
                    .is_empty()
                    .then(|| DEFAULT_INGRESS_NAMESPACE.to_string())
            });
            Provisioning::Ingress(HttpRoute {
                class_or_gateway: text(&read(fields.class)),
                gateway_namespace: None,
                sources: RouteSources { namespace, cidrs },
                ..route(fields, &read)
            })
        }
        Some(Provisioner::HttpRoute) => {
            let gateway_namespace = text(&read(fields.gateway_namespace));
            Provisioning::GatewayRoute(HttpRoute {
                class_or_gateway: text(&read(fields.gateway)),
                sources: {
                    let cidrs = texts(&read(fields.source_cidrs));
                    let namespace = text(&read(fields.source_namespace))
                        .or_else(|| gateway_namespace.clone().filter(|_| cidrs.is_empty()));
                    RouteSources { namespace, cidrs }
                },
                gateway_namespace,
                ..route(fields, &read)
            })
        }
        Some(Provisioner::Existing) | None => Provisioning::Existing,
    }
}

/// The namespace of the ingress controller when an `ingress` implementation does not
/// name one: the namespace that ingress-nginx installs into.
const DEFAULT_INGRESS_NAMESPACE: &str = "ingress-nginx";

/// Where the persistent volume of an in-cluster service is mounted when its
/// implementation does not say.
const DEFAULT_DATA_PATH: &str = "/data";

/// Where workloads reach what an implementation provisions (`endpoints`); empty for
/// an implementation that does not say, and for those that run in the cluster.
pub(crate) fn endpoints(
    db: &dyn Db,
    provisioner: Option<Provisioner>,
    imp: ImplView<'_>,
    scope: &Scope,
) -> Endpoints {
    if !matches!(
        provisioner,
        Some(Provisioner::Terraform | Provisioner::Existing)
    ) {
        return Endpoints::default();
    }
    let given = imp
        .lowered
        .fields
        .endpoints
        .map_or(Value::Absent, |value| eval(db, scope, imp.exprs, value));
    let mut cidrs = texts(&field(&given, "cidrs"));
    cidrs.sort();
    cidrs.dedup();
    let mut ports: Vec<u16> = match field(&given, "ports") {
        Value::List(items) => items.iter().filter_map(port).collect(),
        _ => Vec::new(),
    };
    ports.sort_unstable();
    ports.dedup();
    Endpoints { cidrs, ports }
}

/// A service run in the cluster, or storage only when it has no image.
fn in_cluster(fields: &ImplementationFields, read: Read<'_>) -> InClusterService {
    let mut protocols: Vec<Protocol> = texts(&read(fields.protocols))
        .iter()
        .filter_map(|name| match name.as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            _ => None,
        })
        .collect();
    protocols.sort();
    protocols.dedup();
    if protocols.is_empty() {
        protocols.push(Protocol::Tcp);
    }
    let mut writable = texts(&read(fields.writable));
    writable.sort();
    writable.dedup();
    InClusterService {
        image: text(&read(fields.image)),
        port: port(&read(fields.port)),
        container_port: port(&read(fields.container_port)),
        protocols,
        user: match read(fields.user) {
            Value::Int(user) => u32::try_from(user).ok().filter(|user| *user > 0),
            _ => None,
        },
        args: texts(&read(fields.args)),
        env: map(read(fields.env)),
        files: map(read(fields.files)),
        storage: text(&read(fields.storage)),
        data_path: text(&read(fields.data_path)).unwrap_or_else(|| DEFAULT_DATA_PATH.to_string()),
        writable,
        access_mode: match text(&read(fields.access_mode)).as_deref() {
            Some("ReadWriteMany") => AccessMode::ReadWriteMany,
            _ => AccessMode::ReadWriteOnce,
        },
    }
}

/// The CSI volume that a `mount` record names, when it names a driver.
fn csi_volume(value: &Value) -> Option<CsiVolume> {
    let driver = text(&field(value, "driver"))?;
    Some(CsiVolume {
        driver,
        handle: field(value, "handle"),
        attributes: map(field(value, "attributes")),
    })
}

/// The host, path and port of a route.
fn route(fields: &ImplementationFields, read: Read<'_>) -> HttpRoute {
    HttpRoute {
        host: text(&read(fields.host)).unwrap_or_default(),
        path: text(&read(fields.path)).unwrap_or_else(|| "/".to_string()),
        port: port(&read(fields.port)).unwrap_or_default(),
        class_or_gateway: None,
        gateway_namespace: None,
        sources: RouteSources::default(),
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
        Value::Map(entries) => std::sync::Arc::unwrap_or_clone(entries)
            .into_iter()
            .filter(|(_, value)| !matches!(value, Value::Absent))
            .collect(),
        _ => BTreeMap::new(),
    }
}
