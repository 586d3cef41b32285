//! What the fuzz targets share: turning fuzzer bytes into a project.
//!
//! A project input is UTF-8 text; a NUL byte separates files, so one input can hold a
//! whole project (`a.plat`, `b.plat`, ...). Inputs that are not UTF-8 are skipped: the
//! loader refuses them before the compiler sees them (E0502).

use plat_compiler::source::{Database, Project};

/// At most this many files are made from one input.
const MAX_FILES: usize = 8;

/// The files of an input, or `None` if it is not UTF-8.
pub fn files(data: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(data).ok()?;
    Some(
        text.split('\0')
            .take(MAX_FILES)
            .enumerate()
            .map(|(index, text)| (format!("f{index}.plat"), text.to_string()))
            .collect(),
    )
}

/// The project of an input, in a fresh database.
pub fn project(data: &[u8]) -> Option<(Database, Project)> {
    let files = files(data)?;
    let db = Database::default();
    let project = plat_compiler::project::from_texts(&db, &files);
    Some((db, project))
}
