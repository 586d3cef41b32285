//! Go to definition, find references and rename, from the compiler's resolution tables.
//!
//! Invariant: the answer is the compiler's own resolution (`check::definitions`): a
//! name's definition is the reference's target, and its references are every entry of
//! every project file's table with the same target. Targets in the embedded standard
//! library have no URI: they are found but not renamed.

use std::collections::HashMap;

use plat_compiler::check::definitions;
use plat_compiler::names::{Definition, file_declarations};
use plat_compiler::source::{Origin, SourceFile};
use plat_compiler::span::TextRange;
use tower_lsp_server::ls_types::{Location, TextEdit, Uri, WorkspaceEdit};

use crate::snapshot::Snapshot;

/// The definition named at `offset`, and the range of the name under the cursor.
pub fn target_at(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Option<(TextRange, Definition)> {
    let db = &snapshot.db;
    if let Some(reference) = definitions(db, snapshot.project, file).at(offset) {
        return Some((reference.range, reference.target));
    }
    if let Some(site) = file_declarations(db, file)
        .iter()
        .find(|site| site.name_range.contains(offset))
    {
        return Some((
            site.name_range,
            Definition {
                file,
                range: site.name_range,
            },
        ));
    }
    // A parameter, output or resource declared here: some reference targets it.
    project_files(snapshot).into_iter().find_map(|other| {
        definitions(db, snapshot.project, other)
            .references
            .iter()
            .find(|r| r.target.file == file && r.target.range.contains(offset))
            .map(|r| (r.target.range, r.target))
    })
}

fn project_files(snapshot: &Snapshot) -> Vec<SourceFile> {
    let db = &snapshot.db;
    snapshot
        .project
        .files(db)
        .iter()
        .copied()
        .filter(|file| file.origin(db) == Origin::Project)
        .collect()
}

pub fn definition(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<Location> {
    let (_, target) = target_at(snapshot, file, offset)?;
    snapshot.location(target.file, target.range)
}

/// Every place that names the definition at `offset`, in every project file.
pub fn references(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((_, target)) = target_at(snapshot, file, offset) else {
        return Vec::new();
    };
    let mut ranges: Vec<(SourceFile, TextRange)> = Vec::new();
    if include_declaration {
        ranges.push((target.file, target.range));
    }
    for other in project_files(snapshot) {
        for reference in definitions(&snapshot.db, snapshot.project, other).references_to(target) {
            ranges.push((other, reference.range));
        }
    }
    ranges.dedup();
    ranges
        .into_iter()
        .filter_map(|(file, range)| snapshot.location(file, range))
        .collect()
}

/// The range to rename at `offset`, when the definition is in the project.
pub fn prepare_rename(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<TextRange> {
    let (range, target) = target_at(snapshot, file, offset)?;
    (target.file.origin(&snapshot.db) == Origin::Project).then_some(range)
}

/// The edits that rename the definition at `offset` and every reference to it.
pub fn rename(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Option<WorkspaceEdit> {
    prepare_rename(snapshot, file, offset)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for location in references(snapshot, file, offset, true) {
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}
