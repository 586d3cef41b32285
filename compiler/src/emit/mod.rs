//! Emitters: the artefacts of one resolved environment, in memory.
//!
//! Invariants: emitters read only [`crate::resolve::model`]; they produce bytes, never
//! touch the disk (the command line writes them atomically), and the same model gives
//! byte-identical artefacts. No secret value is ever written in clear text.

use crate::diagnostic::Label;

pub mod bundle;
pub mod delivery;
pub mod kubernetes;
pub mod terraform;

/// One file an emitter produces, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Relative to the environment's output directory, with `/` separators:
    /// `terraform/shared/main.tf.json`.
    pub path: String,
    /// The file's text; it ends with a newline.
    pub contents: String,
    /// The declaration that produced the file, for `manifest.json`.
    pub source: Option<Label>,
}

/// Where `label` starts, as artefacts name it: `workloads/api.plat:12` (the file's path
/// as users see it, and the 1-based line). The Kubernetes emitter writes it in the
/// `plat.dev/source` annotation.
pub fn source_location(db: &dyn crate::source::Db, label: &Label) -> String {
    let file = label.file;
    let line = crate::position::Positions::new(file.text(db))
        .line_column(label.range.start)
        .line;
    format!("{}:{line}", file.path(db))
}
