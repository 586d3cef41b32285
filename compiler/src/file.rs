//! A `.plat` file: the salsa input that every position of the compiler points into.
//!
//! Invariant: this module depends on nothing else of the crate, so that positions
//! ([`crate::diagnostic::Label`]) and the inputs that hold diagnostics
//! ([`crate::source::Project`]) do not depend on each other through it. The rest of the
//! inputs, and the database, are in [`crate::source`], which re-exports these.

/// Where a file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// A file of the user's project.
    Project,
    /// A file of the standard library embedded in the binary (`std.*`).
    Std,
    /// A file of a dependency: the package at this position of the project's
    /// packages (`crate::source::Project::packages`). Read-only: it is read from the
    /// dependency's own directory, never written.
    Package(u32),
}

/// One `.plat` file.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path as users see it: relative to the project root with `/` separators
    /// (a dependency's files too: `.plat/packages/NAME/REVISION/...`, `../NAME/...`),
    /// or `std/<name>.plat` for the standard library.
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
    #[returns(copy)]
    pub origin: Origin,
}
