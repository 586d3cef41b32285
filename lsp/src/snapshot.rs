//! A snapshot: a clone of the database and what a query needs to answer a request.
//!
//! Invariant: a snapshot is only read, on a blocking thread, never on the message loop;
//! a newer edit cancels it (its queries unwind with `salsa::Cancelled`, which the server
//! turns into `ContentModified`), so it can never report on text that has changed.

use plat_compiler::source::{Database, Project, SourceFile};
use plat_compiler::span::TextRange;
use tower_lsp_server::ls_types::Location;

use crate::convert::{Encoding, LineMap};
use crate::workspace::{Paths, Workspace};

pub struct Snapshot {
    pub db: Database,
    pub project: Project,
    pub paths: Paths,
    pub encoding: Encoding,
}

impl Snapshot {
    pub fn of(workspace: &Workspace) -> Snapshot {
        Snapshot {
            db: workspace.db.clone(),
            project: workspace.project,
            paths: workspace.paths.clone(),
            encoding: workspace.encoding,
        }
    }

    pub fn line_map(&self, file: SourceFile) -> LineMap<'_> {
        LineMap::new(file.text(&self.db), self.encoding)
    }

    /// The location of a range of a project file (`None` for the standard library).
    pub fn location(&self, file: SourceFile, range: TextRange) -> Option<Location> {
        let uri = self.paths.uri_of(&self.db, file)?;
        Some(Location::new(uri, self.line_map(file).range(range)))
    }
}
