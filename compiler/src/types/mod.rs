//! Types: what every value is, whether it may be secret, and when it is known.
//!
//! Invariants: every value the checker meets has a [`ty::Ty`] and a [`flow::Flow`]
//! (sensitivity and phase with their origin); the built-in blocks are described only
//! by [`schema`], as data; diagnostics are query results ([`analysis::file_analysis`]),
//! never accumulated. The layer is split by concept:
//!
//! - [`ty`]: the representation of types, compatibility and display;
//! - [`lower`]: written types to [`ty::Ty`], and the project's user types (E0312, E0308);
//! - [`schema`]: the built-in blocks' fields with types, defaults, docs and sinks;
//! - [`literal`]: formats of quantities, images, versions, DNS labels;
//! - [`schedule`]: a CronJob's cron expression and time zone;
//! - [`pattern`]: `matching` patterns, compiled once per process;
//! - [`flow`]: sensitivity and phase, sinks, E0401–E0403;
//! - [`signature`]: what other files see of offerings and environments;
//! - [`checker`], [`expr`], [`body`], [`instance`]: checking values and bodies;
//! - [`offering`], [`environment`], [`workload`], [`policy`], [`typedecl`]: one
//!   module per kind of declaration; [`workload_kind`]: services, jobs and scheduled
//!   jobs; [`probe`]: probes and handlers; [`terraform_module`]: a `terraform`
//!   implementation against its module kept in the project;
//! - [`analysis`]: the per-file query that ties it together.

pub(crate) mod analysis;
pub(crate) mod body;
pub(crate) mod checker;
pub(crate) mod environment;
pub(crate) mod expr;
pub(crate) mod flow;
pub(crate) mod instance;
pub(crate) mod literal;
pub(crate) mod lower;
pub(crate) mod offering;
pub(crate) mod pattern;
pub(crate) mod policy;
pub(crate) mod probe;
pub(crate) mod requires;
pub(crate) mod schedule;
pub mod schema;
pub mod signature;
pub mod terraform_module;
pub mod ty;
pub(crate) mod typedecl;
pub(crate) mod workload;
pub(crate) mod workload_kind;

pub use analysis::{FileAnalysis, file_analysis};
pub use flow::{Cause, Flow, Sink};
pub use lower::{TypeTable, type_table};
pub use signature::{
    FileSignatures, ImplSig, OfferingSig, ParamSig, file_signatures, offering_signature,
};
pub use ty::{Constraint, FieldTy, Format, RefTy, Ty};
