//! The lowered form: every declaration as resolution reads it, and nothing else.
//!
//! Between checking and resolution. A declaration is lowered from its syntax with its
//! names looked up (an offering a resource names is its [`DeclRef`]), its block kinds
//! made enums and struct fields (`replicas` is [`WorkloadFields::replicas`], not the
//! attribute named `"replicas"`), its expressions put in an arena ([`Exprs`], read by
//! [`ExprId`]) and its identifiers interned ([`Name`]).
//!
//! Invariants: resolution reads declarations only through this module, never the
//! syntax tree; what the checker reports (unknown fields, repeats, wrong shapes) is
//! already reported, so lowering keeps the first of a repeated name and leaves out what
//! does not fit, as the checker's own reading does, and never fails. Each declaration
//! is its own query ([`lower::workload`], [`lower::environment`]) behind a per-file one
//! ([`lower::lowered_file`]), so an edit to one declaration changes only its own
//! lowered form, and queries that read another declaration's are not re-run.

pub(crate) mod expr;
pub(crate) mod lower;

pub use expr::{Arm, BinaryOp, Expr, ExprId, Exprs, Part, Path, Quantifier};
pub(crate) use lower::keep_one_lowered_file;
pub use lower::{environment, lowered_file, workload};

use crate::names::DeclRef;
use crate::source::{Origin, Project};
use crate::span::TextRange;
use crate::types::schema::ContainerKind;

/// An interned identifier or key.
#[salsa::interned(debug)]
pub struct Name<'db> {
    #[returns(ref)]
    pub text: String,
}

/// An environment of a project, by the namespace it is declared in (the project's, or
/// its platform's) and its name.
#[salsa::interned(debug)]
pub struct EnvironmentId<'db> {
    #[returns(copy)]
    pub project: Project,
    #[returns(copy)]
    pub origin: Origin,
    #[returns(ref)]
    pub name: String,
}

/// A workload of a project, or of a package it depends on, by the namespace it is
/// declared in and its name.
#[salsa::interned(debug)]
pub struct WorkloadId<'db> {
    #[returns(copy)]
    pub project: Project,
    #[returns(copy)]
    pub origin: Origin,
    #[returns(ref)]
    pub name: String,
}

/// `name = value` in a body that sets parameters (a resource's, a `use`'s, a
/// backend's): each name once (the first), in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Setting<'db> {
    pub name: Name<'db>,
    pub value: ExprId,
}

/// A resource instance: `db: postgres { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Resource<'db> {
    pub name: Name<'db>,
    /// Where it is named: `db: postgres`.
    pub site: TextRange,
    /// The offering, when the name resolves to one.
    pub offering: Option<DeclRef>,
    /// The offering as written (`postgres`, or the local name of an import), for
    /// messages.
    pub offering_written: String,
    pub settings: Vec<Setting<'db>>,
}

/// The fields of a workload (and of its overrides).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct WorkloadFields<'db> {
    pub replicas: Option<ExprId>,
    pub labels: Option<ExprId>,
    pub annotations: Option<ExprId>,
    pub service_account_annotations: Option<ExprId>,
    /// `removed = true`: the workload no longer runs, and what it provisioned goes.
    pub removed: Option<ExprId>,
    /// `calls = [...]`: the names listed (anything else in the list is left out).
    pub calls: Option<Vec<Call<'db>>>,
    /// `callers = [...]`: the workloads of other applications that may call this one.
    pub callers: Option<ExprId>,
    pub service_ports: Option<ExprId>,
    pub autoscaling: Option<ExprId>,
    pub termination_grace_period: Option<ExprId>,
    pub job: Option<ExprId>,
    pub schedule: Option<ExprId>,
}

/// A workload named in `calls`: as written, where, and the declaration it names (in
/// the project, or in a package it imports from).
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Call<'db> {
    pub name: Name<'db>,
    pub range: TextRange,
    pub target: Option<DeclRef>,
}

impl<'db> WorkloadFields<'db> {
    /// These fields with those `over` sets put in their place.
    pub fn overlay(&self, over: &WorkloadFields<'db>) -> WorkloadFields<'db> {
        WorkloadFields {
            replicas: over.replicas.or(self.replicas),
            labels: over.labels.or(self.labels),
            annotations: over.annotations.or(self.annotations),
            service_account_annotations: over
                .service_account_annotations
                .or(self.service_account_annotations),
            removed: over.removed.or(self.removed),
            calls: over.calls.clone().or_else(|| self.calls.clone()),
            callers: over.callers.or(self.callers),
            service_ports: over.service_ports.or(self.service_ports),
            autoscaling: over.autoscaling.or(self.autoscaling),
            termination_grace_period: over
                .termination_grace_period
                .or(self.termination_grace_period),
            job: over.job.or(self.job),
            schedule: over.schedule.or(self.schedule),
        }
    }

    /// Each attribute that holds an expression, by its name in the schema.
    pub fn named(&self) -> [(&'static str, Option<ExprId>); 11] {
        let WorkloadFields {
            replicas,
            labels,
            annotations,
            service_account_annotations,
            removed,
            calls: _,
            callers,
            service_ports,
            autoscaling,
            termination_grace_period,
            job,
            schedule,
        } = self;
        [
            ("replicas", *replicas),
            ("labels", *labels),
            ("annotations", *annotations),
            ("service_account_annotations", *service_account_annotations),
            ("callers", *callers),
            ("removed", *removed),
            ("service_ports", *service_ports),
            ("autoscaling", *autoscaling),
            ("termination_grace_period", *termination_grace_period),
            ("job", *job),
            ("schedule", *schedule),
        ]
    }
}

/// The fields of a container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct ContainerFields {
    pub image: Option<ExprId>,
    pub command: Option<ExprId>,
    pub args: Option<ExprId>,
    pub env: Option<ExprId>,
    pub files: Option<ExprId>,
    pub ports: Option<ExprId>,
    pub cpu: Option<ExprId>,
    pub memory: Option<ExprId>,
    pub cpu_limit: Option<ExprId>,
    pub memory_limit: Option<ExprId>,
    pub liveness: Option<ExprId>,
    pub readiness: Option<ExprId>,
    pub startup: Option<ExprId>,
    pub pre_stop: Option<ExprId>,
    pub volumes: Option<ExprId>,
}

impl ContainerFields {
    /// These fields with those `over` sets put in their place.
    pub fn overlay(&self, over: &ContainerFields) -> ContainerFields {
        ContainerFields {
            image: over.image.or(self.image),
            command: over.command.or(self.command),
            args: over.args.or(self.args),
            env: over.env.or(self.env),
            files: over.files.or(self.files),
            ports: over.ports.or(self.ports),
            cpu: over.cpu.or(self.cpu),
            memory: over.memory.or(self.memory),
            cpu_limit: over.cpu_limit.or(self.cpu_limit),
            memory_limit: over.memory_limit.or(self.memory_limit),
            liveness: over.liveness.or(self.liveness),
            readiness: over.readiness.or(self.readiness),
            startup: over.startup.or(self.startup),
            pre_stop: over.pre_stop.or(self.pre_stop),
            volumes: over.volumes.or(self.volumes),
        }
    }

    /// Each attribute, by its name in the schema.
    pub fn named(&self) -> [(&'static str, Option<ExprId>); 15] {
        let ContainerFields {
            image,
            command,
            args,
            env,
            files,
            ports,
            cpu,
            memory,
            cpu_limit,
            memory_limit,
            liveness,
            readiness,
            startup,
            pre_stop,
            volumes,
        } = self;
        [
            ("image", *image),
            ("command", *command),
            ("args", *args),
            ("env", *env),
            ("files", *files),
            ("ports", *ports),
            ("cpu", *cpu),
            ("memory", *memory),
            ("cpu_limit", *cpu_limit),
            ("memory_limit", *memory_limit),
            ("liveness", *liveness),
            ("readiness", *readiness),
            ("startup", *startup),
            ("pre_stop", *pre_stop),
            ("volumes", *volumes),
        ]
    }
}

/// `container NAME { ... }`, `init_container NAME { ... }` or `sidecar NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Container<'db> {
    pub name: Name<'db>,
    /// Which block declares it.
    pub kind: ContainerKind,
    pub label_range: TextRange,
    pub fields: ContainerFields,
}

/// `override ENVIRONMENT { ... }`: what it sets, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Override<'db> {
    pub environment: Name<'db>,
    pub fields: WorkloadFields<'db>,
    pub containers: Vec<Container<'db>>,
    pub resources: Vec<Resource<'db>>,
}

/// A workload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Workload<'db> {
    pub decl: DeclRef,
    pub name_range: TextRange,
    pub exprs: Exprs<'db>,
    pub fields: WorkloadFields<'db>,
    /// Containers of every kind, each name once (the first, whatever its block), in
    /// order; likewise resources and overrides.
    pub containers: Vec<Container<'db>>,
    pub resources: Vec<Resource<'db>>,
    pub overrides: Vec<Override<'db>>,
    /// The workloads its expressions name (`payments-api.url`), by the name written,
    /// with their declarations: its own project's, or another application's.
    pub workloads_named: Vec<NamedWorkload<'db>>,
}

/// A workload an expression names, by the name written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct NamedWorkload<'db> {
    pub name: Name<'db>,
    pub decl: DeclRef,
}

/// The settings of an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct EnvironmentFields {
    pub namespace: Option<ExprId>,
    pub cluster: Option<ExprId>,
    pub region: Option<ExprId>,
    pub domain: Option<ExprId>,
}

/// `use offering.implementation { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Use<'db> {
    pub offering: DeclRef,
    pub implementation: Name<'db>,
    pub settings: Vec<Setting<'db>>,
}

/// `backend KIND { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Backend<'db> {
    pub kind: Name<'db>,
    /// Where the kind is written: `backend s3`.
    pub kind_range: TextRange,
    pub settings: Vec<Setting<'db>>,
}

/// An environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Environment<'db> {
    pub decl: DeclRef,
    pub name_range: TextRange,
    pub exprs: Exprs<'db>,
    pub fields: EnvironmentFields,
    /// The policies it lists, each once, with where each is named.
    pub policies: Vec<(Name<'db>, TextRange)>,
    /// The first labelled backend.
    pub backend: Option<Backend<'db>>,
    /// The first `use` of each offering.
    pub uses: Vec<Use<'db>>,
    /// The shared resources.
    pub shared: Vec<Resource<'db>>,
    /// The first waiver of each policy.
    pub waivers: Vec<Waiver<'db>>,
}

/// `waiver POLICY { workloads = [...], reason = "..." }` in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Waiver<'db> {
    pub policy: Name<'db>,
    /// Where the policy is named: the waiver's label.
    pub label_range: TextRange,
    /// The workloads it names, with where each is named.
    pub workloads: Vec<(Name<'db>, TextRange)>,
    pub reason: Option<ExprId>,
}

/// A `param`: its name and default.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Param<'db> {
    pub name: Name<'db>,
    pub default: Option<ExprId>,
}

/// The fields of an implementation, for every provisioner (each reads its own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct ImplementationFields {
    pub source: Option<ExprId>,
    pub version: Option<ExprId>,
    pub inputs: Option<ExprId>,
    pub image: Option<ExprId>,
    pub port: Option<ExprId>,
    pub args: Option<ExprId>,
    pub env: Option<ExprId>,
    pub storage: Option<ExprId>,
    pub host: Option<ExprId>,
    pub path: Option<ExprId>,
    pub class: Option<ExprId>,
    pub gateway: Option<ExprId>,
    pub gateway_namespace: Option<ExprId>,
    pub source_cidrs: Option<ExprId>,
    pub source_namespace: Option<ExprId>,
    pub container_port: Option<ExprId>,
    pub protocols: Option<ExprId>,
    pub user: Option<ExprId>,
    pub files: Option<ExprId>,
    pub data_path: Option<ExprId>,
    pub writable: Option<ExprId>,
    pub access_mode: Option<ExprId>,
    pub mount: Option<ExprId>,
    pub endpoints: Option<ExprId>,
    pub outputs: Option<ExprId>,
}

/// `implementation NAME: PROVISIONER { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Implementation<'db> {
    pub name: Name<'db>,
    /// Each name once (the first), in order.
    pub params: Vec<Param<'db>>,
    pub fields: ImplementationFields,
    /// The resources it needs, each name once (the first), in order.
    pub needs: Vec<Resource<'db>>,
}

/// An offering.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Offering<'db> {
    pub decl: DeclRef,
    pub exprs: Exprs<'db>,
    pub params: Vec<Param<'db>>,
    /// Each name once (the first), in order.
    pub implementations: Vec<Implementation<'db>>,
}

impl<'db> Offering<'db> {
    /// The default of the param `name`.
    pub fn param_default(&self, db: &'db dyn crate::source::Db, name: &str) -> Option<ExprId> {
        param_default(&self.params, db, name)
    }

    pub fn implementation(
        &self,
        db: &'db dyn crate::source::Db,
        name: &str,
    ) -> Option<&Implementation<'db>> {
        self.implementations
            .iter()
            .find(|imp| imp.name.text(db) == name)
    }
}

impl<'db> Implementation<'db> {
    /// The default of the param `name`.
    pub fn param_default(&self, db: &'db dyn crate::source::Db, name: &str) -> Option<ExprId> {
        param_default(&self.params, db, name)
    }
}

fn param_default<'db>(
    params: &[Param<'db>],
    db: &'db dyn crate::source::Db,
    name: &str,
) -> Option<ExprId> {
    params
        .iter()
        .find(|param| param.name.text(db) == name)?
        .default
}

/// `require CONDITION else "MESSAGE"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Require {
    pub condition: ExprId,
    pub message: Option<String>,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Policy<'db> {
    pub decl: DeclRef,
    pub exprs: Exprs<'db>,
    /// `severity = "warn"`; `deny` when it is left out.
    pub severity: Option<ExprId>,
    pub requires: Vec<Require>,
}
