//! The resolution table: for every reference in a file, what it refers to.
//!
//! Invariants: one entry per reference that resolved, sorted by position in the file;
//! the target is the range of the *name* of what is referred to (a declaration, an
//! import, a resource, an output or a parameter), so that "go to definition" lands on
//! the name and "rename" can edit the target and every reference alike. References that
//! did not resolve have a diagnostic instead of an entry.

use crate::names::index::NameKind;
use crate::source::SourceFile;
use crate::span::TextRange;

/// What a reference refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// A top-level declaration.
    Declaration(NameKind),
    /// The local name bound by an import.
    Import,
    /// A resource instance (`db` in `db.host`).
    Resource,
    /// An output of an offering (`host` in `db.host`).
    Output,
    /// A parameter of an offering or an implementation (`database` in `params.database`).
    Param,
    /// A named block (a container, an implementation).
    Block,
}

/// The name a reference resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Definition {
    pub file: SourceFile,
    pub range: TextRange,
}

/// One resolved reference of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Where the reference is written, in the file the table belongs to.
    pub range: TextRange,
    pub target: Definition,
    pub kind: TargetKind,
}

/// The references of one file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolutionTable {
    pub references: Vec<Reference>,
}

impl ResolutionTable {
    /// The reference written at `offset`, if any (the innermost when several touch it).
    pub fn at(&self, offset: u32) -> Option<&Reference> {
        self.references
            .iter()
            .filter(|reference| reference.range.contains(offset))
            .min_by_key(|reference| reference.range.len())
    }

    /// Every reference to the definition at `target` in this file.
    pub fn references_to(&self, target: Definition) -> impl Iterator<Item = &Reference> {
        self.references
            .iter()
            .filter(move |reference| reference.target == target)
    }

    /// Sorts the entries by position and drops exact duplicates.
    pub fn finish(mut self) -> Self {
        self.references
            .sort_by_key(|reference| (reference.range.start, reference.range.end));
        self.references.dedup();
        self
    }
}
