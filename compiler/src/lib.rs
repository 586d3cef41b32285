//! # plat-compiler
//!
//! The core of plat, shared by the command line and the language server. Data flows one
//! way through layers; a layer depends only on the ones above it in this list:
//!
//! 1. [`span`], [`file`]: byte ranges, and the file every position points into;
//!    [`kube`]: what Kubernetes accepts as names, keys and paths (pure functions);
//! 2. [`diagnostic`]: the codes and the plain-data diagnostics every layer reports;
//! 3. [`source`]: the salsa inputs (projects, their files, their problems loading) and
//!    the database;
//! 4. [`syntax`]: tokens and an error-tolerant syntax tree, one file at a time;
//! 5. [`names`]: declarations of the whole project and what each name refers to;
//! 6. [`types`]: the types, sensitivity and phase of every value;
//! 7. [`lowered`]: every declaration as resolution reads it (typed fields, expressions
//!    by id, interned names), one query per declaration;
//! 8. [`resolve`]: per environment, every resource bound to an implementation and
//!    every value decided, one query per environment's shared part and one per
//!    (environment, workload);
//! 9. [`emit`]: the artefacts (Kubernetes, Terraform, graph, manifest) of a resolved
//!    environment, in memory, and [`graph`]: the resource graph of an environment;
//! 10. [`check`]: the entry point that gathers every diagnostic of a project;
//! 11. [`catalog`]: the self-service catalogue of a project's offerings (`plat doc`),
//!     as plain data read from [`types`] and [`resolve`], rendered as Markdown and HTML;
//!     [`compat`]: what changed between two versions of a package (`plat semver`), read
//!     from [`types`] and [`lowered`].
//! 12. [`diff`]: what a change does (`plat diff`), from the files of two builds alone.
//!
//! [`project`] reads a project from disk into the inputs, its dependencies as
//! [`package`] (manifests, the lock, content hashes) says; [`stdlib`] holds the standard
//! library embedded in the binary; [`position`] turns byte offsets into lines and columns
//! for the edges that show them; [`format`] prints a file's syntax tree back in the one
//! canonical style (`plat fmt`), using only [`syntax`]. [`terraform`] knows the
//! interfaces of Terraform modules (variables, outputs, required providers): read from
//! the `.tf` files of modules kept in the project, or from a lock of the interfaces of
//! registry and git modules (the project's, and the one the standard library embeds),
//! for [`types`].
//!
//! Invariants that hold across the crate: no function panics on user input (bad input is
//! a [`diagnostic::Diagnostic`]); recursion over user-written structure is bounded by the
//! parser's nesting limit; results are deterministic (sorted, no hash-map order leaks).

#![warn(unreachable_pub)]

pub mod catalog;
pub mod check;
pub mod compat;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod file;
pub mod format;
pub mod graph;
pub mod import;
pub mod kube;
pub mod lowered;
pub mod names;
pub mod package;
pub mod position;
pub mod project;
pub mod resolve;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod terraform;
pub mod types;
