//! Resolution: per environment, the platform with every decision made.
//!
//! Invariants: resolution reads only the lowered form of checked declarations
//! ([`crate::lowered`]), never the syntax tree (it runs on projects with no errors from
//! the earlier layers, and reports nothing those layers report); it is one query per
//! environment's shared part and one per (environment, workload), which the
//! environment's queries only gather; its result, [`model::ResolvedEnvironment`], is
//! plain data that the graph and the emitters read. The layer is split by concept:
//!
//! - [`instance_id`]: the ids that the resolved platform links its instances by;
//! - [`model`], [`value`]: the resolved platform and its values (what the graph and the
//!   emitters read);
//! - [`scope`], [`eval`]: evaluating lowered expressions in a scope;
//! - [`conform`]: values against their declared types (secrets sealed, E0603);
//! - [`context`]: the offerings resolution reads, with their signatures;
//! - [`declared`]: the environments and workloads of a project;
//! - [`cycle`], [`order`], [`naming`]: dependency cycles (E0604), resolution order and
//!   the names of instances;
//! - [`instance`], [`provisioning`]: binding an offering to an implementation,
//!   merging params (E0601, E0602, E0603), pulling in what it needs;
//! - [`removal`]: what a `removed = true` removes, protects (E0904), breaks (E0905)
//!   and destroys (W0906);
//! - [`shared`]: the query of an environment's settings and shared instances;
//! - [`effective`]: a workload with its override for an environment applied;
//! - [`pod`]: probes, handlers and the kind of a workload, from their values;
//! - [`runtime`]: what would break at run time in one workload, on its decided values:
//!   its pods (E0603, E0613, E0615, E0617, E0620, E0623, E0624), its Service (E0614),
//!   its autoscaler (E0610, W0611), what it addresses (E0612, E0616);
//! - [`workload`]: the query of one workload in one environment (resources, E0606,
//!   containers, addresses), with [`policy`] (E0605);
//! - [`remote`]: calls to workloads of other applications (E1002–E1004), which
//!   [`workload`] checks;
//! - [`volume_access`]: ReadWriteOnce volumes that several pods mount (E0608), and
//!   [`name_clash`]: workloads and instances that would name their objects alike
//!   (E0618), over the workloads of an environment;
//! - [`state`]: where an environment's Terraform state lives (E0901, E0902);
//! - [`platform_state`]: an application's Terraform reading its platform's state
//!   (E1005), over the workloads of an environment;
//! - [`environment`]: the queries that gather an environment; [`project`]: all of them.
//!
//! Each module depends only on those before it in this list.

pub(crate) mod conform;
pub(crate) mod context;
pub(crate) mod cycle;
pub(crate) mod declared;
pub(crate) mod effective;
pub mod environment;
pub(crate) mod eval;
pub(crate) mod instance;
pub mod instance_id;
pub mod model;
pub(crate) mod name_clash;
pub(crate) mod naming;
pub(crate) mod order;
pub(crate) mod platform_state;
pub(crate) mod pod;
pub(crate) mod policy;
pub(crate) mod project;
pub(crate) mod provisioning;
pub(crate) mod remote;
pub(crate) mod removal;
pub(crate) mod runtime;
pub(crate) mod scope;
pub(crate) mod shared;
pub(crate) mod state;
pub mod value;
pub(crate) mod volume_access;
pub(crate) mod workload;

pub use environment::{
    environment_diagnostics, environment_lifecycle, environment_model, environment_named,
    environments, resolved_environment, workloads,
};
pub use project::{ResolvedProject, resolve_project};
