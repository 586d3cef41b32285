//! Names: the declarations of a project and what every name refers to.
//!
//! Invariants: all declarations of the project's files share one namespace; the
//! standard library is a separate flat namespace that a file reaches only through its
//! own imports. Every name either resolves to exactly one declaration (the first, when
//! a name is declared twice) or has a diagnostic. The layer is split by concept:
//!
//! - [`index`]: the project-wide index of declarations and duplicate checks (E0202);
//! - [`imports`]: per-file imports (E0205, E0202 clashes);
//! - [`resolve`]: looking a name up from a file (E0201, E0209);
//! - [`suggest`]: "did you mean …?";
//! - [`table`]: the resolution table the language server reads (references → definitions).

pub(crate) mod imports;
pub(crate) mod index;
pub(crate) mod resolve;
pub mod suggest;
pub(crate) mod table;

pub use imports::{FileScope, ImportBinding, file_scope};
pub use index::{
    DeclRef, DeclSite, NameKind, Namespace, ProjectIndex, duplicate_declarations,
    file_declarations, project_index,
};
pub use resolve::{Found, Resolver};
pub use table::{Definition, Reference, ResolutionTable, TargetKind};
