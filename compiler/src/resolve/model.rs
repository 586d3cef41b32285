//! The resolved platform: for one environment, every workload with its values decided
//! and every resource instance bound to an implementation.
//!
//! Invariants: this is the only thing the graph and the emitters read; it holds no
//! syntax tree and no database reference. Everything in it is decided: overrides are
//! applied, params merged (offering default < environment `use` < the instance's own
//! body < the workload's override for this environment), references evaluated to
//! [`Value`]s. Collections are sorted (by name or id), so emitting is deterministic.
//! Every element carries the [`Label`] of the source that produced it, for the
//! annotation on emitted objects and for `manifest.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::Label;
pub use crate::resolve::instance_id::InstanceId;
use crate::resolve::value::{Deferred, Value};

/// One environment, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEnvironment {
    pub name: String,
    pub namespace: String,
    pub cluster: Option<String>,
    pub region: Option<String>,
    pub domain: Option<String>,
    /// The Terraform backend: `backend s3 { ... }`.
    pub backend: Option<Backend>,
    /// Sorted by name.
    pub workloads: Vec<Arc<ResolvedWorkload>>,
    /// Every resource instance: shared ones, workloads' own, and those that
    /// implementations need, transitively. Sorted by id.
    pub instances: Vec<Arc<Instance>>,
    /// The workloads of other applications that workloads of this one call, sorted by
    /// name: they run in the environment, but this project does not build them.
    pub remote_workloads: Vec<RemoteWorkload>,
    /// The name of the platform whose environment this is, when the project is an
    /// application that runs on it: the platform provisions the environment's shared
    /// instances and its namespace, and the application only reads them.
    pub platform: Option<String>,
    pub source: Label,
}

impl ResolvedEnvironment {
    /// The ids of the instances that some container, of any kind, mounts in `volumes`.
    pub fn mounted_instances(&self) -> std::collections::BTreeSet<&str> {
        self.workloads
            .iter()
            .flat_map(|workload| &workload.containers)
            .flat_map(|container| container.volumes.values())
            .map(InstanceId::as_str)
            .collect()
    }

    /// The workload `name`, by binary search (workloads are sorted by name); a model
    /// built by hand out of order is scanned instead.
    pub fn workload(&self, name: &str) -> Option<&ResolvedWorkload> {
        match self
            .workloads
            .binary_search_by(|workload| workload.name.as_str().cmp(name))
        {
            Ok(at) => self.workloads.get(at),
            Err(_) => self.workloads.iter().find(|workload| workload.name == name),
        }
        .map(Arc::as_ref)
    }

    /// The workload of another application named `name` that some workload calls.
    pub fn remote_workload(&self, name: &str) -> Option<&RemoteWorkload> {
        self.remote_workloads
            .iter()
            .find(|remote| remote.workload.name == name)
    }

    /// Whether the environment's shared instances (and namespace) are another
    /// project's: its platform's.
    pub fn is_platforms(&self) -> bool {
        self.platform.is_some()
    }

    /// The instance `id`, by binary search (instances are sorted by id); a model built
    /// by hand out of order is scanned instead.
    pub fn instance(&self, id: &str) -> Option<&Instance> {
        match self
            .instances
            .binary_search_by(|instance| instance.id.as_str().cmp(id))
        {
            Ok(at) => self.instances.get(at),
            Err(_) => self.instances.iter().find(|instance| instance.id == id),
        }
        .map(Arc::as_ref)
    }
}

/// What the sources say of an environment's instances besides what runs: which keep
/// data, which are protected from destruction, and what is removed, for Terraform to
/// destroy. It travels beside [`ResolvedEnvironment`], whose `workloads` and
/// `instances` hold only what is live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The ids of the instances, live or removed, whose offering is stateful.
    pub stateful: BTreeSet<InstanceId>,
    /// The ids of the stateful instances that are protected (`protect = true`).
    pub protected: BTreeSet<InstanceId>,
    /// The workloads the sources remove (`removed = true`), resolved as they were,
    /// sorted by name.
    pub removed_workloads: Vec<Arc<ResolvedWorkload>>,
    /// The instances the sources remove (their own `removed = true`, or their owner's)
    /// and what they pulled in, resolved as they were, sorted by id.
    pub removed_instances: Vec<Arc<Instance>>,
}

impl Lifecycle {
    pub fn is_stateful(&self, id: &str) -> bool {
        self.stateful.contains(id)
    }

    pub fn is_protected(&self, id: &str) -> bool {
        self.protected.contains(id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// `s3`, `gcs`, `local`, ...
    pub kind: String,
    pub config: BTreeMap<String, Value>,
}

/// Who owns an instance: it lives and dies with its owner.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// Declared by the environment and shared by the workloads that bind it.
    Environment,
    /// Declared by a workload (or needed by an implementation of one of its resources).
    Workload(String),
}

/// How an instance is provisioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioning {
    /// A Terraform module.
    Terraform(TerraformModule),
    /// A service run in the environment's own cluster.
    Kubernetes(InClusterService),
    /// An existing resource: nothing is provisioned, the outputs are given.
    Existing,
    /// An HTTP route to the owning workload, as a Kubernetes Ingress.
    Ingress(HttpRoute),
    /// An HTTP route to the owning workload, as a Gateway API HTTPRoute.
    GatewayRoute(HttpRoute),
}

/// An HTTP route from outside the cluster to a port of the workload that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    pub host: String,
    /// A path prefix: `/`, `/api`.
    pub path: String,
    /// The workload's container port that receives the requests.
    pub port: u16,
    /// The ingress class (Ingress) or the parent Gateway's name (HTTPRoute).
    pub class_or_gateway: Option<String>,
    /// The parent Gateway's namespace (HTTPRoute only).
    pub gateway_namespace: Option<String>,
    /// Where the requests come from, which the workload's NetworkPolicy lets in.
    pub sources: RouteSources,
}

/// Where the requests of a route reach the workload from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteSources {
    /// The namespace of the pods that forward them (an ingress controller, a Gateway's
    /// proxies). When neither it nor `cidrs` is given, the Gateway's proxies run in the
    /// environment's own namespace.
    pub namespace: Option<String>,
    /// Address ranges, when a load balancer outside the cluster sends them to the pods.
    pub cidrs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformModule {
    pub source: String,
    pub version: Option<String>,
    /// The module's input variables.
    pub inputs: BTreeMap<String, Value>,
    /// A module kept in the project (a local `source`): its files travel with the
    /// output, so that the emitted Terraform does not depend on where it is written.
    pub local: Option<LocalModule>,
    /// How containers mount what the module provisions (`mount`), when they can.
    pub volume: Option<CsiVolume>,
}

/// A volume served by a CSI driver: what a PersistentVolume's `csi` source names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsiVolume {
    /// `efs.csi.aws.com`.
    pub driver: String,
    /// The volume's handle, often known only after provisioning.
    pub handle: Value,
    pub attributes: BTreeMap<String, Value>,
}

/// A Terraform module kept in the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalModule {
    /// The module's directory, as a project path (`modules/search_cluster`).
    pub directory: String,
    /// Where its files are copied, relative to the environment's `terraform/`: the
    /// project's under `project/` (`project/modules/search_cluster`), the standard
    /// library's under `std/`, a package's under `packages/NAME/`.
    pub copy: String,
    /// The `*.tf` files directly in it: file name and text, sorted by name.
    pub files: Vec<(String, String)>,
}

/// What runs (or is stored) in the environment's own cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InClusterService {
    /// The server's image; `None` for storage only (a claim of `storage`).
    pub image: Option<String>,
    /// The Service's port, which clients connect to.
    pub port: Option<u16>,
    /// The port the server listens on, when it is not `port`.
    pub container_port: Option<u16>,
    /// The protocols served on the port, sorted, never empty.
    pub protocols: Vec<Protocol>,
    /// The user and group the server runs as, when its image needs its own.
    pub user: Option<u32>,
    pub args: Vec<String>,
    pub env: BTreeMap<String, Value>,
    /// Files the server reads: absolute path → plain content.
    pub files: BTreeMap<String, Value>,
    /// Size of the persistent volume, as written (`10Gi`), when the service keeps data.
    pub storage: Option<String>,
    /// Where the persistent volume is mounted.
    pub data_path: String,
    /// Directories that get an empty, writable volume (besides `/tmp`), sorted.
    pub writable: Vec<String>,
    pub access_mode: AccessMode,
}

impl InClusterService {
    /// The port the server's pods listen on.
    pub fn pod_port(&self) -> Option<u16> {
        self.container_port.or(self.port)
    }
}

/// A network protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    /// As Kubernetes writes it: `TCP`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// How many nodes may mount a persistent volume at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessMode {
    /// One node (and the pods on it).
    #[default]
    ReadWriteOnce,
    /// Any number of nodes.
    ReadWriteMany,
}

impl AccessMode {
    pub fn name(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadWriteMany => "ReadWriteMany",
        }
    }
}

/// Where workloads reach an instance outside the cluster: the address ranges and TCP
/// ports that the NetworkPolicy of each workload that uses it allows egress to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    pub cidrs: Vec<String>,
    pub ports: Vec<u16>,
}

impl Endpoints {
    pub fn is_empty(&self) -> bool {
        self.cidrs.is_empty() || self.ports.is_empty()
    }
}

/// A resource instance bound to an implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Unique in the environment: `shared_db` for an environment's shared resource,
    /// `api.db` for a workload's resource, `api.db.network` for one an implementation
    /// needs.
    pub id: InstanceId,
    /// A name safe for Kubernetes objects and Terraform identifiers (DNS label):
    /// `shared-db`, `api-db`, `api-db-network`.
    pub object_name: String,
    pub offering: String,
    pub offering_version: String,
    pub implementation: String,
    pub owner: Owner,
    /// The offering's and the implementation's params, merged and evaluated.
    /// Shared with the scope of its implementation and the records that read it.
    pub params: Arc<BTreeMap<String, Value>>,
    /// The offering's outputs, evaluated; shared with the record workloads read.
    pub outputs: Arc<BTreeMap<String, Value>>,
    pub provisioning: Provisioning,
    /// Where workloads reach it, when it lives outside the cluster (`endpoints`).
    pub endpoints: Endpoints,
    /// Ids of the instances this one's implementation needs.
    pub needs: Vec<InstanceId>,
    pub source: Label,
}

/// A workload as it runs in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedWorkload {
    pub name: String,
    /// The fewest pods that run: `replicas` for a service without an autoscaler, the
    /// autoscaler's `min` with one, a job's `parallelism`. What policies read.
    pub replicas: u32,
    /// A service, a job or a scheduled job, with what only that kind has.
    pub kind: WorkloadKind,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// Annotations on the workload's ServiceAccount; plain, but possibly known only
    /// after provisioning (a cloud role's ARN).
    pub service_account_annotations: BTreeMap<String, Value>,
    /// Containers of every kind, in declaration order: init containers and sidecars
    /// start in this order, before the others.
    pub containers: Vec<Container>,
    /// The port the Service listens on for a named container port, where it is not the
    /// container's: name → Service port.
    pub service_ports: BTreeMap<String, u16>,
    /// How long a pod may take to stop, in seconds, when it is not Kubernetes' 30.
    pub termination_grace_period: Option<u32>,
    /// The workload's resources: local name (`db`) → instance id.
    pub resources: BTreeMap<String, InstanceId>,
    /// Names of the workloads this one calls, sorted: of its own application, or
    /// remote ([`ResolvedEnvironment::remote_workloads`]).
    pub calls: Vec<String>,
    /// The workloads of other applications that may call this one (`callers`), sorted.
    pub callers: Vec<Caller>,
    pub source: Label,
}

/// A workload of another application that may call a workload: `storefront.web`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Caller {
    /// The application's name: its pods' `app.kubernetes.io/part-of`.
    pub application: String,
    pub workload: String,
}

/// A workload of another application, as the workloads that call it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteWorkload {
    /// The application (package) it belongs to: its pods' `app.kubernetes.io/part-of`.
    pub application: String,
    /// The workload, resolved in the environment (its ports are what callers reach).
    pub workload: Arc<ResolvedWorkload>,
}

impl ResolvedWorkload {
    /// Its containers that run beside each other for as long as the pod (the main
    /// containers and the sidecars), in declaration order.
    pub fn serving_containers(&self) -> impl Iterator<Item = &Container> {
        self.containers
            .iter()
            .filter(|container| container.kind != ContainerKind::Init)
    }

    /// Its containers of `kind`, in declaration order.
    pub fn containers_of(&self, kind: ContainerKind) -> impl Iterator<Item = &Container> {
        self.containers
            .iter()
            .filter(move |container| container.kind == kind)
    }

    /// Whether it runs to completion (a job, scheduled or not): it has no Service.
    pub fn runs_to_completion(&self) -> bool {
        !matches!(self.kind, WorkloadKind::Service { .. })
    }

    /// The most pods that may run at once: `replicas`, the autoscaler's `max`, a job's
    /// `parallelism`; `None` when there is no bound (a scheduled job whose runs may
    /// overlap, `concurrency = "Allow"`).
    pub fn most_pods(&self) -> Option<u32> {
        match &self.kind {
            WorkloadKind::Service {
                autoscaling: Some(autoscaling),
            } => Some(autoscaling.max),
            WorkloadKind::Service { autoscaling: None } => Some(self.replicas),
            WorkloadKind::Job(job) => Some(job.parallelism),
            WorkloadKind::CronJob { schedule, job } => {
                (schedule.concurrency != Concurrency::Allow).then_some(job.parallelism)
            }
        }
    }

    /// The port the Service listens on for the container port `name` of number
    /// `container_port`.
    pub fn service_port(&self, name: &str, container_port: u16) -> u16 {
        self.service_ports
            .get(name)
            .copied()
            .unwrap_or(container_port)
    }
}

/// What kind of workload it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkloadKind {
    /// Kept running: a Deployment, scaled by a HorizontalPodAutoscaler when it has one.
    Service { autoscaling: Option<Autoscaling> },
    /// Run to completion once: a Job.
    Job(Job),
    /// A Job started on a schedule: a CronJob.
    CronJob { schedule: Schedule, job: Job },
}

/// A HorizontalPodAutoscaler's bounds and targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoscaling {
    pub min: u32,
    pub max: u32,
    /// Average CPU use to keep, in percent of the requests.
    pub cpu: Option<u32>,
    /// Average memory use to keep, in percent of the requests.
    pub memory: Option<u32>,
}

/// How a job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub backoff_limit: u32,
    pub completions: Option<u32>,
    pub parallelism: u32,
    /// Seconds.
    pub active_deadline: Option<u32>,
    /// Seconds.
    pub ttl_after_finished: Option<u32>,
    pub restart: JobRestart,
}

/// What happens to a job's failed pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobRestart {
    /// A new pod replaces it.
    Never,
    /// Its container restarts in place.
    OnFailure,
}

impl JobRestart {
    /// As Kubernetes writes it: `Never`.
    pub fn name(self) -> &'static str {
        match self {
            JobRestart::Never => "Never",
            JobRestart::OnFailure => "OnFailure",
        }
    }
}

/// When a scheduled job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// A cron expression the API server accepts.
    pub cron: String,
    pub time_zone: Option<String>,
    pub concurrency: Concurrency,
    pub successful_history: u32,
    pub failed_history: u32,
    /// Seconds.
    pub starting_deadline: Option<u32>,
    pub suspend: bool,
}

/// What a scheduled job does when its previous run is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    Allow,
    Forbid,
    Replace,
}

impl Concurrency {
    /// As Kubernetes writes it: `Forbid`.
    pub fn name(self) -> &'static str {
        match self {
            Concurrency::Allow => "Allow",
            Concurrency::Forbid => "Forbid",
            Concurrency::Replace => "Replace",
        }
    }
}

pub use crate::types::schema::ContainerKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    /// A main container, an init container or a sidecar.
    pub kind: ContainerKind,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    /// Environment variables; a secret or provision-time value is delivered through a
    /// Secret or ConfigMap, never inline.
    pub env: BTreeMap<String, Value>,
    /// Files by absolute path.
    pub files: BTreeMap<String, Value>,
    /// Named ports.
    pub ports: BTreeMap<String, u16>,
    /// As written: `250m`, `256Mi`.
    pub cpu: String,
    pub memory: String,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
    pub pre_stop: Option<Handler>,
    /// Mount path → instance id.
    pub volumes: BTreeMap<String, InstanceId>,
    pub source: Label,
}

/// A probe: one action and its timing, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub action: ProbeAction,
    /// Where the probe is written.
    pub source: Label,
    pub initial_delay_seconds: u32,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub success_threshold: u32,
    pub failure_threshold: u32,
}

/// What a probe does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    HttpGet(HttpGet),
    /// The standard gRPC health check on `port`, for `service` when it is given.
    Grpc {
        port: u16,
        service: Option<String>,
    },
    /// A TCP connection to `port`.
    Tcp {
        port: u16,
    },
    /// A command run in the container.
    Exec {
        command: Vec<String>,
    },
}

impl ProbeAction {
    /// The container port it reaches, if it reaches one.
    pub fn port(&self) -> Option<u16> {
        match self {
            ProbeAction::HttpGet(http) => Some(http.port),
            ProbeAction::Grpc { port, .. } | ProbeAction::Tcp { port } => Some(*port),
            ProbeAction::Exec { .. } => None,
        }
    }
}

/// An HTTP GET of a probe or a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGet {
    pub path: String,
    pub port: u16,
    /// Header name → value, sorted by name.
    pub headers: BTreeMap<String, String>,
    /// Whether it connects with TLS.
    pub https: bool,
}

/// A `pre_stop` handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub action: HandlerAction,
    /// Where the handler is written.
    pub source: Label,
}

/// What a `pre_stop` handler does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerAction {
    HttpGet(HttpGet),
    /// Waits this many seconds.
    Sleep {
        seconds: u32,
    },
    Exec {
        command: Vec<String>,
    },
}

/// The ids of the instances whose generated password a value of `instances` or of
/// `workloads` refers to: Terraform generates each of them.
pub fn generated_passwords<'a>(
    instances: impl IntoIterator<Item = &'a Instance>,
    workloads: impl IntoIterator<Item = &'a ResolvedWorkload>,
) -> BTreeSet<InstanceId> {
    let mut found = BTreeSet::new();
    let mut visit = |value: &Value| {
        for deferred in value.deferreds() {
            if let Deferred::GeneratedPassword { instance } = deferred {
                found.insert(instance);
            }
        }
    };
    for instance in instances {
        instance.outputs.values().for_each(&mut visit);
        match &instance.provisioning {
            Provisioning::Terraform(module) => module.inputs.values().for_each(&mut visit),
            Provisioning::Kubernetes(service) => service.env.values().for_each(&mut visit),
            _ => {}
        }
    }
    for workload in workloads {
        for container in &workload.containers {
            container.env.values().for_each(&mut visit);
            container.files.values().for_each(&mut visit);
        }
    }
    found
}

/// Whether an environment made of `instances` and `workloads` writes Terraform: some
/// instance is provisioned by a Terraform module, or some value refers to a password
/// that Terraform generates. (Every other Terraform an environment writes hands over
/// values that one of these provides.)
pub fn provisions_with_terraform<'a>(
    instances: impl IntoIterator<Item = &'a Instance> + Clone,
    workloads: impl IntoIterator<Item = &'a ResolvedWorkload>,
) -> bool {
    instances
        .clone()
        .into_iter()
        .any(|instance| matches!(instance.provisioning, Provisioning::Terraform(_)))
        || !generated_passwords(instances, workloads).is_empty()
}
