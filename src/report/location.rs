//! Where a label points, as paths and 1-based lines and columns.

use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Label;
use plat_compiler::position::{LineColumn, Positions};
use plat_compiler::source::{Database, Origin, SourceFile};

/// Resolves labels to display paths and positions.
pub struct Located<'a> {
    pub db: &'a Database,
    root: PathBuf,
}

/// A label's place, ready to print.
pub struct Place {
    pub path: String,
    pub start: LineColumn,
    pub end: LineColumn,
}

impl<'a> Located<'a> {
    pub fn new(db: &'a Database, root: &Path) -> Self {
        Located {
            db,
            root: root.to_path_buf(),
        }
    }

    /// The path of `file` as the user would type it from where they ran `plat`.
    pub fn display_path(&self, file: SourceFile) -> String {
        let path = file.path(self.db);
        if file.origin(self.db) == Origin::Std {
            return path.clone();
        }
        self.display_subject(path)
    }

    /// A project-relative path joined to the root the user gave.
    pub fn display_subject(&self, path: &str) -> String {
        let root = self.root.to_string_lossy();
        let root = root.trim_start_matches("./").trim_end_matches('/');
        if path.is_empty() {
            if root.is_empty() {
                ".".to_string()
            } else {
                root.to_string()
            }
        } else if root.is_empty() || root == "." || Path::new(path).is_absolute() {
            path.to_string()
        } else {
            format!("{root}/{path}")
        }
    }

    pub fn place(&self, label: &Label) -> Place {
        let positions = Positions::new(label.file.text(self.db));
        Place {
            path: self.display_path(label.file),
            start: positions.line_column(label.range.start),
            end: positions.line_column(label.range.end),
        }
    }
}
