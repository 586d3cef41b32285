//! Local module sources (`./modules/rds`, `../shared/dns`) as project paths.
//!
//! Invariants: paths are project paths (relative to the root, `/` separators, no `.`
//! or `..` parts); a source that would leave the project root has no project path.

/// Where a local `source` leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalSource {
    /// The module's directory, as a project path (`""` is the root).
    Inside(String),
    /// The source climbs above the project root.
    Outside,
}

/// Whether Terraform reads `source` as a local path: it starts with `./` or `../`.
pub fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// The directory that `source`, written in the file at `file` (a project path), leads
/// to; `None` when `source` is not a local path.
pub fn resolve(file: &str, source: &str) -> Option<LocalSource> {
    if !is_local(source) {
        return None;
    }
    let mut parts: Vec<&str> = parent(file).split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some(LocalSource::Outside);
                }
            }
            other => parts.push(other),
        }
    }
    Some(LocalSource::Inside(parts.join("/")))
}

/// Whether the file at `path` is directly in the directory `dir` (not deeper).
pub fn is_directly_in(path: &str, dir: &str) -> bool {
    parent(path) == dir
}

/// The directory of a project path: `a/b` for `a/b/c.tf`, `""` for `c.tf`.
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
}
