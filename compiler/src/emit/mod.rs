//! Emitters: the artefacts of one resolved environment, in memory.
//!
//! Invariants: emitters read only [`crate::resolve::model`]; they produce bytes, never
//! touch the disk (the command line writes them atomically), and the same model gives
//! byte-identical artefacts. No secret value is ever written in clear text.

use crate::diagnostic::Label;

pub mod bundle;
pub mod delivery;
pub(crate) mod kubernetes;
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
    let starts = line_starts(db, file);
    // The number of lines that start at or before the label: its 1-based line.
    let line = starts.partition_point(|start| *start <= label.range.start);
    format!("{}:{line}", file.path(db))
}

/// Where each line of a file starts (the first at 0): computed once per file text,
/// however many objects a build annotates with a place in it.
#[salsa::tracked(returns(ref))]
fn line_starts(db: &dyn crate::source::Db, file: crate::source::SourceFile) -> Vec<u32> {
    let text = file.text(db);
    std::iter::once(0)
        .chain(
            text.match_indices('\n')
                .filter_map(|(at, _)| u32::try_from(at + 1).ok()),
        )
        .collect()
}
