//! Resolution: per environment, the platform with every decision made.
//!
//! Invariants: resolution reads only checked declarations (it runs on projects with
//! no errors from the earlier layers, and reports nothing those layers report); its
//! result, [`model::ResolvedEnvironment`], is plain data that the graph and the
//! emitters read without touching syntax. The layer is split by concept:
//!
//! - [`model`], [`value`]: the resolved platform and its values;
//! - [`scope`], [`eval`]: evaluating expressions in a scope;
//! - [`conform`]: values against their declared types (secrets sealed, E0603);
//! - [`context`]: what resolution reads of the checked project;
//! - [`instance`], [`provisioning`]: binding an offering to an implementation,
//!   merging params (E0601, E0602, E0603), pulling in what it needs;
//! - [`workload`]: overrides, resources (E0606), containers and addresses;
//! - [`cycle`]: dependency cycles (E0604); [`policy`]: policies (E0605);
//! - [`volume_access`]: ReadWriteOnce volumes that several pods mount (E0608);
//! - [`order`], [`naming`]: resolution order and the names of instances;
//! - [`environment`]: one environment, step by step; [`project`]: the query.

pub mod conform;
pub mod context;
pub mod cycle;
pub mod environment;
pub mod eval;
pub mod instance;
pub mod model;
pub mod naming;
pub mod order;
pub mod policy;
pub mod project;
pub mod provisioning;
pub mod scope;
pub mod value;
pub mod volume_access;
pub mod workload;

pub use project::{ResolvedProject, resolve_project};
