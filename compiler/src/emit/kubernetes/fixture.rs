//! A resolved environment built by hand, for the tests: three workloads (one with two
//! routes, one with every kind of env var and file, one without ports) and instances of
//! every provisioning. Every secret in it contains [`SECRET_MARKER`], so a test can
//! prove that none is ever written.

use std::collections::BTreeMap;

use crate::diagnostic::Label;
use crate::resolve::model::{
    AccessMode, Container, ContainerKind, Endpoints, HttpGet, HttpRoute, InClusterService,
    Instance, Owner, Probe, ProbeAction, Protocol, Provisioning, ResolvedEnvironment,
    ResolvedWorkload, RouteSources, TerraformModule, WorkloadKind,
};
use crate::resolve::value::{Deferred, TemplatePart, Value};
use crate::source::{Database, Origin, SourceFile};
use crate::span::TextRange;

pub(super) const SECRET_MARKER: &str = "s3cr3t-marker";
pub(super) const PROJECT: &str = "shop";

const SOURCE: &str = "\
environment development {
  namespace = \"shop-dev\"
}

workload storefront {
  container main {}
}

workload catalog {
  container main {}
  container sidecar {}
}

workload worker {
  container main {}
}
";

/// The database that holds the fixture's source file, and the environment.
pub(super) struct Fixture {
    pub db: Database,
    pub env: ResolvedEnvironment,
}

impl Fixture {
    /// The places of the labels of the environment.
    pub(super) fn places(&self) -> crate::emit::Places {
        crate::emit::Places::of(&self.db, &self.env)
    }
}

pub(super) fn fixture() -> Fixture {
    let db = Database::default();
    let file = SourceFile::new(
        &db,
        "platform/shop.plat".to_string(),
        SOURCE.to_string(),
        Origin::Project,
    );
    let at = |needle: &str| {
        let start = SOURCE.find(needle).unwrap_or(0) as u32;
        Label::new(file, TextRange::new(start, start + needle.len() as u32))
    };
    let env = ResolvedEnvironment {
        name: "development".into(),
        namespace: "shop-dev".into(),
        cluster: Some("kind-shop".into()),
        region: None,
        domain: Some("shop.localtest.me".into()),
        backend: None,
        workloads: vec![
            catalog(&at("workload catalog")).into(),
            storefront(&at("workload storefront")).into(),
            worker(&at("workload worker")).into(),
        ],
        instances: instances(&at("workload catalog"))
            .into_iter()
            .map(Into::into)
            .collect(),
        remote_workloads: Vec::new(),
        platform: None,
        source: at("environment development"),
    };
    Fixture { db, env }
}

pub(super) fn secret(text: &str) -> Value {
    Value::Secret(Box::new(Value::String(format!("{SECRET_MARKER}-{text}"))))
}

fn password(instance: &str) -> Value {
    Value::Secret(Box::new(Value::Deferred(Box::new(
        Deferred::GeneratedPassword {
            instance: instance.into(),
        },
    ))))
}

fn output(instance: &str, name: &str) -> Value {
    Value::Deferred(Box::new(Deferred::ModuleOutput {
        instance: instance.into(),
        path: vec![name.into()],
    }))
}

fn strings(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

pub(super) fn container(name: &str, source: &Label) -> Container {
    Container {
        name: name.into(),
        image: format!("ghcr.io/acme/{name}:1.0.0"),
        command: Vec::new(),
        args: Vec::new(),
        env: BTreeMap::new(),
        files: BTreeMap::new(),
        ports: BTreeMap::new(),
        cpu: "100m".into(),
        memory: "128Mi".into(),
        cpu_limit: None,
        memory_limit: None,
        kind: ContainerKind::Main,
        liveness: None,
        readiness: None,
        startup: None,
        pre_stop: None,
        volumes: BTreeMap::new(),
        source: source.clone(),
    }
}

/// An HTTP GET probe of `path` on `port` every `period` seconds, with the defaults.
fn http_probe(path: &str, port: u16, period: u32, source: &Label) -> Probe {
    Probe {
        action: ProbeAction::HttpGet(HttpGet {
            path: path.into(),
            port,
            headers: BTreeMap::new(),
            https: false,
        }),
        source: source.clone(),
        initial_delay_seconds: 0,
        period_seconds: period,
        timeout_seconds: 1,
        success_threshold: 1,
        failure_threshold: 3,
    }
}

pub(super) fn workload(name: &str, source: &Label) -> ResolvedWorkload {
    ResolvedWorkload {
        name: name.into(),
        replicas: 1,
        kind: WorkloadKind::Service { autoscaling: None },
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        service_account_annotations: BTreeMap::new(),
        containers: vec![container("main", source)],
        service_ports: BTreeMap::new(),
        termination_grace_period: None,
        resources: BTreeMap::new(),
        calls: Vec::new(),
        callers: Vec::new(),
        source: source.clone(),
    }
}

fn catalog(source: &Label) -> ResolvedWorkload {
    let main = Container {
        image: "ghcr.io/acme/catalog:3.8.1".into(),
        args: vec!["serve".into(), "--port".into(), "8080".into()],
        env: BTreeMap::from([
            ("PORT".into(), Value::Int(8080)),
            ("FEATURE".into(), Value::String("yes".into())),
            ("CACHE_HOST".into(), output("catalog.cache", "endpoint")),
            (
                "DATABASE_URL".into(),
                Value::Template(vec![
                    TemplatePart::Text("postgres://app:".into()),
                    TemplatePart::Value(password("catalog.db")),
                    TemplatePart::Text("@catalog-db:5432/catalog".into()),
                ]),
            ),
            ("API_TOKEN".into(), secret("token")),
            ("OPTIONAL".into(), Value::Absent),
        ]),
        files: BTreeMap::from([
            (
                "/etc/catalog/config.yaml".into(),
                Value::String("listen: 8080\nmode: on\n".into()),
            ),
            (
                "/etc/catalog/database.yaml".into(),
                Value::Template(vec![
                    TemplatePart::Text("password: ".into()),
                    TemplatePart::Value(secret("file")),
                ]),
            ),
            (
                "/etc/catalog/cache-endpoint".into(),
                output("catalog.cache", "endpoint"),
            ),
        ]),
        ports: BTreeMap::from([("http".into(), 8080), ("metrics".into(), 9090)]),
        cpu: "500m".into(),
        memory: "512Mi".into(),
        memory_limit: Some("1Gi".into()),
        liveness: Some(http_probe("/healthz", 8080, 10, source)),
        readiness: Some(http_probe("/ready", 8080, 5, source)),
        volumes: BTreeMap::from([("/var/lib/search".into(), "search_index".into())]),
        ..container("main", source)
    };
    let sidecar = Container {
        image: "ghcr.io/acme/log-shipper@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        command: vec!["/ship".into()],
        env: BTreeMap::from([("SHIP_TOKEN".into(), secret("ship"))]),
        ..container("sidecar", source)
    };
    ResolvedWorkload {
        labels: strings(&[("team", "catalog")]),
        containers: vec![main, sidecar],
        resources: BTreeMap::from([
            ("cache".into(), "catalog.cache".into()),
            ("db".into(), "catalog.db".into()),
            ("index".into(), "search_index".into()),
        ]),
        ..workload("catalog", source)
    }
}

fn storefront(source: &Label) -> ResolvedWorkload {
    let main = Container {
        ports: BTreeMap::from([("http".into(), 8080)]),
        readiness: Some(http_probe("/ready", 8080, 10, source)),
        ..container("main", source)
    };
    ResolvedWorkload {
        replicas: 3,
        labels: strings(&[("team", "web"), ("app.kubernetes.io/name", "not-this")]),
        annotations: strings(&[("prometheus.io/scrape", "true")]),
        containers: vec![main],
        resources: BTreeMap::from([
            ("public".into(), "storefront.public".into()),
            ("web".into(), "storefront.web".into()),
        ]),
        calls: vec!["catalog".into()],
        ..workload("storefront", source)
    }
}

fn worker(source: &Label) -> ResolvedWorkload {
    ResolvedWorkload {
        replicas: 2,
        resources: BTreeMap::from([("orders".into(), "order_events".into())]),
        calls: vec!["catalog".into()],
        containers: vec![Container {
            volumes: BTreeMap::from([("/var/lib/search".into(), "search_index".into())]),
            ..container("main", source)
        }],
        ..workload("worker", source)
    }
}

fn instance(id: &str, owner: Owner, provisioning: Provisioning, source: &Label) -> Instance {
    Instance {
        id: id.into(),
        object_name: id.replace(['.', '_'], "-"),
        offering: "offering".into(),
        offering_version: "1.0.0".into(),
        implementation: "in_cluster".into(),
        owner,
        params: BTreeMap::from([("admin_password".into(), secret("param"))]).into(),
        outputs: BTreeMap::from([("password".into(), secret("output"))]).into(),
        provisioning,
        endpoints: Endpoints::default(),
        needs: Vec::new(),
        source: source.clone(),
    }
}

/// An in-cluster service of `image` (storage only without one), listening on `port`.
fn service(image: Option<&str>, port: Option<u16>) -> InClusterService {
    InClusterService {
        image: image.map(str::to_string),
        port,
        container_port: None,
        protocols: vec![Protocol::Tcp],
        user: None,
        args: Vec::new(),
        env: BTreeMap::new(),
        files: BTreeMap::new(),
        storage: None,
        data_path: "/data".into(),
        writable: Vec::new(),
        access_mode: AccessMode::ReadWriteOnce,
    }
}

fn instances(source: &Label) -> Vec<Instance> {
    let catalog = || Owner::Workload("catalog".into());
    let storefront = || Owner::Workload("storefront".into());
    let cache = Instance {
        offering: "redis".into(),
        ..instance(
            "catalog.cache",
            catalog(),
            Provisioning::Terraform(TerraformModule {
                source: "terraform-aws-modules/elasticache/aws".into(),
                version: Some("1.10.3".into()),
                inputs: BTreeMap::from([("auth_token".into(), secret("input"))]),
                local: None,
                volume: None,
            }),
            source,
        )
    };
    let cache = Instance {
        endpoints: Endpoints {
            cidrs: vec!["10.20.0.0/19".into(), "10.20.32.0/19".into()],
            ports: vec![6379],
        },
        ..cache
    };
    let db = Instance {
        offering: "postgres".into(),
        params: BTreeMap::from([
            ("storage_class".into(), Value::String("standard".into())),
            ("admin_password".into(), secret("param")),
        ])
        .into(),
        ..instance(
            "catalog.db",
            catalog(),
            Provisioning::Kubernetes(InClusterService {
                user: Some(70),
                env: BTreeMap::from([
                    ("POSTGRES_DB".into(), Value::String("catalog".into())),
                    ("POSTGRES_PASSWORD".into(), password("catalog.db")),
                    (
                        "PGDATA".into(),
                        Value::String("/var/lib/postgresql/data/pgdata".into()),
                    ),
                ]),
                storage: Some("10Gi".into()),
                data_path: "/var/lib/postgresql/data".into(),
                writable: vec!["/var/run/postgresql".into()],
                ..service(Some("postgres:16-alpine"), Some(5432))
            }),
            source,
        )
    };
    let queue = Instance {
        offering: "queue".into(),
        ..instance(
            "order_events",
            Owner::Environment,
            Provisioning::Kubernetes(service(
                Some("softwaremill/elasticmq-native:1.6.11"),
                Some(9324),
            )),
            source,
        )
    };
    let index = Instance {
        offering: "volume".into(),
        params: BTreeMap::from([("storage_class".into(), Value::String("local-path".into()))])
            .into(),
        ..instance(
            "search_index",
            Owner::Environment,
            Provisioning::Kubernetes(InClusterService {
                storage: Some("5Gi".into()),
                access_mode: AccessMode::ReadWriteMany,
                ..service(None, None)
            }),
            source,
        )
    };
    let web = instance(
        "storefront.web",
        storefront(),
        Provisioning::Ingress(HttpRoute {
            host: "shop.localtest.me".into(),
            path: "/".into(),
            port: 8080,
            class_or_gateway: Some("nginx".into()),
            gateway_namespace: None,
            sources: RouteSources {
                namespace: Some("ingress-nginx".into()),
                cidrs: Vec::new(),
            },
        }),
        source,
    );
    let public = instance(
        "storefront.public",
        storefront(),
        Provisioning::GatewayRoute(HttpRoute {
            host: "shop.example.com".into(),
            path: "/shop".into(),
            port: 8080,
            class_or_gateway: Some("public".into()),
            gateway_namespace: Some("gateways".into()),
            sources: RouteSources {
                namespace: Some("gateways".into()),
                cidrs: Vec::new(),
            },
        }),
        source,
    );
    let mut instances = vec![cache, db, queue, index, public, web];
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    instances
}
