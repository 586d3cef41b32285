//! The schemas of the built-in blocks, as data.
//!
//! Invariants: every attribute a built-in block accepts is listed here, once, with its
//! type, whether it is required or its default, its documentation, and the kinds of
//! values it accepts: a field is a plain, compile-time sink unless it says it accepts
//! secret or provision-time values. The checker, the language server's completion and
//! hover, and the documentation all read these tables; nothing else knows the fields.

use std::sync::LazyLock;

use crate::types::ty::{Constraint, FieldTy, Format, RefTy, Ty};

/// One attribute of a built-in block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSchema {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default, as written in source, when leaving the field out means a value.
    pub default: Option<&'static str>,
    pub doc: &'static str,
    /// Whether secret values may flow here.
    pub accepts_secret: bool,
    /// Whether values known only after provisioning may flow here.
    pub accepts_provision: bool,
    /// When setting the field is deprecated: the help, what to write instead.
    pub deprecated: Option<&'static str>,
}

impl FieldSchema {
    fn new(name: &'static str, ty: Ty, doc: &'static str) -> FieldSchema {
        FieldSchema {
            name,
            required: !matches!(ty, Ty::Optional(_)),
            ty,
            default: None,
            doc,
            accepts_secret: false,
            accepts_provision: false,
            deprecated: None,
        }
    }

    fn optional(name: &'static str, ty: Ty, doc: &'static str) -> FieldSchema {
        FieldSchema::new(name, Ty::optional(ty), doc)
    }

    fn default(mut self, default: &'static str) -> FieldSchema {
        self.required = false;
        self.default = Some(default);
        self
    }

    /// Plain values known only after provisioning may flow here; secrets may not.
    fn provision(mut self) -> FieldSchema {
        self.accepts_provision = true;
        self
    }

    /// Setting the field is deprecated: `instead` is the help, what to write (W0903).
    fn deprecated(mut self, instead: &'static str) -> FieldSchema {
        self.deprecated = Some(instead);
        self
    }

    fn secret_and_provision(mut self) -> FieldSchema {
        self.accepts_secret = true;
        self.accepts_provision = true;
        self
    }

    /// `name: type = default`, for hover.
    pub fn signature(&self) -> String {
        match self.default {
            Some(default) => format!("{}: {} = {default}", self.name, self.ty),
            None => format!("{}: {}", self.name, self.ty),
        }
    }
}

/// How a nested block is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelRule {
    /// `container main { }`: the label names the block.
    Required,
    /// No label.
    None,
}

/// A kind of block that may appear inside another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedBlock {
    pub kind: &'static str,
    pub label: LabelRule,
    /// Whether the block takes `: provisioner` after the label.
    pub provisioner: bool,
    pub doc: &'static str,
}

/// Which member shapes a body may hold besides attributes and nested blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Members {
    pub params: bool,
    pub outputs: bool,
    pub instances: bool,
    pub uses: bool,
    pub requires: bool,
}

/// The schema of one kind of block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSchema {
    /// How the block is written: `workload`, `container`, `implementation`.
    pub keyword: &'static str,
    /// How messages name it: `a workload`, `a terraform implementation`.
    pub noun: &'static str,
    pub doc: &'static str,
    pub fields: Vec<FieldSchema>,
    pub blocks: Vec<NestedBlock>,
    pub members: Members,
    /// When set, any attribute name is accepted with this type (a `backend` block).
    pub free_attributes: Option<Ty>,
}

impl BlockSchema {
    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|field| field.name == name)
    }

    pub fn nested(&self, kind: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|block| block.kind == kind)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|field| field.name)
    }

    /// The same block with every field optional: an `override` sets only what changes.
    fn partial(&self) -> BlockSchema {
        let mut partial = self.clone();
        for field in &mut partial.fields {
            field.required = false;
        }
        partial
    }
}

/// How an implementation provisions its offering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provisioner {
    Terraform,
    Kubernetes,
    Existing,
    /// An HTTP route to the owning workload, as a Kubernetes Ingress.
    Ingress,
    /// An HTTP route to the owning workload, as a Gateway API HTTPRoute.
    HttpRoute,
}

impl Provisioner {
    pub const ALL: [Provisioner; 5] = [
        Provisioner::Terraform,
        Provisioner::Kubernetes,
        Provisioner::Existing,
        Provisioner::Ingress,
        Provisioner::HttpRoute,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Provisioner::Terraform => "terraform",
            Provisioner::Kubernetes => "kubernetes",
            Provisioner::Existing => "existing",
            Provisioner::Ingress => "ingress",
            Provisioner::HttpRoute => "http_route",
        }
    }

    pub fn parse(name: &str) -> Option<Provisioner> {
        Provisioner::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Every block kind the language knows, in any place.
pub const BLOCK_KINDS: &[&str] = &[
    "backend",
    "container",
    "implementation",
    "init_container",
    "override",
    "sidecar",
    "waiver",
];

/// A policy's severity attribute and its values.
pub const SEVERITY: &str = "severity";
pub const DENY: &str = "deny";
pub const WARN: &str = "warn";

/// What a container of a workload is: which block declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerKind {
    /// `container NAME { }`: runs as long as the pod.
    Main,
    /// `init_container NAME { }`: runs to completion before the pod's containers start.
    Init,
    /// `sidecar NAME { }`: starts before the pod's containers and runs beside them.
    Sidecar,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Main,
        ContainerKind::Init,
        ContainerKind::Sidecar,
    ];

    /// The block keyword: `container`, `init_container`, `sidecar`.
    pub fn keyword(self) -> &'static str {
        match self {
            ContainerKind::Main => "container",
            ContainerKind::Init => "init_container",
            ContainerKind::Sidecar => "sidecar",
        }
    }

    /// How messages call it: `container`, `init container`, `sidecar`.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Main => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Sidecar => "sidecar",
        }
    }

    pub fn from_keyword(keyword: &str) -> Option<ContainerKind> {
        ContainerKind::ALL
            .into_iter()
            .find(|kind| kind.keyword() == keyword)
    }

    /// The schema of the block; `partial` inside an `override`, where every field is
    /// optional.
    pub fn schema(self, partial: bool) -> &'static BlockSchema {
        match (self, partial) {
            (ContainerKind::Main, false) => &CONTAINER,
            (ContainerKind::Main, true) => &CONTAINER_OVERRIDE,
            (ContainerKind::Init, false) => &INIT_CONTAINER,
            (ContainerKind::Init, true) => &INIT_CONTAINER_OVERRIDE,
            (ContainerKind::Sidecar, false) => &SIDECAR,
            (ContainerKind::Sidecar, true) => &SIDECAR_OVERRIDE,
        }
    }
}

/// The attribute of an implementation that maps offering outputs to values.
pub const OUTPUTS: &str = "outputs";

/// A workload of another application in `callers`: `storefront.web`. The application
/// is a project's name, a label value (E0505); the workload's name is a Service's (E0220).
pub const CALLER_PATTERN: &str =
    "^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?\\.[a-z]([a-z0-9-]{0,61}[a-z0-9])?$";

/// The instance parameter that binds a workload's resource to an environment's shared one.
pub const SHARED: &str = "shared";

/// The attribute of a workload, and the instance parameter of a resource, that says the
/// sources remove it: it no longer runs, and what Terraform provisioned for it is
/// destroyed.
pub const REMOVED: &str = "removed";

/// The attribute of an offering that says its resources keep data.
pub const STATEFUL: &str = "stateful";

/// The parameter of a stateful offering that protects a resource from destruction.
pub const PROTECT: &str = "protect";

/// The largest value of Kubernetes' 32-bit integer fields.
pub const INT32_MAX: i64 = 2_147_483_647;

/// A duration of Kubernetes' 32-bit seconds fields, of at least `min` seconds.
fn seconds_from(min: i64) -> Ty {
    Ty::seconds_in(Some(min), Some(INT32_MAX))
}

/// The fields of an HTTP GET: a probe's or a handler's.
fn http_get_fields() -> Vec<FieldTy> {
    vec![
        FieldTy::new("path", Ty::optional(Ty::String))
            .with_doc("HTTP GET: the path requested, `/healthz`; with `port`."),
        FieldTy::new("port", Ty::optional(Ty::Port))
            .with_doc("HTTP GET: the container port the request is sent to; a declared port."),
        FieldTy::new("headers", Ty::optional(Ty::map(Ty::String)))
            .with_doc("HTTP GET: headers sent with the request: `{ \"X-Probe\" = \"kubelet\" }`."),
        FieldTy::new(
            "scheme",
            Ty::Enum(vec!["HTTP".to_string(), "HTTPS".to_string()]),
        )
        .with_default("\"HTTP\"")
        .with_doc("HTTP GET: `\"HTTPS\"` to connect with TLS (the certificate is not verified)."),
    ]
}

/// The actions of a probe, exactly one of which a probe has (E0313).
pub const PROBE_ACTIONS: &[&str] = &["path", "grpc", "tcp", "exec"];

/// The actions of a handler (`pre_stop`), exactly one of which it has (E0313).
pub const HANDLER_ACTIONS: &[&str] = &["path", "sleep", "exec"];

/// A probe: one action (an HTTP GET of `path`, a gRPC health check, a TCP connection or
/// a command) and its timing.
fn probe() -> Ty {
    let mut fields = http_get_fields();
    fields.extend([
        FieldTy::new("grpc", Ty::optional(Ty::Port))
            .with_doc("gRPC: the container port of the standard gRPC health service (`grpc.health.v1`)."),
        FieldTy::new("service", Ty::optional(Ty::String))
            .with_doc("gRPC: the service name sent in the health check request."),
        FieldTy::new("tcp", Ty::optional(Ty::Port))
            .with_doc("TCP: the container port a connection is opened to; it succeeds when the port accepts it."),
        FieldTy::new("exec", Ty::optional(Ty::list(Ty::String)))
            .with_doc("A command run in the container: `[\"redis-cli\", \"ping\"]`; it succeeds when it exits with 0."),
        FieldTy::new("initial_delay", seconds_from(0))
            .with_default("0s")
            .with_doc("How long after the container starts the first probe runs."),
        FieldTy::new("period", seconds_from(1))
            .with_default("10s")
            .with_doc("How often to probe."),
        FieldTy::new("timeout", seconds_from(1))
            .with_default("1s")
            .with_doc("How long a probe may take before it counts as failed."),
        FieldTy::new("success_threshold", Ty::int_in(1, INT32_MAX))
            .with_default("1")
            .with_doc("Successes in a row, after a failure, that count as success; 1 for `liveness` and `startup`."),
        FieldTy::new("failure_threshold", Ty::int_in(1, INT32_MAX))
            .with_default("3")
            .with_doc("Failures in a row that count as failure."),
    ]);
    Ty::Record(fields)
}

/// A handler run at a point of a container's life (`pre_stop`): one action.
fn handler() -> Ty {
    let mut fields = http_get_fields();
    fields.extend([
        FieldTy::new("sleep", Ty::optional(seconds_from(1)))
            .with_doc("Waits this long: `5s`, time for the Service to stop sending requests."),
        FieldTy::new("exec", Ty::optional(Ty::list(Ty::String)))
            .with_doc("A command run in the container: `[\"/app/drain\"]`."),
    ]);
    Ty::Record(fields)
}

/// `autoscaling = { ... }`: a HorizontalPodAutoscaler.
fn autoscaling() -> Ty {
    let percent = || Ty::optional(Ty::int_in(1, 1000));
    Ty::Record(vec![
        FieldTy::new("min", Ty::int_in(1, 1000))
            .with_default("1")
            .with_doc("The fewest replicas the autoscaler keeps."),
        FieldTy::new("max", Ty::int_in(1, 1000))
            .with_doc("The most replicas the autoscaler starts."),
        FieldTy::new("cpu", percent()).with_doc(
            "The average CPU use to keep, in percent of the containers' `cpu` requests: `70`. \
             Without `cpu` and `memory`, 80.",
        ),
        FieldTy::new("memory", percent()).with_doc(
            "The average memory use to keep, in percent of the containers' `memory` requests.",
        ),
    ])
}

/// `job = { ... }`: run-to-completion work.
fn job() -> Ty {
    Ty::Record(vec![
        FieldTy::new("backoff_limit", Ty::int_in(0, INT32_MAX))
            .with_default("6")
            .with_doc("How many times a failed pod is retried before the job fails."),
        FieldTy::new("completions", Ty::optional(Ty::int_in(1, INT32_MAX)))
            .with_doc("How many pods must succeed; one when left out."),
        FieldTy::new("parallelism", Ty::int_in(1, INT32_MAX))
            .with_default("1")
            .with_doc("How many pods run at once."),
        FieldTy::new("active_deadline", Ty::optional(seconds_from(1)))
            .with_doc("How long the job may run, retries included, before it is stopped and fails."),
        FieldTy::new("ttl_after_finished", Ty::optional(seconds_from(0)))
            .with_doc("How long a finished job (and its pods' logs) is kept before it is deleted."),
        FieldTy::new(
            "restart",
            Ty::Enum(vec!["Never".to_string(), "OnFailure".to_string()]),
        )
        .with_default("\"Never\"")
        .with_doc("`\"Never\"`: a failed pod is replaced by a new one; `\"OnFailure\"`: its container is restarted in place."),
    ])
}

/// `schedule = { ... }`: a CronJob.
fn schedule() -> Ty {
    let count = |default: &str, doc: &str| {
        FieldTy::new("", Ty::int_in(0, INT32_MAX))
            .with_default(default)
            .with_doc(doc)
    };
    let named = |mut field: FieldTy, name: &str| {
        field.name = name.to_string();
        field
    };
    Ty::Record(vec![
        FieldTy::new("cron", Ty::Constrained(Box::new(Ty::String), Constraint::Format(Format::Cron)))
            .with_doc("When the job runs, as five cron fields: `\"30 2 * * *\"` is every day at 02:30; or `\"@hourly\"`, `\"@daily\"`."),
        FieldTy::new("time_zone", Ty::optional(Ty::formatted(Format::TimeZone)))
            .with_doc("The time zone of `cron`, from the IANA database: `\"Europe/Amsterdam\"`; the cluster's when left out."),
        FieldTy::new(
            "concurrency",
            Ty::Enum(vec!["Allow".to_string(), "Forbid".to_string(), "Replace".to_string()]),
        )
        .with_default("\"Allow\"")
        .with_doc("When the previous run is still running: `\"Allow\"` both, `\"Forbid\"` skips the new one, `\"Replace\"` stops the old one."),
        named(count("3", "How many succeeded jobs are kept."), "successful_history"),
        named(count("1", "How many failed jobs are kept."), "failed_history"),
        FieldTy::new("starting_deadline", Ty::optional(seconds_from(10)))
            .with_doc("How late a run may start, when it missed its time; at least 10s, how often Kubernetes looks."),
        FieldTy::new("suspend", Ty::Bool)
            .with_default("false")
            .with_doc("`true` stops new runs; running ones go on."),
    ])
}

static WORKLOAD: LazyLock<BlockSchema> = LazyLock::new(|| {
    BlockSchema {
    keyword: "workload",
    noun: "a workload",
    doc: "What a developer runs: containers, the resources they need, the workloads they call.",
    fields: vec![
        FieldSchema::new(
            "replicas",
            Ty::int_in(0, 1000),
            "How many copies of the workload run.",
        )
        .default("1"),
        FieldSchema::optional(
            "calls",
            Ty::list(Ty::Ref(RefTy::Workload)),
            "The workloads this one calls; network policies allow exactly these. A workload of another application is imported from its package: `import payments.payments-api`.",
        ),
        FieldSchema::optional(
            "callers",
            Ty::list(Ty::Constrained(
                Box::new(Ty::String),
                Constraint::Pattern(CALLER_PATTERN.to_string()),
            )),
            "The workloads of other applications that may call this one, as `\"APPLICATION.WORKLOAD\"`: its network policy admits exactly these, and a call from any other application is an error where it is written.",
        ),
        FieldSchema::optional(
            "requires",
            Ty::map(Ty::String),
            "The versions of offerings this was written for, as version requirements: `{ postgres = \"^1.2\" }`. An offering whose version a requirement does not admit is an error here.",
        ),
        FieldSchema::optional(
            "labels",
            Ty::keyed(Format::QualifiedName, Ty::formatted(Format::LabelValue)),
            "Kubernetes labels added to every object of the workload. Plain values only.",
        ),
        FieldSchema::optional(
            "annotations",
            Ty::keyed(Format::QualifiedName, Ty::String),
            "Kubernetes annotations added to the workload's pods. Plain values only.",
        ),
        FieldSchema::optional(
            "service_account_annotations",
            Ty::keyed(Format::QualifiedName, Ty::String),
            "Annotations on the workload's ServiceAccount, such as the cloud role it assumes: `{ \"eks.amazonaws.com/role-arn\" = identity.role }`. Plain values only; a value known only after provisioning makes the workload's Terraform write the ServiceAccount.",
        )
        .provision(),
        FieldSchema::new(
            REMOVED,
            Ty::Bool,
            "The workload is removed: nothing of it runs, and the next `terraform apply` of its root module destroys what Terraform provisioned for it. Delete the workload from the sources once that is applied.",
        )
        .default("false"),
        FieldSchema::optional(
            "service_ports",
            Ty::keyed(Format::PortName, Ty::Port),
            "The port the workload's Service listens on for a named container port, when it is not the container's: `{ http = 80 }` serves the container port `http` (8080) on port 80. Other workloads reach it there.",
        ),
        FieldSchema::optional(
            "autoscaling",
            autoscaling(),
            "A HorizontalPodAutoscaler keeps between `min` and `max` replicas, to hold the average CPU (or memory) use: `{ min = 2, max = 10, cpu = 70 }`. It owns the replica count: `replicas` is not written.",
        ),
        FieldSchema::optional(
            "termination_grace_period",
            seconds_from(0),
            "How long a pod may take to stop after it is asked to (its `pre_stop` hooks included) before it is killed; 30s when left out.",
        ),
        FieldSchema::optional(
            "job",
            job(),
            "Makes the workload a Job: its pods run to completion, once, instead of being kept running: `{ backoff_limit = 2, active_deadline = 30m }`. With `schedule`, the settings of each run.",
        ),
        FieldSchema::optional(
            "schedule",
            schedule(),
            "Makes the workload a CronJob: a Job started on a schedule: `{ cron = \"30 2 * * *\", time_zone = \"Europe/Amsterdam\", concurrency = \"Forbid\" }`.",
        ),
    ],
    blocks: vec![
        NestedBlock {
            kind: "container",
            label: LabelRule::Required,
            provisioner: false,
            doc: "A container of the workload's pods; at least one is required.",
        },
        NestedBlock {
            kind: "init_container",
            label: LabelRule::Required,
            provisioner: false,
            doc: "A container that runs to completion before the workload's containers start, in the order written: migrations, downloads.",
        },
        NestedBlock {
            kind: "sidecar",
            label: LabelRule::Required,
            provisioner: false,
            doc: "A container that starts before the workload's containers and runs beside them until they stop (a Kubernetes native sidecar): proxies, log shippers.",
        },
        NestedBlock {
            kind: "override",
            label: LabelRule::Required,
            provisioner: false,
            doc: "Changes that apply in one environment only: `override production { replicas = 4 }`.",
        },
    ],
    members: Members {
        instances: true,
        ..Members::default()
    },
    free_attributes: None,
}
});

static CONTAINER: LazyLock<BlockSchema> = LazyLock::new(|| {
    BlockSchema {
    keyword: "container",
    noun: "a container",
    doc: "A container of a workload.",
    fields: vec![
        FieldSchema::new(
            "image",
            Ty::formatted(Format::Image),
            "The image to run: `ghcr.io/acme/api:1.4.2`. Pin a tag or a digest.",
        ),
        FieldSchema::optional("command", Ty::list(Ty::String), "Replaces the image's entrypoint."),
        FieldSchema::optional("args", Ty::list(Ty::String), "Arguments passed to the command."),
        FieldSchema::optional(
            "env",
            Ty::keyed(Format::EnvName, Ty::String),
            "Environment variables. Secret and provision-time values are delivered through a Kubernetes Secret.",
        )
        .secret_and_provision(),
        FieldSchema::optional(
            "files",
            Ty::keyed(Format::MountPath, Ty::String),
            "Files to mount, by absolute path, with their contents. Secret and provision-time values are delivered through a Kubernetes Secret.",
        )
        .secret_and_provision(),
        FieldSchema::optional("ports", Ty::keyed(Format::PortName, Ty::Port), "Named ports the container listens on: `{ http = 8080 }`."),
        FieldSchema::new("cpu", Ty::Cpu, "CPU requested: cores (`1`, `0.5`) or millicores (`250m`).").default("100m"),
        FieldSchema::new("memory", Ty::Memory, "Memory requested: `256Mi`, `1Gi`.").default("128Mi"),
        FieldSchema::optional("cpu_limit", Ty::Cpu, "The most CPU the container may use."),
        FieldSchema::optional("memory_limit", Ty::Memory, "The most memory the container may use."),
        FieldSchema::optional(
            "liveness",
            probe(),
            "A probe (`path` and `port`, `grpc`, `tcp` or `exec`); the container restarts when it fails.",
        ),
        FieldSchema::optional(
            "readiness",
            probe(),
            "A probe; the container receives no traffic from its Service while it fails.",
        ),
        FieldSchema::optional(
            "startup",
            probe(),
            "A probe that holds the other probes back until it succeeds once: for a container that starts slowly.",
        ),
        FieldSchema::optional(
            "pre_stop",
            handler(),
            "Runs before the container is stopped (`sleep`, `exec`, or an HTTP GET of `path`), within `termination_grace_period`: `{ sleep = 5s }`.",
        ),
        FieldSchema::optional(
            "volumes",
            Ty::keyed(Format::MountPath, Ty::Ref(RefTy::Resource(None))),
            "Resources mounted by path: `{ \"/data\" = data }`.",
        ),
    ],
    blocks: Vec::new(),
    members: Members::default(),
    free_attributes: None,
}
});

/// The fields an init container, which runs to completion, does not have: probes, hooks
/// and ports.
pub const RUN_TO_COMPLETION_LACKS: &[&str] =
    &["liveness", "readiness", "startup", "pre_stop", "ports"];

static INIT_CONTAINER: LazyLock<BlockSchema> = LazyLock::new(|| {
    let mut schema = CONTAINER.clone();
    schema.keyword = "init_container";
    schema.noun = "an init container";
    schema.doc = "A container that runs to completion before the workload's containers start.";
    schema
        .fields
        .retain(|field| !RUN_TO_COMPLETION_LACKS.contains(&field.name));
    schema
});

static SIDECAR: LazyLock<BlockSchema> = LazyLock::new(|| {
    let mut schema = CONTAINER.clone();
    schema.keyword = "sidecar";
    schema.noun = "a sidecar";
    schema.doc = "A container that starts before the workload's containers and runs beside them.";
    schema
});

static INIT_CONTAINER_OVERRIDE: LazyLock<BlockSchema> = LazyLock::new(|| INIT_CONTAINER.partial());
static SIDECAR_OVERRIDE: LazyLock<BlockSchema> = LazyLock::new(|| SIDECAR.partial());

static OVERRIDE: LazyLock<BlockSchema> = LazyLock::new(|| {
    let mut schema = WORKLOAD.partial();
    schema.keyword = "override";
    schema.noun = "an override";
    schema.doc = "Changes to the workload that apply in one environment only.";
    schema.blocks.retain(|block| block.kind != "override");
    schema
});

static CONTAINER_OVERRIDE: LazyLock<BlockSchema> = LazyLock::new(|| CONTAINER.partial());

static ENVIRONMENT: LazyLock<BlockSchema> = LazyLock::new(|| BlockSchema {
    keyword: "environment",
    noun: "an environment",
    doc: "Where workloads run, which implementation of each offering is used there, and which policies hold.",
    fields: vec![
        FieldSchema::new(
            "namespace",
            Ty::formatted(Format::DnsLabel),
            "The Kubernetes namespace workloads run in (a DNS label).",
        ),
        FieldSchema::optional("cluster", Ty::String, "The cluster to deploy to."),
        FieldSchema::optional(
            "region",
            Ty::String,
            "The cloud region of provisioned resources.",
        ),
        FieldSchema::optional("domain", Ty::String, "The domain routes are served under."),
        FieldSchema::optional(
            "policies",
            Ty::list(Ty::Ref(RefTy::Policy)),
            "The policies every workload must satisfy here.",
        ),
        FieldSchema::optional(
            "requires",
            Ty::map(Ty::String),
            "The versions of offerings this was written for, as version requirements: `{ postgres = \"^1.2\" }`. An offering whose version a requirement does not admit is an error here.",
        ),
    ],
    blocks: vec![
        NestedBlock {
            kind: "backend",
            label: LabelRule::Required,
            provisioner: false,
            doc: "Where Terraform keeps its state: `backend s3 { bucket = \"tf-state\" }`.",
        },
        NestedBlock {
            kind: "waiver",
            label: LabelRule::Required,
            provisioner: false,
            doc: "Waives a policy of the environment for some workloads, with the reason: \
                  `waiver min_replicas { workloads = [nightly-report], reason = \"...\" }`.",
        },
    ],
    members: Members {
        instances: true,
        uses: true,
        ..Members::default()
    },
    free_attributes: None,
});

static WAIVER: LazyLock<BlockSchema> = LazyLock::new(|| BlockSchema {
    keyword: "waiver",
    noun: "a waiver",
    doc: "Waives the policy it names, in this environment, for the workloads it lists: their \
          violations are still shown, as waived, with the reason, and do not fail the check.",
    fields: vec![
        FieldSchema::new(
            "workloads",
            Ty::list(Ty::Ref(RefTy::Workload)),
            "The workloads the waiver applies to.",
        ),
        FieldSchema::new(
            "reason",
            Ty::Constrained(Box::new(Ty::String), Constraint::Pattern("\\S".to_string())),
            "Why the policy does not hold for them: shown with every waived violation, and in \
             SARIF as the suppression's justification.",
        ),
    ],
    blocks: Vec::new(),
    members: Members::default(),
    free_attributes: None,
});

/// The backend kinds whose settings plat knows and types; any other kind takes settings
/// of any type, passed as they are.
pub const KNOWN_BACKENDS: &[&str] = &["gcs", "kubernetes", "local", "s3"];

/// A backend whose settings are its own: settings of any type, passed as they are.
static ANY_BACKEND: LazyLock<BlockSchema> = LazyLock::new(|| BlockSchema {
    keyword: "backend",
    noun: "a backend",
    doc: "The Terraform backend's settings, passed as they are.",
    fields: Vec::new(),
    blocks: Vec::new(),
    members: Members::default(),
    free_attributes: Some(Ty::Any),
});

fn backend_schema(doc: &'static str, fields: Vec<FieldSchema>) -> BlockSchema {
    BlockSchema {
        keyword: "backend",
        noun: "a backend",
        doc,
        fields,
        blocks: Vec::new(),
        members: Members::default(),
        free_attributes: None,
    }
}

/// A credential: typed `secret`, so that it can never be written in source (E0402);
/// Terraform reads it from the environment or a file instead.
fn credential(name: &'static str, doc: &'static str) -> FieldSchema {
    FieldSchema::optional(name, Ty::Secret, doc)
}

fn text(name: &'static str, doc: &'static str) -> FieldSchema {
    FieldSchema::optional(name, Ty::String, doc)
}

fn flag(name: &'static str, doc: &'static str) -> FieldSchema {
    FieldSchema::optional(name, Ty::Bool, doc)
}

fn texts(name: &'static str, doc: &'static str) -> FieldSchema {
    FieldSchema::optional(name, Ty::list(Ty::String), doc)
}

fn optional_text(name: &str, doc: &str) -> FieldTy {
    FieldTy::new(name, Ty::optional(Ty::String)).with_doc(doc)
}

/// What every way of assuming a role in the `s3` backend says about the session.
fn role_session() -> Vec<FieldTy> {
    vec![
        FieldTy::new("role_arn", Ty::String).with_doc("The role to assume."),
        optional_text("duration", "How long the session lasts: `1h`."),
        optional_text(
            "policy",
            "An IAM policy (JSON) that narrows the role's permissions.",
        ),
        FieldTy::new("policy_arns", Ty::optional(Ty::list(Ty::String)))
            .with_doc("IAM policies that narrow the role's permissions."),
        optional_text("session_name", "The session's name."),
    ]
}

/// The settings of Terraform's `s3` backend (Terraform 1.11).
fn s3_backend() -> BlockSchema {
    let mut assume_role = role_session();
    assume_role.extend([
        optional_text("external_id", "The external ID the role requires."),
        optional_text("source_identity", "The source identity of the session."),
        FieldTy::new("tags", Ty::optional(Ty::map(Ty::String))).with_doc("Session tags."),
        FieldTy::new("transitive_tag_keys", Ty::optional(Ty::list(Ty::String)))
            .with_doc("Session tag keys passed on to later sessions."),
    ]);
    let assume_role = Ty::Record(assume_role);
    let mut web_identity = role_session();
    web_identity.push(optional_text(
        "web_identity_token_file",
        "The file that holds the OpenID Connect token.",
    ));
    let web_identity = Ty::Record(web_identity);
    let endpoints = Ty::Record(vec![
        optional_text("dynamodb", "The DynamoDB API's endpoint."),
        optional_text("iam", "The IAM API's endpoint."),
        optional_text("s3", "The S3 API's endpoint."),
        optional_text("sso", "The IAM Identity Center API's endpoint."),
        optional_text("sts", "The STS API's endpoint."),
    ]);
    backend_schema(
        "State in an S3 bucket, one object per root module (plat makes `key` distinct for each).",
        vec![
            FieldSchema::new("bucket", Ty::String, "The bucket that holds the state."),
            text(
                "key",
                "Where the state goes in the bucket; plat writes one object per root module \
                 under it (`shop/staging.tfstate` becomes `shop/staging/shared.tfstate`...).",
            ),
            text("region", "The bucket's region."),
            FieldSchema::new(
                "encrypt",
                Ty::Bool,
                "Encrypt the state at rest (it holds every secret of the root module).",
            )
            .default("true"),
            flag(
                "use_lockfile",
                "Lock the state with a file beside it in the bucket (Terraform 1.10 or later).",
            ),
            text(
                "dynamodb_table",
                "A DynamoDB table that locks the state; deprecated since Terraform 1.11.",
            )
            .deprecated(
                "lock with `use_lockfile = true` instead (a file beside the state in the \
                 bucket; Terraform 1.10 or later), and remove `dynamodb_table` once everyone \
                 who applies runs Terraform 1.10",
            ),
            text("kms_key_id", "The KMS key that encrypts the state."),
            text("acl", "The canned ACL of the state object."),
            text("profile", "The AWS profile to use."),
            FieldSchema::optional("assume_role", assume_role, "A role to assume."),
            FieldSchema::optional(
                "assume_role_with_web_identity",
                web_identity,
                "A role to assume with an OpenID Connect token.",
            ),
            FieldSchema::optional("endpoints", endpoints, "Custom API endpoints."),
            texts("allowed_account_ids", "The only AWS accounts allowed."),
            texts("forbidden_account_ids", "AWS accounts that are refused."),
            texts("shared_config_files", "AWS shared config files."),
            texts("shared_credentials_files", "AWS shared credentials files."),
            text("shared_credentials_file", "An AWS shared credentials file.")
                .deprecated("write `shared_credentials_files = [\"...\"]` instead"),
            text(
                "workspace_key_prefix",
                "The prefix of the states of other workspaces.",
            ),
            text("sts_region", "The region of the STS API."),
            text(
                "retry_mode",
                "How failed requests are retried: `standard`, `adaptive`.",
            ),
            FieldSchema::optional(
                "max_retries",
                Ty::int_in(0, 100),
                "How many times a failed request is retried.",
            ),
            text("custom_ca_bundle", "A file of extra root certificates."),
            text(
                "ec2_metadata_service_endpoint",
                "The address of the EC2 metadata service.",
            ),
            text(
                "ec2_metadata_service_endpoint_mode",
                "How to reach the EC2 metadata service: `IPv4`, `IPv6`.",
            ),
            text("http_proxy", "A proxy for HTTP requests."),
            text("https_proxy", "A proxy for HTTPS requests."),
            text("no_proxy", "Hosts reached without a proxy."),
            flag("insecure", "Accept any TLS certificate."),
            flag("use_path_style", "Use path-style S3 addresses."),
            flag("force_path_style", "Use path-style S3 addresses.")
                .deprecated("write `use_path_style` instead"),
            flag("use_fips_endpoint", "Use FIPS endpoints."),
            flag("use_dualstack_endpoint", "Use dual-stack endpoints."),
            flag(
                "skip_credentials_validation",
                "Do not check the credentials with STS.",
            ),
            flag(
                "skip_requesting_account_id",
                "Do not ask for the account ID.",
            ),
            flag(
                "skip_metadata_api_check",
                "Do not check the EC2 metadata service.",
            ),
            flag("skip_region_validation", "Do not check the region's name."),
            flag("skip_s3_checksum", "Send no checksum with S3 objects."),
            text("endpoint", "The S3 API's endpoint.")
                .deprecated("write `endpoints = { s3 = \"...\" }` instead"),
            text("dynamodb_endpoint", "The DynamoDB API's endpoint.")
                .deprecated("write `endpoints = { dynamodb = \"...\" }` instead"),
            text("iam_endpoint", "The IAM API's endpoint.")
                .deprecated("write `endpoints = { iam = \"...\" }` instead"),
            text("sts_endpoint", "The STS API's endpoint.")
                .deprecated("write `endpoints = { sts = \"...\" }` instead"),
            credential(
                "access_key",
                "An AWS access key: never in source; Terraform reads `AWS_ACCESS_KEY_ID`.",
            ),
            credential(
                "secret_key",
                "An AWS secret key: never in source; Terraform reads `AWS_SECRET_ACCESS_KEY`.",
            ),
            credential("token", "An MFA token: never in source."),
            credential(
                "sse_customer_key",
                "A customer encryption key: never in source.",
            ),
        ],
    )
}

/// The settings of Terraform's `gcs` backend.
fn gcs_backend() -> BlockSchema {
    backend_schema(
        "State in a Cloud Storage bucket, one object per root module (plat makes `prefix` \
         distinct for each).",
        vec![
            FieldSchema::new("bucket", Ty::String, "The bucket that holds the state."),
            text(
                "prefix",
                "Where the state goes in the bucket; plat adds the root module's name.",
            ),
            text(
                "impersonate_service_account",
                "The service account to act as.",
            ),
            texts(
                "impersonate_service_account_delegates",
                "The delegation chain of the impersonated service account.",
            ),
            text(
                "kms_encryption_key",
                "The Cloud KMS key that encrypts the state.",
            ),
            text(
                "storage_custom_endpoint",
                "The Cloud Storage API's endpoint.",
            ),
            credential(
                "credentials",
                "A service account key: never in source; Terraform reads `GOOGLE_CREDENTIALS`.",
            ),
            credential("access_token", "An OAuth2 token: never in source."),
            credential(
                "encryption_key",
                "A customer encryption key: never in source.",
            ),
        ],
    )
}

/// The settings of Terraform's `kubernetes` backend.
fn kubernetes_backend() -> BlockSchema {
    let exec = Ty::Record(vec![
        FieldTy::new("api_version", Ty::String).with_doc("The API version of the plugin."),
        FieldTy::new("command", Ty::String).with_doc("The plugin to run."),
        FieldTy::new("args", Ty::optional(Ty::list(Ty::String))).with_doc("Its arguments."),
        FieldTy::new("env", Ty::optional(Ty::map(Ty::String))).with_doc("Its environment."),
    ]);
    backend_schema(
        "State in Secrets of a Kubernetes cluster, one per root module (plat makes \
         `secret_suffix` distinct for each).",
        vec![
            text(
                "secret_suffix",
                "The suffix of the Secrets' names; plat adds the root module's name.",
            ),
            text(
                "namespace",
                "The namespace of the Secrets: `default` unless set. It must exist.",
            ),
            FieldSchema::optional("labels", Ty::map(Ty::String), "Labels on the Secrets."),
            text(
                "config_context",
                "The kube context; the environment's `cluster` when it has one, as for the \
                 `kubernetes` provider.",
            ),
            text("config_context_auth_info", "The user of the kube context."),
            text("config_context_cluster", "The cluster of the kube context."),
            text("config_path", "The kubeconfig file."),
            texts("config_paths", "The kubeconfig files."),
            flag("load_config_file", "Read the kubeconfig file."),
            flag(
                "in_cluster_config",
                "Use the credentials of the pod Terraform runs in.",
            ),
            text("host", "The address of the API server."),
            text("username", "The user for basic authentication."),
            flag("insecure", "Accept any TLS certificate."),
            text("client_certificate", "A client certificate (PEM)."),
            text(
                "cluster_ca_certificate",
                "The cluster's root certificates (PEM).",
            ),
            FieldSchema::optional("exec", exec, "A plugin that gives credentials."),
            credential(
                "password",
                "The password for basic authentication: never in source.",
            ),
            credential("client_key", "A client key (PEM): never in source."),
            credential("token", "A bearer token: never in source."),
        ],
    )
}

/// The settings of Terraform's `local` backend.
fn local_backend() -> BlockSchema {
    backend_schema(
        "State in files on the machine that applies, outside the build output.",
        vec![
            FieldSchema::new(
                "path",
                Ty::String,
                "An absolute path: `/var/lib/plat/shop/development.tfstate` puts the state of \
                 each root module under `/var/lib/plat/shop/development/`. A relative path \
                 would put it inside the build output (E0902).",
            ),
            text("workspace_dir", "Where the states of other workspaces go."),
        ],
    )
}

static BACKENDS: LazyLock<Vec<(&'static str, BlockSchema)>> = LazyLock::new(|| {
    vec![
        ("gcs", gcs_backend()),
        ("kubernetes", kubernetes_backend()),
        ("local", local_backend()),
        ("s3", s3_backend()),
    ]
});

static OFFERING: LazyLock<BlockSchema> = LazyLock::new(|| {
    BlockSchema {
    keyword: "offering",
    noun: "an offering",
    doc: "Something the platform provides as a service, with typed parameters and outputs.",
    fields: vec![
        FieldSchema::new(
            "version",
            Ty::formatted(Format::Semver),
            "The offering's version, semantic: `1.2.0`.",
        ),
        FieldSchema::new(
            STATEFUL,
            Ty::Bool,
            "Its resources keep data that their destruction loses (a database, a bucket, a queue, a volume): `plat diff` marks their removal or replacement, and each can be protected with the offering's `protect` parameter.",
        )
        .default("false"),
    ],
    blocks: vec![NestedBlock {
        kind: "implementation",
        label: LabelRule::Required,
        provisioner: true,
        doc: "A way to provision the offering: `implementation rds: terraform { }`.",
    }],
    members: Members {
        params: true,
        outputs: true,
        ..Members::default()
    },
    free_attributes: None,
}
});

/// Where workloads reach what an implementation outside the cluster provisions: the
/// NetworkPolicy of every workload that uses it allows egress to exactly these.
fn endpoints_field() -> FieldSchema {
    FieldSchema::optional(
        "endpoints",
        Ty::Record(vec![
            FieldTy::new("cidrs", Ty::list(Ty::String))
                .with_doc("The address ranges clients connect to: `[\"10.20.0.0/19\"]`."),
            FieldTy::new("ports", Ty::list(Ty::Port))
                .with_doc("The TCP ports clients connect to: `[5432]`."),
        ]),
        "Where workloads reach what the implementation provisions: the NetworkPolicy of each \
         workload that uses it allows egress to these address ranges and TCP ports, and no \
         other. Left out, nothing is reached over the network.",
    )
}

/// How a container mounts a volume that a CSI driver serves.
fn csi_volume() -> Ty {
    Ty::Record(vec![
        FieldTy::new("driver", Ty::String).with_doc("The CSI driver: `efs.csi.aws.com`."),
        FieldTy::new("handle", Ty::String)
            .with_doc("The volume's handle, as the driver knows it: a file system's id."),
        FieldTy::new("attributes", Ty::map(Ty::String))
            .with_default("{}")
            .with_doc("The driver's volume attributes: `{ encryptInTransit = \"true\" }`."),
    ])
}

fn outputs_field() -> FieldSchema {
    FieldSchema::new(
        OUTPUTS,
        Ty::Any,
        "The value of each of the offering's outputs: `{ host = ..., port = ... }`.",
    )
    .secret_and_provision()
}

fn implementation(provisioner: Provisioner) -> BlockSchema {
    let fields =
        match provisioner {
            Provisioner::Terraform => vec![
                FieldSchema::new(
                    "source",
                    Ty::String,
                    "The Terraform module: `terraform-aws-modules/rds/aws`.",
                ),
                FieldSchema::optional(
                    "version",
                    Ty::String,
                    "The module version constraint: `6.10.0`.",
                ),
                FieldSchema::optional(
                    "inputs",
                    Ty::map(Ty::Any),
                    "The module's input variables. Secret and provision-time values are allowed.",
                )
                .secret_and_provision(),
                FieldSchema::optional(
                    "mount",
                    csi_volume(),
                    "How a container mounts what the module provisions, when a workload lists the \
                 resource in `volumes`: the CSI driver, the volume's handle and attributes.",
                )
                .provision(),
                endpoints_field(),
                outputs_field(),
            ],
            Provisioner::Kubernetes => vec![
            FieldSchema::optional(
                "image",
                Ty::formatted(Format::Image),
                "The image of the server to run. Without one, the implementation is storage \
                 only: a PersistentVolumeClaim of `storage`.",
            ),
            FieldSchema::optional(
                "port",
                Ty::Port,
                "The port clients connect to: the Service's port.",
            ),
            FieldSchema::optional(
                "container_port",
                Ty::Port,
                "The port the server listens on, when it is not `port` (a server that may not \
                 bind a port below 1024 as a non-root user).",
            ),
            FieldSchema::new(
                "protocols",
                Ty::list(Ty::Enum(vec!["TCP".to_string(), "UDP".to_string()])),
                "The protocols served on the port: `[\"UDP\", \"TCP\"]` for DNS.",
            )
            .default("[\"TCP\"]"),
            FieldSchema::optional(
                "user",
                Ty::Constrained(
                    Box::new(Ty::Int),
                    Constraint::Range {
                        min: Some(1),
                        max: Some(i64::from(i32::MAX)),
                    },
                ),
                "The user (and group) the server runs as, when its image needs its own user \
                 rather than plat's: the owner of the directories the image writes.",
            ),
            FieldSchema::new(
                "data_path",
                Ty::formatted(Format::MountPath),
                "Where the persistent volume (`storage`) is mounted: the image's data directory.",
            )
            .default("\"/data\""),
            FieldSchema::optional(
                "writable",
                Ty::list(Ty::formatted(Format::MountPath)),
                "Directories the server writes besides its data (sockets, pid files): each gets \
                 an empty directory, since the root filesystem is read-only.",
            ),
            FieldSchema::optional(
                "files",
                Ty::keyed(Format::MountPath, Ty::String),
                "Files the server reads, path → content (a configuration file), mounted \
                 read-only from a ConfigMap plat writes.",
            ),
            FieldSchema::new(
                "access_mode",
                Ty::Enum(vec!["ReadWriteOnce".to_string(), "ReadWriteMany".to_string()]),
                "How the persistent volume may be mounted: by one node (`ReadWriteOnce`) or by \
                 many (`ReadWriteMany`, which the storage class must support).",
            )
            .default("\"ReadWriteOnce\""),
            FieldSchema::optional(
                "env",
                Ty::keyed(Format::EnvName, Ty::String),
                "The server's environment variables. Secret and provision-time values are allowed.",
            )
            .secret_and_provision(),
            FieldSchema::optional(
                "args",
                Ty::list(Ty::String),
                "Arguments passed to the server.",
            ),
            FieldSchema::optional(
                "storage",
                Ty::Memory,
                "The size of the server's persistent volume.",
            ),
            outputs_field(),
        ],
            Provisioner::Existing => vec![endpoints_field(), outputs_field()],
            Provisioner::Ingress | Provisioner::HttpRoute => route_fields(provisioner),
        };
    BlockSchema {
        keyword: "implementation",
        noun: match provisioner {
            Provisioner::Terraform => "a terraform implementation",
            Provisioner::Kubernetes => "a kubernetes implementation",
            Provisioner::Existing => "an existing implementation",
            Provisioner::Ingress => "an ingress implementation",
            Provisioner::HttpRoute => "an http_route implementation",
        },
        doc: match provisioner {
            Provisioner::Terraform => "Provisions the offering with a Terraform module.",
            Provisioner::Kubernetes => "Runs the offering in the cluster.",
            Provisioner::Existing => "Points at a resource that already exists.",
            Provisioner::Ingress => {
                "Routes HTTP requests to the owning workload with a Kubernetes Ingress."
            }
            Provisioner::HttpRoute => {
                "Routes HTTP requests to the owning workload with a Gateway API HTTPRoute."
            }
        },
        fields,
        blocks: Vec::new(),
        members: Members {
            params: true,
            instances: true,
            ..Members::default()
        },
        free_attributes: None,
    }
}

/// The attributes of the route provisioners (`ingress`, `http_route`).
fn route_fields(provisioner: Provisioner) -> Vec<FieldSchema> {
    let mut fields = match provisioner {
        Provisioner::HttpRoute => vec![
            FieldSchema::new(
                "gateway",
                Ty::String,
                "The name of the Gateway the route attaches to.",
            ),
            FieldSchema::optional(
                "gateway_namespace",
                Ty::String,
                "The namespace of the Gateway, when it is not the environment's.",
            ),
        ],
        _ => vec![
            FieldSchema::optional(
                "class",
                Ty::String,
                "The ingress class that serves the route: `nginx`.",
            ),
            FieldSchema::optional(
                "source_namespace",
                Ty::String,
                "The namespace of the ingress controller whose pods forward the requests: \
                 `ingress-nginx` unless `source_cidrs` is given.",
            ),
        ],
    };
    if provisioner == Provisioner::HttpRoute {
        fields.push(FieldSchema::optional(
            "source_namespace",
            Ty::String,
            "The namespace of the pods that forward the requests (the Gateway's proxies), \
             when it is not the Gateway's.",
        ));
    }
    fields.push(FieldSchema::optional(
        "source_cidrs",
        Ty::list(Ty::String),
        "The address ranges requests arrive from, when a cloud load balancer sends them \
         straight to the pods rather than through pods of the cluster.",
    ));
    fields.extend([
        FieldSchema::new(
            "host",
            Ty::String,
            "The host name clients use: `shop.example.com`.",
        ),
        FieldSchema::new(
            "path",
            Ty::String,
            "The path prefix routed to the workload.",
        )
        .default("\"/\""),
        FieldSchema::new(
            "port",
            Ty::Port,
            "The workload's container port that receives the requests.",
        ),
        outputs_field(),
    ]);
    fields
}

static TERRAFORM: LazyLock<BlockSchema> = LazyLock::new(|| implementation(Provisioner::Terraform));
static KUBERNETES: LazyLock<BlockSchema> =
    LazyLock::new(|| implementation(Provisioner::Kubernetes));
static EXISTING: LazyLock<BlockSchema> = LazyLock::new(|| implementation(Provisioner::Existing));
static INGRESS: LazyLock<BlockSchema> = LazyLock::new(|| implementation(Provisioner::Ingress));
static HTTP_ROUTE: LazyLock<BlockSchema> = LazyLock::new(|| implementation(Provisioner::HttpRoute));

static POLICY: LazyLock<BlockSchema> = LazyLock::new(|| BlockSchema {
    keyword: "policy",
    noun: "a policy",
    doc: "Conditions every workload of an environment that lists the policy must satisfy.",
    fields: vec![
        FieldSchema::new(
            SEVERITY,
            Ty::Enum(vec![DENY.to_string(), WARN.to_string()]),
            "What a workload that does not satisfy the policy gets: an error that stops the \
         build (`\"deny\"`), or a warning (`\"warn\"`).",
        )
        .default("\"deny\""),
    ],
    blocks: Vec::new(),
    members: Members {
        requires: true,
        ..Members::default()
    },
    free_attributes: None,
});

pub fn workload() -> &'static BlockSchema {
    &WORKLOAD
}

pub fn container() -> &'static BlockSchema {
    &CONTAINER
}

/// A container inside an `override`, where every field is optional.
pub fn container_override() -> &'static BlockSchema {
    &CONTAINER_OVERRIDE
}

pub fn override_block() -> &'static BlockSchema {
    &OVERRIDE
}

pub fn environment() -> &'static BlockSchema {
    &ENVIRONMENT
}

/// The settings of the backend `kind`: typed for the kinds plat knows
/// ([`KNOWN_BACKENDS`]), any setting of any type for the others.
pub fn backend(kind: &str) -> &'static BlockSchema {
    BACKENDS
        .iter()
        .find(|(known, _)| *known == kind)
        .map_or(&ANY_BACKEND, |(_, schema)| schema)
}

pub fn waiver() -> &'static BlockSchema {
    &WAIVER
}

pub fn offering() -> &'static BlockSchema {
    &OFFERING
}

pub fn implementation_of(provisioner: Provisioner) -> &'static BlockSchema {
    match provisioner {
        Provisioner::Terraform => &TERRAFORM,
        Provisioner::Kubernetes => &KUBERNETES,
        Provisioner::Existing => &EXISTING,
        Provisioner::Ingress => &INGRESS,
        Provisioner::HttpRoute => &HTTP_ROUTE,
    }
}

pub fn policy() -> &'static BlockSchema {
    &POLICY
}

/// The name of the type of the items of `workload.instances`, which `every db: OFFERING
/// in ...` narrows to the instances of one offering.
pub const INSTANCE_TYPE: &str = "instance";

/// The record `workload` in a policy.
pub fn policy_workload() -> Ty {
    Ty::Record(vec![
        FieldTy::new("name", Ty::String).with_doc("The workload's name."),
        FieldTy::new("kind", enum_of(&["service", "job", "scheduled_job"])).with_doc(
            "`\"service\"`: kept running (a Deployment); `\"job\"`: runs to completion once \
             (`job`); `\"scheduled_job\"`: runs on a schedule (`schedule`).",
        ),
        FieldTy::new("replicas", Ty::Int).with_doc(
            "The fewest pods that run in this environment, overrides applied: `replicas`, the \
             autoscaler's `min` when it has one, a job's `parallelism`.",
        ),
        FieldTy::new("labels", Ty::map(Ty::String)).with_doc("The workload's labels."),
        FieldTy::new("annotations", Ty::map(Ty::String))
            .with_doc("The annotations of the workload's pods."),
        FieldTy::new("images", Ty::list(Ty::String)).with_doc("The image of every container."),
        FieldTy::new("image_tags", Ty::list(Ty::String))
            .with_doc("The tag of every container's image."),
        FieldTy::new("resources", Ty::list(Ty::String))
            .with_doc("The offerings of the workload's resources."),
        FieldTy::new("calls", Ty::list(Ty::String)).with_doc("The workloads it calls."),
        FieldTy::new("callers", Ty::list(Ty::String)).with_doc(
            "The workloads of other applications it admits, as `\"APPLICATION.WORKLOAD\"`.",
        ),
        FieldTy::new("containers", Ty::list(policy_container())).with_doc(
            "Its containers of every kind (`c.kind`), overrides applied, in the order written.",
        ),
        FieldTy::new(
            "instances",
            Ty::list(Ty::Alias(
                INSTANCE_TYPE.to_string(),
                std::sync::Arc::new(Ty::Record(policy_instance_fields())),
            )),
        )
        .with_doc(
            "Its resources, each bound to an instance of the environment: `every db: postgres \
             in workload.instances: ...` types `db.params` by the offering.",
        ),
    ])
}

/// A container, as a policy reads it.
fn policy_container() -> Ty {
    let probe = Ty::Alias(
        "probe".to_string(),
        std::sync::Arc::new(Ty::Record(vec![
            FieldTy::new("kind", enum_of(&["http", "grpc", "tcp", "exec"])).with_doc(
                "What it does: an HTTP GET, a gRPC health check, a TCP connection or a command.",
            ),
            FieldTy::new("path", Ty::optional(Ty::String))
                .with_doc("The HTTP path probed, for an HTTP GET."),
            FieldTy::new("port", Ty::optional(Ty::Port))
                .with_doc("The container port it reaches; none for a command."),
            FieldTy::new("initial_delay", Ty::Duration)
                .with_doc("How long after the container starts the first probe runs."),
            FieldTy::new("period", Ty::Duration).with_doc("How often it is probed."),
            FieldTy::new("timeout", Ty::Duration).with_doc("How long one probe may take."),
            FieldTy::new("success_threshold", Ty::Int)
                .with_doc("Successes in a row, after a failure, that count as success."),
            FieldTy::new("failure_threshold", Ty::Int)
                .with_doc("Failures in a row that count as failure."),
        ])),
    );
    let port = Ty::Record(vec![
        FieldTy::new("name", Ty::String).with_doc("The port's name."),
        FieldTy::new("port", Ty::Port).with_doc("The port's number."),
    ]);
    Ty::Alias(
        "container".to_string(),
        std::sync::Arc::new(Ty::Record(vec![
            FieldTy::new("name", Ty::String).with_doc("The container's name."),
            FieldTy::new(
                "kind",
                enum_of(&ContainerKind::ALL.map(ContainerKind::keyword)),
            )
            .with_doc(
                "The block that declares it: `\"container\"`, `\"init_container\"` (runs to \
                 completion first, without probes) or `\"sidecar\"`.",
            ),
            FieldTy::new("image", Ty::String).with_doc("Its image reference."),
            FieldTy::new("image_tag", Ty::String)
                .with_doc("The image's tag, its digest when it has one, else `latest`."),
            FieldTy::new("command", Ty::list(Ty::String)).with_doc("Its command."),
            FieldTy::new("args", Ty::list(Ty::String)).with_doc("Its arguments."),
            FieldTy::new("env", Ty::list(Ty::String))
                .with_doc("The names of its environment variables (their values are not read)."),
            FieldTy::new("files", Ty::list(Ty::String)).with_doc("The paths of its files."),
            FieldTy::new("volumes", Ty::list(Ty::String))
                .with_doc("The paths it mounts resources at."),
            FieldTy::new("ports", Ty::list(port)).with_doc("Its named ports."),
            FieldTy::new("cpu", Ty::Cpu).with_doc("The CPU it requests."),
            FieldTy::new("memory", Ty::Memory).with_doc("The memory it requests."),
            FieldTy::new("cpu_limit", Ty::Cpu)
                .with_doc("The most CPU it may use: its request when no limit is set."),
            FieldTy::new("memory_limit", Ty::Memory)
                .with_doc("The most memory it may use: its request when no limit is set."),
            FieldTy::new("liveness", Ty::optional(probe.clone()))
                .with_doc("Its liveness probe, if it has one: test with `container.liveness?`."),
            FieldTy::new("readiness", Ty::optional(probe.clone()))
                .with_doc("Its readiness probe, if it has one: test with `container.readiness?`."),
            FieldTy::new("startup", Ty::optional(probe))
                .with_doc("Its startup probe, if it has one: test with `container.startup?`."),
        ])),
    )
}

/// The type whose values are `variants`.
fn enum_of(variants: &[&str]) -> Ty {
    Ty::Enum(variants.iter().map(|variant| variant.to_string()).collect())
}

/// The fields of an instance, as a policy reads it (without `params`, whose type
/// depends on the offering).
pub fn policy_instance_fields() -> Vec<FieldTy> {
    vec![
        FieldTy::new("name", Ty::String).with_doc("The resource's name in the workload: `db`."),
        FieldTy::new("id", Ty::String)
            .with_doc("The instance's id: `api.db`, or `shared_db` for a shared one."),
        FieldTy::new("offering", Ty::String).with_doc("The offering: `postgres`."),
        FieldTy::new("version", Ty::String).with_doc("The offering's version."),
        FieldTy::new("implementation", Ty::String)
            .with_doc("The implementation the environment chose for it: `aws`."),
        FieldTy::new("shared", Ty::Bool)
            .with_doc("Whether it is a shared resource of the environment."),
    ]
}

/// The record `env`: the environment being built.
pub fn env_record() -> Ty {
    Ty::Record(vec![
        FieldTy::new("name", Ty::String).with_doc("The environment's name."),
        FieldTy::new("namespace", Ty::String).with_doc("The environment's Kubernetes namespace."),
        FieldTy::new("region", Ty::optional(Ty::String))
            .with_doc("The environment's region, if it sets one."),
        FieldTy::new("domain", Ty::optional(Ty::String))
            .with_doc("The environment's domain, if it sets one."),
    ])
}

/// The record `self` in a workload.
pub fn workload_self() -> Ty {
    Ty::Record(vec![
        FieldTy::new("name", Ty::String).with_doc("The workload's name."),
        FieldTy::new("namespace", Ty::String).with_doc("The namespace the workload runs in."),
    ])
}

/// What another workload offers to the workloads that call it (`payments.url`).
pub fn workload_outputs() -> Vec<FieldTy> {
    vec![
        FieldTy::new("host", Ty::String).with_doc("The workload's Service DNS name."),
        FieldTy::new("port", Ty::Port).with_doc("The workload's first port."),
        FieldTy::new("url", Ty::String).with_doc("`http://host:port`."),
    ]
}

/// The record `self` in an implementation.
pub fn implementation_self(provisioner: Provisioner) -> Vec<FieldTy> {
    let mut fields = vec![
        FieldTy::new("name", Ty::String).with_doc("The name of the resource instance."),
        FieldTy::new("namespace", Ty::String).with_doc("The namespace of the environment."),
    ];
    if matches!(
        provisioner,
        Provisioner::Kubernetes | Provisioner::Terraform | Provisioner::Existing
    ) {
        fields.push(
            FieldTy::new("generated_password", Ty::Secret)
                .with_doc("A password generated when the resource is provisioned."),
        );
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_consistent() {
        let backends = KNOWN_BACKENDS.iter().map(|kind| backend(kind));
        for schema in [
            workload(),
            container(),
            ContainerKind::Init.schema(false),
            ContainerKind::Sidecar.schema(true),
            environment(),
            offering(),
            policy(),
            override_block(),
        ]
        .into_iter()
        .chain(backends)
        {
            let mut names: Vec<&str> = schema.field_names().collect();
            names.sort_unstable();
            let count = names.len();
            names.dedup();
            assert_eq!(names.len(), count, "{}", schema.keyword);
            for block in &schema.blocks {
                assert!(BLOCK_KINDS.contains(&block.kind));
            }
        }
        assert!(!override_block().fields.iter().any(|field| field.required));
        assert!(
            container()
                .field("env")
                .is_some_and(|field| field.accepts_secret)
        );
        assert!(
            !workload()
                .field("labels")
                .is_some_and(|field| field.accepts_secret)
        );
    }
}
